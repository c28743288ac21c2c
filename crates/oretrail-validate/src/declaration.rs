//! Company information on the Declaration sheet: required fields, e-mails, scope, minerals.

use crate::minerals::Facts;
use crate::problem::{Code, Problem, Severity};
use crate::text::{blank, clean};
use oretrail_template::registry::MineralsDef;
use oretrail_template::{Declaration, ScopeCode, SupplierReport, TemplateDef};

/// Name of the Declaration sheet in every template.
pub(crate) const SHEET: &str = "Declaration";

/// A declaration field by its registry key.
pub(crate) fn field<'d>(decl: &'d Declaration, key: &str) -> Option<&'d str> {
    let value = match key {
        "company_name" => &decl.company_name,
        "scope" => &decl.scope,
        "scope_description" => &decl.scope_description,
        "company_unique_id" => &decl.company_unique_id,
        "company_unique_id_authority" => &decl.company_unique_id_authority,
        "address" => &decl.address,
        "contact_name" => &decl.contact_name,
        "contact_email" => &decl.contact_email,
        "contact_phone" => &decl.contact_phone,
        "authorizer_name" => &decl.authorizer_name,
        "authorizer_title" => &decl.authorizer_title,
        "authorizer_email" => &decl.authorizer_email,
        "authorizer_phone" => &decl.authorizer_phone,
        "effective_date" => &decl.effective_date,
        _ => return None,
    };
    value.as_deref()
}

/// Cell of a declaration field ("D8"), from the report or else the registry.
pub(crate) fn cell(report: &SupplierReport, def: &TemplateDef, key: &str) -> Option<String> {
    report
        .declaration_cells
        .get(key)
        .map(|c| crate::text::cell_part(c).to_string())
        .or_else(|| def.declaration.get(key).cloned())
}

/// A `missing_required` problem for a declaration field.
fn missing(report: &SupplierReport, def: &TemplateDef, key: &str) -> Problem {
    Problem::new(Code::MissingRequired, Severity::Error)
        .at(SHEET, cell(report, def, key))
        .with("field", key)
}

/// Checker rules 1–3 and the e-mail syntax check; EMRT 2.x / AMRT: at least one mineral.
pub(crate) fn check(report: &SupplierReport, def: &TemplateDef, facts: &Facts) -> Vec<Problem> {
    let mut out = Vec::new();
    let decl = &report.declaration;
    let checker = &def.checker;
    for key in &checker.required_fields {
        let filled = if key == "effective_date" {
            // A date typed as text is filled as far as the Checker goes; `dates` judges it.
            !blank(decl.effective_date.as_deref()) || !blank(decl.effective_date_raw.as_deref())
        } else {
            !blank(field(decl, key))
        };
        if !filled {
            out.push(missing(report, def, key));
        }
    }
    for key in &checker.email_fields {
        if let Some(email) = clean(field(decl, key))
            && !is_email(email)
        {
            out.push(
                Problem::new(Code::BadEmail, Severity::Error)
                    .at(SHEET, cell(report, def, key))
                    .with("field", key.as_str())
                    .value(email),
            );
        }
    }
    // Rule 3: a description is required unless the scope is A. Company or B. Product.
    if !blank(decl.scope.as_deref())
        && !matches!(
            decl.scope_code,
            Some(ScopeCode::Company) | Some(ScopeCode::Product)
        )
        && blank(decl.scope_description.as_deref())
    {
        out.push(missing(report, def, "scope_description"));
    }
    if let Some(scope) = clean(decl.scope.as_deref())
        && decl.scope_code.is_none()
    {
        out.push(
            Problem::new(Code::InvalidAnswer, Severity::Warning)
                .at(SHEET, cell(report, def, "scope"))
                .with("field", "scope")
                .value(scope),
        );
    }
    if let MineralsDef::Selected { cells, .. } = &def.minerals
        && facts.minerals.is_empty()
    {
        out.push(
            Problem::new(Code::MissingRequired, Severity::Error)
                .at(SHEET, cells.first().map(|c| c.cell.clone()))
                .with("field", "minerals_in_scope"),
        );
    }
    out
}

/// Whether a (trimmed) text is `local@domain.tld`: one `@`, no spaces, a dot in the domain.
pub(crate) fn is_email(text: &str) -> bool {
    let text = text.trim();
    if text.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    if local.is_empty() || domain.contains('@') || local.starts_with('.') || local.ends_with('.') {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cmrt, emrt2, run};

    #[test]
    fn email_syntax() {
        for ok in [
            "a@b.co",
            "luca_bianchi@ferrowell.it",
            "x.y+z@sub.example.com",
            "张@例子.中国",
        ] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "compliance at marlowefinch.com",
            "nakashima.michael@@vireosensor.nl",
            "a@b",
            "a b@c.de",
            "@c.de",
            "a@.de",
            "a@c..de",
            "a@c.d",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn common_required_declaration_fields() {
        let (mut report, def) = cmrt();
        report.declaration.company_name = None;
        report.declaration.contact_phone = Some("  ".into());
        report.declaration.authorizer_email = None;
        let problems = run(&report, def);
        let fields: Vec<(&str, Option<&str>)> = problems
            .iter()
            .filter(|p| p.code == Code::MissingRequired)
            .map(|p| (p.context_str("field").unwrap_or(""), p.cell.as_deref()))
            .collect();
        assert_eq!(
            fields,
            [
                ("company_name", Some("D8")),
                ("contact_phone", Some("D17")),
                ("authorizer_email", Some("D20"))
            ]
        );
    }

    #[test]
    fn bad_email_trims_surrounding_spaces_first() {
        let (mut report, def) = cmrt();
        report.declaration.authorizer_email = Some("  someone@example.com  ".into());
        report.declaration.contact_email = Some("compliance at example.com".into());
        let problems = run(&report, def);
        let bad: Vec<_> = problems
            .iter()
            .filter(|p| p.code == Code::BadEmail)
            .collect();
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].cell.as_deref(), Some("D16"));
        assert_eq!(bad[0].value.as_deref(), Some("compliance at example.com"));
    }

    #[test]
    fn user_defined_scope_requires_description() {
        let (mut report, def) = cmrt();
        report.declaration.scope =
            Some("C. User defined [Specify in 'Description of scope']".into());
        report.declaration.scope_code = Some(ScopeCode::UserDefined);
        let problems = run(&report, def);
        assert!(problems.iter().any(|p| p.code == Code::MissingRequired
            && p.context_str("field") == Some("scope_description")
            && p.cell.as_deref() == Some("D10")));
        report.declaration.scope_description = Some("Connectors business unit".into());
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn emrt_2_1_declaration_cells_and_at_least_one_mineral() {
        let (mut report, def) = emrt2(&[]);
        report.declaration.contact_email = None;
        let problems = run(&report, def);
        assert!(
            problems
                .iter()
                .any(|p| p.context_str("field") == Some("contact_email")
                    && p.cell.as_deref() == Some("D20"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.context_str("field") == Some("minerals_in_scope")
                    && p.cell.as_deref() == Some("D12"))
        );
    }
}
