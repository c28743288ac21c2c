//! The application through `tower::ServiceExt::oneshot`: the role matrix, CSRF refusals, API
//! token scoping, supplier links (scope, expiry by revocation, problems in Chinese) and the
//! OpenAPI document.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use oretrail_pipeline::Pipeline;
use oretrail_store::campaigns::{CampaignSpec, ScopeRule, create_campaign};
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::auth::{self, Role};
use oretrail_web::db::{links, tokens, users};
use oretrail_web::{AppState, WebConfig, app};
use tower::ServiceExt;

struct World {
    state: AppState,
    app: Router,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

async fn world() -> World {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "oretrail-web-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let store = Store::open(&StoreConfig::sqlite(&dir))
        .await
        .expect("store");
    let state = AppState::new(
        store,
        Pipeline::new(Default::default()),
        WebConfig::default(),
    )
    .await
    .expect("state");
    for (name, role) in [
        ("ada", Role::Admin),
        ("ana", Role::Analyst),
        ("otto", Role::Viewer),
    ] {
        let hash = auth::hash_password("password-123").expect("hash");
        users::create(&state.store, name, name, role, &hash)
            .await
            .expect("user");
    }
    let csv = "Vendor No,Vendor Name,Country,Tier,Contact E-mail,Spend,Fiscal Year\n\
               V1,Acme Power Cells Co. Ltd,US,1,ops@acme.example,500000,2025\n\
               V2,Dunmore Capacitor Works Ltd.,IE,1,,300000,2025\n";
    let parsed = parse_rows(
        &read_csv(csv.as_bytes()).expect("csv"),
        &ImportOptions::default(),
    )
    .expect("rows");
    import_suppliers(&state.store, &parsed)
        .await
        .expect("import");
    World {
        app: app(state.clone()),
        state,
        _dir: TempDir(dir),
    }
}

async fn send(app: &Router, req: Request<Body>) -> (StatusCode, header::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = to_bytes(resp.into_body(), 64 * 1024 * 1024)
        .await
        .expect("body");
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

fn get(uri: &str, cookie: Option<&str>) -> Request<Body> {
    let mut b = Request::get(uri);
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::empty()).expect("request")
}

fn post_form(uri: &str, cookie: Option<&str>, form: &str) -> Request<Body> {
    let mut b =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        b = b.header(header::COOKIE, c);
    }
    b.body(Body::from(form.to_string())).expect("request")
}

/// Signs in through the form; returns (cookie header, CSRF token of the session).
async fn sign_in(w: &World, user: &str) -> (String, String) {
    let (_, headers, page) = send(&w.app, get("/login", None)).await;
    let login_cookie = cookie_of(&headers, auth::LOGIN_COOKIE);
    let csrf = field(&page, "_csrf");
    let (status, headers, _) = send(
        &w.app,
        post_form(
            "/login",
            Some(&format!("{}={login_cookie}", auth::LOGIN_COOKIE)),
            &format!("_csrf={csrf}&username={user}&password=password-123"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{user} signs in");
    let set = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(auth::SESSION_COOKIE))
        .expect("session cookie")
        .to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().expect("cookie").to_string();
    let (_, _, page) = send(&w.app, get("/dashboard", Some(&cookie))).await;
    (cookie, field(&page, "_csrf"))
}

fn cookie_of(headers: &header::HeaderMap, name: &str) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .expect("cookie")
        .to_string()
}

fn field(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .expect("field")
        + name.len()
        + 15;
    page[at..].split('"').next().expect("value").to_string()
}

fn campaign_form(csrf: &str) -> String {
    format!(
        "_csrf={csrf}&name=2025+3TG&period=2025&deadline=2026-01-31&spend_share=95&cmrt=on&emrt=on"
    )
}

#[tokio::test]
async fn roles_decide_what_each_user_may_do() {
    let w = world().await;
    let (status, headers, _) = send(&w.app, get("/dashboard", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).and_then(|v| v.to_str().ok()),
        Some("/login")
    );

    let (viewer, viewer_csrf) = sign_in(&w, "otto").await;
    for page in [
        "/dashboard",
        "/campaigns",
        "/suppliers",
        "/submissions",
        "/facilities",
        "/review",
        "/audit",
    ] {
        let (status, _, _) = send(&w.app, get(page, Some(&viewer))).await;
        assert_eq!(status, StatusCode::OK, "viewer reads {page}");
    }
    for page in ["/admin", "/upload"] {
        let (status, _, _) = send(&w.app, get(page, Some(&viewer))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "viewer may not open {page}");
    }
    let (status, _, _) = send(
        &w.app,
        post_form("/campaigns", Some(&viewer), &campaign_form(&viewer_csrf)),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "viewer may not create a campaign"
    );

    let (analyst, analyst_csrf) = sign_in(&w, "ana").await;
    let (status, _, _) = send(
        &w.app,
        post_form("/campaigns", Some(&analyst), &campaign_form(&analyst_csrf)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "analyst creates a campaign");
    let (status, _, _) = send(&w.app, get("/admin", Some(&analyst))).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &w.app,
        post_form(
            "/admin/tokens",
            Some(&analyst),
            &format!("_csrf={analyst_csrf}&name=x&role=admin"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "analyst may not make tokens");

    let (admin, _) = sign_in(&w, "ada").await;
    let (status, _, page) = send(&w.app, get("/admin", Some(&admin))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("otto"));

    let (_, _, audit) = send(&w.app, get("/audit", Some(&viewer))).await;
    assert!(
        audit.contains("campaign.create") && audit.contains("session.sign_in"),
        "changes are logged"
    );
}

#[tokio::test]
async fn forms_without_the_session_token_are_refused() {
    let w = world().await;
    let (analyst, csrf) = sign_in(&w, "ana").await;
    let bad = [
        "_csrf=&name=a&period=2025&spend_share=95".to_string(),
        "name=a&period=2025&spend_share=95".to_string(),
        format!("_csrf={}x&name=a&period=2025&spend_share=95", csrf),
    ];
    for form in &bad {
        let (status, _, _) = send(&w.app, post_form("/campaigns", Some(&analyst), form)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{form}");
    }
    // The right token from another site (Origin) is refused too.
    let req = Request::post("/campaigns")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &analyst)
        .header(header::HOST, "oretrail.example")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(campaign_form(&csrf)))
        .expect("request");
    let (status, _, _) = send(&w.app, req).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A sign-in without the form's cookie is refused.
    let (status, _, _) = send(
        &w.app,
        post_form(
            "/login",
            None,
            "_csrf=abc&username=ana&password=password-123",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Nothing was created.
    assert!(
        oretrail_store::campaigns::list_campaigns(&w.state.store)
            .await
            .expect("list")
            .is_empty()
    );
    let (status, _, _) = send(
        &w.app,
        post_form("/campaigns", Some(&analyst), &campaign_form(&csrf)),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
}

async fn api_token(w: &World, role: Role) -> (i64, String) {
    let secret = format!("ot_{}", auth::random_token().expect("random"));
    let id = tokens::create(
        &w.state.store,
        &auth::secret_hash(&secret),
        &secret[..11],
        "test",
        role,
        "ada",
    )
    .await
    .expect("token");
    (id, secret)
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request")
}

#[tokio::test]
async fn api_tokens_are_scoped_by_role_and_revocable() {
    let w = world().await;
    let (status, _, body) = send(&w.app, get("/api/v1/suppliers", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (session, _) = sign_in(&w, "ada").await;
    let (status, _, _) = send(&w.app, get("/api/v1/suppliers", Some(&session))).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a session cookie is not an API credential"
    );

    let (viewer_id, viewer) = api_token(&w, Role::Viewer).await;
    let (status, _, body) = send(&w.app, bearer("/api/v1/suppliers", &viewer)).await;
    assert_eq!(status, StatusCode::OK);
    let page: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(page["total"], 2);
    let upload = |token: &str| {
        Request::post("/api/v1/submissions")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
            .body(Body::from(
                "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.xlsx\"\r\n\r\nnot a workbook\r\n--XX--\r\n",
            ))
            .expect("request")
    };
    let (status, _, _) = send(&w.app, upload(&viewer)).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a viewer token cannot upload"
    );
    let (_, analyst) = api_token(&w, Role::Analyst).await;
    let (status, _, body) = send(&w.app, upload(&analyst)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(results[0]["outcome"], "rejected", "{body}");

    tokens::revoke(&w.state.store, viewer_id)
        .await
        .expect("revoke");
    let (status, _, _) = send(&w.app, bearer("/api/v1/suppliers", &viewer)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (status, _, doc) = send(&w.app, get("/api/openapi.json", None)).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("openapi");
    for path in [
        "/api/v1/suppliers",
        "/api/v1/submissions",
        "/api/v1/campaigns/{id}/coverage",
        "/api/v1/campaigns/{id}/rollup",
        "/api/v1/facilities/{cid}",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} documented");
    }
}

#[tokio::test]
async fn a_supplier_link_opens_only_its_request() {
    let w = world().await;
    let spec = CampaignSpec {
        name: "2025".into(),
        period: "2025".into(),
        deadline: None,
        families: Default::default(),
        scope: ScopeRule::default(),
    };
    let (campaign, n) = create_campaign(&w.state.store, &spec)
        .await
        .expect("campaign");
    assert_eq!(n, 2);
    let (requests, _) = oretrail_web::db::lists::requests(
        &w.state.store,
        campaign.id,
        "",
        "spend",
        true,
        oretrail_web::db::lists::Window {
            limit: 10,
            offset: 0,
        },
    )
    .await
    .expect("requests");
    let link = oretrail_web::pages::campaigns::ensure_link(&w.state, requests[0].id, "ana")
        .await
        .expect("link");
    let (status, _, page) = send(&w.app, get(&format!("/s/{}", link.token), None)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&link.supplier_name));
    assert!(
        !page.contains(&requests[1].supplier_name),
        "other suppliers stay hidden"
    );

    // Upload a file with problems, see them in Chinese.
    let bytes = oretrail_web::demo::DEMO_FILES[3].1;
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--XX\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
            link.csrf
        )
        .as_bytes(),
    );
    body.extend_from_slice(b"--XX\r\nContent-Disposition: form-data; name=\"lang\"\r\n\r\nzh\r\n");
    body.extend_from_slice(
        b"--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cmrt.xlsx\"\r\n\r\n",
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(b"\r\n--XX--\r\n");
    let upload = |b: Vec<u8>| {
        Request::post(format!("/s/{}/upload", link.token))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
            .body(Body::from(b))
            .expect("request")
    };
    let forged: Vec<u8> = String::from_utf8_lossy(&body)
        .replace(&link.csrf, "forged")
        .into_bytes();
    let (status, _, _) = send(&w.app, upload(forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the form token is checked");
    let (status, headers, _) = send(&w.app, upload(body)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let to = headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .expect("redirect")
        .to_string();
    let (_, _, page) = send(&w.app, get(&to, None)).await;
    assert!(page.contains("cmrt.xlsx"));
    assert!(page.contains("portal-problems"), "problems listed");
    assert!(
        page.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "in Chinese"
    );

    // The token reaches nothing else.
    for other in [
        "/dashboard",
        "/submissions/1",
        "/submissions/1/original",
        "/api/v1/submissions",
    ] {
        let req = Request::get(other)
            .header(header::AUTHORIZATION, format!("Bearer {}", link.token))
            .header(
                header::COOKIE,
                format!("{}={}", auth::SESSION_COOKIE, link.token),
            )
            .body(Body::empty())
            .expect("request");
        let (status, _, _) = send(&w.app, req).await;
        assert!(
            status == StatusCode::SEE_OTHER || status == StatusCode::UNAUTHORIZED,
            "{other}: {status}"
        );
    }
    let (status, _, _) = send(
        &w.app,
        get(&format!("/s/{}/feedback/9999", link.token), None),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = send(&w.app, get(&format!("/s/{}", "0".repeat(64)), None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    links::revoke(&w.state.store, link.id)
        .await
        .expect("revoke");
    let (status, _, _) = send(&w.app, get(&format!("/s/{}", link.token), None)).await;
    assert_eq!(status, StatusCode::GONE, "a revoked link is dead");
}
