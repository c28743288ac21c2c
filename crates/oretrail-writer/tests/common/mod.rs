//! Shared helpers of the writer's integration tests: sample workbooks and zip comparisons.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The shared fixtures folder, when present.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = workspace().join("../shared/fixtures");
    dir.is_dir().then_some(dir)
}

/// `.xlsx` files of a folder, sorted by name.
pub fn xlsx_in(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// The bundled blank RMI templates.
pub fn blank_templates() -> Vec<PathBuf> {
    xlsx_in(&workspace().join("templates/rmi"))
}

/// Sample supplier files plus, when present, the shared fixtures (a fixture that demo/templates
/// already carries under the same name is tested once).
pub fn filled_samples() -> Vec<PathBuf> {
    let mut out = xlsx_in(&workspace().join("demo/templates"));
    if let Some(dir) = fixtures_dir() {
        for f in xlsx_in(&dir) {
            if !out.iter().any(|o| o.file_name() == f.file_name()) {
                out.push(f);
            }
        }
    } else {
        eprintln!("../shared/fixtures not found; testing demo/templates only");
    }
    out
}

/// Entry name → raw (still compressed) bytes.
pub fn raw_entries(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    for i in 0..zip.len() {
        let mut f = zip.by_index_raw(i).expect("entry");
        let name = f.name().expect("name").to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("raw read");
        out.insert(name, data);
    }
    out
}

/// The inflated text of one part.
pub fn part_text(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut f = zip.by_name(name).expect("part");
    let mut s = String::new();
    f.read_to_string(&mut s).expect("utf-8 part");
    s
}

/// Names of entries whose compressed bytes differ, entries added and entries removed.
pub fn diff_entries(before: &[u8], after: &[u8]) -> (Vec<String>, Vec<String>, Vec<String>) {
    let a = raw_entries(before);
    let b = raw_entries(after);
    let changed = a
        .iter()
        .filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v))
        .map(|(k, _)| k.clone())
        .collect();
    let added = b.keys().filter(|k| !a.contains_key(*k)).cloned().collect();
    let removed = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    (changed, added, removed)
}
