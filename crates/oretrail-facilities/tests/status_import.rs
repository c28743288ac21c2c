//! Importing an RMAP status list saved as .xlsx (title rows, a notes sheet, a real date cell).

use chrono::NaiveDate;
use oretrail_facilities::{RmapStatus, StatusHistory, import_status_file};
use std::path::Path;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

#[test]
fn an_xlsx_status_list_imports_from_the_sheet_that_has_the_header() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/status_list.xlsx");
    let snapshot = import_status_file(&path, date(2025, 6, 30)).expect("imports");
    assert_eq!(snapshot.entries.len(), 3);
    let boliden = &snapshot.entries[0];
    assert_eq!(boliden.metal.as_deref(), Some("Gold"));
    assert_eq!(boliden.last_audit, Some(date(2024, 3, 15)));
    assert_eq!(boliden.reaudit_due, Some(date(2025, 3, 15)));
    assert_eq!(boliden.cross_recognition.as_deref(), Some("LBMA"));
    let materion = &snapshot.entries[1];
    assert_eq!(materion.audit_cycle_years, Some(3));
    assert_eq!(materion.reaudit_due, Some(date(2026, 11, 30)));
    assert_eq!(materion.reaudit_in_progress, Some(true));
    assert_eq!(
        snapshot.entries[2].status,
        RmapStatus::CommunicationSuspended
    );

    let mut history = StatusHistory::new();
    history.add(snapshot);
    let now = history
        .status_as_of("CID002548", date(2025, 7, 1))
        .expect("listed");
    assert_eq!(
        now.entry.standard_name.as_deref(),
        Some("Materion Newton Inc.")
    );
    assert!(
        history
            .status_as_of("CID002548", date(2025, 6, 29))
            .is_none()
    );
}

#[test]
fn a_missing_file_is_reported_with_its_path() {
    let err = import_status_file(Path::new("/nonexistent/list.xlsx"), date(2025, 1, 1))
        .expect_err("missing");
    assert!(err.to_string().contains("/nonexistent/list.xlsx"), "{err}");
}
