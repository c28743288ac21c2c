//! Template families published by the Responsible Minerals Initiative.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One RMI reporting-template family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Family {
    /// Conflict Minerals Reporting Template (tin, tantalum, tungsten, gold).
    #[serde(rename = "CMRT")]
    Cmrt,
    /// Extended Minerals Reporting Template (cobalt, mica; 2.x adds copper, graphite, lithium, nickel).
    #[serde(rename = "EMRT")]
    Emrt,
    /// Cobalt Reporting Template.
    #[serde(rename = "CRT")]
    Crt,
    /// Additional Minerals Reporting Template.
    #[serde(rename = "AMRT")]
    Amrt,
}

impl Family {
    /// All families, in display order.
    pub const ALL: [Family; 4] = [Family::Cmrt, Family::Emrt, Family::Crt, Family::Amrt];

    /// Short code used by RMI ("CMRT").
    pub fn code(self) -> &'static str {
        match self {
            Family::Cmrt => "CMRT",
            Family::Emrt => "EMRT",
            Family::Crt => "CRT",
            Family::Amrt => "AMRT",
        }
    }

    /// Parses a family code, case-insensitively.
    pub fn from_code(code: &str) -> Option<Family> {
        Family::ALL
            .into_iter()
            .find(|f| f.code().eq_ignore_ascii_case(code.trim()))
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
