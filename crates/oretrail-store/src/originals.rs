//! Originals: every received file, byte for byte, addressed by its SHA-256.
//!
//! Layout: `<data-dir>/originals/<first two hex digits>/<64 hex digits>`. A file is written to a
//! temporary name in the same folder, flushed to disk (`fsync`), renamed into place, and the
//! folder is synced, before [`Originals::put`] returns — so the database can only ever refer to
//! bytes that are already durable. Existing originals are never rewritten.

use crate::error::{Result, StoreError};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The content-addressed folder of originals.
#[derive(Debug, Clone)]
pub struct Originals {
    root: PathBuf,
}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Whether text is a lower-case hex SHA-256.
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl Originals {
    /// Originals kept under `root` (created on first write).
    pub fn new(root: impl Into<PathBuf>) -> Originals {
        Originals { root: root.into() }
    }

    /// The root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the original with this hash lives (whether or not it exists).
    pub fn path_of(&self, sha256: &str) -> PathBuf {
        let prefix = sha256.get(..2).unwrap_or("xx");
        self.root.join(prefix).join(sha256)
    }

    /// Whether the original is stored.
    pub fn contains(&self, sha256: &str) -> bool {
        self.path_of(sha256).is_file()
    }

    /// Stores bytes durably and returns their hash; bytes already stored are left untouched.
    pub fn put(&self, bytes: &[u8]) -> Result<String> {
        let sha = sha256_hex(bytes);
        self.put_with_hash(bytes, &sha)?;
        Ok(sha)
    }

    /// Stores bytes whose hash the caller computed with [`sha256_hex`].
    pub fn put_with_hash(&self, bytes: &[u8], sha256: &str) -> Result<()> {
        let path = self.path_of(sha256);
        if path.is_file() {
            return Ok(());
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        std::fs::create_dir_all(&dir).map_err(|e| StoreError::io(&dir, e))?;
        let tmp = dir.join(format!(
            ".tmp-{}-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed),
            &sha256[..sha256.len().min(16)]
        ));
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create_new(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            // Originals are evidence: read-only once in place.
            let mut perms = std::fs::metadata(&tmp)?.permissions();
            perms.set_readonly(true);
            std::fs::set_permissions(&tmp, perms)?;
            std::fs::rename(&tmp, &path)?;
            sync_dir(&dir)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            StoreError::io(&path, e)
        })
    }

    /// Reads an original back, checking that its bytes still hash to its name.
    pub fn read(&self, sha256: &str) -> Result<Vec<u8>> {
        let path = self.path_of(sha256);
        let bytes = std::fs::read(&path).map_err(|e| StoreError::io(&path, e))?;
        if sha256_hex(&bytes) != sha256 {
            return Err(StoreError::DamagedOriginal {
                sha256: sha256.to_string(),
                path,
            });
        }
        Ok(bytes)
    }
}

/// Makes a rename in `dir` durable where the platform allows syncing a folder.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(is_sha256_hex(&sha256_hex(b"")));
        assert!(!is_sha256_hex("../etc/passwd"));
    }

    #[test]
    fn put_is_idempotent_and_read_checks_the_bytes() {
        let dir = std::env::temp_dir().join(format!("oretrail-originals-{}", std::process::id()));
        let o = Originals::new(&dir);
        let a = o.put(b"evidence").expect("stored");
        let b = o.put(b"evidence").expect("stored again");
        assert_eq!(a, b);
        assert_eq!(o.read(&a).expect("read"), b"evidence");
        let leftovers = std::fs::read_dir(o.path_of(&a).parent().expect("dir"))
            .expect("dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp"))
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).ok();
    }
}
