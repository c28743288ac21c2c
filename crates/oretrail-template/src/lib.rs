//! RMI reporting-template definitions and the supplier-report domain model.
//!
//! Every difference between template families (CMRT, EMRT, CRT, AMRT) and their versions lives
//! as data in one registry ([`registry`], built from `registry/templates.json`). The rest of
//! Oretrail sees a single model of a supplier report ([`model::SupplierReport`]) whatever the
//! version it came from.

pub mod cell;
pub mod family;
pub mod model;
pub mod registry;

pub use cell::CellRef;
pub use family::Family;
pub use model::*;
pub use registry::{Registry, TemplateDef};
