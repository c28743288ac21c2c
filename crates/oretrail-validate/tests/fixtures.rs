//! Conformance against the fixture corpus, from the truth files' own data: the report each truth
//! file describes must produce the truth's problems (code + location, and the same JSON),
//! nothing at all on files whose truth lists none, and no unexpected error anywhere.

mod common;

use chrono::NaiveDate;
use common::{Tally, compare, report_of, truths};
use oretrail_template::{Family, Registry, SupplierReport};
use oretrail_validate::{FacilityDirectory, FnDirectory, ValidationContext, validate};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Runs the corpus with a context; panics listing every failure.
fn conformance(ctx_for: impl Fn(&SupplierReport) -> ValidationContext<'static>) -> Tally {
    let mut tally = Tally::default();
    let Some(truths) = truths() else {
        eprintln!("fixtures folder not found; skipping the conformance test");
        return tally;
    };
    let mut failures = Vec::new();
    for (name, truth) in &truths {
        let report = report_of(truth);
        let def = Registry::global()
            .get(report.template.family, &report.template.version)
            .expect("registry knows the fixture's template");
        let problems = validate(&report, def, &ctx_for(&report));
        compare(name, truth, &problems, true, &mut tally, &mut failures);
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    tally
}

#[test]
fn fixtures_problems_match_truth() {
    let tally = conformance(|_| ValidationContext::default());
    tally.print("truth-derived reports, default context");
    assert_eq!(tally.found, tally.expected);
}

/// Country reference built from the truth's look-up picks (metal + CID → look-up country).
fn directory() -> &'static (dyn FacilityDirectory + Send + Sync) {
    static DIR: OnceLock<Box<dyn FacilityDirectory + Send + Sync>> = OnceLock::new();
    DIR.get_or_init(|| {
        let mut map: HashMap<(String, String), String> = HashMap::new();
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
        Box::new(FnDirectory(move |metal: &str, cid: &str| {
            map.get(&(metal.to_lowercase(), cid.to_string())).cloned()
        }))
    })
    .as_ref()
}

#[test]
fn fixtures_stay_clean_with_dates_and_facility_data() {
    let tally = conformance(|_| {
        let mut ctx = ValidationContext {
            today: NaiveDate::from_ymd_opt(2026, 11, 25),
            facilities: Some(directory()),
            ..Default::default()
        };
        ctx.options
            .minimum_versions
            .insert(Family::Cmrt, "6.22".into());
        ctx
    });
    tally.print("truth-derived reports, with today and facility countries");
}

#[test]
fn truth_problems_round_trip_through_problem() {
    for (name, truth) in truths().unwrap_or_default() {
        for p in truth["problems"].as_array().cloned().unwrap_or_default() {
            let problem: oretrail_validate::Problem =
                serde_json::from_value(p.clone()).expect("truth problem deserialises");
            assert!(!problem.message.is_empty(), "{name}: no message for {p}");
            assert!(
                !problem.message_in("zh").contains('{'),
                "{name}: unfilled placeholder in {}",
                problem.message_in("zh")
            );
            let back = serde_json::to_value(&problem).expect("problem JSON");
            assert_eq!(back, p, "{name}");
        }
    }
}

#[test]
fn context_is_shareable_across_threads() {
    fn assert_sync<T: Sync + Send>() {}
    assert_sync::<ValidationContext<'static>>();
}
