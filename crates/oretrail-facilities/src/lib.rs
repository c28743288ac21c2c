//! Facilities: the registry of RMI smelters and refiners, their RMAP status history, country
//! risk lists, and resolution of suppliers' Smelter List rows to facilities.
//!
//! * [`normalize`] and [`similarity`] — name normalisation and fuzzy scores.
//! * [`country`] and [`risk`] — RMI country spellings → ISO codes; covered countries and the
//!   EU CAHRA list as editable data files.
//! * [`status`] — imports of RMI facility status lists as dated snapshots.
//! * [`registry`] and [`store`] — facilities learned from template look-ups, persisted.
//! * [`matching`] — resolution of [`oretrail_template::SmelterRow`]s; [`evaluate`] measures it.

#![warn(missing_docs)]

pub mod country;
mod datafile;
pub mod evaluate;
mod index;
pub mod matching;
pub mod normalize;
pub mod registry;
pub mod risk;
pub mod similarity;
pub mod status;
pub mod store;

pub use country::{Country, CountryList};
pub use datafile::DataFileError;
pub use evaluate::{EvalCase, MatchingReport, Miss, MissKind, RowTruth, evaluate};
pub use matching::{MatchConfig, Matcher, TemplateLookup};
pub use normalize::{normalize_name, token_sorted_key};
pub use registry::{
    Facility, FacilityRegistry, LearnSummary, LearnedSource, Listing, ManualAlias, RegistryError,
    RegistryParts,
};
pub use risk::RiskLists;
pub use similarity::name_similarity;
pub use status::{
    RmapStatus, StatusAt, StatusEntry, StatusHistory, StatusImportError, StatusSnapshot,
    import_status_csv, import_status_file,
};
pub use store::{FacilityStore, JsonFileStore, StoreError};
