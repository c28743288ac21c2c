//! `oretrail ingest`: files, folders and zip archives into the store, on all cores, with a
//! progress bar and a closing table of outcomes.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use oretrail_store::ingest::{IngestItem, IngestOptions, IngestReport, ingest};
use oretrail_store::sources::estimate;
use oretrail_store::submissions::{Outcome, analyse_with};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Arguments of `oretrail ingest`.
#[derive(Args)]
pub struct IngestArgs {
    /// Files, folders (searched recursively) and zip archives.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Campaign the files answer.
    #[arg(long)]
    pub campaign: Option<String>,
    /// Print the summary as JSON (with every file's outcome).
    #[arg(long)]
    pub json: bool,
    /// Who received the files (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
    /// Worker threads (default: all cores).
    #[arg(long, default_value_t = 0)]
    pub jobs: usize,
    /// Only store the files and queue them; `oretrail worker` processes (any number, anywhere).
    #[arg(long)]
    pub enqueue: bool,
}

/// Runs `oretrail ingest`.
pub fn run(ctx: &Context, args: &IngestArgs) -> Result<ExitCode> {
    if args.enqueue {
        return crate::worker::run_enqueue(
            ctx,
            &args.paths,
            args.campaign.clone(),
            actor(args),
            args.json,
        );
    }
    let pipeline = Arc::new(ctx.pipeline()?);
    let session = StoreSession::open(ctx)?;
    let stored = session.run(oretrail_store::facilities::load_registry(&session.store))?;
    if stored.sources().is_empty() && !pipeline.registry().sources().is_empty() {
        session.run(oretrail_store::facilities::save_registry(
            &session.store,
            pipeline.registry(),
        ))?;
    }
    let total = estimate(&args.paths);
    if total == 0 && args.paths.iter().all(|p| !p.exists()) {
        bail!("none of the given paths exists");
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files, {per_sec} — {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let options = IngestOptions {
        campaign: args.campaign.clone(),
        actor: actor(args),
        threads: args.jobs,
        ..IngestOptions::default()
    };
    let analyse = {
        let p = Arc::clone(&pipeline);
        move |bytes: &[u8], name: &str| analyse_with(&p, bytes, name)
    };
    let mut counts = [0usize; 5];
    let mut on_item = |item: &IngestItem| {
        let slot = match item.outcome {
            Outcome::New { .. } => 0,
            Outcome::AcceptedWithWarnings { .. } => 1,
            Outcome::NeedsReview { .. } => 2,
            Outcome::Duplicate { .. } => 3,
            Outcome::Rejected { .. } | Outcome::NotStored { .. } => 4,
        };
        counts[slot] += 1;
        if bar.position() + 1 > bar.length().unwrap_or(0) {
            bar.inc_length(1);
        }
        bar.inc(1);
        bar.set_message(format!(
            "new {} · warnings {} · review {} · duplicate {} · rejected {}",
            counts[0], counts[1], counts[2], counts[3], counts[4]
        ));
    };
    let report = session.run(ingest(
        &session.store,
        &args.paths,
        &options,
        analyse,
        &mut on_item,
    ))?;
    bar.finish_and_clear();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
    } else {
        write_table(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn actor(args: &IngestArgs) -> String {
    args.by
        .clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "oretrail".into())
}

fn write_table(out: &mut impl Write, r: &IngestReport) -> Result<()> {
    for item in &r.items {
        let (label, reason) = match &item.outcome {
            Outcome::Rejected { reason, .. } | Outcome::NotStored { reason } => {
                ("rejected", reason)
            }
            Outcome::NeedsReview {
                reason,
                submission_id,
            } => {
                writeln!(
                    out,
                    "needs review  #{submission_id} {}: {reason}",
                    item.name
                )?;
                continue;
            }
            _ => continue,
        };
        writeln!(out, "{label:<13} {}: {reason}", item.name)?;
    }
    if r.rejected + r.needs_review > 0 {
        writeln!(out)?;
    }
    writeln!(out, "{:<26} {:>7}", "outcome", "files")?;
    writeln!(out, "{:<26} {:>7}", "new", r.new)?;
    writeln!(
        out,
        "{:<26} {:>7}",
        "accepted with warnings", r.accepted_with_warnings
    )?;
    writeln!(out, "{:<26} {:>7}", "needs review", r.needs_review)?;
    writeln!(out, "{:<26} {:>7}", "duplicate", r.duplicate)?;
    writeln!(out, "{:<26} {:>7}", "rejected", r.rejected)?;
    for (reason, n) in &r.rejected_by_reason {
        let short: String = reason.chars().take(22).collect();
        writeln!(out, "  {short:<24} {n:>7}")?;
    }
    let rate = if r.seconds > 0.0 {
        r.total() as f64 / r.seconds
    } else {
        0.0
    };
    writeln!(
        out,
        "{:<26} {:>7}   ({:.1} s, {:.1} files/s)",
        "total",
        r.total(),
        r.seconds,
        rate
    )?;
    Ok(())
}
