//! The input package: its zip entries, parts read within limits, sheets and relationships.

use crate::error::{Result, WriteError};
use oretrail_reader::Limits;
use oretrail_reader::workbook::Workbook;
use std::collections::HashMap;
use std::io::{Cursor, Read};
use zip::ZipArchive;

/// An opened workbook package whose parts can be read and whose entries can be raw-copied.
pub struct Package<'a> {
    /// The zip archive over the caller's bytes.
    pub archive: ZipArchive<Cursor<&'a [u8]>>,
    /// Entry names in archive order, as stored.
    pub entries: Vec<String>,
    /// Lower-cased part name → archive index.
    index: HashMap<String, usize>,
    /// Sheets of the workbook, names and parts.
    pub workbook: Workbook,
    /// The workbook part, e.g. `xl/workbook.xml`.
    pub workbook_part: String,
    limits: Limits,
}

impl<'a> Package<'a> {
    /// Opens the bytes, rejecting what the reader rejects (CSV, .xls, encrypted, corrupt).
    pub fn open(bytes: &'a [u8]) -> Result<Package<'a>> {
        let limits = Limits::default();
        let mut reader_package = oretrail_reader::package::Package::open(bytes, limits)?;
        let workbook = Workbook::read(&mut reader_package)?;
        let mut archive = ZipArchive::new(Cursor::new(bytes))?;
        let mut entries = Vec::with_capacity(archive.len());
        let mut index = HashMap::with_capacity(archive.len());
        for i in 0..archive.len() {
            let file = archive.by_index_raw(i)?;
            let name = file.name()?.to_string();
            index.insert(normalize(&name), i);
            entries.push(name);
        }
        let mut package = Package {
            archive,
            entries,
            index,
            workbook,
            workbook_part: String::new(),
            limits,
        };
        package.workbook_part = package.office_document()?;
        Ok(package)
    }

    /// Whether a part exists (names compare case-insensitively, without a leading slash).
    pub fn has_part(&self, name: &str) -> bool {
        self.index.contains_key(&normalize(name))
    }

    /// The archive index of a part.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(&normalize(name)).copied()
    }

    /// Inflates one part within the size and compression-ratio limits.
    pub fn read_part(&mut self, name: &str) -> Result<Vec<u8>> {
        let i = self
            .index_of(name)
            .ok_or_else(|| WriteError::MissingPart(name.to_string()))?;
        let mut file = self.archive.by_index(i)?;
        let size = file.size();
        let ratio_cap = file
            .compressed_size()
            .max(1)
            .saturating_mul(self.limits.max_compression_ratio);
        let limit = self.limits.max_part_bytes.min(ratio_cap.max(1 << 20));
        if size > limit {
            return Err(WriteError::PartTooLarge {
                part: name.to_string(),
                size,
                limit,
            });
        }
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        (&mut file).take(limit + 1).read_to_end(&mut out)?;
        if out.len() as u64 > limit {
            return Err(WriteError::PartTooLarge {
                part: name.to_string(),
                size: out.len() as u64,
                limit,
            });
        }
        Ok(out)
    }

    /// Reads a part that may be absent.
    pub fn read_optional(&mut self, name: &str) -> Result<Option<Vec<u8>>> {
        if self.has_part(name) {
            self.read_part(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The part of a sheet by its tab name (exact, else case-insensitive, as the reader finds it).
    pub fn sheet_part(&self, sheet: &str) -> Result<String> {
        match self.workbook.sheet(sheet) {
            Some(entry) if !entry.part.is_empty() && self.has_part(&entry.part) => {
                Ok(entry.part.clone())
            }
            Some(entry) => Err(WriteError::MissingPart(entry.part.clone())),
            None => Err(WriteError::NoSuchSheet(sheet.to_string())),
        }
    }

    /// Sheet names in workbook order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.workbook
            .sheets
            .iter()
            .map(|s| s.name.clone())
            .collect()
    }

    /// A part name not yet used, `prefix{n}suffix` with the smallest n ≥ 1.
    pub fn free_name(&self, prefix: &str, suffix: &str, taken: &[String]) -> String {
        (1..)
            .map(|n| format!("{prefix}{n}{suffix}"))
            .find(|n| !self.has_part(n) && !taken.iter().any(|t| t.eq_ignore_ascii_case(n)))
            .unwrap_or_else(|| format!("{prefix}0{suffix}"))
    }

    fn office_document(&mut self) -> Result<String> {
        if let Some(xml) = self.read_optional("_rels/.rels")? {
            for rel in relationships(&xml) {
                if rel.kind.ends_with("/officeDocument") && !rel.external {
                    let target = resolve("", &rel.target);
                    if self.has_part(&target) {
                        return Ok(target);
                    }
                }
            }
        }
        Ok("xl/workbook.xml".to_string())
    }
}

/// One relationship of a .rels part.
#[derive(Debug, Clone)]
pub struct Relationship {
    /// Relationship id (`rId3`).
    pub id: String,
    /// Relationship type URI.
    pub kind: String,
    /// Target as written (relative or absolute).
    pub target: String,
    /// Whether the target is outside the package.
    pub external: bool,
}

/// Relationships listed in a .rels part.
pub fn relationships(xml: &[u8]) -> Vec<Relationship> {
    let text = String::from_utf8_lossy(xml);
    let mut out = Vec::new();
    let mut rest: &str = &text;
    while let Some(at) = rest.find("<Relationship ") {
        let tail = &rest[at + 1..];
        let Some(end) = tail.find('>') else { break };
        let attrs = crate::xml::attributes(tail[..end].trim_end_matches('/'));
        let get = |n: &str| {
            crate::xml::attr(&attrs, n)
                .map(|v| oretrail_reader::xml_text::decode(v.as_bytes()))
                .unwrap_or_default()
        };
        out.push(Relationship {
            id: get("Id"),
            kind: get("Type"),
            target: get("Target"),
            external: get("TargetMode") == "External",
        });
        rest = &tail[end..];
    }
    out
}

/// The .rels part of a part: `xl/worksheets/sheet1.xml` → `xl/worksheets/_rels/sheet1.xml.rels`.
pub fn rels_part_of(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// The folder of a part (`xl/worksheets/sheet1.xml` → `xl/worksheets`).
pub fn folder_of(part: &str) -> &str {
    part.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

pub use oretrail_reader::workbook::resolve;

/// A relative target from folder `from` to part `to` (`xl/worksheets` → `xl/comments3.xml` is
/// `../comments3.xml`).
pub fn relative_target(from: &str, to: &str) -> String {
    let from: Vec<&str> = from.split('/').filter(|s| !s.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|s| !s.is_empty()).collect();
    let common = from
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count()
        .min(to_parts.len().saturating_sub(1));
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to_parts[common..]);
    out.join("/")
}

fn normalize(name: &str) -> String {
    name.trim_start_matches('/').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_resolve_and_relativise() {
        assert_eq!(
            resolve("xl/worksheets", "../comments3.xml"),
            "xl/comments3.xml"
        );
        assert_eq!(
            resolve("xl/worksheets", "/xl/drawings/vmlDrawing1.vml"),
            "xl/drawings/vmlDrawing1.vml"
        );
        assert_eq!(
            relative_target("xl/worksheets", "xl/comments3.xml"),
            "../comments3.xml"
        );
        assert_eq!(
            relative_target("xl/worksheets", "xl/drawings/vmlDrawing2.vml"),
            "../drawings/vmlDrawing2.vml"
        );
        assert_eq!(
            rels_part_of("xl/worksheets/sheet5.xml"),
            "xl/worksheets/_rels/sheet5.xml.rels"
        );
    }

    #[test]
    fn relationships_are_listed_with_types() {
        let xml = br#"<Relationships xmlns="x"><Relationship Id="rId1" Type="http://a/comments" Target="../comments5.xml"/><Relationship Type="http://a/hyperlink" Target="https://e" TargetMode="External" Id="rId2" /></Relationships>"#;
        let rels = relationships(xml);
        assert_eq!(rels.len(), 2);
        assert_eq!(rels[0].id, "rId1");
        assert!(rels[0].kind.ends_with("/comments"));
        assert!(rels[1].external);
        assert_eq!(rels[1].id, "rId2");
    }
}
