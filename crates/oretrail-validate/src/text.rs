//! Small text helpers: Excel-like comparisons and cell addresses.

use oretrail_template::CellRef;

/// The trimmed text, `None` when absent or blank.
pub(crate) fn clean(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// Whether a value is absent or blank.
pub(crate) fn blank(value: Option<&str>) -> bool {
    clean(value).is_none()
}

/// Excel-style equality: trimmed and case-insensitive.
pub(crate) fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

/// Whether an answer equals one of the listed values (Excel-style).
pub(crate) fn in_list(answer: Option<&str>, list: &[String]) -> bool {
    clean(answer).is_some_and(|a| list.iter().any(|v| same(a, v)))
}

/// Whether an answer is "Yes".
pub(crate) fn is_yes(answer: Option<&str>) -> bool {
    clean(answer).is_some_and(|a| same(a, "Yes"))
}

/// The cell part of "Sheet!D12" (or the text itself when it has no sheet).
pub(crate) fn cell_part(address: &str) -> &str {
    address.rsplit_once('!').map_or(address, |(_, c)| c).trim()
}

/// Row number of a cell address ("Declaration!D27" → 27).
pub(crate) fn row_of(address: &str) -> Option<u32> {
    CellRef::parse(cell_part(address)).map(|c| c.row)
}

/// Number of characters, as Excel's LEN counts them.
pub(crate) fn len_chars(value: Option<&str>) -> usize {
    value.map_or(0, |v| v.chars().count())
}

/// A CID normalised for comparison (trimmed, upper case).
pub(crate) fn norm_cid(cid: &str) -> String {
    cid.trim().to_ascii_uppercase()
}

/// Whether a text is an RMI facility ID: `CID` followed by six digits.
pub(crate) fn is_cid(text: &str) -> bool {
    let t = text.trim();
    t.len() == 9
        && t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("CID"))
        && t.get(3..)
            .is_some_and(|d| d.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_like_comparisons() {
        assert!(same(" yes ", "Yes"));
        assert!(in_list(Some("not declaring"), &["Not declaring".into()]));
        assert!(!in_list(Some("  "), &["".into()]));
        assert_eq!(cell_part("Declaration!D27"), "D27");
        assert_eq!(row_of("Declaration!D27"), Some(27));
        assert!(is_cid("CID002763"));
        assert!(is_cid("cid002763"));
        assert!(!is_cid("CID02763"));
        assert!(!is_cid("002763"));
    }
}
