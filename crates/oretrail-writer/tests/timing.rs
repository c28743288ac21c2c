//! Patch time per template (run with `cargo test --release -p oretrail-writer --test timing --
//! --ignored --nocapture`); the goal is under 100 ms per file.

mod common;

use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_template::CellRef;
use oretrail_writer::WorkbookPatch;
use std::time::Instant;

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
            patch.compression_level(l.parse().unwrap_or(6));
        }
        if let Some(c) = def.declaration_cell("company_name") {
            patch.set_text("Declaration", c, "Timing Test Ltd");
        }
        for i in 0..100 {
            let row = list.first_data_row + i;
            if let Some(col) = list.col("smelter_id_input") {
                patch.set_text(
                    &list.sheet,
                    CellRef { row, col },
                    format!("CID{:06}", i + 1),
                );
            }
        }
        let runs = 5;
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let out = patch.apply(&original).expect("apply");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            size = out.len();
        }
        times.sort_by(f64::total_cmp);
        let median = times[runs / 2];
        worst = worst.max(median);
        println!(
            "{:<24} {:>7.1} ms (median of {runs}), {} -> {} bytes",
            path.file_name().and_then(|n| n.to_str()).unwrap_or(""),
            median,
            original.len(),
            size
        );
    }
    println!("worst median: {worst:.1} ms");
}
