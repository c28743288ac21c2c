//! Backup and restore: the database and the originals it refers to, in one zip archive.
//!
//! Archive layout: `manifest.json` (format, time, row count per table, originals), then
//! `oretrail.db` (a SQLite snapshot taken with `VACUUM INTO`, consistent while other processes
//! write), then `originals/<aa>/<sha256>` for exactly the originals the snapshot refers to.
//! Originals are written to disk before any row names them, so every original the snapshot
//! names exists when it is copied; each is re-hashed on the way in and on the way out.
//! PostgreSQL stores are backed up with `pg_dump` plus a copy of the originals folder (see
//! `docs/deployment.md`); [`backup`] refuses them.

use crate::Store;
use crate::db::Backend;
use crate::error::{Result, StoreError};
use crate::originals::{Originals, is_sha256_hex, sha256_hex};
use crate::verify::{referenced_in, table_counts};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyPoolOptions;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Format tag written into every archive's manifest.
pub const FORMAT: &str = "oretrail-backup/1";

/// Largest original restored (bytes); larger entries are refused.
const MAX_ORIGINAL: u64 = 1 << 30;

/// What an archive holds (its `manifest.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// When the snapshot was taken (RFC 3339 UTC).
    pub created_at: String,
    /// Rows per table in the snapshot.
    pub tables: BTreeMap<String, i64>,
    /// Originals in the archive (the ones the snapshot refers to).
    pub originals: usize,
    /// Bytes of originals in the archive.
    pub original_bytes: u64,
}

/// Writes a backup archive of a SQLite store to `out` (which must not exist).
pub async fn backup(store: &Store, out: &Path) -> Result<Manifest> {
    if store.backend() != Backend::Sqlite {
        return Err(StoreError::Invalid(
            "a PostgreSQL store is backed up with pg_dump and a copy of the originals folder \
             (see docs/deployment.md)"
                .into(),
        ));
    }
    if out.exists() {
        return Err(StoreError::Invalid(format!(
            "{} exists already; choose a new archive name",
            out.display()
        )));
    }
    let work = sibling(out, &format!(".snapshot-{}", std::process::id()));
    std::fs::create_dir_all(&work).map_err(|e| StoreError::io(&work, e))?;
    let result = write_archive(store, out, &work).await;
    let _ = std::fs::remove_dir_all(&work);
    result
}

async fn write_archive(store: &Store, out: &Path, work: &Path) -> Result<Manifest> {
    let snapshot = work.join("oretrail.db");
    let target = snapshot
        .to_str()
        .ok_or_else(|| StoreError::Invalid(format!("{} is not UTF-8", snapshot.display())))?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "VACUUM INTO '{}'",
        target.replace('\'', "''")
    )))
    .execute(store.pool())
    .await?;
    let pool = open_sqlite(&snapshot, true).await?;
    let counted = async {
        let tables = table_counts(&pool, Backend::Sqlite).await?;
        let referenced = referenced_in(&pool, Backend::Sqlite).await?;
        Ok::<_, StoreError>((tables, referenced))
    }
    .await;
    pool.close().await;
    let (tables, referenced) = counted?;

    let originals = store.originals().clone();
    let out = out.to_path_buf();
    let partial = sibling(&out, ".partial");
    let created_at = crate::db::now();
    let task = tokio::task::spawn_blocking(move || -> Result<Manifest> {
        let file = std::fs::File::create_new(&partial).map_err(|e| StoreError::io(&partial, e))?;
        let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        let zip_err =
            |e: zip::result::ZipError| StoreError::Invalid(format!("writing the archive: {e}"));
        let io_err = |e: std::io::Error| StoreError::io(&partial, e);
        // Originals first into memory one at a time, checked against their names.
        let mut original_bytes = 0u64;
        let mut manifest = Manifest {
            format: FORMAT.into(),
            created_at,
            tables,
            originals: referenced.len(),
            original_bytes: 0,
        };
        let mut entries = Vec::with_capacity(referenced.len());
        for sha in &referenced {
            let path = originals.path_of(sha);
            let len = std::fs::metadata(&path)
                .map_err(|e| StoreError::io(&path, e))?
                .len();
            original_bytes += len;
            entries.push(sha.clone());
        }
        manifest.original_bytes = original_bytes;
        zip.start_file("manifest.json", options).map_err(zip_err)?;
        zip.write_all(&serde_json::to_vec_pretty(&manifest)?)
            .map_err(io_err)?;
        zip.start_file("oretrail.db", options).map_err(zip_err)?;
        let mut db = std::fs::File::open(&snapshot).map_err(|e| StoreError::io(&snapshot, e))?;
        std::io::copy(&mut db, &mut zip).map_err(io_err)?;
        for sha in &entries {
            let bytes = originals.read(sha)?;
            let prefix = sha.get(..2).unwrap_or("xx");
            zip.start_file(format!("originals/{prefix}/{sha}"), options)
                .map_err(zip_err)?;
            zip.write_all(&bytes).map_err(io_err)?;
        }
        let writer = zip.finish().map_err(zip_err)?;
        let file = writer.into_inner().map_err(|e| io_err(e.into_error()))?;
        file.sync_all().map_err(io_err)?;
        drop(file);
        std::fs::rename(&partial, &out).map_err(|e| StoreError::io(&out, e))?;
        Ok(manifest)
    });
    task.await
        .map_err(|e| StoreError::Invalid(format!("backup thread failed: {e}")))?
}

/// What [`restore`] put back.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// The archive's manifest.
    pub manifest: Manifest,
    /// Originals written (each checked against its name).
    pub originals: usize,
}

/// Restores an archive into an empty data directory (the store's SQLite file and originals).
///
/// Entry names are never used as paths: only `manifest.json`, `oretrail.db` and
/// `originals/<aa>/<sha256>` are accepted, and an original's bytes must hash to its name.
/// Row counts are checked against the manifest after the restore.
pub async fn restore(archive: &Path, data_dir: &Path) -> Result<RestoreReport> {
    if data_dir.join("oretrail.db").exists() || non_empty(&data_dir.join("originals")) {
        return Err(StoreError::Invalid(format!(
            "{} already holds a store; restore into an empty data directory",
            data_dir.display()
        )));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| StoreError::io(data_dir, e))?;
    let archive = archive.to_path_buf();
    let dir = data_dir.to_path_buf();
    let (manifest, originals) = tokio::task::spawn_blocking(move || extract(&archive, &dir))
        .await
        .map_err(|e| StoreError::Invalid(format!("restore thread failed: {e}")))??;
    let pool = open_sqlite(&data_dir.join("oretrail.db"), false).await?;
    let counted = table_counts(&pool, Backend::Sqlite).await;
    pool.close().await;
    let tables = counted?;
    if tables != manifest.tables {
        return Err(StoreError::Invalid(
            "the restored database's row counts differ from the archive's manifest".into(),
        ));
    }
    Ok(RestoreReport {
        manifest,
        originals,
    })
}

fn extract(archive: &Path, data_dir: &Path) -> Result<(Manifest, usize)> {
    let file = std::fs::File::open(archive).map_err(|e| StoreError::io(archive, e))?;
    let bad = |what: String| StoreError::Invalid(format!("{}: {what}", archive.display()));
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| bad(format!("not a backup archive ({e})")))?;
    let mut manifest: Option<Manifest> = None;
    let mut have_db = false;
    let mut originals = 0usize;
    let store = Originals::new(data_dir.join("originals"));
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad(e.to_string()))?;
        let name = entry.name().map_err(|e| bad(e.to_string()))?.into_owned();
        match name.as_str() {
            "manifest.json" => {
                let mut text = Vec::new();
                entry
                    .by_ref()
                    .take(1 << 24)
                    .read_to_end(&mut text)
                    .map_err(|e| bad(e.to_string()))?;
                let m: Manifest = serde_json::from_slice(&text)?;
                if m.format != FORMAT {
                    return Err(bad(format!("unknown format '{}'", m.format)));
                }
                manifest = Some(m);
            }
            "oretrail.db" => {
                let target = data_dir.join("oretrail.db");
                let partial = data_dir.join("oretrail.db.partial");
                let mut f =
                    std::fs::File::create(&partial).map_err(|e| StoreError::io(&partial, e))?;
                std::io::copy(&mut entry, &mut f).map_err(|e| StoreError::io(&partial, e))?;
                f.sync_all().map_err(|e| StoreError::io(&partial, e))?;
                drop(f);
                std::fs::rename(&partial, &target).map_err(|e| StoreError::io(&target, e))?;
                have_db = true;
            }
            _ => {
                let sha = original_name(&name)
                    .ok_or_else(|| bad(format!("unexpected entry '{name}'")))?;
                if entry.size() > MAX_ORIGINAL {
                    return Err(bad(format!("entry '{name}' is too large")));
                }
                let mut bytes = Vec::new();
                entry
                    .by_ref()
                    .take(MAX_ORIGINAL + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| bad(e.to_string()))?;
                if sha256_hex(&bytes) != sha {
                    return Err(bad(format!("original {sha} is damaged in the archive")));
                }
                store.put_with_hash(&bytes, sha)?;
                originals += 1;
            }
        }
    }
    let manifest = manifest.ok_or_else(|| bad("no manifest.json".into()))?;
    if !have_db {
        return Err(bad("no oretrail.db".into()));
    }
    if originals != manifest.originals {
        return Err(bad(format!(
            "{originals} originals, the manifest lists {}",
            manifest.originals
        )));
    }
    Ok((manifest, originals))
}

/// The hash an `originals/<aa>/<sha256>` entry name designates, if it is exactly that.
fn original_name(name: &str) -> Option<&str> {
    let rest = name.strip_prefix("originals/")?;
    let (prefix, sha) = rest.split_once('/')?;
    (is_sha256_hex(sha) && sha.get(..2) == Some(prefix)).then_some(sha)
}

fn non_empty(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some())
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// A one-connection pool on a SQLite file, without migrations.
async fn open_sqlite(path: &Path, read_only: bool) -> Result<sqlx::AnyPool> {
    sqlx::any::install_default_drivers();
    let mode = if read_only { "ro" } else { "rw" };
    let url = format!("sqlite://{}?mode={mode}", path.display());
    Ok(AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_original_names_are_accepted() {
        let sha = sha256_hex(b"x");
        assert_eq!(
            original_name(&format!("originals/{}/{sha}", &sha[..2])),
            Some(sha.as_str())
        );
        assert_eq!(original_name(&format!("originals/00/{sha}")), None);
        assert_eq!(original_name("originals/../../evil"), None);
        assert_eq!(original_name("/etc/passwd"), None);
    }
}
