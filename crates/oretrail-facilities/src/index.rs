//! Name index over a set of facilities (one template's look-up, or the whole registry):
//! exact names, normalised names, CIDs and the per-metal data fuzzy scoring needs.

use crate::country::CountryList;
use crate::normalize::{NameTokens, exact_key, name_tokens};
use crate::registry::{clean_cid, metal_key};
use crate::similarity::{
    TOKEN_MATCH, TokenWeights, is_descriptor_word, name_coverage_by, name_similarity,
    token_coverage_by, token_similarity,
};
use std::collections::{BTreeSet, HashMap};

/// Shortest space-less key used (shorter ones are too unspecific).
const MIN_COMPACT_LEN: usize = 6;

/// One facility as the index sees it.
#[derive(Debug, Clone)]
pub(crate) struct IndexedFacility {
    pub metal_key: String,
    pub cid: String,
    pub standard_name: String,
    pub country_iso: Option<String>,
    /// Union of the tokens of all its names.
    pub tokens: BTreeSet<String>,
    /// Tokens of its city, province and country, which names may add or leave out.
    pub place_tokens: BTreeSet<String>,
    /// Tokens of its city alone.
    pub town_tokens: BTreeSet<String>,
}

/// Input record: a facility and all the names it is known by.
pub(crate) struct FacilityRecord<'a> {
    pub metal: &'a str,
    pub cid: &'a str,
    pub standard_name: &'a str,
    pub country: Option<&'a str>,
    /// City, state or province.
    pub places: Vec<&'a str>,
    /// Cities (towns) only.
    pub towns: Vec<&'a str>,
    pub names: Vec<&'a str>,
}

/// A facility scored against a typed name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scored {
    pub facility: usize,
    /// Best similarity of the typed name with one of the facility's names.
    pub name_score: f64,
    /// Weighted share of the typed name's tokens the facility's names (and places) contain.
    pub coverage: f64,
    /// Best weighted share of one facility name's tokens the typed name contains.
    pub name_coverage: f64,
    /// Whether the typed name names the facility by its town: a distinctive typed token is
    /// both the facility's city and a word of its names.
    pub place_named: bool,
    /// Weight of the strongest distinctive token found.
    pub strongest: f64,
    /// Whether the typed country agrees (`None` when either side is unknown).
    pub country_agrees: Option<bool>,
}

#[derive(Debug, Default)]
pub(crate) struct NameIndex {
    pub facilities: Vec<IndexedFacility>,
    by_cid: HashMap<(String, String), usize>,
    by_exact: HashMap<(String, String), Vec<usize>>,
    by_sorted: HashMap<(String, String), Vec<usize>>,
    by_compact: HashMap<(String, String), Vec<usize>>,
    /// Token lists of each facility's names, by facility.
    names: Vec<Vec<Vec<String>>>,
    /// Per metal: token (of a name or a place) → facilities having it.
    postings: HashMap<String, HashMap<String, Vec<usize>>>,
    weights: HashMap<String, TokenWeights>,
}

impl NameIndex {
    /// Builds the index; records with a repeated (metal, CID) are merged.
    pub fn build<'a>(
        records: impl IntoIterator<Item = FacilityRecord<'a>>,
        countries: &CountryList,
    ) -> NameIndex {
        let mut index = NameIndex::default();
        for record in records {
            let Some(cid) = clean_cid(record.cid) else {
                continue;
            };
            let metal = metal_key(record.metal);
            let key = (metal.clone(), cid.clone());
            let id = match index.by_cid.get(&key) {
                Some(&id) => id,
                None => {
                    index.facilities.push(IndexedFacility {
                        metal_key: metal.clone(),
                        cid: cid.clone(),
                        standard_name: record.standard_name.trim().to_string(),
                        country_iso: record
                            .country
                            .and_then(|c| countries.iso2(c))
                            .map(str::to_string),
                        tokens: BTreeSet::new(),
                        place_tokens: BTreeSet::new(),
                        town_tokens: BTreeSet::new(),
                    });
                    index.by_cid.insert(key, index.facilities.len() - 1);
                    index.names.push(Vec::new());
                    index.facilities.len() - 1
                }
            };
            let place_tokens = record
                .places
                .iter()
                .chain(record.country.iter())
                .flat_map(|p| name_tokens(p).tokens);
            index.facilities[id].place_tokens.extend(place_tokens);
            let town_tokens = record.towns.iter().flat_map(|p| name_tokens(p).tokens);
            index.facilities[id].town_tokens.extend(town_tokens);
            let names = std::iter::once(record.standard_name).chain(record.names);
            for name in names {
                index.add_name(id, &metal, name);
            }
        }
        let mut per_metal: HashMap<String, Vec<&BTreeSet<String>>> = HashMap::new();
        for (id, f) in index.facilities.iter().enumerate() {
            per_metal
                .entry(f.metal_key.clone())
                .or_default()
                .push(&f.tokens);
            let postings = index.postings.entry(f.metal_key.clone()).or_default();
            for t in f.tokens.iter().chain(&f.place_tokens) {
                push_unique(postings.entry(t.clone()).or_default(), id);
            }
        }
        index.weights = per_metal
            .into_iter()
            .map(|(metal, sets)| (metal, TokenWeights::from_facilities(sets)))
            .collect();
        index
    }

    fn add_name(&mut self, id: usize, metal: &str, name: &str) {
        let exact = exact_key(name);
        if exact.is_empty() {
            return;
        }
        push_unique(
            self.by_exact.entry((metal.to_string(), exact)).or_default(),
            id,
        );
        let tokens = name_tokens(name).tokens;
        if tokens.is_empty() {
            return;
        }
        let mut sorted = tokens.clone();
        sorted.sort_unstable();
        push_unique(
            self.by_sorted
                .entry((metal.to_string(), sorted.join(" ")))
                .or_default(),
            id,
        );
        let compact = tokens.concat();
        if compact.len() >= MIN_COMPACT_LEN {
            push_unique(
                self.by_compact
                    .entry((metal.to_string(), compact))
                    .or_default(),
                id,
            );
        }
        let names = &mut self.names[id];
        if !names.contains(&tokens) {
            names.push(tokens.clone());
        }
        self.facilities[id].tokens.extend(tokens);
    }

    /// The facility of a metal with that CID.
    pub fn by_cid(&self, metal: &str, cid: &str) -> Option<usize> {
        let cid = clean_cid(cid)?;
        self.by_cid.get(&(metal_key(metal), cid)).copied()
    }

    /// Facilities of any metal with that CID.
    pub fn by_cid_any_metal(&self, cid: &str) -> Vec<usize> {
        let Some(cid) = clean_cid(cid) else {
            return Vec::new();
        };
        self.facilities
            .iter()
            .enumerate()
            .filter(|(_, f)| f.cid == cid)
            .map(|(i, _)| i)
            .collect()
    }

    /// Facilities having exactly this name (case-, width- and space-insensitive).
    pub fn exact(&self, metal: &str, name: &str) -> &[usize] {
        self.by_exact
            .get(&(metal_key(metal), exact_key(name)))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Facilities whose normalised, token-sorted name equals this one.
    pub fn normalized(&self, metal: &str, sorted_key: &str) -> &[usize] {
        if sorted_key.is_empty() {
            return &[];
        }
        self.by_sorted
            .get(&(metal_key(metal), sorted_key.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Facilities whose normalised name without spaces equals this one.
    pub fn compact(&self, metal: &str, compact_key: &str) -> &[usize] {
        if compact_key.len() < MIN_COMPACT_LEN {
            return &[];
        }
        self.by_compact
            .get(&(metal_key(metal), compact_key.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Every facility of the metal scored against the typed name, best first.
    pub fn score_all(
        &self,
        metal: &str,
        query: &NameTokens,
        country_iso: Option<&str>,
    ) -> Vec<Scored> {
        let metal = metal_key(metal);
        let (Some(postings), Some(weights)) = (self.postings.get(&metal), self.weights.get(&metal))
        else {
            return Vec::new();
        };
        // Vocabulary tokens close to each typed token, and the facilities having them. A
        // facility sharing no token with the typed name cannot be a candidate.
        let mut matches: HashMap<&str, Vec<(&str, f64)>> = HashMap::new();
        let mut reverse: HashMap<&str, f64> = HashMap::new();
        let mut candidates: BTreeSet<usize> = BTreeSet::new();
        for q in &query.tokens {
            if matches.contains_key(q.as_str()) {
                continue;
            }
            let mut found = Vec::new();
            for (v, ids) in postings {
                let s = token_similarity(q, v);
                if s >= TOKEN_MATCH {
                    found.push((v.as_str(), s));
                    let r = reverse.entry(v.as_str()).or_insert(0.0);
                    *r = r.max(s);
                    candidates.extend(ids);
                }
            }
            matches.insert(q.as_str(), found);
        }
        let mut scored: Vec<Scored> = candidates
            .into_iter()
            .map(|id| {
                let f = &self.facilities[id];
                let has = |v: &str| f.tokens.contains(v) || f.place_tokens.contains(v);
                let cov = token_coverage_by(&query.tokens, &query.abbreviations, weights, |t| {
                    matches
                        .get(t)
                        .into_iter()
                        .flatten()
                        .filter(|(v, _)| has(v))
                        .map(|(_, s)| *s)
                        .fold(0.0, f64::max)
                });
                let (mut name_score, mut name_cov) = (0.0_f64, 0.0_f64);
                for tokens in &self.names[id] {
                    name_score = name_score.max(name_similarity(&query.tokens, tokens));
                    let c = name_coverage_by(tokens, &f.place_tokens, weights, |a| {
                        reverse.get(a).copied().unwrap_or(0.0)
                    });
                    name_cov = name_cov.max(c);
                }
                let place_named = query.tokens.iter().any(|t| {
                    !is_descriptor_word(t)
                        && f.town_tokens.contains(t.as_str())
                        && f.tokens.contains(t.as_str())
                });
                Scored {
                    facility: id,
                    place_named,
                    name_score,
                    coverage: cov.share,
                    name_coverage: name_cov,
                    strongest: cov.strongest_match,
                    country_agrees: match (country_iso, f.country_iso.as_deref()) {
                        (Some(a), Some(b)) => Some(a == b),
                        _ => None,
                    },
                }
            })
            .collect();
        scored.sort_by(|a, b| {
            b.combined().total_cmp(&a.combined()).then_with(|| {
                self.facilities[a.facility]
                    .cid
                    .cmp(&self.facilities[b.facility].cid)
            })
        });
        scored
    }
}

impl Scored {
    /// Name similarity and both coverages averaged, then weighed by country agreement.
    pub fn combined(&self) -> f64 {
        let base = (self.name_score + self.coverage + self.name_coverage) / 3.0;
        base * match self.country_agrees {
            Some(true) => 1.0,
            None => 0.95,
            Some(false) => 0.85,
        }
    }
}

fn push_unique(v: &mut Vec<usize>, id: usize) {
    if !v.contains(&id) {
        v.push(id);
    }
}
