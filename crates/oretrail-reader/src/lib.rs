//! Reads filled RMI reporting templates (.xlsx) into Oretrail's supplier-report model.
//!
//! The reader opens the zip package within [`Limits`], identifies family and version from the
//! workbook's content (never its file name), decodes only the sheets it needs with a streaming
//! scanner, and extracts every field by cell position from the template registry. Files saved
//! without cached formula values get their formula-derived smelter fields recovered from the
//! workbook's own Smelter Look-up sheet.

pub mod answers;
pub mod dates;
pub mod declaration;
pub mod detect;
pub mod error;
pub mod limits;
pub mod lists;
pub mod lookup;
pub mod package;
pub mod shared_strings;
pub mod sheet;
pub mod smelter_list;
pub mod values;
pub mod workbook;
pub mod xml_text;

pub use error::{ReadError, RejectReason};
pub use limits::Limits;

use oretrail_template::{LookupEntry, Registry, SupplierReport, TemplateDef, TemplateInfo};
use package::Package;
use shared_strings::SharedStrings;
use sheet::Sheet;
use std::path::Path;
use workbook::Workbook;

/// What to read besides the report itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Safety limits.
    pub limits: Limits,
    /// Also return the template's own Smelter Look-up rows (read anyway when cached values are missing).
    pub with_lookup: bool,
}

/// A successfully read template.
#[derive(Debug)]
pub struct ReadOutcome {
    /// The supplier report.
    pub report: SupplierReport,
    /// The registry definition of the template's family and version.
    pub def: &'static TemplateDef,
    /// The workbook's Smelter Look-up rows, when requested or needed.
    pub lookup: Option<Vec<LookupEntry>>,
}

/// Reads a template from a file on disk.
pub fn read_path(path: &Path, options: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, e))?;
    if meta.len() > options.limits.max_file_bytes {
        return Err(ReadError::new(
            RejectReason::LimitExceeded,
            format!(
                "the file is {} bytes, larger than the limit of {} bytes",
                meta.len(),
                options.limits.max_file_bytes
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| io_error(path, e))?;
    read_bytes(&bytes, options)
}

fn io_error(path: &Path, e: std::io::Error) -> ReadError {
    ReadError::new(
        RejectReason::CorruptPackage,
        format!("cannot read {}: {e}", path.display()),
    )
}

/// Reads a template from its bytes. Never panics; every failure is a [`ReadError`].
pub fn read_bytes(bytes: &[u8], options: &ReadOptions) -> Result<ReadOutcome, ReadError> {
    read_bytes_with(bytes, options, &|_| options.with_lookup)
}

/// Reads a template, returning its Smelter Look-up rows when `wants_lookup` says so for the
/// detected template (and always when cached values are missing, since recovery needs them).
pub fn read_bytes_with(
    bytes: &[u8],
    options: &ReadOptions,
    wants_lookup: &dyn Fn(&TemplateDef) -> bool,
) -> Result<ReadOutcome, ReadError> {
    let registry = Registry::global();
    let limits = options.limits;
    let mut package = Package::open(bytes, limits)?;
    let workbook = Workbook::read(&mut package)?;
    let strings = match &workbook.shared_strings_part {
        Some(part) if package.has_part(part) => SharedStrings::parse(package.read_part(part)?),
        _ => SharedStrings::parse(Vec::new()),
    };
    let sheet_names: Vec<String> = workbook.sheets.iter().map(|s| s.name.clone()).collect();
    let mut reader = SheetReader {
        package: &mut package,
        workbook: &workbook,
        strings: &strings,
        limits,
    };

    // Identity: the family title and the revision label.
    let family_text = reader
        .sheet("Revision")?
        .and_then(|s| values::cell_text(&s, 3, 2));
    let declaration = reader.sheet("Declaration")?.ok_or_else(|| {
        ReadError::new(
            RejectReason::NotRmiTemplate,
            "a readable workbook, but not an RMI reporting template: it has no 'Declaration' sheet",
        )
    })?;
    let version_cell = registry
        .versions
        .first()
        .map(|v| v.detect.version_cell.as_str())
        .unwrap_or("Declaration!J3");
    let label =
        detect::revision_label(&declaration, version_cell.split('!').nth(1).unwrap_or("J3"));
    let identity = detect::Identity {
        family_text,
        revision_label: label.clone(),
        sheet_names: &sheet_names,
    };
    let candidates = detect::candidates(registry, &identity)?;
    let smelter_sheet_name = candidates[0].smelter_list.sheet.clone();
    let smelter_sheet = reader.sheet(&smelter_sheet_name)?.ok_or_else(|| {
        ReadError::new(
            RejectReason::NotRmiTemplate,
            format!(
                "the workbook says it is {} but has no '{smelter_sheet_name}' sheet",
                candidates[0].name()
            ),
        )
    })?;
    let def: &'static TemplateDef = detect::discriminate(candidates, &smelter_sheet);

    let cached_values = declaration.formula_cells_with_value > 0 || !declaration.has_formulas();
    let lookup = match &def.smelter_lookup {
        Some(list) if !cached_values || wants_lookup(def) => {
            reader.sheet(&list.sheet)?.map(|s| lookup::read(&s, list))
        }
        _ => None,
    };
    let index = lookup.as_deref().map(lookup::LookupIndex::new);

    let (decl, declaration_cells) = declaration::read(&declaration, def, workbook.date1904);
    let minerals_in_scope = answers::minerals_in_scope(&declaration, def);
    let mineral_answers = answers::mineral_answers(&declaration, def, &minerals_in_scope);
    let company_answers = answers::company_answers(&declaration, def, &minerals_in_scope);
    let active_minerals = answers::active_minerals(def, &mineral_answers);
    let smelters = smelter_list::read(
        &smelter_sheet,
        &def.smelter_list,
        index.as_ref(),
        limits.max_row,
    );
    drop(smelter_sheet);
    let products = match reader.sheet(&def.product_list.sheet)? {
        Some(s) => lists::products(&s, &def.product_list, limits.max_row),
        None => Vec::new(),
    };
    let mines = match &def.mine_list {
        Some(list) => match reader.sheet(&list.sheet)? {
            Some(s) => lists::mines(&s, list, limits.max_row),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let language = values::cell_text(&declaration, 3, 4);

    Ok(ReadOutcome {
        report: SupplierReport {
            template: TemplateInfo {
                family: def.family,
                version: def.version.clone(),
                revision_label: label.unwrap_or_default(),
            },
            language,
            cached_values,
            declaration: decl,
            declaration_cells,
            minerals_in_scope,
            active_minerals,
            mineral_answers,
            company_answers,
            products,
            mines,
            smelters,
        },
        def,
        lookup,
    })
}

/// Reads sheets by name through the workbook's part map.
struct SheetReader<'p, 'a> {
    package: &'p mut Package<'a>,
    workbook: &'p Workbook,
    strings: &'p SharedStrings,
    limits: Limits,
}

impl SheetReader<'_, '_> {
    /// Scans a sheet if the workbook has it.
    fn sheet(&mut self, name: &str) -> Result<Option<Sheet>, ReadError> {
        let Some(entry) = self.workbook.sheet(name) else {
            return Ok(None);
        };
        if entry.part.is_empty() || !self.package.has_part(&entry.part) {
            return Err(ReadError::new(
                RejectReason::CorruptPackage,
                format!("sheet '{name}' is listed but its part is missing from the package"),
            ));
        }
        let xml = self.package.read_part(&entry.part)?;
        sheet::scan(xml, self.strings, name, self.limits.max_cells_per_sheet).map(Some)
    }
}
