//! `oretrail report`: the annual due-diligence report (HTML, Markdown or PDF) from a pinned
//! snapshot, snapshot comparison, and the Form SD / EU battery drafts.

use crate::context::Context;
use crate::export_template::{load_profile, today};
use crate::store::StoreSession;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use oretrail_report::doc::Doc;
use oretrail_report::gather::{SnapshotInputs, period_window, risk_data, snapshot};
use oretrail_report::snapshot::{RiskData, Snapshot, SnapshotStore};
use oretrail_store::campaigns::{campaign_by_name, list_campaigns};
use std::path::PathBuf;
use std::process::ExitCode;

/// `oretrail report` subcommands.
#[derive(Subcommand)]
pub enum ReportCommand {
    /// The annual due-diligence report (OECD step 5), pinned to a stored snapshot.
    Annual(AnnualArgs),
    /// Draft of the US Form SD / Conflict Minerals Report (3TG), narrative left to write.
    FormSd(AnnualArgs),
    /// Draft of the EU Batteries Regulation supply-chain due-diligence report.
    EuBattery(AnnualArgs),
    /// What changed between two snapshots, and why.
    Compare {
        /// Earlier snapshot (ID, ID prefix or file).
        from: String,
        /// Later snapshot.
        to: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Stored snapshots.
    Snapshots,
}

/// Arguments of a report made from a campaign (or a stored snapshot).
#[derive(Args)]
pub struct AnnualArgs {
    /// Campaign.
    #[arg(long, required_unless_present = "snapshot")]
    pub campaign: Option<String>,
    /// Date statuses are taken at (default: today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// html, md or pdf (pdf needs a build with `--features pdf`).
    #[arg(long, default_value = "html")]
    pub format: String,
    /// Output file (default: standard output; PDF needs a file).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Regenerate from a stored snapshot (ID, ID prefix or file) instead of the store's data.
    #[arg(long)]
    pub snapshot: Option<String>,
    /// Compare with this snapshot (ID or file) or campaign (its newest snapshot); default: the
    /// newest snapshot of the campaign of the previous period.
    #[arg(long)]
    pub previous: Option<String>,
    /// Risk data as JSON instead of the risk register.
    #[arg(long)]
    pub risk_data: Option<PathBuf>,
    /// Company profile (default: <data-dir>/company.toml).
    #[arg(long)]
    pub profile: Option<PathBuf>,
}

/// Runs `oretrail report`.
pub fn run(ctx: &Context, command: &ReportCommand) -> Result<ExitCode> {
    let snapshots = SnapshotStore::new(&ctx.data_dir);
    match command {
        ReportCommand::Annual(a) => {
            produce(ctx, &snapshots, a, oretrail_report::annual::annual_report)
        }
        ReportCommand::FormSd(a) => produce(ctx, &snapshots, a, oretrail_report::drafts::form_sd),
        ReportCommand::EuBattery(a) => {
            produce(ctx, &snapshots, a, oretrail_report::drafts::eu_battery)
        }
        ReportCommand::Compare { from, to, json } => {
            let c = oretrail_report::compare::compare(&snapshots.load(from)?, &snapshots.load(to)?);
            if *json {
                println!("{}", serde_json::to_string_pretty(&c)?);
            } else {
                let doc = Doc {
                    title: format!(
                        "Changes from {} ({}) to {} ({})",
                        c.from.campaign, c.from.as_of, c.to.campaign, c.to.as_of
                    ),
                    subtitle: String::new(),
                    footer: String::new(),
                    sections: vec![oretrail_report::doc::Section {
                        title: "Changes".into(),
                        blocks: oretrail_report::annual::comparison_blocks(&c),
                    }],
                };
                print!("{}", doc.to_markdown());
            }
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Snapshots => {
            for s in snapshots.list()? {
                println!(
                    "{}  {}  {:<24} period {:<8} {} file(s)",
                    &s.id[..12],
                    s.as_of,
                    s.campaign,
                    s.period,
                    s.inputs
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn produce(
    ctx: &Context,
    snapshots: &SnapshotStore,
    a: &AnnualArgs,
    build: fn(&Snapshot) -> oretrail_report::Result<Doc>,
) -> Result<ExitCode> {
    let (snap, id) = match &a.snapshot {
        Some(id) => {
            let snap = snapshots.load(id)?;
            let id = snapshots.save(&snap)?;
            (snap, id)
        }
        None => {
            let snap = make_snapshot(ctx, snapshots, a)?;
            let by = std::env::var("USER").unwrap_or_else(|_| "command line".into());
            let id = snapshots.save_by(&snap, &format!("{by} (command line)"))?;
            (snap, id)
        }
    };
    eprintln!("snapshot {id} (regenerate with --snapshot {})", &id[..12]);
    let doc = build(&snap)?;
    match a.format.as_str() {
        "html" => emit(a.out.as_ref(), doc.to_html().as_bytes()),
        "md" | "markdown" => emit(a.out.as_ref(), doc.to_markdown().as_bytes()),
        "pdf" => pdf(a.out.as_ref(), &doc, &id),
        other => bail!("format '{other}' is not html, md or pdf"),
    }
}

fn emit(out: Option<&PathBuf>, bytes: &[u8]) -> Result<ExitCode> {
    match out {
        Some(path) => {
            std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))?;
            eprintln!("written to {}", path.display());
        }
        None => {
            use std::io::Write;
            std::io::stdout().write_all(bytes)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(feature = "pdf")]
fn pdf(out: Option<&PathBuf>, doc: &Doc, id: &str) -> Result<ExitCode> {
    let Some(path) = out else {
        bail!("a PDF needs --out FILE");
    };
    let pdf = oretrail_report::pdf::render(doc, id)?;
    for w in &pdf.warnings {
        eprintln!("warning: {w}");
    }
    std::fs::write(path, &pdf.bytes).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("{} page(s) written to {}", pdf.pages, path.display());
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(feature = "pdf"))]
fn pdf(_out: Option<&PathBuf>, _doc: &Doc, _id: &str) -> Result<ExitCode> {
    bail!(
        "this oretrail was built without PDF support: build it with `cargo build --release -p oretrail-cli --features pdf`, or use --format html and print to PDF"
    )
}

fn make_snapshot(ctx: &Context, snapshots: &SnapshotStore, a: &AnnualArgs) -> Result<Snapshot> {
    let name = a.campaign.as_deref().context("--campaign is required")?;
    let profile = load_profile(ctx, a.profile.as_deref())?;
    let as_of = a.as_of.unwrap_or_else(today);
    let session = StoreSession::open(ctx)?;
    let campaign = session.run(campaign_by_name(&session.store, name))?;
    let (risk, risk_policy) = match &a.risk_data {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let data: RiskData = serde_json::from_str(&text)
                .with_context(|| format!("{} is not risk data", path.display()))?;
            (data, None)
        }
        None => match session.run(risk_data(
            &session.store,
            period_window(&campaign.spec.period, as_of),
        )) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("warning: no risk register data ({e}); the risk sections say so");
                (
                    RiskData {
                        source: "not recorded".into(),
                        ..RiskData::default()
                    },
                    None,
                )
            }
        },
    };
    let previous = match &a.previous {
        Some(p) => Some(snapshots.load(p).or_else(|_| {
            snapshots
                .latest_of(p)?
                .with_context(|| format!("no snapshot or campaign with a snapshot named '{p}'"))
        })?),
        None => {
            let prev_period = campaign
                .spec
                .period
                .trim()
                .parse::<i32>()
                .ok()
                .map(|y| (y - 1).to_string());
            let mut found = None;
            if let Some(pp) = prev_period {
                for c in session.run(list_campaigns(&session.store))? {
                    if c.spec.period == pp
                        && let Some(s) = snapshots.latest_of(&c.spec.name)?
                    {
                        found = Some(s);
                        break;
                    }
                }
            }
            found
        }
    };
    let snap = session.run(snapshot(
        &session.store,
        &campaign,
        as_of,
        SnapshotInputs {
            profile: &profile,
            risk,
            risk_policy,
            previous: previous.as_ref(),
        },
    ))?;
    Ok(snap)
}
