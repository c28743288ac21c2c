//! Persistence of the facility registry behind a small trait, so that a database store can
//! replace the JSON file later without touching callers.

use crate::registry::{FacilityRegistry, REGISTRY_FORMAT_VERSION};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The registry could not be loaded or saved.
#[derive(Debug, Error)]
pub enum StoreError {
    /// File-system error.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The stored file is not a valid registry.
    #[error("{path} is not a valid facility registry: {source}")]
    Json {
        /// File involved.
        path: PathBuf,
        /// Underlying error.
        source: serde_json::Error,
    },
    /// The stored registry has a layout this version cannot read.
    #[error("{path} has registry format {found}; this Oretrail reads format {expected}")]
    UnsupportedFormat {
        /// File involved.
        path: PathBuf,
        /// Format found.
        found: u32,
        /// Format supported.
        expected: u32,
    },
    /// Error of another storage backend.
    #[error("facility store: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
}

/// Where the facility registry lives.
pub trait FacilityStore {
    /// Loads the registry; an empty one when nothing has been stored yet.
    fn load(&self) -> Result<FacilityRegistry, StoreError>;
    /// Saves the whole registry atomically.
    fn save(&self, registry: &FacilityRegistry) -> Result<(), StoreError>;
}

/// The registry as one pretty-printed JSON file, replaced atomically on save.
#[derive(Debug, Clone)]
pub struct JsonFileStore {
    path: PathBuf,
}

impl JsonFileStore {
    /// A store at `path` (the file need not exist yet).
    pub fn new(path: impl Into<PathBuf>) -> JsonFileStore {
        JsonFileStore { path: path.into() }
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl FacilityStore for JsonFileStore {
    fn load(&self) -> Result<FacilityRegistry, StoreError> {
        let bytes = match std::fs::read(&self.path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(FacilityRegistry::new());
            }
            Err(source) => {
                return Err(StoreError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let mut registry: FacilityRegistry =
            serde_json::from_slice(&bytes).map_err(|source| StoreError::Json {
                path: self.path.clone(),
                source,
            })?;
        if registry.format_version != REGISTRY_FORMAT_VERSION {
            return Err(StoreError::UnsupportedFormat {
                path: self.path.clone(),
                found: registry.format_version,
                expected: REGISTRY_FORMAT_VERSION,
            });
        }
        registry.rebuild_index();
        Ok(registry)
    }

    fn save(&self, registry: &FacilityRegistry) -> Result<(), StoreError> {
        let io = |source| StoreError::Io {
            path: self.path.clone(),
            source,
        };
        let json = serde_json::to_vec_pretty(registry).map_err(|source| StoreError::Json {
            path: self.path.clone(),
            source,
        })?;
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "registry.json".into());
        let tmp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&json)?;
            f.write_all(b"\n")?;
            f.sync_all()?;
            std::fs::rename(&tmp, &self.path)?;
            // Make the rename itself durable where directories can be synced.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            io(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::{Family, LookupEntry};

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("oretrail-store-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn a_missing_file_loads_as_an_empty_registry() {
        let store = JsonFileStore::new(dir("missing").join("none.json"));
        let reg = store.load().expect("empty");
        assert!(reg.facilities().is_empty());
    }

    #[test]
    fn the_registry_round_trips_through_the_json_file() {
        let d = dir("roundtrip");
        let store = JsonFileStore::new(d.join("sub").join("facilities.json"));
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Emrt,
            "2.1",
            &[LookupEntry {
                metal: "Cobalt".into(),
                lookup_name: "Freeport Kokkola".into(),
                standard_name: Some("Umicore Finland Oy".into()),
                country: Some("FINLAND".into()),
                cid: Some("CID003226".into()),
                source: Some("RMI".into()),
                street: None,
                city: Some("Kokkola".into()),
                state_province: None,
            }],
        );
        reg.remember_alias("Cobalt", "Umicore Kokkola", "CID003226", "analyst")
            .expect("known facility");
        store.save(&reg).expect("saved");
        let back = store.load().expect("loaded");
        assert_eq!(back, reg);
        assert!(back.facility("cobalt", "CID003226").is_some());
        let leftovers: Vec<_> = std::fs::read_dir(d.join("sub"))
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn a_corrupt_file_is_reported_with_its_path() {
        let d = dir("corrupt");
        let path = d.join("bad.json");
        std::fs::write(&path, "{ not json").expect("write");
        let err = JsonFileStore::new(&path).load().expect_err("corrupt");
        assert!(err.to_string().contains("bad.json"), "{err}");
        std::fs::remove_dir_all(&d).ok();
    }
}
