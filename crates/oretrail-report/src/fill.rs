//! The company's declaration written into RMI's official blank template.
//!
//! Only the cells that must change are written, through the writer's zip-part patcher:
//! declaration fields, mineral selection, answers and comments, Smelter List rows picked by the
//! template's own look-up name (formulas kept, their results written as cached values so that
//! readers need no recalculation), and Product List rows. Every other part of the package is
//! copied byte for byte, and the workbook asks Excel to recalculate on open. The output is read
//! back and checked before it is returned.

use crate::blank::Blank;
use crate::declaration::{CompanyDeclaration, CompanyValue, Derived, LeftOut, SmelterEntry};
use crate::error::{ReportError, Result};
use oretrail_facilities::registry::metal_key;
use oretrail_template::registry::MineralsDef;
use oretrail_template::{CellRef, LookupEntry, SMELTER_NOT_LISTED, TemplateDef, is_not_listed};
use oretrail_validate::{Severity, ValidationContext, validate};
use oretrail_writer::{CellEdit, CellValue, FormulaPolicy, WorkbookPatch};
use serde::Serialize;
use std::collections::HashMap;

/// Smelter List columns whose formulas show look-up data, with the look-up field they show.
const DERIVED: [&str; 7] = [
    "country",
    "cid",
    "source",
    "street",
    "city",
    "state_province",
    "standard_name",
];

/// Source text the templates show on a "Smelter not listed" row.
const ENTER_DETAILS: &str = "Enter smelter details";

/// One answer as written, for the export log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnswerLog {
    /// Question id.
    pub question: String,
    /// Mineral (per-mineral questions).
    pub mineral: Option<String>,
    /// Answer cell.
    pub cell: String,
    /// The answer and how it was reached.
    #[serde(flatten)]
    pub derived: Derived,
}

/// What an export wrote, and why: kept beside the file as evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportLog {
    /// Template written ("CMRT 6.5").
    pub template: String,
    /// Blank template file used.
    pub blank: String,
    /// SHA-256 of the blank template.
    pub blank_sha256: String,
    /// SHA-256 of the output.
    pub output_sha256: String,
    /// Scope ("company", "product").
    pub scope: String,
    /// Effective date.
    pub effective_date: String,
    /// Cells written.
    pub cells_written: usize,
    /// Package parts rewritten.
    pub parts_rewritten: Vec<String>,
    /// Package parts dropped (a stale calculation chain).
    pub parts_removed: Vec<String>,
    /// Package parts copied unchanged.
    pub parts_copied: usize,
    /// Every answer with its basis and any override.
    pub answers: Vec<AnswerLog>,
    /// Smelter List rows written by look-up name.
    pub smelters_by_lookup: usize,
    /// Smelter List rows written as "Smelter not listed" (name and country typed).
    pub smelters_not_listed: usize,
    /// Facilities left off, with the reason.
    pub left_out: Vec<LeftOut>,
    /// Product List rows written.
    pub products: usize,
    /// Problems the validator finds in the output (should be none but missing profile fields).
    pub problems: Vec<String>,
}

/// A filled template and its log.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The workbook.
    pub bytes: Vec<u8>,
    /// What was written.
    pub log: ExportLog,
}

/// The company's own template: the declaration derived from a campaign's results, written into
/// RMI's blank of that version (found in `templates`, else where [`BlankTemplates::locate`]
/// looks).
pub fn company_template(
    def: &'static TemplateDef,
    results: &crate::declaration::CampaignResults,
    options: &crate::declaration::DeriveOptions<'_>,
    templates: Option<&std::path::Path>,
) -> Result<Filled> {
    let decl = crate::declaration::derive(def, results, options)?;
    let bytes = crate::blank::BlankTemplates::locate(templates).bytes(def)?;
    let blank = Blank::open(bytes, def)?;
    fill(&blank, &decl)
}

/// Writes a declaration into a blank template.
pub fn fill(blank: &Blank, decl: &CompanyDeclaration) -> Result<Filled> {
    let def = blank.def;
    if decl.template != def.name() {
        return Err(ReportError::Invalid(format!(
            "the declaration is for {}, the blank is {}",
            decl.template,
            def.name()
        )));
    }
    let mut w = Writer {
        blank,
        patch: WorkbookPatch::new(),
        cells: 0,
    };
    w.declaration(decl)?;
    w.minerals(decl)?;
    let answers = w.answers(decl)?;
    let (by_lookup, not_listed, left_out) = w.smelters(&decl.smelters)?;
    let mut left = decl.left_out.clone();
    left.extend(left_out);
    let products = w.products(decl)?;
    w.patch.full_calc_on_load(true);
    let patched = w.patch.apply_with_details(&blank.bytes)?;

    let outcome =
        oretrail_reader::read_bytes(&patched.bytes, &oretrail_reader::ReadOptions::default())
            .map_err(|source| ReportError::Read {
                what: "the filled template".into(),
                source,
            })?;
    let problems = validate(&outcome.report, def, &ValidationContext::default())
        .into_iter()
        .filter(|p| p.severity != Severity::Info)
        .map(|p| p.to_string())
        .collect();
    let log = ExportLog {
        template: def.name(),
        blank: def.blank_template.clone(),
        blank_sha256: oretrail_store::sha256_hex(&blank.bytes),
        output_sha256: oretrail_store::sha256_hex(&patched.bytes),
        scope: format!("{:?}", decl.scope).to_lowercase(),
        effective_date: decl.effective_date.to_string(),
        cells_written: w.cells,
        parts_rewritten: patched.rewritten,
        parts_removed: patched.removed,
        parts_copied: patched.copied,
        answers,
        smelters_by_lookup: by_lookup,
        smelters_not_listed: not_listed,
        left_out: left,
        products,
        problems,
    };
    Ok(Filled {
        bytes: patched.bytes,
        log,
    })
}

struct Writer<'b> {
    blank: &'b Blank,
    patch: WorkbookPatch,
    cells: usize,
}

impl Writer<'_> {
    fn def(&self) -> &'static TemplateDef {
        self.blank.def
    }

    /// Writes text to a Declaration input cell unless it already holds it.
    fn decl_text(&mut self, cell: CellRef, text: &str) {
        let current =
            oretrail_reader::values::cell_text(&self.blank.declaration, cell.row, cell.col);
        if current.as_deref() == Some(text) {
            return;
        }
        let policy = if self.blank.declaration.is_formula(cell.row, cell.col) {
            FormulaPolicy::Replace
        } else {
            FormulaPolicy::Refuse
        };
        self.patch.edit(
            "Declaration",
            cell,
            CellEdit {
                value: CellValue::Text(text.to_string()),
                formula: policy,
            },
        );
        self.cells += 1;
    }

    fn declaration(&mut self, decl: &CompanyDeclaration) -> Result<()> {
        let def = self.def();
        let p = &decl.profile;
        let scope_cell = def.declaration_cell("scope");
        let scope_text = scope_cell
            .and_then(|c| self.blank.declaration_lists.choices(c))
            .and_then(|choices| {
                choices
                    .iter()
                    .find(|c| c.trim().starts_with(decl.scope.letter()))
                    .cloned()
            })
            .unwrap_or_else(|| match decl.scope.letter() {
                'A' => "A. Company".to_string(),
                _ => "B. Product (or List of Products)".to_string(),
            });
        let fields: [(&str, Option<&str>); 13] = [
            (
                "company_name",
                Some(p.company.name.as_str()).filter(|n| !n.trim().is_empty()),
            ),
            ("scope", Some(scope_text.as_str())),
            ("company_unique_id", p.company.unique_id.as_deref()),
            (
                "company_unique_id_authority",
                p.company.unique_id_authority.as_deref(),
            ),
            ("address", p.company.address.as_deref()),
            ("contact_name", p.contact.name.as_deref()),
            ("contact_email", p.contact.email.as_deref()),
            ("contact_phone", p.contact.phone.as_deref()),
            ("authorizer_name", p.authorizer.name.as_deref()),
            ("authorizer_title", p.authorizer.title.as_deref()),
            ("authorizer_email", p.authorizer.email.as_deref()),
            ("authorizer_phone", p.authorizer.phone.as_deref()),
            ("scope_description", None),
        ];
        for (key, value) in fields {
            if let (Some(cell), Some(v)) = (def.declaration_cell(key), value) {
                self.decl_text(cell, v.trim());
            }
        }
        if let Some(cell) = def.declaration_cell("effective_date") {
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)
                .ok_or_else(|| ReportError::Invalid("date arithmetic".into()))?;
            let serial = (decl.effective_date - epoch).num_days() as f64;
            self.patch.set_number("Declaration", cell, serial);
            self.cells += 1;
        }
        Ok(())
    }

    fn minerals(&mut self, decl: &CompanyDeclaration) -> Result<()> {
        let MineralsDef::Selected { cells, .. } = &self.def().minerals else {
            return Ok(());
        };
        let mut free = decl.minerals.iter();
        for sel in cells {
            let Some(cell) = CellRef::parse(&sel.cell) else {
                continue;
            };
            match &sel.mineral {
                Some(m) => {
                    let chosen = decl.minerals.iter().any(|d| d == m);
                    if chosen {
                        self.decl_text(cell, m);
                        continue;
                    }
                    let current = oretrail_reader::values::cell_text(
                        &self.blank.declaration,
                        cell.row,
                        cell.col,
                    );
                    if current.is_none() {
                        continue;
                    }
                    // Deselect as a user does: the list's other choice ("(Delete Cobalt)").
                    let other = self
                        .blank
                        .declaration_lists
                        .choices(cell)
                        .and_then(|c| c.iter().find(|x| !x.eq_ignore_ascii_case(m)).cloned());
                    match other {
                        Some(text) => self.decl_text(cell, &text),
                        None => {
                            self.patch.clear("Declaration", cell);
                            self.cells += 1;
                        }
                    }
                }
                None => {
                    if let Some(m) = free.next() {
                        self.decl_text(cell, m);
                    }
                }
            }
        }
        Ok(())
    }

    fn answer_cells(&mut self, row: u32, d: &Derived) {
        let def = self.def();
        if let Some(a) = &d.answer {
            self.decl_text(
                CellRef {
                    row,
                    col: def.answer_column(),
                },
                a,
            );
        }
        if let Some(c) = &d.comment {
            self.decl_text(
                CellRef {
                    row,
                    col: def.comment_column(),
                },
                c,
            );
        }
    }

    fn answers(&mut self, decl: &CompanyDeclaration) -> Result<Vec<AnswerLog>> {
        let def = self.def();
        let mut log = Vec::new();
        let cell_of = |row: u32| {
            format!(
                "Declaration!{}",
                CellRef {
                    row,
                    col: def.answer_column()
                }
            )
        };
        for (slot, mineral) in decl.minerals.iter().enumerate() {
            let Some(per) = decl.answers.get(mineral) else {
                continue;
            };
            for q in &def.questions {
                let Some(d) = per.get(&q.id) else { continue };
                let row = match (&q.rows, &q.slot_rows) {
                    (Some(rows), _) => rows.get(mineral).copied(),
                    (None, Some(slots)) => slots.get(slot).copied(),
                    _ => None,
                };
                let Some(row) = row else {
                    return Err(ReportError::Invalid(format!(
                        "{} has no row for {} of {mineral}",
                        def.name(),
                        q.id
                    )));
                };
                self.answer_cells(row, d);
                log.push(AnswerLog {
                    question: q.id.clone(),
                    mineral: Some(mineral.clone()),
                    cell: cell_of(row),
                    derived: d.clone(),
                });
            }
        }
        for q in &def.company_questions {
            match decl.company.get(&q.id) {
                Some(CompanyValue::Single(d)) => {
                    if let Some(row) = q.row {
                        self.answer_cells(row, d);
                        log.push(AnswerLog {
                            question: q.id.clone(),
                            mineral: None,
                            cell: cell_of(row),
                            derived: d.clone(),
                        });
                    }
                }
                Some(CompanyValue::PerMineral(per)) => {
                    let slots = q.slot_rows.clone().unwrap_or_default();
                    for (slot, mineral) in decl.minerals.iter().enumerate() {
                        let (Some(d), Some(&row)) = (per.get(mineral), slots.get(slot)) else {
                            continue;
                        };
                        self.answer_cells(row, d);
                        log.push(AnswerLog {
                            question: q.id.clone(),
                            mineral: Some(mineral.clone()),
                            cell: cell_of(row),
                            derived: d.clone(),
                        });
                    }
                }
                None => {}
            }
        }
        Ok(log)
    }

    /// A Smelter List cell: text over a formula replaces it; text over an input sets it.
    fn list_text(&mut self, row: u32, key: &str, text: &str) {
        let list = &self.def().smelter_list;
        let Some(col) = list.col(key) else { return };
        let cell = CellRef { row, col };
        let policy = if self.blank.smelter_list.is_formula(row, col) {
            FormulaPolicy::Replace
        } else {
            FormulaPolicy::Refuse
        };
        self.patch.edit(
            &list.sheet,
            cell,
            CellEdit {
                value: CellValue::Text(text.to_string()),
                formula: policy,
            },
        );
        self.cells += 1;
    }

    /// The cached result of a Smelter List formula cell (left alone when it is no formula).
    fn list_cached(&mut self, row: u32, key: &str, text: &str) {
        let list = &self.def().smelter_list;
        let Some(col) = list.col(key) else { return };
        if !self.blank.smelter_list.is_formula(row, col) {
            return;
        }
        self.patch
            .set_cached_text(&list.sheet, CellRef { row, col }, text.to_string());
        self.cells += 1;
    }

    fn smelters(&mut self, entries: &[SmelterEntry]) -> Result<(usize, usize, Vec<LeftOut>)> {
        let list = &self.def().smelter_list;
        let last = list.last_data_row.unwrap_or(list.first_data_row + 2000);
        let picker = LookupPicker::new(&self.blank.lookup);
        let (mut by_lookup, mut not_listed, mut left) = (0, 0, Vec::new());
        let mut row = list.first_data_row;
        for e in entries {
            if row > last {
                left.push(LeftOut {
                    metal: e.metal.clone(),
                    name: e.name.clone(),
                    reason: format!("the template formats Smelter List rows up to {last} only"),
                });
                continue;
            }
            match e.cid.as_deref().and_then(|cid| picker.pick(&e.metal, cid)) {
                Some(entry) => {
                    self.list_text(row, "metal", &entry.metal);
                    self.list_text(row, "lookup", &entry.lookup_name);
                    for key in DERIVED {
                        let value = match key {
                            "country" => entry.country.as_deref(),
                            "cid" => entry.cid.as_deref(),
                            "source" => entry.source.as_deref(),
                            "street" => entry.street.as_deref(),
                            "city" => entry.city.as_deref(),
                            "state_province" => entry.state_province.as_deref(),
                            _ => entry.standard_name.as_deref(),
                        };
                        self.list_cached(row, key, value.unwrap_or(""));
                    }
                    by_lookup += 1;
                }
                None => {
                    let Some(country) = e.country.as_deref().filter(|c| !c.trim().is_empty())
                    else {
                        left.push(LeftOut {
                            metal: e.metal.clone(),
                            name: e.name.clone(),
                            reason: "not in this template's look-up and without a country".into(),
                        });
                        continue;
                    };
                    let metal = picker.metal_spelling(&e.metal);
                    self.list_text(row, "metal", &metal);
                    self.list_text(row, "lookup", &picker.not_listed_text(&metal));
                    self.list_text(row, "name", &e.name);
                    self.list_text(row, "country", country);
                    for key in DERIVED.iter().filter(|k| **k != "country") {
                        let value = if *key == "source" { ENTER_DETAILS } else { "" };
                        self.list_cached(row, key, value);
                    }
                    if let Some(cid) = &e.cid {
                        self.list_text(
                            row,
                            "comments",
                            &format!("RMI facility {cid}, not in this template version's look-up"),
                        );
                    }
                    not_listed += 1;
                }
            }
            row += 1;
        }
        Ok((by_lookup, not_listed, left))
    }

    fn products(&mut self, decl: &CompanyDeclaration) -> Result<usize> {
        if decl.products.is_empty() {
            return Ok(0);
        }
        let list = &self.def().product_list;
        let last = list.last_data_row.unwrap_or(list.first_data_row + 1000);
        let mut n = 0;
        for (i, p) in decl.products.iter().enumerate() {
            let row = list.first_data_row + i as u32;
            if row > last {
                return Err(ReportError::Invalid(format!(
                    "{} products: the template formats Product List rows up to {last} only",
                    decl.products.len()
                )));
            }
            for (key, value) in [
                ("number", Some(p.number.as_str())),
                ("name", p.name.as_deref()),
                ("requester_number", p.requester_number.as_deref()),
                ("requester_name", p.requester_name.as_deref()),
                ("comment", p.comment.as_deref()),
            ] {
                let (Some(col), Some(v)) = (list.col(key), value) else {
                    continue;
                };
                let formula = self
                    .blank
                    .product_list
                    .as_ref()
                    .is_some_and(|s| s.is_formula(row, col));
                self.patch.edit(
                    &list.sheet,
                    CellRef { row, col },
                    CellEdit {
                        value: CellValue::Text(v.to_string()),
                        formula: if formula {
                            FormulaPolicy::Replace
                        } else {
                            FormulaPolicy::Refuse
                        },
                    },
                );
                self.cells += 1;
            }
            n += 1;
        }
        Ok(n)
    }
}

/// Picks the look-up entry that selects a facility, as the template's MATCH finds entries.
pub struct LookupPicker<'a> {
    entries: &'a [LookupEntry],
    first_by_name: HashMap<(String, String), usize>,
}

impl<'a> LookupPicker<'a> {
    /// Indexes a template's look-up (the first row of a metal and name wins, like MATCH).
    pub fn new(entries: &'a [LookupEntry]) -> LookupPicker<'a> {
        let mut first_by_name = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            first_by_name
                .entry((metal_key(&e.metal), e.lookup_name.trim().to_lowercase()))
                .or_insert(i);
        }
        LookupPicker {
            entries,
            first_by_name,
        }
    }

    /// The entry to pick for a facility: its standard name when that selects it, else the
    /// first alias that does; `None` when the template's look-up does not list it.
    pub fn pick(&self, metal: &str, cid: &str) -> Option<&'a LookupEntry> {
        let key = metal_key(metal);
        let cid = cid.trim().to_ascii_uppercase();
        let selects = |i: usize, e: &LookupEntry| {
            self.first_by_name
                .get(&(metal_key(&e.metal), e.lookup_name.trim().to_lowercase()))
                == Some(&i)
        };
        let candidates: Vec<(usize, &LookupEntry)> = self
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                metal_key(&e.metal) == key
                    && e.cid.as_deref().map(|c| c.trim().to_ascii_uppercase()) == Some(cid.clone())
            })
            .filter(|(i, e)| selects(*i, e))
            .collect();
        candidates
            .iter()
            .find(|(_, e)| {
                e.standard_name
                    .as_deref()
                    .is_some_and(|s| s.trim().eq_ignore_ascii_case(e.lookup_name.trim()))
            })
            .or_else(|| candidates.first())
            .map(|(_, e)| *e)
    }

    /// The look-up's spelling of a metal ("tin" → "Tin").
    pub fn metal_spelling(&self, metal: &str) -> String {
        let key = metal_key(metal);
        self.entries
            .iter()
            .find(|e| metal_key(&e.metal) == key)
            .map(|e| e.metal.clone())
            .unwrap_or_else(|| metal.trim().to_string())
    }

    /// The look-up's "Smelter not listed" value for a metal.
    pub fn not_listed_text(&self, metal: &str) -> String {
        let key = metal_key(metal);
        self.entries
            .iter()
            .find(|e| metal_key(&e.metal) == key && is_not_listed(&e.lookup_name))
            .map(|e| e.lookup_name.clone())
            .unwrap_or_else(|| SMELTER_NOT_LISTED.to_string())
    }
}
