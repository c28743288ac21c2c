//! Shared by the conformance tests: fixture truth files, problem matching, tallies.

#![allow(dead_code)]

use oretrail_template::SupplierReport;
use oretrail_validate::Problem;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Problem codes the fixture truth files use.
pub const TRUTH_CODES: [&str; 12] = [
    "missing_required",
    "bad_email",
    "bad_date",
    "date_as_text",
    "yes_without_smelters",
    "metal_not_declared",
    "cid_name_mismatch",
    "duplicate_smelter",
    "not_listed_but_known",
    "unknown_smelter",
    "smelter_not_identified",
    "no_cached_values",
];

/// The fixture folder: `$ORETRAIL_FIXTURES`, else the shared corpus next to the workspace.
pub fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ORETRAIL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    dir.is_dir().then_some(dir)
}

/// Truth files of non-rejected fixtures as (truth file name, truth), sorted by name.
pub fn truths() -> Option<Vec<(String, Value)>> {
    let dir = fixtures_dir()?;
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).ok()?.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if !name.ends_with(".truth.json") {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("readable truth file");
        let truth: Value = serde_json::from_str(&text).expect("truth JSON");
        if truth["reject"].as_bool() == Some(true) {
            continue;
        }
        out.push((name, truth));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Some(out)
}

/// Completes a truth smelter row's resolution keys as the facilities crate fills them.
pub fn complete_resolution(row: &mut Value) {
    if row.get("canonical_cid").is_some() {
        let resolved = !row["canonical_cid"].is_null();
        row["method"] = json!(if resolved { "exact_name" } else { "unresolved" });
        row["confidence"] = json!(if resolved { 1.0 } else { 0.0 });
        if row.get("in_template_lookup").is_none() {
            row["in_template_lookup"] = json!(false);
        }
    }
}

/// The supplier report a truth file describes.
pub fn report_of(truth: &Value) -> SupplierReport {
    let mut v = truth.clone();
    if v.get("mines").is_none() {
        v["mines"] = json!([]);
    }
    if let Some(rows) = v["smelters"].as_array_mut() {
        rows.iter_mut().for_each(complete_resolution);
    }
    serde_json::from_value(v).expect("truth deserialises into SupplierReport")
}

/// The matching key of a problem: code plus location, as the fixtures' README defines it.
pub fn key(p: &Value) -> String {
    let code = p["code"].as_str().unwrap_or_default();
    let loc = match code {
        "no_cached_values" => String::new(),
        "yes_without_smelters" => format!("mineral={}", p["mineral"]),
        _ if p["sheet"].as_str() == Some("Smelter List") => format!("row={}", p["row"]),
        _ => format!("{}!{}", p["sheet"], p["cell"]),
    };
    format!("{code} @ {loc}")
}

/// Counts over a corpus run.
#[derive(Default, Debug)]
pub struct Tally {
    /// Problems the truth files list.
    pub expected: usize,
    /// Of those, reported.
    pub found: usize,
    /// Problems reported.
    pub reported: usize,
    /// Problems reported with a code the truth files use.
    pub reported_truth_codes: usize,
}

impl Tally {
    /// Prints recall and precision.
    pub fn print(&self, label: &str) {
        if self.expected == 0 {
            return;
        }
        let recall = self.found as f64 / self.expected as f64;
        let precision = self.found as f64 / self.reported.max(1) as f64;
        let precision_truth = self.found as f64 / self.reported_truth_codes.max(1) as f64;
        eprintln!(
            "{label}: expected {}, found {}, reported {} ({} with truth codes); recall {:.3}, \
             precision {:.3} (all codes) / {:.3} (truth codes)",
            self.expected,
            self.found,
            self.reported,
            self.reported_truth_codes,
            recall,
            precision,
            precision_truth
        );
    }
}

/// Compares one file's problems with its truth; pushes failures, prints extra warnings.
/// `exact` also demands the matched problems' JSON to equal the truth's.
pub fn compare(
    name: &str,
    truth: &Value,
    problems: &[Problem],
    exact: bool,
    tally: &mut Tally,
    failures: &mut Vec<String>,
) {
    let actual: Vec<Value> = problems
        .iter()
        .map(|p| serde_json::to_value(p).expect("problem JSON"))
        .collect();
    let expected: Vec<Value> = truth["problems"].as_array().cloned().unwrap_or_default();
    tally.expected += expected.len();
    tally.reported += actual.len();
    tally.reported_truth_codes += actual
        .iter()
        .filter(|p| TRUTH_CODES.contains(&p["code"].as_str().unwrap_or_default()))
        .count();
    let mut by_key: HashMap<String, Vec<&Value>> = HashMap::new();
    for p in &actual {
        by_key.entry(key(p)).or_default().push(p);
    }
    for e in &expected {
        match by_key.get_mut(&key(e)).and_then(|v| v.pop()) {
            Some(a) => {
                tally.found += 1;
                if exact && a != e {
                    failures.push(format!("{name}: {} reported as {a}, truth {e}", key(e)));
                }
            }
            None => failures.push(format!("{name}: missing {}", key(e))),
        }
    }
    let mut extra: Vec<(String, &Value)> = by_key
        .into_iter()
        .flat_map(|(k, rest)| rest.into_iter().map(move |a| (k.clone(), a)))
        .collect();
    extra.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, a) in extra {
        if expected.is_empty() {
            failures.push(format!("{name}: problem on a clean file: {k} {a}"));
        } else if a["severity"] == "error" {
            failures.push(format!("{name}: unexpected error {k} {a}"));
        } else {
            eprintln!("{name}: extra {} {k}", a["severity"]);
        }
    }
}
