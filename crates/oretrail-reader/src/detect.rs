//! Recognising which template family and version a workbook is, from its content.

use crate::error::{ReadError, RejectReason};
use crate::sheet::Sheet;
use crate::values;
use oretrail_template::{CellRef, Registry, TemplateDef};

/// What a workbook shows about its identity.
pub struct Identity<'s> {
    /// Family title (`Revision!B3`), if found.
    pub family_text: Option<String>,
    /// First line of the revision label (`Declaration!J3`), if found.
    pub revision_label: Option<String>,
    /// Names of the workbook's sheets.
    pub sheet_names: &'s [String],
}

/// Extracts the revision label's first line, e.g. "Revision 6.5" from "Revision 6.5\nApril 25, 2025".
pub fn revision_label(sheet: &Sheet, cell: &str) -> Option<String> {
    let c = CellRef::parse(cell)?;
    let raw = values::cell_text(sheet, c.row, c.col)?;
    let first = raw.lines().next()?.trim().to_string();
    let mut words = first.split_whitespace();
    let kind = words.next()?;
    let number = words.next()?;
    let is_label = (kind.eq_ignore_ascii_case("revision") || kind.eq_ignore_ascii_case("version"))
        && number.chars().next().is_some_and(|c| c.is_ascii_digit());
    is_label.then(|| format!("Revision {number}"))
}

/// The registry definitions matching a workbook's identity (more than one when only a
/// formula discriminator can tell them apart), or why none matches.
pub fn candidates<'r>(
    registry: &'r Registry,
    id: &Identity<'_>,
) -> Result<Vec<&'r TemplateDef>, ReadError> {
    let label = id.revision_label.as_deref();
    let family = id.family_text.as_deref().and_then(|text| {
        registry
            .versions
            .iter()
            .find(|v| v.detect.family_text.eq_ignore_ascii_case(text.trim()))
            .map(|v| v.family)
    });
    let found: Vec<&TemplateDef> = match (family, label) {
        (Some(f), Some(l)) => registry
            .versions
            .iter()
            .filter(|v| v.family == f && v.detect.version_label.eq_ignore_ascii_case(l))
            .collect(),
        // No family title: the label plus the sheet set must single out the version.
        (None, Some(l)) => registry
            .versions
            .iter()
            .filter(|v| {
                v.detect.version_label.eq_ignore_ascii_case(l) && same_sheets(v, id.sheet_names)
            })
            .collect(),
        (Some(f), None) => {
            return Err(ReadError::new(
                RejectReason::NotRmiTemplate,
                format!(
                    "the workbook looks like an RMI {f} but has no revision label in Declaration!J3, so its version cannot be told"
                ),
            ));
        }
        (None, None) => Vec::new(),
    };
    if !found.is_empty() {
        return Ok(found);
    }
    match (family, label) {
        (Some(f), Some(l)) => {
            let supported: Vec<&str> = registry.family(f).map(|v| v.version.as_str()).collect();
            Err(ReadError::new(
                RejectReason::UnsupportedVersion,
                format!(
                    "RMI {f} template '{l}' (Declaration!J3) is not a version Oretrail supports; supported {f} versions: {}",
                    supported.join(", ")
                ),
            ))
        }
        _ => Err(ReadError::new(
            RejectReason::NotRmiTemplate,
            "a readable workbook, but not an RMI reporting template: no RMI family title in Revision!B3 and no revision label in Declaration!J3",
        )),
    }
}

fn same_sheets(def: &TemplateDef, names: &[String]) -> bool {
    def.sheets
        .iter()
        .all(|s| names.iter().any(|n| n.eq_ignore_ascii_case(s)))
}

/// Picks among same-label candidates by whether the discriminating column carries formulas.
pub fn discriminate<'r>(candidates: Vec<&'r TemplateDef>, smelter_list: &Sheet) -> &'r TemplateDef {
    let first = candidates[0];
    for def in &candidates {
        if let Some(d) = &def.detect.formula_discriminator
            && let Some(col) = oretrail_template::cell::column_number(&d.column)
        {
            let has = smelter_list.has_formula_in(col, d.rows[0]..=d.rows[1]);
            if has == d.present {
                return def;
            }
        }
    }
    first
}
