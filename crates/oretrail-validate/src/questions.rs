//! Per-mineral and company-level questions: required answers, allowed values, required comments.

use crate::declaration::SHEET;
use crate::minerals::{Facts, MineralFacts, answer, applies_to, question_row};
use crate::problem::{Code, Problem, Severity};
use crate::text::{blank, cell_part, clean, in_list, is_yes, len_chars, row_of, same};
use oretrail_template::registry::QuestionDef;
use oretrail_template::{Answer, CompanyAnswer, SupplierReport, TemplateDef};

/// Where a question's answer and comment sit.
struct Place<'r> {
    answer: Option<&'r Answer>,
    cell: Option<String>,
    comment_cell: Option<String>,
}

impl<'r> Place<'r> {
    fn new(def: &TemplateDef, answer: Option<&'r Answer>, row: Option<u32>) -> Place<'r> {
        let row = answer.and_then(|a| row_of(&a.cell)).or(row);
        let cell = answer
            .map(|a| cell_part(&a.cell).to_string())
            .filter(|c| !c.is_empty())
            .or_else(|| row.map(|r| format!("{}{r}", def.answer_col)));
        Place {
            answer,
            cell,
            comment_cell: row.map(|r| format!("{}{r}", def.comment_col)),
        }
    }

    fn text(&self) -> Option<&'r str> {
        self.answer.and_then(|a| a.answer.as_deref())
    }

    fn comment(&self) -> Option<&'r str> {
        self.answer.and_then(|a| a.comment.as_deref())
    }
}

/// Whether an answer is among the allowed values ("100%" may be stored as the number 1).
fn allowed(q: &QuestionDef, mineral: Option<&str>, text: &str) -> bool {
    let Some(list) = q.allowed_for(mineral) else {
        return true;
    };
    if in_list(Some(text), list) {
        return true;
    }
    q.is_percentage()
        && matches!(text.trim(), "1" | "1.0" | "100" | "1.00")
        && list.iter().any(|v| v == "100%")
}

/// Per-mineral questions: Q1 always, Q2 unless Q1 takes the mineral out, the rest for active
/// minerals; answers must be among the allowed values.
pub(crate) fn check_minerals(
    report: &SupplierReport,
    def: &TemplateDef,
    facts: &Facts,
) -> Vec<Problem> {
    let checker = &def.checker;
    let mut out = Vec::new();
    for m in &facts.minerals {
        for q in &def.questions {
            if !applies_to(q, m) {
                continue;
            }
            let place = Place::new(def, answer(report, &m.name, &q.id), question_row(q, m));
            let required = if q.id == "Q1" {
                true
            } else if checker.optional_questions.iter().any(|o| o == &q.id) {
                false
            } else if q.id == "Q2" && checker.q2_required {
                // The Checker also asks Q2 while Q1 is blank; Q1's own problem covers that case.
                m.q1_answered && !m.q1_out
            } else {
                m.active
            };
            match clean(place.text()) {
                None if required => out.push(
                    Problem::new(Code::MissingRequired, Severity::Error)
                        .at(SHEET, place.cell.clone())
                        .with("field", "question")
                        .with("question", q.id.as_str())
                        .with("mineral", m.name.as_str()),
                ),
                Some(text) if !allowed(q, Some(&m.name), text) => {
                    out.push(invalid_mineral_answer(def, q, m, &place, text))
                }
                _ => {}
            }
        }
    }
    out
}

/// An answer outside the allowed list; an error where the answer decides the Checker's scope.
fn invalid_mineral_answer(
    def: &TemplateDef,
    q: &QuestionDef,
    m: &MineralFacts,
    place: &Place,
    text: &str,
) -> Problem {
    let checker = &def.checker;
    let decides_scope = q.id == "Q1"
        || checker.active_questions.iter().any(|a| a == &q.id)
        || (q.id == "Q2" && checker.q2_out_applies);
    let severity = if decides_scope {
        Severity::Error
    } else {
        Severity::Warning
    };
    Problem::new(Code::InvalidAnswer, severity)
        .at(SHEET, place.cell.clone())
        .with("field", "question")
        .with("question", q.id.as_str())
        .with("mineral", m.name.as_str())
        .value(text)
}

/// The single answer of a company question, if the report has one.
fn single<'r>(report: &'r SupplierReport, id: &str) -> Option<&'r Answer> {
    match report.company_answers.get(id)? {
        CompanyAnswer::Single(a) => Some(a),
        CompanyAnswer::PerMineral(_) => None,
    }
}

/// The per-mineral answer of a company question (EMRT question C).
fn per_mineral<'r>(report: &'r SupplierReport, id: &str, mineral: &str) -> Option<&'r Answer> {
    match report.company_answers.get(id)? {
        CompanyAnswer::PerMineral(map) => map
            .get(mineral)
            .or_else(|| map.iter().find(|(m, _)| same(m, mineral)).map(|(_, a)| a)),
        CompanyAnswer::Single(_) => None,
    }
}

/// Company questions: all required once a mineral is active (per-mineral ones for each active
/// mineral); the policy URL, the Checker's extra comments and the "other format" description.
pub(crate) fn check_company(
    report: &SupplierReport,
    def: &TemplateDef,
    facts: &Facts,
) -> Vec<Problem> {
    let checker = &def.checker;
    let any_active = facts.any_active();
    let mut out = Vec::new();
    for q in &def.company_questions {
        let per_mineral_rows = q.rows.is_some() || q.slot_rows.is_some();
        if per_mineral_rows {
            for m in &facts.minerals {
                if !applies_to(q, m) {
                    continue;
                }
                let place =
                    Place::new(def, per_mineral(report, &q.id, &m.name), question_row(q, m));
                match clean(place.text()) {
                    None if m.active => out.push(
                        Problem::new(Code::MissingRequired, Severity::Error)
                            .at(SHEET, place.cell.clone())
                            .with("field", "company_question")
                            .with("question", q.id.as_str())
                            .with("mineral", m.name.as_str()),
                    ),
                    Some(text) if !allowed(q, Some(&m.name), text) => out.push(
                        Problem::new(Code::InvalidAnswer, Severity::Warning)
                            .at(SHEET, place.cell.clone())
                            .with("field", "company_question")
                            .with("question", q.id.as_str())
                            .with("mineral", m.name.as_str())
                            .value(text),
                    ),
                    _ => {}
                }
            }
            continue;
        }
        let place = Place::new(def, single(report, &q.id), q.row);
        let is_describe = checker.describe_other_question.as_deref() == Some(q.id.as_str());
        match clean(place.text()) {
            None => {
                if any_active {
                    out.push(
                        Problem::new(Code::MissingRequired, Severity::Error)
                            .at(SHEET, place.cell.clone())
                            .with("field", "company_question")
                            .with("question", q.id.as_str()),
                    );
                }
                continue;
            }
            Some(text) if !allowed(q, None, text) => {
                // The Checker's formula for the survey question fails on any other text.
                let severity = if is_describe && any_active {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                out.push(
                    Problem::new(Code::InvalidAnswer, severity)
                        .at(SHEET, place.cell.clone())
                        .with("field", "company_question")
                        .with("question", q.id.as_str())
                        .value(text),
                );
            }
            Some(_) => {}
        }
        if !any_active {
            continue;
        }
        let yes = is_yes(place.text());
        if checker.url_question.as_deref() == Some(q.id.as_str()) && yes {
            if len_chars(place.comment()) <= 1 {
                out.push(
                    Problem::new(Code::MissingRequired, Severity::Error)
                        .at(SHEET, place.comment_cell.clone())
                        .with("field", "policy_url")
                        .with("question", q.id.as_str()),
                );
            } else if let Some(comment) = clean(place.comment())
                && !looks_like_url(comment)
            {
                out.push(
                    Problem::new(Code::PolicyUrlInvalid, Severity::Warning)
                        .at(SHEET, place.comment_cell.clone())
                        .with("field", "policy_url")
                        .with("question", q.id.as_str())
                        .value(comment),
                );
            }
        }
        if yes
            && checker.yes_comment_questions.iter().any(|c| c == &q.id)
            && len_chars(place.comment()) <= 1
        {
            out.push(
                Problem::new(Code::CheckerCommentRequired, Severity::Warning)
                    .at(SHEET, place.comment_cell.clone())
                    .with("field", "comment")
                    .with("question", q.id.as_str()),
            );
        }
        if is_describe
            && let Some(trigger) = checker.describe_other_answer.as_deref()
            && place.text().is_some_and(|t| same(t, trigger))
            && blank(place.comment())
        {
            out.push(
                Problem::new(Code::MissingRequired, Severity::Error)
                    .at(SHEET, place.comment_cell.clone())
                    .with("field", "survey_description")
                    .with("question", q.id.as_str()),
            );
        }
    }
    out
}

/// Whether a comment contains something that looks like a web address.
pub(crate) fn looks_like_url(text: &str) -> bool {
    text.split_whitespace().any(|token| {
        let t = token.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | ';' | '"'));
        let lower = t.to_lowercase();
        let host = lower
            .strip_prefix("https://")
            .or_else(|| lower.strip_prefix("http://"))
            .unwrap_or(&lower);
        let host = host.split(['/', '?', '#']).next().unwrap_or_default();
        let labels: Vec<&str> = host.split('.').collect();
        labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty())
            && labels
                .last()
                .is_some_and(|tld| tld.chars().count() >= 2 && tld.chars().all(char::is_alphabetic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cmrt, company_answer, crt, emrt1, emrt2, run, set_answer};

    fn missing(problems: &[Problem]) -> Vec<(String, String, Option<String>)> {
        problems
            .iter()
            .filter(|p| p.code == Code::MissingRequired)
            .map(|p| {
                (
                    p.context_str("question").unwrap_or("").to_string(),
                    p.cell.clone().unwrap_or_default(),
                    p.context_str("mineral").map(str::to_string),
                )
            })
            .collect()
    }

    #[test]
    fn cmrt_q1_required_for_every_metal() {
        let (mut report, def) = cmrt();
        set_answer(&mut report, "Tin", "Q1", None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [("Q1".into(), "D27".into(), Some("Tin".into()))]
        );
        assert_eq!(problems[0].context_str("field"), Some("question"));
    }

    #[test]
    fn cmrt_q2_required_unless_q1_no() {
        let (mut report, def) = cmrt();
        set_answer(&mut report, "Gold", "Q2", None);
        let problems = run(&report, def);
        assert!(missing(&problems).contains(&("Q2".into(), "D34".into(), Some("Gold".into()))));
        // Q1 = No: nothing else is required for gold (and no gold smelters are allowed).
        let (mut report, def) = cmrt();
        report
            .smelters
            .retain(|s| s.metal.as_deref() != Some("Gold"));
        for q in ["Q1", "Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"] {
            set_answer(&mut report, "Gold", q, None);
        }
        set_answer(&mut report, "Gold", "Q1", Some("No"));
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn cmrt_q3_to_q8_required_for_active_metals() {
        let (mut report, def) = cmrt();
        set_answer(&mut report, "Tungsten", "Q6", None);
        set_answer(&mut report, "Tungsten", "Q8", None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [
                ("Q6".into(), "D59".into(), Some("Tungsten".into())),
                ("Q8".into(), "D71".into(), Some("Tungsten".into()))
            ]
        );
    }

    #[test]
    fn cmrt_company_questions_required_when_a_metal_is_active() {
        let (mut report, def) = cmrt();
        company_answer(&mut report, "D", None, None);
        let problems = run(&report, def);
        assert_eq!(missing(&problems), [("D".into(), "D81".into(), None)]);
        assert_eq!(problems[0].context_str("field"), Some("company_question"));
    }

    #[test]
    fn cmrt_no_metal_used_needs_no_company_answers() {
        let (mut report, def) = cmrt();
        report.smelters.clear();
        for m in ["Tantalum", "Tin", "Gold", "Tungsten"] {
            for q in ["Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"] {
                set_answer(&mut report, m, q, None);
            }
            set_answer(&mut report, m, "Q1", Some("No"));
        }
        for q in ["A", "B", "C", "D", "E", "F", "G", "H"] {
            company_answer(&mut report, q, None, None);
        }
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn cmrt_policy_public_yes_needs_url_comment() {
        let (mut report, def) = cmrt();
        company_answer(&mut report, "B", Some("Yes"), Some("x"));
        let problems = run(&report, def);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].cell.as_deref(), Some("G77"));
        assert_eq!(problems[0].context_str("field"), Some("policy_url"));
        company_answer(&mut report, "B", Some("Yes"), Some("see our annual report"));
        let problems = run(&report, def);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::PolicyUrlInvalid);
        company_answer(&mut report, "B", Some("No"), None);
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn crt_policy_question_is_a() {
        let (mut report, def) = crt();
        company_answer(&mut report, "A", Some("Yes"), None);
        let problems = run(&report, def);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].cell.as_deref(), Some("G63"));
        assert_eq!(problems[0].context_str("question"), Some("A"));
    }

    #[test]
    fn crt_q2_to_q6_required_when_q1_yes() {
        let (mut report, def) = crt();
        set_answer(&mut report, "Cobalt", "Q2", None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [("Q2".into(), "D32".into(), Some("Cobalt".into()))]
        );
        set_answer(&mut report, "Cobalt", "Q1", Some("Unknown"));
        report.smelters.clear();
        // Q1 = Unknown takes cobalt out of scope: nothing else is required.
        assert!(missing(&run(&report, def)).is_empty());
    }

    #[test]
    fn crt_g_other_format_needs_description() {
        let (mut report, def) = crt();
        company_answer(
            &mut report,
            "G",
            Some("Yes, Using Other Format (Describe)"),
            None,
        );
        let problems = run(&report, def);
        assert_eq!(missing(&problems), [("G".into(), "G75".into(), None)]);
        assert_eq!(problems[0].context_str("field"), Some("survey_description"));
    }

    #[test]
    fn emrt_1_x_q4_is_cobalt_only_and_c_per_mineral() {
        let (mut report, def) = emrt1("1.3");
        company_answer(&mut report, "C", None, None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [
                ("C".into(), "D74".into(), Some("Cobalt".into())),
                ("C".into(), "D75".into(), Some("Mica".into()))
            ]
        );
        assert!(report.mineral_answers["Mica"].get("Q4").is_none());
    }

    #[test]
    fn emrt_1_11_checker_wants_comment_on_a_yes() {
        let (mut report, def) = emrt1("1.11");
        company_answer(&mut report, "A", Some("Yes"), None);
        let problems = run(&report, def);
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].code, Code::CheckerCommentRequired);
        assert_eq!(problems[0].severity, Severity::Warning);
        assert_eq!(problems[0].cell.as_deref(), Some("G69"));
        let (mut report, def) = emrt1("1.3");
        company_answer(&mut report, "A", Some("Yes"), None);
        assert!(run(&report, def).is_empty());
    }

    #[test]
    fn emrt_1_x_not_applicable_takes_mineral_out() {
        let (mut report, def) = emrt1("1.3");
        report
            .smelters
            .retain(|s| s.metal.as_deref() != Some("Mica"));
        for q in ["Q2", "Q3", "Q5", "Q6", "Q7"] {
            set_answer(&mut report, "Mica", q, None);
        }
        set_answer(
            &mut report,
            "Mica",
            "Q1",
            Some("Not applicable for this declaration"),
        );
        company_answer(&mut report, "C", None, None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [("C".into(), "D74".into(), Some("Cobalt".into()))]
        );
    }

    #[test]
    fn emrt_2_1_company_c_required_per_active_mineral() {
        let (mut report, def) = emrt2(&["Cobalt", "Nickel"]);
        company_answer(&mut report, "C", None, None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [
                ("C".into(), "D120".into(), Some("Cobalt".into())),
                ("C".into(), "D121".into(), Some("Nickel".into()))
            ]
        );
    }

    #[test]
    fn emrt_2_1_not_declaring_needs_nothing_more() {
        let (mut report, def) = emrt2(&["Cobalt", "Nickel"]);
        report
            .smelters
            .retain(|s| s.metal.as_deref() != Some("Nickel"));
        for q in ["Q2", "Q3", "Q4", "Q5", "Q6", "Q7"] {
            set_answer(&mut report, "Nickel", q, None);
        }
        set_answer(&mut report, "Nickel", "Q1", Some("Not declaring"));
        company_answer(&mut report, "C", None, None);
        let problems = run(&report, def);
        assert_eq!(
            missing(&problems),
            [("C".into(), "D120".into(), Some("Cobalt".into()))]
        );
    }

    #[test]
    fn answers_outside_the_allowed_list() {
        let (mut report, def) = cmrt();
        set_answer(&mut report, "Gold", "Q3", Some("Maybe"));
        set_answer(&mut report, "Tin", "Q1", Some("Y"));
        set_answer(&mut report, "Tin", "Q6", Some("1"));
        let problems: Vec<_> = run(&report, def)
            .into_iter()
            .filter(|p| p.code == Code::InvalidAnswer)
            .map(|p| (p.cell.unwrap_or_default(), p.severity))
            .collect();
        assert_eq!(
            problems,
            [
                ("D27".to_string(), Severity::Error),
                ("D40".to_string(), Severity::Warning)
            ]
        );
    }

    #[test]
    fn url_shapes() {
        for ok in [
            "https://www.acme.com/policy",
            "www.ferrowell.it/responsible-sourcing",
            "see acme.com/policy.pdf",
        ] {
            assert!(looks_like_url(ok), "{ok}");
        }
        for bad in ["x", "see annual report", "N/A", "policy.", "1.5"] {
            assert!(!looks_like_url(bad), "{bad}");
        }
    }
}
