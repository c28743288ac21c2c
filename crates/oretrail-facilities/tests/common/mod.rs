//! Shared helpers of the integration tests: the shared reference folder and look-up reading.
#![allow(dead_code)]

use calamine::{Data, Reader, open_workbook_auto};
use oretrail_facilities::FacilityRegistry;
use oretrail_template::{Family, LookupEntry};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The shared reference folder (`../shared` beside the repository, or `$ORETRAIL_SHARED`);
/// `None` (with a printed message) when it is absent.
pub fn shared_dir() -> Option<PathBuf> {
    let candidate = match std::env::var_os("ORETRAIL_SHARED") {
        Some(p) => PathBuf::from(p),
        None => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            let manifest =
                std::fs::canonicalize(manifest).unwrap_or_else(|_| manifest.to_path_buf());
            manifest.join("../../../shared")
        }
    };
    if candidate.join("rmi-templates").is_dir() {
        Some(candidate)
    } else {
        println!(
            "skipped: shared reference folder not found at {}",
            candidate.display()
        );
        None
    }
}

fn text(cell: Option<&Data>) -> Option<String> {
    let s = match cell? {
        Data::String(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// Reads a workbook's "Smelter Look-up" sheet (header row 4, data from row 5, columns A–I).
pub fn read_lookup(path: &Path) -> Vec<LookupEntry> {
    let mut wb = open_workbook_auto(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let Ok(range) = wb.worksheet_range("Smelter Look-up") else {
        return Vec::new();
    };
    let Some((_, _)) = range.start() else {
        return Vec::new();
    };
    let last_row = range.end().map(|(r, _)| r).unwrap_or(0);
    let mut out = Vec::new();
    for r in 4..=last_row {
        let cell = |c: u32| text(range.get_value((r, c)));
        let (Some(metal), Some(lookup_name)) = (cell(0), cell(1)) else {
            continue;
        };
        out.push(LookupEntry {
            metal,
            lookup_name,
            standard_name: cell(2),
            country: cell(3),
            cid: cell(4),
            source: cell(5),
            street: cell(6),
            city: cell(7),
            state_province: cell(8),
        });
    }
    out
}

/// Every blank template: (family, version, path), e.g. (CMRT, "6.5", …/RMI_CMRT_6.5.xlsx).
pub fn blank_templates(shared: &Path) -> Vec<(Family, String, PathBuf)> {
    let mut out = Vec::new();
    for family in Family::ALL {
        let dir = shared.join("rmi-templates").join(family.code());
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let prefix = format!("RMI_{}_", family.code());
            if let Some(version) = name
                .strip_prefix(&prefix)
                .and_then(|v| v.strip_suffix(".xlsx"))
            {
                out.push((family, version.to_string(), e.path()));
            }
        }
    }
    out.sort_by(|a, b| a.2.cmp(&b.2));
    out
}

/// One blank template's family, version, path and look-up rows.
pub type BlankLookup = (Family, String, PathBuf, Vec<LookupEntry>);

/// Look-up rows of every blank template, read once per test binary.
pub fn blank_lookups(shared: &Path) -> &'static [BlankLookup] {
    static CACHE: OnceLock<Vec<BlankLookup>> = OnceLock::new();
    CACHE.get_or_init(|| {
        blank_templates(shared)
            .into_iter()
            .map(|(f, v, p)| {
                let entries = read_lookup(&p);
                (f, v, p, entries)
            })
            .collect()
    })
}

/// A registry learned from every blank template.
pub fn registry_from_blank_templates(shared: &Path) -> FacilityRegistry {
    let mut registry = FacilityRegistry::new();
    for (family, version, _, entries) in blank_lookups(shared) {
        registry.learn(*family, version, entries);
    }
    registry
}
