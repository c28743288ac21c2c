//! Regulatory drafts from a snapshot, facts filled in and the company's narrative left as
//! marked places: the US Form SD with its Conflict Minerals Report (Exhibit 1.01, tin,
//! tantalum, tungsten, gold) and the EU Batteries Regulation (EU) 2023/1542 supply-chain
//! due-diligence report (cobalt, lithium, nickel, natural graphite; Articles 48–52).
//! Drafts to be reviewed by counsel: they state only what the data shows.

use crate::annual::{self, bucket, pct};
use crate::declaration::same_mineral;
use crate::doc::{Block, Doc, Section};
use crate::snapshot::{Facility, Snapshot};
use std::collections::BTreeSet;

/// The 3TG metals of the US rule.
pub const CONFLICT_MINERALS: [&str; 4] = ["Tin", "Tantalum", "Tungsten", "Gold"];
/// The raw materials of the EU Batteries Regulation's due-diligence chapter.
pub const BATTERY_MATERIALS: [&str; 4] = ["Cobalt", "Lithium", "Nickel", "Graphite"];

fn of(s: &Snapshot, metals: &[&str]) -> Vec<Facility> {
    s.facilities
        .iter()
        .filter(|f| metals.iter().any(|m| same_mineral(m, &f.metal)))
        .cloned()
        .collect()
}

fn facility_table(list: &[Facility]) -> Block {
    Block::Table {
        head: [
            "Metal",
            "Smelter/refiner ID",
            "Name",
            "Country",
            "Status",
            "Status as of",
        ]
        .map(String::from)
        .to_vec(),
        rows: list
            .iter()
            .map(|f| {
                vec![
                    f.metal.clone(),
                    f.cid.clone().unwrap_or_else(|| "unresolved".into()),
                    f.name.clone(),
                    f.country.clone().unwrap_or_default(),
                    bucket(f).to_string(),
                    f.status_as_of.map(|d| d.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

fn countries(list: &[Facility], risk: &str) -> Vec<String> {
    list.iter()
        .filter(|f| risk.is_empty() || f.risk_lists.iter().any(|r| r == risk))
        .filter_map(|f| f.country.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn coverage_facts(s: &Snapshot, metals: &[&str]) -> Block {
    let mut items = vec![
        (
            "Suppliers surveyed".to_string(),
            s.coverage.requests.to_string(),
        ),
        ("Response rate".into(), pct(s.coverage.response_rate)),
    ];
    for m in &s.coverage.per_mineral {
        if metals.iter().any(|x| same_mineral(x, &m.mineral)) {
            items.push((
                format!("Suppliers of {} with an accepted template", m.mineral),
                format!(
                    "{} of {} ({} of spend)",
                    m.accepted,
                    m.suppliers,
                    pct(m.coverage)
                ),
            ));
        }
    }
    Block::Facts { items }
}

/// The Form SD and Conflict Minerals Report draft (3TG).
pub fn form_sd(s: &Snapshot) -> crate::Result<Doc> {
    let id = s.id()?;
    let list = of(s, &CONFLICT_MINERALS);
    let company = s.company.company.name.clone();
    let covered = countries(&list, "covered_country");
    let conformant = list.iter().filter(|f| bucket(f) == "conformant").count();
    let sections = vec![
        Section {
            title: "Form SD — Item 1.01 Conflict Minerals Disclosure and Report".into(),
            blocks: vec![
                Block::Facts {
                    items: vec![
                        ("Registrant".into(), company.clone()),
                        ("Reporting period".into(), format!("calendar year {}", s.campaign.period)),
                        ("Filing due".into(), "31 May of the following year".into()),
                    ],
                },
                Block::Placeholder {
                    text: "Describe the products manufactured or contracted to be manufactured for which 3TG is necessary to functionality or production.".into(),
                },
                Block::Heading { text: "Reasonable country of origin inquiry (RCOI)".into() },
                Block::Para {
                    text: format!(
                        "{company} surveyed {} direct supplier(s) with the RMI Conflict Minerals Reporting Template; {} responded. \
                         Their templates name {} smelter(s) and refiner(s) of 3TG, {} of them located in the Democratic Republic of the Congo or an adjoining country{}.",
                        s.coverage.requests,
                        pct(s.coverage.response_rate),
                        list.len(),
                        list.iter().filter(|f| f.risk_lists.iter().any(|r| r == "covered_country")).count(),
                        if covered.is_empty() { String::new() } else { format!(" ({})", covered.join(", ")) }
                    ),
                },
                Block::Placeholder {
                    text: "State the conclusion of the RCOI (whether there is reason to believe that 3TG may have originated in the covered countries and may not be from recycled or scrap sources).".into(),
                },
            ],
        },
        Section {
            title: "Exhibit 1.01 — Conflict Minerals Report: due diligence".into(),
            blocks: {
                let mut b = vec![Block::Para {
                    text: "Due diligence was designed to conform with the OECD Due Diligence Guidance for Responsible Supply Chains of Minerals from Conflict-Affected and High-Risk Areas and its supplements on tin, tantalum, tungsten and gold.".into(),
                }];
                b.extend(annual::policy_section(s).blocks);
                b.push(coverage_facts(s, &CONFLICT_MINERALS));
                b.push(Block::Placeholder {
                    text: "Describe the steps taken to identify and assess risk, the risk-management plan and how risks were reported to senior management.".into(),
                });
                b.push(Block::Para {
                    text: format!("{} risk case(s) were handled in the period.", s.risk.cases.len()),
                });
                b
            },
        },
        Section {
            title: "Smelters and refiners, and countries of origin".into(),
            blocks: vec![
                Block::Para {
                    text: format!(
                        "{} of the {} facilities ({}) were conformant with the RMAP or a cross-recognised standard as of {}.",
                        conformant,
                        list.len(),
                        pct(if list.is_empty() { 0.0 } else { conformant as f64 / list.len() as f64 }),
                        s.as_of
                    ),
                },
                facility_table(&list),
                Block::Facts {
                    items: vec![("Countries where the facilities are located".into(), countries(&list, "").join(", "))],
                },
                Block::Placeholder {
                    text: "Describe the efforts to determine the mine or location of origin with the greatest possible specificity.".into(),
                },
            ],
        },
        Section {
            title: "Steps to improve due diligence".into(),
            blocks: vec![Block::Placeholder {
                text: "List the steps taken or to be taken since the end of the period to mitigate risk and improve due diligence (e.g. supplier response rate, smelter outreach).".into(),
            }],
        },
    ];
    Ok(Doc {
        title: format!(
            "{company} — Form SD and Conflict Minerals Report {} (draft)",
            s.campaign.period
        ),
        subtitle: format!(
            "Draft from campaign {} · statuses as of {} · to be reviewed before filing",
            s.campaign.name, s.as_of
        ),
        footer: format!("Snapshot {id} · {}", s.pins.generator),
        sections,
    })
}

/// The EU Batteries Regulation supply-chain due-diligence report draft.
pub fn eu_battery(s: &Snapshot) -> crate::Result<Doc> {
    let id = s.id()?;
    let list = of(s, &BATTERY_MATERIALS);
    let company = s.company.company.name.clone();
    let flagged: Vec<Facility> = list
        .iter()
        .filter(|f| !f.risk_lists.is_empty() || !matches!(bucket(f), "conformant"))
        .cloned()
        .collect();
    let sections = vec![
        Section {
            title: "Scope (Article 47)".into(),
            blocks: vec![
                Block::Facts {
                    items: vec![
                        ("Economic operator".into(), company.clone()),
                        ("Raw materials".into(), "cobalt, lithium, nickel, natural graphite and their compounds".into()),
                        ("Period".into(), s.campaign.period.clone()),
                    ],
                },
                Block::Placeholder {
                    text: "Describe the batteries placed on the EU market and confirm the turnover threshold that brings the company in scope.".into(),
                },
            ],
        },
        Section {
            title: "Due-diligence policy (Article 48)".into(),
            blocks: {
                let mut b = annual::policy_section(s).blocks;
                b.push(Block::Placeholder {
                    text: "Name the notified body that verified the policy and the date of its verification.".into(),
                });
                b
            },
        },
        Section {
            title: "Management system and supply-chain controls (Article 49)".into(),
            blocks: vec![
                coverage_facts(s, &BATTERY_MATERIALS),
                Block::Para {
                    text: format!(
                        "Suppliers' templates name {} smelter(s), refiner(s) and processor(s) of the battery raw materials; {} are conformant with the RMAP or a cross-recognised standard as of {}.",
                        list.len(),
                        list.iter().filter(|f| bucket(f) == "conformant").count(),
                        s.as_of
                    ),
                },
                facility_table(&list),
            ],
        },
        Section {
            title: "Risk management (Article 50)".into(),
            blocks: vec![
                Block::Para {
                    text: format!(
                        "{} facility(ies) are located in countries on a risk list or are not conformant; {} risk case(s) were handled in the period.",
                        flagged.len(),
                        s.risk.cases.len()
                    ),
                },
                facility_table(&flagged),
                Block::Placeholder {
                    text: "Describe the risk-management plan, the adverse impacts found in the categories of Annex X, and the measures taken.".into(),
                },
            ],
        },
        Section {
            title: "Third-party verification (Article 51)".into(),
            blocks: vec![Block::Placeholder {
                text: "Summarise the third-party verification of the due-diligence policies by the notified body.".into(),
            }],
        },
        Section {
            title: "Disclosure (Article 52)".into(),
            blocks: vec![
                Block::Para {
                    text: format!("{} grievance(s) were received in the period.", s.risk.grievances.len()),
                },
                Block::Placeholder {
                    text: "State how the report is published and made available to immediate downstream purchasers, and how affected stakeholders can access information and remedy.".into(),
                },
            ],
        },
    ];
    Ok(Doc {
        title: format!(
            "{company} — battery raw materials due-diligence report {} (draft)",
            s.campaign.period
        ),
        subtitle: format!(
            "Regulation (EU) 2023/1542, Chapter VII · draft from campaign {} · statuses as of {}",
            s.campaign.name, s.as_of
        ),
        footer: format!("Snapshot {id} · {}", s.pins.generator),
        sections,
    })
}
