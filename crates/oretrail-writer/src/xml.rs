//! Small helpers for writing XML text and editing start tags without re-serialising them.

/// Escapes text for element content or a double-quoted attribute, the way Excel reads it back:
/// markup characters as entities, characters XML 1.0 forbids dropped, carriage returns as a
/// character reference, and a literal `_xHHHH_` protected from OOXML unescaping.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let bytes = text.as_bytes();
    for (i, ch) in text.char_indices() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            '_' if is_ooxml_escape(&bytes[i..]) => out.push_str("_x005F_"),
            c => out.push(c),
        }
    }
    out
}

/// Whether bytes start with an OOXML character escape `_xHHHH_`.
fn is_ooxml_escape(b: &[u8]) -> bool {
    b.len() >= 7 && b[1] == b'x' && b[2..6].iter().all(u8::is_ascii_hexdigit) && b[6] == b'_'
}

/// Whether a text needs `xml:space="preserve"` to keep its whitespace.
pub fn needs_preserve(text: &str) -> bool {
    text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace)
        || text.contains(['\n', '\t'])
}

/// A number as a worksheet stores it in `<v>`: shortest form that reads back to the same value.
pub fn number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

/// One attribute of a start tag, with its raw (still escaped) value.
#[derive(Debug, Clone)]
pub struct RawAttr {
    /// Qualified name as written.
    pub name: String,
    /// Value as written, entities not decoded.
    pub value: String,
}

/// Splits the attributes of a start tag's inner text (`c r="A1" s="3"`).
pub fn attributes(tag_inner: &str) -> Vec<RawAttr> {
    let mut out = Vec::new();
    let name_end = tag_inner
        .find(|c: char| c.is_ascii_whitespace() || c == '/')
        .unwrap_or(tag_inner.len());
    let mut rest = &tag_inner[name_end..];
    loop {
        rest = rest.trim_start();
        let Some(eq) = rest.find('=') else { break };
        let name = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|q| *q == '"' || *q == '\'') else {
            break;
        };
        let Some(close) = after[1..].find(quote) else {
            break;
        };
        out.push(RawAttr {
            name,
            value: after[1..1 + close].to_string(),
        });
        rest = &after[close + 2..];
    }
    out
}

/// The value of an attribute (raw) by local or qualified name.
pub fn attr<'a>(attrs: &'a [RawAttr], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.value.as_str())
}

/// Writes a start tag from a name and attributes; `empty` closes it (`/>`).
pub fn start_tag(out: &mut Vec<u8>, name: &str, attrs: &[RawAttr], empty: bool) {
    out.push(b'<');
    out.extend_from_slice(name.as_bytes());
    for a in attrs {
        out.push(b' ');
        out.extend_from_slice(a.name.as_bytes());
        out.extend_from_slice(b"=\"");
        out.extend_from_slice(a.value.replace('"', "&quot;").as_bytes());
        out.push(b'"');
    }
    if empty {
        out.extend_from_slice(b"/>");
    } else {
        out.push(b'>');
    }
}

/// Sets (or adds) an attribute in a list, keeping the original order.
pub fn set_attr(attrs: &mut Vec<RawAttr>, name: &str, value: impl Into<String>) {
    let value = value.into();
    match attrs.iter_mut().find(|a| a.name == name) {
        Some(a) => a.value = value,
        None => attrs.push(RawAttr {
            name: name.to_string(),
            value,
        }),
    }
}

/// Removes an attribute from a list.
pub fn remove_attr(attrs: &mut Vec<RawAttr>, name: &str) {
    attrs.retain(|a| a.name != name);
}

/// The prefix (with colon) of a qualified element name: `x:row` → `x:`, `row` → ``.
pub fn prefix_of(qname: &str) -> &str {
    match qname.find(':') {
        Some(i) => &qname[..=i],
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_protects_markup_and_ooxml_escapes() {
        assert_eq!(escape("A & B <c>"), "A &amp; B &lt;c&gt;");
        assert_eq!(escape("x\u{1}y"), "xy");
        assert_eq!(escape("a_x0041_b"), "a_x005F_x0041_b");
        assert_eq!(escape("snake_case"), "snake_case");
        assert!(needs_preserve(" padded"));
        assert!(!needs_preserve("plain"));
    }

    #[test]
    fn numbers_are_written_shortest() {
        assert_eq!(number(45678.0), "45678");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(-3.0), "-3");
    }

    #[test]
    fn attributes_keep_raw_values_and_order() {
        let attrs = attributes(r#"c r="B5" s="209" t='s'"#);
        let names: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names, ["r", "s", "t"]);
        assert_eq!(attr(&attrs, "t"), Some("s"));
        let mut out = Vec::new();
        start_tag(&mut out, "c", &attrs, true);
        assert_eq!(out, br#"<c r="B5" s="209" t="s"/>"#);
    }
}
