//! Supplier-provided text with markup — supplier names from the ERP export, the company,
//! smelter names and countries a workbook declares, file names — is shown escaped on every page
//! that shows it: suppliers, supplier, submission(s), supplier link, campaign, review queue,
//! facilities, dashboard, claims, a generated report (page and download); and e-mail headers
//! cannot be split.

mod common;

use axum::body::Body;
use axum::http::{StatusCode, header};
use common::*;
use oretrail_store::submissions::{NewSubmission, Receipt, SubmissionWriter};
use oretrail_web::WebConfig;
use oretrail_web::auth::Role;

const SCRIPT: &str = "<script>alert('x')</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
const BOLD: &str = "<b onmouseover=alert(4)>Zone";

/// Raw markup that must never reach a page unescaped.
const RAW: &[&str] = &[
    "<script>alert",
    "<img src=x",
    "<b onmouseover",
    "<svg onload",
    "onerror=alert(1)>",
];

/// Text as the templates escape it.
fn escaped(text: &str) -> String {
    text.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

fn assert_escaped(page: &str, what: &str) {
    for raw in RAW {
        assert!(
            !page.contains(raw),
            "{what}: raw markup {raw:?} in the page"
        );
    }
}

#[tokio::test]
async fn supplier_text_with_markup_is_escaped_on_every_page() {
    let csv = format!(
        "Vendor No,Vendor Name,Country,Tier,Contact E-mail,Spend,Fiscal Year\n\
         V1,{SCRIPT} Power Cells,US,1,ops@acme.example,500000,2025\n\
         V2,\"{}  Works\",IE,1,,300000,2025\n",
        IMG.replace('"', "\"\"")
    );
    let w = world_with(WebConfig::default(), &csv).await;
    // A submission declaring markup: company, smelter name and country, file name.
    let (mut analysis, _) = oretrail_web::upload::analyse(
        &w.state.pipeline,
        oretrail_web::demo::DEMO_FILES[1].1,
        "x.xlsx",
    );
    let report = analysis.report.as_mut().expect("report");
    report.declaration.company_name = Some(format!("{IMG} Metals"));
    report.declaration.company_unique_id = None;
    let row = &mut report.smelters[0];
    row.name = Some(format!("{SCRIPT} Smelter"));
    row.country = Some(BOLD.into());
    if let Some(r) = row.resolution.as_mut() {
        r.method = oretrail_template::ResolutionMethod::Unresolved;
        r.canonical_cid = None;
        r.confidence = 0.0;
    }
    report.smelters[1].country = Some(BOLD.into());
    let campaign = oretrail_store::campaigns::list_campaigns(&w.state.store)
        .await
        .expect("campaigns")
        .remove(0);
    let bytes = b"markup test".to_vec();
    let sha = w.state.store.originals().put(&bytes).expect("original");
    let mut writer = SubmissionWriter::new(&w.state.store, Some(campaign), "test")
        .await
        .expect("writer");
    let out = writer
        .write(vec![NewSubmission {
            sha256: sha,
            size: bytes.len() as u64,
            receipt: Receipt {
                original_name: "<svg onload=alert(3)>.xlsx".into(),
                received_by: "test".into(),
                received_via: "test".into(),
            },
            analysis,
        }])
        .await
        .expect("write");
    let id = match &out[0] {
        oretrail_store::submissions::Outcome::New { submission_id }
        | oretrail_store::submissions::Outcome::AcceptedWithWarnings { submission_id, .. }
        | oretrail_store::submissions::Outcome::Rejected { submission_id, .. }
        | oretrail_store::submissions::Outcome::NeedsReview { submission_id, .. } => *submission_id,
        other => panic!("{other:?}"),
    };
    w.state.changed();

    let (cookie, csrf) = session(&w, Role::Analyst).await;
    let pages = [
        "/dashboard".to_string(),
        "/suppliers".into(),
        format!("/suppliers/{}", w.supplier),
        "/suppliers/1".into(),
        "/suppliers/2".into(),
        "/submissions".into(),
        format!("/submissions/{id}"),
        format!("/campaigns/{}", w.campaign),
        "/review".into(),
        "/facilities".into(),
        "/facilities?status=unresolved".into(),
        "/audit".into(),
    ];
    let mut seen_escaped = 0;
    for p in &pages {
        let (status, _, page) = send(
            &w.app,
            with_cookie(p, "GET", &cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_escaped(&page, p);
        if page.contains(&escaped(SCRIPT)) || page.contains(&escaped(IMG)) {
            seen_escaped += 1;
        }
    }
    assert!(
        seen_escaped >= 6,
        "escaped names shown on {seen_escaped} pages"
    );
    // Reporting: the claims page, and a report generated from this data, in the page (askama)
    // and downloaded (the library's HTML, charts included).
    std::fs::write(
        w.state.store.data_dir().join("company.toml"),
        oretrail_web::demo::DEMO_PROFILE,
    )
    .expect("profile");
    let (status, headers, body) = send(
        &w.app,
        with_cookie("/reports", "POST", &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "_csrf={csrf}&campaign={}&kind=annual",
                w.campaign
            )))
            .expect("request"),
    )
    .await;
    assert!(status.is_redirection(), "generate: {status} {body}");
    let report = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_string();
    let download = report.replacen('?', "/download?format=html&", 1);
    for p in ["/claims".to_string(), report, download] {
        let (status, _, page) = send(
            &w.app,
            with_cookie(&p, "GET", &cookie)
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{p}");
        assert_escaped(&page, &p);
        if p == "/claims" {
            // No submission of this world is linked to its supplier: nothing to check.
            continue;
        }
        let library = |t: &str| {
            t.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        assert!(
            page.contains(&escaped(SCRIPT))
                || page.contains(&escaped(IMG))
                || page.contains(&library("<script>alert"))
                || page.contains(&library("<img src=x")),
            "{p} shows a supplier's name escaped"
        );
    }
    let (_, _, page) = send(
        &w.app,
        with_cookie(&format!("/submissions/{id}"), "GET", &cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(
        page.contains(&escaped(&format!("{IMG} Metals"))),
        "company shown escaped"
    );
    assert!(
        page.contains(&escaped("<svg onload=alert(3)>.xlsx")),
        "file name shown escaped"
    );
    // The supplier's own page behind its link.
    for link in [&w.link_a, &w.link_b] {
        let (status, _, page) = send(&w.app, get(&format!("/s/{}", link.token))).await;
        assert_eq!(status, StatusCode::OK);
        assert_escaped(&page, "supplier link");
        assert!(page.contains(&escaped(SCRIPT)) || page.contains(&escaped(IMG)));
    }
    // Pages carry a script policy that forbids inline scripts anyway.
    let (_, headers, _) = send(&w.app, get(&format!("/s/{}", w.link_a.token))).await;
    let csp = headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let scripts = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or("");
    assert_eq!(scripts, "script-src 'self'", "{csp}");
}

#[test]
fn e_mail_headers_cannot_be_split_or_gain_recipients() {
    use oretrail_web::emails::{Kind, Letter, eml};
    let l = Letter {
        kind: Kind::Request,
        company: "Example\r\nBcc: evil@example.com",
        from: "minerals@example.com",
        to: Some("ops@acme.example>\r\nBcc: <evil@example.com"),
        supplier: "Acme <evil@example.com>, \"x\"\r\nBcc: evil@example.com",
        campaign: "2025\r\nX-Injected: 1",
        templates: "CMRT",
        deadline: None,
        link: "https://x.example/s/abc",
        link_expires: "2026-03-01",
        request_id: 7,
        date: "Tue, 25 Nov 2026 10:00:00 +0000",
    };
    let m = eml(&l);
    let head = m.split("\r\n\r\n").next().expect("headers");
    for line in head.split("\r\n") {
        assert!(
            !line.starts_with("Bcc") && !line.starts_with("X-Injected"),
            "injected header line {line:?} in:\n{head}"
        );
    }
    let to = head
        .lines()
        .find(|l| l.starts_with("To:"))
        .expect("To header");
    // The name is one quoted string; after it, exactly one address.
    assert!(to.starts_with("To: \""), "{to}");
    let after_name = &to[to.rfind("\" <").expect("quoted name") + 1..];
    assert_eq!(after_name.matches('<').count(), 1, "one address in {to}");
    assert!(
        after_name.trim_start().starts_with("<ops@acme.example"),
        "{to}"
    );
}
