//! Every blank RMI template in `templates/rmi` is recognised as its own family and version,
//! and the registry's cells point where the templates put things.

use oretrail_reader::{ReadOptions, read_path};
use std::path::Path;

fn blank_templates() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("templates/rmi is part of the repository")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    files.sort();
    files
}

#[test]
fn registry_matches_blank_templates() {
    let files = blank_templates();
    assert_eq!(files.len(), 16, "all 16 RMI template versions are bundled");
    let opts = ReadOptions {
        with_lookup: true,
        ..ReadOptions::default()
    };
    for path in files {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        // RMI_<FAMILY>_<VERSION>
        let mut parts = name.splitn(3, '_').skip(1);
        let family = parts.next().unwrap_or_default();
        let version = parts.next().unwrap_or_default();
        let outcome = read_path(&path, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(outcome.report.template.family.code(), family, "{name}");
        assert_eq!(outcome.report.template.version, version, "{name}");
        assert_eq!(outcome.def.blank_template, format!("{name}.xlsx"));
        // The blank templates were saved in Chinese (spec §1).
        assert_eq!(
            outcome.report.language.as_deref(),
            Some("中文 Chinese"),
            "{name}"
        );
        match &outcome.def.smelter_lookup {
            Some(_) => {
                let lookup = outcome.lookup.as_ref().expect("look-up read");
                let with_cid = lookup.iter().filter(|e| e.cid.is_some()).count();
                assert!(
                    with_cid > 50,
                    "{name}: only {with_cid} look-up rows with a CID"
                );
                assert!(
                    lookup
                        .iter()
                        .filter_map(|e| e.cid.as_deref())
                        .all(|c| c.len() == 9 && c.starts_with("CID")),
                    "{name}: every look-up ID is CID + 6 digits"
                );
            }
            None => assert!(outcome.lookup.is_none(), "{name}"),
        }
    }
}

#[test]
fn emrt_2_1_blank_template_preselects_all_six_minerals() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi/RMI_EMRT_2.1.xlsx");
    let outcome = read_path(&path, &ReadOptions::default()).expect("blank EMRT 2.1 reads");
    assert_eq!(
        outcome.report.minerals_in_scope,
        ["Cobalt", "Copper", "Graphite", "Lithium", "Mica", "Nickel"]
    );
    assert_eq!(
        outcome.report.mineral_answers["Nickel"]["Q1"].cell,
        "Declaration!D35"
    );
    assert!(outcome.report.smelters.is_empty());
}

#[test]
fn cmrt_6_31_blank_leftovers_are_read_as_data() {
    // The bundled CMRT 6.31 copy carries leftover answers (spec §1): they are data like any other.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi/RMI_CMRT_6.31.xlsx");
    let report = read_path(&path, &ReadOptions::default())
        .expect("reads")
        .report;
    assert_eq!(report.declaration.scope.as_deref(), Some("A. Company"));
    assert_eq!(report.answer("Tantalum", "Q2"), Some("Yes"));
    assert_eq!(report.answer("Tantalum", "Q6"), Some("100%"));
}
