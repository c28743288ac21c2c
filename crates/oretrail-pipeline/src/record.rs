//! The per-file record: a rejected file with its reason, or the report with its problems.

use oretrail_reader::{ReadOptions, RejectReason};
use oretrail_template::SupplierReport;
use serde::Serialize;
use std::path::Path;

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
}

/// Reads a file from disk into a record.
pub fn process_path(path: &Path, name: &str, options: &ReadOptions) -> FileRecord {
    match std::fs::read(path) {
        Ok(bytes) => process_bytes(&bytes, name, options),
        Err(e) => FileRecord {
            file: name.to_string(),
            reject: true,
            reject_reason: Some(RejectReason::CorruptPackage),
            reject_detail: Some(format!("cannot read {}: {e}", path.display())),
            report: None,
        },
    }
}

/// Reads bytes into a record.
pub fn process_bytes(bytes: &[u8], name: &str, options: &ReadOptions) -> FileRecord {
    match oretrail_reader::read_bytes(bytes, options) {
        Ok(outcome) => FileRecord {
            file: name.to_string(),
            reject: false,
            reject_reason: None,
            reject_detail: None,
            report: Some(outcome.report),
        },
        Err(e) => FileRecord {
            file: name.to_string(),
            reject: true,
            reject_reason: Some(e.reason),
            reject_detail: Some(e.detail),
            report: None,
        },
    }
}
