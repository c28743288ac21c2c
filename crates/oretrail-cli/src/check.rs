//! `oretrail check`: every problem of every file, grouped by sheet; non-zero exit on errors.

use crate::context::Context;
use anyhow::Result;
use clap::Args;
use oretrail_pipeline::FileRecord;
use oretrail_validate::Severity;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Options of `oretrail check`.
#[derive(Args)]
pub struct CheckArgs {
    /// Template files or folders (searched recursively for .xlsx/.xls).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print one JSON object per file per line, with its `problems`.
    #[arg(long)]
    pub json: bool,
    /// Language of the messages: en or zh.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Write, per file, the feedback to send back: a marked copy of the supplier's workbook
    /// (problem cells highlighted and commented; the original is never modified) and a short
    /// text and HTML summary.
    #[arg(long, value_name = "OUT_DIR")]
    pub feedback: Option<PathBuf>,
}

/// Checks every file and prints a report per file.
pub fn run(ctx: &Context, args: &CheckArgs) -> Result<ExitCode> {
    let (inputs, records) = crate::parse::process_paths(ctx, &args.paths)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for r in &records {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        } else {
            write_report(&mut out, r, &args.lang)?;
        }
    }
    if let Some(dir) = &args.feedback {
        write_feedback(dir, &inputs, &records, &args.lang, &mut out)?;
    }
    let failing = records.iter().filter(|r| r.has_errors()).count();
    if !args.json {
        let clean = records
            .iter()
            .filter(|r| !r.reject && r.problems.as_ref().is_some_and(|p| p.is_empty()))
            .count();
        writeln!(
            out,
            "\n{} file(s): {} clean, {} with errors or rejected, {} with warnings only",
            records.len(),
            clean,
            failing,
            records.len() - clean - failing
        )?;
    }
    Ok(if failing > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes `<name> (feedback).xlsx`, `.txt` and `.html` for every read file with problems.
fn write_feedback(
    dir: &std::path::Path,
    inputs: &[oretrail_pipeline::InputFile],
    records: &[FileRecord],
    lang: &str,
    out: &mut impl Write,
) -> Result<()> {
    use anyhow::Context as _;
    use oretrail_writer::{
        ProblemMark, feedback_summary_html, feedback_summary_text, feedback_workbook,
    };
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut written = 0;
    for (input, record) in inputs.iter().zip(records) {
        let (Some(report), Some(problems)) = (&record.report, &record.problems) else {
            continue;
        };
        if problems.is_empty() {
            continue;
        }
        let marks: Vec<ProblemMark> = problems
            .iter()
            .map(|p| ProblemMark {
                message: p.message_in(lang),
                ..ProblemMark::from(p)
            })
            .collect();
        let original = std::fs::read(&input.path)
            .with_context(|| format!("reading {}", input.path.display()))?;
        let stem = std::path::Path::new(&record.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| record.file.clone());
        match feedback_workbook(&original, &marks) {
            Ok(bytes) => std::fs::write(dir.join(format!("{stem} (feedback).xlsx")), bytes)?,
            Err(e) => writeln!(out, "  {}: marked copy not written: {e}", record.file)?,
        }
        std::fs::write(
            dir.join(format!("{stem} (feedback).txt")),
            feedback_summary_text(&record.file, report, &marks),
        )?;
        let html = format!(
            "<!doctype html><meta charset=\"utf-8\"><title>Feedback</title>\n{}",
            feedback_summary_html(&record.file, report, &marks)
        );
        std::fs::write(dir.join(format!("{stem} (feedback).html")), html)?;
        written += 1;
    }
    writeln!(
        out,
        "feedback for {written} file(s) written to {}",
        dir.display()
    )?;
    Ok(())
}

fn write_report(out: &mut impl Write, r: &FileRecord, lang: &str) -> Result<()> {
    if r.reject {
        writeln!(
            out,
            "✗ {} — rejected ({}): {}",
            r.file,
            r.reject_code().unwrap_or("rejected"),
            r.reject_detail.as_deref().unwrap_or("")
        )?;
        return Ok(());
    }
    let problems = r.problems.as_deref().unwrap_or(&[]);
    let template = r
        .report
        .as_ref()
        .map(|rep| format!("{} {}", rep.template.family, rep.template.version))
        .unwrap_or_default();
    if problems.is_empty() {
        writeln!(out, "✓ {} ({template}) — no problems", r.file)?;
        return Ok(());
    }
    let mark = if r.count(Severity::Error) > 0 {
        "✗"
    } else {
        "!"
    };
    writeln!(
        out,
        "{mark} {} ({template}) — {} error(s), {} warning(s), {} note(s)",
        r.file,
        r.count(Severity::Error),
        r.count(Severity::Warning),
        r.count(Severity::Info)
    )?;
    let mut sheets: Vec<&str> = Vec::new();
    for p in problems {
        let sheet = p.sheet.as_deref().unwrap_or("Workbook");
        if !sheets.contains(&sheet) {
            sheets.push(sheet);
        }
    }
    for sheet in sheets {
        let in_sheet: Vec<_> = problems
            .iter()
            .filter(|p| p.sheet.as_deref().unwrap_or("Workbook") == sheet)
            .collect();
        writeln!(out, "  {sheet} ({})", in_sheet.len())?;
        for p in in_sheet {
            let place = p
                .cell
                .clone()
                .or_else(|| p.row.map(|r| format!("row {r}")))
                .unwrap_or_default();
            writeln!(
                out,
                "    {:<7} {:<8} {:<24} {}",
                p.severity.as_str(),
                place,
                p.code.as_str(),
                p.message_in(lang)
            )?;
        }
    }
    Ok(())
}
