//! Oretrail's store: the program's memory.
//!
//! One storage layer on two backends from the same code — SQLite embedded in a data directory
//! (the default) or PostgreSQL — through sqlx's `Any` driver, with versioned migrations applied
//! on open ([`db`]). SQL lives in the repository modules ([`facilities`], [`suppliers`],
//! [`campaigns`], [`submissions`], [`history`], [`declared`], [`coverage`], [`rollup`]);
//! other crates read the store's tables only through them. Decisions are plain functions
//! beside them ([`campaigns::select_scope`], [`submissions::judge`],
//! [`submissions::SupplierIndex::link`], [`coverage::compute_coverage`]).
//!
//! Originals are evidence ([`originals`]): every received file is kept byte for byte under its
//! SHA-256, written durably before the database refers to it. [`ingest`] takes files, folders and
//! zip archives ([`sources`]), analyses them on a bounded thread pool and writes from one place;
//! [`queue`] is the same work split between `enqueue` and any number of worker processes.

pub mod backup;
mod bulk;
pub mod campaigns;
pub mod coverage;
pub mod db;
pub mod declared;
pub mod error;
pub mod facilities;
pub mod history;
pub mod ingest;
pub mod originals;
pub mod queue;
pub mod rollup;
pub mod sources;
mod store;
pub mod submissions;
pub mod supplier_import;
pub mod suppliers;
pub mod verify;

pub use db::Backend;
pub use error::{Result, StoreError};
pub use originals::{Originals, sha256_hex};
pub use store::{Store, StoreConfig};
