//! The Smelter List: coverage of active minerals, rows of undeclared metals, "not listed" and
//! "not yet identified" rows, typed CIDs, duplicates, countries, answers contradicting the list.

use crate::context::ValidationContext;
use crate::countries::same_country;
use crate::declaration::SHEET as DECLARATION;
use crate::minerals::{Facts, answer, question_row};
use crate::problem::{Code, Problem, Severity};
use crate::text::{blank, cell_part, clean, is_cid, is_yes, norm_cid};
use oretrail_template::{EntryKind, SmelterRow, SupplierReport, TemplateDef};
use std::collections::HashMap;

/// Column letters of the Smelter List of one template version.
struct Columns<'d> {
    def: &'d TemplateDef,
}

impl Columns<'_> {
    /// Cell of a field in a row, when the sheet has that column.
    fn cell(&self, key: &str, row: u32) -> Option<String> {
        self.def
            .smelter_list
            .columns
            .get(key)
            .map(|col| format!("{col}{row}"))
    }

    /// Cell of the first of several fields the sheet has.
    fn cell_any(&self, keys: &[&str], row: u32) -> Option<String> {
        keys.iter().find_map(|k| self.cell(k, row))
    }

    fn has(&self, key: &str) -> bool {
        self.def.smelter_list.columns.contains_key(key)
    }
}

/// The CID the row's look-up pick stands for: the resolution, else the formula value.
fn lookup_cid(row: &SmelterRow) -> Option<String> {
    if let Some(c) = row
        .resolution
        .as_ref()
        .and_then(|r| r.canonical_cid.as_deref())
    {
        return Some(norm_cid(c));
    }
    if row.formula_fields.iter().any(|f| f == "cid") {
        return clean(row.cid.as_deref()).map(norm_cid);
    }
    None
}

/// The canonical refiner of a row, when resolved.
fn canonical(row: &SmelterRow) -> Option<&str> {
    row.resolution
        .as_ref()
        .and_then(|r| clean(r.canonical_cid.as_deref()))
}

/// Whether the row's CID (column F) was typed rather than computed.
fn cid_typed(row: &SmelterRow) -> bool {
    !row.formula_fields.iter().any(|f| f == "cid")
}

/// Whether a row fills the fields the Checker needs to count it as a smelter of its metal.
fn counts_as_smelter(row: &SmelterRow, required: &[String]) -> bool {
    required.iter().all(|field| match field.as_str() {
        // Excel computes the look-up name from a Smelter ID typed in column A.
        "lookup" => !blank(row.lookup_value.as_deref()) || !blank(row.smelter_id_input.as_deref()),
        "name" => !blank(row.name.as_deref()),
        "country" => !blank(row.country.as_deref()),
        "metal" => !blank(row.metal.as_deref()),
        _ => true,
    })
}

/// Every Smelter List check.
pub(crate) fn check(
    report: &SupplierReport,
    def: &TemplateDef,
    facts: &Facts,
    ctx: &ValidationContext,
) -> Vec<Problem> {
    let sheet = def.smelter_list.sheet.as_str();
    let cols = Columns { def };
    let has_lookup = cols.has("lookup");
    let mut out = Vec::new();

    for row in &report.smelters {
        let r = row.row;
        let at = |code: Code, severity: Severity, key: &[&str]| {
            Problem::new(code, severity)
                .at(sheet, cols.cell_any(key, r))
                .row(r)
        };
        match clean(row.metal.as_deref()) {
            // A Smelter ID the look-up does not know leaves the metal empty: reported below.
            None if row.entry == EntryKind::SmelterId => {}
            None => out.push(
                at(Code::MissingRequired, Severity::Error, &["metal"]).with("field", "metal"),
            ),
            Some(metal) => {
                let declared = facts.get(metal);
                if declared.is_none_or(|m| m.declared_unused) {
                    out.push(
                        at(Code::MetalNotDeclared, Severity::Error, &["metal"])
                            .with("metal", metal),
                    );
                }
            }
        }
        match row.entry {
            EntryKind::NotListed => {
                for field in &def.checker.not_listed_required {
                    let (value, key) = match field.as_str() {
                        "name" => (row.name.as_deref(), "smelter_name"),
                        "country" => (row.country.as_deref(), "smelter_country"),
                        _ => continue,
                    };
                    if blank(value) {
                        out.push(
                            at(Code::MissingRequired, Severity::Error, &[field.as_str()])
                                .with("field", key),
                        );
                    }
                }
                if has_lookup && let Some(name) = clean(row.name.as_deref()) {
                    match (canonical(row), &row.resolution) {
                        (Some(cid), Some(res)) if res.in_template_lookup => out.push(
                            at(Code::NotListedButKnown, Severity::Warning, &["name"])
                                .with("name", name)
                                .with("canonical_cid", cid),
                        ),
                        (Some(_), _) => {}
                        (None, _) => out.push(
                            at(Code::UnknownSmelter, Severity::Warning, &["name"])
                                .with("name", name),
                        ),
                    }
                }
                if let (Some(cid), Some(metal), Some(typed), Some(dir)) = (
                    canonical(row),
                    clean(row.metal.as_deref()),
                    clean(row.country.as_deref()),
                    ctx.facilities,
                ) && let Some(expected) = dir.country_of(metal, cid)
                    && !same_country(typed, &expected)
                {
                    out.push(
                        at(
                            Code::SmelterCountryMismatch,
                            Severity::Warning,
                            &["country"],
                        )
                        .with("canonical_cid", cid)
                        .with("expected_country", expected)
                        .value(typed),
                    );
                }
            }
            EntryKind::NotYetIdentified => {
                out.push(
                    at(
                        Code::SmelterNotIdentified,
                        Severity::Warning,
                        &["lookup", "name"],
                    )
                    .with_opt("metal", clean(row.metal.as_deref())),
                );
            }
            EntryKind::Lookup | EntryKind::SmelterId => {
                // Resolved rows whose pick or typed ID designates no known refiner.
                let unresolved = row
                    .resolution
                    .as_ref()
                    .is_some_and(|r| blank(r.canonical_cid.as_deref()));
                let unknown_id = row.entry == EntryKind::SmelterId && blank(row.metal.as_deref());
                if has_lookup && (unresolved || unknown_id) {
                    let (shown, key) = match row.entry {
                        EntryKind::SmelterId => {
                            (row.smelter_id_input.as_deref(), "smelter_id_input")
                        }
                        _ => (
                            row.lookup_value.as_deref().or(row.name.as_deref()),
                            "lookup",
                        ),
                    };
                    if let Some(shown) = clean(shown) {
                        out.push(
                            at(Code::UnknownSmelter, Severity::Warning, &[key]).with("name", shown),
                        );
                    }
                }
            }
        }
        out.extend(check_cids(row, &cols, sheet));
    }
    out.extend(duplicates(report, &cols, sheet));

    // Active minerals need at least one smelter row (Checker: metal in B and look-up in C).
    for m in facts.minerals.iter().filter(|m| m.active) {
        let covered = report
            .smelters_of(&m.name)
            .any(|row| counts_as_smelter(row, &def.checker.smelter_row_required));
        if !covered {
            out.push(
                Problem::new(Code::YesWithoutSmelters, Severity::Error)
                    .at(sheet, None)
                    .with("mineral", m.name.as_str()),
            );
        }
    }

    // "All smelters identified = Yes" contradicts "Smelter not yet identified" rows.
    if let Some(qid) = def.checker.all_identified_question.as_deref()
        && let Some(q) = def.question(qid)
    {
        for m in &facts.minerals {
            let a = answer(report, &m.name, qid);
            if !is_yes(a.and_then(|a| a.answer.as_deref())) {
                continue;
            }
            let rows: Vec<u32> = report
                .smelters_of(&m.name)
                .filter(|s| s.entry == EntryKind::NotYetIdentified)
                .map(|s| s.row)
                .collect();
            if rows.is_empty() {
                continue;
            }
            let cell = a
                .map(|a| cell_part(&a.cell).to_string())
                .filter(|c| !c.is_empty())
                .or_else(|| question_row(q, m).map(|r| format!("{}{r}", def.answer_col)));
            out.push(
                Problem::new(Code::IdentifiedButUnidentifiedRows, Severity::Warning)
                    .at(DECLARATION, cell)
                    .with("field", "question")
                    .with("question", qid)
                    .with("mineral", m.name.as_str())
                    .with("smelter_rows", rows),
            );
        }
    }
    out
}

/// Typed Smelter IDs: format, contradiction with the look-up pick, stale formula values.
fn check_cids(row: &SmelterRow, cols: &Columns, sheet: &str) -> Vec<Problem> {
    let r = row.row;
    let mut out = Vec::new();
    let lookup = lookup_cid(row);
    let mut mismatch_reported = false;
    let mismatch = |key: &str, typed: &str, lookup: &str| {
        Problem::new(Code::CidNameMismatch, Severity::Error)
            .at(sheet, cols.cell(key, r))
            .row(r)
            .with("typed_cid", typed)
            .with("lookup_cid", lookup)
    };
    let invalid = |key: &str, typed: &str| {
        Problem::new(Code::InvalidCid, Severity::Warning)
            .at(sheet, cols.cell(key, r))
            .row(r)
            .value(typed)
    };
    // Column A: a typed ID that disagrees with the name picked in column C.
    if let Some(typed) = clean(row.smelter_id_input.as_deref()) {
        if !is_cid(typed) {
            out.push(invalid("smelter_id_input", typed));
        } else if row.entry == EntryKind::Lookup
            && let Some(lookup) = &lookup
            && norm_cid(typed) != *lookup
        {
            out.push(mismatch("smelter_id_input", &norm_cid(typed), lookup));
            mismatch_reported = true;
        }
    }
    // Column F: a value typed over the formula.
    if let Some(typed) = clean(row.cid.as_deref())
        && cid_typed(row)
    {
        if !is_cid(typed) {
            out.push(invalid("cid", typed));
        } else if matches!(row.entry, EntryKind::Lookup | EntryKind::SmelterId)
            && let Some(canon) = canonical(row)
            && norm_cid(typed) != norm_cid(canon)
        {
            out.push(mismatch("cid", &norm_cid(typed), &norm_cid(canon)));
            mismatch_reported = true;
        }
    }
    // A contradiction the resolver found that the rules above did not.
    if !mismatch_reported
        && let Some(res) = &row.resolution
        && let Some(conflict) = clean(res.conflicting_cid.as_deref())
    {
        let key = if row
            .smelter_id_input
            .as_deref()
            .is_some_and(|a| norm_cid(a) == norm_cid(conflict))
        {
            "smelter_id_input"
        } else {
            "cid"
        };
        out.push(
            Problem::new(Code::CidNameMismatch, Severity::Error)
                .at(sheet, cols.cell(key, r))
                .row(r)
                .with("typed_cid", norm_cid(conflict))
                .with_opt("lookup_cid", canonical(row).map(norm_cid)),
        );
        mismatch_reported = true;
    }
    // The cached formula value of F disagrees with the look-up entry picked in C.
    if !mismatch_reported
        && row.entry == EntryKind::Lookup
        && !cid_typed(row)
        && let (Some(cached), Some(canon)) = (clean(row.cid.as_deref()), canonical(row))
        && norm_cid(cached) != norm_cid(canon)
    {
        out.push(
            Problem::new(Code::CachedValueMismatch, Severity::Warning)
                .at(sheet, cols.cell("cid", r))
                .row(r)
                .with("field", "cid")
                .with("canonical_cid", norm_cid(canon))
                .value(cached),
        );
    }
    out
}

/// Rows naming the same refiner as an earlier row of the same metal.
fn duplicates(report: &SupplierReport, cols: &Columns, sheet: &str) -> Vec<Problem> {
    let mut first: HashMap<(String, String), u32> = HashMap::new();
    let mut out = Vec::new();
    for row in &report.smelters {
        if row.entry == EntryKind::NotYetIdentified {
            continue;
        }
        let Some(metal) = clean(row.metal.as_deref()) else {
            continue;
        };
        let (key, cid) = match canonical(row) {
            Some(cid) => (format!("cid:{}", norm_cid(cid)), Some(norm_cid(cid))),
            None => {
                // Unresolved: same stated CID, else same name (case and spaces ignored).
                let stated = if row.resolution.is_none() {
                    lookup_cid(row).or_else(|| {
                        clean(row.cid.as_deref())
                            .filter(|c| is_cid(c))
                            .map(norm_cid)
                    })
                } else {
                    None
                };
                match stated {
                    Some(cid) => (format!("cid:{cid}"), Some(cid)),
                    None => {
                        let Some(name) = clean(row.name.as_deref())
                            .or_else(|| clean(row.lookup_value.as_deref()))
                        else {
                            continue;
                        };
                        let words: Vec<String> =
                            name.split_whitespace().map(str::to_lowercase).collect();
                        (format!("name:{}", words.join(" ")), None)
                    }
                }
            }
        };
        match first.get(&(metal.to_lowercase(), key.clone())) {
            Some(first_row) => out.push(
                Problem::new(Code::DuplicateSmelter, Severity::Warning)
                    .at(sheet, cols.cell_any(&["lookup", "name"], row.row))
                    .row(row.row)
                    .with("first_row", *first_row)
                    .with_opt("canonical_cid", cid),
            ),
            None => {
                first.insert((metal.to_lowercase(), key), row.row);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::FnDirectory;
    use crate::testutil::{
        cmrt, crt, emrt2, lookup_row, not_listed_row, run, run_with, set_answer, unidentified_row,
    };

    fn found(problems: &[Problem]) -> Vec<(Code, Option<String>)> {
        problems.iter().map(|p| (p.code, p.cell.clone())).collect()
    }

    #[test]
    fn cmrt_active_metal_needs_a_smelter_row() {
        let (mut report, def) = cmrt();
        report
            .smelters
            .retain(|s| s.metal.as_deref() != Some("Gold"));
        let problems = run(&report, def);
        assert_eq!(found(&problems), [(Code::YesWithoutSmelters, None)]);
        assert_eq!(problems[0].context_str("mineral"), Some("Gold"));
        assert_eq!(problems[0].sheet.as_deref(), Some("Smelter List"));
    }

    #[test]
    fn emrt_2_1_each_active_mineral_needs_smelters() {
        let (mut report, def) = emrt2(&["Cobalt", "Lithium"]);
        report.smelters.clear();
        let minerals: Vec<_> = run(&report, def)
            .iter()
            .map(|p| p.context_str("mineral").unwrap_or("").to_string())
            .collect();
        assert_eq!(minerals, ["Cobalt", "Lithium"]);
    }

    #[test]
    fn cmrt_rows_of_metal_declared_not_used() {
        let (mut report, def) = cmrt();
        for q in ["Q2", "Q3", "Q4", "Q5", "Q6", "Q7", "Q8"] {
            set_answer(&mut report, "Tungsten", q, None);
        }
        set_answer(&mut report, "Tungsten", "Q1", Some("No"));
        let problems = run(&report, def);
        let row = report
            .smelters
            .iter()
            .find(|s| s.metal.as_deref() == Some("Tungsten"))
            .map(|s| s.row)
            .expect("tungsten row");
        assert_eq!(
            found(&problems),
            [(Code::MetalNotDeclared, Some(format!("B{row}")))]
        );
        assert_eq!(problems[0].context_str("metal"), Some("Tungsten"));
    }

    #[test]
    fn emrt_2_1_rows_of_unselected_mineral() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report.smelters.push(lookup_row(
            40,
            "Nickel",
            "Some Nickel Refinery",
            "CID004008",
        ));
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [(Code::MetalNotDeclared, Some("B40".into()))]
        );
    }

    #[test]
    fn not_listed_rows_need_name_and_country() {
        let (mut report, def) = cmrt();
        let mut row = not_listed_row(30, "Gold", None, None, None);
        row.country = None;
        report.smelters.push(row);
        let fields: Vec<_> = run(&report, def)
            .iter()
            .filter(|p| p.code == Code::MissingRequired)
            .map(|p| {
                (
                    p.context_str("field").unwrap_or("").to_string(),
                    p.cell.clone(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("smelter_name".to_string(), Some("D30".to_string())),
                ("smelter_country".to_string(), Some("E30".to_string()))
            ]
        );
    }

    #[test]
    fn not_listed_known_and_unknown_refiners() {
        let (mut report, def) = crt();
        report.smelters.push(not_listed_row(
            20,
            "Cobalt",
            Some("freeport kokkola"),
            Some("FINLAND"),
            Some(("CID003226", true)),
        ));
        report.smelters.push(not_listed_row(
            21,
            "Cobalt",
            Some("Xinyang Bluestone"),
            Some("CHINA"),
            None,
        ));
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [
                (Code::NotListedButKnown, Some("D20".into())),
                (Code::UnknownSmelter, Some("D21".into()))
            ]
        );
        assert_eq!(problems[0].context_str("canonical_cid"), Some("CID003226"));
        assert_eq!(problems[1].context_str("name"), Some("Xinyang Bluestone"));
    }

    #[test]
    fn not_yet_identified_rows_and_the_identified_question() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report.smelters.push(unidentified_row(7, "Cobalt"));
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [
                (Code::IdentifiedButUnidentifiedRows, Some("D90".into())),
                (Code::SmelterNotIdentified, Some("C7".into()))
            ]
        );
        set_answer(&mut report, "Cobalt", "Q6", Some("No"));
        assert_eq!(
            found(&run(&report, def)),
            [(Code::SmelterNotIdentified, Some("C7".into()))]
        );
    }

    #[test]
    fn typed_cid_in_a_or_f_contradicting_the_pick() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        let mut a = lookup_row(7, "Cobalt", "La Miniere de Kasombo", "CID003276");
        a.smelter_id_input = Some("CID003215".into());
        let mut f = lookup_row(
            10,
            "Cobalt",
            "Hunan Yacheng New Materials Co., Ltd.",
            "CID003404",
        );
        f.cid = Some("CID003301".into());
        f.formula_fields.retain(|x| x != "cid");
        report.smelters.extend([a, f]);
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [
                (Code::CidNameMismatch, Some("A7".into())),
                (Code::CidNameMismatch, Some("F10".into()))
            ]
        );
        assert_eq!(problems[0].context_str("typed_cid"), Some("CID003215"));
        assert_eq!(problems[0].context_str("lookup_cid"), Some("CID003276"));
        assert_eq!(problems[1].context_str("lookup_cid"), Some("CID003404"));
    }

    #[test]
    fn typed_cid_without_resolution_uses_formula_value() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        let mut a = lookup_row(7, "Cobalt", "La Miniere de Kasombo", "CID003276");
        a.resolution = None;
        a.smelter_id_input = Some("CID003215".into());
        report.smelters.push(a);
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [(Code::CidNameMismatch, Some("A7".into()))]
        );
    }

    #[test]
    fn malformed_typed_ids() {
        let (mut report, def) = cmrt();
        let mut row = lookup_row(30, "Gold", "Torecom", "CID001955");
        row.smelter_id_input = Some("1955".into());
        report.smelters.push(row);
        assert_eq!(
            found(&run(&report, def)),
            [(Code::InvalidCid, Some("A30".into()))]
        );
    }

    #[test]
    fn duplicates_by_canonical_refiner() {
        let (mut report, def) = emrt2(&["Cobalt"]);
        report
            .smelters
            .push(lookup_row(14, "Cobalt", "Freeport Kokkola", "CID003226"));
        report
            .smelters
            .push(lookup_row(15, "Cobalt", "Umicore Finland Oy", "CID003226"));
        report.smelters.push(not_listed_row(
            16,
            "Cobalt",
            Some("Umicore Kokola"),
            Some("FINLAND"),
            Some(("CID003226", true)),
        ));
        let problems: Vec<_> = run(&report, def)
            .into_iter()
            .filter(|p| p.code == Code::DuplicateSmelter)
            .collect();
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[0].cell.as_deref(), Some("C15"));
        assert_eq!(
            problems[0].context.get("first_row"),
            Some(&serde_json::json!(14))
        );
        assert_eq!(problems[1].row, Some(16));
        assert_eq!(problems[1].context_str("canonical_cid"), Some("CID003226"));
    }

    #[test]
    fn unresolved_rows_do_not_crash_and_still_find_repeats() {
        let (mut report, def) = cmrt();
        for s in &mut report.smelters {
            s.resolution = None;
        }
        let again = report.smelters[0].clone();
        let row = 99;
        report.smelters.push(SmelterRow { row, ..again });
        report.smelters.push(not_listed_row(
            100,
            "Gold",
            Some("Some Refinery"),
            Some("JAPAN"),
            None,
        ));
        let problems = run(&report, def);
        assert_eq!(
            found(&problems),
            [
                (Code::DuplicateSmelter, Some("C99".into())),
                (Code::UnknownSmelter, Some("D100".into()))
            ]
        );
    }

    #[test]
    fn country_of_resolved_refiner_differs() {
        let (mut report, def) = crt();
        report.smelters.push(not_listed_row(
            20,
            "Cobalt",
            Some("Umicore Kokkola"),
            Some("Belgium"),
            Some(("CID003226", false)),
        ));
        let dir =
            FnDirectory(|_: &str, cid: &str| (cid == "CID003226").then(|| "FINLAND".to_string()));
        let ctx = ValidationContext {
            facilities: Some(&dir),
            ..Default::default()
        };
        let problems = run_with(&report, def, &ctx);
        assert_eq!(
            found(&problems),
            [(Code::SmelterCountryMismatch, Some("E20".into()))]
        );
        if let Some(last) = report.smelters.last_mut() {
            last.country = Some("Finland".into());
        }
        assert!(run_with(&report, def, &ctx).is_empty());
    }

    #[test]
    fn unknown_look_up_names_and_ids() {
        let (mut report, def) = cmrt();
        let mut picked = lookup_row(30, "Gold", "Not A Real Refinery", "CID000000");
        picked.cid = None;
        if let Some(r) = picked.resolution.as_mut() {
            r.canonical_cid = None;
        }
        let mut typed = lookup_row(31, "Gold", "", "CID999999");
        typed.entry = EntryKind::SmelterId;
        typed.metal = None;
        typed.lookup_value = None;
        typed.cid = None;
        typed.smelter_id_input = Some("CID999999".into());
        typed.resolution = None;
        report.smelters.extend([picked, typed]);
        assert_eq!(
            found(&run(&report, def)),
            [
                (Code::UnknownSmelter, Some("C30".into())),
                (Code::UnknownSmelter, Some("A31".into()))
            ]
        );
    }

    #[test]
    fn stale_cached_cid() {
        let (mut report, def) = cmrt();
        let mut row = lookup_row(30, "Gold", "Torecom", "CID001955");
        row.cid = Some("CID000001".into());
        report.smelters.push(row);
        assert_eq!(
            found(&run(&report, def)),
            [(Code::CachedValueMismatch, Some("F30".into()))]
        );
    }
}
