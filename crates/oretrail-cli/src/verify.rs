//! `oretrail verify`: every original re-hashed against its name and the database's rows.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::Result;
use clap::Args;
use oretrail_store::verify::{VerifyReport, verify};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `oretrail verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `oretrail verify`: exit 0 when clean, 1 when anything is damaged, missing or orphaned.
pub fn run(ctx: &Context, args: &VerifyArgs) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let report = session.run(verify(&session.store))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_report(&mut out, &report)?;
    }
    Ok(if report.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn write_report(out: &mut impl Write, r: &VerifyReport) -> Result<()> {
    writeln!(
        out,
        "{} original(s) re-hashed, {} referenced by the database",
        r.originals_checked, r.referenced
    )?;
    for sha in &r.damaged {
        writeln!(out, "DAMAGED  {sha}: its bytes no longer match its SHA-256")?;
    }
    for sha in &r.missing {
        writeln!(
            out,
            "MISSING  {sha}: the database refers to it, the file is gone"
        )?;
    }
    for sha in &r.unreferenced {
        writeln!(out, "ORPHAN   {sha}: no database row refers to it")?;
    }
    for path in &r.stray {
        writeln!(out, "STRAY    {}: not an original", path.display())?;
    }
    for problem in &r.database_problems {
        writeln!(out, "DATABASE {problem}")?;
    }
    if !r.temporary.is_empty() {
        writeln!(
            out,
            "note: {} temporary file(s) of interrupted writes (harmless, never referenced)",
            r.temporary.len()
        )?;
    }
    writeln!(out, "{}", if r.is_clean() { "clean" } else { "NOT CLEAN" })?;
    Ok(())
}
