//! `oretrail parse`: one summary (or JSON line) per file.

use crate::context::Context;
use anyhow::Result;
use oretrail_pipeline::{FileRecord, InputFile, collect_inputs, process_batch};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Parses every file on all cores and prints records in input order.
pub fn run(ctx: &Context, paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let (_, records) = process_paths(ctx, paths)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let rejected = records.iter().filter(|r| r.reject).count();
    for r in &records {
        if json {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        } else {
            write_summary(&mut out, r)?;
        }
    }
    if !json {
        writeln!(
            out,
            "{} file(s) read, {} rejected",
            records.len() - rejected,
            rejected
        )?;
    }
    Ok(if rejected > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Collects the files under `paths` and runs them through the pipeline with the stored
/// facility knowledge, persisting what was learned; records come in input order.
pub fn process_paths(
    ctx: &Context,
    paths: &[PathBuf],
) -> Result<(Vec<InputFile>, Vec<FileRecord>)> {
    let inputs = collect_inputs(paths);
    if inputs.is_empty() {
        anyhow::bail!("no .xlsx/.xls files found in the given paths");
    }
    let mut pipeline = ctx.pipeline()?;
    let records = process_batch(&mut pipeline, &inputs);
    ctx.save_registry(pipeline.registry())?;
    Ok((inputs, records))
}

fn write_summary(out: &mut impl Write, r: &FileRecord) -> Result<()> {
    let Some(report) = &r.report else {
        writeln!(
            out,
            "{}: REJECTED ({}) {}",
            r.file,
            r.reject_code().unwrap_or("rejected"),
            r.reject_detail.as_deref().unwrap_or("")
        )?;
        return Ok(());
    };
    let d = &report.declaration;
    let opt = |v: &Option<String>| v.as_deref().unwrap_or("(missing)").to_string();
    writeln!(out, "{}", r.file)?;
    writeln!(
        out,
        "  template   {} {} ({}){}",
        report.template.family,
        report.template.version,
        report.language.as_deref().unwrap_or("language not set"),
        if report.cached_values {
            ""
        } else {
            ", saved without cached formula values"
        }
    )?;
    writeln!(out, "  company    {}", opt(&d.company_name))?;
    let scope_desc = d
        .scope_description
        .as_deref()
        .map(|s| format!(" — {s}"))
        .unwrap_or_default();
    writeln!(out, "  scope      {}{scope_desc}", opt(&d.scope))?;
    let typed = if d.effective_date_is_text {
        format!(
            " (typed as text: {:?})",
            d.effective_date_raw.as_deref().unwrap_or("")
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "  effective  {}{typed}",
        d.effective_date.as_deref().unwrap_or("(none)")
    )?;
    writeln!(
        out,
        "  contact    {} <{}>",
        opt(&d.contact_name),
        opt(&d.contact_email)
    )?;
    writeln!(
        out,
        "  minerals   in scope: {}; active: {}",
        join(&report.minerals_in_scope),
        join(&report.active_minerals)
    )?;
    let resolved = report
        .smelters
        .iter()
        .filter(|s| {
            s.resolution
                .as_ref()
                .is_some_and(|x| x.canonical_cid.is_some())
        })
        .count();
    writeln!(
        out,
        "  smelters   {} row(s), {} resolved to an RMI facility ID",
        report.smelters.len(),
        resolved
    )?;
    writeln!(
        out,
        "  products   {} row(s); mines {} row(s)",
        report.products.len(),
        report.mines.len()
    )?;
    Ok(())
}

fn join(list: &[String]) -> String {
    if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    }
}
