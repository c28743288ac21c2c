//! The facility registry and RMAP status snapshots, kept in the store's tables.
//!
//! [`save_registry`] replaces the stored registry in one transaction; [`load_registry`] rebuilds
//! it. Status snapshots are only ever added, never changed: [`add_status_snapshot`] and
//! [`load_status_history`].

use crate::Store;
use crate::bulk::{Arg, insert_rows};
use crate::db::now;
use crate::error::Result;
use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_facilities::{
    Facility, FacilityRegistry, LearnedSource, Listing, ManualAlias, RegistryParts,
};
use oretrail_facilities::{RmapStatus, StatusEntry, StatusHistory, StatusSnapshot};
use oretrail_template::Family;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Replaces the stored registry with `registry`.
pub async fn save_registry(store: &Store, registry: &FacilityRegistry) -> Result<()> {
    let backend = store.backend();
    let mut tx = store.pool().begin().await?;
    if backend == crate::Backend::Postgres {
        // Two processes saving at once (servers started together on an empty database) take
        // turns: each save replaces the whole registry in one transaction.
        sqlx::query("SELECT pg_advisory_xact_lock(7210431)")
            .execute(&mut *tx)
            .await?;
    }
    for table in [
        "manual_aliases",
        "facility_aliases",
        "facility_listings",
        "facilities",
        "facility_sources",
    ] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table}")))
            .execute(&mut *tx)
            .await?;
    }
    let sources = registry
        .sources()
        .iter()
        .enumerate()
        .map(|(i, s)| {
            Ok(vec![
                Arg::from(s.family.code()),
                s.version.as_str().into(),
                serde_json::to_string(&s.facilities_per_metal)?.into(),
                (i as i64).into(),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    insert_rows(
        &mut tx,
        backend,
        "facility_sources",
        &["family", "version", "facilities_per_metal", "position"],
        sources,
        "",
    )
    .await?;

    let mut facilities = Vec::new();
    let mut aliases = Vec::new();
    let mut listings = Vec::new();
    let mut listing_id = 0i64;
    for (i, f) in registry.facilities().iter().enumerate() {
        let id = i as i64 + 1;
        let newest: Vec<&str> = f.listed_in_newest.iter().map(|x| x.code()).collect();
        facilities.push(vec![
            id.into(),
            f.metal.as_str().into(),
            metal_key(&f.metal).into(),
            f.cid.as_str().into(),
            f.standard_name.as_str().into(),
            f.country.clone().into(),
            f.street.clone().into(),
            f.city.clone().into(),
            f.state_province.clone().into(),
            serde_json::to_string(&newest)?.into(),
            f.no_longer_listed.into(),
        ]);
        for (p, name) in f.aliases.iter().enumerate() {
            aliases.push(vec![
                id.into(),
                (p as i64).into(),
                name.as_str().into(),
                f.former_names.contains(name).into(),
            ]);
        }
        for (p, l) in f.listings.iter().enumerate() {
            listing_id += 1;
            listings.push(vec![
                listing_id.into(),
                id.into(),
                (p as i64).into(),
                l.family.code().into(),
                l.version.as_str().into(),
                serde_json::to_string(&l.lookup_names)?.into(),
                l.standard_name.clone().into(),
                l.country.clone().into(),
                l.street.clone().into(),
                l.city.clone().into(),
                l.state_province.clone().into(),
            ]);
        }
    }
    insert_rows(
        &mut tx,
        backend,
        "facilities",
        &[
            "id",
            "metal",
            "metal_key",
            "cid",
            "standard_name",
            "country",
            "street",
            "city",
            "state_province",
            "listed_in_newest",
            "no_longer_listed",
        ],
        facilities,
        "",
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "facility_aliases",
        &["facility_id", "position", "name", "former"],
        aliases,
        "",
    )
    .await?;
    insert_rows(
        &mut tx,
        backend,
        "facility_listings",
        &[
            "id",
            "facility_id",
            "position",
            "family",
            "version",
            "lookup_names",
            "standard_name",
            "country",
            "street",
            "city",
            "state_province",
        ],
        listings,
        "",
    )
    .await?;
    let manual = registry
        .manual_aliases()
        .iter()
        .enumerate()
        .map(|(i, m)| {
            vec![
                Arg::from(i as i64),
                m.metal.as_str().into(),
                m.name.as_str().into(),
                m.cid.as_str().into(),
                m.decided_by.as_str().into(),
                m.decided_at.as_str().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        backend,
        "manual_aliases",
        &[
            "position",
            "metal",
            "name",
            "cid",
            "decided_by",
            "decided_at",
        ],
        manual,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Loads the stored registry (empty when none was saved).
pub async fn load_registry(store: &Store) -> Result<FacilityRegistry> {
    let pool = store.pool();
    let mut sources = Vec::new();
    for row in sqlx::query(
        "SELECT family, version, facilities_per_metal FROM facility_sources ORDER BY position",
    )
    .fetch_all(pool)
    .await?
    {
        let family: String = row.try_get(0)?;
        let Some(family) = Family::from_code(&family) else {
            continue;
        };
        let per_metal: String = row.try_get(2)?;
        sources.push(LearnedSource {
            family,
            version: row.try_get(1)?,
            facilities_per_metal: serde_json::from_str::<BTreeMap<String, usize>>(&per_metal)?,
        });
    }
    let mut facilities: Vec<(i64, Facility)> = Vec::new();
    for row in sqlx::query(
        "SELECT id, metal, cid, standard_name, country, street, city, state_province, \
         listed_in_newest, no_longer_listed FROM facilities ORDER BY id",
    )
    .fetch_all(pool)
    .await?
    {
        let newest: String = row.try_get(8)?;
        let newest: Vec<String> = serde_json::from_str(&newest)?;
        facilities.push((
            row.try_get(0)?,
            Facility {
                metal: row.try_get(1)?,
                cid: row.try_get(2)?,
                standard_name: row.try_get(3)?,
                country: row.try_get(4)?,
                street: row.try_get(5)?,
                city: row.try_get(6)?,
                state_province: row.try_get(7)?,
                aliases: Vec::new(),
                former_names: Vec::new(),
                listed_in_newest: newest.iter().filter_map(|c| Family::from_code(c)).collect(),
                no_longer_listed: row.try_get::<i64, _>(9)? != 0,
                listings: Vec::new(),
            },
        ));
    }
    let index: HashMap<i64, usize> = facilities
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    for row in sqlx::query(
        "SELECT facility_id, name, former FROM facility_aliases ORDER BY facility_id, position",
    )
    .fetch_all(pool)
    .await?
    {
        let Some(&i) = index.get(&row.try_get::<i64, _>(0)?) else {
            continue;
        };
        let name: String = row.try_get(1)?;
        let f = &mut facilities[i].1;
        if row.try_get::<i64, _>(2)? != 0 {
            f.former_names.push(name.clone());
        }
        f.aliases.push(name);
    }
    for row in sqlx::query(
        "SELECT facility_id, family, version, lookup_names, standard_name, country, street, city, \
         state_province FROM facility_listings ORDER BY facility_id, position",
    )
    .fetch_all(pool)
    .await?
    {
        let Some(&i) = index.get(&row.try_get::<i64, _>(0)?) else {
            continue;
        };
        let family: String = row.try_get(1)?;
        let Some(family) = Family::from_code(&family) else {
            continue;
        };
        let names: String = row.try_get(3)?;
        facilities[i].1.listings.push(Listing {
            family,
            version: row.try_get(2)?,
            lookup_names: serde_json::from_str(&names)?,
            standard_name: row.try_get(4)?,
            country: row.try_get(5)?,
            street: row.try_get(6)?,
            city: row.try_get(7)?,
            state_province: row.try_get(8)?,
        });
    }
    let mut manual = Vec::new();
    for row in sqlx::query(
        "SELECT metal, name, cid, decided_by, decided_at FROM manual_aliases ORDER BY position",
    )
    .fetch_all(pool)
    .await?
    {
        manual.push(ManualAlias {
            metal: row.try_get(0)?,
            name: row.try_get(1)?,
            cid: row.try_get(2)?,
            decided_by: row.try_get(3)?,
            decided_at: row.try_get(4)?,
        });
    }
    Ok(FacilityRegistry::from_parts(RegistryParts {
        sources,
        facilities: facilities.into_iter().map(|(_, f)| f).collect(),
        manual_aliases: manual,
    }))
}

/// Adds an imported status list; returns its id. Snapshots are never modified.
pub async fn add_status_snapshot(store: &Store, snapshot: &StatusSnapshot) -> Result<i64> {
    let mut tx = store.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO status_snapshots (as_of, source, skipped, imported_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(snapshot.as_of.to_string())
    .bind(snapshot.source.clone())
    .bind(serde_json::to_string(&snapshot.skipped)?)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    let rows = snapshot
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Ok(vec![
                Arg::from(id),
                (i as i64).into(),
                e.metal.clone().into(),
                e.metal.as_deref().map(metal_key).into(),
                e.cid.as_str().into(),
                e.standard_name.clone().into(),
                e.country.clone().into(),
                e.state_province.clone().into(),
                status_code(e.status)?.into(),
                e.status_text.as_str().into(),
                e.last_audit.map(|d| d.to_string()).into(),
                e.last_audit_text.clone().into(),
                e.audit_cycle_years.map(i64::from).into(),
                e.reaudit_due.map(|d| d.to_string()).into(),
                e.reaudit_in_progress.map(i64::from).into(),
                e.cross_recognition.clone().into(),
            ])
        })
        .collect::<Result<Vec<_>>>()?;
    insert_rows(
        &mut tx,
        store.backend(),
        "status_entries",
        STATUS_COLUMNS,
        rows,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

const STATUS_COLUMNS: &[&str] = &[
    "snapshot_id",
    "position",
    "metal",
    "metal_key",
    "cid",
    "standard_name",
    "country",
    "state_province",
    "status",
    "status_text",
    "last_audit",
    "last_audit_text",
    "audit_cycle_years",
    "reaudit_due",
    "reaudit_in_progress",
    "cross_recognition",
];

/// The serialised code of a status ("conformant").
pub fn status_code(status: RmapStatus) -> Result<String> {
    match serde_json::to_value(status)? {
        serde_json::Value::String(s) => Ok(s),
        other => Ok(other.to_string()),
    }
}

fn parse_status(code: &str) -> RmapStatus {
    serde_json::from_value(serde_json::Value::String(code.to_string())).unwrap_or(RmapStatus::Other)
}

fn date(text: Option<String>) -> Option<NaiveDate> {
    text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok())
}

/// Every stored snapshot, dated, in the order they apply.
pub async fn load_status_history(store: &Store) -> Result<StatusHistory> {
    Ok(StatusHistory::from_snapshots(
        load_snapshots(store, None).await?,
    ))
}

/// Snapshots dated at or before `as_of` (all when `None`), oldest first.
pub async fn load_snapshots(
    store: &Store,
    as_of: Option<NaiveDate>,
) -> Result<Vec<StatusSnapshot>> {
    Ok(load_snapshots_with_ids(store, as_of)
        .await?
        .into_iter()
        .map(|s| s.snapshot)
        .collect())
}

/// A status snapshot with its row ID.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSnapshot {
    /// `status_snapshots.id`.
    pub id: i64,
    /// The snapshot.
    pub snapshot: StatusSnapshot,
}

/// Snapshots dated at or before `as_of` (all when `None`) with their IDs, oldest first (the
/// order of [`load_snapshots`]).
pub async fn load_snapshots_with_ids(
    store: &Store,
    as_of: Option<NaiveDate>,
) -> Result<Vec<StoredSnapshot>> {
    let pool = store.pool();
    let limit = as_of
        .map(|d| d.to_string())
        .unwrap_or_else(|| "9999-12-31".into());
    let mut snapshots: Vec<(i64, StatusSnapshot)> = Vec::new();
    for row in sqlx::query(
        "SELECT id, as_of, source, skipped FROM status_snapshots WHERE as_of <= $1 \
         ORDER BY as_of, id",
    )
    .bind(limit.clone())
    .fetch_all(pool)
    .await?
    {
        let skipped: String = row.try_get(3)?;
        let Some(as_of) = date(row.try_get(1)?) else {
            continue;
        };
        snapshots.push((
            row.try_get(0)?,
            StatusSnapshot {
                as_of,
                source: row.try_get(2)?,
                entries: Vec::new(),
                skipped: serde_json::from_str(&skipped)?,
            },
        ));
    }
    let index: HashMap<i64, usize> = snapshots
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (*id, i))
        .collect();
    for row in sqlx::query(
        "SELECT e.snapshot_id, e.metal, e.cid, e.standard_name, e.country, e.state_province, \
         e.status, e.status_text, e.last_audit, e.last_audit_text, e.audit_cycle_years, \
         e.reaudit_due, e.reaudit_in_progress, e.cross_recognition \
         FROM status_entries e JOIN status_snapshots s ON s.id = e.snapshot_id \
         WHERE s.as_of <= $1 ORDER BY e.snapshot_id, e.position",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?
    {
        let Some(&i) = index.get(&row.try_get::<i64, _>(0)?) else {
            continue;
        };
        let status: String = row.try_get(6)?;
        snapshots[i].1.entries.push(StatusEntry {
            metal: row.try_get(1)?,
            cid: row.try_get(2)?,
            standard_name: row.try_get(3)?,
            country: row.try_get(4)?,
            state_province: row.try_get(5)?,
            status: parse_status(&status),
            status_text: row.try_get(7)?,
            last_audit: date(row.try_get(8)?),
            last_audit_text: row.try_get(9)?,
            audit_cycle_years: row
                .try_get::<Option<i64>, _>(10)?
                .and_then(|y| u32::try_from(y).ok()),
            reaudit_due: date(row.try_get(11)?),
            reaudit_in_progress: row.try_get::<Option<i64>, _>(12)?.map(|v| v != 0),
            cross_recognition: row.try_get(13)?,
        });
    }
    Ok(snapshots
        .into_iter()
        .map(|(id, snapshot)| StoredSnapshot { id, snapshot })
        .collect())
}

/// A registry facility's current name, country and listing, as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RegistryRow {
    /// Normalised metal.
    pub metal_key: String,
    /// CID.
    pub cid: String,
    /// Metal as written.
    pub metal: String,
    /// Standard name.
    pub standard_name: String,
    /// Country.
    pub country: Option<String>,
    /// Dropped from RMI's newest look-up.
    pub no_longer_listed: bool,
}

/// Every facility of the stored registry with its current name, country and listing (in no
/// particular order).
pub async fn registry_rows(store: &Store) -> Result<Vec<RegistryRow>> {
    sqlx::query(
        "SELECT metal_key, cid, metal, standard_name, country, no_longer_listed FROM facilities",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(RegistryRow {
            metal_key: r.try_get(0)?,
            cid: r.try_get(1)?,
            metal: r.try_get(2)?,
            standard_name: r.try_get(3)?,
            country: r.try_get(4)?,
            no_longer_listed: r.try_get::<i64, _>(5)? != 0,
        })
    })
    .collect()
}

/// Synchronous access to the registry for code written against
/// [`oretrail_facilities::FacilityStore`] (call it from outside an async context).
pub struct RegistryHandle<'a> {
    /// The store.
    pub store: &'a Store,
    /// A handle to a multi-threaded Tokio runtime that drives the store's I/O.
    pub runtime: tokio::runtime::Handle,
}

impl oretrail_facilities::FacilityStore for RegistryHandle<'_> {
    fn load(&self) -> Result<FacilityRegistry, oretrail_facilities::StoreError> {
        self.runtime
            .block_on(load_registry(self.store))
            .map_err(|e| oretrail_facilities::StoreError::Backend(Box::new(e)))
    }

    fn save(&self, registry: &FacilityRegistry) -> Result<(), oretrail_facilities::StoreError> {
        self.runtime
            .block_on(save_registry(self.store, registry))
            .map_err(|e| oretrail_facilities::StoreError::Backend(Box::new(e)))
    }
}
