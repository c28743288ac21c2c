//! Effective dates: Excel serial numbers and the text forms suppliers type.

use chrono::{Datelike, NaiveDate};

/// What a text or serial says as a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateReading {
    /// A single calendar date.
    Date(NaiveDate),
    /// A date, but day and month could be swapped (e.g. `03/04/2024`).
    Ambiguous,
    /// Not a date.
    Invalid,
}

/// The date of an Excel serial number (1900 or 1904 date system).
pub fn from_serial(serial: f64, date1904: bool) -> Option<NaiveDate> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let (base, days) = if date1904 {
        (NaiveDate::from_ymd_opt(1904, 1, 1)?, days)
    } else if days < 60 {
        // Excel counts 1900-02-29, which did not exist; serials before it are one day off.
        (NaiveDate::from_ymd_opt(1899, 12, 31)?, days)
    } else {
        (NaiveDate::from_ymd_opt(1899, 12, 30)?, days)
    };
    if days == 0 && !date1904 {
        return None;
    }
    base.checked_add_signed(chrono::Duration::days(days))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn month_of(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    if w == "sept" {
        return Some(9);
    }
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| w == *m)
        .or_else(|| full.iter().position(|m| w == *m))
        .map(|i| i as u32 + 1)
}

/// Reads a typed date: ISO, year-first with `/` or `.`, CJK `年月日`, `D-MMM-YYYY`, `MMM D, YYYY`,
/// day-first dotted dates, and slashed dates when day and month cannot be confused.
pub fn parse_text(text: &str) -> DateReading {
    let t: String = text
        .trim()
        .chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '／' => '/',
            '－' => '-',
            '．' => '.',
            _ => c,
        })
        .collect();
    if t.is_empty() {
        return DateReading::Invalid;
    }
    // Strip a time part: "2025-06-30T00:00:00", "2025-06-30 00:00:00".
    let t = match t.find(['T', ' ']) {
        Some(i) if t[..i].len() >= 8 && t[i + 1..].contains(':') => t[..i].to_string(),
        _ => t,
    };
    // CJK: 2025年6月30日, Korean 2025년 6월 30일.
    let cjk: String = t
        .replace(['年', '월', '月', '년'], "-")
        .replace(['日', '일'], "")
        .split_whitespace()
        .collect();
    if cjk != t.split_whitespace().collect::<String>() {
        return numeric_ymd(cjk.trim_end_matches('-'), '-');
    }
    // Words: 31-Aug-2012, 31 Aug 2012, 31/Aug/2012, Aug 31, 2012, August 31 2012.
    let tokens: Vec<&str> = t
        .split(['-', '/', ' ', ',', '.'])
        .filter(|s| !s.is_empty())
        .collect();
    if tokens.len() == 3 && tokens.iter().any(|s| s.chars().any(|c| c.is_alphabetic())) {
        let (d, m, y) = if let Some(m) = month_of(tokens[1]) {
            (tokens[0], m, tokens[2])
        } else if let Some(m) = month_of(tokens[0]) {
            (tokens[1], m, tokens[2])
        } else {
            return DateReading::Invalid;
        };
        return match (d.parse::<u32>(), y.parse::<i32>()) {
            (Ok(d), Ok(y)) => ymd(full_year(y), m, d),
            _ => DateReading::Invalid,
        };
    }
    for sep in ['-', '/', '.'] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() != 3
            || !parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        {
            continue;
        }
        if parts[0].len() == 4 {
            return numeric_ymd(&t, sep);
        }
        if parts[2].len() == 4 || parts[2].len() == 2 {
            let (a, b, y) = match (
                parts[0].parse::<u32>(),
                parts[1].parse::<u32>(),
                parts[2].parse::<i32>(),
            ) {
                (Ok(a), Ok(b), Ok(y)) => (a, b, full_year(y)),
                _ => return DateReading::Invalid,
            };
            if sep == '.' {
                return ymd(y, b, a);
            }
            return match (a > 12, b > 12) {
                (true, true) => DateReading::Invalid,
                (true, false) => ymd(y, b, a),
                (false, true) => ymd(y, a, b),
                (false, false) if a == b => ymd(y, a, b),
                (false, false) => DateReading::Ambiguous,
            };
        }
    }
    DateReading::Invalid
}

fn full_year(y: i32) -> i32 {
    if (0..100).contains(&y) { 2000 + y } else { y }
}

fn numeric_ymd(t: &str, sep: char) -> DateReading {
    let parts: Vec<&str> = t.split(sep).collect();
    if parts.len() != 3 {
        return DateReading::Invalid;
    }
    match (
        parts[0].parse::<i32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) {
        (Ok(y), Ok(m), Ok(d)) => ymd(y, m, d),
        _ => DateReading::Invalid,
    }
}

fn ymd(y: i32, m: u32, d: u32) -> DateReading {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) if (1900..=9999).contains(&date.year()) => DateReading::Date(date),
        _ => DateReading::Invalid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> DateReading {
        DateReading::Date(NaiveDate::from_ymd_opt(y, m, d).expect("valid"))
    }

    #[test]
    fn serials_in_both_date_systems() {
        assert_eq!(
            from_serial(45838.0, false),
            NaiveDate::from_ymd_opt(2025, 6, 30)
        );
        assert_eq!(
            from_serial(39082.0, false),
            NaiveDate::from_ymd_opt(2006, 12, 31)
        );
        assert_eq!(
            from_serial(46112.0, false),
            NaiveDate::from_ymd_opt(2026, 3, 31)
        );
        assert_eq!(from_serial(1.0, false), NaiveDate::from_ymd_opt(1900, 1, 1));
        assert_eq!(from_serial(0.0, true), NaiveDate::from_ymd_opt(1904, 1, 1));
        assert_eq!(from_serial(-3.0, false), None);
    }

    #[test]
    fn text_dates_suppliers_type() {
        assert_eq!(parse_text("2025年6月30日"), date(2025, 6, 30));
        assert_eq!(parse_text("2025년 6월 30일"), date(2025, 6, 30));
        assert_eq!(parse_text("2023/07/31"), date(2023, 7, 31));
        assert_eq!(parse_text("2023.11.30"), date(2023, 11, 30));
        assert_eq!(parse_text("2024-01-19"), date(2024, 1, 19));
        assert_eq!(parse_text("2024-01-19T00:00:00"), date(2024, 1, 19));
        assert_eq!(parse_text("31-Aug-2012"), date(2012, 8, 31));
        assert_eq!(parse_text("31/Aug/2012"), date(2012, 8, 31));
        assert_eq!(parse_text("Aug 31, 2012"), date(2012, 8, 31));
        assert_eq!(parse_text("30.06.2025"), date(2025, 6, 30));
        assert_eq!(parse_text("31/12/2024"), date(2024, 12, 31));
        assert_eq!(parse_text("12/31/2024"), date(2024, 12, 31));
        assert_eq!(parse_text("０３／０４／２０２４"), DateReading::Ambiguous);
        assert_eq!(parse_text("03/04/2024"), DateReading::Ambiguous);
        assert_eq!(parse_text("sometime in June"), DateReading::Invalid);
        assert_eq!(parse_text("2024-02-30"), DateReading::Invalid);
        assert_eq!(parse_text("TBD"), DateReading::Invalid);
    }
}
