//! One supplier file through Oretrail's pipeline — read, resolve facilities, validate — and
//! the record (`parse --json` line) that the CLI, the web app and the tests share.

pub mod batch;
pub mod files;
pub mod pipeline;
pub mod record;

pub use batch::process_batch;
pub use files::{InputFile, collect_inputs};
pub use pipeline::Pipeline;
pub use record::FileRecord;
