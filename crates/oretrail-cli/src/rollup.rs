//! `oretrail rollup --campaign C`: every facility of the accepted submissions, per metal, with
//! status as of a date, risk lists and the suppliers naming it; unresolved rows stay visible.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;
use oretrail_store::campaigns::campaign_by_name;
use oretrail_store::rollup::{Rollup, rollup};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `oretrail rollup`.
#[derive(Args)]
pub struct RollupArgs {
    /// Campaign name.
    #[arg(long)]
    pub campaign: String,
    /// Date statuses are taken at (default: today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV.
    #[arg(long)]
    pub csv: bool,
}

/// Runs `oretrail rollup`.
pub fn run(ctx: &Context, args: &RollupArgs) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let campaign = session.run(campaign_by_name(&session.store, &args.campaign))?;
    let as_of = args.as_of.unwrap_or_else(today);
    let r = session.run(rollup(
        &session.store,
        campaign.id,
        &campaign.spec.name,
        as_of,
    ))?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer_pretty(&mut out, &r)?;
        writeln!(out)?;
    } else if args.csv {
        write_csv(&mut out, &r)?;
    } else {
        write_table(&mut out, &r)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn write_csv(out: &mut impl Write, r: &Rollup) -> Result<()> {
    writeln!(
        out,
        "metal,smelter_id,name,country,country_iso,status,status_as_of,last_audit,risk_lists,supplier_count,suppliers,rows,resolved"
    )?;
    for l in &r.lines {
        let fields = [
            l.metal.clone(),
            l.cid.clone().unwrap_or_default(),
            l.name.clone(),
            l.country.clone().unwrap_or_default(),
            l.country_iso.clone().unwrap_or_default(),
            l.status.clone().unwrap_or_default(),
            l.status_as_of.map(|d| d.to_string()).unwrap_or_default(),
            l.last_audit.map(|d| d.to_string()).unwrap_or_default(),
            l.risk_lists.join(";"),
            l.supplier_count.to_string(),
            l.suppliers.join(";"),
            l.rows.to_string(),
            l.resolved.to_string(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, r: &Rollup) -> Result<()> {
    writeln!(
        out,
        "roll-up of {} — {} accepted submission(s), statuses as of {}",
        r.campaign, r.submissions, r.as_of
    )?;
    let mut metal = String::new();
    for l in &r.lines {
        if l.metal != metal {
            metal = l.metal.clone();
            writeln!(out, "\n{metal}")?;
        }
        let shown: Vec<&str> = l.suppliers.iter().take(3).map(String::as_str).collect();
        let more = l.suppliers.len().saturating_sub(shown.len());
        writeln!(
            out,
            "  {:<10} {:<44} {:<24} {:<18} {:<22} {:>4} supplier(s): {}{}",
            l.cid.as_deref().unwrap_or("UNRESOLVED"),
            truncate(&l.name, 44),
            truncate(l.country.as_deref().unwrap_or(""), 24),
            l.status.as_deref().unwrap_or("no status"),
            l.risk_lists.join(","),
            l.supplier_count,
            shown.join(", "),
            if more > 0 {
                format!(" +{more}")
            } else {
                String::new()
            }
        )?;
    }
    Ok(())
}

fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n - 1).collect();
        s.push('…');
        s
    }
}
