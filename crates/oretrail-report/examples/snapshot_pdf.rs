//! Typesets the annual report of a stored snapshot: `cargo run -p oretrail-report --features pdf
//! --example snapshot_pdf -- SNAPSHOT.json OUT.pdf`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(input), Some(output)) = (args.get(1), args.get(2)) else {
        return Err("usage: snapshot_pdf SNAPSHOT.json OUT.pdf".into());
    };
    let snapshot =
        oretrail_report::snapshot::Snapshot::from_json(&std::fs::read_to_string(input)?)?;
    let doc = oretrail_report::annual::annual_report(&snapshot)?;
    #[cfg(feature = "pdf")]
    {
        let started = std::time::Instant::now();
        let pdf = oretrail_report::pdf::render(&doc, &snapshot.id()?)?;
        std::fs::write(output, &pdf.bytes)?;
        eprintln!(
            "{} page(s), {} bytes in {:?}; warnings: {:?}",
            pdf.pages,
            pdf.bytes.len(),
            started.elapsed(),
            pdf.warnings
        );
    }
    #[cfg(not(feature = "pdf"))]
    {
        std::fs::write(output, doc.to_html())?;
        eprintln!("built without feature pdf: wrote HTML");
    }
    Ok(())
}
