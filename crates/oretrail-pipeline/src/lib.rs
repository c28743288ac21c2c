//! One supplier file through Oretrail's pipeline — read, resolve, validate — and the record
//! (`parse --json` line) that the CLI, the web app and the tests share.

pub mod files;
pub mod record;

pub use files::{InputFile, collect_inputs};
pub use record::{FileRecord, process_bytes, process_path};
