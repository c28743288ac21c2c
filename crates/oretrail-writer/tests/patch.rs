//! The patcher on the real RMI templates: only edited parts change, the reader sees the edits.

mod common;

use common::{blank_templates, diff_entries, filled_samples, part_text};
use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_template::{CellRef, EntryKind};
use oretrail_writer::{WorkbookPatch, WriteError};

fn cell(def: &oretrail_template::TemplateDef, key: &str) -> CellRef {
    def.declaration_cell(key).expect("registry cell")
}

fn list_cell(list: &oretrail_template::registry::ListDef, key: &str, row: u32) -> Option<CellRef> {
    list.col(key).map(|col| CellRef { row, col })
}

#[test]
fn untouched_parts_stay_byte_identical() {
    let options = ReadOptions {
        with_lookup: true,
        ..ReadOptions::default()
    };
    for path in blank_templates() {
        let name = path.display().to_string();
        let original = std::fs::read(&path).expect("template");
        let before = read_bytes(&original, &options).expect("blank reads");
        let def = before.def;
        let mut patch = WorkbookPatch::new();
        patch.set_text(
            "Declaration",
            cell(def, "company_name"),
            "Oretrail Test & Co. <Ltd>",
        );
        patch.set_text("Declaration", cell(def, "contact_email"), "qa@example.com");
        patch.set_number("Declaration", cell(def, "effective_date"), 45_678.0);
        let list = &def.smelter_list;
        let row = list.first_data_row + 1;
        let entry = before
            .lookup
            .as_ref()
            .and_then(|l| l.iter().find(|e| e.cid.is_some()))
            .cloned();
        if let (Some(e), Some(lookup)) = (&entry, list_cell(list, "lookup", row)) {
            let metal = list_cell(list, "metal", row).expect("metal column");
            patch.replace_with_text(&list.sheet, metal, &e.metal);
            patch.replace_with_text(&list.sheet, lookup, &e.lookup_name);
        }
        let patched = patch
            .apply_with_details(&original)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            patched.copied + patched.rewritten.len() + patched.removed.len(),
            common::raw_entries(&original).len(),
            "{name}"
        );
        let (changed, added, removed) = diff_entries(&original, &patched.bytes);
        assert!(added.is_empty(), "{name}: added {added:?}");
        let allowed_changes = [
            "xl/workbook.xml",
            "xl/worksheets/sheet4.xml",
            "xl/worksheets/sheet5.xml",
            "xl/worksheets/sheet6.xml",
            "xl/_rels/workbook.xml.rels",
            "[Content_Types].xml",
        ];
        for c in &changed {
            assert!(allowed_changes.contains(&c.as_str()), "{name}: {c} changed");
        }
        // A calculation chain goes only when the look-up pick replaced a formula.
        for r in &removed {
            assert_eq!(r, "xl/calcChain.xml", "{name}");
        }
        let after = read_bytes(&patched.bytes, &options).expect("patched reads");
        let d = &after.report.declaration;
        assert_eq!(
            d.company_name.as_deref(),
            Some("Oretrail Test & Co. <Ltd>"),
            "{name}"
        );
        assert_eq!(d.contact_email.as_deref(), Some("qa@example.com"), "{name}");
        assert_eq!(d.effective_date.as_deref(), Some("2025-01-21"), "{name}");
        if let Some(e) = &entry {
            let row_read = after
                .report
                .smelters
                .iter()
                .find(|s| s.row == row)
                .unwrap_or_else(|| panic!("{name}: row {row} not read"));
            assert_eq!(row_read.entry, EntryKind::Lookup, "{name}");
            assert_eq!(
                row_read.lookup_value.as_ref(),
                Some(&e.lookup_name),
                "{name}"
            );
        }
        let wb = part_text(&patched.bytes, "xl/workbook.xml");
        assert!(wb.contains("fullCalcOnLoad=\"1\""), "{name}");
        // Everything protection-related is still there.
        let orig_wb = part_text(&original, "xl/workbook.xml");
        assert_eq!(
            orig_wb.matches("<definedName ").count(),
            wb.matches("<definedName ").count(),
            "{name}"
        );
        assert_eq!(
            orig_wb.contains("workbookProtection"),
            wb.contains("workbookProtection"),
            "{name}"
        );
    }
}

#[test]
fn input_cells_refuse_to_overwrite_formulas() {
    let path = common::workspace().join("templates/rmi/RMI_CMRT_6.5.xlsx");
    let original = std::fs::read(path).expect("template");
    let mut patch = WorkbookPatch::new();
    // Smelter List!E6 (country) is a formula in every pre-formatted row.
    patch.set_text("Smelter List", CellRef::parse("E6").expect("cell"), "CHINA");
    assert!(matches!(
        patch.apply(&original),
        Err(WriteError::FormulaCell { .. })
    ));
    let mut patch = WorkbookPatch::new();
    patch.set_text("No Such Sheet", CellRef::parse("A1").expect("cell"), "x");
    assert!(matches!(
        patch.apply(&original),
        Err(WriteError::NoSuchSheet(_))
    ));
}

#[test]
fn the_input_buffer_is_never_modified() {
    let path = common::workspace().join("templates/rmi/RMI_EMRT_2.1.xlsx");
    let original = std::fs::read(path).expect("template");
    let copy = original.clone();
    let mut patch = WorkbookPatch::new();
    patch.set_text("Declaration", CellRef::parse("D8").expect("cell"), "X");
    let out = patch.apply(&original).expect("apply");
    assert_eq!(original, copy);
    assert_ne!(out, original);
}

#[test]
fn non_workbooks_are_rejected_with_the_readers_reason() {
    for path in filled_samples() {
        let bytes = std::fs::read(&path).expect("file");
        if oretrail_reader::package::Package::open(&bytes, oretrail_reader::Limits::default())
            .is_ok()
        {
            continue;
        }
        let mut patch = WorkbookPatch::new();
        patch.set_text("Declaration", CellRef::parse("D8").expect("cell"), "X");
        assert!(
            matches!(patch.apply(&bytes), Err(WriteError::Open(_))),
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_replaced_formula_drops_the_stale_calculation_chain() {
    let path = common::workspace().join("templates/rmi/RMI_CMRT_6.22.xlsx");
    let original = std::fs::read(path).expect("template");
    let mut patch = WorkbookPatch::new();
    // Smelter List!B7 holds the Smelter-ID formula of the metal column; a pick replaces it.
    patch.replace_with_text("Smelter List", CellRef::parse("B7").expect("cell"), "Tin");
    let patched = patch.apply_with_details(&original).expect("apply");
    assert_eq!(patched.removed, ["xl/calcChain.xml"]);
    let rels = part_text(&patched.bytes, "xl/_rels/workbook.xml.rels");
    assert!(!rels.contains("calcChain"));
    let ct = part_text(&patched.bytes, "[Content_Types].xml");
    assert!(!ct.contains("calcChain"));
    // Keeping the formula (a cached value) keeps the chain.
    let mut patch = WorkbookPatch::new();
    patch.set_cached_text("Smelter List", CellRef::parse("B7").expect("cell"), "Tin");
    let patched = patch.apply_with_details(&original).expect("apply");
    assert!(patched.removed.is_empty());
}

#[test]
fn markup_outside_the_cell_data_is_unchanged() {
    for path in blank_templates() {
        let name = path.display().to_string();
        let original = std::fs::read(&path).expect("template");
        let outcome = read_bytes(&original, &ReadOptions::default()).expect("reads");
        let mut patch = WorkbookPatch::new();
        patch.set_text("Declaration", cell(outcome.def, "company_name"), "Kept Ltd");
        let patched = patch.apply(&original).expect("apply");
        let (changed, _, _) = diff_entries(&original, &patched);
        for part in changed.iter().filter(|p| p.contains("worksheets/")) {
            let (a, b) = (part_text(&original, part), part_text(&patched, part));
            let head = |s: &str| s[..s.find("<sheetData").unwrap_or(0)].to_string();
            let tail = |s: &str| s[s.find("</sheetData>").unwrap_or(s.len())..].to_string();
            assert_eq!(
                head(&a),
                head(&b),
                "{name} {part}: before <sheetData> changed"
            );
            assert_eq!(
                tail(&a),
                tail(&b),
                "{name} {part}: protection, validations or formats changed"
            );
        }
    }
}
