//! The annual due-diligence report (OECD step 5), built from a snapshot: policy and
//! management system, scope and coverage, smelters and refiners by metal and status with the
//! full list, countries, risks and mitigation, audits, training and grievances, changes against
//! the previous year, and the pinned inputs.

use crate::charts;
use crate::doc::{Block, Doc, Section};
use crate::snapshot::{Facility, Snapshot};
use std::collections::BTreeMap;

/// Status buckets in display order.
pub const BUCKETS: [&str; 6] = [
    "conformant",
    "active",
    "non-conformant",
    "other",
    "not on a status list",
    "unresolved",
];

/// The display bucket of a facility's status.
pub fn bucket(f: &Facility) -> &'static str {
    if f.cid.is_none() {
        return "unresolved";
    }
    match f.status.as_deref() {
        Some("conformant") => "conformant",
        Some("active") => "active",
        Some("non_conformant") => "non-conformant",
        Some(_) => "other",
        None => "not on a status list",
    }
}

/// A share as a percentage.
pub fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// An amount with thousands separators.
pub fn money(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn text_or_placeholder(blocks: &mut Vec<Block>, value: Option<&String>, label: &str, guide: &str) {
    match value.filter(|v| !v.trim().is_empty()) {
        Some(v) => {
            blocks.push(Block::Heading { text: label.into() });
            blocks.push(Block::Para { text: v.clone() });
        }
        None => {
            blocks.push(Block::Heading { text: label.into() });
            blocks.push(Block::Placeholder { text: guide.into() });
        }
    }
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// Counts of facilities per metal and bucket.
pub fn by_metal(s: &Snapshot) -> BTreeMap<String, BTreeMap<&'static str, usize>> {
    let mut out: BTreeMap<String, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for f in &s.facilities {
        *out.entry(f.metal.clone())
            .or_default()
            .entry(bucket(f))
            .or_default() += 1;
    }
    out
}

/// Policy and management system section.
pub fn policy_section(s: &Snapshot) -> Section {
    let p = &s.company.policy;
    let m = &s.company.management;
    let mut blocks = vec![Block::Facts {
        items: vec![
            (
                "Sourcing policy established".into(),
                if p.established { "Yes" } else { "No" }.into(),
            ),
            (
                "Policy version".into(),
                p.version.clone().unwrap_or_else(|| "not stated".into()),
            ),
            (
                "Adopted".into(),
                p.adopted.clone().unwrap_or_else(|| "not stated".into()),
            ),
            (
                "Published at".into(),
                p.url.clone().unwrap_or_else(|| "not published".into()),
            ),
            (
                "Covers OECD Annex II risks".into(),
                if p.covers_annex_ii { "Yes" } else { "No" }.into(),
            ),
        ],
    }];
    text_or_placeholder(
        &mut blocks,
        p.summary.as_ref(),
        "Policy",
        "Summarise the sourcing policy and its commitments (company.toml [policy] summary).",
    );
    text_or_placeholder(
        &mut blocks,
        m.accountable.as_ref(),
        "Accountability",
        "Name the senior manager accountable for the programme.",
    );
    text_or_placeholder(
        &mut blocks,
        m.system.as_ref(),
        "Management system",
        "Describe the team, systems and controls that run due diligence.",
    );
    text_or_placeholder(
        &mut blocks,
        m.supplier_engagement.as_ref(),
        "Supplier engagement",
        "Describe contract clauses, codes of conduct and supplier communication.",
    );
    text_or_placeholder(
        &mut blocks,
        m.grievance_mechanism.as_ref(),
        "Grievance mechanism",
        "Describe how concerns can be raised and are handled.",
    );
    text_or_placeholder(
        &mut blocks,
        m.record_keeping.as_ref(),
        "Record keeping",
        "State how long due-diligence records are kept (OECD: at least five years).",
    );
    Section {
        title: "Policy and management system".into(),
        blocks,
    }
}

/// Scope and coverage section.
pub fn coverage_section(s: &Snapshot) -> Section {
    let c = &s.coverage;
    let mut blocks = vec![
        Block::Para {
            text: format!(
                "Campaign \u{201c}{}\u{201d} (period {}) surveyed {} supplier(s) with RMI templates ({}); {} request(s) were waived. \
                 The goal was templates covering {} of in-scope spend.",
                s.campaign.name,
                s.campaign.period,
                c.requests,
                s.campaign.families.join(", "),
                c.waived,
                pct(s.campaign.goal)
            ),
        },
        Block::Facts {
            items: vec![
                ("Response rate".into(), pct(c.response_rate)),
                (
                    "Spend covered by accepted templates".into(),
                    format!(
                        "{} of {} ({}){}",
                        money(c.overall.covered_spend),
                        money(c.overall.in_scope_spend),
                        pct(c.overall.coverage),
                        if c.overall.goal_met {
                            ", goal met"
                        } else {
                            ", goal not met"
                        }
                    ),
                ),
                (
                    "Suppliers with an accepted template".into(),
                    format!("{} of {}", c.overall.accepted, c.overall.suppliers),
                ),
            ],
        },
    ];
    if !c.per_mineral.is_empty() {
        blocks.push(Block::Chart {
            title: "Coverage of in-scope spend by mineral".into(),
            svg: charts::bars(
                &c.per_mineral
                    .iter()
                    .map(|m| (m.mineral.clone(), m.coverage, pct(m.coverage)))
                    .collect::<Vec<_>>(),
                1.0,
                charts::PALETTE[6],
            ),
        });
        blocks.push(Block::Table {
            head: [
                "Mineral",
                "Suppliers",
                "Accepted",
                "In-scope spend",
                "Covered spend",
                "Coverage",
                "Goal",
            ]
            .map(String::from)
            .to_vec(),
            rows: c
                .per_mineral
                .iter()
                .map(|m| {
                    vec![
                        m.mineral.clone(),
                        m.suppliers.to_string(),
                        m.accepted.to_string(),
                        money(m.in_scope_spend),
                        money(m.covered_spend),
                        pct(m.coverage),
                        if m.goal_met { "met" } else { "not met" }.into(),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(Block::Chart {
        title: "Requests by status".into(),
        svg: charts::bars(
            &c.by_status
                .iter()
                .map(|(k, v)| (k.replace('_', " "), *v as f64, v.to_string()))
                .collect::<Vec<_>>(),
            c.by_status.values().copied().max().unwrap_or(1) as f64,
            charts::PALETTE[6],
        ),
    });
    if !c.missing.is_empty() {
        blocks.push(Block::Heading {
            text: "Suppliers without an accepted template".into(),
        });
        blocks.push(Block::Table {
            head: ["Supplier", "Name", "Spend", "Request", "Reason"]
                .map(String::from)
                .to_vec(),
            rows: c
                .missing
                .iter()
                .map(|m| {
                    vec![
                        m.erp_id.clone(),
                        m.name.clone(),
                        money(m.spend),
                        m.status.replace('_', " "),
                        m.reason.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        });
    }
    Section {
        title: "Scope and coverage".into(),
        blocks,
    }
}

/// Facilities section: by metal and status, then the full list.
pub fn facilities_section(s: &Snapshot) -> Section {
    let counts = by_metal(s);
    let conformant = s
        .facilities
        .iter()
        .filter(|f| bucket(f) == "conformant")
        .count();
    let mut blocks = vec![Block::Para {
        text: format!(
            "Accepted templates name {} smelter(s) and refiner(s); {} ({}) are conformant with the RMAP or a cross-recognised standard as of {}. \
             Statuses come from the RMI status lists pinned in the last section.",
            s.facilities.len(),
            conformant,
            pct(if s.facilities.is_empty() {
                0.0
            } else {
                conformant as f64 / s.facilities.len() as f64
            }),
            s.as_of
        ),
    }];
    blocks.push(Block::Chart {
        title: "Smelters and refiners by metal and status".into(),
        svg: charts::stacked(
            &counts
                .iter()
                .map(|(m, b)| {
                    (
                        m.clone(),
                        BUCKETS
                            .iter()
                            .map(|k| b.get(k).copied().unwrap_or(0) as f64)
                            .collect(),
                    )
                })
                .collect::<Vec<_>>(),
            &BUCKETS,
        ),
    });
    let mut head = vec!["Metal".to_string()];
    head.extend(BUCKETS.iter().map(|b| b.to_string()));
    head.push("Total".into());
    blocks.push(Block::Table {
        head,
        rows: counts
            .iter()
            .map(|(m, b)| {
                let mut row = vec![m.clone()];
                row.extend(
                    BUCKETS
                        .iter()
                        .map(|k| b.get(k).copied().unwrap_or(0).to_string()),
                );
                row.push(b.values().sum::<usize>().to_string());
                row
            })
            .collect(),
    });
    blocks.push(Block::Heading {
        text: "Full list".into(),
    });
    blocks.push(Block::Table {
        head: [
            "Metal",
            "Smelter ID",
            "Name",
            "Country",
            "Status",
            "Status list",
            "Last audit",
            "Suppliers",
            "Risk lists",
        ]
        .map(String::from)
        .to_vec(),
        rows: s
            .facilities
            .iter()
            .map(|f| {
                vec![
                    f.metal.clone(),
                    f.cid.clone().unwrap_or_else(|| "unresolved".into()),
                    f.name.clone(),
                    f.country.clone().unwrap_or_default(),
                    bucket(f).to_string(),
                    date(f.status_as_of),
                    date(f.last_audit),
                    f.suppliers.len().to_string(),
                    f.risk_lists.join(", "),
                ]
            })
            .collect(),
    });
    Section {
        title: "Smelters and refiners".into(),
        blocks,
    }
}

/// Per country: facilities, risk lists, facilities per metal.
type CountryTally = (usize, Vec<String>, BTreeMap<String, usize>);

/// Countries section: where the named facilities are.
pub fn countries_section(s: &Snapshot) -> Section {
    let mut by: BTreeMap<String, CountryTally> = BTreeMap::new();
    for f in &s.facilities {
        let c = f.country.clone().unwrap_or_else(|| "unknown".into());
        let e = by.entry(c).or_default();
        e.0 += 1;
        for r in &f.risk_lists {
            if !e.1.contains(r) {
                e.1.push(r.clone());
            }
        }
        *e.2.entry(f.metal.clone()).or_default() += 1;
    }
    let mut ranked: Vec<(&String, &CountryTally)> = by.iter().collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    let risky = ranked.iter().filter(|(_, v)| !v.1.is_empty()).count();
    Section {
        title: "Countries of origin".into(),
        blocks: vec![
            Block::Para {
                text: format!(
                    "The smelters and refiners are located in {} countries, {} of them on a risk list (the Dodd-Frank covered countries or the EU indicative list of conflict-affected and high-risk areas). \
                     Where the templates give mine countries, they are kept with the suppliers' files; the country of a facility is where it processes, not necessarily where the ore was mined.",
                    ranked.len(),
                    risky
                ),
            },
            Block::Chart {
                title: "Facilities by country (largest 15)".into(),
                svg: charts::bars(
                    &ranked
                        .iter()
                        .take(15)
                        .map(|(c, v)| ((*c).clone(), v.0 as f64, v.0.to_string()))
                        .collect::<Vec<_>>(),
                    ranked.first().map(|r| r.1.0).unwrap_or(1) as f64,
                    charts::PALETTE[5],
                ),
            },
            Block::Table {
                head: ["Country", "Facilities", "By metal", "Risk lists"]
                    .map(String::from)
                    .to_vec(),
                rows: ranked
                    .iter()
                    .map(|(c, v)| {
                        vec![
                            (*c).clone(),
                            v.0.to_string(),
                            v.2.iter()
                                .map(|(m, n)| format!("{m} {n}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            v.1.join(", "),
                        ]
                    })
                    .collect(),
            },
        ],
    }
}

/// Risks found and mitigation taken.
pub fn risks_section(s: &Snapshot) -> Section {
    let r = &s.risk;
    let mut blocks = Vec::new();
    let flagged: Vec<&Facility> = s
        .facilities
        .iter()
        .filter(|f| !f.risk_lists.is_empty() || matches!(bucket(f), "non-conformant" | "other"))
        .collect();
    blocks.push(Block::Para {
        text: format!(
            "{} facility(ies) are located in listed countries or are not conformant; {} risk case(s) were open during the period ({} source: {}).",
            flagged.len(),
            r.cases.len(),
            "register",
            if r.source.is_empty() { "not recorded" } else { &r.source }
        ),
    });
    if r.cases.is_empty() {
        blocks.push(Block::Placeholder {
            text: "No risk cases are recorded for the period: describe the risks identified and the response (continue with mitigation, suspend, disengage).".into(),
        });
    } else {
        let mut levels: BTreeMap<(String, String), usize> = BTreeMap::new();
        for c in &r.cases {
            *levels
                .entry((c.level.clone(), c.status.clone()))
                .or_default() += 1;
        }
        blocks.push(Block::Table {
            head: ["Level", "Status", "Cases"].map(String::from).to_vec(),
            rows: levels
                .iter()
                .map(|((l, st), n)| vec![l.clone(), st.clone(), n.to_string()])
                .collect(),
        });
        blocks.push(Block::Table {
            head: [
                "Case",
                "Subject",
                "Risk",
                "Level",
                "Mitigation stage",
                "Opened",
                "Closed",
                "Outcome",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .cases
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.subject.clone(),
                        c.title.clone(),
                        c.level.clone(),
                        c.stage.clone().unwrap_or_default().replace('_', " "),
                        c.opened_on.to_string(),
                        date(c.closed_on),
                        c.close_reason.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
        });
    }
    if !flagged.is_empty() {
        blocks.push(Block::Heading {
            text: "Facilities needing attention".into(),
        });
        blocks.push(Block::Table {
            head: [
                "Metal",
                "Smelter ID",
                "Name",
                "Country",
                "Status",
                "Risk lists",
            ]
            .map(String::from)
            .to_vec(),
            rows: flagged
                .iter()
                .map(|f| {
                    vec![
                        f.metal.clone(),
                        f.cid.clone().unwrap_or_default(),
                        f.name.clone(),
                        f.country.clone().unwrap_or_default(),
                        bucket(f).to_string(),
                        f.risk_lists.join(", "),
                    ]
                })
                .collect(),
        });
    }
    Section {
        title: "Risks identified and mitigation".into(),
        blocks,
    }
}

/// Audits, training and grievances.
pub fn programme_section(s: &Snapshot) -> Section {
    let r = &s.risk;
    let mut blocks = Vec::new();
    blocks.push(Block::Heading {
        text: "Audits".into(),
    });
    if r.audits.is_empty() {
        blocks.push(Block::Para {
            text: "No audits of own or suppliers' sites are recorded for the period. Smelters and refiners are audited through the RMAP and cross-recognised programmes (see their statuses above).".into(),
        });
    } else {
        blocks.push(Block::Table {
            head: ["Date", "Site", "Kind", "Type", "Result", "Findings", "Open"]
                .map(String::from)
                .to_vec(),
            rows: r
                .audits
                .iter()
                .map(|a| {
                    vec![
                        a.date.to_string(),
                        a.site.clone(),
                        a.subject_kind.replace('_', " "),
                        a.audit_type.clone(),
                        a.result.clone().unwrap_or_default(),
                        a.findings.to_string(),
                        a.open_findings.to_string(),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(Block::Heading {
        text: "Training".into(),
    });
    let people: usize = r.trainings.iter().map(|t| t.participants).sum();
    let done: usize = r.trainings.iter().map(|t| t.completed).sum();
    blocks.push(Block::Para {
        text: format!(
            "{} session(s), {} participant(s), {} completed.",
            r.trainings.len(),
            people,
            done
        ),
    });
    if !r.trainings.is_empty() {
        blocks.push(Block::Table {
            head: ["Held", "Course", "Participants", "Completed", "Suppliers"]
                .map(String::from)
                .to_vec(),
            rows: r
                .trainings
                .iter()
                .map(|t| {
                    vec![
                        t.held_on.to_string(),
                        t.course.clone(),
                        t.participants.to_string(),
                        t.completed.to_string(),
                        t.suppliers.to_string(),
                    ]
                })
                .collect(),
        });
    }
    blocks.push(Block::Heading {
        text: "Grievances".into(),
    });
    let answered = r
        .grievances
        .iter()
        .filter(|g| g.responded_on.is_some())
        .count();
    blocks.push(Block::Para {
        text: format!(
            "{} grievance(s) received, {} answered.",
            r.grievances.len(),
            answered
        ),
    });
    if !r.grievances.is_empty() {
        blocks.push(Block::Table {
            head: [
                "Reference",
                "Received",
                "Status",
                "Severity",
                "Summary",
                "Answered",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .grievances
                .iter()
                .map(|g| {
                    vec![
                        g.reference.clone(),
                        g.received_on.to_string(),
                        g.status.clone(),
                        g.severity.clone().unwrap_or_default(),
                        g.summary.clone(),
                        date(g.responded_on),
                    ]
                })
                .collect(),
        });
    }
    Section {
        title: "Audits, training and grievances".into(),
        blocks,
    }
}

/// The comparison of two snapshots as a document of its own (what `oretrail report compare`
/// prints).
pub fn comparison_doc(c: &crate::compare::Comparison) -> Doc {
    Doc {
        title: format!(
            "Changes from {} ({}) to {} ({})",
            c.from.campaign, c.from.as_of, c.to.campaign, c.to.as_of
        ),
        subtitle: String::new(),
        footer: String::new(),
        sections: vec![Section {
            title: "Changes".into(),
            blocks: comparison_blocks(c),
        }],
    }
}

/// The blocks showing a comparison.
pub fn comparison_blocks(c: &crate::compare::Comparison) -> Vec<Block> {
    let mut blocks = vec![Block::Para {
        text: format!(
            "Compared with \u{201c}{}\u{201d} (period {}, as of {}).",
            c.from.campaign, c.from.period, c.from.as_of
        ),
    }];
    if c.is_empty() {
        blocks.push(Block::Para {
            text: "Nothing changed.".into(),
        });
        return blocks;
    }
    let change_table = |rows: &[crate::compare::Change]| Block::Table {
        head: ["What", "Before", "After", "Why"]
            .map(String::from)
            .to_vec(),
        rows: rows
            .iter()
            .map(|c| vec![c.what.clone(), c.from.clone(), c.to.clone(), c.why.clone()])
            .collect(),
    };
    for (title, rows) in [
        ("Coverage", &c.coverage),
        ("Status changes", &c.status_changes),
        ("Inputs", &c.inputs),
    ] {
        if !rows.is_empty() {
            blocks.push(Block::Heading { text: title.into() });
            blocks.push(change_table(rows));
        }
    }
    for (title, rows) in [
        ("Facilities newly named", &c.facilities_added),
        ("Facilities no longer named", &c.facilities_removed),
    ] {
        if !rows.is_empty() {
            blocks.push(Block::Heading { text: title.into() });
            blocks.push(Block::Table {
                head: ["Metal", "Smelter ID", "Name", "Why"]
                    .map(String::from)
                    .to_vec(),
                rows: rows
                    .iter()
                    .map(|f| {
                        vec![
                            f.metal.clone(),
                            f.cid.clone(),
                            f.name.clone(),
                            f.why.clone(),
                        ]
                    })
                    .collect(),
            });
        }
    }
    if !c.countries_added.is_empty() || !c.countries_removed.is_empty() {
        blocks.push(Block::Facts {
            items: vec![
                ("Countries added".into(), c.countries_added.join(", ")),
                (
                    "Countries no longer present".into(),
                    c.countries_removed.join(", "),
                ),
            ],
        });
    }
    blocks
}

/// The pinned inputs.
pub fn pins_section(s: &Snapshot, id: &str) -> Section {
    let p = &s.pins;
    Section {
        title: "Data and inputs".into(),
        blocks: vec![
            Block::Facts {
                items: vec![
                    ("Snapshot".into(), id.to_string()),
                    ("Statuses as of".into(), s.as_of.to_string()),
                    ("Company profile (SHA-256)".into(), p.profile_sha256.clone()),
                    (
                        "Sourcing policy version".into(),
                        p.policy_version
                            .clone()
                            .unwrap_or_else(|| "not stated".into()),
                    ),
                    (
                        "Risk policy".into(),
                        p.risk_policy
                            .clone()
                            .unwrap_or_else(|| "none recorded".into()),
                    ),
                    ("Produced by".into(), p.generator.clone()),
                ],
            },
            Block::Heading {
                text: "Status lists".into(),
            },
            Block::Table {
                head: ["As of", "Source", "Facilities", "SHA-256"]
                    .map(String::from)
                    .to_vec(),
                rows: p
                    .status_lists
                    .iter()
                    .map(|l| {
                        vec![
                            l.as_of.to_string(),
                            l.source.clone(),
                            l.entries.to_string(),
                            l.sha256.clone(),
                        ]
                    })
                    .collect(),
            },
            Block::Heading {
                text: "Supplier files".into(),
            },
            Block::Table {
                head: [
                    "Supplier",
                    "File",
                    "Template",
                    "Effective",
                    "Verdict",
                    "SHA-256",
                ]
                .map(String::from)
                .to_vec(),
                rows: p
                    .inputs
                    .iter()
                    .map(|i| {
                        vec![
                            format!("{} {}", i.supplier, i.supplier_name),
                            i.file.clone(),
                            i.template.clone().unwrap_or_default(),
                            date(i.effective_date),
                            i.status.clone(),
                            i.sha256.clone(),
                        ]
                    })
                    .collect(),
            },
        ],
    }
}

/// The annual report of a snapshot.
pub fn annual_report(s: &Snapshot) -> crate::Result<Doc> {
    let id = s.id()?;
    let company = if s.company.company.name.trim().is_empty() {
        "The company".to_string()
    } else {
        s.company.company.name.clone()
    };
    let changes = Section {
        title: "Changes against the previous year".into(),
        blocks: match &s.changes {
            Some(c) => comparison_blocks(c),
            None => vec![Block::Para {
                text: "No snapshot of a previous year was available to compare with.".into(),
            }],
        },
    };
    Ok(Doc {
        title: format!(
            "{company} — responsible minerals due-diligence report {}",
            s.campaign.period
        ),
        subtitle: format!(
            "Campaign {} · statuses as of {} · prepared following OECD Due Diligence Guidance step 5",
            s.campaign.name, s.as_of
        ),
        footer: format!("Snapshot {id} · {}", s.pins.generator),
        sections: vec![
            policy_section(s),
            coverage_section(s),
            facilities_section(s),
            countries_section(s),
            risks_section(s),
            programme_section(s),
            changes,
            pins_section(s, &id),
        ],
    })
}
