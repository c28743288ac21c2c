//! Conformance against the fixture corpus: the report each truth file describes must produce
//! the truth's problems (code + location, and the same JSON), nothing at all on files whose
//! truth lists none, and no unexpected error anywhere.

use chrono::NaiveDate;
use oretrail_template::{Family, Registry, SupplierReport};
use oretrail_validate::{FnDirectory, Problem, ValidationContext, validate};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The fixture folder: `$ORETRAIL_FIXTURES`, else the shared corpus next to the workspace.
fn fixtures_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("ORETRAIL_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures"));
    dir.is_dir().then_some(dir)
}

/// Truth files of non-rejected fixtures, sorted by name.
fn truths() -> Option<Vec<(String, Value)>> {
    let dir = fixtures_dir()?;
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).ok()?;
    for entry in entries.flatten() {
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

/// The supplier report a truth file describes (resolution fields completed as the facilities
/// crate would fill them).
fn report_of(truth: &Value) -> SupplierReport {
    let mut v = truth.clone();
    if v.get("mines").is_none() {
        v["mines"] = json!([]);
    }
    if let Some(rows) = v["smelters"].as_array_mut() {
        for row in rows {
            if row.get("canonical_cid").is_some() {
                let resolved = !row["canonical_cid"].is_null();
                row["method"] = json!(if resolved { "exact_name" } else { "unresolved" });
                row["confidence"] = json!(if resolved { 1.0 } else { 0.0 });
                if row.get("in_template_lookup").is_none() {
                    row["in_template_lookup"] = json!(false);
                }
            }
        }
    }
    serde_json::from_value(v).expect("truth deserialises into SupplierReport")
}

/// The matching key of a problem: code plus location, as the fixtures' README defines it.
fn key(p: &Value) -> String {
    let code = p["code"].as_str().unwrap_or_default();
    let loc = match code {
        "no_cached_values" => String::new(),
        "yes_without_smelters" => format!("mineral={}", p["mineral"]),
        _ if p["sheet"].as_str() == Some("Smelter List") => format!("row={}", p["row"]),
        _ => format!("{}!{}", p["sheet"], p["cell"]),
    };
    format!("{code} @ {loc}")
}

#[derive(Default)]
struct Tally {
    expected: usize,
    found: usize,
    reported: usize,
    reported_truth_codes: usize,
}

/// Runs the corpus with a context and returns the tally; panics listing every failure.
fn conformance(ctx_for: impl Fn(&SupplierReport) -> ValidationContext<'static>) -> Tally {
    let Some(truths) = truths() else {
        eprintln!("fixtures folder not found; skipping the conformance test");
        return Tally::default();
    };
    let truth_codes: Vec<&str> = vec![
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
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for (name, truth) in &truths {
        let report = report_of(truth);
        let def = Registry::global()
            .get(report.template.family, &report.template.version)
            .expect("registry knows the fixture's template");
        let ctx = ctx_for(&report);
        let problems: Vec<Problem> = validate(&report, def, &ctx);
        let actual: Vec<Value> = problems
            .iter()
            .map(|p| serde_json::to_value(p).expect("problem JSON"))
            .collect();
        let expected: Vec<Value> = truth["problems"].as_array().cloned().unwrap_or_default();
        tally.expected += expected.len();
        tally.reported += actual.len();
        tally.reported_truth_codes += actual
            .iter()
            .filter(|p| truth_codes.contains(&p["code"].as_str().unwrap_or_default()))
            .count();
        let mut by_key: HashMap<String, Vec<&Value>> = HashMap::new();
        for p in &actual {
            by_key.entry(key(p)).or_default().push(p);
        }
        for e in &expected {
            match by_key.get_mut(&key(e)).and_then(|v| v.pop()) {
                Some(a) => {
                    tally.found += 1;
                    if a != e {
                        failures.push(format!("{name}: {} reported as {a}, truth {e}", key(e)));
                    }
                }
                None => failures.push(format!("{name}: missing {}", key(e))),
            }
        }
        for (k, rest) in by_key {
            for a in rest {
                if expected.is_empty() {
                    failures.push(format!("{name}: problem on a clean file: {k} {a}"));
                } else if a["severity"] == "error" {
                    failures.push(format!("{name}: unexpected error {k} {a}"));
                } else {
                    eprintln!("{name}: extra {} {k}", a["severity"]);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    tally
}

fn print(label: &str, t: &Tally) {
    if t.expected == 0 {
        return;
    }
    let recall = t.found as f64 / t.expected as f64;
    let precision = t.found as f64 / t.reported.max(1) as f64;
    let precision_truth = t.found as f64 / t.reported_truth_codes.max(1) as f64;
    eprintln!(
        "{label}: expected {}, found {}, reported {} ({} with truth codes); recall {:.3}, \
         precision {:.3} (all codes) / {:.3} (truth codes)",
        t.expected, t.found, t.reported, t.reported_truth_codes, recall, precision, precision_truth
    );
}

#[test]
fn fixtures_problems_match_truth() {
    let tally = conformance(|_| ValidationContext::default());
    print("default context", &tally);
    assert_eq!(tally.found, tally.expected);
}

/// Country reference built from the truth's look-up picks (metal + CID → look-up country).
fn countries() -> &'static HashMap<(String, String), String> {
    static MAP: std::sync::OnceLock<HashMap<(String, String), String>> = std::sync::OnceLock::new();
    MAP.get_or_init(|| {
        let mut map = HashMap::new();
        for (_, truth) in truths().unwrap_or_default() {
            for row in truth["smelters"].as_array().cloned().unwrap_or_default() {
                if row["entry"] == "lookup"
                    && let (Some(m), Some(c), Some(country)) = (
                        row["metal"].as_str(),
                        row["canonical_cid"].as_str(),
                        row["country"].as_str(),
                    )
                {
                    map.insert((m.to_lowercase(), c.to_string()), country.to_string());
                }
            }
        }
        map
    })
}

static DIRECTORY: std::sync::OnceLock<Box<dyn oretrail_validate::FacilityDirectory + Send + Sync>> =
    std::sync::OnceLock::new();

#[test]
fn fixtures_stay_clean_with_dates_and_facility_data() {
    let dir = DIRECTORY.get_or_init(|| {
        Box::new(FnDirectory(|metal: &str, cid: &str| {
            countries()
                .get(&(metal.to_lowercase(), cid.to_string()))
                .cloned()
        }))
    });
    let tally = conformance(|_| {
        let mut ctx = ValidationContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 25),
            facilities: Some(dir.as_ref()),
            ..Default::default()
        };
        ctx.options
            .minimum_versions
            .insert(Family::Cmrt, "6.22".into());
        ctx
    });
    print("with today and facility countries", &tally);
}
