//! Scale sets for benchmarks: any number of distinct, valid filled templates derived from real
//! filled ones by patching.
//!
//! Each file keeps its source's answers, products and everything else, and gets a new supplier
//! (company, ID, contact, e-mail, effective date) and a new Smelter List picked from the
//! template's own Smelter Look-up: metal + look-up name rows, and some rows where only the
//! Smelter ID is typed and the template's formulas fill metal and name. Because a patched pick
//! leaves the formulas' cached results stale, the generator also writes the results it knows
//! (country, Smelter ID, standard name and the other look-up columns), so a reader sees correct
//! values without recalculating. The same seed always gives the same files.

use crate::error::{Result, WriteError};
use crate::names::{self, Supplier};
use crate::package::Package;
use crate::patch::{CellEdit, CellValue, FormulaPolicy, WorkbookPatch};
use crate::rng::Rng;
use crate::sheet;
use chrono::{Duration, NaiveDate};
use indexmap::IndexMap;
use oretrail_reader::{ReadOptions, read_bytes};
use oretrail_template::registry::ListDef;
use oretrail_template::{CellRef, EntryKind, LookupEntry, SmelterRow, TemplateDef};
use oretrail_validate::{Code, Severity, ValidationContext, validate};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A real filled template to derive files from.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name, for messages.
    pub name: String,
    /// The workbook.
    pub bytes: Vec<u8>,
}

impl Source {
    /// Reads a source from disk.
    pub fn read(path: &Path) -> std::io::Result<Source> {
        Ok(Source {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            bytes: std::fs::read(path)?,
        })
    }
}

/// Every `.xlsx` file of a folder, by name.
pub fn sources_in(dir: &Path) -> std::io::Result<Vec<Source>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
        })
        .collect();
    paths.sort();
    paths.iter().map(|p| Source::read(p)).collect()
}

/// One Smelter List row a generated file is meant to declare, as the reader should see it.
#[derive(Debug, Clone, PartialEq)]
pub struct IntendedSmelter {
    /// Sheet row.
    pub row: u32,
    /// Look-up pick or Smelter ID only.
    pub entry: EntryKind,
    /// Metal.
    pub metal: String,
    /// Look-up value (for Smelter ID rows, the name the template's formula shows).
    pub lookup_value: String,
    /// Standard smelter name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Smelter ID.
    pub cid: String,
    /// The ID typed in the Smelter ID input column.
    pub smelter_id_input: Option<String>,
}

/// What a generated file is meant to declare.
#[derive(Debug, Clone, PartialEq)]
pub struct Intended {
    /// Template family and version, e.g. "CMRT 6.5".
    pub template: String,
    /// The source file it was derived from.
    pub source: String,
    /// The invented supplier.
    pub supplier: Supplier,
    /// Effective date (ISO).
    pub effective_date: String,
    /// Smelter List rows in sheet order.
    pub smelters: Vec<IntendedSmelter>,
}

/// A generated workbook.
#[derive(Debug, Clone)]
pub struct GeneratedFile {
    /// A distinct file name.
    pub file_name: String,
    /// The workbook.
    pub bytes: Vec<u8>,
    /// What it declares.
    pub intended: Intended,
}

/// Smelter List columns whose formulas show look-up data, with the look-up field they show.
const DERIVED: [(&str, Field); 7] = [
    ("country", Field::Country),
    ("cid", Field::Cid),
    ("source", Field::Source),
    ("street", Field::Street),
    ("city", Field::City),
    ("state_province", Field::State),
    ("standard_name", Field::StandardName),
];

#[derive(Debug, Clone, Copy)]
enum Field {
    Country,
    Cid,
    Source,
    Street,
    City,
    State,
    StandardName,
}

impl Field {
    fn of(self, e: &LookupEntry) -> Option<&str> {
        match self {
            Field::Country => e.country.as_deref(),
            Field::Cid => e.cid.as_deref(),
            Field::Source => e.source.as_deref(),
            Field::Street => e.street.as_deref(),
            Field::City => e.city.as_deref(),
            Field::State => e.state_province.as_deref(),
            Field::StandardName => e.standard_name.as_deref(),
        }
    }
}

/// One refiner that can be declared: its look-up aliases, and the entry a Smelter ID row shows.
#[derive(Debug, Clone)]
struct Refiner {
    /// Look-up entries (indexes) whose name selects this refiner.
    aliases: Vec<usize>,
    /// For a Smelter-ID-only row: (entry the ID finds, entry its name then selects).
    by_id: Option<(usize, usize)>,
}

/// A source ready to derive files from.
struct Prepared<'s> {
    source: &'s Source,
    def: &'static TemplateDef,
    lookup: Vec<LookupEntry>,
    /// Active metals (look-up spelling) with their refiners.
    metals: IndexMap<String, Vec<Refiner>>,
    /// Rows of the source's Smelter List that hold data.
    content_rows: Vec<u32>,
    /// Formula columns per Smelter List row.
    formulas: HashMap<u32, u64>,
    /// Rows whose formula columns can show a look-up pick (derived columns are formulas).
    lookup_rows: Vec<u32>,
    /// Bits of the metal and look-up columns.
    id_bits: u64,
    /// Smelter List columns by key.
    columns: Vec<(String, u32)>,
}

/// Sources that could not be used, with the reason.
pub type Skipped = Vec<(String, String)>;

/// The lazy sequence of generated files.
pub struct Generated<'s> {
    prepared: Vec<Prepared<'s>>,
    skipped: Skipped,
    seed: u64,
    count: usize,
    next: usize,
    companies: HashSet<String>,
}

impl Generated<'_> {
    /// Sources left out (unreadable, no cached values, errors the generator would not fix).
    pub fn skipped(&self) -> &Skipped {
        &self.skipped
    }

    /// Names of the sources in use.
    pub fn sources(&self) -> Vec<&str> {
        self.prepared
            .iter()
            .map(|p| p.source.name.as_str())
            .collect()
    }
}

/// Prepares `n` files from the sources, deterministic for a seed; files are made as the
/// iterator is advanced.
pub fn generate(n: usize, seed: u64, sources: &[Source]) -> Result<Generated<'_>> {
    let mut prepared = Vec::new();
    let mut skipped = Vec::new();
    for source in sources {
        match prepare(source) {
            Ok(p) => prepared.push(p),
            Err(reason) => skipped.push((source.name.clone(), reason)),
        }
    }
    if prepared.is_empty() {
        let why = skipped
            .iter()
            .map(|(n, r)| format!("{n}: {r}"))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(WriteError::NoSources(if why.is_empty() {
            "no source files given".into()
        } else {
            why
        }));
    }
    Ok(Generated {
        prepared,
        skipped,
        seed,
        count: n,
        next: 0,
        companies: HashSet::new(),
    })
}

impl Iterator for Generated<'_> {
    type Item = Result<GeneratedFile>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.next >= self.count {
            return None;
        }
        let index = self.next;
        self.next += 1;
        let mut rng = Rng::for_item(self.seed, index as u64);
        let source = rng.below(self.prepared.len());
        let mut supplier = names::supplier(&mut rng, None);
        if !self.companies.insert(supplier.company.clone()) {
            supplier = names::supplier(&mut rng, Some(index as u32 + 1));
            self.companies.insert(supplier.company.clone());
        }
        Some(self.prepared[source].make(index, supplier, &mut rng))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count - self.next;
        (left, Some(left))
    }
}

fn prepare(source: &Source) -> std::result::Result<Prepared<'_>, String> {
    let options = ReadOptions {
        with_lookup: true,
        ..ReadOptions::default()
    };
    let outcome = read_bytes(&source.bytes, &options).map_err(|e| e.to_string())?;
    let def = outcome.def;
    let report = &outcome.report;
    if !report.cached_values {
        return Err("saved without cached formula values".into());
    }
    let list = &def.smelter_list;
    if def.smelter_lookup.is_none() || list.col("lookup").is_none() {
        return Err(format!("{} has no Smelter Look-up", def.name()));
    }
    let lookup = outcome.lookup.unwrap_or_default();
    // Problems the generated files would inherit: anything not on the Smelter List (which is
    // replaced) or in the Declaration cells the generator overwrites.
    let overwritten: Vec<String> = DECLARATION_KEYS
        .iter()
        .filter_map(|k| def.declaration.get(*k).cloned())
        .collect();
    let problems = validate(report, def, &ValidationContext::default());
    if let Some(p) = problems.iter().find(|p| {
        p.severity == Severity::Error
            && p.code != Code::NoCachedValues
            && p.sheet.as_deref() != Some(list.sheet.as_str())
            && !(p.sheet.as_deref() == Some("Declaration")
                && p.cell.as_ref().is_some_and(|c| overwritten.contains(c)))
    }) {
        return Err(format!("it has an error the generator keeps: {p}"));
    }
    if report.active_minerals.is_empty() {
        return Err("no mineral is declared used, so no smelter belongs on its list".into());
    }

    // The template's own look-up, indexed as its formulas find entries (first match wins).
    let key = |m: &str, n: &str| (m.trim().to_lowercase(), n.trim().to_lowercase());
    let mut by_name: HashMap<(String, String), usize> = HashMap::new();
    let mut by_cid: HashMap<String, usize> = HashMap::new();
    for (i, e) in lookup.iter().enumerate() {
        by_name.entry(key(&e.metal, &e.lookup_name)).or_insert(i);
        if let Some(cid) = &e.cid {
            by_cid.entry(cid.trim().to_uppercase()).or_insert(i);
        }
    }
    let mut metals: IndexMap<String, Vec<Refiner>> = IndexMap::new();
    for active in &report.active_minerals {
        let mut refiners: IndexMap<String, Refiner> = IndexMap::new();
        let mut spelling = None;
        for (i, e) in lookup.iter().enumerate() {
            let Some(cid) = e.cid.as_deref() else {
                continue;
            };
            if !e.metal.trim().eq_ignore_ascii_case(active.trim()) {
                continue;
            }
            spelling.get_or_insert_with(|| e.metal.clone());
            if by_name.get(&key(&e.metal, &e.lookup_name)) != Some(&i) {
                continue;
            }
            let r = refiners.entry(cid.to_string()).or_insert(Refiner {
                aliases: Vec::new(),
                by_id: None,
            });
            r.aliases.push(i);
        }
        for (cid, r) in refiners.iter_mut() {
            // A typed ID shows the first look-up row with that ID; its standard name must then
            // select the same refiner, as the template's formulas chain them.
            let Some(&first) = by_cid.get(&cid.trim().to_uppercase()) else {
                continue;
            };
            let e = &lookup[first];
            if !e.metal.trim().eq_ignore_ascii_case(active.trim()) {
                continue;
            }
            let Some(std_name) = e.standard_name.as_deref() else {
                continue;
            };
            if let Some(&shown) = by_name.get(&key(&e.metal, std_name))
                && lookup[shown].cid.as_deref() == Some(cid.as_str())
            {
                r.by_id = Some((first, shown));
            }
        }
        match spelling {
            Some(name) if !refiners.is_empty() => {
                metals.insert(name, refiners.into_values().collect());
            }
            _ => {
                return Err(format!(
                    "{active} is declared used but the template's look-up has no refiner for it"
                ));
            }
        }
    }

    let mut pkg = Package::open(&source.bytes).map_err(|e| e.to_string())?;
    let part = pkg.sheet_part(&list.sheet).map_err(|e| e.to_string())?;
    let xml = pkg.read_part(&part).map_err(|e| e.to_string())?;
    let last = list.last_data_row.unwrap_or(list.first_data_row + 2000);
    let formulas = sheet::formula_columns(&xml, &part, list.first_data_row..=last)
        .map_err(|e| e.to_string())?;
    let bits = |keys: &mut dyn Iterator<Item = &str>| -> u64 {
        keys.filter_map(|k| list.col(k))
            .filter(|c| (1..=64).contains(c))
            .fold(0, |acc, c| acc | 1 << (c - 1))
    };
    let derived_bits = bits(&mut DERIVED.iter().map(|(k, _)| *k));
    let id_bits = bits(&mut ["metal", "lookup"].into_iter());
    let lookup_rows = (list.first_data_row..=last)
        .filter(|r| {
            formulas
                .get(r)
                .is_some_and(|b| b & derived_bits == derived_bits)
        })
        .collect();
    let columns = list
        .columns
        .keys()
        .filter_map(|k| list.col(k).map(|c| (k.clone(), c)))
        .collect();
    Ok(Prepared {
        source,
        def,
        lookup,
        metals,
        content_rows: report.smelters.iter().map(|s| s.row).collect(),
        formulas,
        lookup_rows,
        id_bits,
        columns,
    })
}

/// Declaration fields every generated file changes.
const DECLARATION_KEYS: [&str; 6] = [
    "company_name",
    "company_unique_id",
    "company_unique_id_authority",
    "contact_name",
    "contact_email",
    "effective_date",
];

/// One planned Smelter List row.
struct Pick {
    metal: usize,
    refiner: usize,
    by_id: bool,
}

impl Prepared<'_> {
    fn list(&self) -> &ListDef {
        &self.def.smelter_list
    }

    fn is_formula(&self, row: u32, col: u32) -> bool {
        (1..=64).contains(&col)
            && self
                .formulas
                .get(&row)
                .is_some_and(|b| b & (1 << (col - 1)) != 0)
    }

    fn make(&self, index: usize, supplier: Supplier, rng: &mut Rng) -> Result<GeneratedFile> {
        let def = self.def;
        let mut patch = WorkbookPatch::new();
        let date = self.effective_date(rng);
        let decl = |key: &str| def.declaration_cell(key);
        for (key, value) in [
            ("company_name", &supplier.company),
            ("company_unique_id", &supplier.company_id),
            ("company_unique_id_authority", &supplier.authority),
            ("contact_name", &supplier.contact),
            ("contact_email", &supplier.email),
        ] {
            if let Some(cell) = decl(key) {
                patch.set_text("Declaration", cell, value.clone());
            }
        }
        if let Some(cell) = decl("effective_date") {
            let serial = (date - excel_epoch()).num_days() as f64;
            patch.set_number("Declaration", cell, serial);
        }

        let sheet_name = self.list().sheet.clone();
        // Empty the source's rows first; generated rows then overwrite what they use.
        for &row in &self.content_rows {
            for (_, col) in &self.columns {
                let cell = CellRef { row, col: *col };
                patch.edit(&sheet_name, cell, self.blank(row, *col));
            }
        }
        let picks = self.picks(rng);
        let mut smelters = Vec::with_capacity(picks.len());
        let mut rows = self.lookup_rows.iter().copied();
        for pick in picks {
            let Some(row) = rows.next() else { break };
            let id_row = pick.by_id
                && self
                    .formulas
                    .get(&row)
                    .is_some_and(|b| b & self.id_bits == self.id_bits);
            smelters.push(self.write_row(&mut patch, row, &pick, id_row, rng));
        }
        let bytes = patch.apply(&self.source.bytes)?;
        let file_name = names::file_safe(&format!(
            "{index:05} {} {} {}.xlsx",
            supplier.company, def.family, def.version
        ));
        Ok(GeneratedFile {
            file_name,
            bytes,
            intended: Intended {
                template: def.name(),
                source: self.source.name.clone(),
                supplier,
                effective_date: date.format("%Y-%m-%d").to_string(),
                smelters,
            },
        })
    }

    /// The edit that empties a cell: a formula keeps its formula with an empty result.
    fn blank(&self, row: u32, col: u32) -> CellEdit {
        CellEdit {
            value: CellValue::Blank,
            formula: if self.is_formula(row, col) {
                FormulaPolicy::KeepAsCached
            } else {
                FormulaPolicy::Refuse
            },
        }
    }

    /// Writes one row and returns what the reader should see in it.
    fn write_row(
        &self,
        patch: &mut WorkbookPatch,
        row: u32,
        pick: &Pick,
        id_row: bool,
        rng: &mut Rng,
    ) -> IntendedSmelter {
        let list = self.list();
        let sheet = list.sheet.as_str();
        let at = |key: &str| list.col(key).map(|col| CellRef { row, col });
        let refiner = &self.metals[pick.metal][pick.refiner];
        // The look-up entry whose data the row's formulas show.
        let (shown, metal, lookup_value, typed_id) = match (id_row, refiner.by_id) {
            (true, Some((first, shown))) => {
                let e = &self.lookup[first];
                let std_name = e.standard_name.clone().unwrap_or_default();
                let cid = e.cid.clone().unwrap_or_default();
                if let Some(c) = at("smelter_id_input") {
                    patch.set_text(sheet, c, cid.clone());
                }
                if let Some(c) = at("metal") {
                    patch.set_cached_text(sheet, c, e.metal.clone());
                }
                if let Some(c) = at("lookup") {
                    patch.set_cached_text(sheet, c, std_name.clone());
                }
                (&self.lookup[shown], e.metal.clone(), std_name, Some(cid))
            }
            _ => {
                let alias = refiner
                    .aliases
                    .get(rng.below(refiner.aliases.len()))
                    .copied()
                    .unwrap_or(0);
                let e = &self.lookup[alias];
                if let Some(c) = at("metal") {
                    patch.replace_with_text(sheet, c, e.metal.clone());
                }
                if let Some(c) = at("lookup") {
                    patch.replace_with_text(sheet, c, e.lookup_name.clone());
                }
                (e, e.metal.clone(), e.lookup_name.clone(), None)
            }
        };
        for (key, field) in DERIVED {
            if let Some(c) = at(key) {
                let value = field.of(shown).unwrap_or("").to_string();
                patch.set_cached_text(sheet, c, value);
            }
        }
        IntendedSmelter {
            row,
            entry: if typed_id.is_some() {
                EntryKind::SmelterId
            } else {
                EntryKind::Lookup
            },
            metal,
            name: shown
                .standard_name
                .clone()
                .unwrap_or_else(|| lookup_value.clone()),
            lookup_value,
            country: shown.country.clone(),
            cid: shown.cid.clone().unwrap_or_default(),
            smelter_id_input: typed_id,
        }
    }

    /// How many rows, and which refiners, grouped by metal in template order.
    fn picks(&self, rng: &mut Rng) -> Vec<Pick> {
        let available: usize = self.metals.values().map(Vec::len).sum();
        let most = available.min(self.lookup_rows.len()).min(400);
        let least = self.metals.len().min(most);
        let roll = rng.below(100);
        let size = match roll {
            0..40 => rng.between(3, 15),
            40..75 => rng.between(16, 80),
            _ => rng.between(81, 400),
        }
        .clamp(least, most.max(least));
        let mut all: Vec<(usize, usize)> = self
            .metals
            .values()
            .enumerate()
            .flat_map(|(m, refiners)| (0..refiners.len()).map(move |r| (m, r)))
            .collect();
        rng.shuffle(&mut all);
        // One refiner of every metal first, then the rest in shuffled order.
        let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(size);
        for m in 0..self.metals.len() {
            if let Some(&p) = all.iter().find(|(pm, _)| *pm == m) {
                chosen.push(p);
            }
        }
        for &p in &all {
            if chosen.len() >= size {
                break;
            }
            if !chosen.contains(&p) {
                chosen.push(p);
            }
        }
        chosen.truncate(size);
        chosen.sort_by_key(|&(m, _)| m);
        chosen
            .into_iter()
            .map(|(metal, refiner)| Pick {
                metal,
                refiner,
                by_id: self.metals[metal][refiner].by_id.is_some() && rng.chance(0.12),
            })
            .collect()
    }

    /// A date the template's own validation accepts, from its release on.
    fn effective_date(&self, rng: &mut Rng) -> NaiveDate {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        };
        let lo = [
            parse(&self.def.release_date),
            parse(&self.def.effective_date_min),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default());
        let mut hi = lo + Duration::days(540);
        if let Some(max) = parse(&self.def.effective_date_max) {
            hi = hi.min(max);
        }
        let span = (hi - lo).num_days().max(0) as usize;
        lo + Duration::days(rng.below(span + 1) as i64)
    }
}

/// Day zero of Excel's 1900 date system as Excel counts it (serial 1 = 1900-01-01).
fn excel_epoch() -> NaiveDate {
    NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default()
}

/// Reads a generated file back and checks it declares what was intended.
pub fn verify(file: &GeneratedFile) -> Result<()> {
    let fail = |detail: String| WriteError::Verify {
        file: file.file_name.clone(),
        detail,
    };
    let outcome = read_bytes(&file.bytes, &ReadOptions::default())
        .map_err(|e| fail(format!("unreadable: {e}")))?;
    let report = &outcome.report;
    let want = &file.intended;
    if outcome.def.name() != want.template {
        return Err(fail(format!("reads as {}", outcome.def.name())));
    }
    let d = &report.declaration;
    for (field, got, expected) in [
        ("company name", &d.company_name, &want.supplier.company),
        (
            "company ID",
            &d.company_unique_id,
            &want.supplier.company_id,
        ),
        ("contact name", &d.contact_name, &want.supplier.contact),
        ("contact e-mail", &d.contact_email, &want.supplier.email),
        ("effective date", &d.effective_date, &want.effective_date),
    ] {
        if got.as_deref() != Some(expected.as_str()) {
            return Err(fail(format!(
                "{field} reads {got:?}, intended {expected:?}"
            )));
        }
    }
    if report.smelters.len() != want.smelters.len() {
        return Err(fail(format!(
            "{} smelter rows read, {} intended",
            report.smelters.len(),
            want.smelters.len()
        )));
    }
    for (got, expected) in report.smelters.iter().zip(&want.smelters) {
        let seen = as_intended(got);
        if &seen != expected {
            return Err(fail(format!(
                "row {} reads {seen:?}, intended {expected:?}",
                got.row
            )));
        }
    }
    Ok(())
}

fn as_intended(row: &SmelterRow) -> IntendedSmelter {
    IntendedSmelter {
        row: row.row,
        entry: row.entry,
        metal: row.metal.clone().unwrap_or_default(),
        lookup_value: row.lookup_value.clone().unwrap_or_default(),
        name: row.name.clone().unwrap_or_default(),
        country: row.country.clone(),
        cid: row.cid.clone().unwrap_or_default(),
        smelter_id_input: row.smelter_id_input.clone(),
    }
}
