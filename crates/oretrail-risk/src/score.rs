//! Flags and scores: a raised flag names its rule, its weight, the policy's reason and the facts
//! that raised it; a score is the sum of its flags' weights with the level the thresholds give.

use crate::policy::{Rule, Thresholds};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Risk level.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Below the medium threshold.
    #[default]
    Low,
    /// At or above the medium threshold.
    Medium,
    /// At or above the high threshold.
    High,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 3] = [Level::Low, Level::Medium, Level::High];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Level> {
        Level::ALL
            .into_iter()
            .find(|l| l.code().eq_ignore_ascii_case(code.trim()))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A raised red flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flag {
    /// Rule id.
    pub rule: String,
    /// Weight added to the score.
    pub weight: f64,
    /// The policy's plain-language reason.
    pub reason: String,
    /// The facts that raised it ("country RWANDA", "Q3 Tin: Yes").
    pub detail: String,
}

impl Flag {
    /// A flag of a rule with the facts that raised it.
    pub fn of<P>(id: &str, rule: &Rule<P>, detail: impl Into<String>) -> Flag {
        Flag {
            rule: id.to_string(),
            weight: rule.weight,
            reason: rule.reason.clone(),
            detail: detail.into(),
        }
    }
}

/// A score with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Score {
    /// Sum of the flags' weights.
    pub score: f64,
    /// Level the thresholds give.
    pub level: Level,
    /// The flags, heaviest first.
    pub flags: Vec<Flag>,
}

impl Score {
    /// The score of a set of flags.
    pub fn of(mut flags: Vec<Flag>, thresholds: &Thresholds) -> Score {
        flags.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.rule.cmp(&b.rule)));
        let score = flags.iter().map(|f| f.weight).sum();
        Score {
            score,
            level: thresholds.level(score),
            flags,
        }
    }

    /// Whether a rule raised a flag.
    pub fn has(&self, rule: &str) -> bool {
        self.flags.iter().any(|f| f.rule == rule)
    }
}

/// A facility by metal and RMI facility ID.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FacilityKey {
    /// Metal key (lower case).
    pub metal: String,
    /// RMI facility ID.
    pub cid: String,
}

impl FacilityKey {
    /// A key from a metal name and a CID.
    pub fn new(metal: &str, cid: &str) -> FacilityKey {
        FacilityKey {
            metal: oretrail_facilities::registry::metal_key(metal),
            cid: cid.trim().to_ascii_uppercase(),
        }
    }

    /// "tin:CID000123", the register's subject key.
    pub fn subject_key(&self) -> String {
        format!("facility:{}:{}", self.metal, self.cid)
    }
}

impl fmt::Display for FacilityKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.cid, self.metal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_add_weights_and_take_the_level_of_the_thresholds() {
        let t = Thresholds {
            medium: 25.0,
            high: 50.0,
        };
        let flag = |rule: &str, weight: f64| Flag {
            rule: rule.into(),
            weight,
            reason: String::new(),
            detail: String::new(),
        };
        assert_eq!(Score::of(vec![], &t).level, Level::Low);
        let s = Score::of(vec![flag("a", 10.0), flag("b", 15.0)], &t);
        assert_eq!((s.score, s.level), (25.0, Level::Medium));
        assert_eq!(s.flags[0].rule, "b", "heaviest first");
        let s = Score::of(vec![flag("a", 50.0)], &t);
        assert_eq!(s.level, Level::High);
        assert!(s.has("a") && !s.has("b"));
        assert_eq!(Level::from_code("HIGH"), Some(Level::High));
        assert_eq!(
            FacilityKey::new("Tin ", "cid000001").subject_key(),
            "facility:tin:CID000001"
        );
    }
}
