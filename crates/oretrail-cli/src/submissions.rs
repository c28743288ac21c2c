//! `oretrail submissions`: list what was received, confirm suppliers, download originals.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Context as _, Result};
use clap::Subcommand;
use oretrail_store::campaigns::campaign_by_name;
use oretrail_store::submissions::{confirm_supplier, list_submissions, original_of};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `oretrail submissions`.
#[derive(Subcommand)]
pub enum SubmissionsCommand {
    /// List submissions (newest first).
    List {
        /// Campaign (default: files ingested without a campaign).
        #[arg(long)]
        campaign: Option<String>,
        /// Only those waiting for an analyst.
        #[arg(long)]
        review: bool,
        /// Print JSON Lines.
        #[arg(long)]
        json: bool,
    },
    /// Confirm (or set) the supplier of a submission.
    Confirm {
        /// Submission number.
        id: i64,
        /// Supplier ERP ID.
        #[arg(long)]
        supplier: String,
        /// Who (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Write a submission's original file, byte for byte.
    Original {
        /// Submission number.
        id: i64,
        /// Where to write it (default: its original file name in the current folder).
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

/// Runs a submissions subcommand.
pub fn run(ctx: &Context, cmd: &SubmissionsCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let store = &session.store;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        SubmissionsCommand::List {
            campaign,
            review,
            json,
        } => {
            let campaign_id = match campaign {
                Some(name) => Some(session.run(campaign_by_name(store, name))?.id),
                None => None,
            };
            for s in session.run(list_submissions(store, campaign_id, *review))? {
                if *json {
                    writeln!(out, "{}", serde_json::to_string(&s)?)?;
                    continue;
                }
                writeln!(
                    out,
                    "#{:<6} {:<12} {:<10} {:<12} {:<10} {}{}{}",
                    s.id,
                    s.status,
                    s.template.as_deref().unwrap_or("-"),
                    s.supplier.as_deref().unwrap_or("-"),
                    s.link_state,
                    s.original_name,
                    s.status_reason
                        .as_deref()
                        .map(|r| format!(" — {r}"))
                        .unwrap_or_default(),
                    s.superseded_by
                        .map(|b| format!(" (superseded by #{b})"))
                        .unwrap_or_default()
                )?;
            }
        }
        SubmissionsCommand::Confirm { id, supplier, by } => {
            let actor = by
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "oretrail".into());
            let status = session.run(confirm_supplier(store, *id, supplier, &actor))?;
            writeln!(out, "#{id} linked to {supplier}: {}", status.code())?;
        }
        SubmissionsCommand::Original { id, output } => {
            let (name, bytes) = session.run(original_of(store, *id))?;
            let base = name.rsplit(['/', '\\']).next().unwrap_or(&name).to_string();
            let path = output.clone().unwrap_or_else(|| PathBuf::from(base));
            // Never overwrite a file that is already there.
            std::fs::File::create_new(&path)
                .and_then(|mut f| f.write_all(&bytes))
                .with_context(|| format!("writing {}", path.display()))?;
            writeln!(out, "{} ({} bytes)", path.display(), bytes.len())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
