//! The company's own template: written into RMI's blank, read back by our reader to exactly
//! what was declared, with every untouched part of the package copied byte for byte.

mod common;

use chrono::NaiveDate;
use oretrail_report::declaration::{DeriveOptions, ExportScope, derive};
use oretrail_report::fill::fill;
use oretrail_report::profile::Overrides;
use oretrail_template::{EntryKind, Family};
use std::collections::BTreeSet;
use std::io::Read;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 31).expect("date")
}

/// Writes, reads back, and checks every row and declaration field.
fn roundtrip(family: Family, version: &str, metals: &[&str], scope: ExportScope) -> Vec<u8> {
    let blank = common::blank(family, version);
    let results = common::results_from(&blank, metals, 9);
    let profile = common::profile();
    let decl = derive(
        blank.def,
        &results,
        &DeriveOptions {
            scope,
            effective_date: date(),
            profile: &profile,
            overrides: &Overrides::default(),
        },
    )
    .expect("derive");
    let filled = fill(&blank, &decl).expect("fill");
    let problems: Vec<&String> = filled
        .log
        .problems
        .iter()
        .filter(|p| !p.contains("[unknown_smelter]") || !p.contains("Harbour Metals"))
        .collect();
    assert!(
        problems.is_empty(),
        "{} output has problems: {:#?}",
        blank.def.name(),
        filled.log.problems
    );
    let back = oretrail_reader::read_bytes(&filled.bytes, &Default::default()).expect("read back");
    let r = &back.report;
    assert_eq!(back.def.name(), blank.def.name());
    assert!(r.cached_values);
    assert_eq!(
        r.declaration.company_name.as_deref(),
        Some("Example Devices Ltd")
    );
    assert_eq!(r.declaration.effective_date.as_deref(), Some("2026-03-31"));
    assert_eq!(
        r.declaration.scope_code,
        Some(match scope {
            ExportScope::Company => oretrail_template::ScopeCode::Company,
            ExportScope::Product => oretrail_template::ScopeCode::Product,
        })
    );
    let mut want: Vec<(String, Option<String>, String, Option<String>)> = decl
        .smelters
        .iter()
        .map(|s| {
            (
                s.metal.to_lowercase(),
                s.cid.clone(),
                s.name.clone(),
                s.country.clone(),
            )
        })
        .collect();
    let mut got: Vec<(String, Option<String>, String, Option<String>)> = r
        .smelters
        .iter()
        .map(|s| {
            (
                s.metal.clone().unwrap_or_default().to_lowercase(),
                if s.entry == EntryKind::NotListed {
                    None
                } else {
                    s.cid.clone()
                },
                s.name.clone().unwrap_or_default(),
                s.country.clone(),
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got.len(), want.len());
    assert_eq!(got, want);
    assert_eq!(filled.log.smelters_not_listed, 1);
    for m in &decl.minerals {
        for (q, d) in &decl.answers[m] {
            assert_eq!(r.answer(m, q), d.answer.as_deref(), "{m} {q}");
        }
    }
    if scope == ExportScope::Product {
        let numbers: Vec<_> = r.products.iter().filter_map(|p| p.number.clone()).collect();
        assert_eq!(numbers, ["P-100", "P-200"]);
    } else {
        assert!(r.products.is_empty());
    }
    filled.bytes
}

#[test]
fn cmrt_6_5_company_scope_roundtrip() {
    roundtrip(
        Family::Cmrt,
        "6.5",
        &["Tin", "Tantalum", "Tungsten", "Gold"],
        ExportScope::Company,
    );
}

#[test]
fn emrt_2_1_company_scope_roundtrip() {
    let bytes = roundtrip(
        Family::Emrt,
        "2.1",
        &["Cobalt", "Nickel"],
        ExportScope::Company,
    );
    let back = oretrail_reader::read_bytes(&bytes, &Default::default()).expect("read");
    assert_eq!(back.report.minerals_in_scope, ["Cobalt", "Nickel"]);
}

#[test]
fn emrt_2_1_product_scope_roundtrip() {
    roundtrip(
        Family::Emrt,
        "2.1",
        &["Cobalt", "Lithium"],
        ExportScope::Product,
    );
}

#[test]
fn crt_2_21_product_scope_roundtrip() {
    roundtrip(Family::Crt, "2.21", &["Cobalt"], ExportScope::Product);
}

#[test]
fn cmrt_6_22_company_scope_roundtrip() {
    roundtrip(Family::Cmrt, "6.22", &["Gold", "Tin"], ExportScope::Company);
}

/// Raw (compressed) bytes and CRC of every entry.
fn raw_entries(bytes: &[u8]) -> Vec<(String, u32, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index_raw(i).expect("entry");
            let mut raw = Vec::new();
            f.read_to_end(&mut raw).expect("raw");
            (
                f.name().map(|n| n.to_string()).unwrap_or_default(),
                f.crc32(),
                raw,
            )
        })
        .collect()
}

#[test]
fn cmrt_6_5_export_keeps_every_untouched_part() {
    let blank = common::blank(Family::Cmrt, "6.5");
    let original = raw_entries(&blank.bytes);
    let bytes = roundtrip(Family::Cmrt, "6.5", &["Tin", "Gold"], ExportScope::Product);
    let written = raw_entries(&bytes);
    let changed: BTreeSet<&str> = [
        "xl/workbook.xml",
        "[Content_Types].xml",
        "xl/_rels/workbook.xml.rels",
        "xl/calcChain.xml",
    ]
    .into_iter()
    .collect();
    let sheets = ["Declaration", "Smelter List", "Product List"];
    let mut pkg =
        oretrail_reader::package::Package::open(&blank.bytes, Default::default()).expect("package");
    let wb = oretrail_reader::workbook::Workbook::read(&mut pkg).expect("workbook");
    let edited: BTreeSet<String> = sheets
        .iter()
        .filter_map(|s| wb.sheet(s).map(|e| e.part.clone()))
        .collect();
    let mut same = 0;
    for (name, crc, raw) in &original {
        let Some((_, crc2, raw2)) = written.iter().find(|(n, _, _)| n == name) else {
            assert!(changed.contains(name.as_str()), "{name} was dropped");
            continue;
        };
        if edited.contains(name) || changed.contains(name.as_str()) {
            continue;
        }
        assert_eq!((crc, raw), (crc2, raw2), "{name} changed");
        same += 1;
    }
    assert!(same > 20, "only {same} parts compared");
    for (name, _, _) in &written {
        assert!(
            original.iter().any(|(n, _, _)| n == name),
            "{name} was added"
        );
    }
}
