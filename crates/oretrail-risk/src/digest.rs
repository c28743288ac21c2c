//! The daily digest: actions overdue and falling due (cases, milestones, corrective actions,
//! grievance deadlines, outreach follow-ups), steps waiting for a sign-off, new high risks
//! since the previous assessment, and status changes of declared facilities. Composed here from
//! plain values; gathered and stored by [`crate::db::digest`], e-mailed by [`crate::mail`].

use crate::assess::Assessment;
use crate::facts::{Listing, StatusIndex};
use crate::register;
use crate::score::{FacilityKey, Level};
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

/// Something to do by a date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueItem {
    /// "case", "milestone", "corrective_action", "grievance", "outreach".
    pub kind: String,
    /// ID of the record.
    pub id: i64,
    /// What.
    pub title: String,
    /// By when.
    pub due: NaiveDate,
    /// Who.
    pub owner: Option<String>,
    /// Path in the web application ("/risk/cases/12").
    pub path: String,
}

/// A subject that became high risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewHighRisk {
    /// Campaign.
    pub campaign: String,
    /// Subject ("V1001 Acme", "CID000123 Foo (Tin, RWANDA)").
    pub subject: String,
    /// Score.
    pub score: f64,
    /// Rules raised.
    pub rules: Vec<String>,
    /// Path in the web application.
    pub path: String,
}

/// A declared facility whose status changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatusChange {
    /// Facility.
    pub key: FacilityKey,
    /// Name.
    pub name: String,
    /// Status before.
    pub from: String,
    /// Status now.
    pub to: String,
    /// Whether the change is for the worse (lost conformance, dropped).
    pub worse: bool,
}

/// The digest of a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// Day.
    pub day: NaiveDate,
    /// Previous digest's time (RFC 3339), if any.
    pub since: Option<String>,
    /// Past their date.
    pub overdue: Vec<DueItem>,
    /// Due within the policy's horizon.
    pub due_soon: Vec<DueItem>,
    /// Steps and closings waiting for a sign-off.
    pub sign_offs: Vec<DueItem>,
    /// New high risks.
    pub new_high: Vec<NewHighRisk>,
    /// Status changes of declared facilities.
    pub status_changes: Vec<StatusChange>,
    /// Newest status list known (the next digest reports lists imported after it).
    #[serde(default)]
    pub last_list: Option<i64>,
}

impl Digest {
    /// Whether there is nothing to report.
    pub fn is_empty(&self) -> bool {
        self.overdue.is_empty()
            && self.due_soon.is_empty()
            && self.sign_offs.is_empty()
            && self.new_high.is_empty()
            && self.status_changes.is_empty()
    }

    /// E-mail subject.
    pub fn subject(&self, company: &str) -> String {
        format!(
            "{company} responsible minerals digest {}: {} overdue, {} due soon, {} new high risk(s), {} status change(s)",
            self.day,
            self.overdue.len(),
            self.due_soon.len(),
            self.new_high.len(),
            self.status_changes.len()
        )
    }

    /// Plain text; links start with `base_url` when given.
    pub fn text(&self, base_url: Option<&str>) -> String {
        let link = |path: &str| match base_url {
            Some(b) => format!(" {}{path}", b.trim_end_matches('/')),
            None => String::new(),
        };
        let mut out = String::new();
        let _ = writeln!(out, "Responsible minerals digest — {}", self.day);
        if self.is_empty() {
            let _ = writeln!(out, "\nNothing is due, no new high risk, no status change.");
            return out;
        }
        let due_list = |out: &mut String, title: &str, items: &[DueItem], late: bool| {
            if items.is_empty() {
                return;
            }
            let _ = writeln!(out, "\n{title} ({})", items.len());
            for i in items {
                let when = if late {
                    format!(
                        "was due {} ({} days late)",
                        i.due,
                        (self.day - i.due).num_days()
                    )
                } else {
                    format!("due {}", i.due)
                };
                let _ = writeln!(
                    out,
                    "  - [{} {}] {} — {when}{}{}",
                    i.kind.replace('_', " "),
                    i.id,
                    i.title,
                    i.owner
                        .as_deref()
                        .map(|o| format!(", owner {o}"))
                        .unwrap_or_default(),
                    link(&i.path)
                );
            }
        };
        due_list(&mut out, "Overdue", &self.overdue, true);
        due_list(&mut out, "Due soon", &self.due_soon, false);
        if !self.sign_offs.is_empty() {
            let _ = writeln!(
                out,
                "\nWaiting for a management sign-off ({})",
                self.sign_offs.len()
            );
            for i in &self.sign_offs {
                let _ = writeln!(
                    out,
                    "  - [step {}] {} — recorded {}{}",
                    i.id,
                    i.title,
                    i.due,
                    link(&i.path)
                );
            }
        }
        if !self.new_high.is_empty() {
            let _ = writeln!(out, "\nNew high risks ({})", self.new_high.len());
            for h in &self.new_high {
                let _ = writeln!(
                    out,
                    "  - {}: {} — score {}: {}{}",
                    h.campaign,
                    h.subject,
                    h.score,
                    h.rules.join(", "),
                    link(&h.path)
                );
            }
        }
        if !self.status_changes.is_empty() {
            let _ = writeln!(
                out,
                "\nStatus changes of declared facilities ({})",
                self.status_changes.len()
            );
            for c in &self.status_changes {
                let _ = writeln!(
                    out,
                    "  - {} {} ({}): {} → {}{}{}",
                    c.key.cid,
                    c.name,
                    c.key.metal,
                    c.from,
                    c.to,
                    if c.worse { "  ⚠" } else { "" },
                    link(&format!("/risk/outreach/{}/{}", c.key.metal, c.key.cid))
                );
            }
        }
        out
    }
}

/// Splits items into overdue and due within `within_days` of `today` (others dropped), each
/// by date.
pub fn classify(
    items: Vec<DueItem>,
    today: NaiveDate,
    within_days: i64,
) -> (Vec<DueItem>, Vec<DueItem>) {
    let horizon = today + Duration::days(within_days);
    let (mut overdue, mut soon): (Vec<DueItem>, Vec<DueItem>) = items
        .into_iter()
        .filter(|i| i.due <= horizon)
        .partition(|i| i.due < today);
    overdue.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then(a.kind.cmp(&b.kind))
            .then(a.id.cmp(&b.id))
    });
    soon.sort_by(|a, b| {
        a.due
            .cmp(&b.due)
            .then(a.kind.cmp(&b.kind))
            .then(a.id.cmp(&b.id))
    });
    (overdue, soon)
}

/// Subjects high in `latest` that were not high in `previous` (all high ones without one).
pub fn new_high_risks(latest: &Assessment, previous: Option<&Assessment>) -> Vec<NewHighRisk> {
    let before: HashSet<String> = previous
        .map(|p| {
            register::subjects(p)
                .into_iter()
                .filter(|s| s.score.level == Level::High)
                .map(|s| s.key)
                .collect()
        })
        .unwrap_or_default();
    register::subjects(latest)
        .into_iter()
        .filter(|s| s.score.level == Level::High && !before.contains(&s.key))
        .map(|s| NewHighRisk {
            campaign: latest.campaign_name.clone(),
            path: match &s.facility {
                Some(f) => format!("/risk/outreach/{}/{}", f.metal, f.cid),
                None => format!(
                    "/risk/campaigns/{}#{}",
                    latest.campaign_id,
                    s.key.trim_start_matches("supplier:")
                ),
            },
            subject: s.title,
            score: s.score.score,
            rules: s.score.flags.iter().map(|f| f.rule.clone()).collect(),
        })
        .collect()
}

fn state(l: &Listing) -> (String, u8) {
    match l {
        // Rank: conformant best, then active, then the rest.
        Listing::Listed(s) => (
            s.status_text.clone(),
            match s.status {
                oretrail_facilities::RmapStatus::Conformant => 3,
                oretrail_facilities::RmapStatus::Active => 2,
                _ => 1,
            },
        ),
        Listing::Dropped { .. } => ("no longer listed".into(), 0),
        Listing::NeverListed => ("not listed".into(), 0),
    }
}

/// Declared facilities whose listing differs between two views of the status lists.
pub fn status_changes(
    before: &StatusIndex<'_>,
    after: &StatusIndex<'_>,
    declared: &BTreeSet<FacilityKey>,
    names: &BTreeMap<FacilityKey, String>,
) -> Vec<StatusChange> {
    declared
        .iter()
        .filter_map(|key| {
            let (from, rank_from) = state(&before.listing(key));
            let (to, rank_to) = state(&after.listing(key));
            (from.to_lowercase() != to.to_lowercase() || rank_from != rank_to).then(|| {
                StatusChange {
                    key: key.clone(),
                    name: names.get(key).cloned().unwrap_or_else(|| key.cid.clone()),
                    from,
                    to,
                    worse: rank_to < rank_from,
                }
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_facilities::{RmapStatus, StatusEntry, StatusSnapshot};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn item(kind: &str, id: i64, due: NaiveDate) -> DueItem {
        DueItem {
            kind: kind.into(),
            id,
            title: format!("{kind} {id}"),
            due,
            owner: Some("ana".into()),
            path: format!("/risk/cases/{id}"),
        }
    }

    #[test]
    fn items_are_overdue_due_soon_or_left_out() {
        let today = d(2026, 5, 1);
        let (overdue, soon) = classify(
            vec![
                item("case", 1, d(2026, 4, 20)),
                item("milestone", 2, d(2026, 5, 1)),
                item("case", 3, d(2026, 5, 10)),
                item("case", 4, d(2026, 7, 1)),
            ],
            today,
            14,
        );
        assert_eq!(overdue.iter().map(|i| i.id).collect::<Vec<_>>(), [1]);
        assert_eq!(soon.iter().map(|i| i.id).collect::<Vec<_>>(), [2, 3]);
        let digest = Digest {
            day: today,
            since: None,
            overdue,
            due_soon: soon,
            sign_offs: vec![],
            new_high: vec![],
            status_changes: vec![],
            last_list: None,
        };
        let text = digest.text(Some("https://ot.example/"));
        assert!(text.contains("Overdue (1)"), "{text}");
        assert!(
            text.contains(
                "was due 2026-04-20 (11 days late), owner ana https://ot.example/risk/cases/1"
            ),
            "{text}"
        );
        assert!(text.contains("Due soon (2)"));
        assert!(digest.subject("Acme").contains("1 overdue, 2 due soon"));
    }

    #[test]
    fn status_changes_of_declared_facilities_only() {
        let entry = |cid: &str, status: RmapStatus| StatusEntry {
            metal: Some("Gold".into()),
            cid: cid.into(),
            standard_name: None,
            country: None,
            state_province: None,
            status,
            status_text: format!("{status:?}"),
            last_audit: None,
            last_audit_text: None,
            audit_cycle_years: None,
            reaudit_due: None,
            reaudit_in_progress: None,
            cross_recognition: None,
        };
        let old = StatusSnapshot {
            as_of: d(2026, 1, 1),
            source: "q1".into(),
            entries: vec![
                entry("CID1", RmapStatus::Conformant),
                entry("CID2", RmapStatus::Active),
                entry("CID3", RmapStatus::Conformant),
            ],
            skipped: vec![],
        };
        let new = StatusSnapshot {
            as_of: d(2026, 4, 1),
            source: "q2".into(),
            entries: vec![
                entry("CID1", RmapStatus::NonConformant),
                entry("CID2", RmapStatus::Conformant),
                entry("CID3", RmapStatus::NonConformant),
            ],
            skipped: vec![],
        };
        let before_lists = vec![old.clone()];
        let after_lists = vec![old, new];
        let before = StatusIndex::new(&before_lists, d(2026, 5, 1));
        let after = StatusIndex::new(&after_lists, d(2026, 5, 1));
        let declared: BTreeSet<FacilityKey> = ["CID1", "CID2"]
            .iter()
            .map(|c| FacilityKey::new("gold", c))
            .collect();
        let changes = status_changes(&before, &after, &declared, &BTreeMap::new());
        assert_eq!(changes.len(), 2, "CID3 is not declared");
        assert_eq!(
            (
                changes[0].from.as_str(),
                changes[0].to.as_str(),
                changes[0].worse
            ),
            ("Conformant", "NonConformant", true)
        );
        assert!(!changes[1].worse, "active → conformant is progress");
    }
}
