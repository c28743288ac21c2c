//! Every SQL statement of the crate, on its own tables only (migrated on first use, tracked in
//! `_oretrail_risk_migrations`); the store's tables are read through `oretrail_store`'s
//! functions. Same code on SQLite and PostgreSQL (sqlx `Any`: `$n` placeholders, integers,
//! floats and text).

pub mod assessments;
pub mod cases;
pub mod digest;
pub mod evidence;
pub mod facts;
pub mod grievances;
pub mod outreach;
pub mod policies;
pub mod programme;

use crate::error::{Result, RiskError};
use chrono::NaiveDate;
use oretrail_store::{Backend, Store};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

/// The risk tables' migrations (applied after the store's, tracked in their own table).
pub fn migrator(backend: Backend) -> Migrator {
    let sql: &'static str = match backend {
        Backend::Sqlite => include_str!("../../migrations/sqlite/0001_risk.sql"),
        Backend::Postgres => include_str!("../../migrations/postgres/0001_risk.sql"),
    };
    let mut migrator = Migrator::with_migrations(vec![Migration::new(
        1,
        "risk".into(),
        MigrationType::Simple,
        sqlx::SqlSafeStr::into_sql_str(sql),
        false,
    )]);
    migrator.dangerous_set_table_name("_oretrail_risk_migrations");
    migrator
}

/// The store with the risk tables in place: every function of [`crate::db`] takes one.
#[derive(Debug, Clone)]
pub struct Risk {
    store: Store,
}

fn migrated() -> &'static Mutex<HashSet<(PathBuf, &'static str)>> {
    static SET: OnceLock<Mutex<HashSet<(PathBuf, &'static str)>>> = OnceLock::new();
    SET.get_or_init(Mutex::default)
}

impl Risk {
    /// The risk tables of a store, migrating them the first time a process opens that store.
    pub async fn open(store: &Store) -> Result<Risk> {
        let key = (store.data_dir().to_path_buf(), store.backend().name());
        let done = migrated().lock().map(|s| s.contains(&key)).unwrap_or(false);
        if !done {
            migrator(store.backend()).run(store.pool()).await?;
            if let Ok(mut s) = migrated().lock() {
                s.insert(key);
            }
        }
        Ok(Risk {
            store: store.clone(),
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub(crate) fn pool(&self) -> &sqlx::AnyPool {
        self.store.pool()
    }
}

/// Current time, RFC 3339 UTC, second precision.
pub fn now() -> String {
    now_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Today's date (UTC).
pub fn today() -> NaiveDate {
    now_utc().date_naive()
}

fn now_utc() -> chrono::DateTime<chrono::Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// A stored ISO date.
pub(crate) fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(t.get(..10).unwrap_or(&t), "%Y-%m-%d").ok())
}

/// A date as stored.
pub(crate) fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An optional date as stored.
pub(crate) fn iso_opt(d: Option<NaiveDate>) -> Option<String> {
    d.map(iso)
}

/// Text that must not be empty (trimmed).
pub(crate) fn required(what: &str, text: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(RiskError::Invalid(format!("{what} is required")));
    }
    Ok(t.to_string())
}

/// Optional text, blank as `None`.
pub(crate) fn optional(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

/// The supplier ID of an ERP ID.
pub(crate) async fn supplier_id(risk: &Risk, erp_id: &str) -> Result<i64> {
    oretrail_store::suppliers::supplier_by_erp_id(risk.store(), erp_id.trim())
        .await?
        .map(|s| s.id)
        .ok_or_else(|| RiskError::not_found("supplier", erp_id))
}

/// The covered-countries and EU CAHRA lists: files of the same name in the store's data
/// directory (`covered_countries.csv`, `eu_cahra.csv`) replace the shipped ones.
pub fn risk_lists(risk: &Risk) -> Result<oretrail_facilities::RiskLists> {
    oretrail_facilities::RiskLists::load(Some(risk.store().data_dir()))
        .map_err(|e| RiskError::Invalid(format!("risk lists: {e}")))
}

/// A facility from "METAL:CID", or a bare CID when the registry or the submissions know it for
/// one metal only.
pub async fn facility_key(risk: &Risk, text: &str) -> Result<crate::score::FacilityKey> {
    if let Some((metal, cid)) = text.split_once(':') {
        return Ok(crate::score::FacilityKey::new(metal, cid));
    }
    let cid = text.trim().to_ascii_uppercase();
    let metals = oretrail_store::declared::metals_of_cid(risk.store(), &cid).await?;
    match metals.as_slice() {
        [metal] => Ok(crate::score::FacilityKey::new(metal, &cid)),
        [] => Err(RiskError::not_found("facility", cid)),
        _ => Err(RiskError::Invalid(format!(
            "{cid} is known for several metals ({}): write METAL:{cid}",
            metals.join(", ")
        ))),
    }
}
