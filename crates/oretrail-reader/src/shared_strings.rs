//! The workbook's shared-string table, indexed lazily.
//!
//! RMI templates carry every label in every language in `sharedStrings.xml` (~2 MB); a reader
//! needs a few dozen of them. The table is indexed once by `<si>` boundaries and each string is
//! decoded only when a cell asks for it.

use crate::xml_text;
use memchr::memmem;

/// Shared strings with lazily decoded entries.
pub struct SharedStrings {
    xml: Vec<u8>,
    items: Vec<(usize, usize)>,
}

impl SharedStrings {
    /// Indexes a `sharedStrings.xml` part (an empty part gives an empty table).
    pub fn parse(xml: Vec<u8>) -> SharedStrings {
        let mut items = Vec::new();
        let prefixed = memmem::find(&xml, b"<si").is_none() && memmem::find(&xml, b":si").is_some();
        if prefixed {
            return SharedStrings::parse_general(xml);
        }
        let open = memmem::Finder::new(b"<si");
        let close = memmem::Finder::new(b"</si>");
        let mut pos = 0;
        while let Some(off) = open.find(&xml[pos..]) {
            let lt = pos + off;
            let after = xml.get(lt + 3).copied();
            if !matches!(
                after,
                Some(b'>') | Some(b'/') | Some(b' ') | Some(b'\t') | Some(b'\n') | Some(b'\r')
            ) {
                pos = lt + 3;
                continue;
            }
            let Some(gt) = memchr::memchr(b'>', &xml[lt..]).map(|o| lt + o) else {
                break;
            };
            if xml[gt - 1] == b'/' {
                items.push((gt + 1, gt + 1));
                pos = gt + 1;
                continue;
            }
            let end = close.find(&xml[gt + 1..]).map_or(xml.len(), |o| gt + 1 + o);
            items.push((gt + 1, end));
            pos = end;
        }
        SharedStrings { xml, items }
    }

    /// Indexes a part written with namespace prefixes (`<x:si>`), tag by tag.
    fn parse_general(xml: Vec<u8>) -> SharedStrings {
        let mut items = Vec::new();
        let mut pos = 0;
        while let Some(off) = memchr::memchr(b'<', &xml[pos..]) {
            let lt = pos + off;
            let (is_si, _) = si_tag(&xml[lt + 1..]);
            if !is_si {
                pos = lt + 1;
                continue;
            }
            let Some(gt) = memchr::memchr(b'>', &xml[lt..]).map(|o| lt + o) else {
                break;
            };
            if xml[gt - 1] == b'/' {
                items.push((gt + 1, gt + 1));
                pos = gt + 1;
                continue;
            }
            let end = find_close_si(&xml[gt + 1..]).map_or(xml.len(), |o| gt + 1 + o);
            items.push((gt + 1, end));
            pos = end;
        }
        SharedStrings { xml, items }
    }

    /// Number of strings.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The text of string `index`: its `<t>` runs, without phonetic (`<rPh>`) runs.
    pub fn get(&self, index: usize) -> Option<String> {
        let &(start, end) = self.items.get(index)?;
        Some(text_runs(&self.xml[start..end]))
    }
}

/// Whether bytes after '<' open an `si` element (optionally prefixed); returns the prefix+name length.
fn si_tag(rest: &[u8]) -> (bool, usize) {
    let name_end = rest
        .iter()
        .position(|&b| b == b'>' || b == b'/' || b.is_ascii_whitespace())
        .unwrap_or(rest.len());
    let name = &rest[..name_end];
    let local = match memchr::memchr(b':', name) {
        Some(i) => &name[i + 1..],
        None => name,
    };
    (local == b"si", name_end)
}

fn find_close_si(hay: &[u8]) -> Option<usize> {
    let mut pos = 0;
    while let Some(off) = memmem::find(&hay[pos..], b"</") {
        let at = pos + off;
        let (is_si, _) = si_tag(&hay[at + 2..]);
        if is_si {
            return Some(at);
        }
        pos = at + 2;
    }
    None
}

/// Concatenates the character data of `<t>` elements outside `<rPh>` in an `<si>` body.
fn text_runs(body: &[u8]) -> String {
    let mut out = String::new();
    let mut pos = 0;
    let mut in_phonetic = false;
    while let Some(off) = memchr::memchr(b'<', &body[pos..]) {
        let lt = pos + off;
        let Some(gt) = memchr::memchr(b'>', &body[lt..]).map(|o| lt + o) else {
            break;
        };
        let tag = &body[lt + 1..gt];
        pos = gt + 1;
        let closing = tag.first() == Some(&b'/');
        let name_src = if closing { &tag[1..] } else { tag };
        let name_end = name_src
            .iter()
            .position(|&b| b == b'/' || b.is_ascii_whitespace())
            .unwrap_or(name_src.len());
        let name = &name_src[..name_end];
        let local = match memchr::memchr(b':', name) {
            Some(i) => &name[i + 1..],
            None => name,
        };
        match (closing, local) {
            (false, b"rPh") if tag.last() != Some(&b'/') => in_phonetic = true,
            (true, b"rPh") => in_phonetic = false,
            (false, b"t") if !in_phonetic && tag.last() != Some(&b'/') => {
                let end = memchr::memchr(b'<', &body[pos..]).map_or(body.len(), |o| pos + o);
                out.push_str(&xml_text::decode(&body[pos..end]));
                pos = end;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_rich_phonetic_and_empty_strings() {
        let sst = SharedStrings::parse(
            br#"<?xml version="1.0"?><sst count="4"><si><t>Gold</t></si><si><r><rPr><b/></rPr><t>Smelter </t></r><r><t>List</t></r></si><si><t>&#26666;&#24335;</t><rPh sb="0" eb="2"><t>kabu</t></rPh></si><si/><si><t/></si></sst>"#
                .to_vec(),
        );
        assert_eq!(sst.len(), 5);
        assert_eq!(sst.get(0).as_deref(), Some("Gold"));
        assert_eq!(sst.get(1).as_deref(), Some("Smelter List"));
        assert_eq!(sst.get(2).as_deref(), Some("株式"));
        assert_eq!(sst.get(3).as_deref(), Some(""));
        assert_eq!(sst.get(4).as_deref(), Some(""));
        assert_eq!(sst.get(5), None);
    }

    #[test]
    fn prefixed_tables_index_the_same() {
        let sst = SharedStrings::parse(
            br#"<x:sst><x:si><x:t>Tin</x:t></x:si><x:si><x:r><x:t>A</x:t></x:r></x:si></x:sst>"#
                .to_vec(),
        );
        assert_eq!(sst.len(), 2);
        assert_eq!(sst.get(1).as_deref(), Some("A"));
    }
}
