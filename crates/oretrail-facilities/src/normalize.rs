//! Name normalisation for matching smelter and refiner names.
//!
//! The pipeline: NFKC (full-width letters and punctuation become ASCII), removal of CJK legal
//! forms (`股份有限公司`, `株式会社` ...), `&` → `and`, deunicode (accents dropped, CJK spelled
//! in pinyin/romaji), lower case, every run of punctuation or white space → one space, runs of
//! single letters joined (`S.A.R.L.` → `sarl`, `K.K.` → `kk`), then legal-form words, a few
//! connecting words and leftover one-letter tokens dropped.
//!
//! Words that can tell two facilities apart (`group`, `mining`, `refinery`, place names) are
//! kept: dropping them is the similarity scorer's business, not normalisation's.

use unicode_normalization::UnicodeNormalization;

/// CJK legal forms removed before transliteration, longest first.
const CJK_LEGAL_FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "株式会社",
    "有限会社",
    "合同会社",
    "（株）",
    "(株)",
    "㈱",
    "주식회사",
    "유한회사",
    "公司",
];

/// Legal-form words dropped from normalised names (after dotted abbreviations are joined).
const LEGAL_FORMS: &[&str] = &[
    "co",
    "ltd",
    "ltda",
    "limited",
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "company",
    "sa",
    "sas",
    "sarl",
    "sprl",
    "sl",
    "gmbh",
    "ag",
    "kg",
    "llc",
    "plc",
    "bv",
    "nv",
    "oy",
    "oyj",
    "ab",
    "spa",
    "srl",
    "sro",
    "pte",
    "pvt",
    "pty",
    "kk",
    "jsc",
    "ojsc",
    "pjsc",
    "cjsc",
    "ooo",
    "zao",
    "oao",
    "pao",
    "llp",
    "tbk",
    "pt",
    "cv",
    "sdn",
    "bhd",
    "as",
    "lda",
    "coltd",
    "pteltd",
    "sdnbhd",
];

/// Connecting words that carry no identity ("Global Tungsten & Powders", "Mine de l'Etoile").
const CONNECTING_WORDS: &[&str] = &["and", "the", "of", "de", "du", "des", "la", "le", "et"];

/// A name split into the tokens used for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameTokens {
    /// Tokens after legal forms and connecting words are dropped, in name order.
    pub tokens: Vec<String>,
    /// Tokens that abbreviate other words of the same name (`KCC` in "Kamoto Copper Co. (KCC)").
    pub abbreviations: Vec<String>,
}

/// Normalises a facility name for matching: `"Umicore  Finland Oy"` → `"umicore finland"`.
pub fn normalize_name(name: &str) -> String {
    name_tokens(name).tokens.join(" ")
}

/// The normalised name with its tokens sorted, so that word order does not matter.
pub fn token_sorted_key(name: &str) -> String {
    let mut tokens = name_tokens(name).tokens;
    tokens.sort_unstable();
    tokens.join(" ")
}

/// Case-, width- and space-insensitive form used for exact look-up names (`"pamp s.a."`).
pub fn exact_key(name: &str) -> String {
    let folded: String = name.nfkc().collect::<String>().to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Splits a name into matching tokens (see the module documentation for the steps).
pub fn name_tokens(name: &str) -> NameTokens {
    let raw = raw_tokens(name);
    let abbreviations = find_abbreviations(&raw);
    let kept: Vec<String> = raw
        .iter()
        .filter(|t| is_kept_length(t))
        .filter(|t| !is_legal_form(t) && !CONNECTING_WORDS.contains(&t.as_str()))
        .cloned()
        .collect();
    let tokens = if kept.is_empty() {
        // A name made only of legal forms ("Company Limited") keeps what it has.
        raw.into_iter().filter(|t| is_kept_length(t)).collect()
    } else {
        kept
    };
    let abbreviations = abbreviations
        .into_iter()
        .filter(|a| tokens.contains(a))
        .collect();
    NameTokens {
        tokens,
        abbreviations,
    }
}

/// Long legal-form words whose misspellings ("Corpoation", "Limted") are dropped too.
const LONG_LEGAL_FORMS: &[&str] = &["limited", "company", "corporation", "incorporated"];

/// Whether a token is a legal form, or a one-letter slip of a long one.
fn is_legal_form(token: &str) -> bool {
    LEGAL_FORMS.contains(&token)
        || (token.len() >= 6
            && LONG_LEGAL_FORMS
                .iter()
                .any(|f| rapidfuzz::fuzz::ratio(token.chars(), f.chars()) >= 0.85))
}

/// Tokens of one letter are noise ("l" of "l'Etoile"); numbers ("Unit 1") are kept.
fn is_kept_length(token: &str) -> bool {
    token.len() > 1 || token.chars().all(|c| c.is_ascii_digit())
}

/// The normalised name without spaces, so that "Non-Ferrous" meets "Nonferrous".
pub fn compact_key(name: &str) -> String {
    name_tokens(name).tokens.concat()
}

/// Lower-case ASCII tokens before anything is dropped; dotted single letters are joined
/// (`S.A.R.L.` → `sarl`, `T.C.A S.p.A` → `tca`, `spa`).
fn raw_tokens(name: &str) -> Vec<String> {
    let mut text: String = name.nfkc().collect();
    for form in CJK_LEGAL_FORMS {
        if text.contains(form) {
            text = text.replace(form, " ");
        }
    }
    let text = text.replace('&', " and ");
    let ascii = deunicode::deunicode(&text).to_lowercase();
    // Alphanumeric pieces with the separator that precedes each.
    let mut pieces: Vec<(String, String)> = Vec::new();
    let mut separator = String::new();
    let mut current = String::new();
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            current.push(c);
        } else {
            if !current.is_empty() {
                pieces.push((std::mem::take(&mut separator), std::mem::take(&mut current)));
            }
            separator.push(c);
        }
    }
    if !current.is_empty() {
        pieces.push((separator, current));
    }
    let is_letter = |p: &str| p.len() == 1 && p.chars().all(|c| c.is_ascii_alphabetic());
    let mut tokens: Vec<String> = Vec::with_capacity(pieces.len());
    let mut previous_letter = false;
    for (sep, piece) in pieces {
        let letter = is_letter(&piece);
        if letter
            && previous_letter
            && sep.trim() == "."
            && let Some(last) = tokens.last_mut()
        {
            last.push_str(&piece);
            continue;
        }
        previous_letter = letter;
        tokens.push(piece);
    }
    tokens
}

/// Tokens equal to the initials of a run of other tokens of the name (`tfm` for "Tenke
/// Fungurume Mining"), which suppliers add in parentheses and RMI names often omit.
fn find_abbreviations(raw: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, token) in raw.iter().enumerate() {
        let n = token.len();
        if !(2..=6).contains(&n) || !token.chars().all(|c| c.is_ascii_alphabetic()) {
            continue;
        }
        let others: Vec<char> = raw
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .filter_map(|(_, t)| t.chars().next())
            .collect();
        let initials: Vec<char> = token.chars().collect();
        if others.windows(n).any(|w| w == initials.as_slice()) {
            found.push(token.clone());
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legal_suffixes_and_punctuation_disappear() {
        assert_eq!(normalize_name("Umicore Finland Oy"), "umicore finland");
        assert_eq!(
            normalize_name("Tenke Fungurume Mining S.A."),
            normalize_name("Tenke Fungurume Mining SA")
        );
        assert_eq!(
            normalize_name("Jingmen GEM Co., Ltd."),
            normalize_name("Jingmen GEM Company Limited")
        );
        assert_eq!(
            normalize_name("Tanaka Kikinzoku Kogyo K.K."),
            "tanaka kikinzoku kogyo"
        );
        assert_eq!(
            normalize_name("Chemaf SARL - Etoile plant"),
            "chemaf etoile plant"
        );
    }

    #[test]
    fn ampersand_is_and_and_connecting_words_drop() {
        assert_eq!(
            normalize_name("Global Tungsten & Powders Corp."),
            normalize_name("Global Tungsten and Powders")
        );
    }

    #[test]
    fn full_width_text_and_accents_become_ascii() {
        assert_eq!(normalize_name("ＵＭＩＣＯＲＥ　ＯＬＥＮ"), "umicore olen");
        assert_eq!(
            normalize_name("MKM - La Minière de Kalumbwe Myunga"),
            normalize_name("MKM - La Miniere de Kalumbwe Myunga")
        );
    }

    #[test]
    fn cjk_legal_forms_are_stripped_before_transliteration() {
        let n = normalize_name("江西铜业股份有限公司");
        assert!(!n.contains("you xian"), "{n}");
        assert_eq!(n, normalize_name("江西铜业"));
        assert_eq!(
            normalize_name("田中貴金属工業株式会社"),
            normalize_name("田中貴金属工業")
        );
    }

    #[test]
    fn token_sorted_key_ignores_word_order() {
        assert_eq!(
            token_sorted_key("GEM Co Ltd (Jingmen)"),
            token_sorted_key("Jingmen GEM Co., Ltd.")
        );
    }

    #[test]
    fn parenthesised_initials_are_abbreviations() {
        let t = name_tokens("Kamoto Copper Co. (KCC)");
        assert_eq!(t.abbreviations, vec!["kcc".to_string()]);
        let t = name_tokens("Tenke Fungrume Mining (TFM)");
        assert_eq!(t.abbreviations, vec!["tfm".to_string()]);
        assert!(name_tokens("Umicore Olen").abbreviations.is_empty());
    }

    #[test]
    fn dotted_initials_join_only_across_dots() {
        assert_eq!(normalize_name("T.C.A S.p.A"), "tca");
        assert_eq!(
            normalize_name("O.M. Manufacturing (Thailand) Co., Ltd."),
            "om manufacturing thailand"
        );
        assert_eq!(
            normalize_name("Metalor Technologies S. A."),
            "metalor technologies"
        );
    }

    #[test]
    fn misspelt_legal_forms_are_dropped() {
        assert_eq!(
            normalize_name("Mitsubishi Materials Corpoation"),
            "mitsubishi materials"
        );
        assert_eq!(normalize_name("JALAN & Comany"), "jalan");
        assert_eq!(normalize_name("Johnson Matthey Limted"), "johnson matthey");
        assert_eq!(normalize_name("Compania Minera"), "compania minera");
    }

    #[test]
    fn unit_numbers_are_kept() {
        assert_ne!(
            normalize_name("Emerald Jewel Industry India Limited (Unit 1)"),
            normalize_name("Emerald Jewel Industry India Limited (Unit 2)")
        );
    }

    #[test]
    fn compact_key_ignores_spaces_and_hyphens() {
        assert_eq!(
            compact_key("Daye Non-Ferrous Metals Mining Ltd."),
            compact_key("DAYE NONFERROUS METALS MINING")
        );
        assert_eq!(
            compact_key("Chizhou Xi’en New Material"),
            compact_key("CHIZHOU XIEN NEW MATERIAL")
        );
    }

    #[test]
    fn a_name_made_only_of_legal_forms_is_not_emptied() {
        assert_eq!(normalize_name("Company Limited"), "company limited");
    }

    #[test]
    fn exact_key_folds_case_width_and_spaces() {
        assert_eq!(exact_key("  PAMP  S.A. "), "pamp s.a.");
        assert_eq!(exact_key("pamp s.a."), "pamp s.a.");
    }
}
