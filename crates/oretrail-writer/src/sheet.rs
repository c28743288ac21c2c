//! Rewriting one worksheet part: only the edited rows are re-emitted, every other byte of the
//! part is copied as it was.
//!
//! The part is tokenised with quick-xml to find rows and cells; untouched rows, cells and all
//! other markup (protection, validations, conditional formats, merges, hyperlinks) are copied
//! from the original bytes, so the output differs from the input only inside edited cells.

use crate::error::{Result, WriteError};
use crate::patch::{CellEdit, CellValue, FormulaPolicy};
use crate::xml::{self, RawAttr};
use oretrail_template::CellRef;
use oretrail_template::cell::column_letters;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::collections::BTreeMap;

/// What to do to one cell: change its value, its fill, or both.
#[derive(Debug, Clone, Default)]
pub struct CellOp {
    /// New value, if the value changes.
    pub edit: Option<CellEdit>,
    /// Fill colour (ARGB) to highlight the cell with.
    pub fill: Option<u32>,
}

/// The edits of one sheet part.
pub struct SheetJob<'a> {
    /// Sheet name, for error messages.
    pub sheet: &'a str,
    /// Part name, for error messages.
    pub part: &'a str,
    /// Operations by (row, column).
    pub cells: &'a BTreeMap<(u32, u32), CellOp>,
    /// Relationship id of a legacy VML drawing the sheet must reference (for comments).
    pub legacy_drawing: Option<&'a str>,
}

/// What the rewrite did besides producing bytes.
#[derive(Debug, Default)]
pub struct SheetOutcome {
    /// The new part.
    pub xml: Vec<u8>,
    /// Whether a formula was removed (the calculation chain is then stale).
    pub removed_formula: bool,
}

/// Elements that follow `legacyDrawing` in a worksheet, by schema order.
const AFTER_LEGACY_DRAWING: [&str; 8] = [
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
];

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Maps a cell's current style to the style that adds a fill.
pub type Restyle<'s> = dyn FnMut(u32, u32) -> u32 + 's;

/// Rewrites a worksheet part with the job's operations.
pub fn rewrite(
    original: &[u8],
    job: &SheetJob<'_>,
    restyle: &mut Restyle<'_>,
) -> Result<SheetOutcome> {
    let text = std::str::from_utf8(original).map_err(|e| WriteError::xml(job.part, e))?;
    let mut w = Rewriter {
        text,
        job,
        out: Vec::with_capacity(original.len() + 4096 + job.cells.len() * 64),
        copied: 0,
        op_rows: op_rows(job.cells),
        next_op_row: 0,
        col_styles: Vec::new(),
        removed_formula: false,
        row_prefix: String::new(),
        has_legacy_drawing: false,
        legacy_inserted: false,
        root_binds_r: None,
    };
    w.run(restyle)?;
    Ok(SheetOutcome {
        xml: w.out,
        removed_formula: w.removed_formula,
    })
}

fn op_rows(cells: &BTreeMap<(u32, u32), CellOp>) -> Vec<u32> {
    let mut rows: Vec<u32> = cells.keys().map(|&(r, _)| r).collect();
    rows.dedup();
    rows
}

struct Rewriter<'t, 'j> {
    text: &'t str,
    job: &'j SheetJob<'j>,
    out: Vec<u8>,
    /// Bytes of `text` already accounted for in `out`.
    copied: usize,
    op_rows: Vec<u32>,
    next_op_row: usize,
    /// `<col>` ranges with their style: (min, max, style).
    col_styles: Vec<(u32, u32, u32)>,
    removed_formula: bool,
    /// Prefix of spreadsheet elements (`x:` in prefixed parts).
    row_prefix: String,
    has_legacy_drawing: bool,
    legacy_inserted: bool,
    /// Prefix bound to the relationships namespace on the root element, if any.
    root_binds_r: Option<String>,
}

/// A row start tag as found.
struct RowTag {
    number: u32,
    attrs: Vec<RawAttr>,
    qname: String,
}

impl Rewriter<'_, '_> {
    fn err(&self, e: impl std::fmt::Display) -> WriteError {
        WriteError::xml(self.job.part, e)
    }

    fn copy_to(&mut self, pos: usize) {
        if pos > self.copied {
            self.out
                .extend_from_slice(&self.text.as_bytes()[self.copied..pos]);
            self.copied = pos;
        }
    }

    fn run(&mut self, restyle: &mut Restyle<'_>) -> Result<()> {
        let mut reader = Reader::from_str(self.text);
        let mut depth = 0usize;
        let mut in_sheet_data = false;
        let mut last_row = 0u32;
        loop {
            let start = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| self.err(e))?;
            let end = reader.buffer_position() as usize;
            match event {
                Event::Start(e) => {
                    depth += 1;
                    let qname = e.name().as_ref().to_string();
                    let local = e.local_name().as_ref().to_string();
                    match (depth, local.as_str()) {
                        (1, "worksheet") => self.note_root(&e),
                        (2, "sheetData") => {
                            in_sheet_data = true;
                            self.row_prefix = xml::prefix_of(&qname).to_string();
                        }
                        (2, "cols") => {}
                        (2, name) => self.maybe_insert_legacy(name, start),
                        (3, "row") if in_sheet_data => {
                            let row = self.row_tag(&e, &qname, last_row);
                            last_row = row.number;
                            self.flush_rows_before(row.number, start, restyle)?;
                            if self.has_ops(row.number) {
                                self.rewrite_row(&mut reader, row, start, end, restyle)?;
                                depth -= 1;
                            }
                        }
                        _ => {}
                    }
                }
                Event::Empty(e) => {
                    let qname = e.name().as_ref().to_string();
                    let local = e.local_name().as_ref().to_string();
                    match (depth + 1, local.as_str()) {
                        (2, "sheetData") => {
                            self.row_prefix = xml::prefix_of(&qname).to_string();
                            if !self.op_rows.is_empty() {
                                self.copy_to(start);
                                let p = self.row_prefix.clone();
                                self.out
                                    .extend_from_slice(format!("<{p}sheetData>").as_bytes());
                                self.flush_rows_before(u32::MAX, start, restyle)?;
                                self.out
                                    .extend_from_slice(format!("</{p}sheetData>").as_bytes());
                                self.copied = end;
                            }
                        }
                        (2, "legacyDrawing") => self.has_legacy_drawing = true,
                        (2, name) => self.maybe_insert_legacy(name, start),
                        (3, "col") => self.note_col(&e),
                        (3, "row") if in_sheet_data => {
                            let row = self.row_tag(&e, &qname, last_row);
                            last_row = row.number;
                            self.flush_rows_before(row.number, start, restyle)?;
                            if self.has_ops(row.number) {
                                self.copy_to(start);
                                self.write_row_with_inserts(row, restyle)?;
                                self.copied = end;
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => {
                    let local = e.local_name().as_ref().to_string();
                    match (depth, local.as_str()) {
                        (2, "sheetData") => {
                            in_sheet_data = false;
                            self.flush_rows_before(u32::MAX, start, restyle)?;
                        }
                        (1, "worksheet") => self.maybe_insert_legacy("", start),
                        _ => {}
                    }
                    depth = depth.saturating_sub(1);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if self.next_op_row < self.op_rows.len() {
            return Err(self.err("the worksheet has no <sheetData> element"));
        }
        self.copy_to(self.text.len());
        Ok(())
    }

    fn note_root(&mut self, e: &quick_xml::events::BytesStart<'_>) {
        for a in xml::attributes(e) {
            if let Some(prefix) = a.name.strip_prefix("xmlns:")
                && a.value == REL_NS
            {
                self.root_binds_r = Some(prefix.to_string());
            }
        }
    }

    fn note_col(&mut self, e: &quick_xml::events::BytesStart<'_>) {
        let attrs = xml::attributes(e.trim_end_matches('/'));
        let num = |n: &str| xml::attr(&attrs, n).and_then(|v| v.parse::<u32>().ok());
        if let (Some(min), Some(max), Some(style)) = (num("min"), num("max"), num("style")) {
            self.col_styles.push((min, max, style));
        }
    }

    /// Inserts `<legacyDrawing>` before the first element that must follow it.
    fn maybe_insert_legacy(&mut self, element: &str, at: usize) {
        let Some(rid) = self.job.legacy_drawing else {
            return;
        };
        if element == "legacyDrawing" {
            self.has_legacy_drawing = true;
        }
        if self.has_legacy_drawing || self.legacy_inserted {
            return;
        }
        if !(element.is_empty() || AFTER_LEGACY_DRAWING.contains(&element)) {
            return;
        }
        self.copy_to(at);
        let p = self.row_prefix.clone();
        let tag = match &self.root_binds_r {
            Some(r) => format!("<{p}legacyDrawing {r}:id=\"{rid}\"/>"),
            None => format!("<{p}legacyDrawing xmlns:r=\"{REL_NS}\" r:id=\"{rid}\"/>"),
        };
        self.out.extend_from_slice(tag.as_bytes());
        self.legacy_inserted = true;
    }

    fn row_tag(&self, e: &quick_xml::events::BytesStart<'_>, qname: &str, last: u32) -> RowTag {
        let attrs = xml::attributes(e.trim_end_matches('/'));
        let number = xml::attr(&attrs, "r")
            .and_then(|v| v.parse().ok())
            .unwrap_or(last + 1);
        RowTag {
            number,
            attrs,
            qname: qname.to_string(),
        }
    }

    fn has_ops(&self, row: u32) -> bool {
        self.op_rows.binary_search(&row).is_ok()
    }

    fn ops_of(&self, row: u32) -> impl Iterator<Item = (u32, &CellOp)> + '_ {
        self.job
            .cells
            .range((row, 0)..=(row, u32::MAX))
            .map(|(&(_, c), op)| (c, op))
    }

    /// Writes new rows for every edited row number below `before` that the part does not have.
    fn flush_rows_before(
        &mut self,
        before: u32,
        at: usize,
        restyle: &mut Restyle<'_>,
    ) -> Result<()> {
        while let Some(&row) = self.op_rows.get(self.next_op_row) {
            if row > before {
                break;
            }
            self.next_op_row += 1;
            if row == before {
                break;
            }
            self.copy_to(at);
            let tag = RowTag {
                number: row,
                attrs: vec![RawAttr {
                    name: "r".into(),
                    value: row.to_string(),
                }],
                qname: format!("{}row", self.row_prefix),
            };
            self.write_row_with_inserts(tag, restyle)?;
        }
        Ok(())
    }

    /// A whole row made of inserted cells (the row was absent or empty).
    fn write_row_with_inserts(&mut self, mut row: RowTag, restyle: &mut Restyle<'_>) -> Result<()> {
        let mut cells = Vec::new();
        let ops: Vec<(u32, CellOp)> = self
            .ops_of(row.number)
            .map(|(c, op)| (c, op.clone()))
            .collect();
        for (col, op) in &ops {
            self.insert_cell(&mut cells, &row, *col, op, restyle)?;
        }
        widen_spans(&mut row.attrs, ops.iter().map(|(c, _)| *c));
        xml::start_tag(&mut self.out, &row.qname, &row.attrs, false);
        self.out.extend_from_slice(&cells);
        self.out
            .extend_from_slice(format!("</{}>", row.qname).as_bytes());
        Ok(())
    }

    /// Re-emits one row: unedited cells verbatim, edited cells rewritten, new cells inserted.
    fn rewrite_row(
        &mut self,
        reader: &mut Reader<&[u8]>,
        mut row: RowTag,
        row_start: usize,
        row_tag_end: usize,
        restyle: &mut Restyle<'_>,
    ) -> Result<()> {
        let ops: Vec<(u32, CellOp)> = self
            .ops_of(row.number)
            .map(|(c, op)| (c, op.clone()))
            .collect();
        let mut pending = ops.iter().peekable();
        self.copy_to(row_start);
        if widen_spans(&mut row.attrs, ops.iter().map(|(c, _)| *c)) {
            xml::start_tag(&mut self.out, &row.qname, &row.attrs, false);
            self.copied = row_tag_end;
        } else {
            self.copy_to(row_tag_end);
        }
        let mut last_col = 0u32;
        let mut depth = 0usize;
        loop {
            let start = reader.buffer_position() as usize;
            let event = reader.read_event().map_err(|e| self.err(e))?;
            let end = reader.buffer_position() as usize;
            let (is_cell, cell_end, attrs_src) = match &event {
                Event::Start(e) if depth == 0 && e.local_name().as_ref() == "c" => {
                    let attrs = e.to_string();
                    reader.read_to_end(e.name()).map_err(|err| self.err(err))?;
                    (true, reader.buffer_position() as usize, attrs)
                }
                Event::Empty(e) if depth == 0 && e.local_name().as_ref() == "c" => {
                    (true, end, e.trim_end_matches('/').to_string())
                }
                Event::Start(_) => {
                    depth += 1;
                    (false, end, String::new())
                }
                Event::End(e) if depth == 0 => {
                    let _ = e;
                    // End of the row: the remaining edits are new cells at its end.
                    self.copy_to(start);
                    let rest: Vec<(u32, CellOp)> =
                        pending.map(|(c, op)| (*c, op.clone())).collect();
                    let mut cells = Vec::new();
                    for (col, op) in &rest {
                        self.insert_cell(&mut cells, &row, *col, op, restyle)?;
                    }
                    self.out.extend_from_slice(&cells);
                    return Ok(());
                }
                Event::End(_) => {
                    depth -= 1;
                    (false, end, String::new())
                }
                Event::Eof => return Err(self.err("a <row> element is not closed")),
                _ => (false, end, String::new()),
            };
            if !is_cell {
                continue;
            }
            let attrs = xml::attributes(&attrs_src);
            let col = xml::attr(&attrs, "r")
                .and_then(CellRef::parse)
                .map(|c| c.col)
                .unwrap_or(last_col + 1);
            last_col = col;
            let mut inserts = Vec::new();
            while let Some((c, op)) = pending.peek() {
                if *c >= col {
                    break;
                }
                self.insert_cell(&mut inserts, &row, *c, op, restyle)?;
                pending.next();
            }
            if !inserts.is_empty() {
                self.copy_to(start);
                self.out.extend_from_slice(&inserts);
            }
            if let Some((c, op)) = pending.peek()
                && *c == col
            {
                let op = op.clone();
                pending.next();
                self.copy_to(start);
                let cell_text = &self.text[start..cell_end];
                let rewritten =
                    self.rewrite_cell(cell_text, attrs, row.number, col, &op, restyle)?;
                self.out.extend_from_slice(&rewritten);
                self.copied = cell_end;
            }
        }
    }

    /// The style a new cell in this row and column gets: the row's, else the column's.
    fn default_style(&self, row: &RowTag, col: u32) -> Option<u32> {
        let custom = matches!(
            xml::attr(&row.attrs, "customFormat"),
            Some("1") | Some("true")
        );
        if custom && let Some(s) = xml::attr(&row.attrs, "s").and_then(|v| v.parse().ok()) {
            return Some(s);
        }
        self.col_styles
            .iter()
            .find(|(min, max, _)| (*min..=*max).contains(&col))
            .map(|(_, _, s)| *s)
    }

    fn cell_name(&self, row: u32, col: u32) -> String {
        format!("{}{row}", column_letters(col))
    }

    /// Writes a cell the part does not have yet.
    fn insert_cell(
        &mut self,
        out: &mut Vec<u8>,
        row: &RowTag,
        col: u32,
        op: &CellOp,
        restyle: &mut Restyle<'_>,
    ) -> Result<()> {
        let name = self.cell_name(row.number, col);
        let mut attrs = vec![RawAttr {
            name: "r".into(),
            value: name.clone(),
        }];
        let mut style = self.default_style(row, col);
        if let Some(fill) = op.fill {
            style = Some(restyle(style.unwrap_or(0), fill));
        }
        if let Some(s) = style.filter(|s| *s != 0 || op.fill.is_some()) {
            attrs.push(RawAttr {
                name: "s".into(),
                value: s.to_string(),
            });
        }
        let prefix = self.row_prefix.clone();
        let value = match &op.edit {
            None => None,
            Some(edit) => {
                if edit.formula == FormulaPolicy::KeepAsCached {
                    return Err(WriteError::NoFormula {
                        sheet: self.job.sheet.to_string(),
                        cell: name,
                    });
                }
                match &edit.value {
                    CellValue::Blank => None,
                    v => Some(v.clone()),
                }
            }
        };
        if value.is_none() && op.fill.is_none() {
            return Ok(());
        }
        write_cell(
            out,
            &prefix,
            attrs,
            None,
            value.as_ref(),
            self.job.sheet,
            &name,
        )
    }

    /// Rewrites an existing cell: its value, its style, or both.
    fn rewrite_cell(
        &mut self,
        cell_text: &str,
        mut attrs: Vec<RawAttr>,
        row: u32,
        col: u32,
        op: &CellOp,
        restyle: &mut Restyle<'_>,
    ) -> Result<Vec<u8>> {
        let name = self.cell_name(row, col);
        let qname = cell_text[1..]
            .split(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
            .next()
            .unwrap_or("c")
            .to_string();
        let prefix = xml::prefix_of(&qname).to_string();
        xml::set_attr(&mut attrs, "r", name.clone());
        if let Some(fill) = op.fill {
            let old = xml::attr(&attrs, "s")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            xml::set_attr(&mut attrs, "s", restyle(old, fill).to_string());
        }
        let Some(edit) = &op.edit else {
            // Style only: keep the children exactly as they were.
            let mut out = Vec::with_capacity(cell_text.len() + 8);
            let self_closing = !cell_text.ends_with(&format!("</{qname}>"));
            xml::start_tag(&mut out, &qname, &attrs, self_closing);
            if !self_closing {
                let open_end = cell_text.find('>').map_or(cell_text.len(), |i| i + 1);
                out.extend_from_slice(&cell_text.as_bytes()[open_end..]);
            }
            return Ok(out);
        };
        let children = cell_children(cell_text).map_err(|e| self.err(e))?;
        let formula = children.iter().find(|c| c.local == "f");
        let keep_formula = match (formula, edit.formula) {
            (Some(_), FormulaPolicy::Refuse) => {
                return Err(WriteError::FormulaCell {
                    sheet: self.job.sheet.to_string(),
                    cell: name,
                });
            }
            (Some(f), FormulaPolicy::Replace) => {
                if f.is_master() {
                    return Err(WriteError::FormulaMaster {
                        sheet: self.job.sheet.to_string(),
                        cell: name,
                    });
                }
                self.removed_formula = true;
                xml::remove_attr(&mut attrs, "cm");
                None
            }
            (Some(f), FormulaPolicy::KeepAsCached) => Some(&cell_text[f.start..f.end]),
            (None, FormulaPolicy::KeepAsCached) => {
                return Err(WriteError::NoFormula {
                    sheet: self.job.sheet.to_string(),
                    cell: name,
                });
            }
            (None, _) => None,
        };
        xml::remove_attr(&mut attrs, "vm");
        let mut out = Vec::with_capacity(cell_text.len() + 32);
        let value = match (&edit.value, keep_formula) {
            (CellValue::Blank, None) => None,
            (CellValue::Blank, Some(_)) => Some(CellValue::Text(String::new())),
            (v, _) => Some(v.clone()),
        };
        write_cell(
            &mut out,
            &prefix,
            attrs,
            keep_formula,
            value.as_ref(),
            self.job.sheet,
            &name,
        )?;
        Ok(out)
    }
}

/// Writes a `<c>` element with an optional kept formula and a value.
fn write_cell(
    out: &mut Vec<u8>,
    prefix: &str,
    mut attrs: Vec<RawAttr>,
    formula: Option<&str>,
    value: Option<&CellValue>,
    sheet: &str,
    name: &str,
) -> Result<()> {
    let qname = format!("{prefix}c");
    match (value, formula) {
        (None, _) => {
            xml::remove_attr(&mut attrs, "t");
            xml::start_tag(out, &qname, &attrs, true);
        }
        (Some(CellValue::Text(t)), Some(f)) => {
            xml::set_attr(&mut attrs, "t", "str");
            xml::start_tag(out, &qname, &attrs, false);
            out.extend_from_slice(f.as_bytes());
            out.extend_from_slice(format!("<{prefix}v>{}</{prefix}v>", xml::escape(t)).as_bytes());
            out.extend_from_slice(format!("</{qname}>").as_bytes());
        }
        (Some(CellValue::Text(t)), None) => {
            xml::set_attr(&mut attrs, "t", "inlineStr");
            xml::start_tag(out, &qname, &attrs, false);
            let space = if xml::needs_preserve(t) {
                " xml:space=\"preserve\""
            } else {
                ""
            };
            out.extend_from_slice(
                format!(
                    "<{prefix}is><{prefix}t{space}>{}</{prefix}t></{prefix}is></{qname}>",
                    xml::escape(t)
                )
                .as_bytes(),
            );
        }
        (Some(CellValue::Number(n)), f) => {
            if !n.is_finite() {
                return Err(WriteError::NotFinite {
                    sheet: sheet.to_string(),
                    cell: name.to_string(),
                    value: *n,
                });
            }
            xml::remove_attr(&mut attrs, "t");
            xml::start_tag(out, &qname, &attrs, false);
            if let Some(f) = f {
                out.extend_from_slice(f.as_bytes());
            }
            out.extend_from_slice(
                format!("<{prefix}v>{}</{prefix}v></{qname}>", xml::number(*n)).as_bytes(),
            );
        }
        (Some(CellValue::Blank), _) => {
            xml::remove_attr(&mut attrs, "t");
            xml::start_tag(out, &qname, &attrs, true);
        }
    }
    Ok(())
}

/// Makes a row's `spans` hint cover the given columns; returns whether it changed.
fn widen_spans(attrs: &mut Vec<RawAttr>, cols: impl Iterator<Item = u32>) -> bool {
    let Some(spans) = xml::attr(attrs, "spans").map(str::to_string) else {
        return false;
    };
    let Some((lo, hi)) = spans
        .split_once(':')
        .and_then(|(a, b)| Some((a.parse::<u32>().ok()?, b.parse::<u32>().ok()?)))
    else {
        // A hint we cannot read is better dropped than left wrong.
        xml::remove_attr(attrs, "spans");
        return true;
    };
    let (mut new_lo, mut new_hi) = (lo, hi);
    for c in cols {
        new_lo = new_lo.min(c);
        new_hi = new_hi.max(c);
    }
    if (new_lo, new_hi) == (lo, hi) {
        return false;
    }
    xml::set_attr(attrs, "spans", format!("{new_lo}:{new_hi}"));
    true
}

/// A child element of a cell, with its byte span in the cell's text.
struct Child {
    local: String,
    start: usize,
    end: usize,
    attrs: Vec<RawAttr>,
}

impl Child {
    /// Whether this formula defines a shared formula or a multi-cell array for other cells.
    fn is_master(&self) -> bool {
        let kind = xml::attr(&self.attrs, "t");
        let range = xml::attr(&self.attrs, "ref").is_some_and(|r| {
            r.split_once(':')
                .is_some_and(|(a, b)| !a.eq_ignore_ascii_case(b))
        });
        match kind {
            Some("shared") => xml::attr(&self.attrs, "ref").is_some(),
            Some("array") | Some("dataTable") => range,
            _ => false,
        }
    }
}

/// The direct children of a `<c>` element's text.
fn cell_children(cell: &str) -> std::result::Result<Vec<Child>, quick_xml::Error> {
    let mut reader = Reader::from_str(cell);
    let mut out = Vec::new();
    let mut depth = 0usize;
    loop {
        let start = reader.buffer_position() as usize;
        match reader.read_event()? {
            Event::Start(e) => {
                depth += 1;
                if depth == 2 {
                    let local = e.local_name().as_ref().to_string();
                    let attrs = xml::attributes(&e);
                    reader.read_to_end(e.name())?;
                    depth -= 1;
                    out.push(Child {
                        local,
                        start,
                        end: reader.buffer_position() as usize,
                        attrs,
                    });
                }
            }
            Event::Empty(e) if depth == 1 => out.push(Child {
                local: e.local_name().as_ref().to_string(),
                start,
                end: reader.buffer_position() as usize,
                attrs: xml::attributes(e.trim_end_matches('/')),
            }),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// Per row within `rows`, the columns whose cells hold a formula (bit `c - 1`, columns 1–64).
pub fn formula_columns(
    original: &[u8],
    part: &str,
    rows: std::ops::RangeInclusive<u32>,
) -> Result<std::collections::HashMap<u32, u64>> {
    let text = std::str::from_utf8(original).map_err(|e| WriteError::xml(part, e))?;
    let mut reader = Reader::from_str(text);
    let mut out = std::collections::HashMap::new();
    let (mut row, mut col) = (0u32, 0u32);
    let mut in_cell = false;
    loop {
        let event = reader.read_event().map_err(|e| WriteError::xml(part, e))?;
        let (start, e) = match &event {
            Event::Start(e) => (true, e),
            Event::Empty(e) => (false, e),
            Event::End(e) => {
                if e.local_name().as_ref() == "c" {
                    in_cell = false;
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        match e.local_name().as_ref() {
            "row" => {
                let attrs = xml::attributes(e.trim_end_matches('/'));
                row = xml::attr(&attrs, "r")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(row + 1);
                col = 0;
                if row > *rows.end() {
                    break;
                }
            }
            "c" => {
                let attrs = xml::attributes(e.trim_end_matches('/'));
                col = xml::attr(&attrs, "r")
                    .and_then(CellRef::parse)
                    .map_or(col + 1, |c| c.col);
                in_cell = start;
            }
            "f" if in_cell && rows.contains(&row) && (1..=64).contains(&col) => {
                *out.entry(row).or_insert(0u64) |= 1u64 << (col - 1);
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job_cells(ops: &[((u32, u32), CellOp)]) -> BTreeMap<(u32, u32), CellOp> {
        ops.iter().cloned().collect()
    }

    fn text(t: &str, formula: FormulaPolicy) -> CellOp {
        CellOp {
            edit: Some(CellEdit {
                value: CellValue::Text(t.into()),
                formula,
            }),
            fill: None,
        }
    }

    fn run(xml: &str, cells: &BTreeMap<(u32, u32), CellOp>) -> Result<String> {
        let job = SheetJob {
            sheet: "S",
            part: "p",
            cells,
            legacy_drawing: None,
        };
        let mut restyle = |old: u32, _fill: u32| old + 100;
        rewrite(xml.as_bytes(), &job, &mut restyle)
            .map(|o| String::from_utf8(o.xml).unwrap_or_default())
    }

    const SHEET: &str = r#"<worksheet xmlns="m"><cols><col min="4" max="4" style="7"/></cols><sheetData><row r="2" spans="1:3"><c r="A2" s="1" t="s"><v>0</v></c><c r="C2" s="2"><f>A2&amp;"x"</f><v>q</v></c></row><row r="5" s="9" customFormat="1"/></sheetData><sheetProtection sheet="1"/></worksheet>"#;

    #[test]
    fn untouched_rows_are_copied_byte_for_byte() {
        let cells = job_cells(&[((5, 1), text("new", FormulaPolicy::Refuse))]);
        let out = run(SHEET, &cells).expect("rewrite");
        assert!(out.contains(r#"<row r="2" spans="1:3"><c r="A2" s="1" t="s"><v>0</v></c>"#));
        assert!(out.contains(
            r#"<row r="5" s="9" customFormat="1"><c r="A5" s="9" t="inlineStr"><is><t>new</t></is></c></row>"#
        ));
        assert!(out.ends_with("<sheetProtection sheet=\"1\"/></worksheet>"));
    }

    #[test]
    fn cells_and_rows_are_inserted_in_order() {
        let cells = job_cells(&[
            ((1, 2), text("top", FormulaPolicy::Refuse)),
            ((2, 2), text("mid", FormulaPolicy::Refuse)),
            ((2, 4), text("right", FormulaPolicy::Refuse)),
            ((9, 4), text("tail", FormulaPolicy::Refuse)),
        ]);
        let out = run(SHEET, &cells).expect("rewrite");
        let pos = |s: &str| out.find(s).unwrap_or(usize::MAX);
        assert!(pos(r#"<row r="1"><c r="B1" t="inlineStr">"#) < pos(r#"<row r="2""#));
        assert!(pos(r#"r="A2""#) < pos(r#"r="B2""#));
        assert!(pos(r#"r="B2""#) < pos(r#"r="C2""#));
        assert!(pos(r#"r="C2""#) < pos(r#"<c r="D2" s="7" t="inlineStr">"#));
        assert!(out.contains(r#"spans="1:4""#));
        assert!(pos(r#"<row r="5""#) < pos(r#"<row r="9"><c r="D9" s="7""#));
        assert!(pos(r#"<row r="9""#) < pos("</sheetData>"));
    }

    #[test]
    fn formulas_are_kept_unless_the_caller_says_so() {
        let refuse = job_cells(&[((2, 3), text("v", FormulaPolicy::Refuse))]);
        assert!(matches!(
            run(SHEET, &refuse),
            Err(WriteError::FormulaCell { .. })
        ));
        let cached = job_cells(&[((2, 3), text("CHINA", FormulaPolicy::KeepAsCached))]);
        let out = run(SHEET, &cached).expect("cached");
        assert!(out.contains(r#"<c r="C2" s="2" t="str"><f>A2&amp;"x"</f><v>CHINA</v></c>"#));
        let replace = job_cells(&[((2, 3), text("Tin", FormulaPolicy::Replace))]);
        let out = run(SHEET, &replace).expect("replace");
        assert!(out.contains(r#"<c r="C2" s="2" t="inlineStr"><is><t>Tin</t></is></c>"#));
        let missing = job_cells(&[((2, 1), text("x", FormulaPolicy::KeepAsCached))]);
        assert!(matches!(
            run(SHEET, &missing),
            Err(WriteError::NoFormula { .. })
        ));
    }

    #[test]
    fn shared_formula_masters_are_never_removed() {
        let xml = r#"<worksheet><sheetData><row r="1"><c r="A1"><f t="shared" ref="A1:A9" si="0">B1</f><v>1</v></c></row></sheetData></worksheet>"#;
        let cells = job_cells(&[((1, 1), text("x", FormulaPolicy::Replace))]);
        assert!(matches!(
            run(xml, &cells),
            Err(WriteError::FormulaMaster { .. })
        ));
    }

    #[test]
    fn formula_columns_are_found_per_row() {
        let map = formula_columns(SHEET.as_bytes(), "p", 1..=9).expect("map");
        assert_eq!(map.get(&2), Some(&0b100));
        assert_eq!(map.get(&5), None);
    }

    #[test]
    fn highlight_changes_only_the_style() {
        let cells = job_cells(&[(
            (2, 3),
            CellOp {
                edit: None,
                fill: Some(0xFFFF0000),
            },
        )]);
        let out = run(SHEET, &cells).expect("style");
        assert!(out.contains(r#"<c r="C2" s="102"><f>A2&amp;"x"</f><v>q</v></c>"#));
    }

    #[test]
    fn legacy_drawing_goes_before_later_elements() {
        let cells = BTreeMap::new();
        let job = SheetJob {
            sheet: "S",
            part: "p",
            cells: &cells,
            legacy_drawing: Some("rId9"),
        };
        let xml = r#"<worksheet xmlns="m"><sheetData/><drawing r:id="rId1"/><tableParts count="0"/></worksheet>"#;
        let mut restyle = |old: u32, _f: u32| old;
        let out = rewrite(xml.as_bytes(), &job, &mut restyle).expect("rewrite");
        let out = String::from_utf8(out.xml).unwrap_or_default();
        assert!(out.contains(
            r#"<drawing r:id="rId1"/><legacyDrawing xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId9"/><tableParts"#
        ));
    }
}
