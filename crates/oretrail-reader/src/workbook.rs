//! The workbook part: sheet names, their parts, and the date system.

use crate::error::{ReadError, RejectReason};
use crate::package::Package;
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::collections::HashMap;

/// One sheet listed in the workbook.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    /// Sheet name as shown on its tab.
    pub name: String,
    /// Package part holding the sheet, e.g. `xl/worksheets/sheet5.xml`.
    pub part: String,
    /// Whether the sheet is hidden or very hidden.
    pub hidden: bool,
}

/// What the workbook part says about the workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    /// Sheets in workbook order.
    pub sheets: Vec<SheetEntry>,
    /// Whether dates count from 1904 (Mac Excel) instead of 1900.
    pub date1904: bool,
    /// Package part of the shared strings, if any.
    pub shared_strings_part: Option<String>,
}

impl Workbook {
    /// Reads the workbook part and its relationships from a package.
    pub fn read(package: &mut Package<'_>) -> Result<Workbook, ReadError> {
        let workbook_part = office_document_part(package)?;
        let base = workbook_part
            .rsplit_once('/')
            .map(|(dir, _)| dir.to_string())
            .unwrap_or_default();
        let rels_part = format!("{base}/_rels/{}.rels", file_name(&workbook_part));
        let rels = if package.has_part(&rels_part) {
            relationships(&package.read_part(&rels_part)?, &base)
        } else {
            HashMap::new()
        };
        let xml = package.read_part(&workbook_part)?;
        let mut reader = Reader::from_reader(xml.as_slice());
        let mut sheets = Vec::new();
        let mut date1904 = false;
        let mut buf = Vec::new();
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                    let local = e.local_name();
                    match local.as_ref() {
                        "sheet" => {
                            let mut name = None;
                            let mut rid = None;
                            let mut hidden = false;
                            for a in e.attributes().flatten() {
                                let key = a.key.local_name();
                                let value = crate::xml_text::decode(a.value.as_bytes());
                                match key.as_ref() {
                                    "name" => name = Some(value),
                                    "id" => rid = Some(value),
                                    "state" => hidden = value != "visible",
                                    _ => {}
                                }
                            }
                            if let (Some(name), Some(rid)) = (name, rid) {
                                let part = rels
                                    .get(&rid)
                                    .map(|(_, target)| target.clone())
                                    .unwrap_or_default();
                                sheets.push(SheetEntry { name, part, hidden });
                            }
                        }
                        "workbookPr" => {
                            for a in e.attributes().flatten() {
                                if a.key.local_name().as_ref() == "date1904" {
                                    date1904 = matches!(a.value.as_ref(), "1" | "true");
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Ok(Event::Eof) => break,
                Err(err) => {
                    return Err(ReadError::new(
                        RejectReason::CorruptPackage,
                        format!(
                            "the workbook part '{workbook_part}' is not well-formed XML ({err})"
                        ),
                    ));
                }
                _ => {}
            }
            buf.clear();
        }
        let shared_strings_part = rels
            .values()
            .find(|(kind, _)| kind.ends_with("/sharedStrings"))
            .map(|(_, target)| target.clone())
            .or_else(|| {
                let guess = format!("{base}/sharedStrings.xml");
                package.has_part(&guess).then_some(guess)
            });
        Ok(Workbook {
            sheets,
            date1904,
            shared_strings_part,
        })
    }

    /// The sheet of that name (exact, else case-insensitive).
    pub fn sheet(&self, name: &str) -> Option<&SheetEntry> {
        self.sheets.iter().find(|s| s.name == name).or_else(|| {
            self.sheets
                .iter()
                .find(|s| s.name.trim().eq_ignore_ascii_case(name))
        })
    }
}

/// Finds the main workbook part through the package relationships.
fn office_document_part(package: &mut Package<'_>) -> Result<String, ReadError> {
    if package.has_part("_rels/.rels") {
        let rels = relationships(&package.read_part("_rels/.rels")?, "");
        if let Some((_, target)) = rels
            .values()
            .find(|(kind, _)| kind.ends_with("/officeDocument"))
            && package.has_part(target)
        {
            return Ok(target.clone());
        }
    }
    if package.has_part("xl/workbook.xml") {
        return Ok("xl/workbook.xml".to_string());
    }
    Err(ReadError::new(
        RejectReason::NotRmiTemplate,
        if package.has_part("word/document.xml") {
            "an Office package, but a Word document, not an Excel workbook".to_string()
        } else if package.has_part("ppt/presentation.xml") {
            "an Office package, but a PowerPoint presentation, not an Excel workbook".to_string()
        } else {
            "a zip archive, but not an Excel workbook (no xl/workbook.xml part)".to_string()
        },
    ))
}

/// Relationship id → (type, resolved target part) from a .rels part.
fn relationships(xml: &[u8], base: &str) -> HashMap<String, (String, String)> {
    let mut out = HashMap::new();
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e))
                if e.local_name().as_ref() == "Relationship" =>
            {
                let mut id = String::new();
                let mut kind = String::new();
                let mut target = String::new();
                let mut external = false;
                for a in e.attributes().flatten() {
                    let value = crate::xml_text::decode(a.value.as_bytes());
                    match a.key.local_name().as_ref() {
                        "Id" => id = value,
                        "Type" => kind = value,
                        "Target" => target = value,
                        "TargetMode" => external = value == "External",
                        _ => {}
                    }
                }
                if !external {
                    out.insert(id, (kind, resolve(base, &target)));
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

/// Resolves a relationship target against the folder of its source part (OPC part names).
pub fn resolve(base: &str, target: &str) -> String {
    let joined = if let Some(abs) = target.strip_prefix('/') {
        abs.to_string()
    } else if base.is_empty() {
        target.to_string()
    } else {
        format!("{base}/{target}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn file_name(part: &str) -> &str {
    part.rsplit('/').next().unwrap_or(part)
}

#[cfg(test)]
mod tests {
    use super::resolve;

    #[test]
    fn relationship_targets_resolve_like_paths() {
        assert_eq!(
            resolve("xl", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "../sharedStrings.xml"),
            "xl/sharedStrings.xml"
        );
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
    }
}
