//! The risk crate's error type.

use thiserror::Error;

/// Something the risk module could not do.
#[derive(Debug, Error)]
pub enum RiskError {
    /// The store failed (database, originals).
    #[error(transparent)]
    Store(#[from] oretrail_store::StoreError),
    /// The database refused or failed a statement.
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration of the risk tables could not be applied.
    #[error("database migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// Stored JSON could not be read or written.
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A policy file is not valid.
    #[error("policy {origin}: {message}")]
    Policy {
        /// Where the policy came from (file name, "default", "active policy #3").
        origin: String,
        /// What is wrong.
        message: String,
    },
    /// A named thing does not exist.
    #[error("no {kind} '{name}'")]
    NotFound {
        /// What was looked for ("case", "grievance").
        kind: &'static str,
        /// Its name or identifier.
        name: String,
    },
    /// The request is invalid (bad option, step not allowed, missing sign-off ...).
    #[error("{0}")]
    Invalid(String),
    /// The digest e-mail could not be sent.
    #[error("e-mail: {0}")]
    Mail(String),
}

impl RiskError {
    pub(crate) fn not_found(kind: &'static str, name: impl ToString) -> RiskError {
        RiskError::NotFound {
            kind,
            name: name.to_string(),
        }
    }
}

/// Result of risk operations.
pub type Result<T, E = RiskError> = std::result::Result<T, E>;
