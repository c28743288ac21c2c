//! Errors of the validation crate.

use thiserror::Error;

/// What can go wrong around validation (the checks themselves never fail).
#[derive(Debug, Error)]
pub enum ValidateError {
    /// The report names a template version the registry does not know.
    #[error("no template definition for {family} {version}")]
    UnknownTemplate {
        /// Template family.
        family: String,
        /// Version as reported.
        version: String,
    },
    /// A message catalogue is not valid JSON of the expected shape.
    #[error("message catalogue '{lang}' is invalid: {source}")]
    Messages {
        /// Language of the catalogue.
        lang: String,
        /// Parse error.
        #[source]
        source: serde_json::Error,
    },
}
