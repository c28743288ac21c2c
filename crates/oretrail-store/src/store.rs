//! The [`Store`]: a database pool and the originals folder, opened together.

use crate::db::{self, Backend};
use crate::error::{Result, StoreError};
use crate::originals::Originals;
use sqlx::AnyPool;
use std::path::{Path, PathBuf};

/// Where the store lives.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// Data directory: the SQLite file (when no URL is given) and the originals.
    pub data_dir: PathBuf,
    /// Database URL (`postgres://...` or `sqlite://...`); `None` for `<data_dir>/oretrail.db`.
    pub database_url: Option<String>,
}

impl StoreConfig {
    /// The store in a data directory, on its embedded SQLite file.
    pub fn sqlite(data_dir: impl Into<PathBuf>) -> StoreConfig {
        StoreConfig {
            data_dir: data_dir.into(),
            database_url: None,
        }
    }
}

/// An open store: database (migrated) and originals.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    originals: Originals,
    data_dir: PathBuf,
}

impl Store {
    /// Opens (creating when needed) the store and applies pending migrations.
    pub async fn open(config: &StoreConfig) -> Result<Store> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StoreError::io(&config.data_dir, e))?;
        let url = match &config.database_url {
            Some(url) => url.clone(),
            None => db::sqlite_url(&config.data_dir),
        };
        // Two processes opening a new SQLite store at once must not both migrate it
        // (PostgreSQL migrations take an advisory lock of their own).
        let lock_path = config.data_dir.join(".migrate.lock");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::io(&lock_path, e))?;
        lock.lock().map_err(|e| StoreError::io(&lock_path, e))?;
        let connected = db::connect(&url).await;
        let _ = lock.unlock();
        let (pool, backend) = connected?;
        Ok(Store {
            pool,
            backend,
            originals: Originals::new(config.data_dir.join("originals")),
            data_dir: config.data_dir.clone(),
        })
    }

    /// The connection pool (repository modules only).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Which database is in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The originals folder.
    pub fn originals(&self) -> &Originals {
        &self.originals
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Closes the pool (waits for connections to finish).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}
