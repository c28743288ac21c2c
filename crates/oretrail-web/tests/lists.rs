//! The lists at scale: keyset and offset paging agree, the cached supplier list follows
//! changes made through the application, and a review decision reaches the stored rows' facility
//! reference (so roll-ups count the rows under the facility) and the navigation badge.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use oretrail_store::submissions::{NewSubmission, Receipt, SubmissionWriter};
use oretrail_web::auth::Role;
use sqlx::Row;

async fn api(w: &World, token: &str, uri: &str) -> serde_json::Value {
    let req = Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    let (status, _, body) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    serde_json::from_str(&body).expect("json")
}

fn ids(page: &serde_json::Value) -> Vec<i64> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn keyset_and_offset_pages_agree() {
    let w = world().await;
    let campaign = oretrail_store::campaigns::list_campaigns(&w.state.store)
        .await
        .expect("campaigns")
        .remove(0);
    oretrail_web::demo::synthetic_submissions(&w.state, &campaign, 60, 12)
        .await
        .expect("synthetic");
    let (_, token) = api_token(&w, Role::Viewer).await;
    for filter in ["", "&current=true", "&q=LOADTEST+supplier+0000", "&dir=asc"] {
        let first = api(
            &w,
            &token,
            &format!("/api/v1/submissions?per_page=7{filter}"),
        )
        .await;
        let total = first["total"].as_i64().expect("total");
        assert!(total > 7, "{filter}: {total}");
        let mut by_offset = Vec::new();
        for page in 1..=(total + 6) / 7 {
            let p = api(
                &w,
                &token,
                &format!("/api/v1/submissions?per_page=7&page={page}{filter}"),
            )
            .await;
            by_offset.extend(ids(&p));
        }
        let mut by_key = ids(&first);
        let mut next = first["next_after"].as_i64();
        while let Some(after) = next {
            let p = api(
                &w,
                &token,
                &format!("/api/v1/submissions?per_page=7&after={after}{filter}"),
            )
            .await;
            assert_eq!(p["total"], first["total"]);
            by_key.extend(ids(&p));
            next = p["next_after"].as_i64();
        }
        assert_eq!(by_offset.len() as i64, total, "{filter}");
        assert_eq!(by_offset, by_key, "{filter}");
        let mut sorted = by_offset.clone();
        sorted.sort_unstable();
        if !filter.contains("asc") {
            sorted.reverse();
        }
        assert_eq!(by_offset, sorted, "{filter}: ordered by ID");
    }
    // Keyset paging is for the default order only.
    let req = Request::get("/api/v1/submissions?sort=company&after=5")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::BAD_REQUEST);
    // Sorted by another key, pages do not overlap and cover the list.
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=20 {
        let p = api(
            &w,
            &token,
            &format!("/api/v1/submissions?sort=errors&per_page=5&page={page}"),
        )
        .await;
        for id in ids(&p) {
            assert!(seen.insert(id), "{id} twice");
        }
    }
    assert_eq!(seen.len() as i64, 61);

    // The supplier list: filters and sorting over the cached lines.
    let all = api(
        &w,
        &token,
        "/api/v1/suppliers?per_page=500&sort=name&dir=asc",
    )
    .await;
    let names: Vec<String> = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["name"].as_str().unwrap_or("").to_string())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(all["total"], 14);
    let q = api(
        &w,
        &token,
        "/api/v1/suppliers?q=LOADTEST%20SUPPLIER%2000003",
    )
    .await;
    assert_eq!(q["total"], 1);
    let with = api(&w, &token, "/api/v1/suppliers?problems=none").await;
    let without = api(&w, &token, "/api/v1/suppliers?problems=clean").await;
    let errors = api(&w, &token, "/api/v1/suppliers?problems=errors").await;
    let warnings = api(&w, &token, "/api/v1/suppliers?problems=warnings").await;
    let n = |v: &serde_json::Value| v["total"].as_i64().unwrap_or(-1);
    assert!(n(&with) + n(&without) + n(&errors) + n(&warnings) >= 14);
    let rich = api(&w, &token, "/api/v1/suppliers?min_spend=400000").await;
    assert_eq!(n(&rich), 1, "only Acme spends that much");
}

#[tokio::test]
async fn cached_lists_follow_changes_made_through_the_application() {
    let w = world().await;
    let (_, token) = api_token(&w, Role::Analyst).await;
    let before = api(&w, &token, "/api/v1/suppliers?problems=none").await;
    let acme = before["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["erp_id"] == "V1")
        .cloned();
    assert!(acme.is_some(), "Acme has sent nothing yet: {before}");
    // Acme uploads its file through its link: the list shows it at once.
    let body = multipart(
        &[("_csrf", &w.link_a.csrf)],
        &[("acme.xlsx", oretrail_web::demo::DEMO_FILES[0].1)],
    );
    let req = Request::post(format!("/s/{}/upload", w.link_a.token))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::SEE_OTHER);
    let after = api(&w, &token, "/api/v1/suppliers?problems=none").await;
    assert!(
        !after["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|i| i["erp_id"] == "V1"),
        "Acme's submission shows: {after}"
    );
}

#[tokio::test]
async fn a_review_decision_reaches_the_roll_up_and_the_badge() {
    let w = world().await;
    // A linked submission with one row that resolved to nothing.
    let (mut analysis, _) = oretrail_web::upload::analyse(
        &w.state.pipeline,
        oretrail_web::demo::DEMO_FILES[1].1,
        "x.xlsx",
    );
    let report = analysis.report.as_mut().expect("report");
    report.declaration.company_name = Some("Acme Power Cells Co. Ltd".into());
    report.declaration.company_unique_id = None;
    let target = report
        .smelters
        .iter()
        .find_map(|s| {
            let r = s.resolution.as_ref()?;
            Some((s.metal.clone()?, r.canonical_cid.clone()?))
        })
        .expect("a resolved row");
    let row = report
        .smelters
        .iter_mut()
        .find(|s| s.metal.as_deref() == Some(target.0.as_str()))
        .expect("row");
    row.name = Some("Mystery Refining Works".into());
    if let Some(r) = row.resolution.as_mut() {
        r.method = oretrail_template::ResolutionMethod::Unresolved;
        r.canonical_cid = None;
        r.canonical_name = None;
        r.confidence = 0.0;
        r.candidates.clear();
    }
    let campaign = oretrail_store::campaigns::list_campaigns(&w.state.store)
        .await
        .expect("campaigns")
        .remove(0);
    let bytes = b"review test".to_vec();
    let sha = w.state.store.originals().put(&bytes).expect("original");
    let mut writer = SubmissionWriter::new(&w.state.store, Some(campaign), "test")
        .await
        .expect("writer");
    writer
        .write(vec![NewSubmission {
            sha256: sha,
            size: bytes.len() as u64,
            receipt: Receipt {
                original_name: "review.xlsx".into(),
                received_by: "test".into(),
                received_via: "test".into(),
            },
            analysis,
        }])
        .await
        .expect("write");
    w.state.changed();
    let (cookie, csrf) = session(&w, Role::Analyst).await;
    let page = |uri: &str| {
        with_cookie(uri, "GET", &cookie)
            .body(Body::empty())
            .expect("request")
    };
    let (_, _, review) = send(&w.app, page("/review")).await;
    assert!(review.contains("Mystery Refining Works"), "queued");
    let badge = |html: &str| -> i64 {
        html.split("href=\"/review\"")
            .nth(1)
            .and_then(|s| s.split("<span class=\"badge\">").nth(1))
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let before = badge(&review);
    assert!(before >= 1, "badge {before}");
    let form = format!(
        "_csrf={csrf}&metal={}&name=Mystery+Refining+Works&cid={}",
        target.0, target.1
    );
    let (status, _, _) = send(
        &w.app,
        with_cookie("/review/facility", "POST", &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .expect("request"),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, review) = send(&w.app, page("/review")).await;
    assert!(!review.contains("Mystery Refining Works"), "decided");
    assert_eq!(badge(&review), before - 1, "badge follows at once");
    // The rows carry the facility's reference, so roll-ups count them under it.
    let unreferenced: i64 = sqlx::query(
        "SELECT count(*) FROM submission_smelters WHERE name = 'Mystery Refining Works' \
         AND (facility_ref IS NULL OR cid IS NULL OR method <> 'manual')",
    )
    .fetch_one(w.state.store.pool())
    .await
    .expect("count")
    .try_get(0)
    .expect("value");
    assert_eq!(unreferenced, 0);
    let rollup = w.state.rollup(w.campaign).await.expect("rollup");
    assert!(
        !rollup
            .lines
            .iter()
            .any(|l| !l.resolved && l.name.contains("Mystery")),
        "no longer an unresolved name in the roll-up"
    );
}

#[tokio::test]
async fn stored_problems_are_given_in_the_language_asked_for() {
    let w = world().await;
    let (_, token) = api_token(&w, Role::Analyst).await;
    // A demo file with problems, uploaded through the API.
    let (name, bytes) = oretrail_web::demo::DEMO_FILES[3];
    let body = multipart(&[], &[(name, bytes)]);
    let req = Request::post("/api/v1/submissions")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(body))
        .expect("request");
    let (status, _, text) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let results: serde_json::Value = serde_json::from_str(&text).expect("json");
    let id = results[0]["submission_id"].as_i64().expect("stored");
    assert!(results[0]["errors"].as_u64().unwrap_or(0) > 0, "{results}");

    let english = api(&w, &token, &format!("/api/v1/submissions/{id}/problems")).await;
    let chinese = api(
        &w,
        &token,
        &format!("/api/v1/submissions/{id}/problems?lang=zh"),
    )
    .await;
    let (english, chinese) = (
        english.as_array().expect("list"),
        chinese.as_array().expect("list"),
    );
    assert!(!english.is_empty());
    assert_eq!(english.len(), chinese.len());
    let cjk = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    for (en, zh) in english.iter().zip(chinese) {
        for key in ["position", "code", "severity", "sheet", "cell"] {
            assert_eq!(en[key], zh[key], "same problem, other language");
        }
        let (en, zh) = (
            en["message"].as_str().expect("message"),
            zh["message"].as_str().expect("message"),
        );
        assert!(!cjk(en), "{en}");
        assert!(cjk(zh), "{zh}");
    }
}
