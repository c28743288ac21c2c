//! Problems found in a supplier report: code, severity, location and context.

use crate::messages;
use indexmap::IndexMap;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The file fails the RMI Checker or carries wrong data; the supplier must fix it.
    Error,
    /// Likely a mistake or a quality issue worth a question to the supplier.
    Warning,
    /// Worth knowing; no action required.
    Info,
}

impl Severity {
    /// The code used in JSON ("error", "warning", "info").
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident => $text:literal ),+ $(,)?) => {
        /// Stable identifier of a check (see docs/checks.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Code {
            $( $(#[$doc])* $variant, )+
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The code as text ("missing_required").
            pub fn as_str(self) -> &'static str {
                match self {
                    $( Code::$variant => $text, )+
                }
            }

            /// Parses a code from its text.
            pub fn from_code(text: &str) -> Option<Code> {
                match text {
                    $( $text => Some(Code::$variant), )+
                    _ => None,
                }
            }
        }
    };
}

codes! {
    /// A field, answer, comment or list entry the template requires is empty.
    MissingRequired => "missing_required",
    /// An e-mail address is not `local@domain.tld`.
    BadEmail => "bad_email",
    /// The effective date is text that is not a date.
    BadDate => "bad_date",
    /// The effective date is typed as text (but is an unambiguous date).
    DateAsText => "date_as_text",
    /// A mineral declared used and in the product has no Smelter List row.
    YesWithoutSmelters => "yes_without_smelters",
    /// A Smelter List row names a metal that is not in scope or declared not used.
    MetalNotDeclared => "metal_not_declared",
    /// A typed Smelter ID contradicts the smelter picked from the look-up.
    CidNameMismatch => "cid_name_mismatch",
    /// The same refiner appears twice for the same metal.
    DuplicateSmelter => "duplicate_smelter",
    /// "Smelter not listed" used for a refiner that is in the template's look-up.
    NotListedButKnown => "not_listed_but_known",
    /// A "Smelter not listed" name matches no known refiner.
    UnknownSmelter => "unknown_smelter",
    /// A "Smelter not yet identified" row.
    SmelterNotIdentified => "smelter_not_identified",
    /// The workbook's formulas carry no cached values.
    NoCachedValues => "no_cached_values",
    /// An answer is not among the template's allowed values.
    InvalidAnswer => "invalid_answer",
    /// The template version is older than the one expected.
    OutdatedTemplate => "outdated_template",
    /// The effective date lies in the future.
    EffectiveDateFuture => "effective_date_future",
    /// The effective date is older than the reporting period or campaign allows.
    EffectiveDateStale => "effective_date_stale",
    /// The effective date is outside the range the template's own validation accepts.
    EffectiveDateOutOfRange => "effective_date_out_of_range",
    /// The effective date is earlier than the release of the template version used.
    EffectiveDateBeforeRelease => "effective_date_before_release",
    /// "All smelters identified = Yes" while rows of that metal are "not yet identified".
    IdentifiedButUnidentifiedRows => "identified_but_unidentified_rows",
    /// A typed country differs from the country of the refiner the row resolves to.
    SmelterCountryMismatch => "smelter_country_mismatch",
    /// A formula result in the file disagrees with the template's look-up data.
    CachedValueMismatch => "cached_value_mismatch",
    /// A typed Smelter ID is not of the form `CID` + 6 digits.
    InvalidCid => "invalid_cid",
    /// A comment the template's own Checker demands in this version (a Checker quirk).
    CheckerCommentRequired => "checker_comment_required",
    /// The policy URL comment does not look like a web address.
    PolicyUrlInvalid => "policy_url_invalid",
    /// The same product number is listed twice.
    DuplicateProduct => "duplicate_product",
    /// A Product List row has no product number.
    ProductNumberMissing => "product_number_missing",
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a supplier report.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// What kind of problem.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// Sheet it is on, `None` for workbook-level problems.
    pub sheet: Option<String>,
    /// Cell (A1 style, without the sheet), when one cell is at fault.
    pub cell: Option<String>,
    /// Sheet row, for list problems.
    pub row: Option<u32>,
    /// The offending value as found, when useful.
    pub value: Option<String>,
    /// One-line English message for the supplier.
    pub message: String,
    /// Further facts (field, question, mineral, name, canonical_cid, first_row, ...).
    pub context: IndexMap<String, serde_json::Value>,
}

impl Problem {
    /// A problem with no location yet.
    pub fn new(code: Code, severity: Severity) -> Problem {
        Problem {
            code,
            severity,
            sheet: None,
            cell: None,
            row: None,
            value: None,
            message: String::new(),
            context: IndexMap::new(),
        }
    }

    /// Places the problem on a sheet and cell.
    pub fn at(mut self, sheet: &str, cell: Option<String>) -> Problem {
        self.sheet = Some(sheet.to_string());
        self.cell = cell;
        self
    }

    /// Sets the sheet row.
    pub fn row(mut self, row: u32) -> Problem {
        self.row = Some(row);
        self
    }

    /// Sets the offending value.
    pub fn value(mut self, value: impl Into<String>) -> Problem {
        self.value = Some(value.into());
        self
    }

    /// Adds a context key.
    pub fn with(mut self, key: &str, value: impl Into<serde_json::Value>) -> Problem {
        self.context.insert(key.to_string(), value.into());
        self
    }

    /// Adds a context key when the value is present.
    pub fn with_opt<V: Into<serde_json::Value>>(self, key: &str, value: Option<V>) -> Problem {
        match value {
            Some(v) => self.with(key, v),
            None => self,
        }
    }

    /// A context value as text, if present.
    pub fn context_str(&self, key: &str) -> Option<&str> {
        self.context.get(key).and_then(|v| v.as_str())
    }

    /// The message in a language ("en", "zh"; falls back to English).
    pub fn message_in(&self, lang: &str) -> String {
        messages::render(self, lang)
    }

    /// The JSON form plus a `message` key in the given language.
    pub fn to_json_with_message(&self, lang: &str) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let serde_json::Value::Object(map) = &mut value {
            map.insert("message".into(), self.message_in(lang).into());
        }
        value
    }

    /// Fills `message` with the English text.
    pub(crate) fn finish(mut self) -> Problem {
        self.message = messages::render(&self, "en");
        self
    }
}

impl Serialize for Problem {
    /// Serialises like the fixtures' truth files: code, severity, sheet, cell, row, context..., value.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("code", self.code.as_str())?;
        map.serialize_entry("severity", self.severity.as_str())?;
        map.serialize_entry("sheet", &self.sheet)?;
        map.serialize_entry("cell", &self.cell)?;
        if let Some(row) = self.row {
            map.serialize_entry("row", &row)?;
        }
        for (k, v) in &self.context {
            map.serialize_entry(k, v)?;
        }
        if let Some(value) = &self.value {
            map.serialize_entry("value", value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Problem {
    /// Reads the JSON form back (a `message` key, if any, is ignored and re-rendered).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map: IndexMap<String, serde_json::Value> = IndexMap::deserialize(deserializer)?;
        let code_text = map
            .shift_remove("code")
            .and_then(|v| v.as_str().map(str::to_string))
            .ok_or_else(|| D::Error::missing_field("code"))?;
        let code = Code::from_code(&code_text)
            .ok_or_else(|| D::Error::custom(format!("unknown problem code '{code_text}'")))?;
        let severity = match map.shift_remove("severity") {
            Some(v) => serde_json::from_value(v).map_err(D::Error::custom)?,
            None => return Err(D::Error::missing_field("severity")),
        };
        let text = |v: Option<serde_json::Value>| v.and_then(|v| v.as_str().map(str::to_string));
        let sheet = text(map.shift_remove("sheet"));
        let cell = text(map.shift_remove("cell"));
        let row = map
            .shift_remove("row")
            .and_then(|v| v.as_u64())
            .and_then(|r| u32::try_from(r).ok());
        let value = text(map.shift_remove("value"));
        map.shift_remove("message");
        let problem = Problem {
            code,
            severity,
            sheet,
            cell,
            row,
            value,
            message: String::new(),
            context: map,
        };
        Ok(problem.finish())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let place = match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("{s}!{c}"),
            (Some(s), None) => s.clone(),
            _ => "workbook".to_string(),
        };
        write!(
            f,
            "{} [{}] {}: {}",
            self.severity, self.code, place, self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_like_truth_files() {
        let p = Problem::new(Code::DateAsText, Severity::Warning)
            .at("Declaration", Some("D22".into()))
            .with("field", "effective_date")
            .value("2023.11.30");
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(
            json,
            r#"{"code":"date_as_text","severity":"warning","sheet":"Declaration","cell":"D22","field":"effective_date","value":"2023.11.30"}"#
        );
        let p = Problem::new(Code::NoCachedValues, Severity::Warning);
        let json = serde_json::to_string(&p).expect("json");
        assert_eq!(
            json,
            r#"{"code":"no_cached_values","severity":"warning","sheet":null,"cell":null}"#
        );
    }

    #[test]
    fn json_round_trip() {
        let text = r#"{"code":"duplicate_smelter","severity":"warning","sheet":"Smelter List","cell":"C15","row":15,"first_row":14,"canonical_cid":"CID003226"}"#;
        let p: Problem = serde_json::from_str(text).expect("problem");
        assert_eq!(p.row, Some(15));
        assert_eq!(p.context.get("first_row"), Some(&serde_json::json!(14)));
        assert!(p.message.contains("row 14"));
        assert_eq!(serde_json::to_string(&p).expect("json"), text);
    }

    #[test]
    fn codes_round_trip() {
        for code in Code::ALL {
            assert_eq!(Code::from_code(code.as_str()), Some(*code));
            let json = serde_json::to_string(code).expect("json");
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }
}
