//! Writes RMI reporting templates without damaging them.
//!
//! RMI templates are protected workbooks full of validations, dynamic-array formulas, hidden
//! sheets and defined names that general-purpose spreadsheet libraries lose on a round trip. The
//! writer therefore never re-creates a workbook: [`patch`] rewrites only the zip parts an edit
//! touches (the edited sheets, and where needed the styles, the workbook's calculation flag and
//! comment parts) and raw-copies every other entry, compressed bytes unchanged.
//!
//! On top of it, [`feedback`] returns a supplier's own workbook with problem cells highlighted
//! and commented, and [`mod@generate`] derives any number of valid filled templates from real ones
//! for benchmarks.

mod comments;
pub mod error;
pub mod feedback;
pub mod generate;
mod names;
mod package;
pub mod patch;
mod rng;
mod sheet;
mod styles;
pub mod summary;
mod xml;

pub use error::{Result, WriteError};
pub use feedback::{ProblemMark, feedback_workbook};
pub use generate::{GeneratedFile, Intended, Source, generate, sources_in, verify};
pub use names::Supplier;
pub use patch::{CellEdit, CellValue, FormulaPolicy, Patched, WorkbookPatch};
pub use summary::{feedback_summary_html, feedback_summary_text};
