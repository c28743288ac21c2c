//! Per-mineral facts the checks share: which minerals are in scope, active or declared unused,
//! and where their answers sit.

use crate::text::{blank, in_list, is_yes, same};
use oretrail_template::registry::{MineralsDef, QuestionDef};
use oretrail_template::{Answer, SupplierReport, TemplateDef};

/// What the answers say about one in-scope mineral.
#[derive(Debug, Clone)]
pub(crate) struct MineralFacts {
    /// Mineral name as the template spells it.
    pub name: String,
    /// Slot index (0-based) for templates whose question rows are slots.
    pub slot: Option<usize>,
    /// Q1 answered.
    pub q1_answered: bool,
    /// Q1 takes the mineral out of the Checker's scope (Q2 and the rest are not required).
    pub q1_out: bool,
    /// All activating questions answered Yes: the full question set, company questions and
    /// smelters are required.
    pub active: bool,
    /// The answers declare the mineral not used (Smelter List rows contradict them).
    pub declared_unused: bool,
}

/// Facts about every in-scope mineral of a report.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    /// In-scope minerals, in template order.
    pub minerals: Vec<MineralFacts>,
}

impl Facts {
    /// Works out the per-mineral facts from the answers and the template's Checker parameters.
    pub fn new(report: &SupplierReport, def: &TemplateDef) -> Facts {
        let checker = &def.checker;
        let names: Vec<String> = match &def.minerals {
            MineralsDef::Fixed { list } => list.clone(),
            MineralsDef::Selected { .. } => report.minerals_in_scope.clone(),
        };
        // Slot templates list the selected minerals alphabetically (Excel, case-insensitive).
        let mut sorted: Vec<String> = names.clone();
        sorted.sort_by_key(|m| m.to_lowercase());
        sorted.dedup_by(|a, b| same(a, b));
        let minerals = names
            .iter()
            .map(|name| {
                let q1 = answer_text(report, name, "Q1");
                let q2 = answer_text(report, name, "Q2");
                let active = !checker.active_questions.is_empty()
                    && checker
                        .active_questions
                        .iter()
                        .all(|q| is_yes(answer_text(report, name, q)));
                let declared_unused = in_list(q1, &checker.q1_declared_unused)
                    || (checker.q2_out_applies && in_list(q2, &checker.q2_declared_unused));
                MineralFacts {
                    name: name.clone(),
                    slot: def
                        .has_mineral_selection()
                        .then(|| sorted.iter().position(|m| same(m, name)))
                        .flatten(),
                    q1_answered: !blank(q1),
                    q1_out: in_list(q1, &checker.q1_out),
                    active,
                    declared_unused,
                }
            })
            .collect();
        Facts { minerals }
    }

    /// Whether any mineral is active (company questions become required).
    pub fn any_active(&self) -> bool {
        self.minerals.iter().any(|m| m.active)
    }

    /// The facts of a mineral, matched Excel-style.
    pub fn get(&self, mineral: &str) -> Option<&MineralFacts> {
        self.minerals.iter().find(|m| same(&m.name, mineral))
    }
}

/// The answer record of a per-mineral question, matching the mineral name Excel-style.
pub(crate) fn answer<'r>(
    report: &'r SupplierReport,
    mineral: &str,
    question: &str,
) -> Option<&'r Answer> {
    let by_mineral = report.mineral_answers.get(mineral).or_else(|| {
        report
            .mineral_answers
            .iter()
            .find(|(m, _)| same(m, mineral))
            .map(|(_, a)| a)
    })?;
    by_mineral.get(question)
}

/// The answer text of a per-mineral question.
pub(crate) fn answer_text<'r>(
    report: &'r SupplierReport,
    mineral: &str,
    question: &str,
) -> Option<&'r str> {
    answer(report, mineral, question).and_then(|a| a.answer.as_deref())
}

/// Row of a question for a mineral: its fixed row, or the row of the mineral's slot.
pub(crate) fn question_row(q: &QuestionDef, mineral: &MineralFacts) -> Option<u32> {
    if let Some(rows) = &q.rows {
        return rows
            .iter()
            .find(|(m, _)| same(m, &mineral.name))
            .map(|(_, r)| *r);
    }
    let slots = q.slot_rows.as_ref()?;
    slots.get(mineral.slot?).copied()
}

/// Whether a question is asked for a mineral (EMRT 1.x Q4 is cobalt-only).
pub(crate) fn applies_to(q: &QuestionDef, mineral: &MineralFacts) -> bool {
    match &q.rows {
        Some(rows) => rows.keys().any(|m| same(m, &mineral.name)),
        None => q.slot_rows.is_some() || q.row.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{cmrt, emrt2, set_answer};

    #[test]
    fn cmrt_active_needs_q1_and_q2_yes() {
        let (mut report, def) = cmrt();
        set_answer(&mut report, "Gold", "Q1", Some("Yes"));
        set_answer(&mut report, "Gold", "Q2", Some("No"));
        set_answer(&mut report, "Tin", "Q1", Some("No"));
        let facts = Facts::new(&report, def);
        let gold = facts.get("Gold").expect("gold");
        assert!(!gold.active && gold.declared_unused);
        let tin = facts.get("tin").expect("tin");
        assert!(tin.q1_out && tin.declared_unused);
        let ta = facts.get("Tantalum").expect("ta");
        assert!(ta.active);
    }

    #[test]
    fn emrt_2_slots_follow_alphabetical_selection() {
        let (report, def) = emrt2(&["Nickel", "Cobalt"]);
        let facts = Facts::new(&report, def);
        assert_eq!(facts.get("Cobalt").and_then(|m| m.slot), Some(0));
        assert_eq!(facts.get("Nickel").and_then(|m| m.slot), Some(1));
        let q1 = def.question("Q1").expect("q1");
        let nickel = facts.get("Nickel").expect("nickel");
        assert_eq!(question_row(q1, nickel), Some(31));
    }
}
