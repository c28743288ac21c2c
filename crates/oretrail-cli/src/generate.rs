//! `oretrail dev generate`: scale sets of filled templates for benchmarks.

use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand};
use oretrail_writer::generate::{Source, sources_in};
use oretrail_writer::{generate, verify};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Developer tools.
#[derive(Subcommand)]
pub enum DevCommand {
    /// Write N distinct valid filled templates derived from real ones (benchmark data).
    Generate(GenerateArgs),
}

/// Arguments of `oretrail dev generate`.
#[derive(Args)]
pub struct GenerateArgs {
    /// Number of files to write.
    #[arg(long)]
    pub count: usize,
    /// Seed: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Folder to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Folders of real filled templates to derive from (files saved with cached values).
    #[arg(long = "sources", default_value = "demo/templates")]
    pub sources: Vec<PathBuf>,
    /// Skip reading every file back to check it declares what was intended.
    #[arg(long)]
    pub no_verify: bool,
}

/// Runs a dev command.
pub fn run(command: &DevCommand) -> Result<ExitCode> {
    match command {
        DevCommand::Generate(args) => run_generate(args),
    }
}

fn run_generate(args: &GenerateArgs) -> Result<ExitCode> {
    let mut sources: Vec<Source> = Vec::new();
    for dir in &args.sources {
        let found = sources_in(dir)
            .with_context(|| format!("cannot read source folder {}", dir.display()))?;
        sources.extend(found);
    }
    if sources.is_empty() {
        bail!("no .xlsx source templates in the given --sources folders");
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let started = Instant::now();
    let files = generate(args.count, args.seed, &sources)?;
    for (name, why) in files.skipped() {
        eprintln!("source skipped: {name}: {why}");
    }
    let (mut written, mut rows) = (0usize, 0usize);
    for file in files {
        let file = file?;
        if !args.no_verify {
            verify(&file)?;
        }
        let path = args.out.join(&file.file_name);
        std::fs::write(&path, &file.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        written += 1;
        rows += file.intended.smelters.len();
    }
    println!(
        "{written} file(s), {rows} smelter rows written to {} in {:.1} s (seed {})",
        args.out.display(),
        started.elapsed().as_secs_f64(),
        args.seed
    );
    Ok(ExitCode::SUCCESS)
}
