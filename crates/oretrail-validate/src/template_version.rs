//! Whether the supplier used a current template version.

use crate::context::ValidationContext;
use crate::dates::iso;
use crate::problem::{Code, Problem, Severity};
use oretrail_template::registry::version_cmp;
use oretrail_template::{Registry, SupplierReport, TemplateDef};
use std::cmp::Ordering;

/// `outdated_template`: below the campaign's minimum or the version current at the campaign date
/// (warning), or merely not the newest known version (info, opt-in).
pub(crate) fn check(
    report: &SupplierReport,
    def: &TemplateDef,
    ctx: &ValidationContext,
) -> Vec<Problem> {
    let family = def.family;
    let used = report.template.version.as_str();
    let older = |v: &str| version_cmp(used, v) == Ordering::Less;
    let problem = |severity: Severity, expected: &str, reason: &str| {
        let (sheet, cell) = def
            .detect
            .version_cell
            .split_once('!')
            .unwrap_or(("Declaration", "J3"));
        Problem::new(Code::OutdatedTemplate, severity)
            .at(sheet, Some(cell.to_string()))
            .with("family", family.code())
            .with("version", used)
            .with("expected_version", expected)
            .with("reason", reason)
    };

    if let Some(min) = ctx.options.minimum_versions.get(&family)
        && older(min)
    {
        return vec![problem(Severity::Warning, min, "campaign_minimum")];
    }
    let registry = Registry::global();
    if let Some(campaign) = ctx.campaign_date {
        // The newest version released on or before the campaign date.
        let current = registry
            .family(family)
            .filter(|v| {
                v.release_date
                    .as_deref()
                    .and_then(iso)
                    .is_some_and(|d| d <= campaign)
            })
            .max_by(|a, b| version_cmp(&a.version, &b.version));
        if let Some(current) = current
            && older(&current.version)
        {
            return vec![problem(
                Severity::Warning,
                &current.version,
                "campaign_date",
            )];
        }
    }
    if ctx.options.flag_outdated_templates
        && let Some(latest) = registry.latest(family)
        && older(&latest.version)
    {
        return vec![problem(Severity::Info, &latest.version, "newer_version")];
    }
    Vec::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{emrt1, run, run_with};
    use chrono::NaiveDate;
    use oretrail_template::Family;

    #[test]
    fn outdated_template_is_opt_in() {
        let (report, def) = emrt1("1.3");
        assert!(run(&report, def).is_empty());

        let mut ctx = ValidationContext::default();
        ctx.options.flag_outdated_templates = true;
        let problems = run_with(&report, def, &ctx);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].severity, Severity::Info);
        assert_eq!(problems[0].context_str("expected_version"), Some("2.1"));

        // EMRT 1.3 was current until EMRT 2.0 (April 2025).
        let ctx = ValidationContext {
            campaign_date: NaiveDate::from_ymd_opt(2025, 1, 15),
            ..Default::default()
        };
        assert!(run_with(&report, def, &ctx).is_empty());
        let ctx = ValidationContext {
            campaign_date: NaiveDate::from_ymd_opt(2025, 6, 1),
            ..Default::default()
        };
        let problems = run_with(&report, def, &ctx);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[0].context_str("expected_version"), Some("2.0"));

        let mut ctx = ValidationContext::default();
        ctx.options
            .minimum_versions
            .insert(Family::Emrt, "2.0".into());
        assert_eq!(
            run_with(&report, def, &ctx)[0].context_str("reason"),
            Some("campaign_minimum")
        );
    }
}
