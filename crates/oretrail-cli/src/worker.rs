//! The ingest queue from the command line: `oretrail ingest --enqueue`, `oretrail worker` and
//! `oretrail queue`.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use oretrail_store::queue::{
    EnqueueOptions, EnqueueReport, Enqueued, WorkerOptions, enqueue, queue_status, retry_failed,
    run_worker,
};
use oretrail_store::submissions::analyse_with;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Stores the files and queues them for workers (`oretrail ingest --enqueue`).
pub fn run_enqueue(
    ctx: &Context,
    paths: &[PathBuf],
    campaign: Option<String>,
    by: String,
    json: bool,
) -> Result<ExitCode> {
    if paths.iter().all(|p| !p.exists()) {
        bail!("none of the given paths exists");
    }
    let session = StoreSession::open(ctx)?;
    let options = EnqueueOptions {
        campaign,
        actor: by,
        ..EnqueueOptions::default()
    };
    let mut seen = 0usize;
    let report = session.run(enqueue(&session.store, paths, &options, &mut |_| {
        seen += 1;
        if seen.is_multiple_of(1000) {
            eprintln!("{seen} files queued…");
        }
    }))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_enqueue_table(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_enqueue_table(out: &mut impl Write, r: &EnqueueReport) -> Result<()> {
    for item in &r.items {
        match &item.result {
            Enqueued::Refused { reason, .. } => writeln!(out, "refused  {}: {reason}", item.name)?,
            Enqueued::AlreadyQueued { job_id, state } => {
                writeln!(out, "already  {}: job #{job_id} ({state})", item.name)?
            }
            Enqueued::Queued { .. } => {}
        }
    }
    writeln!(out, "{:<16} {:>7}", "queued", r.queued)?;
    writeln!(out, "{:<16} {:>7}", "already queued", r.already_queued)?;
    writeln!(out, "{:<16} {:>7}", "refused", r.refused)?;
    writeln!(
        out,
        "{:<16} {:>7}   ({:.1} s)",
        "total",
        r.items.len(),
        r.seconds
    )?;
    writeln!(out, "run `oretrail worker` to process the queue")?;
    Ok(())
}

/// Arguments of `oretrail worker`.
#[derive(Args)]
pub struct WorkerArgs {
    /// Analysis threads (default: all cores).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Most jobs claimed at once.
    #[arg(long, default_value_t = 16)]
    pub batch: usize,
    /// Seconds a claim holds without renewal (a dead worker's jobs return after this).
    #[arg(long, default_value_t = 60)]
    pub lease: u64,
    /// Stop when no job is queued or running, instead of waiting for more.
    #[arg(long)]
    pub until_idle: bool,
    /// Name of this worker in the queue (default: host:pid).
    #[arg(long)]
    pub name: Option<String>,
    /// Print the closing summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `oretrail worker`: processes queued files until stopped (Ctrl-C, SIGTERM) or idle.
pub fn run_worker_command(ctx: &Context, args: &WorkerArgs) -> Result<ExitCode> {
    let pipeline = Arc::new(ctx.pipeline()?);
    let session = StoreSession::open(ctx)?;
    let stored = session.run(oretrail_store::facilities::load_registry(&session.store))?;
    if stored.sources().is_empty() && !pipeline.registry().sources().is_empty() {
        session.run(oretrail_store::facilities::save_registry(
            &session.store,
            pipeline.registry(),
        ))?;
    }
    let mut options = WorkerOptions {
        threads: args.jobs,
        batch: args.batch,
        lease: Duration::from_secs(args.lease),
        until_idle: args.until_idle,
        ..WorkerOptions::default()
    };
    if let Some(name) = &args.name {
        options.id = name.clone();
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        session.run(async move {
            tokio::spawn(async move {
                shutdown_signal().await;
                eprintln!("stopping after the current batch…");
                stop.store(true, Ordering::Relaxed);
            });
        });
    }
    eprintln!("worker {} started", options.id);
    let analyse = {
        let p = Arc::clone(&pipeline);
        move |bytes: &[u8], name: &str| analyse_with(&p, bytes, name)
    };
    let mut count = 0usize;
    let report = session.run(run_worker(
        &session.store,
        &options,
        analyse,
        stop,
        &mut |_| {
            count += 1;
            if count.is_multiple_of(500) {
                eprintln!("{count} files processed…");
            }
        },
    ))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        writeln!(out, "worker {}", report.worker)?;
        for (outcome, n) in &report.by_outcome {
            writeln!(out, "{:<26} {n:>7}", outcome.replace('_', " "))?;
        }
        let rate = if report.seconds > 0.0 {
            report.processed as f64 / report.seconds
        } else {
            0.0
        };
        writeln!(
            out,
            "{:<26} {:>7}   ({:.1} s, {:.1} files/s)",
            "processed", report.processed, report.seconds, rate
        )?;
        if report.failed + report.lost_leases + report.retried_batches > 0 {
            writeln!(
                out,
                "failed {} · leases lost {} · batches retried {}",
                report.failed, report.lost_leases, report.retried_batches
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `oretrail queue` subcommands.
#[derive(Subcommand)]
pub enum QueueCommand {
    /// Jobs by state and by worker, and the failed ones with why.
    Status {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Put failed jobs back in the queue (all, or the IDs given).
    Retry {
        /// Job IDs (default: every failed job).
        ids: Vec<i64>,
    },
}

/// Runs `oretrail queue`.
pub fn run_queue(ctx: &Context, command: &QueueCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match command {
        QueueCommand::Status { json } => {
            let status = session.run(queue_status(&session.store))?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(out, "{:<12} {:>9}", "state", "jobs")?;
            for (state, n) in &status.by_state {
                writeln!(out, "{state:<12} {n:>9}")?;
            }
            if !status.by_worker.is_empty() {
                writeln!(out)?;
                writeln!(out, "{:<40} {:>9}", "worker", "done")?;
                for (worker, n) in &status.by_worker {
                    writeln!(out, "{worker:<40} {n:>9}")?;
                }
            }
            if !status.failed.is_empty() {
                writeln!(out)?;
                for (id, name, why) in &status.failed {
                    writeln!(out, "failed #{id} {name}: {why}")?;
                }
            }
        }
        QueueCommand::Retry { ids } => {
            let n = session.run(retry_failed(&session.store, ids))?;
            writeln!(out, "{n} job(s) back in the queue")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
