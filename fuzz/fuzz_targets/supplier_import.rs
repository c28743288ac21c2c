//! Fuzz target: arbitrary bytes as a supplier (ERP export) CSV end in parsed lines with
//! rejected-line reports or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(rows) = oretrail_store::supplier_import::read_csv(data) {
        let _ = oretrail_store::supplier_import::parse_rows(&rows, &Default::default());
    }
});
