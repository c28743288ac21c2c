//! Feedback copies of real supplier files: marked, commented, and still the same report.

mod common;

use common::{diff_entries, filled_samples, part_text};
use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_validate::{Severity, ValidationContext, validate};
use oretrail_writer::{
    ProblemMark, feedback_summary_html, feedback_summary_text, feedback_workbook,
};

fn synthetic(sheet: &str, cell: Option<&str>, row: Option<u32>, severity: Severity) -> ProblemMark {
    ProblemMark {
        sheet: Some(sheet.to_string()),
        cell: cell.map(str::to_string),
        row,
        severity,
        code: "test_mark".into(),
        message: format!("Synthetic {} mark <&> \"quoted\"", severity.as_str()),
    }
}

#[test]
fn feedback_copy_reads_back_to_the_same_report() {
    let mut checked = 0;
    for path in filled_samples() {
        let name = path.display().to_string();
        let original = std::fs::read(&path).expect("file");
        let Ok(before) = read_bytes(&original, &ReadOptions::default()) else {
            // Rejected files (CSV, .xls, not a template) have nothing to mark.
            continue;
        };
        let problems = validate(&before.report, before.def, &ValidationContext::default());
        let mut marks: Vec<ProblemMark> = problems.iter().map(ProblemMark::from).collect();
        let list = &before.def.smelter_list.sheet;
        for s in before.report.smelters.iter().take(3) {
            marks.push(synthetic(list, None, Some(s.row), Severity::Warning));
        }
        marks.push(synthetic(list, None, None, Severity::Error));
        marks.push(synthetic(
            "Declaration",
            Some("$D$8"),
            None,
            Severity::Error,
        ));
        marks.push(synthetic("Declaration", Some("D8"), None, Severity::Info));
        // A cell the sheet has no element for, and a helper cell some templates comment already.
        marks.push(synthetic(
            "Declaration",
            Some("Z300"),
            None,
            Severity::Warning,
        ));
        marks.push(synthetic("Declaration", Some("P3"), None, Severity::Info));
        marks.push(synthetic(
            "No Such Sheet",
            Some("A1"),
            None,
            Severity::Error,
        ));

        let marked = feedback_workbook(&original, &marks).unwrap_or_else(|e| panic!("{name}: {e}"));
        let after = read_bytes(&marked, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: marked copy unreadable: {e}"));
        assert_eq!(before.report, after.report, "{name}: report changed");

        let (changed, added, removed) = diff_entries(&original, &marked);
        assert!(removed.is_empty(), "{name}: removed {removed:?}");
        assert!(
            !changed
                .iter()
                .any(|c| c.ends_with("workbook.xml") || c.contains("sharedStrings")),
            "{name}: {changed:?}"
        );
        for part in changed.iter().chain(&added) {
            let ok = part.starts_with("xl/worksheets/")
                || part.ends_with("styles.xml")
                || part.contains("comment")
                || part.ends_with(".vml")
                || part == "[Content_Types].xml";
            assert!(ok, "{name}: unexpected part {part}");
        }
        let ct = part_text(&marked, "[Content_Types].xml");
        let comment_parts: Vec<&String> = changed
            .iter()
            .chain(&added)
            .filter(|p| p.contains("comment") && p.ends_with(".xml"))
            .collect();
        assert!(!comment_parts.is_empty(), "{name}: no comments written");
        for p in &comment_parts {
            assert!(
                ct.contains(&format!("/{p}\"")),
                "{name}: {p} has no content type"
            );
            let xml = part_text(&marked, p);
            assert!(xml.contains("Oretrail"), "{name}: {p}");
        }
        let styles = part_text(&marked, "xl/styles.xml");
        assert!(styles.contains("FFFF7C80"), "{name}: no error fill");
        checked += 1;
    }
    assert!(checked >= 8, "only {checked} files checked");
}

#[test]
fn summaries_list_the_problems_of_a_real_file() {
    let path =
        common::workspace().join("demo/templates/CMRT_6.5_Dunmore Capacitor Works_2025.xlsx");
    let original = std::fs::read(&path).expect("demo file");
    let outcome = read_bytes(&original, &ReadOptions::default()).expect("reads");
    let problems = validate(&outcome.report, outcome.def, &ValidationContext::default());
    let marks: Vec<ProblemMark> = problems.iter().map(ProblemMark::from).collect();
    let text = feedback_summary_text("Dunmore.xlsx", &outcome.report, &marks);
    let html = feedback_summary_html("Dunmore.xlsx", &outcome.report, &marks);
    assert!(text.starts_with("Feedback on \"Dunmore.xlsx\""));
    assert!(text.contains("CMRT 6.5"));
    assert!(html.starts_with("<section class=\"oretrail-feedback\">"));
    for m in &marks {
        if let Some(cell) = &m.cell {
            assert!(text.contains(cell.as_str()), "{cell} missing from summary");
        }
    }
}
