//! The store every command works on (`--data-dir`, `--database-url`), opened with a runtime
//! that drives its I/O, and the facility registry and status history kept in it.

use crate::context::Context;
use anyhow::{Context as _, Result};
use oretrail_facilities::{FacilityRegistry, FacilityStore, StatusHistory};
use oretrail_store::{Store, StoreConfig, facilities};
use std::future::Future;

/// An open store and the runtime its calls run on.
pub struct StoreSession {
    runtime: tokio::runtime::Runtime,
    /// The store.
    pub store: Store,
}

impl StoreSession {
    /// Opens the context's store (creating and migrating it when needed). Registry and status
    /// files of earlier versions (`facilities.json`, `status-history.json`) are moved in once.
    pub fn open(ctx: &Context) -> Result<StoreSession> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let config = StoreConfig {
            data_dir: ctx.data_dir.clone(),
            database_url: ctx.database_url.clone(),
        };
        let store =
            runtime
                .block_on(Store::open(&config))
                .with_context(|| match &config.database_url {
                    Some(url) => {
                        format!("opening the store at {}", oretrail_store::db::redact(url))
                    }
                    None => format!("opening the store in {}", config.data_dir.display()),
                })?;
        let session = StoreSession { runtime, store };
        session.adopt_legacy_files(ctx)?;
        Ok(session)
    }

    /// Runs a store call to completion.
    pub fn run<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    fn adopt_legacy_files(&self, ctx: &Context) -> Result<()> {
        let json = ctx.data_dir.join("facilities.json");
        if json.is_file() {
            let stored = self.run(facilities::load_registry(&self.store))?;
            if stored.sources().is_empty() {
                let legacy = oretrail_facilities::JsonFileStore::new(&json)
                    .load()
                    .with_context(|| format!("reading {}", json.display()))?;
                self.run(facilities::save_registry(&self.store, &legacy))?;
                eprintln!(
                    "moved the facility registry from {} into the store",
                    json.display()
                );
            }
            std::fs::rename(&json, json.with_extension("json.moved-to-store"))
                .with_context(|| format!("renaming {}", json.display()))?;
        }
        let history = ctx.data_dir.join("status-history.json");
        if history.is_file() {
            let text = std::fs::read_to_string(&history)
                .with_context(|| format!("reading {}", history.display()))?;
            let legacy: StatusHistory = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a status history", history.display()))?;
            save_status_history(self, &legacy)?;
            std::fs::rename(&history, history.with_extension("json.moved-to-store"))
                .with_context(|| format!("renaming {}", history.display()))?;
            eprintln!(
                "moved the status snapshots from {} into the store",
                history.display()
            );
        }
        Ok(())
    }
}

impl FacilityStore for StoreSession {
    fn load(&self) -> Result<FacilityRegistry, oretrail_facilities::StoreError> {
        self.run(facilities::load_registry(&self.store))
            .map_err(|e| oretrail_facilities::StoreError::Backend(Box::new(e)))
    }

    fn save(&self, registry: &FacilityRegistry) -> Result<(), oretrail_facilities::StoreError> {
        self.run(facilities::save_registry(&self.store, registry))
            .map_err(|e| oretrail_facilities::StoreError::Backend(Box::new(e)))
    }
}

/// Every stored status snapshot.
pub fn load_status_history(session: &StoreSession) -> Result<StatusHistory> {
    Ok(session.run(facilities::load_status_history(&session.store))?)
}

/// Adds the snapshots of `history` the store does not hold yet (snapshots are never changed).
pub fn save_status_history(session: &StoreSession, history: &StatusHistory) -> Result<()> {
    let stored = session.run(facilities::load_snapshots(&session.store, None))?;
    for s in history.snapshots() {
        if !stored.contains(s) {
            session.run(facilities::add_status_snapshot(&session.store, s))?;
        }
    }
    Ok(())
}
