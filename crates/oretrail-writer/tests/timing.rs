//! Writer timings (run with `cargo test --release -p oretrail-writer --test timing --
//! --ignored --nocapture`); the goal is under 100 ms per patched file.

mod common;

use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_template::CellRef;
use oretrail_validate::{ValidationContext, validate};
use oretrail_writer::{
    ProblemMark, WorkbookPatch, feedback_workbook, generate, sources_in, verify,
};
use std::time::Instant;

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

#[test]
#[ignore = "timing; run in release"]
fn patch_time_per_template() {
    let mut worst = 0.0f64;
    for path in common::blank_templates() {
        let original = std::fs::read(&path).expect("template");
        let outcome = read_bytes(&original, &ReadOptions::default()).expect("reads");
        let def = outcome.def;
        let list = &def.smelter_list;
        let mut patch = WorkbookPatch::new();
        if let Ok(l) = std::env::var("LEVEL") {
            patch.compression_level(l.parse().unwrap_or(2));
        }
        if let Some(c) = def.declaration_cell("company_name") {
            patch.set_text("Declaration", c, "Timing Test Ltd");
        }
        // 100 Smelter List rows (the first column of the list is an input in every version).
        let col = list
            .col("smelter_id_input")
            .or_else(|| list.col("metal"))
            .expect("column");
        for i in 0..100 {
            let row = list.first_data_row + i;
            patch.set_text(
                &list.sheet,
                CellRef { row, col },
                format!("CID{:06}", i + 1),
            );
        }
        let details = patch.apply_with_details(&original).expect("apply");
        let median = median_ms(5, || {
            patch.apply(&original).expect("apply");
        });
        worst = worst.max(median);
        println!(
            "{:<20} {:>6.1} ms  {:>2} of {:>2} entries raw-copied, rewritten {:?}, {} -> {} bytes",
            path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            median,
            details.copied,
            details.copied + details.rewritten.len() + details.removed.len(),
            details.rewritten,
            original.len(),
            details.bytes.len()
        );
    }
    println!("worst median: {worst:.1} ms");
}

#[test]
#[ignore = "timing; run in release"]
fn feedback_and_generation_time() {
    for path in common::filled_samples() {
        let original = std::fs::read(&path).expect("file");
        let Ok(outcome) = read_bytes(&original, &ReadOptions::default()) else {
            continue;
        };
        let marks: Vec<ProblemMark> =
            validate(&outcome.report, outcome.def, &ValidationContext::default())
                .iter()
                .map(ProblemMark::from)
                .collect();
        let ms = median_ms(5, || {
            feedback_workbook(&original, &marks).expect("feedback");
        });
        println!(
            "feedback {:<58} {:>6.1} ms ({} marks)",
            path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            ms,
            marks.len()
        );
    }
    let sources = sources_in(&common::workspace().join("demo/templates")).expect("demo");
    let t = Instant::now();
    let files = generate(40, 1, &sources).expect("sources");
    let prepared = t.elapsed().as_secs_f64() * 1000.0;
    let (mut make, mut check, mut rows) = (0.0, 0.0, 0);
    let mut t = Instant::now();
    for f in files {
        let f = f.expect("file");
        make += t.elapsed().as_secs_f64() * 1000.0;
        let c = Instant::now();
        verify(&f).expect("verify");
        check += c.elapsed().as_secs_f64() * 1000.0;
        rows += f.intended.smelters.len();
        t = Instant::now();
    }
    println!(
        "generate: sources prepared in {prepared:.0} ms; 40 files, {rows} rows: {:.1} ms per file to make, {:.1} ms to verify",
        make / 40.0,
        check / 40.0
    );
}
