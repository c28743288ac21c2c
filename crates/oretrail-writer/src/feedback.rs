//! Feedback for a supplier: their own workbook with every problem cell highlighted (red for
//! errors, amber for warnings) and a comment carrying the messages.
//!
//! Only styles and comments change, so the marked copy reads back to the same report.

use crate::error::Result;
use crate::package::Package;
use crate::patch::{WorkbookPatch, fill};
use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_template::registry::ListDef;
use oretrail_template::{CellRef, TemplateDef};
use oretrail_validate::{Problem, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A problem to mark in the workbook: where, how serious, and what to tell the supplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProblemMark {
    /// Sheet name, `None` for workbook-level problems.
    pub sheet: Option<String>,
    /// Cell (A1 style, `$` allowed; a range marks its first cell).
    pub cell: Option<String>,
    /// Sheet row, for list problems without a cell.
    pub row: Option<u32>,
    /// How serious the problem is.
    pub severity: Severity,
    /// Stable problem code (`missing_required`).
    pub code: String,
    /// Message for the supplier.
    pub message: String,
}

impl From<&Problem> for ProblemMark {
    fn from(p: &Problem) -> ProblemMark {
        ProblemMark {
            sheet: p.sheet.clone(),
            cell: p.cell.clone(),
            row: p.row,
            severity: p.severity,
            code: p.code.as_str().to_string(),
            message: if p.message.is_empty() {
                p.message_in("en")
            } else {
                p.message.clone()
            },
        }
    }
}

impl From<Problem> for ProblemMark {
    fn from(p: Problem) -> ProblemMark {
        ProblemMark::from(&p)
    }
}

impl ProblemMark {
    /// Where the mark shows: its cell, else "row N", else empty.
    pub fn location(&self) -> String {
        match (&self.cell, self.row) {
            (Some(c), _) => c.replace('$', ""),
            (None, Some(r)) => format!("row {r}"),
            (None, None) => String::new(),
        }
    }
}

/// Fill colour of a severity; `None` for information (comment only).
pub fn severity_fill(severity: Severity) -> Option<u32> {
    match severity {
        Severity::Error => Some(fill::ERROR),
        Severity::Warning => Some(fill::WARNING),
        Severity::Info => None,
    }
}

/// The cell a mark is anchored to, if it has one in this workbook.
///
/// A cell is used as given; a list row without a cell marks the row's look-up (else name)
/// cell; a list-sheet problem without row marks that column's header. Other problems (the
/// workbook as a whole, a sheet outside the lists) have no cell and only appear in summaries.
pub fn anchor(mark: &ProblemMark, def: Option<&TemplateDef>) -> Option<(String, CellRef)> {
    let sheet = mark.sheet.clone()?;
    if let Some(cell) = &mark.cell {
        let first = cell.split(':').next().unwrap_or(cell);
        let first = first.rsplit('!').next().unwrap_or(first);
        return CellRef::parse(first).map(|c| (sheet, c));
    }
    let list = def.and_then(|d| list_of(d, &sheet))?;
    let col = key_column(list)?;
    let row = match mark.row {
        Some(r) => r,
        None => list.first_data_row.checked_sub(1).filter(|r| *r > 0)?,
    };
    Some((sheet, CellRef { row, col }))
}

fn list_of<'d>(def: &'d TemplateDef, sheet: &str) -> Option<&'d ListDef> {
    [
        Some(&def.smelter_list),
        Some(&def.product_list),
        def.mine_list.as_ref(),
    ]
    .into_iter()
    .flatten()
    .find(|l| l.sheet.eq_ignore_ascii_case(sheet))
}

/// The column that names a list row: the smelter look-up, else the name, number or metal.
fn key_column(list: &ListDef) -> Option<u32> {
    ["lookup", "name", "number", "mine_name", "metal"]
        .iter()
        .find_map(|k| list.col(k))
        .or_else(|| list.columns.keys().next().and_then(|k| list.col(k)))
}

/// One line of a cell comment.
fn comment_line(mark: &ProblemMark) -> String {
    let severity = match mark.severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "NOTE",
    };
    format!("{severity}: {} [{}]", mark.message.trim(), mark.code)
}

/// The patch that marks every anchored problem of a workbook.
pub fn feedback_patch(
    problems: &[ProblemMark],
    def: Option<&TemplateDef>,
    sheets: &[String],
) -> WorkbookPatch {
    let mut by_cell: BTreeMap<(String, u32, u32), Vec<&ProblemMark>> = BTreeMap::new();
    for mark in problems {
        let Some((sheet, cell)) = anchor(mark, def) else {
            continue;
        };
        let Some(sheet) = sheets
            .iter()
            .find(|s| s.as_str() == sheet)
            .or_else(|| sheets.iter().find(|s| s.eq_ignore_ascii_case(&sheet)))
        else {
            continue;
        };
        by_cell
            .entry((sheet.clone(), cell.row, cell.col))
            .or_default()
            .push(mark);
    }
    let mut patch = WorkbookPatch::new();
    patch.full_calc_on_load(false);
    for ((sheet, row, col), mut marks) in by_cell {
        marks.sort_by_key(|m| m.severity);
        let cell = CellRef { row, col };
        if let Some(color) = marks.first().and_then(|m| severity_fill(m.severity)) {
            patch.highlight(&sheet, cell, color);
        }
        let mut seen = Vec::new();
        for m in marks {
            let line = comment_line(m);
            if !seen.contains(&line) {
                patch.comment(&sheet, cell, line.clone());
                seen.push(line);
            }
        }
    }
    patch
}

/// A copy of the supplier's workbook with each problem cell highlighted and commented.
///
/// Values, formulas, validations and protection are untouched, so the copy reads back to the
/// same report as the original. Problems without a cell in the workbook are left to the
/// summaries ([`crate::summary`]).
pub fn feedback_workbook(original: &[u8], problems: &[ProblemMark]) -> Result<Vec<u8>> {
    let sheets = Package::open(original)?.sheet_names();
    let outcome = read_bytes(original, &ReadOptions::default()).ok();
    let def = outcome.as_ref().map(|o| o.def);
    let patch = feedback_patch(problems, def, &sheets);
    if patch.is_empty() {
        return Ok(original.to_vec());
    }
    patch.apply(original)
}

#[cfg(test)]
mod tests {
    use super::*;
    use oretrail_template::{Family, Registry};

    fn mark(sheet: Option<&str>, cell: Option<&str>, row: Option<u32>) -> ProblemMark {
        ProblemMark {
            sheet: sheet.map(str::to_string),
            cell: cell.map(str::to_string),
            row,
            severity: Severity::Warning,
            code: "duplicate_smelter".into(),
            message: "Listed twice.".into(),
        }
    }

    #[test]
    fn row_problems_mark_the_look_up_cell_and_sheet_problems_the_header() {
        let def = Registry::global().get(Family::Cmrt, "6.5");
        let at = |m: &ProblemMark| anchor(m, def).map(|(s, c)| format!("{s}!{c}"));
        assert_eq!(
            at(&mark(Some("Smelter List"), None, Some(17))).as_deref(),
            Some("Smelter List!C17")
        );
        assert_eq!(
            at(&mark(Some("Smelter List"), None, None)).as_deref(),
            Some("Smelter List!C4")
        );
        assert_eq!(
            at(&mark(Some("Declaration"), Some("$D$8"), None)).as_deref(),
            Some("Declaration!D8")
        );
        assert_eq!(at(&mark(Some("Declaration"), None, None)), None);
        assert_eq!(at(&mark(None, None, None)), None);
        let amrt = Registry::global().get(Family::Amrt, "1.2");
        assert_eq!(
            anchor(&mark(Some("Smelter List"), None, Some(9)), amrt)
                .map(|(s, c)| format!("{s}!{c}"))
                .as_deref(),
            Some("Smelter List!B9")
        );
    }

    #[test]
    fn validator_problems_convert_to_marks() {
        let p = Problem::new(oretrail_validate::Code::MissingRequired, Severity::Error)
            .at("Declaration", Some("D8".into()));
        let m = ProblemMark::from(&p);
        assert_eq!(m.code, "missing_required");
        assert_eq!(m.severity, Severity::Error);
        assert!(!m.message.is_empty());
    }
}
