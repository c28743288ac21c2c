//! Safety limits that bound the memory and time spent on any input.

/// Limits applied while reading a workbook; exceeding one rejects the file.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Most entries a zip package may list.
    pub max_zip_entries: usize,
    /// Largest uncompressed size of one part that is read, in bytes.
    pub max_part_bytes: u64,
    /// Largest total of uncompressed bytes read from one file.
    pub max_total_bytes: u64,
    /// Highest compression ratio accepted for a part that is read (zip-bomb guard).
    pub max_compression_ratio: u64,
    /// Most non-empty cells kept from one sheet.
    pub max_cells_per_sheet: usize,
    /// Highest row number accepted in a list sheet (Excel's own maximum is 1,048,576).
    pub max_row: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 100 * 1024 * 1024,
            max_zip_entries: 10_000,
            max_part_bytes: 256 * 1024 * 1024,
            max_total_bytes: 768 * 1024 * 1024,
            max_compression_ratio: 1_000,
            max_cells_per_sheet: 4_000_000,
            max_row: 1_048_576,
        }
    }
}
