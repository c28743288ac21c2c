//! RMI's blank templates: where they are, and what one holds that filling it needs — which
//! cells carry formulas, the template's own Smelter Look-up, and the drop-down lists of its
//! Declaration sheet.

use crate::error::{ReportError, Result};
use oretrail_reader::package::Package;
use oretrail_reader::shared_strings::SharedStrings;
use oretrail_reader::sheet::{self, Sheet};
use oretrail_reader::workbook::Workbook;
use oretrail_reader::{Limits, ReadOptions, lookup};
use oretrail_template::{CellRef, LookupEntry, TemplateDef};
use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::path::{Path, PathBuf};

/// Folders searched for blank templates, in order.
#[derive(Debug, Clone)]
pub struct BlankTemplates {
    dirs: Vec<PathBuf>,
}

impl BlankTemplates {
    /// The folders: the one given, `$ORETRAIL_TEMPLATES_DIR`, `./templates/rmi`, `templates/rmi`
    /// beside the executable, and the repository's own copy when built from source.
    pub fn locate(explicit: Option<&Path>) -> BlankTemplates {
        let mut dirs = Vec::new();
        if let Some(d) = explicit {
            dirs.push(d.to_path_buf());
        }
        if let Some(d) = std::env::var_os("ORETRAIL_TEMPLATES_DIR") {
            dirs.push(PathBuf::from(d));
        }
        dirs.push(PathBuf::from("templates/rmi"));
        if let Some(exe_dir) = std::env::current_exe()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
        {
            dirs.push(exe_dir.join("templates/rmi"));
        }
        dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi"));
        BlankTemplates { dirs }
    }

    /// Exactly these folders.
    pub fn in_dirs(dirs: Vec<PathBuf>) -> BlankTemplates {
        BlankTemplates { dirs }
    }

    /// The bytes of the blank template of a version.
    pub fn bytes(&self, def: &TemplateDef) -> Result<Vec<u8>> {
        for dir in &self.dirs {
            let path = dir.join(&def.blank_template);
            if path.is_file() {
                return std::fs::read(&path).map_err(|e| ReportError::io(path, e));
            }
        }
        Err(ReportError::BlankNotFound {
            file: def.blank_template.clone(),
            looked: self
                .dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

/// A blank template opened for filling.
pub struct Blank {
    /// The workbook's bytes.
    pub bytes: Vec<u8>,
    /// Its registry definition (checked against the workbook's content).
    pub def: &'static TemplateDef,
    /// The template's own Smelter Look-up rows.
    pub lookup: Vec<LookupEntry>,
    /// The Declaration sheet.
    pub declaration: Sheet,
    /// Drop-down lists of the Declaration sheet.
    pub declaration_lists: ValidationLists,
    /// The Smelter List sheet.
    pub smelter_list: Sheet,
    /// The Product List sheet.
    pub product_list: Option<Sheet>,
}

impl Blank {
    /// Opens a blank template and checks it reads as `def`'s family and version.
    pub fn open(bytes: Vec<u8>, def: &'static TemplateDef) -> Result<Blank> {
        let read_err = |source| ReportError::Read {
            what: def.blank_template.clone(),
            source,
        };
        let options = ReadOptions {
            with_lookup: true,
            ..ReadOptions::default()
        };
        let outcome = oretrail_reader::read_bytes(&bytes, &options).map_err(read_err)?;
        if outcome.def.family != def.family || outcome.def.version != def.version {
            return Err(ReportError::Invalid(format!(
                "{} reads as {}, not {}",
                def.blank_template,
                outcome.def.name(),
                def.name()
            )));
        }
        let limits = Limits::default();
        let mut pkg = Package::open(&bytes, limits).map_err(read_err)?;
        let workbook = Workbook::read(&mut pkg).map_err(read_err)?;
        let strings = match &workbook.shared_strings_part {
            Some(part) if pkg.has_part(part) => {
                SharedStrings::parse(pkg.read_part(part).map_err(read_err)?)
            }
            _ => SharedStrings::parse(Vec::new()),
        };
        let mut open = |name: &str| -> Result<Option<(Sheet, Vec<u8>)>> {
            let Some(entry) = workbook.sheet(name) else {
                return Ok(None);
            };
            let xml = pkg.read_part(&entry.part).map_err(read_err)?;
            let sheet = sheet::scan(xml.clone(), &strings, name, limits.max_cells_per_sheet)
                .map_err(read_err)?;
            Ok(Some((sheet, xml)))
        };
        let (declaration, declaration_xml) = open("Declaration")?
            .ok_or_else(|| ReportError::Invalid("the blank has no Declaration sheet".into()))?;
        let (smelter_list, _) = open(&def.smelter_list.sheet)?.ok_or_else(|| {
            ReportError::Invalid(format!("the blank has no {} sheet", def.smelter_list.sheet))
        })?;
        let product_list = open(&def.product_list.sheet)?.map(|(s, _)| s);
        let lookup = match (&def.smelter_lookup, outcome.lookup) {
            (_, Some(entries)) => entries,
            (Some(list), None) => match open(&list.sheet)? {
                Some((s, _)) => lookup::read(&s, list),
                None => Vec::new(),
            },
            (None, None) => Vec::new(),
        };
        let declaration_lists = ValidationLists::parse(&declaration_xml, &declaration);
        Ok(Blank {
            bytes,
            def,
            lookup,
            declaration,
            declaration_lists,
            smelter_list,
            product_list,
        })
    }
}

/// Cell ranges of one validation, and its choices.
type ListRule = (Vec<(CellRef, CellRef)>, Vec<String>);

/// Drop-down (list) validations of one sheet whose choices are cells of that same sheet.
#[derive(Debug, Clone, Default)]
pub struct ValidationLists {
    lists: Vec<ListRule>,
}

impl ValidationLists {
    /// Reads the list validations of a sheet's XML, resolving same-sheet ranges to the
    /// cached texts of their cells.
    pub fn parse(xml: &[u8], sheet: &Sheet) -> ValidationLists {
        let mut out = ValidationLists::default();
        let mut reader = Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut sqref: Option<String> = None;
        let mut in_formula = false;
        let mut in_sqref = false;
        let mut formula = String::new();
        let mut is_list = false;
        loop {
            match reader.read_event_into(&mut buf) {
                Ok(Event::Start(e)) => match e.local_name().as_ref() {
                    "dataValidation" => {
                        sqref = None;
                        is_list = false;
                        formula.clear();
                        for a in e.attributes().flatten() {
                            let value = oretrail_reader::xml_text::decode(a.value.as_bytes());
                            match a.key.local_name().as_ref() {
                                "sqref" => sqref = Some(value),
                                "type" => is_list = value == "list",
                                _ => {}
                            }
                        }
                    }
                    "formula1" => in_formula = true,
                    "f" if in_formula => {}
                    "sqref" => in_sqref = true,
                    _ => {}
                },
                Ok(Event::Text(t)) => {
                    let text = oretrail_reader::xml_text::decode(t.as_bytes());
                    if in_sqref {
                        sqref = Some(text);
                    } else if in_formula {
                        formula.push_str(&text);
                    }
                }
                Ok(Event::End(e)) => match e.local_name().as_ref() {
                    "formula1" => in_formula = false,
                    "sqref" => in_sqref = false,
                    "dataValidation" => {
                        if is_list && let Some(refs) = sqref.take() {
                            let targets = ranges(&refs);
                            if let Some(choices) = resolve_choices(&formula, sheet)
                                && !targets.is_empty()
                            {
                                out.lists.push((targets, choices));
                            }
                        }
                    }
                    _ => {}
                },
                Ok(Event::Eof) | Err(_) => break,
                _ => {}
            }
            buf.clear();
        }
        out
    }

    /// The choices offered in a cell, if it has a resolvable drop-down list.
    pub fn choices(&self, cell: CellRef) -> Option<&[String]> {
        self.lists
            .iter()
            .find(|(ranges, _)| {
                ranges.iter().any(|(a, b)| {
                    (a.row..=b.row).contains(&cell.row) && (a.col..=b.col).contains(&cell.col)
                })
            })
            .map(|(_, c)| c.as_slice())
    }
}

/// Ranges of an `sqref` ("D115:E115 D117").
fn ranges(sqref: &str) -> Vec<(CellRef, CellRef)> {
    sqref
        .split_whitespace()
        .filter_map(|r| match r.split_once(':') {
            Some((a, b)) => Some((CellRef::parse(a)?, CellRef::parse(b)?)),
            None => CellRef::parse(r).map(|c| (c, c)),
        })
        .collect()
}

/// Cached texts of a same-sheet range formula ("$B$175:$C$175"); `None` for other formulas.
fn resolve_choices(formula: &str, sheet: &Sheet) -> Option<Vec<String>> {
    let f = formula.trim().trim_start_matches('=');
    if f.contains('!') || f.contains('"') || f.contains('(') {
        return None;
    }
    let (a, b) = match f.split_once(':') {
        Some((a, b)) => (CellRef::parse(a)?, CellRef::parse(b)?),
        None => {
            let c = CellRef::parse(f)?;
            (c, c)
        }
    };
    if b.row < a.row || b.col < a.col || (b.row - a.row + 1) * (b.col - a.col + 1) > 500 {
        return None;
    }
    let mut out = Vec::new();
    for row in a.row..=b.row {
        for col in a.col..=b.col {
            if let Some(t) = oretrail_reader::values::cell_text(sheet, row, col) {
                out.push(t);
            }
        }
    }
    (!out.is_empty()).then_some(out)
}
