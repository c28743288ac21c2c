//! Decoding of XML character data as it appears in spreadsheet parts.

/// Decodes entity references and OOXML `_xHHHH_` escapes in raw XML text.
pub fn decode(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let unescaped = if text.contains('&') {
        unescape_entities(&text)
    } else {
        text.into_owned()
    };
    if unescaped.contains("_x") {
        decode_ooxml_escapes(&unescaped)
    } else {
        unescaped
    }
}

fn unescape_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let tail = &rest[amp..];
        let Some(semi) = tail.as_bytes()[..tail.len().min(12)]
            .iter()
            .position(|&b| b == b';')
        else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Decodes `_xHHHH_` escapes (Excel writes control characters and literal `_x` this way).
fn decode_ooxml_escapes(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut last = 0;
    while i + 7 <= bytes.len() {
        if bytes[i] == b'_'
            && bytes[i + 1] == b'x'
            && bytes[i + 6] == b'_'
            && bytes[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
        {
            let hex = &text[i + 2..i + 6];
            if let Some(c) = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32) {
                out.push_str(&text[last..i]);
                out.push(c);
                i += 7;
                last = i;
                continue;
            }
        }
        i += 1;
    }
    out.push_str(&text[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn entities_and_ooxml_escapes_decode() {
        assert_eq!(
            decode(b"A &amp; B &lt;x&gt; &quot;q&quot; &apos;"),
            "A & B <x> \"q\" '"
        );
        assert_eq!(decode(b"&#26666;&#x5F0F;"), "株式");
        assert_eq!(decode(b"line_x000D_break"), "line\rbreak");
        assert_eq!(
            decode(b"keep _x005F_x0041_ literal"),
            "keep _x0041_ literal"
        );
        assert_eq!(decode(b"broken & entity"), "broken & entity");
        assert_eq!(decode("中文".as_bytes()), "中文");
        assert_eq!(decode("&quot; and “Indra”".as_bytes()), "\" and “Indra”");
        assert_eq!(decode("a &“bc”".as_bytes()), "a &“bc”");
    }
}
