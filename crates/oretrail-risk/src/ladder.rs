//! The escalation ladder of OECD step 3: engage the supplier or refiner, agree an improvement plan
//! with milestones, suspend, disengage. Which moves are allowed and which need a management
//! sign-off are decided here, from the policy.

use crate::error::{Result, RiskError};
use crate::policy::Policy;
use crate::score::Level;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rung of the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Engage: ask questions, ask for evidence, continue trading.
    Engage,
    /// An agreed improvement plan with milestones; trade continues while it is kept.
    ImprovementPlan,
    /// Trade suspended while mitigation goes on.
    Suspend,
    /// Trade ended.
    Disengage,
}

impl Stage {
    /// Every stage, lowest first.
    pub const ALL: [Stage; 4] = [
        Stage::Engage,
        Stage::ImprovementPlan,
        Stage::Suspend,
        Stage::Disengage,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Stage::Engage => "engage",
            Stage::ImprovementPlan => "improvement_plan",
            Stage::Suspend => "suspend",
            Stage::Disengage => "disengage",
        }
    }

    /// Parses a code (also "improvement-plan", "plan").
    pub fn from_code(code: &str) -> Option<Stage> {
        let c = code.trim().to_ascii_lowercase().replace('-', "_");
        match c.as_str() {
            "plan" => Some(Stage::ImprovementPlan),
            _ => Stage::ALL.into_iter().find(|s| s.code() == c),
        }
    }

    /// Name for people.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Engage => "Engage",
            Stage::ImprovementPlan => "Agreed improvement plan",
            Stage::Suspend => "Suspend",
            Stage::Disengage => "Disengage",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How a step moves a case on the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Move {
    /// Up the ladder (or the first step).
    Escalate,
    /// Another step on the same rung (e.g. a revised plan).
    Continue,
    /// Down the ladder (mitigation worked); needs a reason.
    DeEscalate,
}

/// Decides the move from the current stage to `next`; going down needs a reason.
pub fn check_step(current: Option<Stage>, next: Stage, reason: &str) -> Result<Move> {
    let m = match current {
        None => Move::Escalate,
        Some(c) if next > c => Move::Escalate,
        Some(c) if next == c => Move::Continue,
        Some(_) => Move::DeEscalate,
    };
    if m == Move::DeEscalate && reason.trim().is_empty() {
        return Err(RiskError::Invalid(format!(
            "going back to '{}' needs a reason (what the mitigation achieved)",
            next.label()
        )));
    }
    Ok(m)
}

/// Whether a step to `stage` takes effect only after a management sign-off.
pub fn step_needs_sign_off(policy: &Policy, stage: Stage) -> bool {
    policy.ladder.sign_off.contains(&stage)
}

/// Whether closing a case of this level needs a management sign-off.
pub fn close_needs_sign_off(policy: &Policy, level: Level) -> bool {
    policy.cases.close_sign_off.contains(&level)
}

/// Checks that `signer` may sign off what `recorded_by` recorded.
pub fn check_signer(policy: &Policy, recorded_by: &str, signer: &str) -> Result<()> {
    if signer.trim().is_empty() {
        return Err(RiskError::Invalid(
            "a sign-off needs the signer's name".into(),
        ));
    }
    if policy.ladder.sign_off_by_other && signer.trim().eq_ignore_ascii_case(recorded_by.trim()) {
        return Err(RiskError::Invalid(format!(
            "the policy requires someone other than {recorded_by} to sign off"
        )));
    }
    Ok(())
}

/// Days a step to `stage` gives until the case's next due date.
pub fn step_due_days(policy: &Policy, stage: Stage) -> Option<i64> {
    policy.ladder.step_due_days.get(&stage).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::LoadedPolicy;

    #[test]
    fn steps_go_up_freely_and_down_only_with_a_reason() {
        assert_eq!(
            check_step(None, Stage::Suspend, "").ok(),
            Some(Move::Escalate)
        );
        assert_eq!(
            check_step(Some(Stage::Engage), Stage::ImprovementPlan, "").ok(),
            Some(Move::Escalate)
        );
        assert_eq!(
            check_step(Some(Stage::ImprovementPlan), Stage::ImprovementPlan, "").ok(),
            Some(Move::Continue)
        );
        assert!(check_step(Some(Stage::Suspend), Stage::Engage, " ").is_err());
        assert_eq!(
            check_step(Some(Stage::Suspend), Stage::Engage, "audit booked").ok(),
            Some(Move::DeEscalate)
        );
        assert_eq!(
            Stage::from_code("improvement-plan"),
            Some(Stage::ImprovementPlan)
        );
        assert_eq!(Stage::from_code("plan"), Some(Stage::ImprovementPlan));
        assert_eq!(Stage::from_code("ignore"), None);
    }

    #[test]
    fn the_default_policy_wants_sign_offs_for_suspending_and_disengaging() {
        let p = LoadedPolicy::default_policy().policy;
        assert!(!step_needs_sign_off(&p, Stage::Engage));
        assert!(!step_needs_sign_off(&p, Stage::ImprovementPlan));
        assert!(step_needs_sign_off(&p, Stage::Suspend));
        assert!(step_needs_sign_off(&p, Stage::Disengage));
        assert!(close_needs_sign_off(&p, Level::High));
        assert!(!close_needs_sign_off(&p, Level::Low));
        assert!(check_signer(&p, "ana", "Ana").is_err());
        assert!(check_signer(&p, "ana", "mgr").is_ok());
        assert_eq!(step_due_days(&p, Stage::ImprovementPlan), Some(90));
    }
}
