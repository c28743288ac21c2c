//! The template's own Smelter Look-up sheet: RMI's reference list as the workbook carries it.

use crate::sheet::Sheet;
use crate::values;
use oretrail_template::LookupEntry;
use oretrail_template::registry::ListDef;
use std::collections::HashMap;

/// Reads every look-up row that names a metal and a look-up value.
pub fn read(sheet: &Sheet, list: &ListDef) -> Vec<LookupEntry> {
    let col = |key: &str| list.col(key);
    let get = |row: u32, key: &str| col(key).and_then(|c| values::cell_text(sheet, row, c));
    let mut out = Vec::new();
    for row in sheet.value_rows() {
        if row < list.first_data_row {
            continue;
        }
        let (Some(metal), Some(lookup_name)) = (get(row, "metal"), get(row, "lookup_name")) else {
            continue;
        };
        out.push(LookupEntry {
            metal,
            lookup_name,
            standard_name: get(row, "standard_smelter_name"),
            country: get(row, "country"),
            cid: get(row, "smelter_id").filter(|c| c != "0"),
            source: get(row, "smelter_id_source"),
            street: get(row, "street").filter(|c| c != "0"),
            city: get(row, "city").filter(|c| c != "0"),
            state_province: get(row, "state_province").filter(|c| c != "0"),
        });
    }
    out
}

/// Look-up entries indexed the way the template's formulas find them.
pub struct LookupIndex<'a> {
    by_name: HashMap<(String, String), &'a LookupEntry>,
    by_cid: HashMap<String, &'a LookupEntry>,
}

impl<'a> LookupIndex<'a> {
    /// Indexes entries by (metal, look-up name) and by CID; the first row wins, like MATCH.
    pub fn new(entries: &'a [LookupEntry]) -> LookupIndex<'a> {
        let mut by_name = HashMap::new();
        let mut by_cid = HashMap::new();
        for e in entries {
            by_name
                .entry((e.metal.to_lowercase(), e.lookup_name.trim().to_lowercase()))
                .or_insert(e);
            if let Some(cid) = &e.cid {
                by_cid.entry(cid.trim().to_uppercase()).or_insert(e);
            }
        }
        LookupIndex { by_name, by_cid }
    }

    /// The entry a metal and look-up name select (case-insensitive, as Excel's MATCH).
    pub fn by_name(&self, metal: &str, name: &str) -> Option<&'a LookupEntry> {
        self.by_name
            .get(&(metal.to_lowercase(), name.trim().to_lowercase()))
            .copied()
    }

    /// The first entry carrying a CID.
    pub fn by_cid(&self, cid: &str) -> Option<&'a LookupEntry> {
        self.by_cid.get(&cid.trim().to_uppercase()).copied()
    }
}
