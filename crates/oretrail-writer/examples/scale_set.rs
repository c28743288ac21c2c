//! Writes a scale set: `cargo run --release -p oretrail-writer --example scale_set -- OUT_DIR
//! COUNT SEED SOURCE_DIR`, verifying every file (what `oretrail dev generate` does).

use oretrail_writer::{generate, sources_in, verify};
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [out, count, seed, sources] = args.as_slice() else {
        return Err("usage: scale_set OUT_DIR COUNT SEED SOURCE_DIR".into());
    };
    let out = PathBuf::from(out);
    std::fs::create_dir_all(&out)?;
    let sources = sources_in(&PathBuf::from(sources))?;
    let started = Instant::now();
    let files = generate(count.parse()?, seed.parse()?, &sources)?;
    for (name, why) in files.skipped() {
        eprintln!("skipped source {name}: {why}");
    }
    let mut rows = 0;
    for file in files {
        let file = file?;
        verify(&file)?;
        rows += file.intended.smelters.len();
        println!(
            "{} ({} rows, from {})",
            file.file_name,
            file.intended.smelters.len(),
            file.intended.source
        );
        std::fs::write(out.join(&file.file_name), &file.bytes)?;
    }
    eprintln!(
        "{rows} smelter rows in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
