//! What changed between two snapshots, and why: inputs (supplier files, status lists, profile,
//! policies), coverage, facilities named or no longer named, status changes and countries.

use crate::snapshot::{Facility, Snapshot};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Which snapshot a side of a comparison is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Side {
    /// Campaign.
    pub campaign: String,
    /// Period.
    pub period: String,
    /// As of.
    pub as_of: NaiveDate,
}

/// One change, with its reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// What changed.
    pub what: String,
    /// Before.
    pub from: String,
    /// After.
    pub to: String,
    /// Why, from the pinned inputs.
    pub why: String,
}

/// A facility named on one side only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityDelta {
    /// Metal.
    pub metal: String,
    /// ID or "(unresolved)".
    pub cid: String,
    /// Name.
    pub name: String,
    /// Why.
    pub why: String,
}

/// The differences between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Earlier snapshot.
    pub from: Side,
    /// Later snapshot.
    pub to: Side,
    /// Input changes (files, status lists, profile, policies).
    pub inputs: Vec<Change>,
    /// Coverage and response changes.
    pub coverage: Vec<Change>,
    /// Facilities newly named.
    pub facilities_added: Vec<FacilityDelta>,
    /// Facilities no longer named.
    pub facilities_removed: Vec<FacilityDelta>,
    /// Status changes of facilities named on both sides.
    pub status_changes: Vec<Change>,
    /// Countries of origin newly present.
    pub countries_added: Vec<String>,
    /// Countries no longer present.
    pub countries_removed: Vec<String>,
}

impl Comparison {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
            && self.coverage.is_empty()
            && self.facilities_added.is_empty()
            && self.facilities_removed.is_empty()
            && self.status_changes.is_empty()
            && self.countries_added.is_empty()
            && self.countries_removed.is_empty()
    }
}

fn side(s: &Snapshot) -> Side {
    Side {
        campaign: s.campaign.name.clone(),
        period: s.campaign.period.clone(),
        as_of: s.as_of,
    }
}

fn key(f: &Facility) -> (String, String) {
    (
        f.metal.to_lowercase(),
        f.cid
            .clone()
            .unwrap_or_else(|| format!("name:{}", f.name.to_lowercase())),
    )
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn opt(v: Option<&str>) -> String {
    v.unwrap_or("none").to_string()
}

/// Compares an earlier snapshot with a later one.
pub fn compare(a: &Snapshot, b: &Snapshot) -> Comparison {
    let mut inputs = Vec::new();
    // Supplier files, by supplier.
    let files = |s: &Snapshot| -> BTreeMap<String, (String, String)> {
        s.pins
            .inputs
            .iter()
            .map(|i| (i.supplier.clone(), (i.sha256.clone(), i.file.clone())))
            .collect()
    };
    let (fa, fb) = (files(a), files(b));
    for (supplier, (sha, file)) in &fb {
        match fa.get(supplier) {
            None => inputs.push(Change {
                what: format!("file of supplier {supplier}"),
                from: "none".into(),
                to: format!("{file} ({})", &sha[..12.min(sha.len())]),
                why: "a template was received from this supplier".into(),
            }),
            Some((old, old_file)) if old != sha => inputs.push(Change {
                what: format!("file of supplier {supplier}"),
                from: format!("{old_file} ({})", &old[..12.min(old.len())]),
                to: format!("{file} ({})", &sha[..12.min(sha.len())]),
                why: "the supplier sent a new template".into(),
            }),
            _ => {}
        }
    }
    for (supplier, (sha, file)) in &fa {
        if !fb.contains_key(supplier) {
            inputs.push(Change {
                what: format!("file of supplier {supplier}"),
                from: format!("{file} ({})", &sha[..12.min(sha.len())]),
                to: "none".into(),
                why: "no current template from this supplier".into(),
            });
        }
    }
    let lists = |s: &Snapshot| -> Vec<String> {
        s.pins
            .status_lists
            .iter()
            .map(|l| format!("{} {}", l.as_of, l.source))
            .collect()
    };
    let (la, lb) = (lists(a), lists(b));
    if la.last() != lb.last() {
        inputs.push(Change {
            what: "newest status list".into(),
            from: la.last().cloned().unwrap_or_else(|| "none".into()),
            to: lb.last().cloned().unwrap_or_else(|| "none".into()),
            why: "statuses are taken from the newest list dated on or before the as-of date".into(),
        });
    }
    if a.pins.profile_sha256 != b.pins.profile_sha256 {
        inputs.push(Change {
            what: "company profile".into(),
            from: a.pins.profile_sha256.chars().take(12).collect(),
            to: b.pins.profile_sha256.chars().take(12).collect(),
            why: "company.toml was edited".into(),
        });
    }
    if a.pins.policy_version != b.pins.policy_version {
        inputs.push(Change {
            what: "sourcing policy version".into(),
            from: opt(a.pins.policy_version.as_deref()),
            to: opt(b.pins.policy_version.as_deref()),
            why: "company.toml [policy] version".into(),
        });
    }
    if a.pins.risk_policy != b.pins.risk_policy {
        inputs.push(Change {
            what: "risk policy".into(),
            from: opt(a.pins.risk_policy.as_deref()),
            to: opt(b.pins.risk_policy.as_deref()),
            why: "another risk policy was activated".into(),
        });
    }

    let mut coverage = Vec::new();
    let mut cov = |what: &str, x: f64, y: f64, why: String| {
        if (x - y).abs() > 0.0005 {
            coverage.push(Change {
                what: what.to_string(),
                from: pct(x),
                to: pct(y),
                why,
            });
        }
    };
    cov(
        "coverage of in-scope spend",
        a.coverage.overall.coverage,
        b.coverage.overall.coverage,
        format!(
            "{} of {} suppliers accepted, was {} of {}",
            b.coverage.overall.accepted,
            b.coverage.overall.suppliers,
            a.coverage.overall.accepted,
            a.coverage.overall.suppliers
        ),
    );
    cov(
        "response rate",
        a.coverage.response_rate,
        b.coverage.response_rate,
        format!(
            "{} requests, was {}",
            b.coverage.requests, a.coverage.requests
        ),
    );
    for m in &b.coverage.per_mineral {
        let before = a
            .coverage
            .per_mineral
            .iter()
            .find(|x| x.mineral == m.mineral)
            .map(|x| x.coverage)
            .unwrap_or(0.0);
        cov(
            &format!("coverage of {} spend", m.mineral),
            before,
            m.coverage,
            format!("{} of {} suppliers accepted", m.accepted, m.suppliers),
        );
    }

    let ia: BTreeMap<(String, String), &Facility> =
        a.facilities.iter().map(|f| (key(f), f)).collect();
    let ib: BTreeMap<(String, String), &Facility> =
        b.facilities.iter().map(|f| (key(f), f)).collect();
    let delta = |f: &Facility, why: String| FacilityDelta {
        metal: f.metal.clone(),
        cid: f.cid.clone().unwrap_or_else(|| "(unresolved)".into()),
        name: f.name.clone(),
        why,
    };
    let facilities_added = ib
        .iter()
        .filter(|(k, _)| !ia.contains_key(*k))
        .map(|(_, f)| delta(f, format!("named by {}", f.suppliers.join(", "))))
        .collect();
    let facilities_removed = ia
        .iter()
        .filter(|(k, _)| !ib.contains_key(*k))
        .map(|(_, f)| {
            let gone: Vec<&str> = f
                .suppliers
                .iter()
                .filter(|s| !fb.contains_key(*s))
                .map(String::as_str)
                .collect();
            let why = if gone.is_empty() {
                format!(
                    "no longer named by {} in their current templates",
                    f.suppliers.join(", ")
                )
            } else {
                format!("no current template from {}", gone.join(", "))
            };
            delta(f, why)
        })
        .collect();
    let mut status_changes = Vec::new();
    for (k, fb_) in &ib {
        let Some(fa_) = ia.get(k) else { continue };
        if fa_.status != fb_.status {
            status_changes.push(Change {
                what: format!(
                    "{} {} {}",
                    fb_.metal,
                    fb_.cid.as_deref().unwrap_or(""),
                    fb_.name
                ),
                from: opt(fa_.status.as_deref()),
                to: opt(fb_.status.as_deref()),
                why: match (fa_.status_as_of, fb_.status_as_of) {
                    (_, Some(d)) => format!("status list of {d}"),
                    (Some(d), None) => format!(
                        "no list on or before {} names it (was the list of {d})",
                        b.as_of
                    ),
                    (None, None) => "no status list names it".into(),
                },
            });
        }
    }
    let countries = |s: &Snapshot| -> BTreeSet<String> {
        s.facilities
            .iter()
            .filter_map(|f| f.country.clone())
            .collect()
    };
    let (ca, cb) = (countries(a), countries(b));
    Comparison {
        from: side(a),
        to: side(b),
        inputs,
        coverage,
        facilities_added,
        facilities_removed,
        status_changes,
        countries_added: cb.difference(&ca).cloned().collect(),
        countries_removed: ca.difference(&cb).cloned().collect(),
    }
}
