//! Claim checks: what each supplier's template claims (100 % recycled, no sourcing from covered
//! countries or conflict-affected areas, all smelters identified, smelters validated by
//! third-party audits) against what the registry and the status lists know as of the
//! template's effective date; and the facilities whose audits expire soon, with the suppliers
//! and products that carry them, as a request list for user-defined templates.

use crate::declaration::same_mineral;
use crate::error::Result;
use crate::gather::CurrentSubmission;
use crate::roles::{CompanyRole, Role, company_role_of, role_of};
use chrono::{Months, NaiveDate};
use oretrail_facilities::{CountryList, RiskLists, RmapStatus, StatusHistory};
use oretrail_template::{CompanyAnswer, EntryKind, Registry, SupplierReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a claim stands against the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The registry contradicts it.
    Contradicted,
    /// The registry casts doubt on it.
    Questionable,
    /// Nothing the registry knows can confirm or refute it.
    Unverifiable,
    /// The registry agrees.
    Supported,
}

/// One claim of a template and its check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// What the template claims.
    pub claim: String,
    /// Mineral, for per-mineral claims.
    pub mineral: Option<String>,
    /// Cell the claim is in.
    pub cell: Option<String>,
    /// The check's outcome.
    pub verdict: Verdict,
    /// What the registry knows, in words.
    pub evidence: String,
    /// Facilities behind the verdict ("Metal CID name").
    pub facilities: Vec<String>,
}

/// A supplier's claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SupplierClaims {
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub supplier_name: String,
    /// File.
    pub file: String,
    /// Template.
    pub template: Option<String>,
    /// Date the claims are checked at (the template's effective date, else the as-of date).
    pub checked_as_of: NaiveDate,
    /// The claims.
    pub claims: Vec<Claim>,
}

impl SupplierClaims {
    /// The worst verdict, if any claim was found.
    pub fn worst(&self) -> Option<Verdict> {
        self.claims.iter().map(|c| c.verdict).min()
    }
}

fn yes(a: Option<&str>) -> bool {
    a.is_some_and(|a| a.trim().to_lowercase().starts_with("yes"))
}

fn no(a: Option<&str>) -> bool {
    a.is_some_and(|a| a.trim().eq_ignore_ascii_case("no"))
}

/// What the registry knows of one named facility.
struct Named {
    label: String,
    metal: String,
    resolved: bool,
    row: u32,
    iso: Option<String>,
    status: Option<RmapStatus>,
    recycled: Option<String>,
}

/// Checks one supplier's template.
pub fn check_claims(
    sub: &CurrentSubmission,
    report: &SupplierReport,
    history: &StatusHistory,
    as_of: NaiveDate,
) -> SupplierClaims {
    let date = sub.effective_date.unwrap_or(as_of).min(as_of);
    let countries = CountryList::shared();
    let risks = RiskLists::embedded();
    let named: Vec<Named> = report
        .smelters
        .iter()
        .map(|s| {
            let res = s.resolution.as_ref();
            let cid = res.and_then(|r| r.canonical_cid.clone());
            let metal = s.metal.clone().unwrap_or_default();
            let status = cid
                .as_deref()
                .and_then(|c| history.status_as_of_for_metal(&metal, c, date))
                .map(|at| at.entry.status);
            Named {
                label: format!(
                    "{metal} {} {}",
                    cid.as_deref().unwrap_or("unresolved"),
                    res.and_then(|r| r.canonical_name.clone())
                        .or_else(|| s.name.clone())
                        .unwrap_or_default()
                ),
                resolved: cid.is_some() && s.entry != EntryKind::NotYetIdentified,
                row: s.row,
                iso: s
                    .country
                    .as_deref()
                    .and_then(|c| countries.iso2(c))
                    .map(str::to_string),
                status,
                recycled: s.details.get("recycled_scrap").cloned(),
                metal,
            }
        })
        .collect();
    let def = Registry::global().get(report.template.family, &report.template.version);
    let mut claims = Vec::new();
    for (mineral, answers) in &report.mineral_answers {
        let of_metal: Vec<&Named> = named
            .iter()
            .filter(|n| same_mineral(&n.metal, mineral))
            .collect();
        let by_role = |role: Role| {
            def.and_then(|d| d.questions.iter().find(|q| role_of(q) == role))
                .and_then(|q| answers.get(&q.id))
        };
        if let Some(a) = by_role(Role::Recycled)
            && yes(a.answer.as_deref())
        {
            let not: Vec<&Named> = of_metal
                .iter()
                .copied()
                .filter(|n| no(n.recycled.as_deref()))
                .collect();
            let (verdict, evidence) = if !not.is_empty() {
                (
                    Verdict::Contradicted,
                    format!(
                        "{} smelter row(s) of {mineral} say their feedstock is not 100% recycled or scrap",
                        not.len()
                    ),
                )
            } else if of_metal.is_empty() {
                (
                    Verdict::Unverifiable,
                    format!("no {mineral} smelter is named"),
                )
            } else {
                (
                    Verdict::Unverifiable,
                    format!(
                        "{} {mineral} facility(ies) named; RMI's lists do not record feedstock, so the claim rests on the supplier",
                        of_metal.len()
                    ),
                )
            };
            claims.push(Claim {
                claim: "100% recycled or scrap".into(),
                mineral: Some(mineral.clone()),
                cell: Some(a.cell.clone()),
                verdict,
                evidence,
                facilities: not.iter().map(|n| n.label.clone()).collect(),
            });
        }
        for (role, list_name, claim) in [
            (
                Role::CoveredCountries,
                "covered",
                "no sourcing from the DRC or adjoining countries",
            ),
            (
                Role::Cahra,
                "cahra",
                "no sourcing from conflict-affected and high-risk areas",
            ),
        ] {
            let Some(a) = by_role(role) else { continue };
            if !no(a.answer.as_deref()) {
                continue;
            }
            let located: Vec<&Named> = of_metal
                .iter()
                .copied()
                .filter(|n| {
                    n.iso.as_deref().is_some_and(|iso| {
                        if list_name == "covered" {
                            risks.is_covered_country(iso)
                        } else {
                            risks.is_eu_cahra(iso) || risks.is_covered_country(iso)
                        }
                    })
                })
                .collect();
            let (verdict, evidence) = if located.is_empty() {
                (
                    Verdict::Supported,
                    format!(
                        "none of the {} {mineral} facilities named is located in a listed country",
                        of_metal.len()
                    ),
                )
            } else if list_name == "covered" {
                (
                    Verdict::Contradicted,
                    format!(
                        "{} named {mineral} facility(ies) are located in covered countries",
                        located.len()
                    ),
                )
            } else {
                (
                    Verdict::Questionable,
                    format!(
                        "{} named {mineral} facility(ies) are located in countries with listed high-risk areas",
                        located.len()
                    ),
                )
            };
            claims.push(Claim {
                claim: claim.into(),
                mineral: Some(mineral.clone()),
                cell: Some(a.cell.clone()),
                verdict,
                evidence,
                facilities: located.iter().map(|n| n.label.clone()).collect(),
            });
        }
        if let Some(a) = by_role(Role::AllIdentified)
            && yes(a.answer.as_deref())
        {
            let open: Vec<&Named> = of_metal.iter().copied().filter(|n| !n.resolved).collect();
            claims.push(Claim {
                claim: "all smelters identified".into(),
                mineral: Some(mineral.clone()),
                cell: Some(a.cell.clone()),
                verdict: if open.is_empty() {
                    Verdict::Supported
                } else {
                    Verdict::Contradicted
                },
                evidence: if open.is_empty() {
                    format!(
                        "every one of the {} {mineral} rows resolves to an RMI facility",
                        of_metal.len()
                    )
                } else {
                    format!(
                        "{} {mineral} row(s) name no identifiable facility (rows {})",
                        open.len(),
                        open.iter()
                            .map(|n| n.row.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                },
                facilities: open.iter().map(|n| n.label.clone()).collect(),
            });
        }
        if let Some(a) = by_role(Role::Used)
            && no(a.answer.as_deref())
            && !of_metal.is_empty()
        {
            claims.push(Claim {
                claim: format!("{mineral} not used"),
                mineral: Some(mineral.clone()),
                cell: Some(a.cell.clone()),
                verdict: Verdict::Contradicted,
                evidence: format!(
                    "the Smelter List names {} {mineral} facility(ies)",
                    of_metal.len()
                ),
                facilities: of_metal.iter().map(|n| n.label.clone()).collect(),
            });
        }
    }
    // "Smelters validated by third-party audits": the company question, checked against the
    // statuses of every named facility as of the effective date.
    if let Some(d) = def {
        for q in d
            .company_questions
            .iter()
            .filter(|q| company_role_of(q) == CompanyRole::RequireValidated)
        {
            let answers: Vec<(Option<String>, String, String)> =
                match report.company_answers.get(&q.id) {
                    Some(CompanyAnswer::Single(a)) => a
                        .answer
                        .clone()
                        .map(|x| vec![(None, x, a.cell.clone())])
                        .unwrap_or_default(),
                    Some(CompanyAnswer::PerMineral(m)) => m
                        .iter()
                        .filter_map(|(k, a)| {
                            a.answer
                                .clone()
                                .map(|x| (Some(k.clone()), x, a.cell.clone()))
                        })
                        .collect(),
                    None => Vec::new(),
                };
            for (mineral, answer, cell) in answers {
                if !answer.trim().eq_ignore_ascii_case("yes") {
                    continue;
                }
                let scope: Vec<&Named> = named
                    .iter()
                    .filter(|n| mineral.as_deref().is_none_or(|m| same_mineral(&n.metal, m)))
                    .collect();
                let not: Vec<&Named> = scope
                    .iter()
                    .copied()
                    .filter(|n| n.status != Some(RmapStatus::Conformant))
                    .collect();
                let active = not
                    .iter()
                    .filter(|n| n.status == Some(RmapStatus::Active))
                    .count();
                let (verdict, evidence) = if scope.is_empty() {
                    (Verdict::Unverifiable, "no facility is named".to_string())
                } else if not.is_empty() {
                    (
                        Verdict::Supported,
                        format!(
                            "all {} named facilities are conformant as of {date}",
                            scope.len()
                        ),
                    )
                } else if not.len() == active {
                    (
                        Verdict::Questionable,
                        format!(
                            "{} of {} named facilities are only active (audit under way) as of {date}",
                            active,
                            scope.len()
                        ),
                    )
                } else {
                    (
                        Verdict::Contradicted,
                        format!(
                            "{} of {} named facilities are not conformant as of {date} ({} active, the others non-conformant or on no status list)",
                            not.len(),
                            scope.len(),
                            active
                        ),
                    )
                };
                claims.push(Claim {
                    claim: "all smelters validated by an independent third-party audit".into(),
                    mineral,
                    cell: Some(cell),
                    verdict,
                    evidence,
                    facilities: not.iter().map(|n| n.label.clone()).collect(),
                });
            }
        }
    }
    SupplierClaims {
        erp_id: sub.erp_id.clone(),
        supplier_name: sub.supplier_name.clone(),
        file: sub.original_name.clone(),
        template: sub.template.clone(),
        checked_as_of: date,
        claims,
    }
}

/// Checks every readable current submission of a campaign.
pub fn check_all(
    subs: &[CurrentSubmission],
    history: &StatusHistory,
    as_of: NaiveDate,
) -> Vec<SupplierClaims> {
    subs.iter()
        .filter_map(|s| {
            s.report
                .as_ref()
                .map(|r| check_claims(s, r, history, as_of))
        })
        .collect()
}

/// A facility whose audit expires soon, with who and what carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expiring {
    /// Metal.
    pub metal: String,
    /// RMI ID.
    pub cid: String,
    /// Name.
    pub name: String,
    /// Status as of the date.
    pub status: String,
    /// Last audit.
    pub last_audit: Option<NaiveDate>,
    /// Re-audit due.
    pub reaudit_due: NaiveDate,
    /// Suppliers naming it: (ERP ID, name).
    pub suppliers: Vec<(String, String)>,
    /// Products those suppliers' templates cover: (ERP ID, product number, product name).
    pub products: Vec<(String, String, String)>,
}

/// Facilities named by current submissions whose re-audit falls due after `as_of` and within
/// `months` months.
pub fn expiring(
    subs: &[CurrentSubmission],
    history: &StatusHistory,
    as_of: NaiveDate,
    months: u32,
) -> Vec<Expiring> {
    let until = as_of
        .checked_add_months(Months::new(months))
        .unwrap_or(as_of);
    let mut by: BTreeMap<(String, String), Expiring> = BTreeMap::new();
    for s in subs {
        let Some(r) = &s.report else { continue };
        for row in &r.smelters {
            let Some(res) = &row.resolution else { continue };
            let Some(cid) = &res.canonical_cid else {
                continue;
            };
            let metal = row.metal.clone().unwrap_or_default();
            let Some(at) = history.status_as_of_for_metal(&metal, cid, as_of) else {
                continue;
            };
            let Some(due) = at.entry.reaudit_due else {
                continue;
            };
            if due <= as_of || due > until {
                continue;
            }
            let e = by
                .entry((metal.to_lowercase(), cid.clone()))
                .or_insert_with(|| Expiring {
                    metal: metal.clone(),
                    cid: cid.clone(),
                    name: res
                        .canonical_name
                        .clone()
                        .or_else(|| at.entry.standard_name.clone())
                        .unwrap_or_default(),
                    status: at.entry.status_text.clone(),
                    last_audit: at.entry.last_audit,
                    reaudit_due: due,
                    suppliers: Vec::new(),
                    products: Vec::new(),
                });
            let who = (s.erp_id.clone(), s.supplier_name.clone());
            if !e.suppliers.contains(&who) {
                e.suppliers.push(who);
                for p in &r.products {
                    e.products.push((
                        s.erp_id.clone(),
                        p.number.clone().unwrap_or_default(),
                        p.name.clone().unwrap_or_default(),
                    ));
                }
            }
        }
    }
    let mut out: Vec<Expiring> = by.into_values().collect();
    out.sort_by(|a, b| {
        a.reaudit_due
            .cmp(&b.reaudit_due)
            .then_with(|| a.cid.cmp(&b.cid))
    });
    out
}

/// One supplier to ask for a user-defined template, and the scope to ask for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FollowUpRequest {
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub supplier_name: String,
    /// The "Description of scope" to ask for (user-defined scope C).
    pub scope_description: String,
}

/// The request list for exactly the suppliers that carry expiring facilities.
pub fn follow_up_requests(expiring: &[Expiring]) -> Vec<FollowUpRequest> {
    let mut by: BTreeMap<String, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
    for e in expiring {
        for (erp, name) in &e.suppliers {
            let entry = by
                .entry(erp.clone())
                .or_insert_with(|| (name.clone(), Vec::new(), Vec::new()));
            entry.1.push(format!(
                "{} {} {} (re-audit due {})",
                e.metal, e.cid, e.name, e.reaudit_due
            ));
            for (p_erp, number, pname) in &e.products {
                let p = format!("{number} {pname}").trim().to_string();
                if p_erp == erp && !p.is_empty() && !entry.2.contains(&p) {
                    entry.2.push(p);
                }
            }
        }
    }
    by.into_iter()
        .map(
            |(erp_id, (supplier_name, facilities, products))| FollowUpRequest {
                erp_id,
                supplier_name,
                scope_description: format!(
                    "C. User defined: the materials sourced through {}{}",
                    facilities.join("; "),
                    if products.is_empty() {
                        String::new()
                    } else {
                        format!(", for products {}", products.join(", "))
                    }
                ),
            },
        )
        .collect()
}

/// Creates a campaign asking exactly these suppliers (no spend ranking), with the families of
/// the campaign it follows up.
pub async fn create_follow_up_campaign(
    store: &oretrail_store::Store,
    from: &oretrail_store::campaigns::Campaign,
    name: &str,
    deadline: Option<NaiveDate>,
    requests: &[FollowUpRequest],
) -> Result<(oretrail_store::campaigns::Campaign, usize)> {
    create_follow_up_campaign_for(store, from, name, deadline, None, requests).await
}

/// [`create_follow_up_campaign`] asking for one template family (any version) instead of the
/// followed-up campaign's families, when `family` is given.
pub async fn create_follow_up_campaign_for(
    store: &oretrail_store::Store,
    from: &oretrail_store::campaigns::Campaign,
    name: &str,
    deadline: Option<NaiveDate>,
    family: Option<oretrail_template::Family>,
    requests: &[FollowUpRequest],
) -> Result<(oretrail_store::campaigns::Campaign, usize)> {
    if name.trim().is_empty() {
        return Err(crate::ReportError::Invalid(
            "the follow-up campaign needs a name".into(),
        ));
    }
    if requests.is_empty() {
        return Err(crate::ReportError::Invalid(
            "no supplier carries a facility whose audit expires in that window".into(),
        ));
    }
    let spec = oretrail_store::campaigns::CampaignSpec {
        name: name.trim().to_string(),
        period: from.spec.period.clone(),
        deadline,
        families: match family {
            Some(f) => [(f, None)].into_iter().collect(),
            None => from.spec.families.clone(),
        },
        scope: oretrail_store::campaigns::ScopeRule {
            spend_share: 0.0,
            commodities: Vec::new(),
            tiers: Vec::new(),
            include: requests.iter().map(|r| r.erp_id.clone()).collect(),
        },
    };
    Ok(oretrail_store::campaigns::create_campaign(store, &spec).await?)
}
