//! `oretrail export`: a campaign's tables as CSV or XLSX, formula-like text neutralised.

use crate::context::Context;
use crate::export_template::today;
use crate::store::StoreSession;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::Args;
use oretrail_report::exports::{TABLES, table, write_csv, write_xlsx};
use oretrail_report::gather::{period_window, risk_data};
use oretrail_report::snapshot::RiskData;
use oretrail_store::campaigns::campaign_by_name;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `oretrail export`.
#[derive(Args)]
pub struct ExportArgs {
    /// suppliers, requests, submissions, problems, rollup, risk-register, or all (XLSX only).
    pub table: String,
    /// Campaign.
    #[arg(long)]
    pub campaign: String,
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Output file (default: standard output for CSV).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Date roll-up statuses are taken at (default: today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
}

/// Runs `oretrail export`.
pub fn run(ctx: &Context, args: &ExportArgs) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let campaign = session.run(campaign_by_name(&session.store, &args.campaign))?;
    let as_of = args.as_of.unwrap_or_else(today);
    let names: Vec<&str> = if args.table == "all" {
        TABLES.to_vec()
    } else if TABLES.contains(&args.table.as_str()) {
        vec![args.table.as_str()]
    } else {
        bail!(
            "no table '{}' (tables: {}, all)",
            args.table,
            TABLES.join(", ")
        );
    };
    let risk = if names.contains(&"risk-register") {
        session
            .run(risk_data(
                &session.store,
                period_window(&campaign.spec.period, as_of),
            ))
            .map(|(r, _)| r)
            .unwrap_or_default()
    } else {
        RiskData::default()
    };
    let mut tables = Vec::new();
    for name in names {
        tables.push(session.run(table(&session.store, &campaign, name, as_of, &risk))?);
    }
    match args.format.as_str() {
        "xlsx" => {
            let out = args
                .out
                .as_ref()
                .context("an XLSX export needs --out FILE")?;
            std::fs::write(out, write_xlsx(&tables)?)
                .with_context(|| format!("writing {}", out.display()))?;
            eprintln!("{} sheet(s) written to {}", tables.len(), out.display());
        }
        "csv" => {
            if tables.len() != 1 {
                bail!("CSV holds one table: name it, or use --format xlsx for all");
            }
            match &args.out {
                Some(out) => {
                    let f = std::fs::File::create(out)
                        .with_context(|| format!("creating {}", out.display()))?;
                    write_csv(&tables[0], f)?;
                    eprintln!(
                        "{} row(s) written to {}",
                        tables[0].rows.len(),
                        out.display()
                    );
                }
                None => write_csv(&tables[0], std::io::stdout().lock())?,
            }
        }
        other => bail!("format '{other}' is not csv or xlsx"),
    }
    Ok(ExitCode::SUCCESS)
}
