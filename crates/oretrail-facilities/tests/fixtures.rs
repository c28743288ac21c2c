//! Resolution of every fixture's Smelter List rows, compared with the truth files.

mod common;

use oretrail_facilities::{EvalCase, Matcher, MissKind, RowTruth, TemplateLookup, evaluate};
use oretrail_template::SmelterRow;
use std::collections::HashMap;

const ROW_FIELDS: &[&str] = &[
    "row",
    "entry",
    "metal",
    "lookup_value",
    "name",
    "country",
    "cid",
    "smelter_id_input",
    "formula_fields",
];

#[test]
fn fixture_rows_resolve_with_full_precision_and_high_recall() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let registry = common::registry_from_blank_templates(&shared);
    let matcher = Matcher::new(&registry);
    let mut lookups: HashMap<String, TemplateLookup> = HashMap::new();
    let mut cases = Vec::new();
    let mut truth_files: Vec<_> = std::fs::read_dir(shared.join("fixtures"))
        .expect("fixtures folder")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".truth.json"))
        .collect();
    truth_files.sort();
    for path in truth_files {
        let text = std::fs::read_to_string(&path).expect("truth file");
        let truth: serde_json::Value = serde_json::from_str(&text).expect("truth json");
        if truth["reject"].as_bool() == Some(true) {
            continue;
        }
        let family = truth["template"]["family"].as_str().expect("family");
        let blank = truth["template"]["blank_template"]
            .as_str()
            .expect("blank template");
        let lookup = lookups.entry(blank.to_string()).or_insert_with(|| {
            let p = shared.join("rmi-templates").join(family).join(blank);
            let cached = common::blank_lookups(&shared)
                .iter()
                .find(|(_, _, path, _)| *path == p);
            match cached {
                Some((_, _, _, entries)) => TemplateLookup::new(entries),
                None => TemplateLookup::new(&common::read_lookup(&p)),
            }
        });
        let source = path
            .file_name()
            .map(|n| n.to_string_lossy().replace(".truth.json", ""))
            .unwrap_or_default();
        for s in truth["smelters"].as_array().expect("smelters") {
            let typed: serde_json::Map<String, serde_json::Value> = s
                .as_object()
                .expect("row object")
                .iter()
                .filter(|(k, _)| ROW_FIELDS.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let mut row: SmelterRow =
                serde_json::from_value(serde_json::Value::Object(typed)).expect("smelter row");
            assert!(row.resolution.is_none());
            row.resolution = Some(matcher.resolve_row(&row, lookup));
            let expected: RowTruth = serde_json::from_value(s.clone()).expect("row truth");
            cases.push(EvalCase {
                source: source.clone(),
                row,
                truth: expected,
            });
        }
    }
    let report = evaluate(&cases);
    println!(
        "fixture rows: {}  resolved: {}  resolvable: {}  correct: {}",
        report.rows, report.resolved, report.resolvable, report.correct
    );
    println!(
        "precision: {:.4}  recall: {:.4}",
        report.precision, report.recall
    );
    println!(
        "standard-name differences: {}  in_template_lookup differences: {}",
        report.name_differences, report.lookup_flag_differences
    );
    for m in &report.misses {
        println!(
            "  {:?} {} row {} [{}] {:?}: expected {:?} {:?}, found {:?} {:?} by {:?}",
            m.kind,
            m.source,
            m.row,
            m.metal.as_deref().unwrap_or("?"),
            m.name.as_deref().unwrap_or(""),
            m.expected_cid,
            m.expected_name,
            m.found_cid,
            m.found_name,
            m.method
        );
    }
    // The truth's standard names come from its own choice of "newest" template; where they
    // differ from the registry's current name they must at least be a former standard name.
    for m in report
        .misses
        .iter()
        .filter(|m| m.kind == MissKind::NameDiffers)
    {
        let metal = m.metal.as_deref().unwrap_or_default();
        let cid = m.found_cid.as_deref().unwrap_or_default();
        let facility = registry
            .facility(metal, cid)
            .expect("resolved facility is known");
        let expected = m.expected_name.clone().unwrap_or_default();
        assert!(
            facility.former_names.contains(&expected),
            "{} row {}: expected name {expected:?} is not a former name of {cid}",
            m.source,
            m.row
        );
    }
    assert!(
        report.rows > 500,
        "fixtures look incomplete: {} rows",
        report.rows
    );
    assert_eq!(
        report.precision, 1.0,
        "a row resolved to the wrong facility"
    );
    assert!(
        report.recall >= 0.97,
        "recall {:.4} below 0.97",
        report.recall
    );
    assert_eq!(report.lookup_flag_differences, 0);
}
