//! `oretrail backup OUT` and `oretrail restore IN`: the database and its originals in one zip.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Context as _, Result, bail};
use clap::Args;
use oretrail_store::backup::{backup, restore};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `oretrail backup`.
#[derive(Args)]
pub struct BackupArgs {
    /// Archive to write (must not exist), e.g. oretrail-2026-01-31.zip.
    pub out: PathBuf,
}

/// Arguments of `oretrail restore`.
#[derive(Args)]
pub struct RestoreArgs {
    /// Archive written by `oretrail backup`.
    pub archive: PathBuf,
}

/// Runs `oretrail backup`: a consistent snapshot, safe while the server runs (SQLite stores).
pub fn run_backup(ctx: &Context, args: &BackupArgs) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let manifest = session
        .run(backup(&session.store, &args.out))
        .with_context(|| format!("backing up into {}", args.out.display()))?;
    let rows: i64 = manifest.tables.values().sum();
    println!(
        "{}: database ({} tables, {rows} rows) and {} original(s), {} bytes",
        args.out.display(),
        manifest.tables.len(),
        manifest.originals,
        manifest.original_bytes
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `oretrail restore` into the (empty) data directory.
pub fn run_restore(ctx: &Context, args: &RestoreArgs) -> Result<ExitCode> {
    if ctx.database_url.is_some() {
        bail!(
            "restore writes a SQLite store into --data-dir; PostgreSQL is restored with pg_restore (docs/deployment.md)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = runtime
        .block_on(restore(&args.archive, &ctx.data_dir))
        .with_context(|| format!("restoring {}", args.archive.display()))?;
    println!(
        "restored {} (taken {}) into {}: {} original(s), row counts match the manifest",
        args.archive.display(),
        report.manifest.created_at,
        ctx.data_dir.display(),
        report.originals
    );
    Ok(ExitCode::SUCCESS)
}
