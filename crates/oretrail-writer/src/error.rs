//! Why a workbook could not be written.

use oretrail_reader::ReadError;

/// A failure while patching, annotating or generating a workbook.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The input is not a workbook the reader can open (CSV, .xls, truncated, encrypted, ...).
    #[error("cannot open the workbook: {0}")]
    Open(#[from] ReadError),
    /// The zip package could not be read or written.
    #[error("zip package error: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// Writing the new package failed.
    #[error("i/o error while writing the package: {0}")]
    Io(#[from] std::io::Error),
    /// An edit names a sheet the workbook does not have.
    #[error("the workbook has no sheet named '{0}'")]
    NoSuchSheet(String),
    /// A package part the workbook needs is missing.
    #[error("the package has no part '{0}'")]
    MissingPart(String),
    /// A part is larger than the safety limit allows.
    #[error("part '{part}' is {size} bytes uncompressed, above the limit of {limit} bytes")]
    PartTooLarge {
        /// Part name.
        part: String,
        /// Declared uncompressed size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// A part is not well-formed XML.
    #[error("part '{part}' is not well-formed XML: {detail}")]
    Xml {
        /// Part name.
        part: String,
        /// Parser message.
        detail: String,
    },
    /// An edit would overwrite a formula and the caller did not allow it.
    #[error("{sheet}!{cell} holds a formula; the edit does not allow replacing it")]
    FormulaCell {
        /// Sheet name.
        sheet: String,
        /// A1 reference.
        cell: String,
    },
    /// An edit would remove a shared or multi-cell array formula that other cells depend on.
    #[error("{sheet}!{cell} is the master of a shared or array formula other cells depend on")]
    FormulaMaster {
        /// Sheet name.
        sheet: String,
        /// A1 reference.
        cell: String,
    },
    /// A cached-value edit targets a cell without a formula.
    #[error("{sheet}!{cell} holds no formula whose cached value could be set")]
    NoFormula {
        /// Sheet name.
        sheet: String,
        /// A1 reference.
        cell: String,
    },
    /// A number edit with NaN or infinity, which a worksheet cannot store.
    #[error("{sheet}!{cell}: {value} is not a finite number")]
    NotFinite {
        /// Sheet name.
        sheet: String,
        /// A1 reference.
        cell: String,
        /// The rejected value.
        value: f64,
    },
    /// A cell reference that is not A1 style.
    #[error("'{0}' is not a cell reference")]
    BadCellRef(String),
    /// The styles part lacks a structure the edit needs.
    #[error("the styles part has no <{0}> element")]
    Styles(&'static str),
    /// The generator could not use any of its sources.
    #[error("no usable source template: {0}")]
    NoSources(String),
    /// A generated workbook did not read back as intended.
    #[error("generated file '{file}' does not read back as intended: {detail}")]
    Verify {
        /// Generated file name.
        file: String,
        /// The first difference found.
        detail: String,
    },
}

/// Result of writer operations.
pub type Result<T, E = WriteError> = std::result::Result<T, E>;

impl WriteError {
    /// A well-formedness error in a part.
    pub(crate) fn xml(part: &str, detail: impl std::fmt::Display) -> WriteError {
        WriteError::Xml {
            part: part.to_string(),
            detail: detail.to_string(),
        }
    }
}
