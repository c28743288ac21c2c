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
