//! Small, clean supplier reports built from the registry, for unit tests.

use crate::{Problem, ValidationContext, validate};
use indexmap::IndexMap;
use oretrail_template::registry::QuestionDef;
use oretrail_template::{
    Answer, CompanyAnswer, Declaration, EntryKind, Family, Product, Registry, Resolution,
    ResolutionMethod, ScopeCode, SmelterRow, SupplierReport, TemplateDef, TemplateInfo,
};

/// Validates with the default context.
pub(crate) fn run(report: &SupplierReport, def: &TemplateDef) -> Vec<Problem> {
    run_with(report, def, &ValidationContext::default())
}

/// Validates with a given context; every message must render completely in every language.
pub(crate) fn run_with(
    report: &SupplierReport,
    def: &TemplateDef,
    ctx: &ValidationContext,
) -> Vec<Problem> {
    let problems = validate(report, def, ctx);
    for p in &problems {
        for lang in crate::messages::languages() {
            let text = p.message_in(lang);
            assert!(
                !text.contains('{') && !text.is_empty(),
                "{lang} message of {p:?} is incomplete: {text}"
            );
        }
    }
    problems
}

fn pick(q: &QuestionDef, mineral: Option<&str>) -> Option<String> {
    let allowed = q.allowed_for(mineral)?;
    allowed
        .iter()
        .find(|a| *a == "Yes")
        .or_else(|| allowed.first())
        .cloned()
}

fn row_for(q: &QuestionDef, mineral: &str, slot: usize) -> Option<u32> {
    if let Some(rows) = &q.rows {
        return rows.get(mineral).copied();
    }
    q.slot_rows.as_ref().and_then(|s| s.get(slot).copied())
}

fn answer(def: &TemplateDef, text: Option<String>, comment: Option<String>, row: u32) -> Answer {
    Answer {
        answer: text,
        comment,
        cell: format!("Declaration!{}{row}", def.answer_col),
    }
}

/// A report that passes every check: all minerals used, every question answered, one smelter
/// from the look-up per mineral.
pub(crate) fn clean(
    family: Family,
    version: &str,
    selected: Option<&[&str]>,
) -> (SupplierReport, &'static TemplateDef) {
    let def = Registry::global()
        .get(family, version)
        .unwrap_or_else(|| panic!("registry lacks {family} {version}"));
    let mut minerals: Vec<String> = match (&def.minerals, selected) {
        (oretrail_template::registry::MineralsDef::Fixed { list }, _) => list.clone(),
        (_, Some(sel)) => sel.iter().map(|s| s.to_string()).collect(),
        (_, None) => Vec::new(),
    };
    if def.has_mineral_selection() {
        minerals.sort();
    }
    let mut mineral_answers = IndexMap::new();
    for (slot, m) in minerals.iter().enumerate() {
        let mut qs = IndexMap::new();
        for q in &def.questions {
            if let Some(row) = row_for(q, m, slot) {
                qs.insert(q.id.clone(), answer(def, pick(q, Some(m)), None, row));
            }
        }
        mineral_answers.insert(m.clone(), qs);
    }
    let mut company_answers = IndexMap::new();
    for q in &def.company_questions {
        if let Some(row) = q.row {
            let needs_comment = def.checker.url_question.as_deref() == Some(q.id.as_str())
                || def.checker.yes_comment_questions.contains(&q.id);
            let comment = needs_comment.then(|| "https://www.example.com/policy".to_string());
            company_answers.insert(
                q.id.clone(),
                CompanyAnswer::Single(answer(def, pick(q, None), comment, row)),
            );
        } else {
            let mut per = IndexMap::new();
            for (slot, m) in minerals.iter().enumerate() {
                if let Some(row) = row_for(q, m, slot) {
                    per.insert(m.clone(), answer(def, pick(q, Some(m)), None, row));
                }
            }
            company_answers.insert(q.id.clone(), CompanyAnswer::PerMineral(per));
        }
    }
    let smelters = minerals
        .iter()
        .enumerate()
        .map(|(i, m)| {
            lookup_row(
                5 + i as u32,
                m,
                &format!("{m} Refinery"),
                &format!("CID00{}", 1000 + i),
            )
        })
        .collect();
    let effective = def
        .release_date
        .as_deref()
        .and_then(crate::dates::iso)
        .and_then(|d| d.checked_add_days(chrono::Days::new(20)))
        .map(|d| d.format("%Y-%m-%d").to_string());
    let report = SupplierReport {
        template: TemplateInfo {
            family,
            version: version.to_string(),
            revision_label: format!("Revision {version}"),
        },
        language: Some("English".into()),
        cached_values: true,
        declaration: Declaration {
            company_name: Some("Example Components Ltd.".into()),
            scope: Some("A. Company".into()),
            scope_code: Some(ScopeCode::Company),
            contact_name: Some("Jane Doe".into()),
            contact_email: Some("jane.doe@example.com".into()),
            contact_phone: Some("+1 555 0100".into()),
            authorizer_name: Some("John Roe".into()),
            authorizer_email: Some("john.roe@example.com".into()),
            effective_date: effective,
            ..Declaration::default()
        },
        declaration_cells: def
            .declaration
            .iter()
            .map(|(k, c)| (k.clone(), format!("Declaration!{c}")))
            .collect(),
        minerals_in_scope: minerals.clone(),
        active_minerals: minerals.clone(),
        mineral_answers,
        company_answers,
        products: Vec::new(),
        mines: Vec::new(),
        smelters,
    };
    (report, def)
}

/// A clean CMRT 6.5 report.
pub(crate) fn cmrt() -> (SupplierReport, &'static TemplateDef) {
    clean(Family::Cmrt, "6.5", None)
}

/// A clean CRT 2.21 report.
pub(crate) fn crt() -> (SupplierReport, &'static TemplateDef) {
    clean(Family::Crt, "2.21", None)
}

/// A clean EMRT 1.x report.
pub(crate) fn emrt1(version: &str) -> (SupplierReport, &'static TemplateDef) {
    clean(Family::Emrt, version, None)
}

/// A clean EMRT 2.1 report with these minerals selected.
pub(crate) fn emrt2(minerals: &[&str]) -> (SupplierReport, &'static TemplateDef) {
    clean(Family::Emrt, "2.1", Some(minerals))
}

/// Sets (or clears) a per-mineral answer.
pub(crate) fn set_answer(report: &mut SupplierReport, mineral: &str, q: &str, value: Option<&str>) {
    let Some(qs) = report.mineral_answers.get_mut(mineral) else {
        panic!("no mineral {mineral}");
    };
    let Some(a) = qs.get_mut(q) else {
        panic!("no question {q} for {mineral}");
    };
    a.answer = value.map(str::to_string);
}

/// Sets a company answer and comment (for every mineral of a per-mineral question).
pub(crate) fn company_answer(
    report: &mut SupplierReport,
    q: &str,
    value: Option<&str>,
    comment: Option<&str>,
) {
    match report.company_answers.get_mut(q) {
        Some(CompanyAnswer::Single(a)) => {
            a.answer = value.map(str::to_string);
            a.comment = comment.map(str::to_string);
        }
        Some(CompanyAnswer::PerMineral(per)) => {
            for a in per.values_mut() {
                a.answer = value.map(str::to_string);
                a.comment = comment.map(str::to_string);
            }
        }
        None => panic!("no company question {q}"),
    }
}

/// A Product List row.
pub(crate) fn product(row: u32, number: Option<&str>) -> Product {
    Product {
        row,
        number: number.map(str::to_string),
        name: Some("Widget".into()),
        requester_number: None,
        requester_name: None,
        comment: None,
    }
}

fn resolution(cid: Option<&str>, in_lookup: bool) -> Resolution {
    Resolution {
        canonical_cid: cid.map(str::to_string),
        canonical_name: cid.map(|c| format!("Refiner {c}")),
        in_template_lookup: in_lookup,
        method: if cid.is_some() {
            ResolutionMethod::ExactName
        } else {
            ResolutionMethod::Unresolved
        },
        confidence: if cid.is_some() { 1.0 } else { 0.0 },
        candidates: Vec::new(),
        conflicting_cid: None,
    }
}

/// A row picked from the look-up, resolved to its CID.
pub(crate) fn lookup_row(row: u32, metal: &str, name: &str, cid: &str) -> SmelterRow {
    SmelterRow {
        row,
        entry: EntryKind::Lookup,
        metal: Some(metal.into()),
        lookup_value: Some(name.into()),
        name: Some(name.into()),
        country: Some("FINLAND".into()),
        cid: Some(cid.into()),
        smelter_id_input: None,
        formula_fields: vec!["name".into(), "country".into(), "cid".into()],
        details: IndexMap::new(),
        resolution: Some(resolution(Some(cid), true)),
    }
}

/// A "Smelter not listed" row; `resolved` = (canonical CID, in the template's look-up).
pub(crate) fn not_listed_row(
    row: u32,
    metal: &str,
    name: Option<&str>,
    country: Option<&str>,
    resolved: Option<(&str, bool)>,
) -> SmelterRow {
    SmelterRow {
        row,
        entry: EntryKind::NotListed,
        metal: Some(metal.into()),
        lookup_value: Some("Smelter not listed".into()),
        name: name.map(str::to_string),
        country: country.map(str::to_string),
        cid: None,
        smelter_id_input: None,
        formula_fields: Vec::new(),
        details: IndexMap::new(),
        resolution: Some(match resolved {
            Some((cid, in_lookup)) => resolution(Some(cid), in_lookup),
            None => resolution(None, false),
        }),
    }
}

/// A "Smelter not yet identified" row.
pub(crate) fn unidentified_row(row: u32, metal: &str) -> SmelterRow {
    SmelterRow {
        row,
        entry: EntryKind::NotYetIdentified,
        metal: Some(metal.into()),
        lookup_value: Some("Smelter not yet identified".into()),
        name: None,
        country: None,
        cid: None,
        smelter_id_input: None,
        formula_fields: Vec::new(),
        details: IndexMap::new(),
        resolution: Some(resolution(None, false)),
    }
}

#[test]
fn clean_reports_have_no_problems() {
    let registry = Registry::global();
    for def in &registry.versions {
        let selected: &[&str] = match def.family {
            Family::Amrt => &["Aluminum", "Zinc"],
            _ => &["Cobalt", "Mica", "Nickel"],
        };
        let (report, def) = clean(def.family, &def.version, Some(selected));
        let problems = run(&report, def);
        assert!(problems.is_empty(), "{}: {problems:#?}", def.name());
    }
}
