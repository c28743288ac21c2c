//! Highlight fills: new `<fill>` entries and cell formats cloned from the cells' own formats, so
//! number format, font, borders and protection stay as they were.

use crate::error::{Result, WriteError};
use crate::xml;
use indexmap::IndexMap;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

/// Cell formats requested while rewriting sheets, written to the styles part afterwards.
pub struct StyleBook {
    /// Number of `<xf>` in `<cellXfs>` before the patch.
    xf_count: u32,
    /// Number of `<fill>` in `<fills>` before the patch.
    fill_count: u32,
    /// Colour (ARGB) → index of its new fill.
    fills: IndexMap<u32, u32>,
    /// (original format, colour) → index of the cloned format.
    clones: IndexMap<(u32, u32), u32>,
}

/// Byte spans of the parts of the styles XML we edit.
struct Layout {
    /// Span of each `<fill>` inside `<fills>`.
    fills: Vec<(usize, usize)>,
    /// Position of `</fills>` and the span of the `<fills ...>` start tag.
    fills_end: usize,
    fills_tag: (usize, usize),
    /// Span of each `<xf>` inside `<cellXfs>`.
    xfs: Vec<(usize, usize)>,
    cell_xfs_end: usize,
    cell_xfs_tag: (usize, usize),
    /// Element prefix (`x:`) of the styles part.
    prefix: String,
}

impl StyleBook {
    /// Reads the counts the new indexes start from.
    pub fn new(styles: &[u8], part: &str) -> Result<StyleBook> {
        let layout = layout(styles, part)?;
        Ok(StyleBook {
            xf_count: layout.xfs.len() as u32,
            fill_count: layout.fills.len() as u32,
            fills: IndexMap::new(),
            clones: IndexMap::new(),
        })
    }

    /// The format to give a cell whose format is `old` so that it shows `color` as fill.
    pub fn restyle(&mut self, old: u32, color: u32) -> u32 {
        let next_fill = self.fill_count + self.fills.len() as u32;
        self.fills.entry(color).or_insert(next_fill);
        let next = self.xf_count + self.clones.len() as u32;
        *self.clones.entry((old, color)).or_insert(next)
    }

    /// Whether any format was requested.
    pub fn is_empty(&self) -> bool {
        self.clones.is_empty()
    }

    /// The styles part with the new fills and formats appended.
    pub fn write(&self, styles: &[u8], part: &str) -> Result<Vec<u8>> {
        let layout = layout(styles, part)?;
        let text = std::str::from_utf8(styles).map_err(|e| WriteError::xml(part, e))?;
        let p = &layout.prefix;
        let mut new_fills = String::new();
        for (color, _) in &self.fills {
            new_fills.push_str(&format!(
                "<{p}fill><{p}patternFill patternType=\"solid\"><{p}fgColor rgb=\"{color:08X}\"/><{p}bgColor indexed=\"64\"/></{p}patternFill></{p}fill>"
            ));
        }
        let mut new_xfs = String::new();
        for (&(old, color), _) in &self.clones {
            let fill_id = self.fills.get(&color).copied().unwrap_or(0);
            let source = layout
                .xfs
                .get(old as usize)
                .or_else(|| layout.xfs.first())
                .map(|&(a, b)| &text[a..b]);
            new_xfs.push_str(&clone_xf(source, fill_id, p));
        }
        let fills_total = layout.fills.len() + self.fills.len();
        let xfs_total = layout.xfs.len() + self.clones.len();
        // Splice from the end backwards so earlier offsets stay valid.
        let mut edits: Vec<(usize, usize, String)> = vec![
            (
                layout.fills_tag.0,
                layout.fills_tag.1,
                retag_count(&text[layout.fills_tag.0..layout.fills_tag.1], fills_total),
            ),
            (layout.fills_end, layout.fills_end, new_fills),
            (
                layout.cell_xfs_tag.0,
                layout.cell_xfs_tag.1,
                retag_count(
                    &text[layout.cell_xfs_tag.0..layout.cell_xfs_tag.1],
                    xfs_total,
                ),
            ),
            (layout.cell_xfs_end, layout.cell_xfs_end, new_xfs),
        ];
        edits.sort_by_key(|e| std::cmp::Reverse(e.0));
        let mut out = text.to_string();
        for (a, b, with) in edits {
            out.replace_range(a..b, &with);
        }
        Ok(out.into_bytes())
    }
}

/// A copy of an `<xf>` element with a new fill; keeps its children (alignment, protection).
fn clone_xf(source: Option<&str>, fill_id: u32, prefix: &str) -> String {
    let Some(source) = source else {
        return format!(
            "<{prefix}xf numFmtId=\"0\" fontId=\"0\" fillId=\"{fill_id}\" borderId=\"0\" xfId=\"0\" applyFill=\"1\"/>"
        );
    };
    let open_end = source.find('>').unwrap_or(source.len());
    let self_closing = source[..open_end].ends_with('/');
    let inner = source[1..open_end].trim_end_matches('/');
    let name = inner
        .split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or("xf")
        .to_string();
    let mut attrs = xml::attributes(inner);
    xml::set_attr(&mut attrs, "fillId", fill_id.to_string());
    xml::set_attr(&mut attrs, "applyFill", "1");
    let mut out = Vec::new();
    xml::start_tag(&mut out, &name, &attrs, self_closing);
    if !self_closing {
        out.extend_from_slice(source.as_bytes().get(open_end + 1..).unwrap_or_default());
    }
    String::from_utf8(out).unwrap_or_default()
}

/// A container start tag with its `count` attribute set.
fn retag_count(tag: &str, count: usize) -> String {
    let self_closing = tag.ends_with("/>");
    let inner = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim_end_matches('/');
    let name = inner
        .split(|c: char| c.is_ascii_whitespace())
        .next()
        .unwrap_or("")
        .to_string();
    let mut attrs = xml::attributes(inner);
    xml::set_attr(&mut attrs, "count", count.to_string());
    let mut out = Vec::new();
    xml::start_tag(&mut out, &name, &attrs, self_closing);
    String::from_utf8(out).unwrap_or_default()
}

fn layout(styles: &[u8], part: &str) -> Result<Layout> {
    let text = std::str::from_utf8(styles).map_err(|e| WriteError::xml(part, e))?;
    let mut reader = Reader::from_str(text);
    let mut depth = 0usize;
    let mut section = "";
    let mut fills = Vec::new();
    let mut xfs = Vec::new();
    let (mut fills_end, mut fills_tag) = (None, (0, 0));
    let (mut cell_xfs_end, mut cell_xfs_tag) = (None, (0, 0));
    let mut prefix = String::new();
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| WriteError::xml(part, e))?;
        let end = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                depth += 1;
                let local = e.local_name().as_ref().to_string();
                match (depth, local.as_str(), section) {
                    (2, "fills", _) => {
                        section = "fills";
                        fills_tag = (start, end);
                        prefix = xml::prefix_of(e.name().as_ref()).to_string();
                    }
                    (2, "cellXfs", _) => {
                        section = "cellXfs";
                        cell_xfs_tag = (start, end);
                    }
                    (3, "fill", "fills") | (3, "xf", "cellXfs") => {
                        reader
                            .read_to_end(e.name())
                            .map_err(|err| WriteError::xml(part, err))?;
                        depth -= 1;
                        let span = (start, reader.buffer_position() as usize);
                        if section == "fills" {
                            fills.push(span);
                        } else {
                            xfs.push(span);
                        }
                    }
                    _ => {}
                }
            }
            Event::Empty(e) => {
                let local = e.local_name().as_ref().to_string();
                match (depth + 1, local.as_str(), section) {
                    (3, "fill", "fills") => fills.push((start, end)),
                    (3, "xf", "cellXfs") => xfs.push((start, end)),
                    _ => {}
                }
            }
            Event::End(e) => {
                if depth == 2 {
                    match e.local_name().as_ref() {
                        "fills" => fills_end = Some(start),
                        "cellXfs" => cell_xfs_end = Some(start),
                        _ => {}
                    }
                    section = "";
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Layout {
        fills,
        fills_end: fills_end.ok_or(WriteError::Styles("fills"))?,
        fills_tag,
        xfs,
        cell_xfs_end: cell_xfs_end.ok_or(WriteError::Styles("cellXfs"))?,
        cell_xfs_tag,
        prefix,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: &str = r#"<styleSheet xmlns="m"><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/><xf numFmtId="14" fontId="3" fillId="0" borderId="1" applyProtection="1"><protection locked="0"/></xf></cellXfs></styleSheet>"#;

    #[test]
    fn highlight_clones_the_cell_format_with_a_new_fill() {
        let mut book = StyleBook::new(STYLES.as_bytes(), "styles").expect("book");
        assert_eq!(book.restyle(1, 0xFFFF7C80), 2);
        assert_eq!(book.restyle(1, 0xFFFF7C80), 2);
        assert_eq!(book.restyle(0, 0xFFFFC000), 3);
        let out = book.write(STYLES.as_bytes(), "styles").expect("write");
        let out = String::from_utf8(out).unwrap_or_default();
        assert!(out.contains(r#"<fills count="4">"#));
        assert!(out.contains(r#"<fgColor rgb="FFFF7C80"/>"#));
        assert!(out.contains(r#"<cellXfs count="4">"#));
        assert!(out.contains(
            r#"<xf numFmtId="14" fontId="3" fillId="2" borderId="1" applyProtection="1" applyFill="1"><protection locked="0"/></xf></cellXfs>"#
        ) || out.contains(r#"fillId="2" borderId="1" applyProtection="1" applyFill="1"><protection locked="0"/></xf><xf"#));
        assert!(
            out.contains(r#"<xf numFmtId="0" fontId="0" fillId="3" borderId="0" applyFill="1"/>"#)
        );
    }
}
