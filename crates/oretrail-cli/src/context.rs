//! Where the CLI's data lives, and the pipeline every command shares.

use anyhow::{Context as _, Result};
use oretrail_facilities::{FacilityRegistry, FacilityStore};
use oretrail_pipeline::Pipeline;
use std::path::{Path, PathBuf};

/// The data directory and database the command works on.
pub struct Context {
    /// Data directory.
    pub data_dir: PathBuf,
    /// Database URL, when given.
    #[allow(dead_code)]
    pub database_url: Option<String>,
}

impl Context {
    /// Resolves the data directory: the option, else the platform's data directory.
    pub fn new(data_dir: Option<PathBuf>, database_url: Option<String>) -> Context {
        let data_dir = data_dir.unwrap_or_else(|| {
            dirs::data_dir()
                .unwrap_or_else(|| PathBuf::from("."))
                .join("oretrail")
        });
        Context {
            data_dir,
            database_url,
        }
    }

    /// The store (database and originals) of this data directory or database URL; the
    /// facility registry and status snapshots live there.
    fn registry_store(&self) -> Result<crate::store::StoreSession> {
        crate::store::StoreSession::open(self)
    }

    /// A pipeline with the stored facility registry. When nothing is stored yet and RMI's blank
    /// templates are at hand (`templates/rmi`), their look-ups are learned first.
    pub fn pipeline(&self) -> Result<Pipeline> {
        let registry = self.registry_store()?.load().with_context(|| {
            format!(
                "loading the facility registry in {}",
                self.data_dir.display()
            )
        })?;
        let empty = registry.sources().is_empty();
        let mut pipeline = Pipeline::new(registry);
        let bundled = Path::new("templates/rmi");
        if empty && bundled.is_dir() {
            let n = pipeline.learn_folder(bundled);
            eprintln!(
                "learned the smelter look-ups of {n} RMI template version(s) from {}",
                bundled.display()
            );
        }
        Ok(pipeline)
    }

    /// The imported RMAP status snapshots.
    pub fn load_status_history(&self) -> Result<oretrail_facilities::StatusHistory> {
        crate::store::load_status_history(&self.registry_store()?)
    }

    /// Adds the new status snapshots to the store (stored ones are never changed).
    pub fn save_status_history(&self, history: &oretrail_facilities::StatusHistory) -> Result<()> {
        crate::store::save_status_history(&self.registry_store()?, history)
    }

    /// Persists what the pipeline learned (look-ups of template versions seen in files).
    pub fn save_registry(&self, registry: &FacilityRegistry) -> Result<()> {
        std::fs::create_dir_all(&self.data_dir)
            .with_context(|| format!("creating {}", self.data_dir.display()))?;
        self.registry_store()?.save(registry).with_context(|| {
            format!(
                "saving the facility registry in {}",
                self.data_dir.display()
            )
        })
    }
}
