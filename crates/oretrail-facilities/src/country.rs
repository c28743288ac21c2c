//! Country names as the RMI templates spell them, and resolution of spelling variants to
//! ISO 3166-1 alpha-2 codes.
//!
//! The reference list is the templates' hidden sheet `C` (`data/countries.csv`); extra
//! spellings live in `data/country_aliases.csv`. Both can be replaced through an override
//! directory. Matching ignores case, accents, punctuation, the words "the"/"of"/"and" and word
//! order, so `"CONGO, DEMOCRATIC REPUBLIC OF THE"` and `"Democratic Republic of the Congo"` meet.

use crate::datafile::{DataFileError, read_rows};
use std::collections::HashMap;
use std::path::Path;
use std::sync::OnceLock;

const COUNTRIES_CSV: &str = include_str!("../data/countries.csv");
const ALIASES_CSV: &str = include_str!("../data/country_aliases.csv");

/// File name of the RMI country list in an override directory.
pub const COUNTRIES_FILE: &str = "countries.csv";
/// File name of the extra country spellings in an override directory.
pub const COUNTRY_ALIASES_FILE: &str = "country_aliases.csv";

/// One country of the RMI list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-2 code (`CD`).
    pub iso2: String,
    /// Name as the RMI templates spell it (`CONGO, DEMOCRATIC REPUBLIC OF THE`).
    pub rmi_name: String,
}

/// The RMI country list with an index of accepted spellings.
#[derive(Debug, Clone)]
pub struct CountryList {
    countries: Vec<Country>,
    by_code: HashMap<String, usize>,
    /// Full names and listed aliases (unambiguous by construction).
    by_name: HashMap<String, usize>,
    /// Shortened forms derived from names; `None` when two countries share one.
    derived: HashMap<String, Option<usize>>,
}

impl CountryList {
    /// The list shipped with Oretrail.
    pub fn embedded() -> CountryList {
        CountryList::shared().clone()
    }

    /// The list shipped with Oretrail, parsed once per process.
    pub fn shared() -> &'static CountryList {
        static EMBEDDED: OnceLock<CountryList> = OnceLock::new();
        EMBEDDED.get_or_init(|| match CountryList::load(None) {
            Ok(list) => list,
            // The embedded files are checked by the tests of this module.
            Err(e) => panic!("embedded country data is invalid: {e}"),
        })
    }

    /// Loads `countries.csv` and `country_aliases.csv` from `override_dir` when present there,
    /// else the embedded copies.
    pub fn load(override_dir: Option<&Path>) -> Result<CountryList, DataFileError> {
        let (file, rows) = read_rows(COUNTRIES_FILE, COUNTRIES_CSV, override_dir)?;
        let mut list = CountryList {
            countries: Vec::new(),
            by_code: HashMap::new(),
            by_name: HashMap::new(),
            derived: HashMap::new(),
        };
        for row in &rows {
            let iso2 = row.required(&file, 0, "ISO code")?.to_ascii_uppercase();
            let rmi_name = row.required(&file, 1, "country name")?.to_string();
            if iso2.len() != 2 || !iso2.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(DataFileError::Invalid {
                    file: file.clone(),
                    line: row.line,
                    message: format!("'{iso2}' is not a two-letter ISO code"),
                });
            }
            let i = list.countries.len();
            list.by_code.insert(iso2.clone(), i);
            list.by_name.insert(name_key(&rmi_name), i);
            list.countries.push(Country { iso2, rmi_name });
        }
        for i in 0..list.countries.len() {
            let name = list.countries[i].rmi_name.clone();
            for key in derived_keys(&name) {
                if list.by_name.contains_key(&key) {
                    continue;
                }
                list.derived
                    .entry(key)
                    .and_modify(|slot| {
                        if *slot != Some(i) {
                            *slot = None;
                        }
                    })
                    .or_insert(Some(i));
            }
        }
        let (file, rows) = read_rows(COUNTRY_ALIASES_FILE, ALIASES_CSV, override_dir)?;
        for row in &rows {
            let alias = row.required(&file, 0, "alias")?;
            let code = row.required(&file, 1, "ISO code")?.to_ascii_uppercase();
            let Some(&i) = list.by_code.get(&code) else {
                return Err(DataFileError::Invalid {
                    file: file.clone(),
                    line: row.line,
                    message: format!("'{code}' is not in {COUNTRIES_FILE}"),
                });
            };
            list.by_name.insert(name_key(alias), i);
        }
        Ok(list)
    }

    /// Every country, in list order.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// The country with this ISO alpha-2 code.
    pub fn by_code(&self, iso2: &str) -> Option<&Country> {
        self.by_code
            .get(&iso2.trim().to_ascii_uppercase())
            .map(|&i| &self.countries[i])
    }

    /// Resolves a country as written (RMI name, common variant, or ISO code); `None` for
    /// empty text, "Unknown" and unrecognised names.
    pub fn resolve(&self, text: &str) -> Option<&Country> {
        let trimmed = text.trim();
        if trimmed.len() == 2
            && trimmed.chars().all(|c| c.is_ascii_alphabetic())
            && let Some(c) = self.by_code(trimmed)
        {
            return Some(c);
        }
        let key = name_key(trimmed);
        if key.is_empty() || key == "unknown" {
            return None;
        }
        if let Some(&i) = self.by_name.get(&key) {
            return Some(&self.countries[i]);
        }
        match self.derived.get(&key) {
            Some(Some(i)) => Some(&self.countries[*i]),
            _ => None,
        }
    }

    /// ISO code of a country as written, if recognised.
    pub fn iso2(&self, text: &str) -> Option<&str> {
        self.resolve(text).map(|c| c.iso2.as_str())
    }

    /// Whether two country texts designate the same country (`None` when either is unknown).
    pub fn same_country(&self, a: &str, b: &str) -> Option<bool> {
        Some(self.iso2(a)? == self.iso2(b)?)
    }
}

/// Case-, accent-, punctuation- and order-insensitive key of a country name.
fn name_key(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let mut words: Vec<&str> = ascii
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !matches!(*w, "the" | "of" | "and"))
        .collect();
    words.sort_unstable();
    words.dedup();
    words.join(" ")
}

/// Shorter forms of an RMI name: without its parenthesised part, and the part before a comma.
fn derived_keys(name: &str) -> Vec<String> {
    let mut keys = Vec::new();
    if let Some(open) = name.find('(') {
        keys.push(name_key(&name[..open]));
    }
    if let Some(comma) = name.find(',') {
        keys.push(name_key(&name[..comma]));
    }
    keys.retain(|k| !k.is_empty());
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(text: &str) -> Option<String> {
        CountryList::embedded().iso2(text).map(str::to_string)
    }

    #[test]
    fn the_embedded_list_has_the_249_rmi_countries() {
        let list = CountryList::embedded();
        assert_eq!(list.countries().len(), 249);
        assert_eq!(
            list.by_code("cd").map(|c| c.rmi_name.as_str()),
            Some("CONGO, DEMOCRATIC REPUBLIC OF THE")
        );
    }

    #[test]
    fn congo_spellings_resolve_to_cd_and_cg() {
        for s in [
            "CONGO, DEMOCRATIC REPUBLIC OF THE",
            "DR Congo",
            "Democratic Republic of the Congo",
            "democratic republic of congo",
            "DRC",
            "CD",
        ] {
            assert_eq!(iso(s).as_deref(), Some("CD"), "{s}");
        }
        assert_eq!(iso("CONGO").as_deref(), Some("CG"));
        assert_eq!(iso("Republic of the Congo").as_deref(), Some("CG"));
    }

    #[test]
    fn tanzania_spellings_resolve_to_tz() {
        for s in [
            "TANZANIA, UNITED REPUBLIC OF",
            "Tanzania",
            "United Republic of Tanzania",
            "tanzania, united republic of",
        ] {
            assert_eq!(iso(s).as_deref(), Some("TZ"), "{s}");
        }
    }

    #[test]
    fn case_accents_and_parentheses_do_not_matter() {
        assert_eq!(iso("Côte d'Ivoire").as_deref(), Some("CI"));
        assert_eq!(iso("COTE D IVOIRE").as_deref(), Some("CI"));
        assert_eq!(iso("Bolivia").as_deref(), Some("BO"));
        assert_eq!(iso("viet nam").as_deref(), Some("VN"));
        assert_eq!(iso("Vietnam").as_deref(), Some("VN"));
        assert_eq!(iso("NORTH MACEDONIA, REPUBLIC OF").as_deref(), Some("MK"));
        assert_eq!(iso("Taiwan").as_deref(), Some("TW"));
    }

    #[test]
    fn unknown_and_empty_are_not_countries() {
        assert_eq!(iso("Unknown"), None);
        assert_eq!(iso("  "), None);
        assert_eq!(iso("Atlantis"), None);
    }

    #[test]
    fn an_override_directory_replaces_the_aliases() {
        let dir = std::env::temp_dir().join(format!("oretrail-country-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        std::fs::write(dir.join(COUNTRY_ALIASES_FILE), "alias,iso2\nNarnia,GB\n").expect("write");
        let list = CountryList::load(Some(&dir)).expect("load");
        assert_eq!(list.iso2("Narnia"), Some("GB"));
        assert_eq!(
            list.iso2("DRC"),
            None,
            "the override replaces the shipped aliases"
        );
        std::fs::write(dir.join(COUNTRY_ALIASES_FILE), "alias,iso2\nNarnia,QQ\n").expect("write");
        let err = CountryList::load(Some(&dir)).expect_err("bad code");
        assert!(err.to_string().contains("QQ"), "{err}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
