//! Hostile and broken input ends in a clear error within bounded time and memory, never a panic.

use oretrail_reader::{Limits, ReadOptions, RejectReason, read_bytes};
use std::io::Write;
use std::path::Path;

fn demo_template() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../demo/templates/Acme Power Cells EMRT 2.1 2026.xlsx");
    std::fs::read(path).expect("bundled demo template")
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in parts {
            w.start_file(*name, opts).expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish");
    }
    buf.into_inner()
}

const WORKBOOK: &[u8] = br#"<workbook xmlns:r="r"><sheets><sheet name="Declaration" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const RELS: &[u8] = br#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

fn reason(bytes: &[u8], limits: Limits) -> RejectReason {
    match read_bytes(
        bytes,
        &ReadOptions {
            limits,
            ..ReadOptions::default()
        },
    ) {
        Ok(_) => panic!("expected a rejection"),
        Err(e) => {
            assert!(!e.detail.is_empty());
            e.reason
        }
    }
}

#[test]
fn zip_bomb_part_is_refused_without_inflating_it() {
    let bomb = vec![b' '; 64 * 1024 * 1024];
    let bytes = zip_of(&[
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/sharedStrings.xml", &bomb),
        (
            "xl/worksheets/sheet1.xml",
            b"<worksheet><sheetData/></worksheet>",
        ),
    ]);
    assert!(bytes.len() < 1024 * 1024, "the bomb compresses well");
    assert_eq!(
        reason(&bytes, Limits::default()),
        RejectReason::LimitExceeded
    );
}

#[test]
fn gigantic_sheet_is_refused_at_the_cell_limit() {
    let mut sheet = String::from("<worksheet><sheetData>");
    for r in 1..=20_000 {
        sheet.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}"><v>1</v></c><c r="B{r}"><v>2</v></c></row>"#
        ));
    }
    sheet.push_str("</sheetData></worksheet>");
    let bytes = zip_of(&[
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ]);
    let limits = Limits {
        max_cells_per_sheet: 10_000,
        ..Limits::default()
    };
    assert_eq!(reason(&bytes, limits), RejectReason::LimitExceeded);
}

#[test]
fn workbook_without_rmi_structure_is_not_a_template() {
    let bytes = zip_of(&[
        ("xl/workbook.xml", WORKBOOK),
        ("xl/_rels/workbook.xml.rels", RELS),
        ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>hello</t></is></c></row></sheetData></worksheet>"),
    ]);
    assert_eq!(
        reason(&bytes, Limits::default()),
        RejectReason::NotRmiTemplate
    );
    let docx = zip_of(&[("word/document.xml", b"<document/>")]);
    assert_eq!(
        reason(&docx, Limits::default()),
        RejectReason::NotRmiTemplate
    );
}

#[test]
fn unsupported_version_is_named() {
    // A CMRT whose revision label says 9.9.
    let mut bytes = demo_template();
    bytes = rewrite_part(&bytes, "Revision 2.1", "Revision 9.9");
    let err = read_bytes(&bytes, &ReadOptions::default()).expect_err("rejected");
    assert_eq!(err.reason, RejectReason::UnsupportedVersion);
    assert!(
        err.detail.contains("Revision 9.9") && err.detail.contains("EMRT"),
        "{}",
        err.detail
    );
}

/// Replaces a text in the inflated shared strings and re-zips the package.
fn rewrite_part(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut parts = Vec::new();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).expect("entry");
        let name = f.name().expect("name").to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).expect("inflate");
        if name.ends_with(".xml") {
            let text = String::from_utf8_lossy(&data).replace(from, to);
            data = text.into_bytes();
        }
        parts.push((name, data));
    }
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

#[test]
fn truncated_templates_never_panic() {
    let bytes = demo_template();
    for cut in (0..bytes.len()).step_by(bytes.len() / 97 + 1) {
        let _ = read_bytes(&bytes[..cut], &ReadOptions::default());
    }
}

#[test]
fn corrupted_bytes_never_panic() {
    let original = demo_template();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..150 {
        let mut bytes = original.clone();
        for _ in 0..16 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            bytes[at] = (state >> 32) as u8;
        }
        let _ = read_bytes(&bytes, &ReadOptions::default());
    }
}

#[test]
fn arbitrary_xml_in_sheets_never_panics() {
    let nasty: [&[u8]; 8] = [
        b"<worksheet><sheetData><row r=\"0\"><c r=\"A0\"><v>1</v></c></row></sheetData>",
        b"<worksheet><sheetData><row><c r=\"ZZZZ1\" t=\"s\"><v>99999999</v></c></row>",
        b"<worksheet><sheetData><row r=\"4294967296\"><c><v>1",
        b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>-1</v></c></row></sheetData></worksheet>",
        b"<worksheet><sheetData><<<<>>>></sheetData>",
        b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>&#xFFFFFFFF;&#0;</t></is></c></row></sheetData></worksheet>",
        b"sheetData",
        b"<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1e999</v></c><c r=\"B1\" t=\"d\"><v>not a date</v></c></row></sheetData></worksheet>",
    ];
    for sheet in nasty {
        let bytes = zip_of(&[
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", RELS),
            ("xl/sharedStrings.xml", b"<sst><si><t>x</t></si></sst>"),
            ("xl/worksheets/sheet1.xml", sheet),
        ]);
        let _ = read_bytes(&bytes, &ReadOptions::default());
    }
}
