//! `oretrail export-template`: the company's own declaration written into RMI's official blank
//! template, with answers derived from a campaign's results and every override recorded.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::Args;
use oretrail_report::declaration::{DeriveOptions, ExportScope};
use oretrail_report::fill::company_template;
use oretrail_report::gather::campaign_data;
use oretrail_report::profile::{CompanyProfile, Overrides};
use oretrail_store::campaigns::campaign_by_name;
use oretrail_template::{Family, Registry};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `oretrail export-template`.
#[derive(Args)]
pub struct ExportTemplateArgs {
    /// Campaign whose results the declaration is derived from.
    #[arg(long)]
    pub campaign: String,
    /// Template family: CMRT, EMRT, CRT (or AMRT).
    #[arg(long)]
    pub family: String,
    /// Template version (default: the newest).
    #[arg(long)]
    pub version: Option<String>,
    /// Declaration scope: company or product.
    #[arg(long, default_value = "company")]
    pub scope: String,
    /// Output file (.xlsx); the export log is written beside it as FILE.log.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Effective date and date of facility statuses (default: today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Company profile (default: <data-dir>/company.toml).
    #[arg(long)]
    pub profile: Option<PathBuf>,
    /// Analysts' overrides (default: <data-dir>/overrides.toml when present).
    #[arg(long)]
    pub overrides: Option<PathBuf>,
    /// Folder of RMI's blank templates (default: templates/rmi).
    #[arg(long, env = "ORETRAIL_TEMPLATES_DIR")]
    pub templates: Option<PathBuf>,
}

/// The company profile: the file given, else `<data-dir>/company.toml`.
pub fn load_profile(ctx: &Context, path: Option<&Path>) -> Result<CompanyProfile> {
    let default = ctx.data_dir.join("company.toml");
    let path = path.unwrap_or(&default);
    if !path.is_file() {
        bail!(
            "no company profile at {} (see docs/reporting.md for company.toml)",
            path.display()
        );
    }
    Ok(CompanyProfile::load(path)?)
}

/// The overrides: the file given, else `<data-dir>/overrides.toml` when present.
pub fn load_overrides(ctx: &Context, path: Option<&Path>) -> Result<Overrides> {
    match path {
        Some(p) => Ok(Overrides::load(p)?),
        None => {
            let default = ctx.data_dir.join("overrides.toml");
            if default.is_file() {
                Ok(Overrides::load(&default)?)
            } else {
                Ok(Overrides::default())
            }
        }
    }
}

/// Today's date (UTC).
pub fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// Runs `oretrail export-template`.
pub fn run(ctx: &Context, args: &ExportTemplateArgs) -> Result<ExitCode> {
    let family = Family::from_code(&args.family)
        .with_context(|| format!("unknown template family '{}'", args.family))?;
    let registry = Registry::global();
    let def = match &args.version {
        Some(v) => registry.get(family, v),
        None => registry.latest(family),
    }
    .with_context(|| {
        format!(
            "no {family} {} is known",
            args.version.as_deref().unwrap_or("")
        )
    })?;
    let scope = ExportScope::parse(&args.scope)
        .with_context(|| format!("scope '{}' is neither company nor product", args.scope))?;
    let profile = load_profile(ctx, args.profile.as_deref())?;
    let overrides = load_overrides(ctx, args.overrides.as_deref())?;
    let as_of = args.as_of.unwrap_or_else(today);

    let session = StoreSession::open(ctx)?;
    let campaign = session.run(campaign_by_name(&session.store, &args.campaign))?;
    let data = session.run(campaign_data(&session.store, &campaign, as_of))?;
    let filled = company_template(
        def,
        &data.results(),
        &DeriveOptions {
            scope,
            effective_date: as_of,
            profile: &profile,
            overrides: &overrides,
        },
        args.templates.as_deref(),
    )?;
    std::fs::write(&args.out, &filled.bytes)
        .with_context(|| format!("writing {}", args.out.display()))?;
    let log_path = PathBuf::from(format!("{}.log.json", args.out.display()));
    std::fs::write(&log_path, serde_json::to_vec_pretty(&filled.log)?)
        .with_context(|| format!("writing {}", log_path.display()))?;

    let log = &filled.log;
    println!(
        "{} ({} scope, effective {}) written to {}",
        log.template,
        log.scope,
        log.effective_date,
        args.out.display()
    );
    println!(
        "  {} cells in {} part(s); {} part(s) copied unchanged",
        log.cells_written,
        log.parts_rewritten.len(),
        log.parts_copied
    );
    println!(
        "  Smelter List: {} by look-up name, {} not listed; Product List: {} row(s)",
        log.smelters_by_lookup, log.smelters_not_listed, log.products
    );
    for l in &log.left_out {
        println!("  left out: {} {} — {}", l.metal, l.name, l.reason);
    }
    println!("  answers:");
    for a in &log.answers {
        let d = &a.derived;
        println!(
            "    {:<4} {:<10} {:<40} {}",
            a.question,
            a.mineral.as_deref().unwrap_or(""),
            d.answer.as_deref().unwrap_or("(blank)"),
            d.basis
        );
        if let Some(o) = &d.overridden {
            println!(
                "         overridden by {} (was {}): {}",
                o.by,
                o.derived.as_deref().unwrap_or("blank"),
                o.reason
            );
        }
    }
    if log.problems.is_empty() {
        println!("  the output passes the template's checks");
    } else {
        println!("  problems in the output (complete company.toml to fix):");
        for p in &log.problems {
            println!("    {p}");
        }
    }
    println!("  log: {}", log_path.display());
    Ok(ExitCode::SUCCESS)
}
