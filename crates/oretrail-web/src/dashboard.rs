//! The dashboard's figures for one campaign: coverage of spend against the goal, the response
//! funnel, facilities by status and metal, facility countries with high-risk ones marked, and
//! open risks and overdue actions — computed from the store, then drawn as SVG.

use crate::charts::{self, Bar, Column};
use crate::error::{Result, WebError};
use crate::state::AppState;
use oretrail_store::campaigns::{RequestStatus, list_campaigns};
use oretrail_store::coverage::{CampaignStatus, campaign_status};
use oretrail_store::rollup::Rollup;
use serde::Serialize;
use std::collections::BTreeMap;

/// Everything the dashboard shows.
#[derive(Debug, Clone, Serialize)]
pub struct Dashboard {
    /// Campaign ID.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign: String,
    /// Deadline.
    pub deadline: Option<String>,
    /// Coverage and request figures.
    pub status: CampaignStatus,
    /// Funnel stages: (label, count).
    pub funnel: Vec<(String, f64)>,
    /// Facilities (resolved) per metal per status.
    pub facilities: BTreeMap<String, BTreeMap<String, usize>>,
    /// Facilities per country: (country, ISO, count, high-risk).
    pub countries: Vec<(String, String, usize, bool)>,
    /// Open risks, one line each.
    pub risks: Vec<Risk>,
    /// Unanswered requests past the deadline.
    pub overdue: i64,
    /// Names waiting in the smelter review queue.
    pub review_names: i64,
    /// Resolved facilities.
    pub facility_count: usize,
    /// Unresolved names.
    pub unresolved_names: usize,
    /// SVG charts.
    #[serde(skip)]
    pub charts: Charts,
}

/// The dashboard's charts (SVG markup, labels escaped).
#[derive(Debug, Clone, Default)]
pub struct Charts {
    /// Coverage per mineral and overall against the goal.
    pub coverage: String,
    /// Response funnel.
    pub funnel: String,
    /// Facilities by metal and status.
    pub facilities: String,
    /// Facility countries.
    pub countries: String,
}

/// An open risk.
#[derive(Debug, Clone, Serialize)]
pub struct Risk {
    /// "high" or "medium".
    pub level: &'static str,
    /// What.
    pub text: String,
    /// Where to act.
    pub href: String,
}

/// Status buckets of the facility chart, in stacking order.
pub const STATUS_BUCKETS: &[(&str, &str, &str)] = &[
    ("conformant", "Conformant", charts::GREEN),
    ("active", "Active", charts::BLUE),
    ("non_conformant", "Non-conformant", charts::RED),
    ("other", "Other / outreach", charts::AMBER),
    ("unknown", "No status", charts::GREY),
];

/// The bucket of a roll-up status.
pub fn bucket(status: Option<&str>) -> &'static str {
    match status {
        Some("conformant") => "conformant",
        Some("active") => "active",
        Some("non_conformant") => "non_conformant",
        Some(_) => "other",
        None => "unknown",
    }
}

/// Computes the dashboard of a campaign.
pub async fn compute(state: &AppState, campaign_id: i64) -> Result<Dashboard> {
    let campaign = list_campaigns(&state.store)
        .await?
        .into_iter()
        .find(|c| c.id == campaign_id)
        .ok_or_else(|| WebError::NotFound(format!("campaign {campaign_id}")))?;
    let status = campaign_status(&state.store, &campaign).await?;
    let rollup = state.rollup(campaign_id).await?;
    let review_names = state.review_queue().await?.len() as i64;
    let today = crate::db::today();
    let overdue = match campaign.spec.deadline {
        Some(d) if d < today => crate::db::lists::unanswered(state, campaign_id).await?,
        _ => 0,
    };
    let mut d = figures(
        campaign_id,
        &campaign.spec.name,
        status,
        &rollup,
        overdue,
        review_names,
    );
    d.deadline = campaign.spec.deadline.map(|x| x.to_string());
    d.charts = draw(&d);
    Ok(d)
}

/// The figures from the campaign status and roll-up (pure).
pub fn figures(
    campaign_id: i64,
    name: &str,
    status: CampaignStatus,
    rollup: &Rollup,
    overdue: i64,
    review_names: i64,
) -> Dashboard {
    let count = |s: RequestStatus| status.by_status.get(&s).copied().unwrap_or(0) as f64;
    let active = (status.requests - status.waived) as f64;
    let responded = (status.response_rate * active).round();
    let funnel = vec![
        ("In scope".to_string(), active),
        (
            "Requested".to_string(),
            active - count(RequestStatus::ToSend),
        ),
        ("Responded".to_string(), responded),
        ("Accepted".to_string(), status.overall.accepted as f64),
    ];
    let mut facilities: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut countries: BTreeMap<String, (String, usize, bool)> = BTreeMap::new();
    let mut risks = Vec::new();
    let mut facility_count = 0;
    let mut unresolved_names = 0;
    for line in &rollup.lines {
        if !line.resolved {
            unresolved_names += 1;
            continue;
        }
        facility_count += 1;
        *facilities
            .entry(line.metal.clone())
            .or_default()
            .entry(bucket(line.status.as_deref()).to_string())
            .or_default() += 1;
        let high = !line.risk_lists.is_empty();
        let country = line.country.clone().unwrap_or_else(|| "(unknown)".into());
        let e = countries
            .entry(country)
            .or_insert_with(|| (line.country_iso.clone().unwrap_or_default(), 0, high));
        e.1 += 1;
        e.2 |= high;
        let conformant = line.status.as_deref() == Some("conformant");
        if high && !conformant {
            risks.push(Risk {
                level: "high",
                text: format!(
                    "{} ({}) in {} is not conformant; named by {} supplier(s)",
                    line.name,
                    line.metal,
                    line.country.as_deref().unwrap_or("?"),
                    line.supplier_count
                ),
                href: format!("/facilities/{}", line.cid.as_deref().unwrap_or("")),
            });
        } else if line.status.as_deref() == Some("non_conformant") {
            risks.push(Risk {
                level: "medium",
                text: format!(
                    "{} ({}) is non-conformant; named by {} supplier(s)",
                    line.name, line.metal, line.supplier_count
                ),
                href: format!("/facilities/{}", line.cid.as_deref().unwrap_or("")),
            });
        }
    }
    if overdue > 0 {
        risks.insert(
            0,
            Risk {
                level: "high",
                text: format!("{overdue} request(s) unanswered past the deadline"),
                href: format!("/campaigns/{campaign_id}?status=sent"),
            },
        );
    }
    if review_names > 0 {
        risks.push(Risk {
            level: "medium",
            text: format!("{review_names} smelter name(s) wait for a decision in the review queue"),
            href: "/review".into(),
        });
    }
    if status.needs_review > 0 {
        risks.push(Risk {
            level: "medium",
            text: format!(
                "{} submission(s) wait for a supplier confirmation",
                status.needs_review
            ),
            href: "/review#suppliers".into(),
        });
    }
    let mut countries: Vec<(String, String, usize, bool)> = countries
        .into_iter()
        .map(|(c, (iso, n, high))| (c, iso, n, high))
        .collect();
    countries.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    Dashboard {
        campaign_id,
        campaign: name.to_string(),
        deadline: None,
        status,
        funnel,
        facilities,
        countries,
        risks,
        overdue,
        review_names,
        facility_count,
        unresolved_names,
        charts: Charts::default(),
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Draws the charts of the figures.
pub fn draw(d: &Dashboard) -> Charts {
    let goal = d.status.goal;
    let color = |c: f64| {
        if c + 1e-9 >= goal {
            charts::GREEN
        } else if c >= goal * 0.7 {
            charts::AMBER
        } else {
            charts::RED
        }
    };
    let mut bars = vec![Bar {
        label: "All spend".into(),
        value: d.status.overall.coverage,
        color: color(d.status.overall.coverage),
        note: pct(d.status.overall.coverage),
    }];
    for m in &d.status.per_mineral {
        bars.push(Bar {
            label: m.mineral.clone(),
            value: m.coverage,
            color: color(m.coverage),
            note: pct(m.coverage),
        });
    }
    let columns: Vec<Column> = d
        .facilities
        .iter()
        .map(|(metal, by)| Column {
            label: metal.clone(),
            segments: STATUS_BUCKETS
                .iter()
                .map(|(k, name, c)| {
                    (
                        by.get(*k).copied().unwrap_or(0) as f64,
                        *c,
                        name.to_string(),
                    )
                })
                .collect(),
        })
        .collect();
    let legend: Vec<(&'static str, &str)> =
        STATUS_BUCKETS.iter().map(|(_, n, c)| (*c, *n)).collect();
    let country_bars: Vec<Bar> = d
        .countries
        .iter()
        .take(12)
        .map(|(c, _, n, high)| Bar {
            label: if *high { format!("⚠ {c}") } else { c.clone() },
            value: *n as f64,
            color: if *high { charts::RED } else { charts::BLUE },
            note: n.to_string(),
        })
        .collect();
    Charts {
        coverage: charts::share_bars("Coverage of in-scope spend", &bars, Some(goal)),
        funnel: charts::funnel("Response funnel", &d.funnel),
        facilities: charts::stacked_columns(
            "Facilities by metal and RMAP status",
            &columns,
            &legend,
        ),
        countries: charts::count_bars("Facilities by country", &country_bars),
    }
}
