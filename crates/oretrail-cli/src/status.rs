//! `oretrail status --campaign C`: coverage of in-scope spend, response rate, missing suppliers
//! and problem counts.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::Result;
use clap::Args;
use oretrail_store::campaigns::campaign_by_name;
use oretrail_store::coverage::{CampaignStatus, Coverage, campaign_status};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `oretrail status`.
#[derive(Args)]
pub struct StatusArgs {
    /// Campaign name.
    #[arg(long)]
    pub campaign: String,
    /// Missing suppliers shown (all with --json).
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `oretrail status`.
pub fn run(ctx: &Context, args: &StatusArgs) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let campaign = session.run(campaign_by_name(&session.store, &args.campaign))?;
    let status = session.run(campaign_status(&session.store, &campaign))?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&status)?)?;
    } else {
        write_status(&mut out, &status, args.top)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn write_status(out: &mut impl Write, s: &CampaignStatus, top: usize) -> Result<()> {
    writeln!(
        out,
        "campaign {} — period {}, goal {:.0}% of in-scope spend",
        s.campaign,
        s.period,
        s.goal * 100.0
    )?;
    let statuses: Vec<String> = s
        .by_status
        .iter()
        .map(|(k, v)| format!("{} {v}", k.code()))
        .collect();
    writeln!(
        out,
        "requests {} ({}); response rate {:.1}%; {} submission(s) need review",
        s.requests,
        statuses.join(", "),
        s.response_rate * 100.0,
        s.needs_review
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<12} {:>16} {:>16} {:>9} {:>11}  goal",
        "coverage", "in-scope spend", "covered", "share", "suppliers"
    )?;
    let line = |out: &mut dyn Write, c: &Coverage| -> std::io::Result<()> {
        writeln!(
            out,
            "{:<12} {:>16.2} {:>16.2} {:>8.1}% {:>5}/{:<5}  {}",
            c.mineral,
            c.in_scope_spend,
            c.covered_spend,
            c.coverage * 100.0,
            c.accepted,
            c.suppliers,
            if c.goal_met { "met" } else { "not met" }
        )
    };
    line(out, &s.overall)?;
    for c in &s.per_mineral {
        line(out, c)?;
    }
    if !s.missing.is_empty() {
        writeln!(out)?;
        writeln!(out, "missing ({}), largest spend first:", s.missing.len())?;
        for m in s.missing.iter().take(top) {
            writeln!(
                out,
                "  {:<12} {:<40} {:>14.2} {:<9} {}",
                m.erp_id,
                m.name,
                m.spend,
                m.status.code(),
                m.reason.as_deref().unwrap_or("")
            )?;
        }
    }
    if !s.problems.is_empty() {
        writeln!(out)?;
        writeln!(out, "problems in current submissions:")?;
        for p in &s.problems {
            writeln!(
                out,
                "  {:<36} {:<8} {:>7} in {} submission(s)",
                p.code, p.severity, p.count, p.submissions
            )?;
        }
    }
    Ok(())
}
