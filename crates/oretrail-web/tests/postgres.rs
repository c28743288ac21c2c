//! The web application's SQL on PostgreSQL: every page and API list of the access matrix's GET
//! routes, keyset paging, the review queue and a review decision, against a real server. Runs
//! when `ORETRAIL_TEST_POSTGRES_URL` names one (`.ci/postgres-tests` sets it); otherwise it says
//! it skipped.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use oretrail_store::StoreConfig;
use oretrail_web::WebConfig;
use oretrail_web::auth::Role;
use sqlx::Connection;

#[tokio::test]
async fn web_lists_on_postgres() {
    let Ok(admin) = std::env::var("ORETRAIL_TEST_POSTGRES_URL") else {
        eprintln!(
            "SKIPPED (PostgreSQL): web_lists_on_postgres — set ORETRAIL_TEST_POSTGRES_URL or run .ci/postgres-tests"
        );
        return;
    };
    sqlx::any::install_default_drivers();
    let db = format!("oretrail_web_t_{}", std::process::id());
    let mut c = sqlx::AnyConnection::connect(&admin).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
        .execute(&mut c)
        .await
        .expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut c)
        .await
        .expect("create");
    let base = &admin[..admin.rfind('/').expect("database in URL")];
    let dir = temp_dir("pg");
    let w = world_on(
        StoreConfig {
            data_dir: dir,
            database_url: Some(format!("{base}/{db}")),
        },
        WebConfig::default(),
        SUPPLIERS_CSV,
    )
    .await;
    let campaign = oretrail_store::campaigns::list_campaigns(&w.state.store)
        .await
        .expect("campaigns")
        .remove(0);
    oretrail_web::demo::synthetic_submissions(&w.state, &campaign, 30, 6)
        .await
        .expect("synthetic");
    add_submission(&w, "unresolved.xlsx", |r| {
        r.declaration.company_name = Some("Acme Power Cells Co. Ltd".into());
        r.declaration.company_unique_id = None;
        unresolve(&mut r.smelters[0], "Mystery Refining Works");
    })
    .await;
    let (cookie, csrf) = session(&w, Role::Admin).await;
    let (_, token) = api_token(&w, Role::Admin).await;
    let pages = [
        "/dashboard",
        "/campaigns",
        &format!(
            "/campaigns/{}?status=to_send&sort=supplier&page=1",
            w.campaign
        ),
        "/suppliers?sort=errors&problems=none",
        &format!("/suppliers/{}", w.supplier),
        "/submissions?q=loadtest&current=1&sort=company&page=2",
        &format!("/submissions/{}", w.submission),
        "/facilities",
        "/facilities/CID002573",
        "/review",
        "/audit?actor=ana",
        "/admin",
    ];
    for p in pages {
        let (status, _, body) = send(
            &w.app,
            with_cookie(p, "GET", &cookie)
                .body(Body::empty())
                .expect("req"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{p}: {}",
            &body[..body.len().min(400)]
        );
    }
    let mut after: Option<i64> = None;
    let mut seen = 0;
    loop {
        let uri = match after {
            Some(a) => format!("/api/v1/submissions?per_page=8&current=true&after={a}"),
            None => "/api/v1/submissions?per_page=8&current=true".into(),
        };
        let req = Request::get(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("req");
        let (status, _, body) = send(&w.app, req).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        seen += v["items"].as_array().expect("items").len();
        match v["next_after"].as_i64() {
            Some(a) => after = Some(a),
            None => {
                assert_eq!(seen as i64, v["total"].as_i64().expect("total"));
                break;
            }
        }
    }
    for uri in [
        "/api/v1/suppliers?sort=name&q=loadtest".to_string(),
        format!("/api/v1/campaigns/{}/requests", w.campaign),
        format!("/api/v1/campaigns/{}/rollup", w.campaign),
        format!("/api/v1/campaigns/{}/coverage", w.campaign),
        "/api/v1/audit?action=link".into(),
    ] {
        let req = Request::get(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .expect("req");
        let (status, _, body) = send(&w.app, req).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    }
    // A review decision (facility reference created or found, rows updated).
    let queue = w.state.review_queue().await.expect("queue");
    assert!(
        queue
            .iter()
            .any(|i| i.name.as_deref() == Some("Mystery Refining Works")),
        "{queue:?}"
    );
    if let Some(item) = queue
        .iter()
        .find(|i| i.name.as_deref() == Some("Mystery Refining Works"))
    {
        let cid = w
            .state
            .pipeline
            .read()
            .expect("pipeline")
            .registry()
            .facilities()
            .iter()
            .find(|f| Some(f.metal.as_str()) == item.metal.as_deref())
            .map(|f| f.cid.clone());
        if let (Some(cid), Some(metal), Some(name)) = (cid, &item.metal, &item.name) {
            let form = format!(
                "_csrf={csrf}&metal={}&name={}&cid={cid}",
                urlencode(metal),
                urlencode(name)
            );
            let (status, _, body) = send(
                &w.app,
                with_cookie("/review/facility", "POST", &cookie)
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(form))
                    .expect("req"),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
            let queue = w.state.review_queue().await.expect("queue");
            assert!(
                !queue
                    .iter()
                    .any(|i| i.name.as_deref() == Some("Mystery Refining Works")),
                "decided"
            );
        } else {
            panic!("no facility of the row's metal in the registry");
        }
    }
    w.state.store.close().await;
    drop(w);
    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
    )))
    .execute(&mut c)
    .await;
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .expect("encode")
        .trim_start_matches("x=")
        .to_string()
}
