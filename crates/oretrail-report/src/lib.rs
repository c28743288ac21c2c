//! What Oretrail produces for customers, auditors and regulators.
//!
//! * [`fill`] — the company's own declaration written into RMI's official blank template
//!   ([`blank`]), with answers derived from a campaign's results ([`declaration`]) and the
//!   analyst's overrides ([`profile`]) recorded.
//! * [`roles`] — what each template question means, whatever its number.

pub mod annual;
pub mod blank;
pub mod charts;
pub mod claims;
pub mod compare;
pub mod declaration;
pub mod doc;
pub mod drafts;
pub mod error;
pub mod exports;
pub mod fill;
pub mod gather;
#[cfg(feature = "pdf")]
pub mod pdf;
pub mod profile;
pub mod roles;
pub mod snapshot;

pub use error::{ReportError, Result};

/// Whether this build typesets PDFs (feature `pdf`).
pub const PDF: bool = cfg!(feature = "pdf");

/// Typesets a document to PDF (bytes and warnings) when the crate is built with the `pdf`
/// feature; without it, an error saying so. Lets callers offer PDF whenever the feature is on
/// anywhere in the build, without a feature of their own.
pub fn pdf_bytes(doc: &doc::Doc, ident: &str) -> Result<(Vec<u8>, Vec<String>)> {
    #[cfg(feature = "pdf")]
    {
        let p = pdf::render(doc, ident)?;
        Ok((p.bytes, p.warnings))
    }
    #[cfg(not(feature = "pdf"))]
    {
        let _ = (doc, ident);
        Err(ReportError::Pdf(
            "this build has no PDF support (feature `pdf`); use HTML and print it".into(),
        ))
    }
}
