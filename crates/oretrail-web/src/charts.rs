//! Charts as inline SVG, drawn on the server (no JavaScript). Every label is escaped: some
//! come from suppliers' files.

use std::fmt::Write;

/// Escapes text for SVG/HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Colours of the charts.
pub const GREEN: &str = "#2e7d4f";
/// Amber.
pub const AMBER: &str = "#d98e04";
/// Red.
pub const RED: &str = "#c0392b";
/// Blue.
pub const BLUE: &str = "#2f6db5";
/// Grey.
pub const GREY: &str = "#9aa5b1";
/// Light grey (tracks).
pub const TRACK: &str = "#e8ecf0";

/// One bar: label, value (0..=1 for shares), colour, text shown at its end.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// Label left of the bar.
    pub label: String,
    /// Value.
    pub value: f64,
    /// Fill colour.
    pub color: &'static str,
    /// Text right of the bar.
    pub note: String,
}

/// Horizontal bars of shares (0..=1) with a target line (e.g. 95 % coverage).
pub fn share_bars(title: &str, bars: &[Bar], target: Option<f64>) -> String {
    let row = 30.0;
    let left = 120.0;
    let width = 300.0;
    let height = 30.0 + row * bars.len() as f64 + 10.0;
    let mut s = svg_open(title, 520.0, height);
    for (i, b) in bars.iter().enumerate() {
        let y = 24.0 + row * i as f64;
        let w = (b.value.clamp(0.0, 1.0) * width).max(0.0);
        let _ = write!(
            s,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="lbl">{label}</text><rect x="{left}" y="{y}" width="{width}" height="18" rx="3" fill="{TRACK}"/><rect x="{left}" y="{y}" width="{w:.1}" height="18" rx="3" fill="{color}"><title>{label}: {note}</title></rect><text x="{nx}" y="{ty}" class="val">{note}</text>"#,
            lx = left - 8.0,
            ty = y + 13.5,
            label = esc(&short(&b.label, 20)),
            color = b.color,
            note = esc(&b.note),
            nx = left + width + 8.0,
        );
    }
    if let Some(t) = target {
        let x = left + t.clamp(0.0, 1.0) * width;
        let _ = write!(
            s,
            r#"<line x1="{x:.1}" y1="14" x2="{x:.1}" y2="{y2:.1}" stroke="{RED}" stroke-width="2" stroke-dasharray="4 3"/><text x="{x:.1}" y="11" text-anchor="middle" class="tgt">target {pct:.0}%</text>"#,
            y2 = height - 8.0,
            pct = t * 100.0,
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars of counts, scaled to the largest.
pub fn count_bars(title: &str, bars: &[Bar]) -> String {
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1.0);
    let scaled: Vec<Bar> = bars
        .iter()
        .map(|b| Bar {
            value: b.value / max,
            ..b.clone()
        })
        .collect();
    share_bars(title, &scaled, None)
}

/// One stacked column: label and segments (count, colour, legend name).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Label under the column.
    pub label: String,
    /// Segments, bottom first.
    pub segments: Vec<(f64, &'static str, String)>,
}

/// Stacked columns with a legend.
pub fn stacked_columns(title: &str, columns: &[Column], legend: &[(&'static str, &str)]) -> String {
    let height = 230.0;
    let base = 180.0;
    let top = 20.0;
    let col_w = 44.0;
    let gap = 26.0;
    let left = 40.0;
    let width = (left + (col_w + gap) * columns.len() as f64 + 20.0).max(360.0);
    let max = columns
        .iter()
        .map(|c| c.segments.iter().map(|s| s.0).sum::<f64>())
        .fold(0.0, f64::max)
        .max(1.0);
    let mut s = svg_open(
        title,
        width,
        height + 18.0 * legend.len().div_ceil(3) as f64,
    );
    let _ = write!(
        s,
        r#"<line x1="{left}" y1="{base}" x2="{x2}" y2="{base}" stroke="{GREY}"/><text x="{lx}" y="{ty}" text-anchor="end" class="val">{max:.0}</text>"#,
        x2 = width - 10.0,
        lx = left - 6.0,
        ty = top + 4.0,
    );
    for (i, c) in columns.iter().enumerate() {
        let x = left + gap / 2.0 + (col_w + gap) * i as f64;
        let mut y = base;
        let total: f64 = c.segments.iter().map(|s| s.0).sum();
        for (value, color, name) in &c.segments {
            if *value <= 0.0 {
                continue;
            }
            let h = value / max * (base - top);
            y -= h;
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{col_w}" height="{h:.1}" fill="{color}"><title>{label} · {name}: {value:.0}</title></rect>"#,
                label = esc(&c.label),
                name = esc(name),
            );
        }
        let _ = write!(
            s,
            r#"<text x="{cx:.1}" y="{ly}" text-anchor="middle" class="lbl">{label}</text><text x="{cx:.1}" y="{vy:.1}" text-anchor="middle" class="val">{total:.0}</text>"#,
            cx = x + col_w / 2.0,
            ly = base + 16.0,
            label = esc(&c.label),
            vy = y - 4.0,
        );
    }
    for (i, (color, name)) in legend.iter().enumerate() {
        let lx = left + (i % 3) as f64 * 120.0;
        let ly = height + 18.0 * (i / 3) as f64 - 20.0;
        let _ = write!(
            s,
            r#"<rect x="{lx}" y="{ry}" width="12" height="12" fill="{color}"/><text x="{tx}" y="{ty}" class="lbl">{name}</text>"#,
            ry = ly - 10.0,
            tx = lx + 16.0,
            ty = ly,
            name = esc(name),
        );
    }
    s.push_str("</svg>");
    s
}

/// A funnel: stages as centred bars narrowing with their counts.
pub fn funnel(title: &str, stages: &[(String, f64)]) -> String {
    let max = stages.iter().map(|s| s.1).fold(0.0, f64::max).max(1.0);
    let width = 520.0;
    let row = 34.0;
    let mut s = svg_open(title, width, row * stages.len() as f64 + 12.0);
    let colors = [BLUE, "#3f86c9", "#5aa0d8", GREEN, GREEN];
    for (i, (label, value)) in stages.iter().enumerate() {
        let w = (value / max * 300.0).max(2.0);
        let x = 140.0 + (300.0 - w) / 2.0;
        let y = 6.0 + row * i as f64;
        let pct = if i > 0 && stages[0].1 > 0.0 {
            format!(" ({:.0}%)", value / stages[0].1 * 100.0)
        } else {
            String::new()
        };
        let _ = write!(
            s,
            r#"<text x="130" y="{ty:.1}" text-anchor="end" class="lbl">{label}</text><rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="24" rx="3" fill="{color}"/><text x="450" y="{ty:.1}" class="val">{value:.0}{pct}</text>"#,
            ty = y + 16.5,
            label = esc(label),
            color = colors[i.min(colors.len() - 1)],
        );
    }
    s.push_str("</svg>");
    s
}

/// A label cut to `max` characters (with an ellipsis).
pub fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn svg_open(title: &str, width: f64, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0} {height:.0}" width="100%" role="img" aria-label="{t}"><title>{t}</title>"#,
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = share_bars(
            "Coverage",
            &[Bar {
                label: "<script>alert(1)</script>".into(),
                value: 0.5,
                color: GREEN,
                note: "50%".into(),
            }],
            Some(0.95),
        );
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("target 95%"));
    }

    #[test]
    fn columns_and_funnel_render() {
        let c = stacked_columns(
            "Facilities",
            &[Column {
                label: "Gold".into(),
                segments: vec![(3.0, GREEN, "conformant".into()), (1.0, RED, "none".into())],
            }],
            &[(GREEN, "conformant"), (RED, "none")],
        );
        assert!(c.starts_with("<svg") && c.ends_with("</svg>"));
        let f = funnel(
            "Funnel",
            &[("In scope".into(), 10.0), ("Accepted".into(), 5.0)],
        );
        assert!(f.contains("5 (50%)"));
    }
}
