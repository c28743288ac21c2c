//! Editable country risk lists: the Dodd-Frank "covered countries" and the EU's indicative
//! list of conflict-affected and high-risk areas (CAHRAs).
//!
//! Both ship as plain CSV files (`data/covered_countries.csv`, `data/eu_cahra.csv`) and can be
//! replaced without rebuilding by putting files of the same name in an override directory.
//! The CAHRA list changes every quarter: users must keep their copy current.

use crate::datafile::{DataFileError, read_rows};
use indexmap::IndexMap;
use std::path::Path;

const COVERED_CSV: &str = include_str!("../data/covered_countries.csv");
const CAHRA_CSV: &str = include_str!("../data/eu_cahra.csv");

/// File name of the covered-countries list in an override directory.
pub const COVERED_COUNTRIES_FILE: &str = "covered_countries.csv";
/// File name of the EU CAHRA list in an override directory.
pub const EU_CAHRA_FILE: &str = "eu_cahra.csv";

/// A country with at least one area on a risk list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskCountry {
    /// ISO 3166-1 alpha-2 code.
    pub iso2: String,
    /// Country name as written in the list.
    pub name: String,
    /// Free note (e.g. "regions only").
    pub note: Option<String>,
}

/// The covered-countries and EU CAHRA lists.
#[derive(Debug, Clone)]
pub struct RiskLists {
    covered: IndexMap<String, RiskCountry>,
    cahra: IndexMap<String, RiskCountry>,
}

impl RiskLists {
    /// The lists shipped with Oretrail.
    pub fn embedded() -> RiskLists {
        match RiskLists::load(None) {
            Ok(lists) => lists,
            // The embedded files are checked by the tests of this module.
            Err(e) => panic!("embedded risk lists are invalid: {e}"),
        }
    }

    /// Loads both lists from `override_dir` where a file of the same name exists, else the
    /// embedded copies.
    pub fn load(override_dir: Option<&Path>) -> Result<RiskLists, DataFileError> {
        Ok(RiskLists {
            covered: load_list(COVERED_COUNTRIES_FILE, COVERED_CSV, override_dir)?,
            cahra: load_list(EU_CAHRA_FILE, CAHRA_CSV, override_dir)?,
        })
    }

    /// Whether the country (ISO alpha-2) is the DRC or one of its adjoining countries.
    pub fn is_covered_country(&self, iso2: &str) -> bool {
        self.covered.contains_key(&iso2.trim().to_ascii_uppercase())
    }

    /// Whether the country (ISO alpha-2) has an area on the EU CAHRA list.
    pub fn is_eu_cahra(&self, iso2: &str) -> bool {
        self.cahra.contains_key(&iso2.trim().to_ascii_uppercase())
    }

    /// The covered countries, in file order.
    pub fn covered_countries(&self) -> impl Iterator<Item = &RiskCountry> {
        self.covered.values()
    }

    /// The countries on the EU CAHRA list, in file order.
    pub fn eu_cahra_countries(&self) -> impl Iterator<Item = &RiskCountry> {
        self.cahra.values()
    }

    /// The EU CAHRA entry of a country, with its note.
    pub fn eu_cahra_entry(&self, iso2: &str) -> Option<&RiskCountry> {
        self.cahra.get(&iso2.trim().to_ascii_uppercase())
    }
}

fn load_list(
    name: &str,
    embedded: &str,
    override_dir: Option<&Path>,
) -> Result<IndexMap<String, RiskCountry>, DataFileError> {
    let (file, rows) = read_rows(name, embedded, override_dir)?;
    let mut map = IndexMap::new();
    for row in &rows {
        let iso2 = row.required(&file, 0, "ISO code")?.to_ascii_uppercase();
        if iso2.len() != 2 || !iso2.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(DataFileError::Invalid {
                file: file.clone(),
                line: row.line,
                message: format!("'{iso2}' is not a two-letter ISO code"),
            });
        }
        let name = row.optional(1).unwrap_or(&iso2).to_string();
        let note = row.optional(2).map(str::to_string);
        map.insert(iso2.clone(), RiskCountry { iso2, name, note });
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::country::CountryList;

    #[test]
    fn covered_countries_are_the_drc_and_its_nine_neighbours() {
        let lists = RiskLists::embedded();
        let codes: Vec<&str> = lists.covered_countries().map(|c| c.iso2.as_str()).collect();
        assert_eq!(
            codes,
            ["CD", "AO", "BI", "CF", "CG", "RW", "SS", "TZ", "UG", "ZM"]
        );
        assert!(lists.is_covered_country("tz"));
        assert!(!lists.is_covered_country("CN"));
    }

    #[test]
    fn every_risk_list_code_is_an_rmi_country() {
        let countries = CountryList::embedded();
        let lists = RiskLists::embedded();
        for c in lists.covered_countries().chain(lists.eu_cahra_countries()) {
            assert!(countries.by_code(&c.iso2).is_some(), "{}", c.iso2);
        }
        assert!(lists.is_eu_cahra("CD"));
        assert!(!lists.is_eu_cahra("BE"));
    }

    #[test]
    fn an_override_directory_replaces_the_cahra_list_only() {
        let dir = std::env::temp_dir().join(format!("oretrail-risk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(
            dir.join(EU_CAHRA_FILE),
            "# mine\niso2,country,note\nBE,BELGIUM,test\n",
        )
        .expect("write");
        let lists = RiskLists::load(Some(&dir)).expect("load");
        assert!(lists.is_eu_cahra("BE"));
        assert!(!lists.is_eu_cahra("CD"));
        assert!(lists.is_covered_country("CD"));
        assert_eq!(
            lists.eu_cahra_entry("be").and_then(|c| c.note.as_deref()),
            Some("test")
        );
        std::fs::write(dir.join(EU_CAHRA_FILE), "iso2,country\nBEL,BELGIUM\n").expect("write");
        assert!(RiskLists::load(Some(&dir)).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }
}
