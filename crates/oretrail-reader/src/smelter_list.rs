//! Smelter List rows, with formula-derived fields recovered when the file has no cached values.

use crate::lookup::LookupIndex;
use crate::sheet::Sheet;
use crate::values;
use indexmap::IndexMap;
use oretrail_template::registry::ListDef;
use oretrail_template::{EntryKind, LookupEntry, SmelterRow, is_not_listed, is_not_yet_identified};

/// Typed extras kept in `details` when present (formula columns only when typed over).
const DETAIL_KEYS: [&str; 11] = [
    "source",
    "street",
    "city",
    "state_province",
    "contact_name",
    "contact_email",
    "proposed_next_steps",
    "mine_names",
    "mine_countries",
    "recycled_scrap",
    "comments",
];

/// Columns a supplier fills; a row with none of them filled is blank.
const INPUT_KEYS: [&str; 11] = [
    "smelter_id_input",
    "metal",
    "lookup",
    "name",
    "contact_name",
    "contact_email",
    "proposed_next_steps",
    "mine_names",
    "mine_countries",
    "recycled_scrap",
    "comments",
];

/// Reads every non-blank row at or below the first data row, in sheet order.
pub fn read(
    sheet: &Sheet,
    list: &ListDef,
    lookup: Option<&LookupIndex<'_>>,
    max_row: u32,
) -> Vec<SmelterRow> {
    let mut out = Vec::new();
    for row in sheet.value_rows() {
        if row < list.first_data_row || row > max_row {
            continue;
        }
        if let Some(r) = read_row(sheet, list, lookup, row) {
            out.push(r);
        }
    }
    out
}

struct RowCells<'s> {
    sheet: &'s Sheet,
    list: &'s ListDef,
    row: u32,
}

impl RowCells<'_> {
    fn text(&self, key: &str) -> Option<String> {
        let col = self.list.col(key)?;
        values::cell_text(self.sheet, self.row, col)
            .filter(|t| (t != "0" || key == "recycled_scrap") && !values::is_template_footer(t))
    }
    fn formula(&self, key: &str) -> bool {
        self.list
            .col(key)
            .is_some_and(|c| self.sheet.is_formula(self.row, c))
    }
    /// Typed (not formula) text of a column.
    fn typed(&self, key: &str) -> Option<String> {
        if self.formula(key) {
            None
        } else {
            self.text(key)
        }
    }
}

fn read_row(
    sheet: &Sheet,
    list: &ListDef,
    lookup: Option<&LookupIndex<'_>>,
    row: u32,
) -> Option<SmelterRow> {
    let cells = RowCells { sheet, list, row };
    let has_input = INPUT_KEYS.iter().any(|k| cells.typed(k).is_some())
        || ["country", "cid"].iter().any(|k| cells.typed(k).is_some())
        || ["metal", "lookup"]
            .iter()
            .any(|k| cells.formula(k) && cells.text(k).is_some());
    if !has_input {
        return None;
    }
    let id_input = cells.typed("smelter_id_input");
    let mut metal = cells.text("metal");
    let mut lookup_value = cells.text("lookup");
    let has_lookup_column = list.col("lookup").is_some();

    let entry = match lookup_value.as_deref() {
        Some(v) if is_not_listed(v) => EntryKind::NotListed,
        Some(v) if is_not_yet_identified(v) => EntryKind::NotYetIdentified,
        _ if !has_lookup_column => EntryKind::NotListed,
        _ if id_input.is_some() && (cells.formula("lookup") || lookup_value.is_none()) => {
            EntryKind::SmelterId
        }
        _ => EntryKind::Lookup,
    };

    let mut formula_fields: Vec<String> = Vec::new();
    // The look-up entry the template's formulas select for this row.
    let mut selected: Option<&LookupEntry> = None;
    if let Some(index) = lookup {
        if entry == EntryKind::SmelterId
            && let Some(by_id) = id_input.as_deref().and_then(|id| index.by_cid(id))
        {
            if metal.is_none() && cells.formula("metal") {
                metal = Some(by_id.metal.clone());
            }
            if lookup_value.is_none() && cells.formula("lookup") {
                lookup_value = by_id
                    .standard_name
                    .clone()
                    .or_else(|| Some(by_id.lookup_name.clone()));
            }
        }
        if let Some(m) = metal.as_deref() {
            let key = match entry {
                EntryKind::NotListed | EntryKind::NotYetIdentified
                    if list.special_rows_match_typed_name =>
                {
                    cells.text("name")
                }
                _ => lookup_value.clone(),
            };
            selected = key.and_then(|k| index.by_name(m, &k));
        }
    }
    // A formula column without a cached value takes what its formula would compute.
    let derived =
        |key: &str, from_entry: &dyn Fn(&LookupEntry) -> Option<String>| -> Option<String> {
            match cells.text(key) {
                Some(t) => Some(t),
                None if cells.formula(key) => selected.and_then(from_entry),
                None => None,
            }
        };
    let country = derived("country", &|e| e.country.clone());
    let cid = derived("cid", &|e| e.cid.clone());
    let standard_name = derived("standard_name", &|e| e.standard_name.clone());

    let name = match entry {
        EntryKind::NotListed => cells.text("name"),
        EntryKind::NotYetIdentified => None,
        EntryKind::Lookup | EntryKind::SmelterId => standard_name
            .clone()
            .or_else(|| cells.text("name"))
            .or_else(|| lookup_value.clone()),
    };
    let country = match entry {
        EntryKind::NotYetIdentified => {
            country.filter(|c| !cells.formula("country") && !c.eq_ignore_ascii_case("unknown"))
        }
        _ => country,
    };

    let name_from_formula = matches!(entry, EntryKind::Lookup | EntryKind::SmelterId)
        && standard_name.is_some()
        && cells.formula("standard_name");
    for (field, formula, present) in [
        ("metal", cells.formula("metal"), metal.is_some()),
        (
            "lookup_value",
            cells.formula("lookup"),
            lookup_value.is_some(),
        ),
        ("name", name_from_formula, name.is_some()),
        ("country", cells.formula("country"), country.is_some()),
        ("cid", cells.formula("cid"), cid.is_some()),
    ] {
        if formula && present {
            formula_fields.push(field.to_string());
        }
    }

    let mut details = IndexMap::new();
    for key in DETAIL_KEYS {
        if let Some(v) = cells.typed(key) {
            details.insert(key.to_string(), v);
        }
    }
    if matches!(entry, EntryKind::Lookup | EntryKind::SmelterId)
        && let Some(typed_name) = cells.typed("name")
    {
        details.insert("typed_name".to_string(), typed_name);
    }

    Some(SmelterRow {
        row,
        entry,
        metal,
        lookup_value,
        name,
        country,
        cid,
        smelter_id_input: id_input,
        formula_fields,
        details,
        resolution: None,
    })
}
