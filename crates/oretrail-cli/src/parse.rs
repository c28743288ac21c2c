//! `oretrail parse`: one summary (or JSON line) per file.

use anyhow::Result;
use oretrail_pipeline::{FileRecord, collect_inputs, process_path};
use oretrail_reader::ReadOptions;
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Parses every file on all cores and prints records in input order.
pub fn run(paths: &[PathBuf], json: bool) -> Result<ExitCode> {
    let inputs = collect_inputs(paths);
    if inputs.is_empty() {
        anyhow::bail!("no .xlsx/.xls files found in the given paths");
    }
    let options = ReadOptions::default();
    let records: Vec<FileRecord> = inputs
        .par_iter()
        .map(|f| process_path(&f.path, &f.name, &options))
        .collect();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut rejected = 0;
    for r in &records {
        if r.reject {
            rejected += 1;
        }
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

fn write_summary(out: &mut impl Write, r: &FileRecord) -> Result<()> {
    let Some(report) = &r.report else {
        let reason = r.reject_reason.map(|x| x.code()).unwrap_or("rejected");
        writeln!(
            out,
            "{}: REJECTED ({reason}) {}",
            r.file,
            r.reject_detail.as_deref().unwrap_or("")
        )?;
        return Ok(());
    };
    let d = &report.declaration;
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
    writeln!(
        out,
        "  company    {}",
        d.company_name.as_deref().unwrap_or("(missing)")
    )?;
    writeln!(
        out,
        "  scope      {}{}",
        d.scope.as_deref().unwrap_or("(missing)"),
        d.scope_description
            .as_deref()
            .map(|s| format!(" — {s}"))
            .unwrap_or_default()
    )?;
    writeln!(
        out,
        "  effective  {}{}",
        d.effective_date.as_deref().unwrap_or("(none)"),
        if d.effective_date_is_text {
            format!(
                " (typed as text: {:?})",
                d.effective_date_raw.as_deref().unwrap_or("")
            )
        } else {
            String::new()
        }
    )?;
    writeln!(
        out,
        "  contact    {} <{}>",
        d.contact_name.as_deref().unwrap_or("?"),
        d.contact_email.as_deref().unwrap_or("?")
    )?;
    writeln!(
        out,
        "  minerals   in scope: {}; active: {}",
        join(&report.minerals_in_scope),
        join(&report.active_minerals)
    )?;
    let mut by_kind = std::collections::BTreeMap::new();
    for s in &report.smelters {
        *by_kind.entry(format!("{:?}", s.entry)).or_insert(0) += 1;
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, v)| format!("{v} {k}")).collect();
    writeln!(
        out,
        "  smelters   {} row(s){}",
        report.smelters.len(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(": {}", kinds.join(", "))
        }
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
