//! Writes RMI reporting templates without damaging them.
//!
//! RMI templates are protected workbooks full of validations, dynamic-array formulas, hidden
//! sheets and defined names that general-purpose spreadsheet libraries lose on a round trip. The
//! writer therefore never re-creates a workbook: [`patch`] rewrites only the zip parts an edit
//! touches (the edited sheets, and where needed the styles, the workbook's calculation flag and
//! comment parts) and raw-copies every other entry, compressed bytes unchanged.
//!
//! On top of it, [`feedback`] returns a supplier's own workbook with problem cells highlighted
//! and commented, and [`generate`] derives any number of valid filled templates from real ones
//! for benchmarks.

pub mod comments;
pub mod error;
pub mod feedback;
pub mod generate;
pub mod names;
pub mod package;
pub mod patch;
pub mod rng;
pub mod sheet;
pub mod styles;
pub mod summary;
pub mod xml;

pub use error::{Result, WriteError};
pub use feedback::{ProblemMark, feedback_workbook};
pub use generate::{GeneratedFile, Intended, Source, generate, sources_in, verify};
pub use patch::{CellEdit, CellValue, FormulaPolicy, Patched, WorkbookPatch};
pub use summary::{feedback_summary_html, feedback_summary_text};
