//! A small document model every report is built in — sections of paragraphs, tables, lists,
//! charts and marked places for the company's own words — rendered to self-contained HTML, to
//! Markdown, and (feature `pdf`) through Typst to PDF. Rendering is deterministic.

use serde::Serialize;

/// A document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    /// Title.
    pub title: String,
    /// Line under the title.
    pub subtitle: String,
    /// Small print on every page (snapshot ID, generator).
    pub footer: String,
    /// Sections in order.
    pub sections: Vec<Section>,
}

/// A numbered section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Content.
    pub blocks: Vec<Block>,
}

/// A piece of content.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Block {
    /// A paragraph.
    Para {
        /// Text.
        text: String,
    },
    /// A sub-heading.
    Heading {
        /// Text.
        text: String,
    },
    /// Where the company writes its own words (drafts), with guidance.
    Placeholder {
        /// What to write.
        text: String,
    },
    /// Label–value pairs.
    Facts {
        /// Pairs.
        items: Vec<(String, String)>,
    },
    /// A bulleted list.
    List {
        /// Items.
        items: Vec<String>,
    },
    /// A table.
    Table {
        /// Column heads.
        head: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// An SVG chart.
    Chart {
        /// Caption.
        title: String,
        /// The SVG markup.
        svg: String,
    },
}

/// Text with `&`, `<`, `>`, `"` and `'` escaped for HTML.
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

const CSS: &str = "body{font-family:'Noto Sans','Noto Sans CJK SC','DejaVu Sans',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1.5rem;color:#1d2433;line-height:1.45}\
h1{font-size:1.7rem;margin-bottom:.2rem}h2{font-size:1.25rem;border-bottom:2px solid #2b6cb0;padding-bottom:.2rem;margin-top:2.2rem}\
h3{font-size:1.05rem;margin-top:1.4rem}.sub{color:#556}.foot{color:#778;font-size:.8rem;margin-top:3rem;border-top:1px solid #ccd;padding-top:.5rem}\
table{border-collapse:collapse;width:100%;font-size:.85rem;margin:.6rem 0}th,td{border:1px solid #d5dae3;padding:.25rem .45rem;text-align:left;vertical-align:top}\
th{background:#eef2f8}.ph{background:#fff7d6;border:1px dashed #c9a200;padding:.6rem .8rem;margin:.6rem 0}\
.ph:before{content:'To be written by the company: ';font-weight:600}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}\
dt{font-weight:600}dd{margin:0}figure{margin:1rem 0}figcaption{font-size:.85rem;color:#556}\
@media print{body{max-width:none}h2{break-after:avoid}table{break-inside:auto}}";

impl Doc {
    /// A self-contained HTML page (inline CSS and SVG, no scripts, nothing fetched).
    pub fn to_html(&self) -> String {
        let mut h = String::new();
        h.push_str("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        h.push_str(&format!(
            "<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
            esc(&self.title)
        ));
        h.push_str(&format!(
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
            esc(&self.title),
            esc(&self.subtitle)
        ));
        for (i, s) in self.sections.iter().enumerate() {
            h.push_str(&format!("<h2>{}. {}</h2>\n", i + 1, esc(&s.title)));
            for b in &s.blocks {
                match b {
                    Block::Para { text } => h.push_str(&format!("<p>{}</p>\n", esc(text))),
                    Block::Heading { text } => h.push_str(&format!("<h3>{}</h3>\n", esc(text))),
                    Block::Placeholder { text } => {
                        h.push_str(&format!("<div class=\"ph\">{}</div>\n", esc(text)))
                    }
                    Block::Facts { items } => {
                        h.push_str("<dl>\n");
                        for (k, v) in items {
                            h.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(v)));
                        }
                        h.push_str("</dl>\n");
                    }
                    Block::List { items } => {
                        h.push_str("<ul>\n");
                        for i in items {
                            h.push_str(&format!("<li>{}</li>\n", esc(i)));
                        }
                        h.push_str("</ul>\n");
                    }
                    Block::Table { head, rows } => {
                        h.push_str("<table>\n<thead><tr>");
                        for c in head {
                            h.push_str(&format!("<th>{}</th>", esc(c)));
                        }
                        h.push_str("</tr></thead>\n<tbody>\n");
                        for r in rows {
                            h.push_str("<tr>");
                            for c in r {
                                h.push_str(&format!("<td>{}</td>", esc(c)));
                            }
                            h.push_str("</tr>\n");
                        }
                        h.push_str("</tbody>\n</table>\n");
                    }
                    Block::Chart { title, svg } => h.push_str(&format!(
                        "<figure>{svg}<figcaption>{}</figcaption></figure>\n",
                        esc(title)
                    )),
                }
            }
        }
        h.push_str(&format!(
            "<p class=\"foot\">{}</p>\n</body>\n</html>\n",
            esc(&self.footer)
        ));
        h
    }

    /// Markdown (charts are left out; tables as pipe tables).
    pub fn to_markdown(&self) -> String {
        let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
        let mut m = format!("# {}\n\n_{}_\n\n", self.title, self.subtitle);
        for (i, s) in self.sections.iter().enumerate() {
            m.push_str(&format!("## {}. {}\n\n", i + 1, s.title));
            for b in &s.blocks {
                match b {
                    Block::Para { text } => m.push_str(&format!("{text}\n\n")),
                    Block::Heading { text } => m.push_str(&format!("### {text}\n\n")),
                    Block::Placeholder { text } => {
                        m.push_str(&format!("> **[To be written by the company]** {text}\n\n"))
                    }
                    Block::Facts { items } => {
                        for (k, v) in items {
                            m.push_str(&format!("- **{k}:** {v}\n"));
                        }
                        m.push('\n');
                    }
                    Block::List { items } => {
                        for i in items {
                            m.push_str(&format!("- {i}\n"));
                        }
                        m.push('\n');
                    }
                    Block::Table { head, rows } => {
                        m.push_str(&format!(
                            "| {} |\n|{}|\n",
                            head.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | "),
                            head.iter().map(|_| "---").collect::<Vec<_>>().join("|")
                        ));
                        for r in rows {
                            m.push_str(&format!(
                                "| {} |\n",
                                r.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
                            ));
                        }
                        m.push('\n');
                    }
                    Block::Chart { title, .. } => m.push_str(&format!("_(Chart: {title})_\n\n")),
                }
            }
        }
        m.push_str(&format!("---\n{}\n", self.footer));
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supplier_text_is_escaped_in_html() {
        let doc = Doc {
            title: "R&D <report>".into(),
            subtitle: String::new(),
            footer: String::new(),
            sections: vec![Section {
                title: "S".into(),
                blocks: vec![Block::Table {
                    head: vec!["name".into()],
                    rows: vec![vec!["<script>alert(1)</script>".into()]],
                }],
            }],
        };
        let html = doc.to_html();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("R&amp;D &lt;report&gt;"));
    }
}
