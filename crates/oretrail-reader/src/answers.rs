//! Minerals in scope, per-mineral answers and company-level answers.

use crate::sheet::Sheet;
use crate::values;
use indexmap::IndexMap;
use oretrail_template::registry::{MineralsDef, QuestionDef};
use oretrail_template::{Answer, CellRef, CompanyAnswer, TemplateDef};

/// Minerals whose questions appear, in template (slot) order.
pub fn minerals_in_scope(sheet: &Sheet, def: &TemplateDef) -> Vec<String> {
    match &def.minerals {
        MineralsDef::Fixed { list } => list.clone(),
        MineralsDef::Selected {
            cells,
            other_name_offset_rows,
            other_value,
        } => {
            let mut picked: Vec<String> = Vec::new();
            for sel in cells {
                let Some(cell) = CellRef::parse(&sel.cell) else {
                    continue;
                };
                let Some(value) = values::cell_text(sheet, cell.row, cell.col) else {
                    continue;
                };
                let name = match (&sel.mineral, other_value, other_name_offset_rows) {
                    (Some(only), _, _) => {
                        if !value.eq_ignore_ascii_case(only) {
                            continue;
                        }
                        only.clone()
                    }
                    (None, Some(other), Some(offset)) if value.eq_ignore_ascii_case(other) => {
                        match values::cell_text(sheet, cell.row + offset, cell.col) {
                            Some(named) => named,
                            None => continue,
                        }
                    }
                    _ => value,
                };
                if !picked.iter().any(|p| p.eq_ignore_ascii_case(&name)) {
                    picked.push(name);
                }
            }
            picked.sort_by_key(|m| m.to_lowercase());
            picked
        }
    }
}

/// Answers of every per-mineral question for every mineral in scope.
pub fn mineral_answers(
    sheet: &Sheet,
    def: &TemplateDef,
    minerals: &[String],
) -> IndexMap<String, IndexMap<String, Answer>> {
    let mut out: IndexMap<String, IndexMap<String, Answer>> = IndexMap::new();
    for mineral in minerals {
        out.insert(mineral.clone(), IndexMap::new());
    }
    for q in &def.questions {
        for (i, mineral) in minerals.iter().enumerate() {
            if let Some(row) = question_row(q, mineral, i) {
                let answer = read_answer(sheet, def, q, row);
                if let Some(map) = out.get_mut(mineral) {
                    map.insert(q.id.clone(), answer);
                }
            }
        }
    }
    out
}

/// Company-level answers; per-mineral questions give one answer per mineral in scope.
pub fn company_answers(
    sheet: &Sheet,
    def: &TemplateDef,
    minerals: &[String],
) -> IndexMap<String, CompanyAnswer> {
    let mut out = IndexMap::new();
    for q in &def.company_questions {
        if let Some(row) = q.row {
            out.insert(
                q.id.clone(),
                CompanyAnswer::Single(read_answer(sheet, def, q, row)),
            );
            continue;
        }
        let mut per = IndexMap::new();
        for (i, mineral) in minerals.iter().enumerate() {
            if let Some(row) = question_row(q, mineral, i) {
                per.insert(mineral.clone(), read_answer(sheet, def, q, row));
            }
        }
        out.insert(q.id.clone(), CompanyAnswer::PerMineral(per));
    }
    out
}

/// Minerals whose activating questions (Q1, Q2; CRT/AMRT Q1) are all answered Yes.
pub fn active_minerals(
    def: &TemplateDef,
    answers: &IndexMap<String, IndexMap<String, Answer>>,
) -> Vec<String> {
    answers
        .iter()
        .filter(|(_, qs)| {
            def.checker.active_questions.iter().all(|id| {
                qs.get(id)
                    .and_then(|a| a.answer.as_deref())
                    .is_some_and(|a| a.eq_ignore_ascii_case("yes"))
            })
        })
        .map(|(m, _)| m.clone())
        .collect()
}

/// The row of a question for a mineral: its fixed row, or the row of its slot.
fn question_row(q: &QuestionDef, mineral: &str, slot_index: usize) -> Option<u32> {
    if let Some(rows) = &q.rows {
        return rows.get(mineral).copied();
    }
    q.slot_rows.as_ref()?.get(slot_index).copied()
}

fn read_answer(sheet: &Sheet, def: &TemplateDef, q: &QuestionDef, row: u32) -> Answer {
    let value = sheet.get(row, def.answer_column());
    let answer = if q.is_percentage() {
        values::percentage_text(value)
    } else {
        values::text(value)
    };
    let comment = values::cell_text(sheet, row, def.comment_column());
    Answer {
        answer,
        comment,
        cell: format!(
            "Declaration!{}",
            CellRef {
                row,
                col: def.answer_column()
            }
        ),
    }
}
