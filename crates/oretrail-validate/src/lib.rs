//! Validation of supplier reports (CMRT, EMRT, CRT, AMRT).
//!
//! [`validate`] applies the rules of the template's own Checker sheet for that family and
//! version (parameters from the template registry, never version branches in code), the
//! conformance rules of the fixture corpus (e-mail and date syntax, smelter-list consistency),
//! and Oretrail's further checks; see `docs/checks.md` for every code. Checks needing outside
//! knowledge (today's date, a campaign, facility reference data) only run when
//! [`ValidationContext`] provides it.

mod context;
mod countries;
mod dates;
mod declaration;
mod error;
pub mod messages;
mod minerals;
mod problem;
mod product_list;
mod questions;
mod smelter_list;
mod template_version;
mod text;

#[cfg(test)]
mod testutil;

pub use context::{FacilityDirectory, FnDirectory, ValidationContext, ValidationOptions};
pub use error::ValidateError;
pub use problem::{Code, Problem, Severity};

use oretrail_template::{Registry, SupplierReport, TemplateDef};

/// Every problem of a report, sorted by sheet and position; messages in English.
pub fn validate(
    report: &SupplierReport,
    def: &TemplateDef,
    ctx: &ValidationContext,
) -> Vec<Problem> {
    let facts = minerals::Facts::new(report, def);
    let mut problems = Vec::new();
    problems.extend(declaration::check(report, def, &facts));
    problems.extend(dates::check(report, def, ctx));
    problems.extend(questions::check_minerals(report, def, &facts));
    problems.extend(questions::check_company(report, def, &facts));
    problems.extend(template_version::check(report, def, ctx));
    problems.extend(product_list::check(report, def));
    problems.extend(smelter_list::check(report, def, &facts, ctx));
    if !report.cached_values {
        problems.push(Problem::new(Code::NoCachedValues, Severity::Warning));
    }
    problems.retain(|p| !ctx.options.disabled.contains(&p.code));
    let mut problems: Vec<Problem> = problems.into_iter().map(Problem::finish).collect();
    let sheet_rank = |p: &Problem| match p.sheet.as_deref() {
        Some("Declaration") => 0,
        Some(s) if s == def.product_list.sheet => 1,
        Some(s) if s == def.smelter_list.sheet => 2,
        Some(_) => 3,
        None => 4,
    };
    let position = |p: &Problem| {
        let cell = p
            .cell
            .as_deref()
            .and_then(oretrail_template::CellRef::parse);
        let row = cell.map(|c| c.row).or(p.row).unwrap_or(u32::MAX);
        (row, cell.map_or(0, |c| c.col))
    };
    problems.sort_by_key(|p| (sheet_rank(p), position(p)));
    problems
}

/// Validates with the registry's definition of the report's template.
pub fn validate_report(
    report: &SupplierReport,
    ctx: &ValidationContext,
) -> Result<Vec<Problem>, ValidateError> {
    let def = Registry::global()
        .get(report.template.family, &report.template.version)
        .ok_or_else(|| ValidateError::UnknownTemplate {
            family: report.template.family.to_string(),
            version: report.template.version.clone(),
        })?;
    Ok(validate(report, def, ctx))
}
