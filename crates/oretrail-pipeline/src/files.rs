//! Expanding command-line paths into the template files to process.

use std::path::{Path, PathBuf};

/// A file to process, with the name to report for it.
#[derive(Debug, Clone)]
pub struct InputFile {
    /// Path on disk.
    pub path: PathBuf,
    /// File name as reported (`file` key).
    pub name: String,
}

/// Whether a file name looks like a spreadsheet a supplier would send.
fn is_candidate(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if name.starts_with("~$") || name.starts_with('.') {
        return false;
    }
    let lower = name.to_lowercase();
    [".xlsx", ".xlsm", ".xls"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// Files named directly are always taken; folders are walked for spreadsheet files, sorted.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<InputFile> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found);
            found.sort();
            out.extend(found.into_iter().map(input));
        } else {
            out.push(input(p.clone()));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(&path, out);
        } else if is_candidate(&path) {
            out.push(path);
        }
    }
}

fn input(path: PathBuf) -> InputFile {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    InputFile { path, name }
}
