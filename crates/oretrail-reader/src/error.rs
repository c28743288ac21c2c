//! Why a file could not be read as an RMI template.

use serde::Serialize;
use std::fmt;

/// The category of a rejected file, as the fixtures' truth files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The file has no bytes.
    EmptyFile,
    /// Not an Office Open XML (zip) file, e.g. CSV text named .xlsx.
    NotOoxml,
    /// A zip package that is truncated or corrupt.
    CorruptPackage,
    /// A legacy binary Excel 97-2003 workbook (.xls).
    LegacyXls,
    /// A readable workbook that is not an RMI reporting template.
    NotRmiTemplate,
    /// An RMI template of a version Oretrail does not support.
    UnsupportedVersion,
    /// A password-protected (encrypted) workbook.
    Encrypted,
    /// The file exceeds a safety limit (size, entries, rows, compression ratio).
    LimitExceeded,
}

impl RejectReason {
    /// The stable code of this reason.
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::EmptyFile => "empty_file",
            RejectReason::NotOoxml => "not_ooxml",
            RejectReason::CorruptPackage => "corrupt_package",
            RejectReason::LegacyXls => "legacy_xls",
            RejectReason::NotRmiTemplate => "not_rmi_template",
            RejectReason::UnsupportedVersion => "unsupported_version",
            RejectReason::Encrypted => "encrypted",
            RejectReason::LimitExceeded => "limit_exceeded",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A file that cannot be read, with a reason category and a specific explanation.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{detail}")]
pub struct ReadError {
    /// Category of the failure.
    pub reason: RejectReason,
    /// What exactly is wrong, naming the part, sheet or cell where that applies.
    pub detail: String,
}

impl ReadError {
    /// A new error of a category with an explanation.
    pub fn new(reason: RejectReason, detail: impl Into<String>) -> ReadError {
        ReadError {
            reason,
            detail: detail.into(),
        }
    }
}
