//! One supplier file through Oretrail's pipeline — read, resolve, validate — and the record
//! (`parse --json` line) that the CLI, the web app and the tests share.

pub mod files;
pub mod record;

pub use files::{collect_inputs, InputFile};
pub use record::{process_bytes, process_path, FileRecord};
