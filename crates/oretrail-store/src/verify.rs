//! Verification: every original re-hashed against its name and matched against the database.
//!
//! An original is referenced by a `files` row (submissions), an ingest job or a `risk_evidence` row (evidence
//! kept by the risk register). [`verify`] reports originals whose bytes no longer hash to their
//! name (damaged), referenced originals that are missing, originals no row refers to, and stray
//! files in the originals folder; temporary files of interrupted writes are listed apart (they
//! are harmless and never referenced). On SQLite the database file's own integrity is checked too.

use crate::Store;
use crate::db::Backend;
use crate::error::{Result, StoreError};
use crate::originals::{is_sha256_hex, sha256_hex};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What [`verify`] found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VerifyReport {
    /// Originals found on disk and re-hashed.
    pub originals_checked: usize,
    /// Distinct originals the database refers to.
    pub referenced: usize,
    /// Originals whose bytes do not hash to their name.
    pub damaged: Vec<String>,
    /// Originals the database refers to that are not on disk.
    pub missing: Vec<String>,
    /// Originals on disk no database row refers to.
    pub unreferenced: Vec<String>,
    /// Files in the originals folder that are not originals (wrong name or place).
    pub stray: Vec<PathBuf>,
    /// Temporary files of interrupted writes (`.tmp-*`), never referenced.
    pub temporary: Vec<PathBuf>,
    /// Problems the database reports about itself (SQLite integrity and foreign-key checks).
    pub database_problems: Vec<String>,
}

impl VerifyReport {
    /// Whether nothing is damaged, missing, unreferenced or stray and the database is sound.
    pub fn is_clean(&self) -> bool {
        self.damaged.is_empty()
            && self.missing.is_empty()
            && self.unreferenced.is_empty()
            && self.stray.is_empty()
            && self.database_problems.is_empty()
    }
}

/// Every original's hash as the database refers to it (submissions' files and risk evidence).
pub async fn referenced_originals(store: &Store) -> Result<BTreeSet<String>> {
    referenced_in(store.pool(), store.backend()).await
}

/// The referenced originals of any open store database.
pub(crate) async fn referenced_in(
    pool: &sqlx::AnyPool,
    backend: Backend,
) -> Result<BTreeSet<String>> {
    let mut set = BTreeSet::new();
    for row in sqlx::query("SELECT sha256 FROM files")
        .fetch_all(pool)
        .await?
    {
        set.insert(row.try_get::<String, _>(0)?);
    }
    for row in sqlx::query("SELECT DISTINCT file_sha256 FROM submissions")
        .fetch_all(pool)
        .await?
    {
        set.insert(row.try_get::<String, _>(0)?);
    }
    // Queued files: stored before any submission refers to them.
    for row in
        sqlx::query("SELECT DISTINCT file_sha256 FROM ingest_jobs WHERE file_sha256 IS NOT NULL")
            .fetch_all(pool)
            .await?
    {
        set.insert(row.try_get::<String, _>(0)?);
    }
    if table_exists(pool, backend, "risk_evidence").await? {
        for row in sqlx::query("SELECT DISTINCT sha256 FROM risk_evidence")
            .fetch_all(pool)
            .await?
        {
            set.insert(row.try_get::<String, _>(0)?);
        }
    }
    Ok(set)
}

/// Whether a table exists in the store's database.
pub(crate) async fn table_exists(
    pool: &sqlx::AnyPool,
    backend: Backend,
    name: &str,
) -> Result<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql).bind(name).fetch_one(pool).await?;
    Ok(n > 0)
}

/// Row count of every table of the database (sqlx's own bookkeeping included), by name.
pub async fn table_counts(pool: &sqlx::AnyPool, backend: Backend) -> Result<BTreeMap<String, i64>> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let names: Vec<String> = sqlx::query_scalar(sql).fetch_all(pool).await?;
    let mut counts = BTreeMap::new();
    for name in names {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM {quoted}"
        )))
        .fetch_one(pool)
        .await?;
        counts.insert(name, n);
    }
    Ok(counts)
}

/// The database's own checks: SQLite `integrity_check` and `foreign_key_check` (none on PostgreSQL).
pub(crate) async fn database_problems(
    pool: &sqlx::AnyPool,
    backend: Backend,
) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if backend == Backend::Sqlite {
        let lines: Vec<String> = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_all(pool)
            .await?;
        problems.extend(lines.into_iter().filter(|l| l != "ok"));
        let dangling: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pragma_foreign_key_check")
            .fetch_one(pool)
            .await?;
        if dangling > 0 {
            problems.push(format!("{dangling} row(s) refer to rows that do not exist"));
        }
    }
    Ok(problems)
}

/// What the originals folder holds, every file re-hashed.
#[derive(Debug, Default)]
struct Scan {
    /// Hash named → whether the bytes match it.
    originals: BTreeMap<String, bool>,
    stray: Vec<PathBuf>,
    temporary: Vec<PathBuf>,
}

fn scan(root: &Path) -> Result<Scan> {
    let mut out = Scan::default();
    if !root.is_dir() {
        return Ok(out);
    }
    let read = |dir: &Path| -> Result<Vec<std::fs::DirEntry>> {
        let mut entries = std::fs::read_dir(dir)
            .map_err(|e| StoreError::io(dir, e))?
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| StoreError::io(dir, e))?;
        entries.sort_by_key(|e| e.file_name());
        Ok(entries)
    };
    for prefix in read(root)? {
        let prefix_path = prefix.path();
        let prefix_name = prefix.file_name().to_string_lossy().into_owned();
        if !prefix_path.is_dir() {
            out.stray.push(prefix_path);
            continue;
        }
        for entry in read(&prefix_path)? {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tmp-") {
                out.temporary.push(path);
            } else if is_sha256_hex(&name)
                && name.get(..2) == Some(prefix_name.as_str())
                && path.is_file()
            {
                let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
                let intact = sha256_hex(&bytes) == name;
                out.originals.insert(name, intact);
            } else {
                out.stray.push(path);
            }
        }
    }
    Ok(out)
}

/// Re-hashes every original and checks it against the database (see the module comment).
pub async fn verify(store: &Store) -> Result<VerifyReport> {
    let root = store.originals().root().to_path_buf();
    let scanned = tokio::task::spawn_blocking(move || scan(&root))
        .await
        .map_err(|e| StoreError::Invalid(format!("verification thread failed: {e}")))??;
    let referenced = referenced_originals(store).await?;
    let mut report = VerifyReport {
        originals_checked: scanned.originals.len(),
        referenced: referenced.len(),
        stray: scanned.stray,
        temporary: scanned.temporary,
        database_problems: database_problems(store.pool(), store.backend()).await?,
        ..VerifyReport::default()
    };
    for (sha, intact) in &scanned.originals {
        if !intact {
            report.damaged.push(sha.clone());
        }
        if !referenced.contains(sha) {
            report.unreferenced.push(sha.clone());
        }
    }
    for sha in &referenced {
        if !scanned.originals.contains_key(sha) {
            report.missing.push(sha.clone());
        }
    }
    Ok(report)
}
