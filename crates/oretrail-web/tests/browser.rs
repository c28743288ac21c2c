//! Browser tests: a person signs in, uploads a sample template, sees its problems, resolves review
//! items, watches the dashboard change and uses a supplier link — in headless Chromium driven
//! over WebDriver (chromedriver). Screenshots of the main pages go to `test-output/`.
//!
//! Runs only when `ORETRAIL_BROWSER_TESTS=1` (set by `.ci/browser-tests`, which installs
//! Debian's chromium and chromium-driver); otherwise it prints why it skipped.

mod webdriver;

use oretrail_pipeline::Pipeline;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::{AppState, WebConfig};
use std::path::{Path, PathBuf};
use webdriver::Browser;

fn output_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test-output")
}

#[test]
fn a_person_works_a_campaign_in_the_browser() {
    if std::env::var("ORETRAIL_BROWSER_TESTS").as_deref() != Ok("1") {
        eprintln!(
            "skipped: browser tests run with ORETRAIL_BROWSER_TESTS=1 (see .ci/browser-tests)"
        );
        return;
    }
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!("oretrail-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (base, link) = runtime.block_on(async {
        let store = Store::open(&StoreConfig::sqlite(&dir))
            .await
            .expect("store");
        let mut pipeline = Pipeline::new(Default::default());
        let rmi = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../templates/rmi");
        if rmi.is_dir() {
            pipeline.learn_folder(&rmi);
        }
        let listener = oretrail_web::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let config = WebConfig {
            public_url: base.clone(),
            company_name: "Example Devices Inc.".into(),
            ..WebConfig::default()
        };
        let state = AppState::new(store, pipeline, config).await.expect("state");
        let demo = oretrail_web::demo::load(&state, 4).await.expect("demo");
        tokio::spawn(oretrail_web::serve(state, listener));
        (base, demo.supplier_link.expect("supplier link"))
    });
    let out = output_dir();
    std::fs::create_dir_all(&out).expect("test-output");
    // Files to upload: a sample with an error, under a new name.
    let files = dir.join("to-upload");
    std::fs::create_dir_all(&files).expect("folder");
    let sample = files.join("Marlowe-Finch corrected EMRT 1.3.xlsx");
    std::fs::write(&sample, oretrail_web::demo::DEMO_FILES[3].1).expect("write sample");

    let _guard = runtime.enter();
    let mut b =
        Browser::start(&driver, &dir.join("chromium-profile")).expect("chromedriver and chromium");
    let shot = |b: &mut Browser, name: &str| {
        b.screenshot(&out.join(format!("{name}.png")))
            .expect("screenshot")
    };

    // Sign in.
    b.go(&format!("{base}/login")).expect("login page");
    shot(&mut b, "01-login");
    b.type_into("#username", "analyst").expect("user");
    b.type_into("#password", "oretrail-demo").expect("password");
    b.click("#sign-in").expect("sign in");
    b.wait_for("#kpi-accepted", 30).expect("dashboard");
    assert!(
        b.source()
            .expect("page")
            .contains("Coverage of in-scope spend"),
        "dashboard after sign-in"
    );
    let accepted_before = b.text("#kpi-accepted .v").expect("kpi");
    let review_before = b.text("#kpi-review .v").expect("kpi");
    shot(&mut b, "02-dashboard");

    // Upload a sample template outside the campaign and see its problems.
    b.go(&format!("{base}/upload")).expect("upload page");
    b.select_by_value("select[name=campaign]", "")
        .expect("no campaign");
    b.type_into("#files", &sample.display().to_string())
        .expect("choose file");
    b.wait_for("#done", 60).expect("upload finished");
    let results = b.text("#results").expect("results");
    assert!(
        results.contains("EMRT 1.3") && results.contains("Marlowe"),
        "{results}"
    );
    shot(&mut b, "03-upload-results");
    b.click("#results a").expect("open submission");
    b.wait_for("#problems", 30).expect("submission page");
    let page = b.source().expect("submission");
    assert!(
        page.contains("bad_email") && page.contains("D16"),
        "problem with its cell"
    );
    shot(&mut b, "04-submission");

    // Resolve review items: a smelter name, then an unsure supplier.
    b.go(&format!("{base}/review")).expect("review");
    shot(&mut b, "05-review");
    if b.exists(".review-item form").expect("queue") {
        b.click(".review-item form button").expect("accept");
        b.wait_text("remembered for later files", 30)
            .expect("decision saved");
        assert!(
            b.source()
                .expect("page")
                .contains("remembered for later files"),
            "decision saved"
        );
    }
    if b.exists(".supplier-item form").expect("queue") {
        b.click(".supplier-item form button").expect("confirm");
        b.wait_text("Supplier confirmed", 30).expect("confirmed");
        assert!(b.source().expect("page").contains("Supplier confirmed"));
    }
    b.go(&format!("{base}/dashboard")).expect("dashboard");
    let review_after = b.text("#kpi-review .v").expect("kpi");
    assert_ne!(
        review_before, review_after,
        "the review count on the dashboard changed"
    );
    shot(&mut b, "06-dashboard-after-review");

    // The supplier's link: upload, problems in Chinese, a corrected file.
    b.go(&format!("{base}{link}?lang=zh"))
        .expect("supplier page");
    b.type_into("#portal-file", &sample.display().to_string())
        .expect("choose");
    b.click("#portal-submit").expect("upload");
    b.wait_for(".portal-upload", 60).expect("upload listed");
    let page = b.source().expect("portal");
    assert!(
        page.contains("portal-problems"),
        "problems shown to the supplier"
    );
    assert!(
        page.contains("电子邮件") || page.contains("邮箱") || page.contains("无效"),
        "in Chinese"
    );
    shot(&mut b, "07-supplier-link-zh");

    // The analyst sees the supplier's upload and the figures change.
    b.go(&format!("{base}/dashboard")).expect("dashboard");
    let accepted_after = b.text("#kpi-accepted .v").expect("kpi");
    eprintln!(
        "accepted suppliers: {accepted_before} → {accepted_after}; review: {review_before} → {review_after}"
    );
    for (name, path) in [
        ("08-campaign", "/campaigns/1"),
        ("09-suppliers", "/suppliers"),
        ("10-facilities", "/facilities"),
        ("11-submissions", "/submissions"),
        ("12-audit", "/audit"),
    ] {
        b.go(&format!("{base}{path}")).expect("page");
        shot(&mut b, name);
    }
    b.go(&format!("{base}/facilities")).expect("facilities");
    if b.exists("#rollup td a").expect("rollup") {
        b.click("#rollup td a").expect("facility");
        b.wait_for("#status-history", 30).expect("facility page");
        shot(&mut b, "13-facility");
    }

    // The annual due-diligence report, generated from the page and shown with its charts.
    b.go(&format!("{base}/reports")).expect("reports");
    b.click("#generate-form button").expect("generate");
    b.wait_for("#report-meta", 120).expect("report page");
    let report = b.source().expect("report");
    assert!(
        report.contains("<svg") && report.contains("CID"),
        "a report with charts and facilities"
    );
    shot(&mut b, "14-annual-report");

    // Claims, audits expiring within a year (the default), and the one-click request list.
    b.go(&format!("{base}/claims")).expect("claims");
    b.wait_for("#expiring", 60).expect("claims page");
    shot(&mut b, "15-claims");
    if b.exists("#follow-up button").expect("request list") {
        b.click("#follow-up button").expect("create requests");
        b.wait_for("#requests", 60).expect("new campaign");
        shot(&mut b, "16-follow-up-campaign");
    }

    let audit = {
        b.go(&format!("{base}/audit")).expect("audit");
        b.text("#audit").expect("audit")
    };
    assert!(
        audit.contains("review.")
            && audit.contains("submission.upload")
            && audit.contains("report.generate"),
        "changes are in the audit log"
    );
    b.quit().ok();
    drop(b);
    let _ = std::fs::remove_dir_all(&dir);
}
