//! The workbook patcher: edits per sheet name, applied by rewriting only the parts that must
//! change and raw-copying every other zip entry (compressed bytes identical).

use crate::comments::{self, Note, ShapeIds};
use crate::error::{Result, WriteError};
use crate::package::{self, Package};
use crate::sheet::{self, CellOp, SheetJob};
use crate::styles::StyleBook;
use crate::xml;
use indexmap::IndexMap;
use oretrail_template::CellRef;
use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// A value to put in a cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// Text, written as an inline string (`t="inlineStr"`; a formula's cached result as `t="str"`).
    Text(String),
    /// A number (dates as Excel serial numbers).
    Number(f64),
    /// No value; the cell keeps its style.
    Blank,
}

/// What to do when the cell holds a formula.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormulaPolicy {
    /// Fail with [`WriteError::FormulaCell`]: input cells never hold formulas in the registry.
    #[default]
    Refuse,
    /// Remove the formula and store the value, as a user typing over it does.
    Replace,
    /// Keep the formula; the value becomes its cached result (the cell must hold a formula).
    KeepAsCached,
}

/// One cell edit: a value and how to treat a formula found in the cell.
#[derive(Debug, Clone, PartialEq)]
pub struct CellEdit {
    /// The new value.
    pub value: CellValue,
    /// Formula handling.
    pub formula: FormulaPolicy,
}

/// Fill colours for highlighted cells, as ARGB.
pub mod fill {
    /// Errors: a light red that keeps black text readable.
    pub const ERROR: u32 = 0xFFFF_7C80;
    /// Warnings: amber.
    pub const WARNING: u32 = 0xFFFF_C000;
    /// Information: light blue.
    pub const INFO: u32 = 0xFFBD_D7EE;
}

#[derive(Debug, Default, Clone)]
struct SheetPatch {
    cells: BTreeMap<(u32, u32), CellOp>,
    notes: BTreeMap<(u32, u32), Vec<String>>,
}

/// A set of edits to apply to a workbook, addressed by sheet name.
#[derive(Debug, Clone)]
pub struct WorkbookPatch {
    sheets: IndexMap<String, SheetPatch>,
    full_calc_on_load: Option<bool>,
    author: String,
    compression_level: i64,
}

impl Default for WorkbookPatch {
    fn default() -> Self {
        WorkbookPatch {
            sheets: IndexMap::new(),
            full_calc_on_load: None,
            author: "Oretrail".to_string(),
            compression_level: 2,
        }
    }
}

/// The result of applying a patch, with what changed.
#[derive(Debug)]
pub struct Patched {
    /// The new package.
    pub bytes: Vec<u8>,
    /// Existing parts written with new content.
    pub rewritten: Vec<String>,
    /// Parts added to the package.
    pub added: Vec<String>,
    /// Parts left out of the package (a stale calculation chain).
    pub removed: Vec<String>,
    /// Entries copied with their compressed bytes unchanged.
    pub copied: usize,
}

impl WorkbookPatch {
    /// An empty patch.
    pub fn new() -> WorkbookPatch {
        WorkbookPatch::default()
    }

    /// Whether the patch changes nothing.
    pub fn is_empty(&self) -> bool {
        self.sheets
            .values()
            .all(|s| s.cells.is_empty() && s.notes.is_empty())
    }

    fn sheet(&mut self, sheet: &str) -> &mut SheetPatch {
        self.sheets.entry(sheet.to_string()).or_default()
    }

    fn op(&mut self, sheet: &str, cell: CellRef) -> &mut CellOp {
        self.sheet(sheet)
            .cells
            .entry((cell.row, cell.col))
            .or_default()
    }

    /// Sets a cell's value with an explicit formula policy (the last edit of a cell wins).
    pub fn edit(&mut self, sheet: &str, cell: CellRef, edit: CellEdit) -> &mut Self {
        self.op(sheet, cell).edit = Some(edit);
        self
    }

    /// Sets an input cell to text; fails on apply if the cell holds a formula.
    pub fn set_text(&mut self, sheet: &str, cell: CellRef, text: impl Into<String>) -> &mut Self {
        self.edit(
            sheet,
            cell,
            CellEdit {
                value: CellValue::Text(text.into()),
                formula: FormulaPolicy::Refuse,
            },
        )
    }

    /// Sets an input cell to a number; fails on apply if the cell holds a formula.
    pub fn set_number(&mut self, sheet: &str, cell: CellRef, value: f64) -> &mut Self {
        self.edit(
            sheet,
            cell,
            CellEdit {
                value: CellValue::Number(value),
                formula: FormulaPolicy::Refuse,
            },
        )
    }

    /// Clears an input cell's value, keeping its style; fails on apply if it holds a formula.
    pub fn clear(&mut self, sheet: &str, cell: CellRef) -> &mut Self {
        self.edit(
            sheet,
            cell,
            CellEdit {
                value: CellValue::Blank,
                formula: FormulaPolicy::Refuse,
            },
        )
    }

    /// Replaces whatever the cell holds, formula included, with text (a drop-down pick over a
    /// formula cell, as in the Smelter List's metal and look-up columns).
    pub fn replace_with_text(
        &mut self,
        sheet: &str,
        cell: CellRef,
        text: impl Into<String>,
    ) -> &mut Self {
        self.edit(
            sheet,
            cell,
            CellEdit {
                value: CellValue::Text(text.into()),
                formula: FormulaPolicy::Replace,
            },
        )
    }

    /// Sets the cached result of a formula cell to text, keeping the formula.
    pub fn set_cached_text(
        &mut self,
        sheet: &str,
        cell: CellRef,
        text: impl Into<String>,
    ) -> &mut Self {
        self.edit(
            sheet,
            cell,
            CellEdit {
                value: CellValue::Text(text.into()),
                formula: FormulaPolicy::KeepAsCached,
            },
        )
    }

    /// Gives a cell a solid fill (ARGB, see [`fill`]) on a copy of its own format.
    pub fn highlight(&mut self, sheet: &str, cell: CellRef, argb: u32) -> &mut Self {
        self.op(sheet, cell).fill = Some(argb);
        self
    }

    /// Adds a comment to a cell (several comments on one cell are joined).
    pub fn comment(&mut self, sheet: &str, cell: CellRef, text: impl Into<String>) -> &mut Self {
        self.sheet(sheet)
            .notes
            .entry((cell.row, cell.col))
            .or_default()
            .push(text.into());
        self
    }

    /// Whether to ask Excel to recalculate on open; default: only when values change.
    pub fn full_calc_on_load(&mut self, on: bool) -> &mut Self {
        self.full_calc_on_load = Some(on);
        self
    }

    /// The author name comments carry (default "Oretrail").
    pub fn comment_author(&mut self, author: impl Into<String>) -> &mut Self {
        self.author = author.into();
        self
    }

    /// Deflate level (1–9) of rewritten parts; default 2, about the size Excel writes at a
    /// third of level 6's time.
    pub fn compression_level(&mut self, level: i64) -> &mut Self {
        self.compression_level = level.clamp(1, 9);
        self
    }

    /// Applies the patch to a workbook's bytes and returns the new package.
    pub fn apply(&self, original: &[u8]) -> Result<Vec<u8>> {
        self.apply_with_details(original).map(|p| p.bytes)
    }

    /// Applies the patch and reports which parts were rewritten, added, removed and copied.
    pub fn apply_with_details(&self, original: &[u8]) -> Result<Patched> {
        let mut pkg = Package::open(original)?;
        // Resolve sheet names to parts, merging names that reach the same part.
        let mut by_part: IndexMap<String, (String, SheetPatch)> = IndexMap::new();
        for (name, patch) in &self.sheets {
            let part = pkg.sheet_part(name)?;
            let entry = by_part
                .entry(part.to_ascii_lowercase())
                .or_insert_with(|| (part.clone(), SheetPatch::default()));
            for (k, op) in &patch.cells {
                let slot = entry.1.cells.entry(*k).or_default();
                if op.edit.is_some() {
                    slot.edit = op.edit.clone();
                }
                if op.fill.is_some() {
                    slot.fill = op.fill;
                }
            }
            for (k, notes) in &patch.notes {
                entry.1.notes.entry(*k).or_default().extend(notes.clone());
            }
        }
        let value_edits = by_part
            .values()
            .any(|(_, p)| p.cells.values().any(|op| op.edit.is_some()));
        let wants_fill = by_part
            .values()
            .any(|(_, p)| p.cells.values().any(|op| op.fill.is_some()));

        let mut new_parts: IndexMap<String, Vec<u8>> = IndexMap::new();
        let mut overrides: Vec<(String, &'static str)> = Vec::new();
        let mut taken: Vec<String> = Vec::new();

        let workbook_rels_part = package::rels_part_of(&pkg.workbook_part);
        let workbook_rels = pkg
            .read_optional(&workbook_rels_part)?
            .map(|x| package::relationships(&x))
            .unwrap_or_default();
        let workbook_folder = package::folder_of(&pkg.workbook_part).to_string();
        let styles_part = workbook_rels
            .iter()
            .find(|r| r.kind.ends_with("/styles") && !r.external)
            .map(|r| package::resolve(&workbook_folder, &r.target));
        let mut styles = match (&styles_part, wants_fill) {
            (Some(part), true) => {
                let xml = pkg.read_part(part)?;
                Some((part.clone(), StyleBook::new(&xml, part)?, xml))
            }
            (None, true) => return Err(WriteError::MissingPart("xl/styles.xml".into())),
            _ => None,
        };

        // Comments first: they decide the VML relationship each sheet must reference.
        let mut legacy: IndexMap<String, String> = IndexMap::new();
        if by_part.values().any(|(_, p)| !p.notes.is_empty()) {
            let mut ids = ShapeIds::scan(&mut pkg)?;
            for (key, (part, patch)) in &by_part {
                if patch.notes.is_empty() {
                    continue;
                }
                let notes: Vec<Note> = patch
                    .notes
                    .iter()
                    .map(|(&(row, col), texts)| Note {
                        cell: CellRef { row, col },
                        text: texts.join("\n"),
                    })
                    .collect();
                let parts = comments::add_notes(
                    &mut pkg,
                    part,
                    &notes,
                    &self.author,
                    &mut taken,
                    &mut ids,
                )?;
                legacy.insert(key.clone(), parts.legacy_rid);
                for (name, bytes) in parts.parts {
                    new_parts.insert(name, bytes);
                }
                overrides.extend(parts.overrides);
            }
        }

        let mut removed_formula = false;
        for (key, (part, patch)) in &by_part {
            if patch.cells.is_empty() && !legacy.contains_key(key) {
                continue;
            }
            let original_xml = pkg.read_part(part)?;
            let sheet_name = pkg
                .workbook
                .sheets
                .iter()
                .find(|s| s.part.eq_ignore_ascii_case(part))
                .map(|s| s.name.clone())
                .unwrap_or_default();
            let job = SheetJob {
                sheet: &sheet_name,
                part,
                cells: &patch.cells,
                legacy_drawing: legacy.get(key).map(String::as_str),
            };
            let mut restyle = |old: u32, color: u32| match styles.as_mut() {
                Some((_, book, _)) => book.restyle(old, color),
                None => old,
            };
            let outcome = sheet::rewrite(&original_xml, &job, &mut restyle)?;
            removed_formula |= outcome.removed_formula;
            new_parts.insert(part.clone(), outcome.xml);
        }

        if let Some((part, book, xml)) = &styles
            && !book.is_empty()
        {
            new_parts.insert(part.clone(), book.write(xml, part)?);
        }

        let mut removed = Vec::new();
        if self.full_calc_on_load.unwrap_or(value_edits) {
            let part = pkg.workbook_part.clone();
            let xml = pkg.read_part(&part)?;
            new_parts.insert(part.clone(), full_calc_on_load(&xml, &part)?);
        }
        if removed_formula {
            // A calculation chain naming cells that no longer hold formulas makes Excel repair
            // the file; without one, Excel rebuilds it.
            if let Some(rel) = workbook_rels
                .iter()
                .find(|r| r.kind.ends_with("/calcChain") && !r.external)
            {
                let chain = package::resolve(&workbook_folder, &rel.target);
                if pkg.has_part(&chain) {
                    removed.push(chain.clone());
                    let rels_xml = pkg.read_part(&workbook_rels_part)?;
                    new_parts.insert(
                        workbook_rels_part.clone(),
                        drop_relationship(&rels_xml, &rel.id),
                    );
                }
            }
        }

        let content_types = "[Content_Types].xml";
        let needs_vml_default = new_parts
            .keys()
            .any(|n| n.to_ascii_lowercase().ends_with(".vml") && !pkg.has_part(n));
        let new_rels_parts: Vec<String> = new_parts
            .keys()
            .filter(|n| n.ends_with(".rels") && !pkg.has_part(n))
            .cloned()
            .collect();
        if !overrides.is_empty()
            || needs_vml_default
            || !removed.is_empty()
            || !new_rels_parts.is_empty()
        {
            let xml = pkg.read_part(content_types)?;
            let updated = update_content_types(
                &xml,
                &overrides,
                needs_vml_default,
                &new_rels_parts,
                &removed,
            );
            if updated != xml {
                new_parts.insert(content_types.to_string(), updated);
            }
        }

        self.write_package(&mut pkg, new_parts, removed, original.len())
    }

    fn write_package(
        &self,
        pkg: &mut Package<'_>,
        mut new_parts: IndexMap<String, Vec<u8>>,
        removed: Vec<String>,
        original_len: usize,
    ) -> Result<Patched> {
        let capacity = original_len + 64 * 1024;
        let mut writer = ZipWriter::new(Cursor::new(Vec::with_capacity(capacity)));
        let options = SimpleFileOptions::default()
            .compression_method(CompressionMethod::Deflated)
            .compression_level(Some(self.compression_level));
        let mut rewritten = Vec::new();
        let mut copied = 0;
        for i in 0..pkg.entries.len() {
            let name = pkg.entries[i].clone();
            let key = name.trim_start_matches('/');
            if removed.iter().any(|r| r.eq_ignore_ascii_case(key)) {
                continue;
            }
            let replacement = new_parts
                .keys()
                .find(|k| k.eq_ignore_ascii_case(key))
                .cloned();
            match replacement {
                Some(k) => {
                    let bytes = new_parts.shift_remove(&k).unwrap_or_default();
                    let modified = pkg.archive.by_index_raw(i)?.last_modified();
                    let opts = match modified {
                        Some(t) => options.last_modified_time(t),
                        None => options,
                    };
                    writer.start_file(name.clone(), opts)?;
                    writer.write_all(&bytes)?;
                    rewritten.push(name);
                }
                None => {
                    let file = pkg.archive.by_index_raw(i)?;
                    writer.raw_copy_file(file)?;
                    copied += 1;
                }
            }
        }
        // New parts carry the workbook part's time, so output stays deterministic.
        let stamp = match pkg.index_of(&pkg.workbook_part.clone()) {
            Some(i) => pkg.archive.by_index_raw(i)?.last_modified(),
            None => None,
        }
        .unwrap_or_default();
        let mut added = Vec::new();
        for (name, bytes) in new_parts {
            writer.start_file(name.clone(), options.last_modified_time(stamp))?;
            writer.write_all(&bytes)?;
            added.push(name);
        }
        let bytes = writer.finish()?.into_inner();
        Ok(Patched {
            bytes,
            rewritten,
            added,
            removed,
            copied,
        })
    }
}

/// The workbook part with `<calcPr fullCalcOnLoad="1"/>`.
fn full_calc_on_load(xml: &[u8], part: &str) -> Result<Vec<u8>> {
    let text = std::str::from_utf8(xml).map_err(|e| WriteError::xml(part, e))?;
    let prefix = text
        .find("workbook ")
        .or_else(|| text.find("workbook>"))
        .and_then(|i| text[..i].rfind('<').map(|lt| &text[lt + 1..i]))
        .filter(|p| p.is_empty() || p.ends_with(':'))
        .unwrap_or("");
    let open = format!("<{prefix}calcPr");
    if let Some(at) = find_tag(text, &open) {
        let end = text[at..]
            .find('>')
            .map(|i| at + i + 1)
            .ok_or_else(|| WriteError::xml(part, "unterminated <calcPr>"))?;
        let tag = &text[at..end];
        let self_closing = tag.ends_with("/>");
        let inner = tag[1..tag.len() - if self_closing { 2 } else { 1 }].trim_end();
        let mut attrs = xml::attributes(inner);
        xml::set_attr(&mut attrs, "fullCalcOnLoad", "1");
        let mut new_tag = Vec::new();
        xml::start_tag(
            &mut new_tag,
            &format!("{prefix}calcPr"),
            &attrs,
            self_closing,
        );
        let mut out = text.to_string();
        out.replace_range(at..end, &String::from_utf8_lossy(&new_tag));
        return Ok(out.into_bytes());
    }
    // No calcPr: it goes after definedNames, before the elements that follow it by schema.
    let followers = [
        "oleSize",
        "customWorkbookViews",
        "pivotCaches",
        "smartTagPr",
        "smartTagTypes",
        "webPublishing",
        "fileRecoveryPr",
        "webPublishObjects",
        "extLst",
    ];
    let at = followers
        .iter()
        .filter_map(|f| find_tag(text, &format!("<{prefix}{f}")))
        .min()
        .or_else(|| text.rfind(&format!("</{prefix}workbook>")))
        .ok_or_else(|| WriteError::xml(part, "no </workbook>"))?;
    let mut out = text.to_string();
    out.insert_str(at, &format!("<{prefix}calcPr fullCalcOnLoad=\"1\"/>"));
    Ok(out.into_bytes())
}

/// Position of a start tag `<name` followed by a space, `/` or `>`.
fn find_tag(text: &str, open: &str) -> Option<usize> {
    text.match_indices(open)
        .find(|(i, _)| {
            matches!(
                text.as_bytes().get(i + open.len()),
                Some(b' ') | Some(b'/') | Some(b'>') | Some(b'\n') | Some(b'\r') | Some(b'\t')
            )
        })
        .map(|(i, _)| i)
}

/// A .rels part without one relationship.
fn drop_relationship(xml: &[u8], id: &str) -> Vec<u8> {
    let text = String::from_utf8_lossy(xml).into_owned();
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find("<Relationship ") {
        let end = rest[at..].find('>').map_or(rest.len(), |i| at + i + 1);
        let attrs = xml::attributes(rest[at + 1..end - 1].trim_end_matches('/'));
        out.push_str(&rest[..at]);
        if xml::attr(&attrs, "Id") != Some(id) {
            out.push_str(&rest[at..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out.into_bytes()
}

/// `[Content_Types].xml` with overrides for new parts and without removed ones.
fn update_content_types(
    xml: &[u8],
    overrides: &[(String, &str)],
    vml_default: bool,
    new_rels: &[String],
    removed: &[String],
) -> Vec<u8> {
    let mut text = String::from_utf8_lossy(xml).into_owned();
    for part in removed {
        let needle = format!("PartName=\"/{part}\"");
        if let Some(at) = text.find(&needle)
            && let (Some(start), Some(end)) = (
                text[..at].rfind('<'),
                text[at..].find('>').map(|i| at + i + 1),
            )
        {
            text.replace_range(start..end, "");
        }
    }
    let lower = text.to_ascii_lowercase();
    let mut added = String::new();
    if vml_default && !lower.contains("extension=\"vml\"") {
        added.push_str(&format!(
            "<Default Extension=\"vml\" ContentType=\"{}\"/>",
            comments::VML_CONTENT_TYPE
        ));
    }
    if !lower.contains("extension=\"rels\"") {
        for part in new_rels {
            added.push_str(&format!(
                "<Override PartName=\"/{part}\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            ));
        }
    }
    for (part, ctype) in overrides {
        added.push_str(&format!(
            "<Override PartName=\"/{part}\" ContentType=\"{ctype}\"/>"
        ));
    }
    if let Some(at) = text.rfind("</Types>") {
        text.insert_str(at, &added);
    }
    text.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calc_pr_gets_full_calc_on_load() {
        let wb = br#"<workbook xmlns="m"><sheets/><definedNames/><calcPr calcId="191029" concurrentCalc="0"/><extLst/></workbook>"#;
        let out = String::from_utf8(full_calc_on_load(wb, "w").expect("calc")).unwrap_or_default();
        assert!(out.contains(r#"<calcPr calcId="191029" concurrentCalc="0" fullCalcOnLoad="1"/>"#));
        let wb = br#"<workbook xmlns="m"><sheets/><extLst/></workbook>"#;
        let out = String::from_utf8(full_calc_on_load(wb, "w").expect("calc")).unwrap_or_default();
        assert!(out.contains(r#"<calcPr fullCalcOnLoad="1"/><extLst/>"#));
    }

    #[test]
    fn content_types_gain_overrides_and_lose_removed_parts() {
        let ct = br#"<Types><Default Extension="rels" ContentType="r"/><Override PartName="/xl/calcChain.xml" ContentType="c"/></Types>"#;
        let out = update_content_types(
            ct,
            &[("xl/comments2.xml".into(), comments::COMMENTS_CONTENT_TYPE)],
            true,
            &["xl/worksheets/_rels/sheet3.xml.rels".into()],
            &["xl/calcChain.xml".into()],
        );
        let out = String::from_utf8(out).unwrap_or_default();
        assert!(!out.contains("calcChain"));
        assert!(out.contains(r#"<Default Extension="vml""#));
        assert!(out.contains(r#"PartName="/xl/comments2.xml""#));
        assert!(!out.contains("sheet3.xml.rels"));
    }

    #[test]
    fn relationships_can_be_dropped() {
        let rels = br#"<Relationships><Relationship Id="rId1" Type="a" Target="x"/><Relationship Id="rId2" Type="calcChain" Target="calcChain.xml"/></Relationships>"#;
        let out = String::from_utf8(drop_relationship(rels, "rId2")).unwrap_or_default();
        assert_eq!(
            out,
            r#"<Relationships><Relationship Id="rId1" Type="a" Target="x"/></Relationships>"#
        );
    }
}
