//! Fuzzy similarity of normalised facility names, in [0, 1].
//!
//! Two scorers on top of `rapidfuzz::fuzz::ratio` (an indel ratio): a ratio of the token-sorted
//! names (robust to word order) and a token-set ratio (robust to one name being a shorter form
//! of the other, as "PAMP" for "MKS PAMP SA"). [`name_similarity`] averages the two, so that a
//! contained name scores high but below an equal one.
//!
//! [`TokenWeights`], [`token_coverage`] and [`name_coverage`] weigh words by rarity: how much
//! of a typed name's distinctive content a facility accounts for, and how much of a facility
//! name the typed name accounts for. This keeps generic names ("Bangka Tin") from matching a
//! facility whose distinctive word ("Refined") they lack.

use std::collections::{BTreeSet, HashMap};

/// Words that describe a kind of site rather than identify a company; they weigh little.
const DESCRIPTOR_WORDS: &[&str] = &[
    "plant",
    "plants",
    "refinery",
    "refineries",
    "refining",
    "refiner",
    "smelter",
    "smelters",
    "smelting",
    "factory",
    "works",
    "branch",
    "mill",
    "site",
    "facility",
    "operations",
    "operation",
    "division",
    "unit",
    "group",
    "holding",
    "holdings",
    "industrial",
    "industry",
    "industries",
    "metal",
    "metals",
    "material",
    "materials",
    "new",
    "technology",
    "technologies",
    "mining",
    "mines",
    "mine",
    "resources",
    "trading",
    "international",
    "products",
];

/// Share of its weight a descriptor word keeps.
const DESCRIPTOR_FACTOR: f64 = 0.25;

/// Indel ratio of two strings in [0, 1] (1 = identical); two empty strings score 0.
pub fn ratio(a: &str, b: &str) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    rapidfuzz::fuzz::ratio(a.chars(), b.chars())
}

/// Ratio of the two token lists each sorted and joined by spaces.
pub fn token_sort_ratio(a: &[String], b: &[String]) -> f64 {
    ratio(&sorted_join(a.iter()), &sorted_join(b.iter()))
}

/// Token-set ratio: compares the common tokens with each side's full token set, so that a name
/// contained in the other scores 1.
pub fn token_set_ratio(a: &[String], b: &[String]) -> f64 {
    let sa: BTreeSet<&String> = a.iter().collect();
    let sb: BTreeSet<&String> = b.iter().collect();
    if sa.is_empty() || sb.is_empty() {
        return 0.0;
    }
    let common = sorted_join(sa.intersection(&sb).copied());
    let only_a = sorted_join(sa.difference(&sb).copied());
    let only_b = sorted_join(sb.difference(&sa).copied());
    let join = |x: &str, y: &str| match (x.is_empty(), y.is_empty()) {
        (true, _) => y.to_string(),
        (_, true) => x.to_string(),
        _ => format!("{x} {y}"),
    };
    let ca = join(&common, &only_a);
    let cb = join(&common, &only_b);
    if common.is_empty() {
        return ratio(&ca, &cb);
    }
    ratio(&common, &ca)
        .max(ratio(&common, &cb))
        .max(ratio(&ca, &cb))
}

/// Similarity of two token lists: the mean of [`token_sort_ratio`] and [`token_set_ratio`].
pub fn name_similarity(a: &[String], b: &[String]) -> f64 {
    0.5 * (token_sort_ratio(a, b) + token_set_ratio(a, b))
}

/// Similarity of two single tokens: 1 when equal, the indel ratio when both have at least four
/// characters (typos such as `umicor` / `umicore`), else 0.
pub fn token_similarity(a: &str, b: &str) -> f64 {
    if a == b {
        1.0
    } else if a.len() >= 4 && b.len() >= 4 {
        ratio(a, b)
    } else {
        0.0
    }
}

/// Whether a word only describes a kind of site ("plant", "refinery", "mining" ...).
pub fn is_descriptor_word(token: &str) -> bool {
    DESCRIPTOR_WORDS.contains(&token)
}

/// Inverse-document-frequency weights of tokens among a set of facilities (one metal).
#[derive(Debug, Clone, Default)]
pub struct TokenWeights {
    facilities: usize,
    document_frequency: HashMap<String, usize>,
}

impl TokenWeights {
    /// Builds weights from one token set per facility.
    pub fn from_facilities<'a, I, T>(facilities: I) -> Self
    where
        I: IntoIterator<Item = T>,
        T: IntoIterator<Item = &'a String>,
    {
        let mut weights = TokenWeights::default();
        for tokens in facilities {
            weights.facilities += 1;
            let distinct: BTreeSet<&String> = tokens.into_iter().collect();
            for t in distinct {
                *weights.document_frequency.entry(t.clone()).or_default() += 1;
            }
        }
        weights
    }

    /// Number of facilities listing the token.
    pub fn document_frequency(&self, token: &str) -> usize {
        self.document_frequency.get(token).copied().unwrap_or(0)
    }

    /// Weight of a token: `ln(1 + N / (1 + df))`, a quarter of that for descriptor words.
    pub fn weight(&self, token: &str) -> f64 {
        let n = self.facilities.max(1) as f64;
        let df = self.document_frequency(token) as f64;
        let w = (1.0 + n / (1.0 + df)).ln();
        if is_descriptor_word(token) {
            w * DESCRIPTOR_FACTOR
        } else {
            w
        }
    }
}

/// How much of a typed name's weighted content one facility's tokens account for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    /// Weighted share of the query tokens found (exactly or as a close typo) in the facility.
    pub share: f64,
    /// Weight of the best distinctive (non-descriptor) token found.
    pub strongest_match: f64,
}

/// Lowest token similarity counted as a match (typos pass, different words do not).
pub const TOKEN_MATCH: f64 = 0.8;

/// Coverage of `query` tokens by `facility_tokens`; `optional` tokens (abbreviations) count
/// only when found.
pub fn token_coverage(
    query: &[String],
    optional: &[String],
    facility_tokens: &BTreeSet<String>,
    weights: &TokenWeights,
) -> Coverage {
    token_coverage_by(query, optional, weights, |t| {
        facility_tokens
            .iter()
            .map(|f| token_similarity(t, f))
            .fold(0.0, f64::max)
    })
}

/// [`token_coverage`] with the best similarity of a query token to the facility's tokens
/// supplied by the caller (an index can look it up instead of recomputing it).
pub fn token_coverage_by(
    query: &[String],
    optional: &[String],
    weights: &TokenWeights,
    best_match: impl Fn(&str) -> f64,
) -> Coverage {
    let mut total = 0.0;
    let mut found = 0.0;
    let mut strongest: f64 = 0.0;
    let mut seen: BTreeSet<&String> = BTreeSet::new();
    for token in query {
        if !seen.insert(token) {
            continue;
        }
        let w = weights.weight(token);
        let best = best_match(token);
        let matched = best >= TOKEN_MATCH;
        if optional.contains(token) && !matched {
            continue;
        }
        total += w;
        if matched {
            found += w * best;
            if !is_descriptor_word(token) {
                strongest = strongest.max(w);
            }
        }
    }
    Coverage {
        share: if total > 0.0 { found / total } else { 0.0 },
        strongest_match: strongest,
    }
}

/// Weighted share of a facility name's tokens found in the typed name. Unmatched tokens in
/// `optional` (the facility's own city, province or country, abbreviations) are not counted:
/// "Huayou Cobalt" covers "Zhejiang Huayou Cobalt" fully when the plant is in Zhejiang.
pub fn name_coverage(
    facility_name: &[String],
    typed: &[String],
    optional: &BTreeSet<String>,
    weights: &TokenWeights,
) -> f64 {
    name_coverage_by(facility_name, optional, weights, |token| {
        typed
            .iter()
            .map(|t| token_similarity(token, t))
            .fold(0.0, f64::max)
    })
}

/// [`name_coverage`] with the best similarity of a facility token to the typed tokens
/// supplied by the caller.
pub fn name_coverage_by(
    facility_name: &[String],
    optional: &BTreeSet<String>,
    weights: &TokenWeights,
    best_match: impl Fn(&str) -> f64,
) -> f64 {
    let mut total = 0.0;
    let mut found = 0.0;
    let mut seen: BTreeSet<&String> = BTreeSet::new();
    for token in facility_name {
        if !seen.insert(token) {
            continue;
        }
        let best = best_match(token);
        let w = weights.weight(token);
        if best >= TOKEN_MATCH {
            total += w;
            found += w * best;
        } else if !optional.contains(token) {
            total += w;
        }
    }
    if total > 0.0 { found / total } else { 0.0 }
}

fn sorted_join<'a>(tokens: impl Iterator<Item = &'a String>) -> String {
    let mut v: Vec<&str> = tokens.map(String::as_str).collect();
    v.sort_unstable();
    v.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::name_tokens;

    fn toks(s: &str) -> Vec<String> {
        name_tokens(s).tokens
    }

    #[test]
    fn a_place_word_of_the_facility_may_be_left_out() {
        let facilities = [
            toks("Zhejiang Huayou Cobalt"),
            toks("Quzhou Huayou Cobalt New Material"),
            toks("PT Refined Bangka Tin"),
        ];
        let w = TokenWeights::from_facilities(facilities.iter());
        let places: BTreeSet<String> = ["zhejiang".to_string()].into();
        let typed = toks("Huayou Cobalt Co Ltd");
        assert_eq!(name_coverage(&facilities[0], &typed, &places, &w), 1.0);
        assert!(name_coverage(&facilities[0], &typed, &BTreeSet::new(), &w) < 0.8);
        let bangka = name_coverage(&facilities[2], &toks("PT Bangka Tin Industry"), &places, &w);
        assert!(bangka < 0.7, "{bangka}");
    }

    #[test]
    fn identical_names_score_one() {
        assert_eq!(
            name_similarity(&toks("Umicore Olen"), &toks("UMICORE OLEN")),
            1.0
        );
    }

    #[test]
    fn word_order_does_not_matter() {
        let s = name_similarity(
            &toks("GEM Co Ltd (Jingmen)"),
            &toks("Jingmen GEM Co., Ltd."),
        );
        assert_eq!(s, 1.0);
    }

    #[test]
    fn a_typo_scores_high_but_below_one() {
        let s = name_similarity(&toks("Umicor Olen"), &toks("Umicore Olen"));
        assert!(s > 0.9 && s < 1.0, "{s}");
    }

    #[test]
    fn a_contained_short_name_scores_one_on_the_token_set() {
        let short = toks("Huayou Cobalt");
        let long = toks("Zhejiang Huayou Cobalt Co., Ltd.");
        assert_eq!(token_set_ratio(&short, &long), 1.0);
        let s = name_similarity(&short, &long);
        assert!(s > 0.8 && s < 1.0, "{s}");
    }

    #[test]
    fn unrelated_names_score_low() {
        let s = name_similarity(&toks("Kasai Hydromet Refinery"), &toks("Umicore Olen"));
        assert!(s < 0.5, "{s}");
    }

    #[test]
    fn empty_names_score_zero() {
        assert_eq!(name_similarity(&[], &toks("Umicore")), 0.0);
        assert_eq!(ratio("", ""), 0.0);
    }

    #[test]
    fn rare_tokens_weigh_more_than_descriptors() {
        let facilities = [
            toks("Chemaf Etoile"),
            toks("Chemaf Usoke"),
            toks("Luilu Metallurgical Plant"),
            toks("Kings Mountain Lithium Plant"),
            toks("Umicore Olen"),
        ];
        let w = TokenWeights::from_facilities(facilities.iter());
        assert!(w.weight("etoile") > w.weight("chemaf"));
        assert!(w.weight("chemaf") > w.weight("plant"));
        assert!(w.weight("unseen") >= w.weight("etoile"));
    }

    #[test]
    fn coverage_counts_typos_and_skips_missing_abbreviations() {
        let facilities = [toks("Umicore Olen"), toks("Kamoto Copper Company")];
        let w = TokenWeights::from_facilities(facilities.iter());
        let olen: BTreeSet<String> = toks("Umicore Olen").into_iter().collect();
        let c = token_coverage(&toks("Umicor Olen"), &[], &olen, &w);
        assert!(c.share > 0.9, "{c:?}");
        let kcc = name_tokens("Kamoto Copper Co. (KCC)");
        let kamoto: BTreeSet<String> = toks("Kamoto Copper Company").into_iter().collect();
        let c = token_coverage(&kcc.tokens, &kcc.abbreviations, &kamoto, &w);
        assert_eq!(c.share, 1.0);
    }
}
