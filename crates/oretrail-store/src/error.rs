//! The store's error type.

use std::path::PathBuf;
use thiserror::Error;

/// Something the store could not do.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database refused or failed a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A file-system operation failed.
    #[error("{path}: {source}")]
    Io {
        /// File or folder involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// Stored JSON could not be read or written.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The database URL names a backend Oretrail does not support.
    #[error("unsupported database URL '{0}' (use sqlite://PATH or postgres://...)")]
    UnsupportedUrl(String),
    /// A named thing does not exist.
    #[error("no {kind} '{name}'")]
    NotFound {
        /// What was looked for ("campaign", "supplier").
        kind: &'static str,
        /// Its name or identifier.
        name: String,
    },
    /// The request is invalid (bad option, bad status transition, ...).
    #[error("{0}")]
    Invalid(String),
    /// An original's bytes on disk do not match the hash the database records.
    #[error("original {sha256} is damaged on disk ({path})")]
    DamagedOriginal {
        /// Expected content hash.
        sha256: String,
        /// File checked.
        path: PathBuf,
    },
    /// An import file could not be read.
    #[error("{0}")]
    Import(String),
}

impl StoreError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> StoreError {
        StoreError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result of store operations.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
