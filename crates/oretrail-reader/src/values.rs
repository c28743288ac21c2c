//! Turning stored cell values into the text a report holds.

use crate::sheet::{Sheet, Value};

/// A cell's value as trimmed text; `None` when empty, an error value, or absent.
pub fn text(value: Option<&Value>) -> Option<String> {
    let t = match value? {
        Value::Text(t) | Value::IsoDate(t) => t.trim().to_string(),
        Value::Number(n) => format_number(*n),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Value::Error(_) => return None,
    };
    (!t.is_empty()).then_some(t)
}

/// Whether a text is the template's own copyright footer (e.g. "© 2025 Responsible Minerals
/// Initiative. All rights reserved."), printed below every list in the blank templates.
pub fn is_template_footer(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with('©') || t.starts_with("(c) ") && t.contains("Responsible Minerals Initiative")
}

/// The trimmed text of a cell of a sheet.
pub fn cell_text(sheet: &Sheet, row: u32, col: u32) -> Option<String> {
    text(sheet.get(row, col))
}

/// A number as a person would write it: no trailing `.0` on whole numbers.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        let s = format!("{n}");
        if s.contains('e') { format!("{n:.}") } else { s }
    }
}

/// A percentage answer: the number 1 formatted `0%` reads "100%"; text stays as entered.
pub fn percentage_text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::Number(n) => {
            let pct = n * 100.0;
            Some(format!("{}%", format_number((pct * 1e6).round() / 1e6)))
        }
        other => text(Some(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_percentages_read_as_people_write_them() {
        assert_eq!(format_number(4930123.0), "4930123");
        assert_eq!(format_number(-8322.5), "-8322.5");
        assert_eq!(
            percentage_text(Some(&Value::Number(1.0))).as_deref(),
            Some("100%")
        );
        assert_eq!(
            percentage_text(Some(&Value::Number(0.9))).as_deref(),
            Some("90%")
        );
        assert_eq!(
            percentage_text(Some(&Value::Text(" Greater than 90% ".into()))).as_deref(),
            Some("Greater than 90%")
        );
        assert_eq!(text(Some(&Value::Text("   ".into()))), None);
        assert_eq!(text(Some(&Value::Error("#N/A".into()))), None);
    }
}
