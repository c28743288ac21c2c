//! Plain CSV data files shipped with the crate, replaceable through an override directory.

use std::path::{Path, PathBuf};
use thiserror::Error;

/// A shipped data file could not be read or is malformed.
#[derive(Debug, Error)]
pub enum DataFileError {
    /// The override file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File that failed.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The CSV syntax is broken.
    #[error("{file}: {source}")]
    Csv {
        /// File name (or override path) being read.
        file: String,
        /// Underlying error.
        source: csv::Error,
    },
    /// A row lacks a required value or carries a bad one.
    #[error("{file}, line {line}: {message}")]
    Invalid {
        /// File name (or override path) being read.
        file: String,
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
}

/// One data row: its line number and trimmed fields.
pub(crate) struct DataRow {
    pub line: u64,
    pub fields: Vec<String>,
}

/// Reads `name` from `override_dir` when a file of that name is there, else the embedded text.
/// Lines starting with `#` are comments; the first other line is the header.
pub(crate) fn read_rows(
    name: &str,
    embedded: &str,
    override_dir: Option<&Path>,
) -> Result<(String, Vec<DataRow>), DataFileError> {
    let (label, text) = match override_dir.map(|d| d.join(name)) {
        Some(path) if path.is_file() => {
            let text = std::fs::read_to_string(&path).map_err(|source| DataFileError::Io {
                path: path.clone(),
                source,
            })?;
            (path.display().to_string(), text)
        }
        _ => (name.to_string(), embedded.to_string()),
    };
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|source| DataFileError::Csv {
            file: label.clone(),
            source,
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        rows.push(DataRow {
            line,
            fields: record.iter().map(str::to_string).collect(),
        });
    }
    Ok((label, rows))
}

impl DataRow {
    /// Field `i`, or an error naming the file and line.
    pub fn required(&self, file: &str, i: usize, what: &str) -> Result<&str, DataFileError> {
        match self.fields.get(i).map(String::as_str) {
            Some(v) if !v.is_empty() => Ok(v),
            _ => Err(DataFileError::Invalid {
                file: file.to_string(),
                line: self.line,
                message: format!("missing {what}"),
            }),
        }
    }

    /// Field `i` when present and not empty.
    pub fn optional(&self, i: usize) -> Option<&str> {
        self.fields
            .get(i)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}
