use oretrail_reader::{
    limits::Limits, package::Package, shared_strings::SharedStrings, sheet, workbook::Workbook,
};
use std::time::Instant;
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let bytes = std::fs::read(&p).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let mut pkg = Package::open(&bytes, Limits::default()).unwrap();
        let t1 = t.elapsed();
        let wb = Workbook::read(&mut pkg).unwrap();
        let t2 = t.elapsed();
        let ssx = pkg
            .read_part(wb.shared_strings_part.as_deref().unwrap())
            .unwrap();
        let t3 = t.elapsed();
        let ss = SharedStrings::parse(ssx);
        let t4 = t.elapsed();
        print!(
            "open {:?} wb {:?} ss-inflate {:?} ss-index {:?} ({} strings)",
            t1,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            ss.len()
        );
        for name in [
            "Revision",
            "Declaration",
            "Smelter List",
            "Product List",
            "Mine List",
        ] {
            let Some(e) = wb.sheet(name) else { continue };
            let t = Instant::now();
            let xml = pkg.read_part(&e.part).unwrap();
            let ti = t.elapsed();
            let kb = xml.len() / 1024;
            let s = sheet::scan(xml, &ss, name, 10_000_000).unwrap();
            print!(
                " | {name}: inflate {:?} scan {:?} ({} KB, {} rows)",
                ti,
                t.elapsed() - ti,
                kb,
                s.value_rows().len()
            );
        }
        println!();
    }
}
