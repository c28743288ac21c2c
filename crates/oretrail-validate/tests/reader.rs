//! End to end with the reader: each fixture workbook read by `oretrail-reader`, smelter rows
//! given the truth's resolution (standing in for `oretrail-facilities`), the workbook's own
//! Smelter Look-up as facility reference, then validated and compared with the truth.

mod common;

use common::{Tally, compare, complete_resolution, fixtures_dir, truths};
use oretrail_reader::{ReadOptions, read_path};
use oretrail_template::Resolution;
use oretrail_validate::{ValidationContext, validate};

#[test]
fn read_fixtures_validate_as_truth_says() {
    let (Some(dir), Some(truths)) = (fixtures_dir(), truths()) else {
        eprintln!("fixtures folder not found; skipping");
        return;
    };
    let options = ReadOptions {
        with_lookup: true,
        ..ReadOptions::default()
    };
    let mut tally = Tally::default();
    let mut failures = Vec::new();
    for (name, truth) in &truths {
        let file = truth["file"].as_str().unwrap_or_default();
        let outcome = match read_path(&dir.join(file), &options) {
            Ok(o) => o,
            Err(e) => {
                failures.push(format!("{name}: reader rejected the file: {e:?}"));
                continue;
            }
        };
        let mut report = outcome.report;
        let truth_rows = truth["smelters"].as_array().cloned().unwrap_or_default();
        for row in &mut report.smelters {
            if let Some(mut t) = truth_rows
                .iter()
                .find(|t| t["row"].as_u64() == Some(u64::from(row.row)))
                .cloned()
            {
                complete_resolution(&mut t);
                row.resolution = serde_json::from_value::<Resolution>(t).ok();
            }
        }
        let ctx = ValidationContext {
            facilities: outcome
                .lookup
                .as_ref()
                .map(|l| l as &dyn oretrail_validate::FacilityDirectory),
            ..Default::default()
        };
        let problems = validate(&report, outcome.def, &ctx);
        compare(name, truth, &problems, true, &mut tally, &mut failures);
    }
    tally.print("reader + validator");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
