//! SVG charts drawn by hand: horizontal bars and stacked bars with a legend. Deterministic
//! markup (so a regenerated report is byte-identical), labels escaped, fonts that the HTML
//! page and Typst both have.

use crate::doc::esc;

const FONT: &str = "Libertinus Serif, Noto Sans CJK SC, DejaVu Sans, sans-serif";
const WIDTH: f64 = 640.0;
const LABEL: f64 = 190.0;
const BAR: f64 = 18.0;
const GAP: f64 = 8.0;

/// Colours of RMAP status buckets and other series.
pub const PALETTE: [&str; 7] = [
    "#2f855a", "#d69e2e", "#c53030", "#718096", "#a0aec0", "#805ad5", "#2b6cb0",
];

fn label(text: &str) -> String {
    let t: String = text.chars().take(30).collect();
    if text.chars().count() > 30 {
        format!("{}…", esc(&t))
    } else {
        esc(&t)
    }
}

/// Horizontal bars of values (each with its printed value), scaled to `max`.
pub fn bars(items: &[(String, f64, String)], max: f64, colour: &str) -> String {
    let height = items.len() as f64 * (BAR + GAP) + GAP;
    let span = WIDTH - LABEL - 70.0;
    let max = if max > 0.0 { max } else { 1.0 };
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"{FONT}\" font-size=\"12\">"
    );
    for (i, (name, value, printed)) in items.iter().enumerate() {
        let y = GAP + i as f64 * (BAR + GAP);
        let w = (value / max).clamp(0.0, 1.0) * span;
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LABEL - 6.0,
            y + 13.0,
            label(name),
            LABEL + w + 5.0,
            y + 13.0,
            esc(printed)
        ));
    }
    s.push_str("</svg>");
    s
}

/// Horizontal stacked bars (one per row) with a legend of the series.
pub fn stacked(rows: &[(String, Vec<f64>)], series: &[&str]) -> String {
    let legend = 24.0;
    let height = legend + rows.len() as f64 * (BAR + GAP) + GAP;
    let span = WIDTH - LABEL - 50.0;
    let max = rows
        .iter()
        .map(|(_, v)| v.iter().sum::<f64>())
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"{FONT}\" font-size=\"12\">"
    );
    let mut x = 0.0;
    for (i, name) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        s.push_str(&format!(
            "<rect x=\"{x:.1}\" y=\"4\" width=\"12\" height=\"12\" fill=\"{colour}\"/><text x=\"{:.1}\" y=\"14\">{}</text>",
            x + 16.0,
            esc(name)
        ));
        x += 16.0 + 7.0 * name.chars().count() as f64 + 14.0;
    }
    for (r, (name, values)) in rows.iter().enumerate() {
        let y = legend + GAP + r as f64 * (BAR + GAP);
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 6.0,
            y + 13.0,
            label(name)
        ));
        let mut x = LABEL;
        for (i, v) in values.iter().enumerate() {
            let w = v / max * span;
            if w > 0.0 {
                s.push_str(&format!(
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR}\" fill=\"{}\"/>",
                    PALETTE[i % PALETTE.len()]
                ));
            }
            x += w;
        }
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            x + 5.0,
            y + 13.0,
            values.iter().sum::<f64>()
        ));
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_output_is_stable() {
        let items = vec![("<Gold & Co>".to_string(), 3.0, "3".to_string())];
        let a = bars(&items, 4.0, "#000");
        assert!(a.contains("&lt;Gold &amp; Co&gt;"));
        assert_eq!(a, bars(&items, 4.0, "#000"));
        let s = stacked(&[("Tin".into(), vec![1.0, 2.0])], &["conformant", "active"]);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
    }
}
