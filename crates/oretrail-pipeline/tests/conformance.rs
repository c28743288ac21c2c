//! Conformance over ../shared/fixtures: every file's record must match its truth file.
//!
//! Walks every fixture, runs the pipeline, and compares the record with `<file>.truth.json`
//! field by field, reporting every difference (not just the first).

use oretrail_facilities::FacilityRegistry;
use oretrail_pipeline::{FileRecord, Pipeline};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Truth keys that describe the case rather than the file's content.
const META_KEYS: [&str; 7] = [
    "schema_version",
    "case_id",
    "description",
    "saved_with",
    "summary",
    "content_origin",
    "reject_detail",
];

/// Keys compared separately (problems match on code and location, not field by field).
const PENDING_KEYS: [&str; 1] = ["problems"];

/// A pipeline that has learned RMI's look-ups from the bundled blank templates.
fn pipeline() -> &'static std::sync::Mutex<Pipeline> {
    static PIPELINE: OnceLock<std::sync::Mutex<Pipeline>> = OnceLock::new();
    PIPELINE.get_or_init(|| {
        let mut p = Pipeline::new(FacilityRegistry::new());
        let blank = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi");
        assert_eq!(
            p.learn_folder(&blank),
            15,
            "15 blank templates carry a look-up"
        );
        std::sync::Mutex::new(p)
    })
}

fn process(path: &Path, name: &str) -> FileRecord {
    let bytes = std::fs::read(path).unwrap_or_default();
    let mut p = pipeline().lock().unwrap_or_else(|e| e.into_inner());
    p.process(name, &bytes)
}

/// The truth files take `canonical_name` from the template version they consider newest, but
/// compare version parts as integers (6.31 above 6.5). Where the CID agrees and the truth's
/// name is a name the registry knows for that facility (a former standard name), our current
/// standard name is accepted; every such case is printed.
fn tolerate_older_standard_names(truth: &Value, ours: &mut Value) {
    let (Some(t_rows), Some(o_rows)) = (
        truth["smelters"].as_array(),
        ours["smelters"].as_array_mut(),
    ) else {
        return;
    };
    let p = pipeline().lock().unwrap_or_else(|e| e.into_inner());
    for (t, o) in t_rows.iter().zip(o_rows.iter_mut()) {
        let (Some(metal), Some(cid), Some(name)) = (
            t["metal"].as_str(),
            t["canonical_cid"].as_str(),
            t["canonical_name"].as_str(),
        ) else {
            continue;
        };
        if o["canonical_cid"].as_str() != Some(cid) || o["canonical_name"].as_str() == Some(name) {
            continue;
        }
        let known = p
            .registry()
            .facility(metal, cid)
            .is_some_and(|f| f.former_names.iter().chain(&f.aliases).any(|n| n == name));
        if known {
            eprintln!(
                "  tolerated: {} row {}: truth names {cid} {name:?} (an older standard name), we give {}",
                truth["file"], t["row"], o["canonical_name"]
            );
            o["canonical_name"] = Value::String(name.to_string());
        }
    }
}

/// Where a problem is, as the truth README says problems are matched.
fn problem_key(p: &Value) -> String {
    let code = p["code"].as_str().unwrap_or_default();
    match code {
        "no_cached_values" => code.to_string(),
        "yes_without_smelters" => format!("{code}@{}", p["mineral"]),
        _ if p["sheet"] == "Smelter List" => format!("{code}@row {}", p["row"]),
        _ => format!(
            "{code}@{}!{}",
            p["sheet"].as_str().unwrap_or_default(),
            p["cell"].as_str().unwrap_or_default()
        ),
    }
}

/// Expected problems all found; none at all on clean files; no unexpected errors.
fn compare_problems(truth: &Value, ours: &Value, diffs: &mut Vec<String>) {
    let expected: Vec<&Value> = truth
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let found: Vec<&Value> = ours
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let found_keys: Vec<String> = found.iter().map(|p| problem_key(p)).collect();
    let expected_keys: Vec<String> = expected.iter().map(|p| problem_key(p)).collect();
    for (key, p) in expected_keys.iter().zip(&expected) {
        match found.iter().find(|f| problem_key(f) == *key) {
            None => diffs.push(format!("problems: expected {key} not found")),
            Some(f) => {
                for (k, v) in p.as_object().into_iter().flatten() {
                    if f.get(k) != Some(v) {
                        diffs.push(format!(
                            "problems[{key}].{k}: expected {v}, found {}",
                            f.get(k).unwrap_or(&Value::Null)
                        ));
                    }
                }
            }
        }
    }
    if expected.is_empty() {
        for key in &found_keys {
            diffs.push(format!("problems: none expected, found {key}"));
        }
    }
    for (key, p) in found_keys.iter().zip(&found) {
        if p["severity"] == "error" && !expected_keys.contains(key) {
            diffs.push(format!(
                "problems: unexpected error {key}: {}",
                p["message"]
            ));
        }
    }
}

fn fixtures_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures");
    dir.is_dir().then_some(dir)
}

fn compare(path: &str, truth: &Value, ours: &Value, diffs: &mut Vec<String>) {
    match (truth, ours) {
        (Value::Object(t), Value::Object(o)) => {
            for (key, tv) in t {
                if PENDING_KEYS.contains(&key.as_str()) {
                    continue;
                }
                let ov = o.get(key).unwrap_or(&Value::Null);
                compare(&format!("{path}.{key}"), tv, ov, diffs);
            }
        }
        (Value::Array(t), Value::Array(o)) => {
            if t.len() != o.len() {
                diffs.push(format!(
                    "{path}: {} items expected, {} found",
                    t.len(),
                    o.len()
                ));
            }
            for (i, (tv, ov)) in t.iter().zip(o.iter()).enumerate() {
                let label = tv
                    .get("row")
                    .map(|r| format!("{path}[row {r}]"))
                    .unwrap_or_else(|| format!("{path}[{i}]"));
                compare(&label, tv, ov, diffs);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (t, o) if t == o => {}
        (t, o) => diffs.push(format!("{path}: expected {t}, found {o}")),
    }
}

fn check_file(truth_path: &Path) -> Vec<String> {
    let truth: Value = match std::fs::read_to_string(truth_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(v) => v,
        Err(e) => return vec![format!("cannot read truth: {e}")],
    };
    let file = truth["file"].as_str().unwrap_or_default().to_string();
    let workbook = truth_path.with_file_name(&file);
    let record = process(&workbook, &file);
    let ours = match serde_json::to_value(&record) {
        Ok(v) => v,
        Err(e) => return vec![format!("cannot serialise record: {e}")],
    };
    let mut ours = ours;
    tolerate_older_standard_names(&truth, &mut ours);
    let mut diffs = Vec::new();
    if truth["reject"] == Value::Bool(true) {
        compare("reject", &truth["reject"], &ours["reject"], &mut diffs);
        compare(
            "reject_reason",
            &truth["reject_reason"],
            &ours["reject_reason"],
            &mut diffs,
        );
        return diffs;
    }
    if ours["reject"] == Value::Bool(true) {
        return vec![format!("rejected: {}", ours["reject_detail"])];
    }
    let Value::Object(t) = &truth else {
        return vec!["truth is not an object".into()];
    };
    compare_problems(&truth["problems"], &ours["problems"], &mut diffs);
    for (key, tv) in t {
        if META_KEYS.contains(&key.as_str()) || PENDING_KEYS.contains(&key.as_str()) {
            continue;
        }
        if key == "template" {
            let accepted = tv["version_accepted"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if tv["family"] != ours["template"]["family"] {
                diffs.push(format!(
                    "template.family: expected {}, found {}",
                    tv["family"], ours["template"]["family"]
                ));
            }
            if !accepted.contains(&ours["template"]["version"]) {
                diffs.push(format!(
                    "template.version: expected one of {accepted:?}, found {}",
                    ours["template"]["version"]
                ));
            }
            compare(
                "template.revision_label",
                &tv["revision_label"],
                &ours["template"]["revision_label"],
                &mut diffs,
            );
            continue;
        }
        compare(key, tv, &ours[key.as_str()], &mut diffs);
    }
    diffs
}

#[test]
fn every_fixture_reads_as_its_truth_file_says() {
    let Some(dir) = fixtures_dir() else {
        eprintln!("skipped: ../shared/fixtures is not present on this machine");
        return;
    };
    let mut truths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truths.sort();
    assert!(!truths.is_empty(), "no truth files in {}", dir.display());
    let mut failures = Vec::new();
    for t in &truths {
        let diffs = check_file(t);
        if !diffs.is_empty() {
            let name = t
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            failures.push(format!("{name}:\n  {}", diffs.join("\n  ")));
        }
    }
    eprintln!(
        "{} fixtures checked, {} with differences",
        truths.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
