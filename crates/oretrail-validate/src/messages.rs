//! Supplier-facing messages, one per code (and variant), as data files per language.

use crate::error::ValidateError;
use crate::problem::{Code, Problem};
use indexmap::IndexMap;
use serde::Deserialize;
use std::sync::OnceLock;

/// Languages with a message catalogue, as (code, file contents).
const CATALOGUES: &[(&str, &str)] = &[
    ("en", include_str!("../messages/en.json")),
    ("zh", include_str!("../messages/zh.json")),
];

/// One language's messages.
#[derive(Debug, Deserialize)]
pub struct Catalogue {
    /// Message templates by `code` or `code.variant`.
    pub messages: IndexMap<String, String>,
    /// Labels of declaration fields, for `{field_label}`.
    #[serde(default)]
    pub fields: IndexMap<String, String>,
}

/// Languages that have messages ("en", "zh").
pub fn languages() -> impl Iterator<Item = &'static str> {
    CATALOGUES.iter().map(|(lang, _)| *lang)
}

/// Parses a catalogue file.
pub fn parse_catalogue(lang: &str, json: &str) -> Result<Catalogue, ValidateError> {
    serde_json::from_str(json).map_err(|source| ValidateError::Messages {
        lang: lang.to_string(),
        source,
    })
}

/// The built-in catalogue of a language (`None` if unknown or invalid).
pub fn catalogue(lang: &str) -> Option<&'static Catalogue> {
    static LOADED: OnceLock<Vec<(&'static str, Option<Catalogue>)>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        CATALOGUES
            .iter()
            .map(|(lang, json)| (*lang, parse_catalogue(lang, json).ok()))
            .collect()
    });
    let lang = normalise_lang(lang);
    loaded
        .iter()
        .find(|(l, _)| *l == lang)
        .and_then(|(_, c)| c.as_ref())
}

/// Maps language tags and names to a catalogue code ("zh-CN", "中文 Chinese" → "zh").
pub fn normalise_lang(lang: &str) -> &'static str {
    let l = lang.trim().to_lowercase();
    if l.starts_with("zh") || l.contains("chinese") || l.contains("中文") {
        "zh"
    } else {
        "en"
    }
}

/// Which message variant a problem needs, besides its code.
fn variant(p: &Problem) -> Option<String> {
    match p.code {
        Code::EffectiveDateOutOfRange => Some(if p.context.contains_key("min") {
            "min".into()
        } else {
            "max".into()
        }),
        Code::EffectiveDateStale => ["period_start", "oldest_accepted"]
            .into_iter()
            .find(|k| p.context.contains_key(*k))
            .map(str::to_string),
        Code::OutdatedTemplate => p.context_str("reason").map(str::to_string),
        _ => {
            let field = p.context_str("field")?;
            if field == "company_question" && p.context.contains_key("mineral") {
                Some("company_question_mineral".into())
            } else {
                Some(field.to_string())
            }
        }
    }
}

/// The message template for a problem in a catalogue.
fn template<'c>(cat: &'c Catalogue, p: &Problem) -> Option<&'c str> {
    let code = p.code.as_str();
    variant(p)
        .and_then(|v| cat.messages.get(&format!("{code}.{v}")))
        .or_else(|| cat.messages.get(code))
        .map(String::as_str)
}

/// Text of a context value for a placeholder.
fn show(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => items.iter().map(show).collect::<Vec<_>>().join(", "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Value of one placeholder.
fn placeholder(cat: &Catalogue, p: &Problem, name: &str) -> Option<String> {
    match name {
        "sheet" => p.sheet.clone(),
        "cell" => p.cell.clone(),
        "row" => p.row.map(|r| r.to_string()),
        "value" => p.value.clone(),
        "field_label" => {
            let field = p.context_str("field")?;
            Some(
                cat.fields
                    .get(field)
                    .cloned()
                    .unwrap_or_else(|| field.to_string()),
            )
        }
        _ => p.context.get(name).map(show),
    }
}

/// Fills `{placeholders}`; unknown ones stay as they are.
fn fill(cat: &Catalogue, p: &Problem, template: &str) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match placeholder(cat, p, name) {
                    Some(v) => out.push_str(&v),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The message of a problem in a language (English when the language has no catalogue).
pub fn render(p: &Problem, lang: &str) -> String {
    let found = catalogue(lang)
        .and_then(|c| template(c, p).map(|t| (c, t)))
        .or_else(|| catalogue("en").and_then(|c| template(c, p).map(|t| (c, t))));
    match found {
        Some((cat, t)) => fill(cat, p, t),
        None => p.code.as_str().replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::problem::Severity;

    #[test]
    fn catalogues_parse_and_cover_every_code() {
        for (lang, json) in CATALOGUES {
            let cat = parse_catalogue(lang, json).expect("catalogue parses");
            for code in Code::ALL {
                assert!(
                    cat.messages.contains_key(code.as_str()),
                    "{lang}: no message for {code}"
                );
            }
        }
        let en = catalogue("en").expect("en");
        let zh = catalogue("zh").expect("zh");
        for key in en.messages.keys() {
            assert!(zh.messages.contains_key(key), "zh lacks {key}");
        }
        for key in en.fields.keys() {
            assert!(zh.fields.contains_key(key), "zh lacks field {key}");
        }
    }

    #[test]
    fn renders_placeholders_per_language() {
        let p = Problem::new(Code::MissingRequired, Severity::Error)
            .at("Declaration", Some("D8".into()))
            .with("field", "company_name");
        assert_eq!(
            p.message_in("en"),
            "Company name is required but empty (Declaration!D8)."
        );
        assert_eq!(
            p.message_in("zh-CN"),
            "必填项“公司名称”为空（Declaration!D8）。"
        );
        assert_eq!(p.message_in("fr"), p.message_in("en"));
        let p = Problem::new(Code::MissingRequired, Severity::Error)
            .at("Declaration", Some("D27".into()))
            .with("field", "question")
            .with("question", "Q1")
            .with("mineral", "Tin");
        assert_eq!(
            p.message_in("en"),
            "Question Q1 for Tin is not answered (Declaration!D27)."
        );
    }
}
