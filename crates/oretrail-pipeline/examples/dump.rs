fn main() {
    let p = std::env::args().nth(1).expect("path");
    let r = oretrail_pipeline::process_path(std::path::Path::new(&p), "x", &Default::default());
    println!("{}", serde_json::to_string(&r).unwrap());
}
