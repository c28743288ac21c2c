//! A fast scanner of worksheet XML that keeps only what a reader needs.
//!
//! RMI templates carry ~2,500 pre-formatted formula rows on the Smelter List (5–7 MB of XML),
//! almost all empty. The scanner walks tags with `memchr`, skips formula text, and keeps the
//! cells that have a value plus, per row, which columns hold formulas.

use crate::error::{ReadError, RejectReason};
use crate::shared_strings::SharedStrings;
use crate::xml_text;
use memchr::memchr;
use std::collections::HashMap;
use std::sync::OnceLock;

/// A cell value as stored in the workbook (cached value for formula cells).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A number (dates are serial numbers).
    Number(f64),
    /// A boolean.
    Bool(bool),
    /// An ISO 8601 date stored as such (`t="d"`).
    IsoDate(String),
    /// An error such as `#N/A`.
    Error(String),
}

/// The cells of one worksheet that carry a value, and where formulas are.
#[derive(Debug, Default)]
pub struct Sheet {
    values: HashMap<(u32, u32), Value>,
    /// Per decoded row, bit `c - 1` set when column `c` (1..=64) holds a formula.
    formula_rows: HashMap<u32, u64>,
    /// The sheet's markup, kept for questions about rows that were not decoded.
    xml: Vec<u8>,
    /// Byte range of every row, built on first need.
    row_index: OnceLock<HashMap<u32, (usize, usize)>>,
    /// Number of decoded formula cells whose cached value is non-empty.
    pub formula_cells_with_value: usize,
    /// Highest row holding a value.
    pub max_value_row: u32,
}

impl Sheet {
    /// The value at a cell, if any.
    pub fn get(&self, row: u32, col: u32) -> Option<&Value> {
        self.values.get(&(row, col))
    }

    /// Whether a cell holds a formula (columns beyond 64 are not tracked).
    pub fn is_formula(&self, row: u32, col: u32) -> bool {
        if !(1..=64).contains(&col) {
            return false;
        }
        let bit = 1u64 << (col - 1);
        if let Some(bits) = self.formula_rows.get(&row) {
            return bits & bit != 0;
        }
        match self.rows().get(&row) {
            Some(&(a, b)) => formula_columns(&self.xml[a..b], row) & bit != 0,
            None => false,
        }
    }

    /// Whether the sheet holds any formula.
    pub fn has_formulas(&self) -> bool {
        memchr::memmem::find(&self.xml, b"<f").is_some()
            || memchr::memmem::find(&self.xml, b":f>").is_some()
            || memchr::memmem::find(&self.xml, b":f ").is_some()
    }

    /// Rows that hold at least one value, ascending.
    pub fn value_rows(&self) -> Vec<u32> {
        let mut rows: Vec<u32> = self.values.keys().map(|&(r, _)| r).collect();
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Whether any cell in `rows` of column `col` holds a formula.
    pub fn has_formula_in(&self, col: u32, rows: std::ops::RangeInclusive<u32>) -> bool {
        rows.into_iter().any(|r| self.is_formula(r, col))
    }

    fn rows(&self) -> &HashMap<u32, (usize, usize)> {
        self.row_index.get_or_init(|| index_rows(&self.xml))
    }
}

/// Byte ranges (from the `<row` tag to its end) of every row element.
fn index_rows(xml: &[u8]) -> HashMap<u32, (usize, usize)> {
    let mut out = HashMap::new();
    let mut row = 0;
    let mut pos = 0;
    while let Some(off) = memchr::memmem::find(&xml[pos..], b"row") {
        let at = pos + off;
        pos = at + 3;
        let opens = at > 0
            && (xml[at - 1] == b'<'
                || (xml[at - 1] == b':'
                    && xml[..at]
                        .iter()
                        .rposition(|&b| b == b'<')
                        .is_some_and(|lt| {
                            xml[lt + 1..at]
                                .iter()
                                .all(|b| b.is_ascii_alphanumeric() || *b == b':')
                        })));
        if !opens || !matches!(xml.get(at + 3), Some(b' ') | Some(b'>') | Some(b'/')) {
            continue;
        }
        let Some(gt) = memchr(b'>', &xml[at..]).map(|o| at + o) else {
            break;
        };
        row = attr(&xml[at + 3..gt], b"r")
            .and_then(parse_u32)
            .unwrap_or(row + 1);
        let end = if xml[gt - 1] == b'/' {
            gt + 1
        } else {
            memchr::memmem::find(&xml[gt..], b"row>").map_or(xml.len(), |o| gt + o + 4)
        };
        let start = xml[..at].iter().rposition(|&b| b == b'<').unwrap_or(at);
        out.insert(row, (start, end));
        pos = end.max(pos);
    }
    out
}

/// Scans a worksheet part into a [`Sheet`].
///
/// Values are located with substring search over the whole part: only rows holding an inline
/// string or a non-empty `<v>` (other than a formula's cached `0` or error, which the
/// templates' hidden helper columns compute on every empty row) are decoded, tag by tag.
/// Rows with markup prefixes (`<x:c>`) are always decoded.
pub fn scan(
    xml: Vec<u8>,
    strings: &SharedStrings,
    sheet_name: &str,
    max_cells: usize,
) -> Result<Sheet, ReadError> {
    let mut sheet = Sheet::default();
    let Some(start) = memchr::memmem::find(&xml, b"sheetData") else {
        return Ok(sheet);
    };
    let end = memchr::memmem::rfind(&xml, b"sheetData")
        .filter(|&e| e > start)
        .unwrap_or(xml.len());
    let prefixed = start > 0 && xml[start - 1] == b':';
    if prefixed {
        scan_row(
            &mut sheet, &xml, start, end, 0, strings, sheet_name, max_cells,
        )?;
        sheet.xml = xml;
        return Ok(sheet);
    }
    let area = &xml[start..end];
    let mut row_starts: Vec<usize> = Vec::new();
    let mut push_row_of = |hit: usize| {
        if let Some(rs) = memchr::memmem::rfind(&area[..hit], b"<row")
            && row_starts.last() != Some(&rs)
        {
            row_starts.push(rs);
        }
    };
    for at in memchr::memmem::find_iter(area, b"<v") {
        match area.get(at + 2) {
            Some(b'>') => {}
            Some(b' ') => {
                push_row_of(at);
                continue;
            }
            _ => continue,
        }
        let content = &area[at + 3..];
        if content.first() == Some(&b'<') {
            continue;
        }
        let cached_helper = (content.starts_with(b"0</v>") || content.first() == Some(&b'#'))
            && (area[..at].ends_with(b"</f>") || area[..at].ends_with(b"/>"));
        if !cached_helper {
            push_row_of(at);
        }
    }
    for at in memchr::memmem::find_iter(area, b"<is>") {
        push_row_of(at);
    }
    row_starts.sort_unstable();
    row_starts.dedup();
    for rs in row_starts {
        let from = start + rs;
        let to = memchr::memmem::find(&xml[from..end], b"</row>").map_or(end, |o| from + o);
        scan_row(
            &mut sheet, &xml, from, to, 0, strings, sheet_name, max_cells,
        )?;
    }
    sheet.xml = xml;
    Ok(sheet)
}

/// Formula columns (bit `c - 1`) of one row's markup.
fn formula_columns(segment: &[u8], row: u32) -> u64 {
    let mut scratch = Sheet::default();
    let empty = SharedStrings::parse(Vec::new());
    if scan_row(
        &mut scratch,
        segment,
        0,
        segment.len(),
        row,
        &empty,
        "",
        usize::MAX,
    )
    .is_err()
    {
        return 0;
    }
    scratch.formula_rows.get(&row).copied().unwrap_or(0)
}

/// Decodes the cells of one row, tag by tag, between byte offsets `from` and `to` of `xml`.
#[allow(clippy::too_many_arguments)]
fn scan_row(
    sheet: &mut Sheet,
    xml: &[u8],
    from: usize,
    to: usize,
    row: u32,
    strings: &SharedStrings,
    sheet_name: &str,
    max_cells: usize,
) -> Result<(), ReadError> {
    let mut pos = from;
    let mut col: u32 = 0;
    let mut cell = CellState::default();
    let mut in_cell = false;
    let mut in_phonetic = false;
    let mut row = row;
    while let Some(off) = memchr(b'<', &xml[pos..to]) {
        let lt = pos + off;
        let Some(gt) = memchr(b'>', &xml[lt..to]).map(|o| lt + o) else {
            break;
        };
        let tag = &xml[lt + 1..gt];
        pos = gt + 1;
        if tag.is_empty() {
            continue;
        }
        match tag[0] {
            b'/' => match local_name(&tag[1..]) {
                b"c" if in_cell => {
                    in_cell = false;
                    finish_cell(sheet, &mut cell, xml, row, col, strings, sheet_name)?;
                    if sheet.values.len() > max_cells {
                        return Err(too_many_cells(sheet_name, max_cells));
                    }
                }
                b"rPh" => in_phonetic = false,
                _ => {}
            },
            b'?' | b'!' => {}
            _ => {
                let self_closing = tag.last() == Some(&b'/');
                let name_end = tag
                    .iter()
                    .position(|&b| b.is_ascii_whitespace() || b == b'/')
                    .unwrap_or(tag.len());
                let attrs = &tag[name_end..];
                match local_name(&tag[..name_end]) {
                    b"row" => {
                        row = attr(attrs, b"r").and_then(parse_u32).unwrap_or(row + 1);
                        col = 0;
                    }
                    b"c" => {
                        if self_closing {
                            col += 1;
                            continue;
                        }
                        let (r, c) = match attr(attrs, b"r").and_then(parse_ref) {
                            Some(rc) => rc,
                            None => (row.max(1), col + 1),
                        };
                        row = r;
                        col = c;
                        cell = CellState {
                            kind: cell_kind(attr(attrs, b"t")),
                            ..CellState::default()
                        };
                        in_cell = true;
                    }
                    b"f" if in_cell => cell.formula = true,
                    b"v" if in_cell && !self_closing => {
                        let end = memchr(b'<', &xml[pos..to]).map_or(to, |o| pos + o);
                        cell.value = Some((pos, end));
                        pos = end;
                    }
                    b"t" if in_cell && !in_phonetic && !self_closing => {
                        let end = memchr(b'<', &xml[pos..to]).map_or(to, |o| pos + o);
                        cell.inline.push_str(&xml_text::decode(&xml[pos..end]));
                        cell.has_inline = true;
                        pos = end;
                    }
                    b"rPh" if !self_closing => in_phonetic = true,
                    _ => {}
                }
            }
        }
    }
    if in_cell {
        finish_cell(sheet, &mut cell, xml, row, col, strings, sheet_name)?;
    }
    Ok(())
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Kind {
    #[default]
    Number,
    Shared,
    Str,
    Inline,
    Bool,
    Error,
    Date,
}

#[derive(Default)]
struct CellState {
    kind: Kind,
    formula: bool,
    value: Option<(usize, usize)>,
    inline: String,
    has_inline: bool,
}

fn finish_cell(
    sheet: &mut Sheet,
    cell: &mut CellState,
    xml: &[u8],
    row: u32,
    col: u32,
    strings: &SharedStrings,
    sheet_name: &str,
) -> Result<(), ReadError> {
    if cell.formula && (1..=64).contains(&col) {
        *sheet.formula_rows.entry(row).or_insert(0) |= 1u64 << (col - 1);
    }
    let raw: Option<&[u8]> = cell.value.map(|(a, b)| &xml[a..b]);
    let value = match cell.kind {
        Kind::Inline => {
            if cell.has_inline {
                Some(Value::Text(std::mem::take(&mut cell.inline)))
            } else {
                raw.map(|r| Value::Text(xml_text::decode(r)))
            }
        }
        Kind::Shared => match raw {
            Some(r) => {
                let text = String::from_utf8_lossy(r);
                let index: usize = text.trim().parse().map_err(|_| {
                    ReadError::new(
                        RejectReason::CorruptPackage,
                        format!(
                            "sheet '{sheet_name}' cell {}: bad shared-string index '{text}'",
                            cell_name(row, col)
                        ),
                    )
                })?;
                Some(Value::Text(strings.get(index).ok_or_else(|| {
                    ReadError::new(
                        RejectReason::CorruptPackage,
                        format!(
                            "sheet '{sheet_name}' cell {}: shared string {index} does not exist",
                            cell_name(row, col)
                        ),
                    )
                })?))
            }
            None => None,
        },
        Kind::Str => raw.map(|r| Value::Text(xml_text::decode(r))),
        Kind::Error => raw.map(|r| Value::Error(xml_text::decode(r))),
        Kind::Date => raw.map(|r| Value::IsoDate(xml_text::decode(r))),
        Kind::Bool => raw.map(|r| Value::Bool(r.trim_ascii() == b"1" || r.trim_ascii() == b"true")),
        Kind::Number => match raw {
            Some(r) if !r.trim_ascii().is_empty() => {
                let text = String::from_utf8_lossy(r);
                match text.trim().parse::<f64>() {
                    Ok(n) if n.is_finite() => Some(Value::Number(n)),
                    _ => Some(Value::Text(text.trim().to_string())),
                }
            }
            _ => None,
        },
    };
    let value = value.filter(|v| !matches!(v, Value::Text(t) if t.is_empty()));
    if let Some(v) = value {
        if cell.formula {
            sheet.formula_cells_with_value += 1;
        }
        sheet.max_value_row = sheet.max_value_row.max(row);
        sheet.values.insert((row, col), v);
    }
    Ok(())
}

fn cell_kind(t: Option<&[u8]>) -> Kind {
    match t {
        Some(b"s") => Kind::Shared,
        Some(b"str") => Kind::Str,
        Some(b"inlineStr") => Kind::Inline,
        Some(b"b") => Kind::Bool,
        Some(b"e") => Kind::Error,
        Some(b"d") => Kind::Date,
        _ => Kind::Number,
    }
}

fn too_many_cells(sheet: &str, max: usize) -> ReadError {
    ReadError::new(
        RejectReason::LimitExceeded,
        format!("sheet '{sheet}' holds more than {max} non-empty cells"),
    )
}

fn cell_name(row: u32, col: u32) -> String {
    format!("{}{}", oretrail_template::cell::column_letters(col), row)
}

/// The part of a tag name after a namespace prefix.
fn local_name(name: &[u8]) -> &[u8] {
    match memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The value of an attribute (unprefixed name) within a tag's attribute text.
pub(crate) fn attr<'x>(attrs: &'x [u8], name: &[u8]) -> Option<&'x [u8]> {
    let mut i = 0;
    while i < attrs.len() {
        while i < attrs.len() && attrs[i].is_ascii_whitespace() {
            i += 1;
        }
        let key_start = i;
        while i < attrs.len()
            && attrs[i] != b'='
            && !attrs[i].is_ascii_whitespace()
            && attrs[i] != b'/'
        {
            i += 1;
        }
        let key = &attrs[key_start..i];
        while i < attrs.len() && (attrs[i].is_ascii_whitespace() || attrs[i] == b'=') {
            i += 1;
        }
        if i >= attrs.len() {
            return None;
        }
        let quote = attrs[i];
        if quote != b'"' && quote != b'\'' {
            i += 1;
            continue;
        }
        let value_start = i + 1;
        let value_end = memchr(quote, &attrs[value_start..]).map(|o| value_start + o)?;
        if local_name(key) == name {
            return Some(&attrs[value_start..value_end]);
        }
        i = value_end + 1;
    }
    None
}

fn parse_u32(bytes: &[u8]) -> Option<u32> {
    std::str::from_utf8(bytes).ok()?.trim().parse().ok()
}

/// Parses a cell reference such as `AB12` into (row, column).
fn parse_ref(bytes: &[u8]) -> Option<(u32, u32)> {
    let split = bytes.iter().position(u8::is_ascii_digit)?;
    let (letters, digits) = bytes.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for &b in letters {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row = parse_u32(digits)?;
    (row > 0).then_some((row, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(xml: &str) -> Sheet {
        let strings = SharedStrings::parse(
            br#"<sst><si><t>Tin</t></si><si><r><t>Alpha </t></r><r><t>Metals</t></r><rPh><t>ignored</t></rPh></si></sst>"#
                .to_vec(),
        );
        scan(xml.as_bytes().to_vec(), &strings, "Test", 1000).expect("scan")
    }

    #[test]
    fn shared_inline_formula_and_number_cells() {
        let s = sheet(
            r#"<worksheet><cols><col min="1"/></cols><sheetData>
            <row r="5"><c r="A5" s="1"/><c r="B5" t="s"><v>0</v></c><c r="C5" t="s"><v>1</v></c>
            <c r="E5" t="str"><f aca="true">IF(A,&quot;x&quot;)</f><v>CHINA</v></c>
            <c r="F5"><f>X</f><v/></c><c r="G5" t="inlineStr"><is><t xml:space="preserve"> typed </t></is></c>
            <c r="H5"><v>45291</v></c><c r="I5" t="e"><v>#N/A</v></c></row></sheetData></worksheet>"#,
        );
        assert_eq!(s.get(5, 2), Some(&Value::Text("Tin".into())));
        assert_eq!(s.get(5, 3), Some(&Value::Text("Alpha Metals".into())));
        assert_eq!(s.get(5, 5), Some(&Value::Text("CHINA".into())));
        assert!(s.is_formula(5, 5) && s.is_formula(5, 6) && !s.is_formula(5, 7));
        assert_eq!(s.get(5, 6), None);
        assert_eq!(s.get(5, 7), Some(&Value::Text(" typed ".into())));
        assert_eq!(s.get(5, 8), Some(&Value::Number(45291.0)));
        assert_eq!(s.get(5, 9), Some(&Value::Error("#N/A".into())));
        assert_eq!(s.formula_cells_with_value, 1);
        assert!(s.has_formulas());
    }

    #[test]
    fn prefixed_tags_and_missing_references() {
        let s = sheet(
            r#"<x:worksheet><x:sheetData><x:row><x:c t="inlineStr"><x:is><x:t>a</x:t></x:is></x:c><x:c><x:v>2</x:v></x:c></x:row>
            <x:row><x:c><x:v>3</x:v></x:c></x:row></x:sheetData></x:worksheet>"#,
        );
        assert_eq!(s.get(1, 1), Some(&Value::Text("a".into())));
        assert_eq!(s.get(1, 2), Some(&Value::Number(2.0)));
        assert_eq!(s.get(2, 1), Some(&Value::Number(3.0)));
    }

    #[test]
    fn formula_only_rows_are_skipped_but_still_answer_formula_questions() {
        let s = sheet(
            r#"<sheetData><row r="5"><c r="E5" t="str"><f>X</f><v></v></c><c r="X5"><f>Y</f><v>0</v></c><c r="V5" t="e"><f>NA()</f><v>#N/A</v></c></row>
            <row r="6"><c r="B6" t="s"><v>0</v></c><c r="X6"><f>Y</f><v>0</v></c></row></sheetData>"#,
        );
        assert_eq!(s.value_rows(), vec![6]);
        assert!(s.is_formula(5, 5) && s.is_formula(5, 24) && !s.is_formula(5, 2));
        assert!(s.is_formula(6, 24));
        assert_eq!(s.get(6, 2), Some(&Value::Text("Tin".into())));
    }

    #[test]
    fn cell_limit_is_enforced() {
        let strings = SharedStrings::parse(Vec::new());
        let mut xml = String::from("<sheetData><row r=\"1\">");
        for c in 1..=20 {
            xml.push_str(&format!(
                "<c r=\"{}1\"><v>1</v></c>",
                oretrail_template::cell::column_letters(c)
            ));
        }
        xml.push_str("</row></sheetData>");
        let err = scan(xml.into_bytes(), &strings, "Big", 10).expect_err("limit");
        assert_eq!(err.reason, RejectReason::LimitExceeded);
    }
}
