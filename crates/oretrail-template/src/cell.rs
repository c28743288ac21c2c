//! A1-style cell references ("D12", "AB5") as row/column numbers.

use std::fmt;

/// A cell position: 1-based row, 1-based column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CellRef {
    /// 1-based row number.
    pub row: u32,
    /// 1-based column number (A = 1).
    pub col: u32,
}

impl CellRef {
    /// A cell at `row` in the column named by `letters` ("A", "AB").
    pub fn new(col_letters: &str, row: u32) -> Option<CellRef> {
        Some(CellRef {
            row,
            col: column_number(col_letters)?,
        })
    }

    /// Parses "D12" (also "$D$12"); `None` when it is not a cell reference.
    pub fn parse(text: &str) -> Option<CellRef> {
        let text = text.trim().replace('$', "");
        let split = text.find(|c: char| c.is_ascii_digit())?;
        let (letters, digits) = text.split_at(split);
        let row: u32 = digits.parse().ok()?;
        if row == 0 {
            return None;
        }
        Some(CellRef {
            row,
            col: column_number(letters)?,
        })
    }
}

impl fmt::Display for CellRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", column_letters(self.col), self.row)
    }
}

/// Column number of "A".."XFD" (A = 1); `None` for anything else.
pub fn column_number(letters: &str) -> Option<u32> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut n: u32 = 0;
    for b in letters.bytes() {
        if !b.is_ascii_alphabetic() {
            return None;
        }
        n = n * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    Some(n)
}

/// Column letters of a 1-based column number.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = (col - 1) % 26;
        out.push(b'A' + rem as u8);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_references_roundtrip() {
        for text in ["A1", "D12", "Z99", "AA1", "AB2504", "XFD1048576"] {
            let cell = CellRef::parse(text).expect(text);
            assert_eq!(cell.to_string(), text);
        }
        assert_eq!(CellRef::parse("$D$22"), CellRef::new("D", 22));
        assert_eq!(CellRef::parse("D0"), None);
        assert_eq!(CellRef::parse("12"), None);
        assert_eq!(CellRef::parse("ABCD1"), None);
    }
}
