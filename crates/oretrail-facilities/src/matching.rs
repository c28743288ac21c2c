//! Resolution of Smelter List rows to RMI facilities.
//!
//! Each row of a [`SupplierReport`] is resolved against the template's own Smelter Look-up
//! ([`TemplateLookup`]) and the [`FacilityRegistry`], in this order:
//!
//! 1. **Look-up picks** resolve to the CID of the picked look-up entry; a CID typed in column A
//!    or typed over column F that differs is kept as [`Resolution::conflicting_cid`].
//! 2. **Smelter ID rows** (only column A typed) resolve by that ID when it exists for the metal.
//! 3. **Typed names** ("Smelter not listed"): an analyst's remembered decision, then the exact
//!    look-up name or alias, then the normalised name, then fuzzy similarity within the metal,
//!    weighted by country agreement. A CID stated in the row that exists for the metal decides
//!    when the name does not designate another facility.
//! 4. "Smelter not yet identified" rows stay unresolved.
//!
//! Fuzzy matches are accepted only when they are clearly better than the next facility, cover
//! the typed name's distinctive words and do not contradict the country; otherwise the row is
//! unresolved and the best candidates are reported. Precision comes before recall: a wrong
//! facility is worse than an analyst's question.

use crate::country::CountryList;
use crate::index::{FacilityRecord, NameIndex, Scored};
use crate::normalize::{compact_key, exact_key, name_tokens, token_sorted_key};
use crate::registry::{FacilityRegistry, clean_cid, metal_key};
use oretrail_template::{
    Candidate, EntryKind, LookupEntry, Resolution, ResolutionMethod, SmelterRow, SupplierReport,
    is_not_listed, is_not_yet_identified,
};
use std::collections::HashMap;

/// Thresholds of the fuzzy step.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchConfig {
    /// Lowest combined score (name similarity and coverage, weighed by country) accepted.
    pub accept_score: f64,
    /// Lowest weighted share of the typed name's words the facility's names must contain.
    pub min_coverage: f64,
    /// Lowest weight of the strongest distinctive word found (rules out generic-only matches).
    pub min_distinctive_weight: f64,
    /// Lowest lead of the best facility over the next one.
    pub min_margin: f64,
    /// Candidates reported for an unresolved row.
    pub max_candidates: usize,
    /// Lowest score of a reported candidate.
    pub candidate_floor: f64,
}

impl Default for MatchConfig {
    fn default() -> Self {
        MatchConfig {
            accept_score: 0.80,
            min_coverage: 0.85,
            min_distinctive_weight: 1.0,
            min_margin: 0.08,
            max_candidates: 5,
            candidate_floor: 0.45,
        }
    }
}

/// One template's own Smelter Look-up, indexed for picks and `in_template_lookup`.
#[derive(Debug)]
pub struct TemplateLookup {
    index: NameIndex,
}

impl TemplateLookup {
    /// Indexes the look-up rows of one template (special rows without a CID are ignored).
    pub fn new(entries: &[LookupEntry]) -> TemplateLookup {
        TemplateLookup::with_countries(entries, CountryList::shared())
    }

    /// Same as [`TemplateLookup::new`] with a given country list.
    pub fn with_countries(entries: &[LookupEntry], countries: &CountryList) -> TemplateLookup {
        let records = entries.iter().filter_map(|e| {
            let cid = e.cid.as_deref()?;
            Some(FacilityRecord {
                metal: &e.metal,
                cid,
                standard_name: e.standard_name.as_deref().unwrap_or(&e.lookup_name),
                country: e.country.as_deref(),
                places: [e.city.as_deref(), e.state_province.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect(),
                towns: e.city.as_deref().into_iter().collect(),
                names: vec![e.lookup_name.as_str()],
            })
        });
        TemplateLookup {
            index: NameIndex::build(records, countries),
        }
    }

    /// Whether the facility (metal, CID) is in this look-up.
    pub fn contains(&self, metal: &str, cid: &str) -> bool {
        self.index.by_cid(metal, cid).is_some()
    }

    /// CID of the look-up entry a supplier picked (look-up names are exact, case-insensitive).
    pub fn cid_of_pick(&self, metal: &str, lookup_name: &str) -> Option<&str> {
        match self.index.exact(metal, lookup_name) {
            [one] => Some(self.index.facilities[*one].cid.as_str()),
            _ => None,
        }
    }

    /// Number of facilities in the look-up.
    pub fn len(&self) -> usize {
        self.index.facilities.len()
    }

    /// Whether the look-up has no facility.
    pub fn is_empty(&self) -> bool {
        self.index.facilities.is_empty()
    }
}

/// Resolves smelter rows against a template look-up and the registry.
#[derive(Debug)]
pub struct Matcher {
    registry: NameIndex,
    manual: HashMap<(String, String), String>,
    countries: CountryList,
    config: MatchConfig,
}

/// A facility decided for a row, before it becomes a [`Resolution`].
#[derive(Debug, Clone)]
struct Decision {
    metal: String,
    cid: String,
    method: ResolutionMethod,
    confidence: f64,
}

/// One name-lookup step: method, confidence, and how to find facilities in an index.
type NameStep<'a> = (
    ResolutionMethod,
    f64,
    &'a dyn Fn(&NameIndex, &str) -> Vec<usize>,
);

/// Outcome of resolving a typed name.
enum NameOutcome {
    Resolved(Decision),
    Unresolved(Vec<Candidate>),
}

impl Matcher {
    /// A matcher over a registry, with the shipped country list and default thresholds.
    pub fn new(registry: &FacilityRegistry) -> Matcher {
        Matcher::with_config(registry, CountryList::embedded(), MatchConfig::default())
    }

    /// A matcher with a given country list and thresholds.
    pub fn with_config(
        registry: &FacilityRegistry,
        countries: CountryList,
        config: MatchConfig,
    ) -> Matcher {
        let records = registry.facilities().iter().map(|f| FacilityRecord {
            metal: &f.metal,
            cid: &f.cid,
            standard_name: &f.standard_name,
            country: f.country.as_deref(),
            places: f
                .listings
                .iter()
                .flat_map(|l| [l.city.as_deref(), l.state_province.as_deref()])
                .flatten()
                .collect(),
            towns: f
                .listings
                .iter()
                .filter_map(|l| l.city.as_deref())
                .collect(),
            names: f.aliases.iter().map(String::as_str).collect(),
        });
        let index = NameIndex::build(records, &countries);
        let mut manual = HashMap::new();
        for m in registry.manual_aliases() {
            let metal = metal_key(&m.metal);
            manual.insert((metal.clone(), exact_key(&m.name)), m.cid.clone());
            let sorted = token_sorted_key(&m.name);
            if !sorted.is_empty() {
                manual
                    .entry((metal, format!("~{sorted}")))
                    .or_insert_with(|| m.cid.clone());
            }
        }
        Matcher {
            registry: index,
            manual,
            countries,
            config,
        }
    }

    /// The thresholds in use.
    pub fn config(&self) -> &MatchConfig {
        &self.config
    }

    /// Resolves every Smelter List row of a report (fills `row.resolution`).
    pub fn resolve_report(&self, report: &mut SupplierReport, lookup: &TemplateLookup) {
        self.resolve_rows(&mut report.smelters, lookup);
    }

    /// Resolves rows in place (fills `row.resolution`).
    pub fn resolve_rows(&self, rows: &mut [SmelterRow], lookup: &TemplateLookup) {
        for row in rows {
            row.resolution = Some(self.resolve_row(row, lookup));
        }
    }

    /// Resolves one row.
    pub fn resolve_row(&self, row: &SmelterRow, lookup: &TemplateLookup) -> Resolution {
        let metal = row
            .metal
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty());
        let pick = row
            .lookup_value
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty());
        match row.entry {
            EntryKind::NotYetIdentified => self.unresolved(Vec::new()),
            EntryKind::Lookup => match (metal, pick) {
                (Some(m), Some(p)) if !is_not_listed(p) && !is_not_yet_identified(p) => {
                    match lookup.cid_of_pick(m, p) {
                        Some(cid) => {
                            let conflicting = typed_cids(row).into_iter().find(|c| *c != cid);
                            let decision = Decision {
                                metal: m.to_string(),
                                cid: cid.to_string(),
                                method: ResolutionMethod::ExactName,
                                confidence: 1.0,
                            };
                            self.resolution(decision, lookup, conflicting, Vec::new())
                        }
                        // A pick missing from this look-up (another version's name): match it.
                        None => self.resolve_by_name_and_id(row, metal, Some(p), lookup),
                    }
                }
                _ => self.resolve_by_name_and_id(row, metal, row.name.as_deref(), lookup),
            },
            EntryKind::SmelterId => {
                let id = row
                    .smelter_id_input
                    .as_deref()
                    .or(row.cid.as_deref())
                    .and_then(clean_cid);
                match id.and_then(|cid| self.known_cid(metal, &cid, lookup)) {
                    Some(decision) => self.resolution(decision, lookup, None, Vec::new()),
                    None => {
                        let name = row.name.as_deref().or(pick);
                        self.resolve_by_name_and_id(row, metal, name, lookup)
                    }
                }
            }
            EntryKind::NotListed => {
                self.resolve_by_name_and_id(row, metal, row.name.as_deref(), lookup)
            }
        }
    }

    /// A typed name plus any CID stated in the row.
    fn resolve_by_name_and_id(
        &self,
        row: &SmelterRow,
        metal: Option<&str>,
        name: Option<&str>,
        lookup: &TemplateLookup,
    ) -> Resolution {
        let name = name.map(str::trim).filter(|n| !n.is_empty());
        let country = row.country.as_deref().and_then(|c| self.countries.iso2(c));
        let by_name = match name {
            Some(n) => self.resolve_name(metal, n, country, lookup),
            None => NameOutcome::Unresolved(Vec::new()),
        };
        let by_id = stated_cids(row)
            .into_iter()
            .find_map(|cid| self.known_cid(metal, &cid, lookup));
        match (by_id, by_name) {
            (Some(id), NameOutcome::Resolved(n)) if n.cid == id.cid => {
                let decision = Decision {
                    method: ResolutionMethod::Cid,
                    confidence: 1.0,
                    ..id
                };
                self.resolution(decision, lookup, None, Vec::new())
            }
            (Some(id), NameOutcome::Resolved(n)) => {
                if n.method == ResolutionMethod::Fuzzy {
                    // The typed CID and a merely similar name disagree: ask the analyst.
                    let candidates = vec![
                        self.candidate(&id, 1.0, lookup),
                        self.candidate(&n, n.confidence, lookup),
                    ];
                    self.unresolved(candidates)
                } else {
                    self.resolution(n, lookup, Some(id.cid), Vec::new())
                }
            }
            (Some(id), NameOutcome::Unresolved(candidates)) => {
                let confidence = if name.is_none() { 0.95 } else { 0.85 };
                let decision = Decision {
                    method: ResolutionMethod::Cid,
                    confidence,
                    ..id
                };
                self.resolution(decision, lookup, None, candidates)
            }
            (None, NameOutcome::Resolved(n)) => self.resolution(n, lookup, None, Vec::new()),
            (None, NameOutcome::Unresolved(candidates)) => self.unresolved(candidates),
        }
    }

    /// Steps 2–4 for a typed name.
    fn resolve_name(
        &self,
        metal: Option<&str>,
        name: &str,
        country: Option<&str>,
        lookup: &TemplateLookup,
    ) -> NameOutcome {
        let metals: Vec<String> = match metal {
            Some(m) => vec![m.to_string()],
            None => self.metals_known(lookup),
        };
        let decide = |method: ResolutionMethod, confidence: f64, hits: Vec<(String, String)>| {
            self.unique(hits, country, lookup)
                .map(|(metal, cid)| Decision {
                    metal,
                    cid,
                    method,
                    confidence,
                })
        };
        // Analysts' decisions.
        let exact = exact_key(name);
        let sorted = token_sorted_key(name);
        let manual: Vec<(String, String)> = metals
            .iter()
            .filter_map(|m| {
                let m = metal_key(m);
                let cid = self
                    .manual
                    .get(&(m.clone(), exact.clone()))
                    .or_else(|| self.manual.get(&(m.clone(), format!("~{sorted}"))))?;
                Some((m, cid.clone()))
            })
            .collect();
        if let Some(d) = decide(ResolutionMethod::Manual, 1.0, manual) {
            return NameOutcome::Resolved(d);
        }
        // Exact look-up name or alias, then the normalised name (word order, punctuation,
        // legal forms), then the normalised name without spaces. The template the supplier
        // filled in decides first; the registry's history of names second.
        let compact = compact_key(name);
        let steps: [NameStep; 3] = [
            (ResolutionMethod::ExactName, 1.0, &|idx, m| {
                idx.exact(m, name).to_vec()
            }),
            (ResolutionMethod::NormalizedName, 0.97, &|idx, m| {
                idx.normalized(m, &sorted).to_vec()
            }),
            (ResolutionMethod::NormalizedName, 0.95, &|idx, m| {
                idx.compact(m, &compact).to_vec()
            }),
        ];
        for (method, confidence, find) in steps {
            for index in [&lookup.index, &self.registry] {
                let hits = self.hits_in(index, &metals, find);
                if hits.is_empty() {
                    continue;
                }
                if let Some(d) = decide(method, confidence, hits.clone()) {
                    return NameOutcome::Resolved(d);
                }
                // Several facilities share the name: do not guess, list them.
                let candidates = hits
                    .into_iter()
                    .map(|(metal, cid)| Candidate {
                        name: self.standard_name(&metal, &cid, lookup).unwrap_or_default(),
                        cid,
                        score: confidence,
                    })
                    .collect();
                return NameOutcome::Unresolved(candidates);
            }
        }
        // Fuzzy, only within a known metal.
        let Some(metal) = metal else {
            return NameOutcome::Unresolved(Vec::new());
        };
        self.fuzzy(metal, name, country, lookup)
    }

    fn fuzzy(
        &self,
        metal: &str,
        name: &str,
        country: Option<&str>,
        lookup: &TemplateLookup,
    ) -> NameOutcome {
        let query = name_tokens(name);
        if query.tokens.is_empty() {
            return NameOutcome::Unresolved(Vec::new());
        }
        // Merge the two indexes' scores per CID, keeping the better one.
        let mut merged: Vec<(String, Scored)> = Vec::new();
        for index in [&lookup.index, &self.registry] {
            for s in index.score_all(metal, &query, country) {
                let cid = index.facilities[s.facility].cid.clone();
                match merged.iter_mut().find(|(c, _)| *c == cid) {
                    Some((_, old)) if old.combined() >= s.combined() => {}
                    Some((_, old)) => *old = s,
                    None => merged.push((cid, s)),
                }
            }
        }
        merged.sort_by(|a, b| {
            b.1.combined()
                .total_cmp(&a.1.combined())
                .then_with(|| a.0.cmp(&b.0))
        });
        let cfg = &self.config;
        let candidates: Vec<Candidate> = merged
            .iter()
            .filter(|(_, s)| s.combined() >= cfg.candidate_floor)
            .take(cfg.max_candidates)
            .map(|(cid, s)| Candidate {
                cid: cid.clone(),
                name: self.standard_name(metal, cid, lookup).unwrap_or_default(),
                score: round3(s.combined()),
            })
            .collect();
        let Some((cid, best)) = merged.first() else {
            return NameOutcome::Unresolved(candidates);
        };
        let runner_up = merged.get(1).map(|(_, s)| s.combined()).unwrap_or(0.0);
        let accepted = best.combined() >= cfg.accept_score
            && best.coverage >= cfg.min_coverage
            && best.strongest >= cfg.min_distinctive_weight
            && best.combined() - runner_up >= cfg.min_margin
            && best.country_agrees != Some(false);
        if !accepted {
            // A refinery named by its town ("Harjavalta nickel refinery"): accepted when
            // exactly one facility of the metal is in that town, carries the town in its
            // name, covers the typed words and is in the country the supplier gave.
            let by_town: Vec<&(String, Scored)> = merged
                .iter()
                .filter(|(_, s)| {
                    s.place_named
                        && s.country_agrees == Some(true)
                        && s.coverage >= cfg.min_coverage
                        && s.strongest >= cfg.min_distinctive_weight
                })
                .collect();
            if let [(cid, s)] = by_town.as_slice() {
                return NameOutcome::Resolved(Decision {
                    metal: metal.to_string(),
                    cid: cid.clone(),
                    method: ResolutionMethod::Fuzzy,
                    confidence: round3(s.combined().max(0.75)),
                });
            }
            return NameOutcome::Unresolved(candidates);
        }
        NameOutcome::Resolved(Decision {
            metal: metal.to_string(),
            cid: cid.clone(),
            method: ResolutionMethod::Fuzzy,
            confidence: round3(best.combined()),
        })
    }

    /// Facilities found by `find` in one index, as (metal, CID).
    fn hits_in(
        &self,
        index: &NameIndex,
        metals: &[String],
        find: &dyn Fn(&NameIndex, &str) -> Vec<usize>,
    ) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for m in metals {
            for id in find(index, m) {
                let f = &index.facilities[id];
                let hit = (f.metal_key.clone(), f.cid.clone());
                if !out.contains(&hit) {
                    out.push(hit);
                }
            }
        }
        out
    }

    /// The single facility among `hits`, using the country to break ties.
    fn unique(
        &self,
        hits: Vec<(String, String)>,
        country: Option<&str>,
        lookup: &TemplateLookup,
    ) -> Option<(String, String)> {
        if hits.len() <= 1 {
            return hits.into_iter().next();
        }
        let country = country?;
        let same: Vec<(String, String)> = hits
            .into_iter()
            .filter(|(m, c)| self.country_of(m, c, lookup).as_deref() == Some(country))
            .collect();
        if same.len() == 1 {
            same.into_iter().next()
        } else {
            None
        }
    }

    /// The facility (metal, CID) if the template look-up or the registry knows it.
    fn known_cid(
        &self,
        metal: Option<&str>,
        cid: &str,
        lookup: &TemplateLookup,
    ) -> Option<Decision> {
        let found = |index: &NameIndex| -> Vec<String> {
            match metal {
                Some(m) => index
                    .by_cid(m, cid)
                    .map(|i| vec![index.facilities[i].metal_key.clone()])
                    .unwrap_or_default(),
                None => index
                    .by_cid_any_metal(cid)
                    .into_iter()
                    .map(|i| index.facilities[i].metal_key.clone())
                    .collect(),
            }
        };
        let mut metals = found(&lookup.index);
        if metals.is_empty() {
            metals = found(&self.registry);
        }
        metals.sort();
        metals.dedup();
        match metals.as_slice() {
            [m] => Some(Decision {
                metal: m.clone(),
                cid: clean_cid(cid)?,
                method: ResolutionMethod::Cid,
                confidence: 1.0,
            }),
            _ => None,
        }
    }

    fn metals_known(&self, lookup: &TemplateLookup) -> Vec<String> {
        let mut metals: Vec<String> = lookup
            .index
            .facilities
            .iter()
            .chain(self.registry.facilities.iter())
            .map(|f| f.metal_key.clone())
            .collect();
        metals.sort();
        metals.dedup();
        metals
    }

    fn country_of(&self, metal: &str, cid: &str, lookup: &TemplateLookup) -> Option<String> {
        [&self.registry, &lookup.index].into_iter().find_map(|idx| {
            idx.by_cid(metal, cid)
                .and_then(|i| idx.facilities[i].country_iso.clone())
        })
    }

    /// Standard name: the registry's current name, else the template's.
    fn standard_name(&self, metal: &str, cid: &str, lookup: &TemplateLookup) -> Option<String> {
        [&self.registry, &lookup.index].into_iter().find_map(|idx| {
            idx.by_cid(metal, cid)
                .map(|i| idx.facilities[i].standard_name.clone())
                .filter(|n| !n.is_empty())
        })
    }

    fn candidate(&self, d: &Decision, score: f64, lookup: &TemplateLookup) -> Candidate {
        Candidate {
            cid: d.cid.clone(),
            name: self
                .standard_name(&d.metal, &d.cid, lookup)
                .unwrap_or_default(),
            score: round3(score),
        }
    }

    fn resolution(
        &self,
        d: Decision,
        lookup: &TemplateLookup,
        conflicting_cid: Option<String>,
        candidates: Vec<Candidate>,
    ) -> Resolution {
        Resolution {
            canonical_name: self.standard_name(&d.metal, &d.cid, lookup),
            in_template_lookup: lookup.contains(&d.metal, &d.cid),
            canonical_cid: Some(d.cid),
            method: d.method,
            confidence: d.confidence,
            candidates,
            conflicting_cid,
        }
    }

    fn unresolved(&self, candidates: Vec<Candidate>) -> Resolution {
        Resolution {
            canonical_cid: None,
            canonical_name: None,
            in_template_lookup: false,
            method: ResolutionMethod::Unresolved,
            confidence: 0.0,
            candidates,
            conflicting_cid: None,
        }
    }
}

/// CIDs the supplier typed: column A, and column F when it is not a formula result.
fn typed_cids(row: &SmelterRow) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(c) = row.smelter_id_input.as_deref().and_then(clean_cid) {
        out.push(c);
    }
    let f_is_formula = row.formula_fields.iter().any(|f| f == "cid");
    if !f_is_formula
        && let Some(c) = row.cid.as_deref().and_then(clean_cid)
        && !out.contains(&c)
    {
        out.push(c);
    }
    out
}

/// Every CID stated in the row (typed, or computed by the template from the typed name).
fn stated_cids(row: &SmelterRow) -> Vec<String> {
    let mut out = Vec::new();
    for c in [row.smelter_id_input.as_deref(), row.cid.as_deref()]
        .into_iter()
        .flatten()
        .filter_map(clean_cid)
    {
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}
