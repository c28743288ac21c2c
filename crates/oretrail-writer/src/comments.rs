//! Cell comments ("notes"): the comments part, its legacy VML drawing, the sheet's
//! relationships and content types, created when a sheet has none and extended when it does.

use crate::error::{Result, WriteError};
use crate::package::{self, Package, Relationship};
use crate::xml;
use oretrail_template::CellRef;
use quick_xml::events::Event;
use quick_xml::reader::Reader;

const COMMENTS_TYPE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const VML_TYPE: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
/// Content type of a comments part.
pub const COMMENTS_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
/// Content type of a VML drawing.
pub const VML_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// A comment to add to one cell.
#[derive(Debug, Clone)]
pub struct Note {
    /// The cell.
    pub cell: CellRef,
    /// The text (lines separated by `\n`).
    pub text: String,
}

/// Parts to write for the comments of one sheet.
#[derive(Debug, Default)]
pub struct CommentParts {
    /// Parts with their full new content (existing parts replaced, new parts added).
    pub parts: Vec<(String, Vec<u8>)>,
    /// Content-type overrides to add: (part name, content type).
    pub overrides: Vec<(String, &'static str)>,
    /// Relationship id of the VML drawing the sheet must reference.
    pub legacy_rid: String,
}

/// Next free shape-id block across the package's VML drawings.
#[derive(Debug, Default)]
pub struct ShapeIds {
    /// Highest `_x0000_sN` number seen in any VML part.
    max_id: u32,
    /// Highest `o:idmap` block number seen.
    max_block: u32,
}

impl ShapeIds {
    /// Scans every VML part of the package for shape ids and id blocks.
    pub fn scan(package: &mut Package<'_>) -> Result<ShapeIds> {
        let mut ids = ShapeIds::default();
        let vml: Vec<String> = package
            .entries
            .iter()
            .filter(|n| n.to_ascii_lowercase().ends_with(".vml"))
            .cloned()
            .collect();
        for name in vml {
            let text = String::from_utf8_lossy(&package.read_part(&name)?).into_owned();
            ids.note(&text);
        }
        Ok(ids)
    }

    fn note(&mut self, vml: &str) {
        for (i, _) in vml.match_indices("_x0000_s") {
            let digits: String = vml[i + 8..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse::<u32>() {
                self.max_id = self.max_id.max(n);
            }
        }
        for (i, _) in vml.match_indices("data=\"") {
            for part in vml[i + 6..].split('"').next().unwrap_or("").split(',') {
                if let Ok(n) = part.trim().parse::<u32>() {
                    self.max_block = self.max_block.max(n);
                }
            }
        }
    }

    /// A new id block for a new VML part, with its first shape id.
    fn new_block(&mut self) -> u32 {
        self.max_block = self.max_block.max(self.max_id / 1024) + 1;
        self.max_id = self.max_block * 1024;
        self.max_block
    }

    fn next_id(&mut self) -> u32 {
        self.max_id = self.max_id.max(1024) + 1;
        self.max_id
    }
}

/// Builds or extends the comment parts of one sheet.
pub fn add_notes(
    package: &mut Package<'_>,
    sheet_part: &str,
    notes: &[Note],
    author: &str,
    taken: &mut Vec<String>,
    ids: &mut ShapeIds,
) -> Result<CommentParts> {
    let folder = package::folder_of(sheet_part).to_string();
    let rels_part = package::rels_part_of(sheet_part);
    let rels_xml = package.read_optional(&rels_part)?;
    let rels = rels_xml
        .as_deref()
        .map(package::relationships)
        .unwrap_or_default();
    let find = |kind: &str| -> Option<Relationship> {
        rels.iter()
            .find(|r| !r.external && r.kind.ends_with(kind))
            .cloned()
    };
    let mut out = CommentParts::default();
    let mut new_rels: Vec<(String, &str, String)> = Vec::new();
    let mut next_rid = next_rel_id(&rels);

    // The comments part.
    let comments_rel = find("/comments");
    let (comments_part, comments_xml) = match &comments_rel {
        Some(rel) => {
            let part = package::resolve(&folder, &rel.target);
            let xml = package.read_part(&part)?;
            (part, Some(xml))
        }
        None => {
            let part = package.free_name("xl/comments", ".xml", taken);
            taken.push(part.clone());
            let rid = next_rid();
            new_rels.push((rid, COMMENTS_TYPE, package::relative_target(&folder, &part)));
            out.overrides.push((part.clone(), COMMENTS_CONTENT_TYPE));
            (part, None)
        }
    };
    let (comments, fresh) = write_comments(comments_xml.as_deref(), notes, author, &comments_part)?;
    out.parts.push((comments_part, comments));

    // The VML drawing with one hidden note shape per new comment.
    let vml_rel = find("/vmlDrawing");
    let fresh_notes: Vec<&Note> = notes.iter().filter(|n| fresh.contains(&n.cell)).collect();
    match &vml_rel {
        Some(rel) => {
            let part = package::resolve(&folder, &rel.target);
            let vml = String::from_utf8_lossy(&package.read_part(&part)?).into_owned();
            out.parts
                .push((part, extend_vml(&vml, &fresh_notes, ids).into_bytes()));
            out.legacy_rid = rel.id.clone();
        }
        None => {
            let part = package.free_name("xl/drawings/vmlDrawing", ".vml", taken);
            taken.push(part.clone());
            let rid = next_rid();
            new_rels.push((
                rid.clone(),
                VML_TYPE,
                package::relative_target(&folder, &part),
            ));
            out.parts
                .push((part, new_vml(&fresh_notes, ids).into_bytes()));
            out.legacy_rid = rid;
        }
    }

    if !new_rels.is_empty() {
        let mut added = String::new();
        for (id, kind, target) in &new_rels {
            added.push_str(&format!(
                "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{}\"/>",
                xml::escape(target)
            ));
        }
        let rels_new = match rels_xml {
            Some(xml) => {
                let text = String::from_utf8_lossy(&xml).into_owned();
                let at = text
                    .rfind("</Relationships>")
                    .ok_or_else(|| WriteError::xml(&rels_part, "no </Relationships>"))?;
                let mut t = text;
                t.insert_str(at, &added);
                t
            }
            None => format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{added}</Relationships>"
            ),
        };
        out.parts.push((rels_part, rels_new.into_bytes()));
    }
    Ok(out)
}

/// A generator of relationship ids not used in `rels`.
fn next_rel_id(rels: &[Relationship]) -> impl FnMut() -> String {
    let mut n = rels
        .iter()
        .filter_map(|r| r.id.strip_prefix("rId").and_then(|d| d.parse::<u32>().ok()))
        .max()
        .unwrap_or(0);
    let used: Vec<String> = rels.iter().map(|r| r.id.clone()).collect();
    move || loop {
        n += 1;
        let id = format!("rId{n}");
        if !used.contains(&id) {
            return id;
        }
    }
}

/// One comment as `<r>` runs: the author in bold, then the text.
fn comment_runs(author: &str, text: &str) -> String {
    let font = "<sz val=\"9\"/><color indexed=\"81\"/><rFont val=\"Tahoma\"/><family val=\"2\"/>";
    format!(
        "<r><rPr><b/>{font}</rPr><t>{}:</t></r><r><rPr>{font}</rPr><t xml:space=\"preserve\">\n{}</t></r>",
        xml::escape(author),
        xml::escape(text)
    )
}

/// A comment element of the comments part.
struct Existing {
    cell: CellRef,
    /// Span of the `<text>` element's content.
    text_inner: (usize, usize),
}

/// The comments part with the notes added; returns it and the cells that got a new comment
/// (cells already commented get the text appended to their comment).
fn write_comments(
    existing: Option<&[u8]>,
    notes: &[Note],
    author: &str,
    part: &str,
) -> Result<(Vec<u8>, Vec<CellRef>)> {
    let Some(existing) = existing else {
        let mut list = String::new();
        for n in notes {
            list.push_str(&format!(
                "<comment ref=\"{}\" authorId=\"0\"><text>{}</text></comment>",
                n.cell,
                comment_runs(author, &n.text)
            ));
        }
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<comments xmlns=\"{MAIN_NS}\"><authors><author>{}</author></authors><commentList>{list}</commentList></comments>",
            xml::escape(author)
        );
        return Ok((xml.into_bytes(), notes.iter().map(|n| n.cell).collect()));
    };
    let text = std::str::from_utf8(existing).map_err(|e| WriteError::xml(part, e))?;
    let scan = scan_comments(text, author, part)?;
    let p = scan.prefix.as_str();
    let author_id = match scan.author_index {
        Some(i) => i,
        None => scan.author_count,
    };
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    if scan.author_index.is_none() {
        let (at, with) = match scan.authors_end {
            Some(at) => (
                at,
                format!("<{p}author>{}</{p}author>", xml::escape(author)),
            ),
            None => (
                scan.comment_list_start.unwrap_or(0),
                format!(
                    "<{p}authors><{p}author>{}</{p}author></{p}authors>",
                    xml::escape(author)
                ),
            ),
        };
        edits.push((at, at, with));
    }
    let mut fresh = Vec::new();
    let mut appended = String::new();
    for n in notes {
        match scan.comments.iter().find(|c| c.cell == n.cell) {
            Some(c) => {
                let inner = &text[c.text_inner.0..c.text_inner.1];
                let runs = as_runs(inner, p);
                let with = format!(
                    "{runs}<{p}r><{p}t xml:space=\"preserve\">\n{}: {}</{p}t></{p}r>",
                    xml::escape(author),
                    xml::escape(&n.text)
                );
                edits.push((c.text_inner.0, c.text_inner.1, with));
            }
            None => {
                fresh.push(n.cell);
                let runs = comment_runs(author, &n.text);
                let runs = if p.is_empty() {
                    runs
                } else {
                    runs.replace('<', &format!("<{p}"))
                        .replace(&format!("<{p}/"), &format!("</{p}"))
                };
                appended.push_str(&format!(
                    "<{p}comment ref=\"{}\" authorId=\"{author_id}\"><{p}text>{runs}</{p}text></{p}comment>",
                    n.cell
                ));
            }
        }
    }
    match scan.comment_list_end {
        Some(at) => edits.push((at, at, appended)),
        None => {
            let at = scan
                .root_end
                .ok_or_else(|| WriteError::xml(part, "no </comments>"))?;
            edits.push((
                at,
                at,
                format!("<{p}commentList>{appended}</{p}commentList>"),
            ));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (a, b, with) in edits {
        out.replace_range(a..b, &with);
    }
    Ok((out.into_bytes(), fresh))
}

/// The content of a `<text>` element as runs: a plain `<t>` is wrapped in `<r>`.
fn as_runs(inner: &str, prefix: &str) -> String {
    let trimmed = inner.trim_start();
    let plain_t = trimmed.starts_with(&format!("<{prefix}t>"))
        || trimmed.starts_with(&format!("<{prefix}t "));
    if !plain_t {
        return inner.to_string();
    }
    let close = format!("</{prefix}t>");
    match inner.find(&close) {
        Some(i) => {
            let end = i + close.len();
            format!("<{prefix}r>{}</{prefix}r>{}", &inner[..end], &inner[end..])
        }
        None => inner.to_string(),
    }
}

struct CommentScan {
    prefix: String,
    author_count: u32,
    author_index: Option<u32>,
    authors_end: Option<usize>,
    comment_list_start: Option<usize>,
    comment_list_end: Option<usize>,
    root_end: Option<usize>,
    comments: Vec<Existing>,
}

fn scan_comments(text: &str, author: &str, part: &str) -> Result<CommentScan> {
    let mut reader = Reader::from_str(text);
    let mut scan = CommentScan {
        prefix: String::new(),
        author_count: 0,
        author_index: None,
        authors_end: None,
        comment_list_start: None,
        comment_list_end: None,
        root_end: None,
        comments: Vec::new(),
    };
    let mut depth = 0usize;
    let mut current: Option<CellRef> = None;
    let mut in_author = false;
    let mut author_text = String::new();
    let mut text_start = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| WriteError::xml(part, e))?;
        let end = reader.buffer_position() as usize;
        match event {
            Event::Start(e) => {
                depth += 1;
                let local = e.local_name().as_ref().to_string();
                match (depth, local.as_str()) {
                    (1, _) => scan.prefix = xml::prefix_of(e.name().as_ref()).to_string(),
                    (2, "commentList") => scan.comment_list_start = Some(start),
                    (3, "author") => {
                        in_author = true;
                        author_text.clear();
                    }
                    (3, "comment") => {
                        let attrs = xml::attributes(&e);
                        current = xml::attr(&attrs, "ref").and_then(CellRef::parse);
                    }
                    (4, "text") => text_start = Some(end),
                    _ => {}
                }
            }
            Event::Empty(e) if depth + 1 == 3 && e.local_name().as_ref() == "author" => {
                if author.is_empty() && scan.author_index.is_none() {
                    scan.author_index = Some(scan.author_count);
                }
                scan.author_count += 1;
            }
            Event::Text(t) if in_author => author_text.push_str(&t),
            Event::End(e) => {
                let local = e.local_name().as_ref().to_string();
                match (depth, local.as_str()) {
                    (1, _) => scan.root_end = Some(start),
                    (2, "authors") => scan.authors_end = Some(start),
                    (2, "commentList") => scan.comment_list_end = Some(start),
                    (3, "author") => {
                        in_author = false;
                        let decoded = oretrail_reader::xml_text::decode(author_text.as_bytes());
                        if decoded == author && scan.author_index.is_none() {
                            scan.author_index = Some(scan.author_count);
                        }
                        scan.author_count += 1;
                    }
                    (4, "text") => {
                        if let (Some(cell), Some(from)) = (current, text_start.take()) {
                            scan.comments.push(Existing {
                                cell,
                                text_inner: (from, start),
                            });
                        }
                    }
                    (3, "comment") => current = None,
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(scan)
}

/// One hidden note shape anchored beside its cell.
fn shape(id: u32, note: &Note) -> String {
    let row0 = note.cell.row.saturating_sub(1);
    let col0 = note.cell.col.saturating_sub(1);
    let lines: u32 = note
        .text
        .lines()
        .map(|l| 1 + l.chars().count() as u32 / 48)
        .sum::<u32>()
        + 1;
    let top = row0.saturating_sub(1);
    let bottom = top + 2 + lines.div_ceil(2).min(30);
    let height = 15 + 12 * lines.min(60);
    format!(
        "<v:shape id=\"_x0000_s{id}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:60pt;margin-top:2pt;width:260pt;height:{height}pt;z-index:{id};visibility:hidden\" fillcolor=\"#ffffe1\" o:insetmode=\"auto\"><v:fill color2=\"#ffffe1\"/><v:shadow on=\"t\" color=\"black\" obscured=\"t\"/><v:path o:connecttype=\"none\"/><v:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></v:textbox><x:ClientData ObjectType=\"Note\"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>{}, 15, {top}, 2, {}, 15, {bottom}, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>{row0}</x:Row><x:Column>{col0}</x:Column></x:ClientData></v:shape>",
        col0 + 1,
        col0 + 5,
    )
}

const SHAPE_TYPE: &str = "<v:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" o:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><v:stroke joinstyle=\"miter\"/><v:path gradientshapeok=\"t\" o:connecttype=\"rect\"/></v:shapetype>";

/// A new VML drawing holding the note shapes.
fn new_vml(notes: &[&Note], ids: &mut ShapeIds) -> String {
    let block = ids.new_block();
    let mut out = format!(
        "<xml xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{block}\"/></o:shapelayout>{SHAPE_TYPE}"
    );
    for n in notes {
        out.push_str(&shape(ids.next_id(), n));
    }
    out.push_str("</xml>");
    out
}

/// An existing VML drawing with note shapes appended.
fn extend_vml(vml: &str, notes: &[&Note], ids: &mut ShapeIds) -> String {
    if notes.is_empty() {
        return vml.to_string();
    }
    let mut added = String::new();
    if !vml.contains("_x0000_t202") {
        added.push_str(SHAPE_TYPE);
    }
    for n in notes {
        added.push_str(&shape(ids.next_id(), n));
    }
    let declares = |p: &str| vml.contains(&format!("xmlns:{p}="));
    let wrap = !(declares("v") && declares("o") && declares("x"));
    if wrap {
        // Declare the prefixes on each added element when the drawing's root does not.
        let ns = " xmlns:v=\"urn:schemas-microsoft-com:vml\" xmlns:o=\"urn:schemas-microsoft-com:office:office\" xmlns:x=\"urn:schemas-microsoft-com:office:excel\"";
        added = added
            .replace("<v:shapetype ", &format!("<v:shapetype{ns} "))
            .replace("<v:shape ", &format!("<v:shape{ns} "));
    }
    match vml.rfind("</xml>") {
        Some(at) => {
            let mut out = vml.to_string();
            out.insert_str(at, &added);
            out
        }
        None => format!("{vml}{added}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(cell: &str, text: &str) -> Note {
        Note {
            cell: CellRef::parse(cell).expect("cell"),
            text: text.into(),
        }
    }

    #[test]
    fn new_comments_part_lists_every_note() {
        let notes = [note("D8", "Company name is required."), note("C5", "a & b")];
        let (xml, fresh) = write_comments(None, &notes, "Oretrail", "c").expect("comments");
        let xml = String::from_utf8(xml).unwrap_or_default();
        assert_eq!(fresh.len(), 2);
        assert!(xml.contains(r#"<comment ref="D8" authorId="0">"#));
        assert!(xml.contains("a &amp; b"));
    }

    #[test]
    fn existing_comments_gain_an_author_and_notes() {
        let existing = br#"<comments xmlns="m"><authors><author> </author></authors><commentList><comment ref="P3" authorId="0"><text><t>helper</t></text></comment></commentList></comments>"#;
        let notes = [note("P3", "also this"), note("D9", "scope missing")];
        let (xml, fresh) = write_comments(Some(existing), &notes, "Oretrail", "c").expect("c");
        let xml = String::from_utf8(xml).unwrap_or_default();
        assert_eq!(fresh, vec![CellRef::parse("D9").expect("cell")]);
        assert!(xml.contains("<author> </author><author>Oretrail</author></authors>"));
        assert!(xml.contains(r#"<text><r><t>helper</t></r><r><t xml:space="preserve">"#));
        assert!(xml.contains(r#"<comment ref="D9" authorId="1">"#));
    }

    #[test]
    fn shape_ids_do_not_collide_with_existing_drawings() {
        let mut ids = ShapeIds::default();
        ids.note(r#"<o:idmap v:ext="edit" data="1"/><v:shape id="_x0000_s1025"/>"#);
        let vml = new_vml(&[&note("B2", "x")], &mut ids);
        assert!(vml.contains(r#"data="2""#));
        assert!(vml.contains(r#"id="_x0000_s2049""#));
        let extended = extend_vml(
            r#"<xml xmlns:v="a" xmlns:o="b" xmlns:x="c"><v:shape id="shape_0"/></xml>"#,
            &[&note("C3", "y")],
            &mut ids,
        );
        assert!(extended.contains(r#"id="_x0000_s2050""#));
        assert!(extended.contains("_x0000_t202"));
        assert!(extended.ends_with("</v:shape></xml>"));
    }
}
