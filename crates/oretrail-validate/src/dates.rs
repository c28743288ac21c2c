//! The effective date: typed as text, unparsable, outside the template's range, in the future,
//! older than the campaign allows, earlier than the template itself.

use crate::context::ValidationContext;
use crate::declaration::{SHEET, cell};
use crate::problem::{Code, Problem, Severity};
use crate::text::clean;
use chrono::{Days, NaiveDate};
use oretrail_template::{SupplierReport, TemplateDef};

/// Parses an ISO `YYYY-MM-DD` date.
pub(crate) fn iso(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

/// All checks on the effective date.
pub(crate) fn check(
    report: &SupplierReport,
    def: &TemplateDef,
    ctx: &ValidationContext,
) -> Vec<Problem> {
    let mut out = Vec::new();
    let decl = &report.declaration;
    let at = |code: Code, severity: Severity| {
        Problem::new(code, severity)
            .at(SHEET, cell(report, def, "effective_date"))
            .with("field", "effective_date")
    };
    let raw = clean(decl.effective_date_raw.as_deref());
    let parsed = clean(decl.effective_date.as_deref()).map(|d| (d, iso(d)));
    let date = match parsed {
        Some((_, Some(date))) => {
            if decl.effective_date_is_text {
                let shown = raw.or(decl.effective_date.as_deref()).unwrap_or_default();
                out.push(at(Code::DateAsText, Severity::Warning).value(shown));
            }
            date
        }
        Some((text, None)) => {
            out.push(at(Code::BadDate, Severity::Error).value(raw.unwrap_or(text)));
            return out;
        }
        None => {
            if let Some(raw) = raw {
                out.push(at(Code::BadDate, Severity::Error).value(raw));
            }
            // A blank date is reported as missing_required by the declaration checks.
            return out;
        }
    };
    let shown = date.format("%Y-%m-%d").to_string();

    // The template's own data validation (spec §10): after the minimum, up to the maximum.
    let min = def.effective_date_min.as_deref().and_then(iso);
    let max = def.effective_date_max.as_deref().and_then(iso);
    if let Some(min) = min
        && date <= min
    {
        out.push(
            at(Code::EffectiveDateOutOfRange, Severity::Warning)
                .with("min", min.format("%Y-%m-%d").to_string())
                .value(shown.clone()),
        );
    } else if let Some(max) = max
        && date > max
    {
        out.push(
            at(Code::EffectiveDateOutOfRange, Severity::Info)
                .with("max", max.format("%Y-%m-%d").to_string())
                .value(shown.clone()),
        );
    }
    if let Some(release) = def.release_date.as_deref().and_then(iso)
        && date < release
    {
        out.push(
            at(Code::EffectiveDateBeforeRelease, Severity::Info)
                .with("version", def.name())
                .with("release_date", release.format("%Y-%m-%d").to_string())
                .value(shown.clone()),
        );
    }
    if let Some(today) = ctx.today {
        let limit = today
            .checked_add_days(Days::new(u64::from(ctx.options.future_tolerance_days)))
            .unwrap_or(today);
        if date > limit {
            out.push(
                at(Code::EffectiveDateFuture, Severity::Warning)
                    .with("today", today.format("%Y-%m-%d").to_string())
                    .value(shown.clone()),
            );
        }
    }
    let mut stale = None;
    if let Some(start) = ctx.reporting_period_start
        && date < start
    {
        stale = Some(("period_start", start));
    } else if let (Some(days), Some(anchor)) = (
        ctx.options.max_declaration_age_days,
        ctx.campaign_date.or(ctx.today),
    ) && let Some(oldest) = anchor.checked_sub_days(Days::new(u64::from(days)))
        && date < oldest
    {
        stale = Some(("oldest_accepted", oldest));
    }
    if let Some((key, limit)) = stale {
        out.push(
            at(Code::EffectiveDateStale, Severity::Warning)
                .with(key, limit.format("%Y-%m-%d").to_string())
                .value(shown),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cmrt, emrt2, run, run_with};

    fn codes(problems: &[Problem]) -> Vec<(Code, Severity)> {
        problems.iter().map(|p| (p.code, p.severity)).collect()
    }

    #[test]
    fn effective_date_required() {
        let (mut report, def) = cmrt();
        report.declaration.effective_date = None;
        let problems = run(&report, def);
        assert_eq!(codes(&problems), [(Code::MissingRequired, Severity::Error)]);
        assert_eq!(problems[0].cell.as_deref(), Some("D22"));
    }

    #[test]
    fn text_date_that_is_a_date_is_a_warning() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report.declaration.effective_date = Some("2025-12-30".into());
        report.declaration.effective_date_is_text = true;
        report.declaration.effective_date_raw = Some("2025年12月30日".into());
        let problems = run(&report, def);
        assert_eq!(codes(&problems), [(Code::DateAsText, Severity::Warning)]);
        assert_eq!(problems[0].cell.as_deref(), Some("D26"));
        assert_eq!(problems[0].value.as_deref(), Some("2025年12月30日"));
    }

    #[test]
    fn text_that_is_no_date_is_an_error() {
        let (mut report, def) = cmrt();
        report.declaration.effective_date = None;
        report.declaration.effective_date_is_text = true;
        report.declaration.effective_date_raw = Some("end of June".into());
        let problems = run(&report, def);
        assert_eq!(codes(&problems), [(Code::BadDate, Severity::Error)]);
    }

    #[test]
    fn out_of_template_range_and_before_release() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report.declaration.effective_date = Some("2026-04-15".into());
        assert_eq!(
            codes(&run(&report, def)),
            [(Code::EffectiveDateOutOfRange, Severity::Info)]
        );
        report.declaration.effective_date = Some("2005-01-01".into());
        assert_eq!(
            codes(&run(&report, def)),
            [
                (Code::EffectiveDateOutOfRange, Severity::Warning),
                (Code::EffectiveDateBeforeRelease, Severity::Info)
            ]
        );
    }

    #[test]
    fn future_and_stale_need_context() {
        let (mut report, def) = cmrt();
        report.declaration.effective_date = Some("2025-09-01".into());
        assert!(run(&report, def).is_empty());
        let ctx = ValidationContext {
            today: NaiveDate::from_ymd_opt(2025, 8, 1),
            reporting_period_start: NaiveDate::from_ymd_opt(2025, 12, 1),
            ..Default::default()
        };
        assert_eq!(
            codes(&run_with(&report, def, &ctx)),
            [
                (Code::EffectiveDateFuture, Severity::Warning),
                (Code::EffectiveDateStale, Severity::Warning)
            ]
        );
        let mut ctx = ValidationContext {
            campaign_date: NaiveDate::from_ymd_opt(2027, 1, 10),
            ..Default::default()
        };
        ctx.options.max_declaration_age_days = Some(365);
        assert_eq!(
            codes(&run_with(&report, def, &ctx)),
            [(Code::EffectiveDateStale, Severity::Warning)]
        );
    }
}
