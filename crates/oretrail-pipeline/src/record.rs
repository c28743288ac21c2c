//! The per-file record: a rejected file with its reason, or the report with its problems.

use oretrail_reader::{ReadError, RejectReason};
use oretrail_template::SupplierReport;
use oretrail_validate::{Problem, Severity};
use serde::Serialize;

/// The result of one file, serialised as one JSON Lines record by `parse --json`.
#[derive(Debug, Serialize)]
pub struct FileRecord {
    /// File name.
    pub file: String,
    /// Whether the file was rejected.
    pub reject: bool,
    /// Why, when rejected.
    pub reject_reason: Option<RejectReason>,
    /// The specific explanation, when rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reject_detail: Option<String>,
    /// The report, when read.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub report: Option<SupplierReport>,
    /// Problems found by the validator (empty for rejected files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problems: Option<Vec<Problem>>,
}

impl FileRecord {
    /// A record for a file that could not be read.
    pub fn rejected(file: &str, error: ReadError) -> FileRecord {
        FileRecord {
            file: file.to_string(),
            reject: true,
            reject_reason: Some(error.reason),
            reject_detail: Some(error.detail),
            report: None,
            problems: None,
        }
    }

    /// Number of problems of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.problems
            .as_deref()
            .map_or(0, |ps| ps.iter().filter(|p| p.severity == severity).count())
    }

    /// Whether the file was rejected or has problems of severity error.
    pub fn has_errors(&self) -> bool {
        self.reject || self.count(Severity::Error) > 0
    }

    /// The reject reason code, if rejected.
    pub fn reject_code(&self) -> Option<&'static str> {
        self.reject_reason.map(RejectReason::code)
    }
}
