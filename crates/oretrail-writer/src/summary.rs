//! Short feedback summaries for a supplier: problems grouped by sheet, with counts and cell
//! references, as plain text (e-mail body) and HTML (a fragment, all text escaped).

use crate::feedback::ProblemMark;
use oretrail_template::{CellRef, SupplierReport};
use oretrail_validate::Severity;
use std::fmt::Write;

/// Problems of one sheet (or of the workbook as a whole), in position order.
struct Group<'p> {
    sheet: Option<&'p str>,
    marks: Vec<&'p ProblemMark>,
}

fn groups(problems: &[ProblemMark]) -> Vec<Group<'_>> {
    let mut out: Vec<Group<'_>> = Vec::new();
    for p in problems {
        let sheet = p.sheet.as_deref();
        match out.iter_mut().find(|g| g.sheet == sheet) {
            Some(g) => g.marks.push(p),
            None => out.push(Group {
                sheet,
                marks: vec![p],
            }),
        }
    }
    // Workbook-level problems last; sheets keep the order they first appear in.
    out.sort_by_key(|g| g.sheet.is_none());
    for g in &mut out {
        g.marks.sort_by_key(|m| {
            let cell = m
                .cell
                .as_deref()
                .and_then(|c| CellRef::parse(c.split(':').next().unwrap_or(c)));
            let row = cell.map(|c| c.row).or(m.row).unwrap_or(u32::MAX);
            (row, cell.map_or(0, |c| c.col), m.severity)
        });
    }
    out
}

fn count(problems: &[ProblemMark], severity: Severity) -> usize {
    problems.iter().filter(|p| p.severity == severity).count()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// "2 errors, 1 warning, 3 notes", or "no problems".
fn counts_line(problems: &[ProblemMark]) -> String {
    if problems.is_empty() {
        return "no problems found".to_string();
    }
    let mut parts = Vec::new();
    for (sev, one, many) in [
        (Severity::Error, "error", "errors"),
        (Severity::Warning, "warning", "warnings"),
        (Severity::Info, "note", "notes"),
    ] {
        let n = count(problems, sev);
        if n > 0 {
            parts.push(plural(n, one, many));
        }
    }
    parts.join(", ")
}

fn who(report: &SupplierReport) -> String {
    let company = report
        .declaration
        .company_name
        .as_deref()
        .unwrap_or("(company name missing)");
    format!(
        "{company} — {} {}",
        report.template.family, report.template.version
    )
}

/// A plain-text summary: file, company and template, counts, then problems by sheet.
pub fn feedback_summary_text(
    file_name: &str,
    report: &SupplierReport,
    problems: &[ProblemMark],
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Feedback on \"{file_name}\"");
    let _ = writeln!(out, "{}", who(report));
    let _ = writeln!(out, "{}", counts_line(problems));
    for g in groups(problems) {
        let _ = writeln!(out);
        let title = g.sheet.unwrap_or("Workbook");
        let _ = writeln!(out, "{title} ({})", g.marks.len());
        let width = g
            .marks
            .iter()
            .map(|m| m.location().chars().count())
            .max()
            .unwrap_or(0);
        for m in g.marks {
            let loc = m.location();
            let _ = writeln!(
                out,
                "  {loc:<width$}  {:<7}  {} [{}]",
                m.severity.as_str(),
                m.message.trim(),
                m.code
            );
        }
    }
    out
}

/// Escapes text for HTML element content and quoted attributes.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML fragment (one `<section>`): the same content as the text summary, escaped.
pub fn feedback_summary_html(
    file_name: &str,
    report: &SupplierReport,
    problems: &[ProblemMark],
) -> String {
    let e = escape_html;
    let mut out = String::new();
    out.push_str("<section class=\"oretrail-feedback\">\n");
    let _ = writeln!(out, "<h2>Feedback on <q>{}</q></h2>", e(file_name));
    let _ = writeln!(out, "<p class=\"template\">{}</p>", e(&who(report)));
    let _ = writeln!(out, "<p class=\"counts\">{}</p>", e(&counts_line(problems)));
    for g in groups(problems) {
        let title = g.sheet.unwrap_or("Workbook");
        let _ = writeln!(
            out,
            "<h3>{} <small>({})</small></h3>",
            e(title),
            g.marks.len()
        );
        out.push_str("<table>\n<thead><tr><th>Cell</th><th>Severity</th><th>Problem</th></tr></thead>\n<tbody>\n");
        for m in g.marks {
            let sev = m.severity.as_str();
            let _ = writeln!(
                out,
                "<tr class=\"{sev}\"><td><code>{}</code></td><td>{sev}</td><td>{} <code>{}</code></td></tr>",
                e(&m.location()),
                e(m.message.trim()),
                e(&m.code)
            );
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</section>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::{Family, SupplierReport, TemplateInfo};

    fn report() -> SupplierReport {
        SupplierReport {
            template: TemplateInfo {
                family: Family::Cmrt,
                version: "6.5".into(),
                revision_label: "Revision 6.5".into(),
            },
            language: None,
            cached_values: true,
            declaration: oretrail_template::Declaration {
                company_name: Some("Acme <Cells> & Co".into()),
                ..Default::default()
            },
            declaration_cells: Default::default(),
            minerals_in_scope: vec![],
            active_minerals: vec![],
            mineral_answers: Default::default(),
            company_answers: Default::default(),
            products: vec![],
            mines: vec![],
            smelters: vec![],
        }
    }

    fn mark(sheet: Option<&str>, cell: Option<&str>, sev: Severity, msg: &str) -> ProblemMark {
        ProblemMark {
            sheet: sheet.map(str::to_string),
            cell: cell.map(str::to_string),
            row: None,
            severity: sev,
            code: "missing_required".into(),
            message: msg.into(),
        }
    }

    #[test]
    fn text_summary_groups_problems_by_sheet_with_counts() {
        let problems = [
            mark(None, None, Severity::Warning, "No cached values."),
            mark(
                Some("Smelter List"),
                Some("C9"),
                Severity::Warning,
                "Twice.",
            ),
            mark(
                Some("Declaration"),
                Some("D15"),
                Severity::Error,
                "Contact missing.",
            ),
            mark(
                Some("Declaration"),
                Some("D8"),
                Severity::Error,
                "Name missing.",
            ),
        ];
        let text = feedback_summary_text("a.xlsx", &report(), &problems);
        assert!(text.contains("2 errors, 2 warnings"));
        let d8 = text.find("D8").unwrap_or(usize::MAX);
        let d15 = text.find("D15").unwrap_or(0);
        assert!(d8 < d15, "{text}");
        assert!(text.find("Smelter List (1)") < text.find("Workbook (1)"));
        assert!(text.contains("Declaration (2)"));
    }

    #[test]
    fn html_summary_escapes_everything() {
        let problems = [mark(
            Some("Declaration"),
            Some("D8"),
            Severity::Error,
            "<script>alert('x')</script>",
        )];
        let html = feedback_summary_html("<b>.xlsx", &report(), &problems);
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)"));
        assert!(html.contains("Acme &lt;Cells&gt; &amp; Co"));
        assert!(html.contains("<tr class=\"error\">"));
        assert_eq!(
            feedback_summary_text("a", &report(), &[]).lines().nth(2),
            Some("no problems found")
        );
    }
}
