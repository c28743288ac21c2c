//! The facility registry: every RMI smelter/refiner Oretrail has learned from the templates'
//! Smelter Look-up sheets, keyed by metal and CID (CIDs are per metal).
//!
//! Learning is additive and order-independent: each template version is a *source*; a facility
//! keeps every look-up name (alias) and standard name any source gave it, and which versions
//! listed it. Its current standard name, country and address come from the newest listing
//! (see [`FacilityRegistry::learn`]). A facility absent from the newest learned version of every
//! family that used to list it stays known and is marked [`Facility::no_longer_listed`].
//!
//! Analysts' decisions ([`FacilityRegistry::remember_alias`]) are stored with the registry and
//! applied by the matcher to every later resolution.

use crate::normalize::{exact_key, token_sorted_key};
use oretrail_template::{Family, LookupEntry};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// Version of the registry's serialised layout.
pub const REGISTRY_FORMAT_VERSION: u32 = 1;

/// A registry operation was refused.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum RegistryError {
    /// No facility with that CID is known for that metal.
    #[error("no {metal} facility with ID {cid} is known")]
    UnknownFacility {
        /// Metal asked for.
        metal: String,
        /// CID asked for.
        cid: String,
    },
    /// The typed name is empty once trimmed.
    #[error("the name to remember is empty")]
    EmptyName,
}

/// One template version learned into the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedSource {
    /// Template family.
    pub family: Family,
    /// Template version ("6.5").
    pub version: String,
    /// Number of facilities per metal in that version's look-up.
    pub facilities_per_metal: BTreeMap<String, usize>,
}

/// What one template version said about one facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    /// Template family.
    pub family: Family,
    /// Template version.
    pub version: String,
    /// Look-up names (column B) of the facility in that version.
    pub lookup_names: Vec<String>,
    /// Standard name (column C).
    pub standard_name: Option<String>,
    /// Country (RMI spelling).
    pub country: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State or province.
    pub state_province: Option<String>,
}

/// One RMI smelter or refiner for one metal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facility {
    /// Metal, as the templates spell it ("Cobalt").
    pub metal: String,
    /// RMI facility ID (`CID` + 6 digits).
    pub cid: String,
    /// Current standard name (from the newest listing).
    pub standard_name: String,
    /// Current country (RMI spelling).
    pub country: Option<String>,
    /// Current street.
    pub street: Option<String>,
    /// Current city.
    pub city: Option<String>,
    /// Current state or province.
    pub state_province: Option<String>,
    /// Every name known for the facility: look-up names and standard names, current first.
    pub aliases: Vec<String>,
    /// Standard names used by older versions and no longer current.
    pub former_names: Vec<String>,
    /// Families whose newest learned version lists the facility.
    pub listed_in_newest: Vec<Family>,
    /// True when no family's newest learned version lists the facility any more.
    pub no_longer_listed: bool,
    /// Every template version that listed the facility, with what it said.
    pub listings: Vec<Listing>,
}

/// An analyst's decision that a typed name designates a facility.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManualAlias {
    /// Metal of the decision.
    pub metal: String,
    /// Name as the supplier typed it.
    pub name: String,
    /// Facility ID it designates.
    pub cid: String,
    /// Who decided.
    pub decided_by: String,
    /// When (RFC 3339, UTC).
    pub decided_at: String,
}

/// Counts of one [`FacilityRegistry::learn`] call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LearnSummary {
    /// Look-up rows read.
    pub entries: usize,
    /// Rows skipped (special rows without a CID, blank metals).
    pub skipped: usize,
    /// Facilities seen for the first time.
    pub new_facilities: usize,
    /// Facilities listed by this version.
    pub facilities: usize,
}

/// The registry's plain data, for stores that keep it in tables rather than one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RegistryParts {
    /// Template versions learned.
    pub sources: Vec<LearnedSource>,
    /// Facilities with their listings.
    pub facilities: Vec<Facility>,
    /// Analysts' decisions.
    pub manual_aliases: Vec<ManualAlias>,
}

/// All known facilities, the sources they were learned from and the analysts' decisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilityRegistry {
    /// Serialised layout version ([`REGISTRY_FORMAT_VERSION`]).
    pub format_version: u32,
    sources: Vec<LearnedSource>,
    facilities: Vec<Facility>,
    manual_aliases: Vec<ManualAlias>,
    #[serde(skip)]
    by_key: HashMap<(String, String), usize>,
}

impl Default for FacilityRegistry {
    fn default() -> Self {
        FacilityRegistry::new()
    }
}

impl FacilityRegistry {
    /// An empty registry.
    pub fn new() -> FacilityRegistry {
        FacilityRegistry {
            format_version: REGISTRY_FORMAT_VERSION,
            sources: Vec::new(),
            facilities: Vec::new(),
            manual_aliases: Vec::new(),
            by_key: HashMap::new(),
        }
    }

    /// Rebuilds a registry from its plain data (current names and flags are recomputed from
    /// the listings).
    pub fn from_parts(parts: RegistryParts) -> FacilityRegistry {
        let mut registry = FacilityRegistry {
            format_version: REGISTRY_FORMAT_VERSION,
            sources: parts.sources,
            facilities: parts.facilities,
            manual_aliases: parts.manual_aliases,
            by_key: HashMap::new(),
        };
        registry.refresh();
        registry
    }

    /// The registry's plain data.
    pub fn to_parts(&self) -> RegistryParts {
        RegistryParts {
            sources: self.sources.clone(),
            facilities: self.facilities.clone(),
            manual_aliases: self.manual_aliases.clone(),
        }
    }

    /// Learns one template version's Smelter Look-up rows. Learning the same family and
    /// version again replaces what it said before; the order of learning does not matter.
    pub fn learn(
        &mut self,
        family: Family,
        version: &str,
        entries: &[LookupEntry],
    ) -> LearnSummary {
        let version = version.trim().to_string();
        self.forget_source(family, &version);
        let mut summary = LearnSummary {
            entries: entries.len(),
            ..LearnSummary::default()
        };
        let mut per_metal: BTreeMap<String, usize> = BTreeMap::new();
        for entry in entries {
            let Some(cid) = entry.cid.as_deref().and_then(clean_cid) else {
                summary.skipped += 1;
                continue;
            };
            let metal = entry.metal.trim();
            if !is_metal_name(metal) {
                summary.skipped += 1;
                continue;
            }
            let key = (metal_key(metal), cid.clone());
            let index = match self.by_key.get(&key) {
                Some(&i) => i,
                None => {
                    summary.new_facilities += 1;
                    self.facilities.push(Facility::empty(metal, &cid));
                    self.by_key.insert(key, self.facilities.len() - 1);
                    self.facilities.len() - 1
                }
            };
            let facility = &mut self.facilities[index];
            let listing = match facility
                .listings
                .iter_mut()
                .position(|l| l.family == family && l.version == version)
            {
                Some(i) => &mut facility.listings[i],
                None => {
                    summary.facilities += 1;
                    *per_metal.entry(metal.to_string()).or_default() += 1;
                    facility.listings.push(Listing {
                        family,
                        version: version.clone(),
                        lookup_names: Vec::new(),
                        standard_name: clean(entry.standard_name.as_deref()),
                        country: clean(entry.country.as_deref()),
                        street: clean(entry.street.as_deref()),
                        city: clean(entry.city.as_deref()),
                        state_province: clean(entry.state_province.as_deref()),
                    });
                    let last = facility.listings.len() - 1;
                    &mut facility.listings[last]
                }
            };
            let name = entry.lookup_name.trim();
            if !name.is_empty() && !listing.lookup_names.iter().any(|n| n == name) {
                listing.lookup_names.push(name.to_string());
            }
        }
        self.sources.push(LearnedSource {
            family,
            version,
            facilities_per_metal: per_metal,
        });
        self.sources.sort_by(|a, b| {
            a.family
                .cmp(&b.family)
                .then_with(|| compare_versions(&a.version, &b.version))
        });
        self.refresh();
        summary
    }

    /// Records that `typed_name` designates facility `cid` of `metal`, decided by `who`.
    /// A later decision for the same metal and name replaces the earlier one.
    pub fn remember_alias(
        &mut self,
        metal: &str,
        typed_name: &str,
        cid: &str,
        who: &str,
    ) -> Result<(), RegistryError> {
        let name = typed_name.trim();
        if name.is_empty() {
            return Err(RegistryError::EmptyName);
        }
        let Some(facility) = self.facility(metal, cid) else {
            return Err(RegistryError::UnknownFacility {
                metal: metal.trim().to_string(),
                cid: cid.trim().to_string(),
            });
        };
        let decision = ManualAlias {
            metal: facility.metal.clone(),
            name: name.to_string(),
            cid: facility.cid.clone(),
            decided_by: who.trim().to_string(),
            decided_at: now_rfc3339(),
        };
        self.forget_alias(metal, name);
        self.manual_aliases.push(decision);
        Ok(())
    }

    /// Removes the decision for this metal and typed name; true if there was one.
    pub fn forget_alias(&mut self, metal: &str, typed_name: &str) -> bool {
        let metal = metal_key(metal);
        let key = token_sorted_key(typed_name);
        let exact = exact_key(typed_name);
        let before = self.manual_aliases.len();
        self.manual_aliases.retain(|m| {
            !(metal_key(&m.metal) == metal
                && (exact_key(&m.name) == exact
                    || (!key.is_empty() && token_sorted_key(&m.name) == key)))
        });
        before != self.manual_aliases.len()
    }

    /// The facility of a metal with a CID (both case-insensitive).
    pub fn facility(&self, metal: &str, cid: &str) -> Option<&Facility> {
        let cid = clean_cid(cid)?;
        self.by_key
            .get(&(metal_key(metal), cid))
            .map(|&i| &self.facilities[i])
    }

    /// Facilities of any metal carrying this CID.
    pub fn facilities_with_cid(&self, cid: &str) -> Vec<&Facility> {
        let Some(cid) = clean_cid(cid) else {
            return Vec::new();
        };
        self.facilities.iter().filter(|f| f.cid == cid).collect()
    }

    /// Every known facility, ordered by metal and CID.
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    /// Facilities of one metal.
    pub fn facilities_of<'a>(&'a self, metal: &str) -> impl Iterator<Item = &'a Facility> + 'a {
        let key = metal_key(metal);
        self.facilities
            .iter()
            .filter(move |f| metal_key(&f.metal) == key)
    }

    /// The template versions learned, by family and version.
    pub fn sources(&self) -> &[LearnedSource] {
        &self.sources
    }

    /// The analysts' decisions, oldest first.
    pub fn manual_aliases(&self) -> &[ManualAlias] {
        &self.manual_aliases
    }

    /// Newest learned version of a family.
    pub fn newest_version(&self, family: Family) -> Option<&str> {
        self.sources
            .iter()
            .filter(|s| s.family == family)
            .max_by(|a, b| compare_versions(&a.version, &b.version))
            .map(|s| s.version.as_str())
    }

    /// Rebuilds the lookup table after deserialisation (stores call this).
    pub fn rebuild_index(&mut self) {
        self.by_key = self
            .facilities
            .iter()
            .enumerate()
            .map(|(i, f)| ((metal_key(&f.metal), f.cid.clone()), i))
            .collect();
    }

    fn forget_source(&mut self, family: Family, version: &str) {
        let before = self.sources.len();
        self.sources
            .retain(|s| !(s.family == family && s.version == version));
        if before == self.sources.len() {
            return;
        }
        for f in &mut self.facilities {
            f.listings
                .retain(|l| !(l.family == family && l.version == version));
        }
        self.facilities.retain(|f| !f.listings.is_empty());
        self.rebuild_index();
    }

    /// Recomputes every facility's current fields from its listings.
    fn refresh(&mut self) {
        let newest: HashMap<Family, String> = Family::ALL
            .into_iter()
            .filter_map(|f| self.newest_version(f).map(|v| (f, v.to_string())))
            .collect();
        let ranking = self.family_ranking(&newest);
        for facility in &mut self.facilities {
            let families = ranking
                .get(&metal_key(&facility.metal))
                .map(Vec::as_slice)
                .unwrap_or(&Family::ALL);
            facility.refresh(families, &newest);
        }
        self.facilities.sort_by(|a, b| {
            metal_key(&a.metal)
                .cmp(&metal_key(&b.metal))
                .then_with(|| a.cid.cmp(&b.cid))
        });
        self.rebuild_index();
    }

    /// Per metal, families ordered by how many facilities their newest version lists.
    fn family_ranking(&self, newest: &HashMap<Family, String>) -> HashMap<String, Vec<Family>> {
        let mut counts: HashMap<String, Vec<(Family, usize)>> = HashMap::new();
        for source in &self.sources {
            if newest.get(&source.family) != Some(&source.version) {
                continue;
            }
            for (metal, n) in &source.facilities_per_metal {
                counts
                    .entry(metal_key(metal))
                    .or_default()
                    .push((source.family, *n));
            }
        }
        counts
            .into_iter()
            .map(|(metal, mut v)| {
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let mut families: Vec<Family> = v.into_iter().map(|(f, _)| f).collect();
                for f in Family::ALL {
                    if !families.contains(&f) {
                        families.push(f);
                    }
                }
                (metal, families)
            })
            .collect()
    }
}

impl Facility {
    fn empty(metal: &str, cid: &str) -> Facility {
        Facility {
            metal: metal.to_string(),
            cid: cid.to_string(),
            standard_name: String::new(),
            country: None,
            street: None,
            city: None,
            state_province: None,
            aliases: Vec::new(),
            former_names: Vec::new(),
            listed_in_newest: Vec::new(),
            no_longer_listed: false,
            listings: Vec::new(),
        }
    }

    /// Whether the facility is in the given template version's look-up.
    pub fn listed_in(&self, family: Family, version: &str) -> bool {
        self.listings
            .iter()
            .any(|l| l.family == family && l.version == version.trim())
    }

    fn refresh(&mut self, family_order: &[Family], newest: &HashMap<Family, String>) {
        self.listings.sort_by(|a, b| {
            a.family
                .cmp(&b.family)
                .then_with(|| compare_versions(&a.version, &b.version))
        });
        let current = family_order.iter().find_map(|family| {
            self.listings
                .iter()
                .filter(|l| l.family == *family)
                .max_by(|a, b| compare_versions(&a.version, &b.version))
        });
        let Some(current) = current.cloned() else {
            return;
        };
        self.standard_name = current
            .standard_name
            .clone()
            .or_else(|| current.lookup_names.first().cloned())
            .unwrap_or_else(|| self.cid.clone());
        self.country = current.country.clone();
        self.street = current.street.clone();
        self.city = current.city.clone();
        self.state_province = current.state_province.clone();

        let mut aliases = vec![self.standard_name.clone()];
        let mut former = Vec::new();
        let mut seen = vec![exact_key(&self.standard_name)];
        for listing in &self.listings {
            if let Some(std_name) = &listing.standard_name
                && !seen.contains(&exact_key(std_name))
            {
                seen.push(exact_key(std_name));
                aliases.push(std_name.clone());
                former.push(std_name.clone());
            }
            for name in &listing.lookup_names {
                if !seen.contains(&exact_key(name)) {
                    seen.push(exact_key(name));
                    aliases.push(name.clone());
                }
            }
        }
        self.aliases = aliases;
        self.former_names = former;
        self.listed_in_newest = Family::ALL
            .into_iter()
            .filter(|f| newest.get(f).is_some_and(|v| self.listed_in(*f, v)))
            .collect();
        self.no_longer_listed = self.listed_in_newest.is_empty();
    }
}

/// Orders RMI version strings by decimal value: `6.22 < 6.31 < 6.4 < 6.5`, `1.11 < 1.2`,
/// `2.2 < 2.21`. (Comparing the parts as integers would wrongly put 6.31 after 6.5.)
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    fn parts(v: &str) -> Option<(u64, String)> {
        let v = v.trim();
        let (major, minor) = v.split_once('.').unwrap_or((v, ""));
        if !minor.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        Some((major.parse().ok()?, minor.to_string()))
    }
    match (parts(a), parts(b)) {
        (Some((ma, fa)), Some((mb, fb))) => ma.cmp(&mb).then_with(|| {
            let width = fa.len().max(fb.len());
            let pad = |s: &str| format!("{s:0<width$}");
            pad(&fa).cmp(&pad(&fb))
        }),
        _ => a.trim().cmp(b.trim()),
    }
}

/// Case-insensitive key of a metal name.
pub fn metal_key(metal: &str) -> String {
    metal.trim().to_lowercase()
}

/// A CID in canonical form (`CID` + digits, upper case), or `None` when the text is not one.
pub fn clean_cid(text: &str) -> Option<String> {
    let t = text.trim().to_ascii_uppercase();
    let digits = t.strip_prefix("CID")?;
    (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())).then_some(t)
}

fn is_metal_name(metal: &str) -> bool {
    metal.chars().any(|c| c.is_alphabetic())
}

fn clean(value: Option<&str>) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn entry(
        metal: &str,
        lookup: &str,
        standard: &str,
        country: &str,
        cid: &str,
    ) -> LookupEntry {
        LookupEntry {
            metal: metal.into(),
            lookup_name: lookup.into(),
            standard_name: Some(standard.into()),
            country: Some(country.into()),
            cid: Some(cid.into()),
            source: Some("RMI".into()),
            street: None,
            city: None,
            state_province: None,
        }
    }

    fn special(metal: &str) -> LookupEntry {
        LookupEntry {
            metal: metal.into(),
            lookup_name: "Smelter not listed".into(),
            standard_name: None,
            country: None,
            cid: None,
            source: None,
            street: None,
            city: None,
            state_province: None,
        }
    }

    #[test]
    fn versions_order_by_decimal_value() {
        let mut v = vec!["6.5", "6.31", "6.01", "6.4", "6.1", "6.22"];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(v, ["6.01", "6.1", "6.22", "6.31", "6.4", "6.5"]);
        assert_eq!(compare_versions("1.11", "1.2"), Ordering::Less);
        assert_eq!(compare_versions("2.2", "2.21"), Ordering::Less);
        assert_eq!(compare_versions("2.1", "1.3"), Ordering::Greater);
    }

    #[test]
    fn boliden_keeps_its_former_name_as_an_alias() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Cmrt,
            "6.4",
            &[entry(
                "Gold",
                "Boliden Ronnskar",
                "Boliden Ronnskar",
                "SWEDEN",
                "CID000157",
            )],
        );
        reg.learn(
            Family::Cmrt,
            "6.31",
            &[
                entry("Gold", "Boliden AB", "Boliden AB", "SWEDEN", "CID000157"),
                special("Gold"),
            ],
        );
        let f = reg.facility("gold", "cid000157").expect("known");
        assert_eq!(
            f.standard_name, "Boliden Ronnskar",
            "the newest version names it"
        );
        assert_eq!(f.former_names, ["Boliden AB"]);
        assert!(f.aliases.contains(&"Boliden AB".to_string()));
        assert_eq!(f.listings.len(), 2);
        assert!(!f.no_longer_listed);
    }

    #[test]
    fn a_facility_dropped_by_the_newest_version_stays_known_but_not_listed() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Cmrt,
            "6.4",
            &[
                entry(
                    "Tin",
                    "PT Sukses Inti Makmur (SIM)",
                    "PT Sukses Inti Makmur (SIM)",
                    "INDONESIA",
                    "CID002816",
                ),
                entry(
                    "Tin",
                    "Alpha",
                    "Alpha",
                    "UNITED STATES OF AMERICA",
                    "CID000292",
                ),
            ],
        );
        reg.learn(
            Family::Cmrt,
            "6.5",
            &[entry(
                "Tin",
                "Alpha",
                "Alpha Assembly Solutions Inc",
                "UNITED STATES OF AMERICA",
                "CID000292",
            )],
        );
        let gone = reg.facility("Tin", "CID002816").expect("still known");
        assert!(gone.no_longer_listed);
        let alpha = reg.facility("Tin", "CID000292").expect("known");
        assert!(!alpha.no_longer_listed);
        assert_eq!(alpha.listed_in_newest, [Family::Cmrt]);
        assert_eq!(reg.newest_version(Family::Cmrt), Some("6.5"));
    }

    #[test]
    fn cids_are_per_metal() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Emrt,
            "2.1",
            &[
                entry(
                    "Cobalt",
                    "Umicore Olen",
                    "Umicore Olen",
                    "BELGIUM",
                    "CID003228",
                ),
                entry(
                    "Nickel",
                    "Umicore Olen",
                    "Umicore Olen",
                    "BELGIUM",
                    "CID005249",
                ),
            ],
        );
        assert!(reg.facility("Cobalt", "CID003228").is_some());
        assert!(reg.facility("Nickel", "CID003228").is_none());
        assert_eq!(reg.facilities_of("nickel").count(), 1);
    }

    #[test]
    fn learning_the_same_version_twice_replaces_it() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Crt,
            "2.21",
            &[entry("Cobalt", "A", "A", "CHINA", "CID000001")],
        );
        let s = reg.learn(
            Family::Crt,
            "2.21",
            &[entry("Cobalt", "B", "B", "CHINA", "CID000002")],
        );
        assert_eq!(s.new_facilities, 1);
        assert!(reg.facility("Cobalt", "CID000001").is_none());
        assert_eq!(reg.sources().len(), 1);
    }

    #[test]
    fn the_family_listing_most_facilities_names_a_shared_facility() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Crt,
            "2.21",
            &[entry(
                "Cobalt",
                "CoreMax Corporation",
                "CoreMax Corporation",
                "TAIWAN, PROVINCE OF CHINA",
                "CID003473",
            )],
        );
        reg.learn(
            Family::Emrt,
            "2.1",
            &[
                entry(
                    "Cobalt",
                    "CoreMax Corporation",
                    "Uranus Chemicals",
                    "TAIWAN, PROVINCE OF CHINA",
                    "CID003473",
                ),
                entry(
                    "Cobalt",
                    "Umicore Olen",
                    "Umicore Olen",
                    "BELGIUM",
                    "CID003228",
                ),
            ],
        );
        let f = reg.facility("Cobalt", "CID003473").expect("known");
        assert_eq!(f.standard_name, "Uranus Chemicals");
        assert_eq!(f.listed_in_newest, [Family::Emrt, Family::Crt]);
    }

    #[test]
    fn remembered_aliases_need_a_known_facility_and_replace_older_decisions() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Emrt,
            "2.1",
            &[entry(
                "Cobalt",
                "Umicore Olen",
                "Umicore Olen",
                "BELGIUM",
                "CID003228",
            )],
        );
        assert_eq!(
            reg.remember_alias("Cobalt", "Olen plant", "CID999999", "ana"),
            Err(RegistryError::UnknownFacility {
                metal: "Cobalt".into(),
                cid: "CID999999".into()
            })
        );
        reg.remember_alias("Cobalt", "Olen plant", "CID003228", "ana")
            .expect("known");
        reg.remember_alias("cobalt", "OLEN PLANT", "cid003228", "bob")
            .expect("known");
        assert_eq!(reg.manual_aliases().len(), 1);
        assert_eq!(reg.manual_aliases()[0].decided_by, "bob");
        assert!(reg.forget_alias("Cobalt", "olen plant"));
        assert!(reg.manual_aliases().is_empty());
    }

    #[test]
    fn the_registry_survives_a_round_trip_through_its_parts() {
        let mut reg = FacilityRegistry::new();
        reg.learn(
            Family::Cmrt,
            "6.5",
            &[entry(
                "Gold",
                "Boliden Ronnskar",
                "Boliden Ronnskar",
                "SWEDEN",
                "CID000157",
            )],
        );
        reg.learn(
            Family::Cmrt,
            "6.31",
            &[entry(
                "Gold",
                "Boliden AB",
                "Boliden AB",
                "SWEDEN",
                "CID000157",
            )],
        );
        reg.remember_alias("Gold", "Ronnskar smelter", "CID000157", "ana")
            .expect("known");
        let back = FacilityRegistry::from_parts(reg.to_parts());
        assert_eq!(back, reg);
    }

    #[test]
    fn cids_are_cleaned() {
        assert_eq!(clean_cid(" cid002763 "), Some("CID002763".into()));
        assert_eq!(clean_cid("CID"), None);
        assert_eq!(clean_cid("0"), None);
    }
}
