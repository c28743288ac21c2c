//! Errors of report production.

use std::path::PathBuf;
use thiserror::Error;

/// A report, export or template could not be produced.
#[derive(Debug, Error)]
pub enum ReportError {
    /// The request cannot be fulfilled as asked (missing data, wrong option).
    #[error("{0}")]
    Invalid(String),
    /// No stored snapshot (or other named thing) of that name.
    #[error("{0}")]
    NotFound(String),
    /// The registry has no such template family and version.
    #[error("no template {0} is known")]
    UnknownTemplate(String),
    /// RMI's blank template for a version was not found in any templates folder.
    #[error("the blank template {file} was not found (looked in {looked}); give --templates DIR")]
    BlankNotFound {
        /// File name expected.
        file: String,
        /// Folders searched.
        looked: String,
    },
    /// A workbook could not be read.
    #[error("reading {what}: {source}")]
    Read {
        /// What was being read.
        what: String,
        /// The reader's error.
        source: oretrail_reader::ReadError,
    },
    /// The patcher refused an edit.
    #[error("writing the template: {0}")]
    Write(#[from] oretrail_writer::WriteError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] oretrail_store::StoreError),
    /// A query on the store failed.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A TOML file is malformed.
    #[error("{file}: {message}")]
    Toml {
        /// File involved.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// JSON (de)serialisation failed.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A new XLSX file could not be written.
    #[error("XLSX export: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// A CSV file could not be written.
    #[error("CSV export: {0}")]
    Csv(#[from] csv::Error),
    /// An HTML template failed to render.
    #[error("HTML: {0}")]
    Html(#[from] askama::Error),
    /// The PDF could not be typeset.
    #[error("PDF: {0}")]
    Pdf(String),
}

impl ReportError {
    /// An I/O error on a path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> ReportError {
        ReportError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result of report production.
pub type Result<T> = std::result::Result<T, ReportError>;
