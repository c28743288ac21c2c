//! The risk register (OECD step 3): cases about a facility or a supplier, with their flags,
//! history, ladder stage and milestones — and [`plan`], which decides what an assessment does to
//! the register: open a case for a newly flagged subject, let new flags join the subject's open
//! case, refresh flags raised again, and mark cleared the flags no longer raised.

use crate::assess::Assessment;
use crate::db::evidence::Evidence;
use crate::ladder::Stage;
use crate::policy::Policy;
use crate::score::{FacilityKey, Flag, Level, Score};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What a case is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// A smelter or refiner.
    Facility,
    /// A supplier.
    Supplier,
}

impl SubjectKind {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            SubjectKind::Facility => "facility",
            SubjectKind::Supplier => "supplier",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<SubjectKind> {
        match code.trim() {
            "facility" => Some(SubjectKind::Facility),
            "supplier" => Some(SubjectKind::Supplier),
            _ => None,
        }
    }
}

/// A flagged subject of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Subject {
    /// Register key ("facility:tin:CID000123", "supplier:V1001").
    pub key: String,
    /// Kind.
    pub kind: SubjectKind,
    /// Supplier ID (suppliers).
    pub supplier_id: Option<i64>,
    /// Facility (facilities).
    pub facility: Option<FacilityKey>,
    /// Title of a case about it.
    pub title: String,
    /// Its score on the date.
    pub score: Score,
}

/// The register key of a supplier.
pub fn supplier_key(erp_id: &str) -> String {
    format!("supplier:{}", erp_id.trim())
}

/// The subjects of an assessment (every facility and supplier, flagged or not).
pub fn subjects(a: &Assessment) -> Vec<Subject> {
    let facilities = a.facilities.iter().map(|f| Subject {
        key: f.key.subject_key(),
        kind: SubjectKind::Facility,
        supplier_id: None,
        facility: Some(f.key.clone()),
        title: format!(
            "{} {} ({}{})",
            f.key.cid,
            f.name,
            f.metal,
            f.country
                .as_deref()
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        ),
        score: f.score.clone(),
    });
    let suppliers = a.suppliers.iter().map(|s| Subject {
        key: supplier_key(&s.erp_id),
        kind: SubjectKind::Supplier,
        supplier_id: Some(s.supplier_id),
        facility: None,
        title: format!("{} {}", s.erp_id, s.name),
        score: s.score.clone(),
    });
    facilities.chain(suppliers).collect()
}

/// An open case as [`plan`] sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenCase {
    /// Case ID.
    pub id: i64,
    /// Subject key.
    pub subject_key: String,
    /// Rule → whether its flag is cleared.
    pub flags: BTreeMap<String, bool>,
}

/// What an assessment does to the register.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// A new case.
    Open {
        /// Its subject.
        subject: Subject,
        /// Owner.
        owner: String,
        /// First due date.
        due: NaiveDate,
    },
    /// Changes to an open case.
    Update {
        /// Case ID.
        case_id: i64,
        /// The subject's score now.
        subject: Subject,
        /// Flags new to the case (or raised again after clearing).
        joined: Vec<Flag>,
        /// Flags raised again.
        refreshed: Vec<Flag>,
        /// Rules whose flags are no longer raised.
        cleared: Vec<String>,
    },
}

/// Decides what an assessment does to the register.
pub fn plan(
    policy: &Policy,
    subjects: &[Subject],
    open: &[OpenCase],
    as_of: NaiveDate,
) -> Vec<Action> {
    let open: HashMap<&str, &OpenCase> = open.iter().map(|c| (c.subject_key.as_str(), c)).collect();
    let mut actions = Vec::new();
    for s in subjects {
        match open.get(s.key.as_str()) {
            Some(case) => {
                let mut joined = Vec::new();
                let mut refreshed = Vec::new();
                for f in &s.score.flags {
                    match case.flags.get(&f.rule) {
                        Some(false) => refreshed.push(f.clone()),
                        _ => joined.push(f.clone()),
                    }
                }
                let cleared: Vec<String> = case
                    .flags
                    .iter()
                    .filter(|(rule, cleared)| !**cleared && !s.score.has(rule))
                    .map(|(rule, _)| rule.clone())
                    .collect();
                if !(joined.is_empty() && refreshed.is_empty() && cleared.is_empty()) {
                    actions.push(Action::Update {
                        case_id: case.id,
                        subject: s.clone(),
                        joined,
                        refreshed,
                        cleared,
                    });
                }
            }
            None if !s.score.flags.is_empty() && s.score.level >= policy.cases.open_from => {
                actions.push(Action::Open {
                    subject: s.clone(),
                    owner: policy.cases.default_owner.clone(),
                    due: as_of + Duration::days(policy.cases.due_days.get(s.score.level)),
                });
            }
            None => {}
        }
    }
    actions
}

/// A case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// ID.
    pub id: i64,
    /// Subject kind.
    pub subject_kind: SubjectKind,
    /// Subject key.
    pub subject_key: String,
    /// Supplier ID (supplier cases).
    pub supplier_id: Option<i64>,
    /// Facility (facility cases).
    pub facility: Option<FacilityKey>,
    /// Title.
    pub title: String,
    /// Owner.
    pub owner: String,
    /// Next due date.
    pub due_date: Option<NaiveDate>,
    /// "open" or "closed".
    pub status: String,
    /// Ladder stage in effect.
    pub stage: Option<Stage>,
    /// Level when last assessed.
    pub level: Level,
    /// Score when last assessed.
    pub score: f64,
    /// Campaign it was opened from.
    pub campaign_id: Option<i64>,
    /// Day opened.
    pub opened_on: NaiveDate,
    /// Who opened it.
    pub opened_by: String,
    /// Day closed.
    pub closed_on: Option<NaiveDate>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// Why.
    pub close_reason: Option<String>,
    /// The subject's case before this one.
    pub previous_case_id: Option<i64>,
    /// Steps or closing waiting for a sign-off.
    pub pending_sign_offs: i64,
}

impl Case {
    /// Whether the case is past its due date on a day.
    pub fn overdue_on(&self, day: NaiveDate) -> bool {
        self.status == "open" && self.due_date.is_some_and(|d| d < day)
    }
}

/// A flag a case carries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseFlag {
    /// Rule id.
    pub rule: String,
    /// Weight.
    pub weight: f64,
    /// Reason.
    pub reason: String,
    /// Facts that raised it (last time).
    pub detail: String,
    /// Assessment date it was first raised.
    pub first_raised: NaiveDate,
    /// Assessment date it was last raised.
    pub last_raised: NaiveDate,
    /// Assessment date it was no longer raised.
    pub cleared_on: Option<NaiveDate>,
}

/// A sign-off decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// "approved" or "rejected".
    pub decision: String,
    /// Who decided.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// Note.
    pub note: Option<String>,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseEvent {
    /// ID.
    pub id: i64,
    /// Case ID.
    pub case_id: i64,
    /// "opened", "flags_joined", "flags_cleared", "step", "note", "assigned", "due_changed",
    /// "close", "reopened", "milestone_added", "milestone_done", "sign_off".
    pub kind: String,
    /// Day it happened.
    pub on_date: NaiveDate,
    /// When recorded (RFC 3339).
    pub recorded_at: String,
    /// Who recorded it.
    pub actor: String,
    /// Ladder stage (steps).
    pub stage: Option<Stage>,
    /// Text.
    pub text: Option<String>,
    /// Whether it needs a sign-off.
    pub needs_sign_off: bool,
    /// The sign-off decision, once made.
    pub decision: Option<Decision>,
    /// Evidence attached.
    pub evidence: Vec<Evidence>,
}

impl CaseEvent {
    /// Whether it waits for a sign-off.
    pub fn pending(&self) -> bool {
        self.needs_sign_off && self.decision.is_none()
    }
}

/// A milestone of an improvement plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Milestone {
    /// ID.
    pub id: i64,
    /// Case ID.
    pub case_id: i64,
    /// The step that agreed it.
    pub event_id: Option<i64>,
    /// What is to be done.
    pub title: String,
    /// By when.
    pub due_date: NaiveDate,
    /// Day done.
    pub done_on: Option<NaiveDate>,
    /// Who recorded it done.
    pub done_by: Option<String>,
    /// Note.
    pub note: Option<String>,
    /// Evidence attached.
    pub evidence: Vec<Evidence>,
}

/// A case with its flags, history and milestones.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseDetail {
    /// The case.
    pub case: Case,
    /// Flags.
    pub flags: Vec<CaseFlag>,
    /// History, oldest first.
    pub events: Vec<CaseEvent>,
    /// Milestones, by due date.
    pub milestones: Vec<Milestone>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::LoadedPolicy;
    use crate::policy::Thresholds;

    fn flag(rule: &str, weight: f64) -> Flag {
        Flag {
            rule: rule.into(),
            weight,
            reason: "r".into(),
            detail: "d".into(),
        }
    }

    fn subject(key: &str, flags: Vec<Flag>) -> Subject {
        Subject {
            key: key.into(),
            kind: SubjectKind::Supplier,
            supplier_id: Some(1),
            facility: None,
            title: key.into(),
            score: Score::of(
                flags,
                &Thresholds {
                    medium: 25.0,
                    high: 50.0,
                },
            ),
        }
    }

    #[test]
    fn flags_open_join_refresh_and_clear_cases() {
        let p = LoadedPolicy::default_policy().policy;
        let day = NaiveDate::from_ymd_opt(2025, 12, 1).expect("date");
        let subjects = vec![
            subject("supplier:NEW", vec![flag("a", 60.0)]),
            subject("supplier:OPEN", vec![flag("a", 10.0), flag("b", 10.0)]),
            subject("supplier:CLEAN", vec![]),
            subject("supplier:GONE", vec![]),
        ];
        let open = vec![
            OpenCase {
                id: 1,
                subject_key: "supplier:OPEN".into(),
                flags: BTreeMap::from([("a".into(), false), ("c".into(), false)]),
            },
            OpenCase {
                id: 2,
                subject_key: "supplier:GONE".into(),
                flags: BTreeMap::from([("a".into(), true)]),
            },
        ];
        let actions = plan(&p, &subjects, &open, day);
        assert_eq!(actions.len(), 2, "{actions:?}");
        match &actions[0] {
            Action::Open {
                subject,
                due,
                owner,
            } => {
                assert_eq!(subject.key, "supplier:NEW");
                assert_eq!(*due, day + Duration::days(30), "high: 30 days");
                assert_eq!(owner, "responsible-minerals team");
            }
            other => panic!("{other:?}"),
        }
        match &actions[1] {
            Action::Update {
                case_id,
                joined,
                refreshed,
                cleared,
                ..
            } => {
                assert_eq!(*case_id, 1);
                assert_eq!(joined[0].rule, "b");
                assert_eq!(refreshed[0].rule, "a");
                assert_eq!(cleared, &["c"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn subjects_below_the_policys_level_open_no_case() {
        let mut p = LoadedPolicy::default_policy().policy;
        p.cases.open_from = Level::Medium;
        let day = NaiveDate::from_ymd_opt(2025, 12, 1).expect("date");
        let low = subject("supplier:LOW", vec![flag("a", 10.0)]);
        assert!(plan(&p, std::slice::from_ref(&low), &[], day).is_empty());
        // An open case still takes the flags in.
        let open = OpenCase {
            id: 3,
            subject_key: "supplier:LOW".into(),
            flags: BTreeMap::new(),
        };
        assert_eq!(plan(&p, &[low], &[open], day).len(), 1);
    }
}
