//! Reader benchmark: prints figures, all measured in the same run.
//!
//! - median time to read one EMRT 2.1 and one CMRT 6.5 template;
//! - the floor: inflating only the zip parts the reader needs, nothing parsed;
//! - throughput over a folder of templates on all cores;
//! - ratios against Python's openpyxl (read-only, and a full load as pandas does), when
//!   `python3` with openpyxl is available (`bench/openpyxl_baseline.py`).
//!
//! Inputs: ../shared/fixtures when present, else the bundled demo templates.
//! Run: `cargo bench -p oretrail-reader --bench read`.

use oretrail_reader::{ReadOptions, read_bytes};
use rayon::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_runs(runs: usize, mut f: impl FnMut()) -> Duration {
    f();
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed()
            })
            .collect(),
    )
}

/// Inflates the parts a reader needs: rels, workbook, shared strings, and the sheets read.
fn inflate_needed(bytes: &[u8]) -> usize {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    // Map sheet names to parts through workbook.xml and its rels (cheap text search is enough here).
    let mut read_part = |name: &str| -> Vec<u8> {
        let mut out = Vec::new();
        if let Ok(mut f) = zip.by_name(name) {
            f.read_to_end(&mut out).expect("inflate");
        }
        out
    };
    let rels = read_part("xl/_rels/workbook.xml.rels");
    let wb = read_part("xl/workbook.xml");
    let mut total = rels.len() + wb.len() + read_part("_rels/.rels").len();
    total += read_part("xl/sharedStrings.xml").len();
    let wb = String::from_utf8_lossy(&wb).into_owned();
    let rels = String::from_utf8_lossy(&rels).into_owned();
    for sheet in [
        "Revision",
        "Declaration",
        "Smelter List",
        "Product List",
        "Mine List",
    ] {
        let Some(at) = wb.find(&format!("name=\"{sheet}\"")) else {
            continue;
        };
        let tail = &wb[at..];
        let Some(rid_at) = tail.find("r:id=\"") else {
            continue;
        };
        let rid: String = tail[rid_at + 6..]
            .chars()
            .take_while(|&c| c != '"')
            .collect();
        let Some(rel_at) = rels.find(&format!("Id=\"{rid}\"")) else {
            continue;
        };
        let rel_tail = &rels[rel_at.saturating_sub(300)..(rel_at + 300).min(rels.len())];
        if let Some(t) = rel_tail.find("Target=\"") {
            let target: String = rel_tail[t + 8..]
                .chars()
                .take_while(|&c| c != '"')
                .collect();
            total += read_part(&format!("xl/{}", target.trim_start_matches("/xl/"))).len();
        }
    }
    total
}

fn inputs() -> (PathBuf, Vec<PathBuf>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let shared = root.join("../shared/fixtures");
    let dir = if shared.is_dir() {
        shared
    } else {
        root.join("demo/templates")
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "xlsx"));
    files.sort();
    (dir, files)
}

fn pick<'a>(files: &'a [PathBuf], family_version: &str) -> Option<&'a PathBuf> {
    files.iter().find(|p| {
        std::fs::read(p)
            .ok()
            .and_then(|b| read_bytes(&b, &ReadOptions::default()).ok())
            .is_some_and(|o| o.report.cached_values && o.def.name() == family_version)
    })
}

fn python_baseline(mode: &str, runs: usize, files: &[&PathBuf]) -> Option<Vec<f64>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../bench/openpyxl_baseline.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(mode)
        .arg(runs.to_string())
        .args(files)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    Some(
        text.lines()
            .filter_map(|l| l.split_whitespace().next()?.parse().ok())
            .collect(),
    )
}

fn main() {
    let (dir, files) = inputs();
    println!(
        "reader benchmark over {} ({} files)",
        dir.display(),
        files.len()
    );
    let opts = ReadOptions::default();
    let mut picked = Vec::new();
    for fv in ["EMRT 2.1", "CMRT 6.5"] {
        let Some(path) = pick(&files, fv) else {
            println!("{fv}: no cached-value fixture found, skipped");
            continue;
        };
        let bytes = std::fs::read(path).expect("read fixture");
        let read = time_runs(25, || {
            read_bytes(&bytes, &opts).expect("readable");
        });
        let floor = time_runs(25, || {
            inflate_needed(&bytes);
        });
        println!(
            "{fv:9} {:>8.2} ms read | {:>6.2} ms inflate floor | {:.2}x floor | {}",
            read.as_secs_f64() * 1e3,
            floor.as_secs_f64() * 1e3,
            read.as_secs_f64() / floor.as_secs_f64(),
            path.file_name().unwrap_or_default().to_string_lossy()
        );
        picked.push((fv, path.clone(), read));
    }
    // Throughput on all cores over every readable file, repeated to a stable size.
    let blobs: Vec<Vec<u8>> = files.iter().filter_map(|p| std::fs::read(p).ok()).collect();
    let rounds = 8;
    let t = Instant::now();
    let ok: usize = (0..rounds)
        .into_par_iter()
        .flat_map(|_| blobs.par_iter())
        .map(|b| usize::from(read_bytes(b, &opts).is_ok()))
        .sum();
    let secs = t.elapsed().as_secs_f64();
    let n = blobs.len() * rounds;
    println!(
        "throughput: {n} files ({ok} read, rest rejected as intended) in {secs:.2} s = {:.0} files/s on {} threads",
        n as f64 / secs,
        rayon::current_num_threads()
    );
    // openpyxl baselines on the same two files.
    let paths: Vec<&PathBuf> = picked.iter().map(|(_, p, _)| p).collect();
    if paths.is_empty() {
        return;
    }
    for (mode, runs, label) in [
        ("readonly", 5, "openpyxl read-only"),
        ("full", 3, "openpyxl full load"),
    ] {
        match python_baseline(mode, runs, &paths) {
            Some(times) if times.len() == picked.len() => {
                for ((fv, _, ours), theirs) in picked.iter().zip(times) {
                    println!(
                        "{fv:9} {label:20} {:>8.1} ms  → Oretrail is {:.0}x faster",
                        theirs * 1e3,
                        theirs / ours.as_secs_f64()
                    );
                }
            }
            _ => println!("{label}: python3 with openpyxl not available, baseline skipped"),
        }
    }
}
