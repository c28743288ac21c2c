//! `oretrail facilities`: the registry of RMI smelters and refiners, and their RMAP status.

use crate::context::Context;
use anyhow::{Context as _, Result, bail};
use chrono::NaiveDate;
use clap::Subcommand;
use oretrail_facilities::normalize::name_tokens;
use oretrail_facilities::{Facility, StatusHistory, import_status_file, name_similarity};
use oretrail_template::Registry;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `oretrail facilities`.
#[derive(Subcommand)]
pub enum FacilitiesCommand {
    /// Learn the Smelter Look-up lists of RMI templates (blank or filled).
    Learn {
        /// Template files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// List known facilities.
    List {
        /// Only this metal.
        #[arg(long)]
        metal: Option<String>,
        /// Print JSON Lines.
        #[arg(long)]
        json: bool,
    },
    /// Everything known about one facility.
    Show {
        /// RMI facility ID (CID + 6 digits).
        cid: String,
    },
    /// Find facilities by name (any spelling).
    Search {
        /// Name or part of it.
        name: String,
        /// Only this metal.
        #[arg(long)]
        metal: Option<String>,
    },
    /// Import an RMI facility status list (xlsx or csv) as a dated snapshot.
    ImportStatus {
        /// The list as downloaded.
        file: PathBuf,
        /// Date the list describes (YYYY-MM-DD).
        #[arg(long)]
        as_of: NaiveDate,
    },
    /// Remember that a typed name designates a facility (applies to every later file).
    Alias {
        /// Metal.
        #[arg(long)]
        metal: String,
        /// Name as suppliers type it.
        #[arg(long)]
        name: String,
        /// The facility it designates.
        #[arg(long)]
        cid: String,
        /// Who decided.
        #[arg(long, default_value = "analyst")]
        by: String,
    },
}

/// Runs a facilities subcommand.
pub fn run(ctx: &Context, cmd: &FacilitiesCommand) -> Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        FacilitiesCommand::Learn { paths } => {
            let mut pipeline = ctx.pipeline()?;
            let files = oretrail_pipeline::collect_inputs(paths);
            let mut learned = 0;
            for f in &files {
                let bytes = std::fs::read(&f.path)
                    .with_context(|| format!("reading {}", f.path.display()))?;
                let options = oretrail_reader::ReadOptions {
                    with_lookup: true,
                    ..Default::default()
                };
                match oretrail_reader::read_bytes(&bytes, &options) {
                    Ok(o) if o.lookup.is_some() => {
                        let before = pipeline.registry().facilities().len();
                        if let Some(entries) = o.lookup.as_deref() {
                            pipeline.learn_entries(o.def.family, &o.def.version, entries);
                        }
                        learned += 1;
                        writeln!(
                            out,
                            "{}: {} — {} facilities known (+{})",
                            f.name,
                            o.def.name(),
                            pipeline.registry().facilities().len(),
                            pipeline.registry().facilities().len() - before
                        )?;
                    }
                    Ok(o) => writeln!(
                        out,
                        "{}: {} has no Smelter Look-up sheet",
                        f.name,
                        o.def.name()
                    )?,
                    Err(e) => writeln!(out, "{}: not learned — {e}", f.name)?,
                }
            }
            ctx.save_registry(pipeline.registry())?;
            writeln!(out, "learned from {learned} template(s)")?;
        }
        FacilitiesCommand::List { metal, json } => {
            let pipeline = ctx.pipeline()?;
            let registry = pipeline.registry();
            let mut n = 0;
            for f in registry.facilities() {
                if metal
                    .as_deref()
                    .is_some_and(|m| !m.eq_ignore_ascii_case(&f.metal))
                {
                    continue;
                }
                n += 1;
                if *json {
                    writeln!(out, "{}", serde_json::to_string(f)?)?;
                } else {
                    writeln!(
                        out,
                        "{}  {:<9} {:<50} {}{}",
                        f.cid,
                        f.metal,
                        truncate(&f.standard_name, 50),
                        f.country.as_deref().unwrap_or("?"),
                        if f.no_longer_listed {
                            "  (no longer listed by RMI)"
                        } else {
                            ""
                        }
                    )?;
                }
            }
            if !json {
                writeln!(out, "{n} facilities")?;
            }
        }
        FacilitiesCommand::Show { cid } => {
            let pipeline = ctx.pipeline()?;
            let found = pipeline.registry().facilities_with_cid(cid);
            if found.is_empty() {
                bail!(
                    "no facility {cid} is known; learn RMI templates first (oretrail facilities learn)"
                );
            }
            let history = ctx.load_status_history()?;
            for f in found {
                write_facility(&mut out, f, &history)?;
            }
        }
        FacilitiesCommand::Search { name, metal } => {
            let pipeline = ctx.pipeline()?;
            let query = name_tokens(name).tokens;
            let mut hits: Vec<(f64, &Facility)> = pipeline
                .registry()
                .facilities()
                .iter()
                .filter(|f| {
                    metal
                        .as_deref()
                        .is_none_or(|m| m.eq_ignore_ascii_case(&f.metal))
                })
                .map(|f| {
                    let score = f
                        .aliases
                        .iter()
                        .chain(std::iter::once(&f.standard_name))
                        .map(|a| name_similarity(&query, &name_tokens(a).tokens))
                        .fold(0.0, f64::max);
                    (score, f)
                })
                .filter(|(s, _)| *s >= 0.5)
                .collect();
            hits.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (score, f) in hits.iter().take(15) {
                writeln!(
                    out,
                    "{:.2}  {}  {:<9} {}  ({})",
                    score,
                    f.cid,
                    f.metal,
                    f.standard_name,
                    f.country.as_deref().unwrap_or("?")
                )?;
            }
            if hits.is_empty() {
                writeln!(out, "no facility resembles {name:?}")?;
            }
        }
        FacilitiesCommand::ImportStatus { file, as_of } => {
            let snapshot = import_status_file(file, *as_of)
                .with_context(|| format!("importing {}", file.display()))?;
            let mut history = ctx.load_status_history()?;
            writeln!(
                out,
                "{}: {} facilities as of {} ({} rows skipped)",
                file.display(),
                snapshot.entries.len(),
                snapshot.as_of,
                snapshot.skipped.len()
            )?;
            for s in snapshot.skipped.iter().take(10) {
                writeln!(out, "  skipped: {s}")?;
            }
            history.add(snapshot);
            ctx.save_status_history(&history)?;
            writeln!(out, "{} snapshot(s) kept", history.snapshots().len())?;
        }
        FacilitiesCommand::Alias {
            metal,
            name,
            cid,
            by,
        } => {
            let mut pipeline = ctx.pipeline()?;
            let mut registry = pipeline_registry(&mut pipeline);
            registry.remember_alias(metal, name, cid, by)?;
            ctx.save_registry(&registry)?;
            writeln!(out, "remembered: {metal} {name:?} → {cid}")?;
        }
    }
    let _ = Registry::global();
    Ok(ExitCode::SUCCESS)
}

fn pipeline_registry(
    pipeline: &mut oretrail_pipeline::Pipeline,
) -> oretrail_facilities::FacilityRegistry {
    std::mem::replace(
        pipeline,
        oretrail_pipeline::Pipeline::new(Default::default()),
    )
    .into_registry()
}

fn write_facility(out: &mut impl Write, f: &Facility, history: &StatusHistory) -> Result<()> {
    writeln!(out, "{} — {} ({})", f.cid, f.standard_name, f.metal)?;
    writeln!(out, "  country    {}", f.country.as_deref().unwrap_or("?"))?;
    let place: Vec<&str> = [
        f.street.as_deref(),
        f.city.as_deref(),
        f.state_province.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !place.is_empty() {
        writeln!(out, "  address    {}", place.join(", "))?;
    }
    if f.no_longer_listed {
        writeln!(
            out,
            "  NOTE       no longer listed in the newest RMI templates learned"
        )?;
    }
    writeln!(out, "  names      {}", f.aliases.join(" | "))?;
    let versions: Vec<String> = f
        .listings
        .iter()
        .map(|l| format!("{} {}", l.family, l.version))
        .collect();
    writeln!(out, "  listed in  {}", versions.join(", "))?;
    let mut any = false;
    for s in history.snapshots() {
        if let Some(e) = s.entries.iter().find(|e| {
            e.cid == f.cid
                && e.metal
                    .as_deref()
                    .is_none_or(|m| m.eq_ignore_ascii_case(&f.metal))
        }) {
            any = true;
            writeln!(
                out,
                "  status     as of {}: {}{}{}",
                s.as_of,
                e.status_text,
                e.last_audit
                    .map(|d| format!(", last audit {d}"))
                    .unwrap_or_default(),
                e.reaudit_due
                    .map(|d| format!(", re-audit due {d}"))
                    .unwrap_or_default()
            )?;
        }
    }
    if !any {
        writeln!(out, "  status     no RMAP status list imported mentions it")?;
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}
