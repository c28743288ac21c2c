//! Tests on the real blank RMI templates: learning the registry from every Smelter Look-up,
//! and resolving names the registry has never seen.

mod common;

use oretrail_facilities::normalize::exact_key;
use oretrail_facilities::registry::compare_versions;
use oretrail_facilities::{FacilityRegistry, Matcher, TemplateLookup};
use oretrail_template::{EntryKind, Family, SmelterRow};
use std::collections::HashSet;

fn not_listed(metal: &str, name: &str, country: Option<&str>) -> SmelterRow {
    SmelterRow {
        row: 5,
        entry: EntryKind::NotListed,
        metal: Some(metal.into()),
        lookup_value: Some("Smelter not listed".into()),
        name: Some(name.into()),
        country: country.map(str::to_string),
        cid: None,
        smelter_id_input: None,
        formula_fields: Vec::new(),
        details: Default::default(),
        resolution: None,
    }
}

#[test]
fn the_registry_learns_every_blank_template() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let registry = common::registry_from_blank_templates(&shared);
    assert_eq!(
        registry.sources().len(),
        16,
        "AMRT 1.2 is learned with no facility"
    );
    assert_eq!(registry.newest_version(Family::Cmrt), Some("6.5"));
    assert_eq!(registry.newest_version(Family::Emrt), Some("2.1"));
    let cmrt65 = registry
        .sources()
        .iter()
        .find(|s| s.family == Family::Cmrt && s.version == "6.5")
        .expect("CMRT 6.5 learned");
    // Distinct CIDs per metal as counted in spec/rmi-templates.md §8.
    assert_eq!(cmrt65.facilities_per_metal.get("Gold"), Some(&182));
    assert_eq!(cmrt65.facilities_per_metal.get("Tantalum"), Some(&35));
    assert_eq!(cmrt65.facilities_per_metal.get("Tin"), Some(&73));
    assert_eq!(cmrt65.facilities_per_metal.get("Tungsten"), Some(&59));
    let boliden = registry.facility("Gold", "CID000157").expect("Boliden");
    assert_eq!(boliden.standard_name, "Boliden Ronnskar");
    assert!(boliden.former_names.contains(&"Boliden AB".to_string()));
    let sukses = registry
        .facility("Tin", "CID002816")
        .expect("PT Sukses Inti Makmur");
    assert!(sukses.no_longer_listed, "dropped from CMRT 6.5");
    let uranus = registry
        .facility("Cobalt", "CID003473")
        .expect("CoreMax / Uranus");
    assert_eq!(
        uranus.standard_name, "Uranus Chemicals",
        "EMRT lists more cobalt refiners than CRT"
    );
    println!(
        "registry: {} facilities, {} no longer listed",
        registry.facilities().len(),
        registry
            .facilities()
            .iter()
            .filter(|f| f.no_longer_listed)
            .count()
    );
}

#[test]
fn every_lookup_pick_of_every_template_resolves_to_its_own_cid() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let registry = common::registry_from_blank_templates(&shared);
    let matcher = Matcher::new(&registry);
    for (family, version, _, entries) in common::blank_lookups(&shared) {
        let lookup = TemplateLookup::new(entries);
        for e in entries.iter().filter(|e| e.cid.is_some()) {
            let row = SmelterRow {
                entry: EntryKind::Lookup,
                lookup_value: Some(e.lookup_name.clone()),
                name: None,
                ..not_listed(&e.metal, "", None)
            };
            let r = matcher.resolve_row(&row, &lookup);
            let cid = e.cid.as_deref().map(str::to_ascii_uppercase);
            if lookup.cid_of_pick(&e.metal, &e.lookup_name).is_some() {
                assert_eq!(r.canonical_cid, cid, "{family} {version} {e:?}");
                assert!(r.in_template_lookup);
            }
        }
    }
}

/// Names that appear only in newer templates, typed as "Smelter not listed" against a registry
/// learned from older templates: new aliases of known facilities should resolve to them, and
/// facilities the registry has never seen must stay unresolved.
#[test]
fn names_unseen_by_an_older_registry_never_resolve_to_the_wrong_facility() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let templates = common::blank_lookups(&shared);
    let is_old = |family: Family, version: &str| match family {
        Family::Cmrt => compare_versions(version, "6.22") <= std::cmp::Ordering::Equal,
        Family::Emrt => compare_versions(version, "1.2") <= std::cmp::Ordering::Equal,
        Family::Crt => true,
        Family::Amrt => false,
    };
    let mut old = FacilityRegistry::new();
    let mut new_entries = Vec::new();
    for (family, version, _, entries) in templates {
        if is_old(*family, version) {
            old.learn(*family, version, entries);
        } else {
            new_entries.extend(entries.iter().cloned());
        }
    }
    let known: HashSet<(String, String)> = old
        .facilities()
        .iter()
        .flat_map(|f| {
            f.aliases
                .iter()
                .map(move |a| (f.metal.to_lowercase(), exact_key(a)))
        })
        .collect();
    let matcher = Matcher::new(&old);
    let empty = TemplateLookup::new(&[]);
    let (mut tried, mut resolved, mut right, mut resolvable) = (0, 0, 0, 0);
    let mut seen = HashSet::new();
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for e in &new_entries {
        let Some(cid) = e.cid.as_deref() else {
            continue;
        };
        let key = (e.metal.to_lowercase(), exact_key(&e.lookup_name));
        if known.contains(&key) || !seen.insert(key) {
            continue;
        }
        tried += 1;
        let expected = old.facility(&e.metal, cid).map(|f| f.cid.clone());
        if expected.is_some() {
            resolvable += 1;
        }
        let r = matcher.resolve_row(
            &not_listed(&e.metal, &e.lookup_name, e.country.as_deref()),
            &empty,
        );
        if let Some(found) = &r.canonical_cid {
            resolved += 1;
            if Some(found) == expected.as_ref() {
                right += 1;
            } else {
                wrong.push(format!(
                    "{} {:?} → {found} ({:?}), expected {:?}",
                    e.metal, e.lookup_name, r.method, expected
                ));
            }
        } else if expected.is_some() {
            missed.push(format!(
                "{} {:?} expected {:?}, candidates {:?}",
                e.metal,
                e.lookup_name,
                expected,
                r.candidates
                    .iter()
                    .map(|c| (&c.cid, &c.name, c.score))
                    .collect::<Vec<_>>()
            ));
        }
    }
    println!("unseen names: {tried}, resolvable {resolvable}, resolved {resolved}, right {right}");
    for w in &wrong {
        println!("  WRONG {w}");
    }
    for m in &missed {
        println!("  missed {m}");
    }
    assert!(tried > 100);
    assert!(wrong.is_empty(), "{} wrong resolutions", wrong.len());
}

/// Deterministic corruptions of every look-up name of the newest templates (as in the crate
/// research: case and punctuation, spelled-out legal forms, a deleted or transposed letter,
/// reversed words, full-width text without the legal suffix, added accents), typed as
/// "Smelter not listed" with the right metal and country.
fn corruptions(name: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let upper: String = name
        .to_uppercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect();
    out.push(("upper_no_punct", upper));
    if name.contains("Co., Ltd.") {
        out.push((
            "company_limited",
            name.replace("Co., Ltd.", "Company Limited"),
        ));
    }
    let chars: Vec<char> = name.chars().collect();
    // A letter in the middle of the longest word.
    let longest = name
        .split_whitespace()
        .filter(|w| w.chars().all(char::is_alphabetic))
        .max_by_key(|w| w.chars().count());
    if let Some(w) = longest.filter(|w| w.chars().count() >= 6) {
        let wc: Vec<char> = w.chars().collect();
        let mid = wc.len() / 2;
        let deleted: String = wc
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != mid)
            .map(|(_, c)| c)
            .collect();
        out.push(("deleted_letter", name.replacen(w, &deleted, 1)));
        let mut t = wc.clone();
        t.swap(mid, mid + 1);
        out.push((
            "transposed",
            name.replacen(w, &t.into_iter().collect::<String>(), 1),
        ));
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() > 1 {
        out.push((
            "reversed",
            words.iter().rev().cloned().collect::<Vec<_>>().join(" "),
        ));
    }
    let core = oretrail_facilities::normalize_name(name);
    let wide: String = core
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() {
                char::from_u32(c as u32 + 0xFEE0).unwrap_or(c)
            } else {
                '\u{3000}'
            }
        })
        .collect();
    out.push(("full_width_no_suffix", wide));
    let accented: String = chars
        .iter()
        .map(|c| match c {
            'e' => 'é',
            'a' => 'à',
            'o' => 'ö',
            other => *other,
        })
        .collect();
    out.push(("accents", accented));
    out
}

#[test]
fn corrupted_reference_names_resolve_without_a_single_wrong_facility() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let registry = common::registry_from_blank_templates(&shared);
    let matcher = Matcher::new(&registry);
    let newest = [
        (Family::Cmrt, "6.5"),
        (Family::Emrt, "2.1"),
        (Family::Crt, "2.21"),
        (Family::Amrt, "1.3"),
    ];
    let (mut tried, mut right, mut unresolved) = (0, 0, 0);
    let mut wrong = Vec::new();
    let mut by_kind: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for (family, version, _, entries) in common::blank_lookups(&shared) {
        if !newest.contains(&(*family, version.as_str())) {
            continue;
        }
        let lookup = TemplateLookup::new(entries);
        for e in entries {
            let Some(cid) = e.cid.as_deref() else {
                continue;
            };
            for (kind, typed) in corruptions(&e.lookup_name) {
                tried += 1;
                let slot = by_kind.entry(kind).or_default();
                slot.0 += 1;
                let r = matcher
                    .resolve_row(&not_listed(&e.metal, &typed, e.country.as_deref()), &lookup);
                match r.canonical_cid.as_deref() {
                    Some(found) if found == cid => {
                        right += 1;
                        slot.1 += 1;
                    }
                    Some(found) => wrong.push(format!(
                        "{kind}: {} {typed:?} → {found}, expected {cid} ({:?})",
                        e.metal, e.lookup_name
                    )),
                    None => {
                        unresolved += 1;
                        if std::env::var_os("ORETRAIL_SHOW_UNRESOLVED").is_some() {
                            println!("  unresolved {kind}: {} {typed:?} ({cid})", e.metal);
                        }
                    }
                }
            }
        }
    }
    println!(
        "corrupted names: {tried}, right {right}, unresolved {unresolved}, wrong {}",
        wrong.len()
    );
    for (kind, (n, ok)) in &by_kind {
        println!("  {kind:22} {ok:5} / {n:5}");
    }
    for w in &wrong {
        println!("  WRONG {w}");
    }
    assert!(tried > 1000);
    assert!(wrong.is_empty(), "{} wrong resolutions", wrong.len());
    assert!(right as f64 / tried as f64 > 0.9, "top-1 {right}/{tried}");
}
