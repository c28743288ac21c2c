//! PDF through Typst (feature `pdf`): a document with charts, tables, a placeholder and Chinese
//! text typesets, and the same document gives the same bytes.
#![cfg(feature = "pdf")]

use oretrail_report::charts;
use oretrail_report::doc::{Block, Doc, Section};

fn doc() -> Doc {
    Doc {
        title: "Example Devices Ltd — responsible minerals due-diligence report 2025".into(),
        subtitle: "Campaign 2025 minerals · statuses as of 2026-03-31".into(),
        footer: "Snapshot 0123456789ab · oretrail-report".into(),
        sections: vec![Section {
            title: "Smelters and refiners".into(),
            blocks: vec![
                Block::Para {
                    text: "Suppliers named 38 facilities; #hash [brackets] $dollars$ and *stars* stay text.".into(),
                },
                Block::Chart {
                    title: "By metal and status".into(),
                    svg: charts::stacked(
                        &[("Cobalt".into(), vec![3.0, 1.0]), ("Tin".into(), vec![5.0, 0.0])],
                        &["conformant", "active"],
                    ),
                },
                Block::Table {
                    head: vec!["Metal".into(), "Name".into(), "Country".into()],
                    rows: vec![
                        vec!["Cobalt".into(), "赣州寒锐新能源科技有限公司".into(), "CHINA".into()],
                        vec!["Tin".into(), "PT Timah Tbk Kundur".into(), "INDONESIA".into()],
                    ],
                },
                Block::Placeholder {
                    text: "Describe the steps taken to mitigate risk.".into(),
                },
                Block::Facts {
                    items: vec![("Policy".into(), "2026.1".into())],
                },
                Block::List {
                    items: vec!["one".into(), "two".into()],
                },
            ],
        }],
    }
}

#[test]
fn annual_report_pdf_typesets_cjk_and_charts_reproducibly() {
    let started = std::time::Instant::now();
    let a = oretrail_report::pdf::render(&doc(), "0123456789ab").expect("pdf");
    let elapsed = started.elapsed();
    let b = oretrail_report::pdf::render(&doc(), "0123456789ab").expect("pdf again");
    assert!(a.bytes.starts_with(b"%PDF-"));
    assert!(a.pages >= 1);
    assert_eq!(a.bytes, b.bytes, "same document, same bytes");
    eprintln!(
        "PDF: {} page(s), {} bytes in {:?}; CJK font: {:?}; warnings: {:?}",
        a.pages,
        a.bytes.len(),
        elapsed,
        oretrail_report::pdf::cjk_font(),
        a.warnings
    );
    if let Ok(dir) = std::env::var("ORETRAIL_PDF_OUT") {
        std::fs::write(std::path::Path::new(&dir).join("report-test.pdf"), &a.bytes)
            .expect("write");
    }
}
