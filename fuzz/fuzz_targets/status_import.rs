//! Fuzz target: arbitrary bytes as an RMI facility status list (CSV) end in a snapshot or a
//! StatusImportError, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 31).expect("valid date");
    let _ = oretrail_facilities::import_status_csv(data, "fuzz.csv", as_of);
});
