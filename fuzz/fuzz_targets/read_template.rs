//! Fuzz target: arbitrary bytes through the template reader must end in Ok or a ReadError,
//! never a panic, within the reader's limits.
#![no_main]

use libfuzzer_sys::fuzz_target;
use oretrail_reader::{Limits, ReadOptions, read_bytes};

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        limits: Limits {
            max_part_bytes: 64 * 1024 * 1024,
            max_total_bytes: 128 * 1024 * 1024,
            ..Limits::default()
        },
        with_lookup: true,
    };
    let _ = read_bytes(data, &options);
});
