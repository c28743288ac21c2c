//! `oretrail suppliers`: import ERP supplier exports, list suppliers.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Result, anyhow};
use clap::Subcommand;
use oretrail_store::supplier_import::{Field, ImportOptions, parse_supplier_file};
use oretrail_store::suppliers::{import_suppliers, list_suppliers};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `oretrail suppliers`.
#[derive(Subcommand)]
pub enum SuppliersCommand {
    /// Import (or update) suppliers and spend from a CSV or XLSX export; safe to re-run.
    Import {
        /// The export.
        file: PathBuf,
        /// Column mapping FIELD=HEADER (fields: erp_id, name, unique_id, country, tier,
        /// commodities, contact_name, contact_email, contact_phone, parent, spend, period,
        /// currency, spend_commodity). Unmapped fields are found by common header names.
        #[arg(long = "map", value_name = "FIELD=HEADER")]
        map: Vec<String>,
        /// Spend period when the file has no period column ("2025").
        #[arg(long)]
        period: Option<String>,
        /// Sheet of an XLSX file (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List suppliers.
    List {
        /// Print JSON Lines.
        #[arg(long)]
        json: bool,
    },
}

/// Runs a suppliers subcommand.
pub fn run(ctx: &Context, cmd: &SuppliersCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        SuppliersCommand::Import {
            file,
            map,
            period,
            sheet,
            json,
        } => {
            let mut mapping = BTreeMap::new();
            for m in map {
                let (field, header) = m
                    .split_once('=')
                    .ok_or_else(|| anyhow!("--map {m}: expected FIELD=HEADER"))?;
                let field = Field::from_key(field).ok_or_else(|| {
                    let known: Vec<&str> = Field::ALL.iter().map(|f| f.key()).collect();
                    anyhow!(
                        "--map {m}: unknown field '{field}' (fields: {})",
                        known.join(", ")
                    )
                })?;
                mapping.insert(field, header.trim().to_string());
            }
            let options = ImportOptions {
                mapping,
                default_period: period.clone(),
                sheet: sheet.clone(),
            };
            let parsed = parse_supplier_file(file, &options)?;
            let report = session.run(import_suppliers(&session.store, &parsed))?;
            if *json {
                writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
            } else {
                let cols: Vec<String> = parsed
                    .columns
                    .iter()
                    .map(|(f, h)| format!("{}←\"{h}\"", f.key()))
                    .collect();
                writeln!(out, "columns   {}", cols.join(", "))?;
                writeln!(
                    out,
                    "suppliers {} created, {} updated; {} spend figure(s), {} tier link(s)",
                    report.created, report.updated, report.spend_rows, report.links
                )?;
                for w in &report.warnings {
                    writeln!(out, "warning   line {}: {}", w.line, w.reason)?;
                }
                for r in &report.rejected {
                    writeln!(out, "rejected  line {}: {}", r.line, r.reason)?;
                }
                writeln!(out, "{} line(s) rejected", report.rejected.len())?;
            }
            Ok(if report.rejected.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        SuppliersCommand::List { json } => {
            for s in session.run(list_suppliers(&session.store))? {
                if *json {
                    writeln!(out, "{}", serde_json::to_string(&s)?)?;
                } else {
                    writeln!(
                        out,
                        "{:<12} T{} {:<40} {:<4} {}",
                        s.erp_id,
                        s.tier,
                        s.name,
                        s.country.as_deref().unwrap_or(""),
                        s.commodities.join(",")
                    )?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
