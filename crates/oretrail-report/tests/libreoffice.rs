//! LibreOffice opens the company's own template and recalculates it: the Smelter List's
//! look-up formulas fill in country and ID again after their cached values were wiped.
//!
//! Runs where LibreOffice is installed (`soffice` on the PATH or `ORETRAIL_SOFFICE`); elsewhere
//! it prints that it skipped. `.ci/libreoffice-tests` installs LibreOffice and runs it.

mod common;

use chrono::NaiveDate;
use oretrail_report::declaration::{DeriveOptions, ExportScope, derive};
use oretrail_report::fill::fill;
use oretrail_report::profile::Overrides;
use oretrail_template::{CellRef, EntryKind, Family};
use oretrail_writer::WorkbookPatch;
use std::path::{Path, PathBuf};
use std::process::Command;

fn soffice() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ORETRAIL_SOFFICE") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("soffice"), d.join("libreoffice")])
        .find(|p| p.is_file())
}

/// Converts `input` to .xlsx with LibreOffice (opening and saving it), into `out_dir`.
fn libreoffice_resave(bin: &Path, input: &Path, out_dir: &Path, profile_dir: &Path) -> Vec<u8> {
    let status = Command::new(bin)
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile_dir.display()
        ))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
        ])
        .arg("--outdir")
        .arg(out_dir)
        .arg(input)
        .output()
        .expect("run LibreOffice");
    let name = input.file_name().expect("file name");
    let out = out_dir.join(name);
    assert!(
        out.is_file(),
        "LibreOffice did not convert {}: {}{}",
        input.display(),
        String::from_utf8_lossy(&status.stdout),
        String::from_utf8_lossy(&status.stderr)
    );
    std::fs::read(out).expect("read converted")
}

#[test]
fn libreoffice_opens_and_recalculates_the_company_template() {
    let Some(bin) = soffice() else {
        eprintln!(
            "SKIPPED (LibreOffice): no soffice on the PATH; .ci/libreoffice-tests installs it"
        );
        return;
    };
    let tmp = std::env::temp_dir().join(format!("oretrail-lo-{}", std::process::id()));
    let (inputs, outputs, profile_dir) = (tmp.join("in"), tmp.join("out"), tmp.join("profile"));
    for d in [&inputs, &outputs, &profile_dir] {
        std::fs::create_dir_all(d).expect("temp dir");
    }
    let cases: [(Family, &str, &[&str], ExportScope); 3] = [
        (Family::Cmrt, "6.5", &["Tin", "Gold"], ExportScope::Company),
        (
            Family::Emrt,
            "2.1",
            &["Cobalt", "Nickel"],
            ExportScope::Product,
        ),
        (Family::Crt, "2.21", &["Cobalt"], ExportScope::Company),
    ];
    for (family, version, metals, scope) in cases {
        let blank = common::blank(family, version);
        let results = common::results_from(&blank, metals, 23);
        let profile = common::profile();
        let decl = derive(
            blank.def,
            &results,
            &DeriveOptions {
                scope,
                effective_date: NaiveDate::from_ymd_opt(2026, 3, 31).expect("date"),
                profile: &profile,
                overrides: &Overrides::default(),
            },
        )
        .expect("derive");
        let filled = fill(&blank, &decl).expect("fill");
        // Wipe the cached country and ID of every look-up row: only a recalculation brings
        // them back.
        let list = &blank.def.smelter_list;
        let mut wipe = WorkbookPatch::new();
        let mut rows = Vec::new();
        for (i, s) in decl.smelters.iter().enumerate() {
            if s.cid.is_none() {
                continue;
            }
            let row = list.first_data_row + i as u32;
            rows.push((row, s.cid.clone()));
            for key in ["country", "cid"] {
                let col = list.col(key).expect("column");
                wipe.set_cached_text(&list.sheet, CellRef { row, col }, "");
            }
        }
        let wiped = wipe.apply(&filled.bytes).expect("wipe");
        let before = oretrail_reader::read_bytes(&wiped, &Default::default()).expect("read wiped");
        assert!(
            before
                .report
                .smelters
                .iter()
                .filter(|s| rows.iter().any(|(r, _)| *r == s.row))
                .all(|s| s.cid.is_none()),
            "the wiped copy still shows IDs"
        );
        let name = format!("{}_{}.xlsx", family, version.replace('.', "_"));
        let input = inputs.join(&name);
        std::fs::write(&input, &wiped).expect("write input");
        let resaved = libreoffice_resave(&bin, &input, &outputs, &profile_dir);
        let back = oretrail_reader::read_bytes(&resaved, &Default::default())
            .unwrap_or_else(|e| panic!("{name} after LibreOffice: {e}"));
        let r = &back.report;
        assert_eq!(back.def.name(), blank.def.name());
        assert_eq!(
            r.declaration.company_name.as_deref(),
            Some("Example Devices Ltd")
        );
        assert_eq!(r.declaration.effective_date.as_deref(), Some("2026-03-31"));
        let lookups: Vec<_> = r
            .smelters
            .iter()
            .filter(|s| s.entry == EntryKind::Lookup)
            .collect();
        assert_eq!(
            lookups.len(),
            rows.len(),
            "{name}: look-up rows after LibreOffice"
        );
        for (row, cid) in &rows {
            let s = r
                .smelters
                .iter()
                .find(|s| s.row == *row)
                .unwrap_or_else(|| panic!("{name}: row {row} lost"));
            assert_eq!(&s.cid, cid, "{name} row {row}: ID recalculated");
            assert!(
                s.country.is_some(),
                "{name} row {row}: country recalculated"
            );
        }
        eprintln!(
            "{name}: LibreOffice opened and recalculated {} look-up rows",
            rows.len()
        );
    }
    std::fs::remove_dir_all(&tmp).ok();
}
