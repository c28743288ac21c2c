//! Resolution of Smelter List rows on small hand-made look-ups (no shared folder needed).

use oretrail_facilities::{FacilityRegistry, Matcher, TemplateLookup};
use oretrail_template::{EntryKind, Family, LookupEntry, ResolutionMethod, SmelterRow};

fn entry(
    metal: &str,
    lookup: &str,
    standard: &str,
    country: &str,
    cid: &str,
    city: &str,
    state: &str,
) -> LookupEntry {
    LookupEntry {
        metal: metal.into(),
        lookup_name: lookup.into(),
        standard_name: Some(standard.into()),
        country: Some(country.into()),
        cid: Some(cid.into()),
        source: Some("RMI".into()),
        street: None,
        city: Some(city.into()),
        state_province: Some(state.into()),
    }
}

/// An EMRT-like look-up: cobalt and nickel refiners, with aliases.
fn emrt_lookup() -> Vec<LookupEntry> {
    let drc = "CONGO, DEMOCRATIC REPUBLIC OF THE";
    vec![
        entry(
            "Cobalt",
            "Umicore Olen",
            "Umicore Olen",
            "BELGIUM",
            "CID003228",
            "Olen",
            "Antwerpen",
        ),
        entry(
            "Cobalt",
            "Freeport Kokkola",
            "Umicore Finland Oy",
            "FINLAND",
            "CID003226",
            "Kokkola",
            "Keski-Pohjanmaa",
        ),
        entry(
            "Cobalt",
            "Umicore Finland Oy",
            "Umicore Finland Oy",
            "FINLAND",
            "CID003226",
            "Kokkola",
            "Keski-Pohjanmaa",
        ),
        entry(
            "Cobalt",
            "Zhejiang Huayou Cobalt Co., Ltd.",
            "Zhejiang Huayou Cobalt Company Limited",
            "CHINA",
            "CID003225",
            "Tongxiang",
            "Zhejiang Sheng",
        ),
        entry(
            "Cobalt",
            "Quzhou Huayou Cobalt New Material Co., Ltd.",
            "Quzhou Huayou Cobalt New Material Co., Ltd.",
            "CHINA",
            "CID003255",
            "Quzhou",
            "Zhejiang Sheng",
        ),
        entry(
            "Cobalt",
            "Tenke Fungurume Mining SA",
            "Tenke Fungurume Mining SA",
            drc,
            "CID003429",
            "Fungurume",
            "Lualaba",
        ),
        entry(
            "Cobalt",
            "Tenke Fungrume Mining (TFM)",
            "Tenke Fungurume Mining SA",
            drc,
            "CID003429",
            "Fungurume",
            "Lualaba",
        ),
        entry(
            "Cobalt",
            "Kamoto Copper Company",
            "Kamoto Copper Company",
            drc,
            "CID003261",
            "Kolwezi",
            "Lualaba",
        ),
        entry(
            "Cobalt",
            "Luilu Metallurgical Plant",
            "Kamoto Copper Company",
            drc,
            "CID003261",
            "Kolwezi",
            "Lualaba",
        ),
        entry(
            "Cobalt",
            "Chemaf Etoile",
            "Chemaf Etoile",
            drc,
            "CID003264",
            "Lubumbashi",
            "Haut-Katanga",
        ),
        entry(
            "Cobalt",
            "Chemaf Usoke",
            "Chemaf Usoke",
            drc,
            "CID003423",
            "Lubumbashi",
            "Haut-Katanga",
        ),
        entry(
            "Cobalt",
            "La Miniere de Kasombo",
            "LA MINIERE DE KASOMBO SAS",
            drc,
            "CID003276",
            "Lubumbashi",
            "Haut-Katanga",
        ),
        entry(
            "Cobalt",
            "Mutanda Mining SPRL",
            "Mutanda Mining SPRL",
            drc,
            "CID003301",
            "Kolwezi",
            "Lualaba",
        ),
        entry(
            "Nickel",
            "Umicore Olen",
            "Umicore Olen",
            "BELGIUM",
            "CID005249",
            "Olen",
            "Antwerpen",
        ),
        entry(
            "Nickel",
            "NORILSK NICKEL HARJAVALTA OY",
            "NORILSK NICKEL HARJAVALTA OY",
            "FINLAND",
            "CID004008",
            "Harjavalta",
            "Satakunta",
        ),
    ]
}

fn cmrt_lookup() -> Vec<LookupEntry> {
    vec![
        entry(
            "Gold",
            "MKS PAMP SA",
            "MKS PAMP SA",
            "SWITZERLAND",
            "CID001352",
            "Castel San Pietro",
            "Ticino",
        ),
        entry(
            "Gold",
            "PAMP S.A.",
            "MKS PAMP SA",
            "SWITZERLAND",
            "CID001352",
            "Castel San Pietro",
            "Ticino",
        ),
        entry(
            "Gold",
            "Boliden Ronnskar",
            "Boliden Ronnskar",
            "SWEDEN",
            "CID000157",
            "Skelleftehamn",
            "Vasterbottens lan",
        ),
        entry(
            "Gold",
            "Tanaka Kikinzoku Kogyo K.K.",
            "Tanaka Kikinzoku Kogyo K.K.",
            "JAPAN",
            "CID001875",
            "Hiratsuka",
            "Kanagawa",
        ),
        entry(
            "Tin",
            "Aurubis Beerse",
            "Aurubis Beerse",
            "BELGIUM",
            "CID002773",
            "Beerse",
            "Antwerpen",
        ),
        entry(
            "Tin",
            "PT Refined Bangka Tin",
            "PT Refined Bangka Tin",
            "INDONESIA",
            "CID001460",
            "Pangkalpinang",
            "Kepulauan Bangka Belitung",
        ),
        entry(
            "Tungsten",
            "Global Tungsten & Powders LLC",
            "Global Tungsten & Powders LLC",
            "UNITED STATES OF AMERICA",
            "CID000568",
            "Towanda",
            "Pennsylvania",
        ),
    ]
}

fn row(entry: EntryKind, metal: &str) -> SmelterRow {
    SmelterRow {
        row: 5,
        entry,
        metal: Some(metal.into()),
        lookup_value: None,
        name: None,
        country: None,
        cid: None,
        smelter_id_input: None,
        formula_fields: Vec::new(),
        details: Default::default(),
        resolution: None,
    }
}

fn pick(metal: &str, lookup_value: &str, cid: &str) -> SmelterRow {
    SmelterRow {
        lookup_value: Some(lookup_value.into()),
        cid: Some(cid.into()),
        formula_fields: vec!["name".into(), "country".into(), "cid".into()],
        ..row(EntryKind::Lookup, metal)
    }
}

fn not_listed(metal: &str, name: &str, country: &str) -> SmelterRow {
    SmelterRow {
        lookup_value: Some("Smelter not listed".into()),
        name: Some(name.into()),
        country: Some(country.into()),
        ..row(EntryKind::NotListed, metal)
    }
}

struct Setup {
    matcher: Matcher,
    lookup: TemplateLookup,
}

/// A registry learned from both look-ups; the report's own template is the EMRT one.
fn setup() -> Setup {
    setup_with(|_| {})
}

fn setup_with(edit: impl FnOnce(&mut FacilityRegistry)) -> Setup {
    let mut registry = FacilityRegistry::new();
    registry.learn(Family::Emrt, "2.1", &emrt_lookup());
    registry.learn(Family::Cmrt, "6.5", &cmrt_lookup());
    registry.learn(
        Family::Cmrt,
        "6.31",
        &[
            entry(
                "Gold",
                "Boliden AB",
                "Boliden AB",
                "SWEDEN",
                "CID000157",
                "Skelleftehamn",
                "Vasterbottens lan",
            ),
            entry(
                "Tin",
                "Metallo Belgium N.V.",
                "Metallo Belgium N.V.",
                "BELGIUM",
                "CID002773",
                "Beerse",
                "Antwerpen",
            ),
        ],
    );
    edit(&mut registry);
    Setup {
        matcher: Matcher::new(&registry),
        lookup: TemplateLookup::new(&emrt_lookup()),
    }
}

fn resolve(s: &Setup, r: &SmelterRow) -> (Option<String>, ResolutionMethod) {
    let res = s.matcher.resolve_row(r, &s.lookup);
    (res.canonical_cid, res.method)
}

fn cid(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn lookup_pick_resolves_to_its_lookup_entry_even_through_an_alias() {
    let s = setup();
    let r = s
        .matcher
        .resolve_row(&pick("Cobalt", "Freeport Kokkola", "CID003226"), &s.lookup);
    assert_eq!(r.canonical_cid, cid("CID003226"));
    assert_eq!(r.canonical_name.as_deref(), Some("Umicore Finland Oy"));
    assert!(r.in_template_lookup);
    assert_eq!(r.conflicting_cid, None);
}

#[test]
fn smelter_id_typed_in_column_a_that_contradicts_the_pick_is_kept_as_conflicting() {
    let s = setup();
    let mut r = pick("Cobalt", "La Miniere de Kasombo", "CID003276");
    r.smelter_id_input = Some("CID003215".into());
    let res = s.matcher.resolve_row(&r, &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID003276"), "the look-up pick wins");
    assert_eq!(res.conflicting_cid, cid("CID003215"));
}

#[test]
fn cid_typed_over_column_f_that_contradicts_the_pick_is_kept_as_conflicting() {
    let s = setup();
    let mut r = pick("Cobalt", "Kamoto Copper Company", "CID003301");
    r.formula_fields = vec!["name".into(), "country".into()];
    let res = s.matcher.resolve_row(&r, &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID003261"));
    assert_eq!(res.conflicting_cid, cid("CID003301"));
}

#[test]
fn a_formula_cid_never_counts_as_a_contradiction() {
    let s = setup();
    // A stale cached formula value is not something the supplier typed.
    let res = s.matcher.resolve_row(
        &pick("Cobalt", "Kamoto Copper Company", "CID999999"),
        &s.lookup,
    );
    assert_eq!(res.conflicting_cid, None);
}

#[test]
fn smelter_id_row_resolves_by_the_typed_id_even_without_a_metal() {
    let s = setup();
    let mut r = row(EntryKind::SmelterId, "Cobalt");
    r.metal = None;
    r.smelter_id_input = Some(" cid003429 ".into());
    let res = s.matcher.resolve_row(&r, &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID003429"));
    assert_eq!(res.method, ResolutionMethod::Cid);
    assert_eq!(
        res.canonical_name.as_deref(),
        Some("Tenke Fungurume Mining SA")
    );
}

#[test]
fn smelter_id_row_with_an_unknown_id_stays_unresolved() {
    let s = setup();
    let mut r = row(EntryKind::SmelterId, "Cobalt");
    r.smelter_id_input = Some("CID000000".into());
    assert_eq!(resolve(&s, &r), (None, ResolutionMethod::Unresolved));
}

#[test]
fn not_listed_typo_resolves_to_umicore_olen() {
    let s = setup();
    let (c, m) = resolve(&s, &not_listed("Cobalt", "Umicor Olen", "BELGIUM"));
    assert_eq!(c, cid("CID003228"));
    assert_eq!(m, ResolutionMethod::Fuzzy);
}

#[test]
fn the_same_name_resolves_per_metal() {
    let s = setup();
    let (c, _) = resolve(&s, &not_listed("Nickel", "Umicore Olen", "BELGIUM"));
    assert_eq!(c, cid("CID005249"));
}

#[test]
fn not_listed_exact_alias_resolves_whatever_the_case() {
    let s = setup();
    let (c, m) = resolve(&s, &not_listed("Gold", "pamp s.a.", "SWITZERLAND"));
    assert_eq!(c, cid("CID001352"));
    assert_eq!(m, ResolutionMethod::ExactName);
}

#[test]
fn not_listed_legal_suffix_and_punctuation_variants_resolve_by_normalised_name() {
    let s = setup();
    let drc = "CONGO, DEMOCRATIC REPUBLIC OF THE";
    let (c, m) = resolve(
        &s,
        &not_listed("Cobalt", "TENKE FUNGURUME MINING S.A.", drc),
    );
    assert_eq!((c, m), (cid("CID003429"), ResolutionMethod::NormalizedName));
    let (c, _) = resolve(&s, &not_listed("Gold", "Tanaka Kikinzoku Kogyo", "Japan"));
    assert_eq!(c, cid("CID001875"));
    let (c, _) = resolve(
        &s,
        &not_listed("Tungsten", "Global Tungsten and Powders", "USA"),
    );
    assert_eq!(c, cid("CID000568"));
}

#[test]
fn not_listed_full_width_name_resolves() {
    let s = setup();
    let (c, _) = resolve(
        &s,
        &not_listed("Cobalt", "ＵＭＩＣＯＲＥ　ＯＬＥＮ", "BELGIUM"),
    );
    assert_eq!(c, cid("CID003228"));
}

#[test]
fn not_listed_former_name_resolves_and_reports_the_current_name() {
    let s = setup();
    let res = s
        .matcher
        .resolve_row(&not_listed("Gold", "Boliden AB", "SWEDEN"), &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID000157"));
    assert_eq!(res.canonical_name.as_deref(), Some("Boliden Ronnskar"));
    assert!(!res.in_template_lookup, "the EMRT look-up has no gold");
    let res = s
        .matcher
        .resolve_row(&not_listed("Tin", "Metallo Belgium", "Belgium"), &s.lookup);
    assert_eq!(res.canonical_name.as_deref(), Some("Aurubis Beerse"));
}

#[test]
fn not_listed_short_name_without_the_province_resolves_to_the_parent_refiner() {
    let s = setup();
    let (c, m) = resolve(&s, &not_listed("Cobalt", "Huayou Cobalt Co Ltd", "CHINA"));
    assert_eq!((c, m), (cid("CID003225"), ResolutionMethod::Fuzzy));
}

#[test]
fn not_listed_name_with_an_abbreviation_resolves() {
    let s = setup();
    let drc = "DR Congo";
    let (c, _) = resolve(&s, &not_listed("Cobalt", "Kamoto Copper Co. (KCC)", drc));
    assert_eq!(c, cid("CID003261"));
}

#[test]
fn not_listed_company_and_city_resolves_to_the_plant() {
    let s = setup();
    let (c, _) = resolve(&s, &not_listed("Cobalt", "Umicore Kokkola", "FINLAND"));
    assert_eq!(c, cid("CID003226"));
}

#[test]
fn a_refiner_unknown_to_rmi_stays_unresolved() {
    let s = setup();
    let drc = "CONGO, DEMOCRATIC REPUBLIC OF THE";
    for name in [
        "Kasai Hydromet Refinery SARL",
        "Lubumbashi Cobalt Works",
        "Chemaf",
    ] {
        let res = s
            .matcher
            .resolve_row(&not_listed("Cobalt", name, drc), &s.lookup);
        assert_eq!(res.canonical_cid, None, "{name}");
        assert_eq!(res.method, ResolutionMethod::Unresolved);
    }
    let (c, _) = resolve(
        &s,
        &not_listed("Tin", "PT Bangka Tin Industry", "INDONESIA"),
    );
    assert_eq!(
        c, None,
        "a generic name must not take the only Bangka refiner"
    );
}

#[test]
fn an_unresolved_name_reports_candidates() {
    let s = setup();
    let res = s.matcher.resolve_row(
        &not_listed("Cobalt", "Chemaf", "CONGO, DEMOCRATIC REPUBLIC OF THE"),
        &s.lookup,
    );
    assert_eq!(res.canonical_cid, None);
    let cids: Vec<&str> = res.candidates.iter().map(|c| c.cid.as_str()).collect();
    assert!(
        cids.contains(&"CID003264") && cids.contains(&"CID003423"),
        "{cids:?}"
    );
    assert!(res.candidates.iter().all(|c| !c.name.is_empty()));
}

#[test]
fn a_contradicting_country_blocks_a_fuzzy_match() {
    let s = setup();
    let (c, _) = resolve(&s, &not_listed("Cobalt", "Umicor Olen", "CHINA"));
    assert_eq!(c, None);
}

#[test]
fn smelter_not_yet_identified_stays_unresolved() {
    let s = setup();
    let mut r = row(EntryKind::NotYetIdentified, "Cobalt");
    r.lookup_value = Some("Smelter not yet identified".into());
    assert_eq!(resolve(&s, &r), (None, ResolutionMethod::Unresolved));
}

#[test]
fn not_listed_with_the_correct_cid_typed_resolves_by_that_cid() {
    let s = setup();
    let mut r = not_listed("Cobalt", "刚果钴业", "DRC");
    r.cid = Some("CID003301".into());
    let res = s.matcher.resolve_row(&r, &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID003301"));
    assert_eq!(res.method, ResolutionMethod::Cid);
}

#[test]
fn not_listed_name_wins_over_a_typed_cid_of_another_refiner() {
    let s = setup();
    let mut r = not_listed("Cobalt", "Umicore Olen", "BELGIUM");
    r.cid = Some("CID003301".into());
    let res = s.matcher.resolve_row(&r, &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID003228"));
    assert_eq!(res.conflicting_cid, cid("CID003301"));
}

#[test]
fn a_remembered_alias_applies_to_later_resolutions() {
    let s = setup_with(|reg| {
        reg.remember_alias(
            "Nickel",
            "Harjavalta nickel refinery",
            "CID004008",
            "analyst",
        )
        .expect("known facility");
    });
    let res = s.matcher.resolve_row(
        &not_listed("Nickel", "HARJAVALTA NICKEL REFINERY", "FINLAND"),
        &s.lookup,
    );
    assert_eq!(res.canonical_cid, cid("CID004008"));
    assert_eq!(res.method, ResolutionMethod::Manual);
    assert!(res.in_template_lookup);
}

#[test]
fn a_facility_known_only_to_the_registry_is_not_in_the_template_lookup() {
    let s = setup();
    let res = s
        .matcher
        .resolve_row(&not_listed("Tin", "Aurubis Beerse", "BELGIUM"), &s.lookup);
    assert_eq!(res.canonical_cid, cid("CID002773"));
    assert!(!res.in_template_lookup);
}

#[test]
fn an_empty_registry_still_resolves_against_the_template_lookup() {
    let matcher = Matcher::new(&FacilityRegistry::new());
    let lookup = TemplateLookup::new(&emrt_lookup());
    let res = matcher.resolve_row(
        &not_listed("Cobalt", "Tenke Fungurume Mining S.A.", "DRC"),
        &lookup,
    );
    assert_eq!(res.canonical_cid, cid("CID003429"));
    assert_eq!(
        res.canonical_name.as_deref(),
        Some("Tenke Fungurume Mining SA")
    );
}

#[test]
fn resolve_report_fills_every_row() {
    let s = setup();
    let mut rows = vec![
        pick("Cobalt", "Umicore Olen", "CID003228"),
        not_listed("Cobalt", "Kasai Hydromet Refinery SARL", "DRC"),
    ];
    s.matcher.resolve_rows(&mut rows, &s.lookup);
    assert!(rows.iter().all(|r| r.resolution.is_some()));
    let json = serde_json::to_value(&rows[0]).expect("serialises");
    assert_eq!(json["canonical_cid"], "CID003228");
    assert_eq!(json["method"], "exact_name");
}

#[test]
fn a_name_shared_by_two_facilities_lists_both_instead_of_guessing() {
    let mut registry = FacilityRegistry::new();
    registry.learn(
        Family::Amrt,
        "1.3",
        &[
            entry(
                "Aluminum",
                "Green Posture, Lda",
                "Green Posture, Lda",
                "PORTUGAL",
                "CID004822",
                "Lisboa",
                "Lisboa",
            ),
            entry(
                "Aluminum",
                "Green Posture, Lda",
                "Green Posture, Lda",
                "PORTUGAL",
                "CID005226",
                "Lisboa",
                "Lisboa",
            ),
        ],
    );
    let matcher = Matcher::new(&registry);
    let res = matcher.resolve_row(
        &not_listed("Aluminum", "GREEN POSTURE LDA", "Portugal"),
        &TemplateLookup::new(&[]),
    );
    assert_eq!(res.canonical_cid, None);
    let mut cids: Vec<&str> = res.candidates.iter().map(|c| c.cid.as_str()).collect();
    cids.sort();
    assert_eq!(cids, ["CID004822", "CID005226"]);
}
