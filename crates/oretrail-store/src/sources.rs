//! What `ingest` reads: files, folders (recursively) and zip archives (folders inside them and
//! archives inside archives, to a bounded depth).
//!
//! Archive entries are read into memory, never extracted to disk, so an entry's name is only a
//! label; names that would escape a folder (`../`, absolute paths) are refused all the same, as a
//! sign of a hostile archive. Every read is bounded: bytes per file, entries and total bytes per
//! archive, compression ratio and nesting depth (zip-bomb guards).

use std::io::{Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use zip::ZipArchive;

/// Bounds on what is read.
#[derive(Debug, Clone, Copy)]
pub struct SourceLimits {
    /// Largest file or archive entry taken, in bytes.
    pub max_file_bytes: u64,
    /// Most entries an archive may list.
    pub max_archive_entries: usize,
    /// Most uncompressed bytes read from one top-level archive (nested ones included).
    pub max_archive_total_bytes: u64,
    /// Highest uncompressed/compressed ratio of an entry larger than 1 MiB.
    pub max_compression_ratio: u64,
    /// Deepest archive nesting (1: archives, not archives inside archives).
    pub max_depth: usize,
}

impl Default for SourceLimits {
    fn default() -> Self {
        SourceLimits {
            max_file_bytes: 100 * 1024 * 1024,
            max_archive_entries: 100_000,
            max_archive_total_bytes: 32 * 1024 * 1024 * 1024,
            max_compression_ratio: 1_000,
            max_depth: 3,
        }
    }
}

/// One thing found.
#[derive(Debug)]
pub enum Item {
    /// A file's bytes.
    File {
        /// Label: path, or `archive.zip/folder/file.xlsx`.
        name: String,
        /// How it came ("file", "zip archive").
        via: &'static str,
        /// Its bytes.
        bytes: Vec<u8>,
    },
    /// Something that could not be taken, and why.
    Refused {
        /// Label.
        name: String,
        /// Why.
        reason: String,
    },
}

/// Whether a name looks like a spreadsheet or an archive worth opening in a folder walk.
fn is_candidate(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    if base.starts_with("~$") || base.starts_with('.') || name.starts_with("__MACOSX/") {
        return false;
    }
    let lower = base.to_lowercase();
    [".xlsx", ".xlsm", ".xls", ".zip"]
        .iter()
        .any(|e| lower.ends_with(e))
}

fn is_spreadsheet_name(name: &str) -> bool {
    let lower = name.to_lowercase();
    [".xlsx", ".xlsm", ".xls"]
        .iter()
        .any(|e| lower.ends_with(e))
}

/// Whether bytes are a zip archive that is not an Office workbook (a bulk upload).
pub fn is_bulk_archive(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK\x03\x04") && !bytes.starts_with(b"PK\x05\x06") {
        return false;
    }
    match ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => {
            let mut content_types = false;
            let mut workbook = false;
            for name in archive.file_names().flatten() {
                content_types |= name == "[Content_Types].xml";
                workbook |= name == "xl/workbook.xml" || name == "xl/workbook.bin";
            }
            !(content_types && workbook)
        }
        Err(_) => false,
    }
}

/// Files named directly, and the candidate files of folders (sorted), in argument order.
pub fn list_paths(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk_dir(p, &mut found);
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        let Ok(kind) = e.file_type() else { continue };
        if kind.is_dir() {
            walk_dir(&path, out);
        } else if kind.is_file() && is_candidate(&e.file_name().to_string_lossy()) {
            out.push(path);
        }
    }
}

/// A rough count of the files `read_all` will yield (archive entries counted from their
/// directories, without reading them), for progress bars.
pub fn estimate(paths: &[PathBuf]) -> usize {
    list_paths(paths)
        .iter()
        .map(|p| {
            let is_zip = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("zip"));
            if !is_zip {
                return 1;
            }
            std::fs::File::open(p)
                .ok()
                .and_then(|f| ZipArchive::new(std::io::BufReader::new(f)).ok())
                .map(|a| a.file_names().flatten().filter(|n| is_candidate(n)).count())
                .unwrap_or(1)
        })
        .sum()
}

/// Reads every file under `paths` and hands each to `emit`, in order; stops early when `emit`
/// returns false.
pub fn read_all(paths: &[PathBuf], limits: &SourceLimits, emit: &mut dyn FnMut(Item) -> bool) {
    for path in list_paths(paths) {
        let name = path.display().to_string();
        if !read_path(&path, name, limits, emit) {
            return;
        }
    }
}

fn read_path(
    path: &Path,
    name: String,
    limits: &SourceLimits,
    emit: &mut dyn FnMut(Item) -> bool,
) -> bool {
    let size = match std::fs::metadata(path) {
        Ok(m) => m.len(),
        Err(e) => {
            return emit(Item::Refused {
                name,
                reason: format!("unreadable_path: {e}"),
            });
        }
    };
    if size > limits.max_file_bytes && !has_zip_extension(path) {
        return emit(Item::Refused {
            name,
            reason: format!(
                "too_large: {size} bytes, over the limit of {} bytes",
                limits.max_file_bytes
            ),
        });
    }
    if !is_spreadsheet_name(&name) {
        // Archives are read from disk as streams; small unknown files are sniffed.
        match std::fs::File::open(path) {
            Ok(f) => {
                let mut reader = std::io::BufReader::new(f);
                let mut magic = [0u8; 4];
                let is_zip = reader.read_exact(&mut magic).is_ok() && &magic == b"PK\x03\x04";
                if is_zip
                    && reader.rewind().is_ok()
                    && let Ok(archive) = ZipArchive::new(reader)
                    && !archive_is_workbook(&archive)
                {
                    let mut budget = limits.max_archive_total_bytes;
                    return read_archive(archive, &name, 1, limits, &mut budget, emit);
                }
            }
            Err(e) => {
                return emit(Item::Refused {
                    name,
                    reason: format!("unreadable_path: {e}"),
                });
            }
        }
        if size > limits.max_file_bytes {
            return emit(Item::Refused {
                name,
                reason: format!(
                    "too_large: {size} bytes, over the limit of {} bytes",
                    limits.max_file_bytes
                ),
            });
        }
    }
    match std::fs::read(path) {
        Ok(bytes) => emit(Item::File {
            name,
            via: "file",
            bytes,
        }),
        Err(e) => emit(Item::Refused {
            name,
            reason: format!("unreadable_path: {e}"),
        }),
    }
}

fn has_zip_extension(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn archive_is_workbook<R: Read + Seek>(archive: &ZipArchive<R>) -> bool {
    let names: Vec<_> = archive.file_names().flatten().collect();
    names.iter().any(|n| *n == "[Content_Types].xml")
        && names
            .iter()
            .any(|n| *n == "xl/workbook.xml" || *n == "xl/workbook.bin")
}

fn read_archive<R: Read + Seek>(
    mut archive: ZipArchive<R>,
    label: &str,
    depth: usize,
    limits: &SourceLimits,
    budget: &mut u64,
    emit: &mut dyn FnMut(Item) -> bool,
) -> bool {
    if archive.len() > limits.max_archive_entries {
        return emit(Item::Refused {
            name: label.to_string(),
            reason: format!(
                "too_many_entries: the archive lists {} entries, over the limit of {}",
                archive.len(),
                limits.max_archive_entries
            ),
        });
    }
    for i in 0..archive.len() {
        let mut entry = match archive.by_index(i) {
            Ok(e) => e,
            Err(e) => {
                if !emit(Item::Refused {
                    name: format!("{label}/#{i}"),
                    reason: format!("unreadable_entry: {e}"),
                }) {
                    return false;
                }
                continue;
            }
        };
        if entry.is_dir() {
            continue;
        }
        let raw_name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        if !is_candidate(&raw_name) {
            continue;
        }
        let name = format!("{label}/{raw_name}");
        if entry.enclosed_name().is_none() {
            if !emit(Item::Refused {
                name,
                reason: "unsafe_entry_name: absolute or escaping its folder; not read".into(),
            }) {
                return false;
            }
            continue;
        }
        let declared = entry.size();
        let compressed = entry.compressed_size().max(1);
        if declared > 1024 * 1024 && declared / compressed > limits.max_compression_ratio {
            if !emit(Item::Refused {
                name,
                reason: format!(
                    "zip_bomb: compression ratio {} over the limit of {}",
                    declared / compressed,
                    limits.max_compression_ratio
                ),
            }) {
                return false;
            }
            continue;
        }
        let cap = limits.max_file_bytes.min(*budget);
        let mut bytes = Vec::with_capacity(declared.min(cap) as usize);
        let read = (&mut entry).take(cap + 1).read_to_end(&mut bytes);
        drop(entry);
        if let Err(e) = read {
            if !emit(Item::Refused {
                name,
                reason: format!("unreadable_entry: {e}"),
            }) {
                return false;
            }
            continue;
        }
        if bytes.len() as u64 > cap {
            let reason = if cap < limits.max_file_bytes {
                format!(
                    "archive_too_large: more than {} uncompressed bytes in all; rest not read",
                    limits.max_archive_total_bytes
                )
            } else {
                format!(
                    "too_large: over the limit of {} bytes",
                    limits.max_file_bytes
                )
            };
            if !emit(Item::Refused { name, reason }) || cap < limits.max_file_bytes {
                return false;
            }
            continue;
        }
        *budget -= bytes.len() as u64;
        if !is_spreadsheet_name(&raw_name) && is_bulk_archive(&bytes) {
            if depth >= limits.max_depth {
                if !emit(Item::Refused {
                    name,
                    reason: format!(
                        "nested_too_deep: archives nested deeper than {} levels",
                        limits.max_depth
                    ),
                }) {
                    return false;
                }
                continue;
            }
            match ZipArchive::new(Cursor::new(bytes)) {
                Ok(inner) => {
                    if !read_archive(inner, &name, depth + 1, limits, budget, emit) {
                        return false;
                    }
                }
                Err(e) => {
                    if !emit(Item::Refused {
                        name,
                        reason: format!("unreadable_archive: {e}"),
                    }) {
                        return false;
                    }
                }
            }
            continue;
        }
        if !emit(Item::File {
            name,
            via: "zip archive",
            bytes,
        }) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::SimpleFileOptions;

    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, bytes) in entries {
            w.start_file(*name, SimpleFileOptions::default())
                .expect("entry");
            w.write_all(bytes).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn archives_nest_and_hostile_names_are_refused() {
        let inner = zip_of(&[("deep/b.xlsx", b"B")]);
        let outer = zip_of(&[
            ("folder/a.xlsx", b"A"),
            ("../evil.xlsx", b"E"),
            ("notes.txt", b"ignored"),
            ("inner.zip", &inner),
        ]);
        let dir = std::env::temp_dir().join(format!("oretrail-sources-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("bulk.zip"), &outer).expect("write");
        let mut seen = Vec::new();
        read_all(
            std::slice::from_ref(&dir),
            &SourceLimits::default(),
            &mut |item| {
                seen.push(match item {
                    Item::File { name, bytes, .. } => format!(
                        "file {} {}",
                        name.rsplit("bulk.zip/").next().unwrap_or(""),
                        bytes.len()
                    ),
                    Item::Refused { name, .. } => {
                        format!("refused {}", name.rsplit("bulk.zip/").next().unwrap_or(""))
                    }
                });
                true
            },
        );
        assert_eq!(
            seen,
            [
                "file folder/a.xlsx 1",
                "refused ../evil.xlsx",
                "file inner.zip/deep/b.xlsx 1"
            ]
        );
        let shallow = SourceLimits {
            max_depth: 1,
            ..SourceLimits::default()
        };
        let mut refused = 0;
        read_all(std::slice::from_ref(&dir), &shallow, &mut |item| {
            refused += usize::from(matches!(item, Item::Refused { .. }));
            true
        });
        assert_eq!(refused, 2, "the nested archive is refused at depth 1");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn a_bomb_is_stopped_by_the_size_limit() {
        let big = vec![0u8; 3 * 1024 * 1024];
        let archive = zip_of(&[("bomb.xlsx", &big)]);
        let limits = SourceLimits {
            max_file_bytes: 1024 * 1024,
            ..SourceLimits::default()
        };
        let mut reasons = Vec::new();
        let mut budget = limits.max_archive_total_bytes;
        read_archive(
            ZipArchive::new(Cursor::new(archive)).expect("zip"),
            "x.zip",
            1,
            &limits,
            &mut budget,
            &mut |item| {
                if let Item::Refused { reason, .. } = item {
                    reasons.push(reason);
                }
                true
            },
        );
        assert_eq!(reasons.len(), 1);
        assert!(
            reasons[0].contains("compression ratio") || reasons[0].contains("limit"),
            "{reasons:?}"
        );
    }
}
