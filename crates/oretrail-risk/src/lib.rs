//! Due diligence proper (OECD steps 2 to 5): red flags and risk scores, the risk register with
//! its escalation ladder, refiner outreach, RBA audits, supplier acknowledgements, training,
//! grievances, and the daily digest.
//!
//! Domain logic is plain functions over plain values: [`policy`] (the versioned rule file),
//! [`facts`] (what the rules read), [`rules`] (one function per red flag), [`score`], [`assess`]
//! (facility, supplier and campaign scores with their reasons), [`ladder`] (escalation steps and
//! sign-offs), [`register`] (which flags open or join which cases), [`digest`] (due and overdue
//! actions, new high risks, status changes) and [`mail`] (SMTP).
//!
//! All SQL lives in [`db`], on the store's pool, in tables of this crate's own migrations.
//! Every change returns a [`Change`] for the caller's audit log; evidence files are kept as the
//! store's originals (content-addressed, durable, never modified).

#![warn(missing_docs)]

pub mod assess;
pub mod db;
pub mod digest;
pub mod error;
pub mod facts;
pub mod ladder;
pub mod mail;
pub mod policy;
pub mod register;
pub mod rules;
pub mod score;

pub use assess::{Assessment, assess};
pub use db::Risk;
pub use error::{Result, RiskError};
pub use policy::{LoadedPolicy, Policy};
pub use score::{FacilityKey, Flag, Level, Score};

use serde::Serialize;

/// A change to record in the audit log: what was done, to what, with which details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[must_use = "record the change in the audit log"]
pub struct Change {
    /// Action ("risk.case.step", "grievance.create").
    pub action: String,
    /// What it was done to ("case 12").
    pub target: String,
    /// Details for people.
    pub detail: Option<String>,
}

impl Change {
    /// A change.
    pub fn new(action: &str, target: impl Into<String>, detail: impl Into<String>) -> Change {
        let detail = detail.into();
        Change {
            action: action.to_string(),
            target: target.into(),
            detail: (!detail.is_empty()).then_some(detail),
        }
    }
}
