//! Writes the feedback copy of supplier files: `cargo run -p oretrail-writer --example mark --
//! OUT_DIR FILE...` (used by `tools/check_written_xlsx.py` to open outputs in other software).

use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_validate::{ValidationContext, validate};
use oretrail_writer::{ProblemMark, feedback_workbook};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().ok_or("usage: mark OUT_DIR FILE...")?);
    std::fs::create_dir_all(&out_dir)?;
    for file in args {
        let bytes = std::fs::read(&file)?;
        let outcome = match read_bytes(&bytes, &ReadOptions::default()) {
            Ok(o) => o,
            Err(e) => {
                eprintln!("{file}: skipped ({e})");
                continue;
            }
        };
        let problems = validate(&outcome.report, outcome.def, &ValidationContext::default());
        let marks: Vec<ProblemMark> = problems.iter().map(ProblemMark::from).collect();
        let marked = feedback_workbook(&bytes, &marks)?;
        let name = PathBuf::from(&file);
        let name = name.file_name().ok_or("file name")?;
        std::fs::write(out_dir.join(name), marked)?;
        println!("{file}: {} problem(s) marked", marks.len());
    }
    Ok(())
}
