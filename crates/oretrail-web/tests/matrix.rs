//! The access matrix over every route of the application.
//!
//! Routes are enumerated from the code, not listed by hand: every `.route("PATH", METHODS)` in
//! `src/` and every operation of the generated OpenAPI document. A route that is mounted in the
//! application (it does not reach the test's fallback) must have an entry in [`MATRIX`], and
//! each entry is checked:
//!
//! * without a session or token: pages send the browser to the sign-in page, the API answers
//!   401, supplier-link routes with an unknown token answer 404;
//! * with each role (a session for pages, a token for the API): the roles the entry allows get
//!   through (no 401/403, no sign-in redirect, no server error), the others get 403;
//! * every state-changing page request without the session's CSRF token, or from another
//!   site's `Origin`, is refused (403) for every role;
//! * supplier-link routes: a link's token opens only its own uploads; revoked and expired
//!   links answer 410; a link's token is no credential anywhere else.
//!
//! A new route without an entry fails `every_route_has_an_entry`: add it to [`MATRIX`] with the
//! least role that may use it.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::*;
use oretrail_web::auth::Role;
use std::collections::BTreeSet;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// Anyone (sign-in form, assets, health check, OpenAPI document, public forms).
    Public,
    /// A signed-in user of at least this role.
    Page(Role),
    /// An API token of at least this role.
    Api(Role),
    /// The holder of a supplier upload link (`{token}` in the path).
    Link,
}

use Access::*;
use Role::{Admin, Analyst, Viewer};

/// (method, route as written in the code, who may use it).
const MATRIX: &[(&str, &str, Access)] = &[
    // Public.
    ("GET", "/", Public),
    ("GET", "/login", Public),
    ("POST", "/login", Public),
    ("GET", "/healthz", Public),
    ("GET", "/assets/app.css", Public),
    ("GET", "/assets/upload.js", Public),
    ("GET", "/api/openapi.json", Public),
    ("GET", "/grievance", Public),
    ("POST", "/grievance", Public),
    ("GET", "/grievance/status", Public),
    ("POST", "/grievance/status", Public),
    // Pages.
    ("POST", "/logout", Page(Viewer)),
    ("GET", "/dashboard", Page(Viewer)),
    ("GET", "/campaigns", Page(Viewer)),
    ("POST", "/campaigns", Page(Analyst)),
    ("GET", "/campaigns/{id}", Page(Viewer)),
    ("POST", "/campaigns/{id}/emails", Page(Analyst)),
    ("POST", "/requests/{id}/email", Page(Analyst)),
    ("POST", "/requests/{id}/link", Page(Analyst)),
    ("POST", "/requests/{id}/status", Page(Analyst)),
    ("POST", "/links/{id}/revoke", Page(Analyst)),
    ("GET", "/suppliers", Page(Viewer)),
    ("GET", "/suppliers/{id}", Page(Viewer)),
    ("GET", "/submissions", Page(Viewer)),
    ("GET", "/submissions/{id}", Page(Viewer)),
    ("GET", "/submissions/{id}/original", Page(Viewer)),
    ("GET", "/submissions/{id}/feedback.xlsx", Page(Viewer)),
    ("GET", "/upload", Page(Analyst)),
    ("POST", "/upload", Page(Analyst)),
    ("GET", "/facilities", Page(Viewer)),
    ("GET", "/facilities/{cid}", Page(Viewer)),
    ("GET", "/review", Page(Viewer)),
    ("POST", "/review/facility", Page(Analyst)),
    ("POST", "/review/supplier", Page(Analyst)),
    ("GET", "/audit", Page(Viewer)),
    // Reporting (oretrail-report).
    ("GET", "/reports", Page(Viewer)),
    ("POST", "/reports", Page(Analyst)),
    ("GET", "/reports/compare", Page(Viewer)),
    ("GET", "/reports/{id}", Page(Viewer)),
    ("GET", "/reports/{id}/download", Page(Viewer)),
    ("GET", "/exports", Page(Viewer)),
    ("GET", "/exports/template", Page(Viewer)),
    ("GET", "/exports/{file}", Page(Viewer)),
    ("GET", "/claims", Page(Viewer)),
    ("POST", "/claims/follow-up", Page(Analyst)),
    ("GET", "/admin", Page(Admin)),
    ("POST", "/admin/users", Page(Admin)),
    ("POST", "/admin/users/{id}/enable", Page(Admin)),
    ("POST", "/admin/users/{id}/disable", Page(Admin)),
    ("POST", "/admin/tokens", Page(Admin)),
    ("POST", "/admin/tokens/{id}/revoke", Page(Admin)),
    // Risk pages (oretrail-risk).
    ("GET", "/risk", Page(Viewer)),
    ("POST", "/risk/assess", Page(Analyst)),
    ("GET", "/risk/cases", Page(Viewer)),
    ("GET", "/risk/cases/{id}", Page(Viewer)),
    ("POST", "/risk/cases/{id}/step", Page(Analyst)),
    ("POST", "/risk/cases/{id}/note", Page(Analyst)),
    ("POST", "/risk/cases/{id}/assign", Page(Analyst)),
    ("POST", "/risk/cases/{id}/due", Page(Analyst)),
    ("POST", "/risk/cases/{id}/milestone", Page(Analyst)),
    ("POST", "/risk/cases/{id}/close", Page(Analyst)),
    ("POST", "/risk/cases/{id}/reopen", Page(Analyst)),
    ("POST", "/risk/milestones/{id}/done", Page(Analyst)),
    ("POST", "/risk/steps/{id}/sign-off", Page(Admin)),
    ("GET", "/risk/evidence/{id}", Page(Viewer)),
    ("GET", "/risk/policy", Page(Viewer)),
    ("POST", "/risk/policy", Page(Admin)),
    ("GET", "/risk/digest", Page(Viewer)),
    ("POST", "/risk/digest", Page(Analyst)),
    ("GET", "/risk/outreach", Page(Viewer)),
    ("GET", "/risk/outreach/{metal}/{cid}", Page(Viewer)),
    ("POST", "/risk/outreach/{metal}/{cid}", Page(Analyst)),
    ("GET", "/risk/audits", Page(Viewer)),
    ("POST", "/risk/audits", Page(Analyst)),
    ("POST", "/risk/findings/{id}/close", Page(Analyst)),
    ("GET", "/risk/acknowledgements", Page(Viewer)),
    ("POST", "/risk/acknowledgements", Page(Analyst)),
    ("GET", "/risk/training", Page(Viewer)),
    ("POST", "/risk/training", Page(Analyst)),
    ("POST", "/risk/training/{id}/participants", Page(Analyst)),
    ("POST", "/risk/participants/{id}/complete", Page(Analyst)),
    ("GET", "/risk/grievances", Page(Viewer)),
    ("POST", "/risk/grievances", Page(Analyst)),
    ("GET", "/risk/grievances/{id}", Page(Viewer)),
    ("POST", "/risk/grievances/{id}/ack", Page(Analyst)),
    ("POST", "/risk/grievances/{id}/triage", Page(Analyst)),
    ("POST", "/risk/grievances/{id}/note", Page(Analyst)),
    ("POST", "/risk/grievances/{id}/resolve", Page(Analyst)),
    // Supplier links.
    ("GET", "/s/{token}", Link),
    ("POST", "/s/{token}/upload", Link),
    ("GET", "/s/{token}/feedback/{upload}", Link),
    // API.
    ("GET", "/api/v1/suppliers", Api(Viewer)),
    ("GET", "/api/v1/suppliers/{id}", Api(Viewer)),
    ("GET", "/api/v1/campaigns", Api(Viewer)),
    ("GET", "/api/v1/campaigns/{id}/requests", Api(Viewer)),
    ("GET", "/api/v1/campaigns/{id}/coverage", Api(Viewer)),
    ("GET", "/api/v1/campaigns/{id}/rollup", Api(Viewer)),
    ("GET", "/api/v1/submissions", Api(Viewer)),
    ("POST", "/api/v1/submissions", Api(Analyst)),
    ("GET", "/api/v1/submissions/{id}", Api(Viewer)),
    ("GET", "/api/v1/submissions/{id}/problems", Api(Viewer)),
    ("GET", "/api/v1/facilities/{cid}", Api(Viewer)),
    ("GET", "/api/v1/audit", Api(Viewer)),
    // Risk API (oretrail-risk).
    ("GET", "/api/v1/risk/policy", Api(Viewer)),
    ("GET", "/api/v1/risk/campaigns/{id}/assessment", Api(Viewer)),
    (
        "POST",
        "/api/v1/risk/campaigns/{id}/assessments",
        Api(Analyst),
    ),
    ("GET", "/api/v1/risk/cases", Api(Viewer)),
    ("GET", "/api/v1/risk/cases/{id}", Api(Viewer)),
    ("POST", "/api/v1/risk/cases/{id}/steps", Api(Analyst)),
    ("POST", "/api/v1/risk/cases/{id}/notes", Api(Analyst)),
    ("GET", "/api/v1/risk/outreach/{metal}/{cid}", Api(Viewer)),
    ("POST", "/api/v1/risk/outreach", Api(Analyst)),
    ("GET", "/api/v1/risk/audits", Api(Viewer)),
    ("GET", "/api/v1/risk/grievances", Api(Viewer)),
    ("POST", "/api/v1/risk/grievances", Api(Analyst)),
    ("GET", "/api/v1/risk/digest", Api(Viewer)),
];

/// Routes written in the crate's sources: (method, path).
fn routes_in_sources() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).expect("src").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&p).expect("source");
                for (method, path) in routes_in(&text) {
                    out.insert((method, path));
                }
            }
        }
    }
    out
}

/// `.route("PATH", get(..).post(..))` calls of one source file.
fn routes_in(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(".route(") {
        rest = &rest[at + ".route(".len()..];
        let trimmed = rest.trim_start();
        let Some(lit) = trimmed.strip_prefix('"') else {
            continue;
        };
        let Some(end) = lit.find('"') else { continue };
        let path = &lit[..end];
        // The method router: up to the parenthesis closing `.route(`.
        let args = &lit[end + 1..];
        let mut depth = 1;
        let mut close = args.len();
        for (i, c) in args.char_indices() {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let router = &args[..close];
        for method in ["get", "post", "put", "delete", "patch"] {
            let mut from = 0;
            while let Some(i) = router[from..].find(&format!("{method}(")) {
                let i = from + i;
                let before = router[..i].chars().last();
                if !before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    out.push((method.to_uppercase(), path.to_string()));
                    break;
                }
                from = i + 1;
            }
        }
    }
    out
}

/// Operations of the OpenAPI document: (method, path).
async fn routes_in_openapi(w: &World) -> BTreeSet<(String, String)> {
    let (status, _, doc) = send(&w.app, get("/api/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&doc).expect("openapi");
    let mut out = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        for method in ops.as_object().expect("operations").keys() {
            out.insert((method.to_uppercase(), path.clone()));
        }
    }
    out
}

/// The route with its parameters filled from the world (an ID by the segment before it;
/// 999999 where the world has none).
fn concrete(w: &World, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .iter()
        .enumerate()
        .map(|(i, seg)| {
            if !(seg.starts_with('{') && seg.ends_with('}')) {
                return seg.to_string();
            }
            let before = if i > 0 { segments[i - 1] } else { "" };
            match (&seg[1..seg.len() - 1], before) {
                ("token", _) => w.link_a.token.clone(),
                ("upload", _) => w.upload_a.to_string(),
                ("cid", _) => "CID002573".into(),
                ("metal", _) => "tin".into(),
                (_, "campaigns") => w.campaign.to_string(),
                (_, "requests") => w.link_a.request_id.to_string(),
                (_, "links") => w.link_b.id.to_string(),
                (_, "suppliers") => w.supplier.to_string(),
                (_, "submissions") => w.submission.to_string(),
                _ => "999999".into(),
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn request(method: &str, uri: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(uri)
}

async fn mounted(w: &World, method: &str, path: &str) -> bool {
    let app = w
        .app
        .clone()
        .fallback(|| async { (StatusCode::IM_A_TEAPOT, "unmatched") });
    let req = request(method, &concrete(w, path))
        .body(Body::empty())
        .expect("request");
    let (status, _, _) = send(&app, req).await;
    status != StatusCode::IM_A_TEAPOT
}

#[tokio::test]
async fn every_route_has_an_entry() {
    let w = world().await;
    let mut found = routes_in_sources();
    found.extend(routes_in_openapi(&w).await);
    assert!(found.len() > 40, "routes found: {found:?}");
    let listed: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let mut missing = Vec::new();
    for (method, path) in &found {
        if listed.contains(&(method.clone(), path.clone())) {
            continue;
        }
        if mounted(&w, method, path).await {
            missing.push(format!("{method} {path}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an entry in tests/matrix.rs MATRIX: {missing:#?}"
    );
    for (method, path) in &listed {
        if !found.contains(&(method.clone(), path.clone())) || !mounted(&w, method, path).await {
            eprintln!("note: matrix entry {method} {path} is not mounted (skipped)");
        }
    }
}

/// How an entry answered a request.
fn refused_as_anonymous(access: Access, status: StatusCode, headers: &header::HeaderMap) -> bool {
    match access {
        Public => true,
        Page(_) => to_login(status, headers),
        Api(_) => status == StatusCode::UNAUTHORIZED,
        Link => status == StatusCode::NOT_FOUND,
    }
}

fn got_through(path: &str, status: StatusCode, headers: &header::HeaderMap) -> bool {
    status != StatusCode::UNAUTHORIZED
        && status != StatusCode::FORBIDDEN
        // Signing out ends at the sign-in page.
        && (path == "/logout" || !to_login(status, headers))
        && !status.is_server_error()
}

#[tokio::test]
async fn no_credentials_are_refused_everywhere() {
    let w = world().await;
    for (method, path, access) in MATRIX {
        if !mounted(&w, method, path).await {
            continue;
        }
        let uri = match access {
            Link => path
                .replace("{token}", &"0".repeat(64))
                .replace("{upload}", &w.upload_a.to_string()),
            _ => concrete(&w, path),
        };
        let req = request(method, &uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("_csrf=x"))
            .expect("request");
        let (status, headers, _) = send(&w.app, req).await;
        assert!(
            refused_as_anonymous(*access, status, &headers),
            "{method} {uri} without credentials: {status}"
        );
        assert!(!status.is_server_error(), "{method} {uri}: {status}");
    }
}

#[tokio::test]
async fn each_role_reaches_exactly_its_routes() {
    let w = world().await;
    let mut api_tokens = Vec::new();
    for role in Role::ALL {
        api_tokens.push((role, api_token(&w, role).await.1));
    }
    for (method, path, access) in MATRIX {
        if !mounted(&w, method, path).await {
            continue;
        }
        let uri = concrete(&w, path);
        for role in Role::ALL {
            let (needed, req) = match access {
                Page(needed) => {
                    let (cookie, csrf) = session(&w, role).await;
                    let req = with_cookie(&uri, method, &cookie)
                        .header("x-csrf-token", csrf)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .body(Body::empty())
                        .expect("request");
                    (*needed, req)
                }
                Api(needed) => {
                    let token = &api_tokens
                        .iter()
                        .find(|(r, _)| *r == role)
                        .expect("token")
                        .1;
                    let req = request(method, &uri)
                        .header(header::AUTHORIZATION, format!("Bearer {token}"))
                        .body(Body::empty())
                        .expect("request");
                    (*needed, req)
                }
                Public | Link => break,
            };
            let (status, headers, body) = send(&w.app, req).await;
            if role.allows(needed) {
                assert!(
                    got_through(path, status, &headers),
                    "{method} {uri} as {role:?} should be allowed: {status} {}",
                    &body[..body.len().min(300)]
                );
                // The core pages and API answer 200 with the world's data (the risk routes
                // have no data in this world).
                if *method == "GET" && !uri.contains("999999") && !uri.contains("risk") {
                    assert!(
                        status == StatusCode::OK || status.is_redirection(),
                        "{method} {uri} as {role:?}: {status}"
                    );
                }
            } else {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {uri} as {role:?} should be refused"
                );
            }
        }
    }
}

#[tokio::test]
async fn state_changing_forms_need_the_session_token() {
    let w = world().await;
    for (method, path, access) in MATRIX {
        let Page(_) = access else { continue };
        if *method == "GET" || !mounted(&w, method, path).await {
            continue;
        }
        let uri = concrete(&w, path);
        for role in Role::ALL {
            let (cookie, csrf) = session(&w, role).await;
            // No token at all; a wrong token; the right token from another site.
            let cases: [(Option<String>, Option<&str>); 3] = [
                (None, None),
                (Some(format!("{csrf}x")), None),
                (Some(csrf.clone()), Some("https://evil.example")),
            ];
            for (token, origin) in cases {
                let mut b = with_cookie(&uri, method, &cookie)
                    .header(header::HOST, "oretrail.example")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                if let Some(o) = origin {
                    b = b.header(header::ORIGIN, o);
                }
                let form = token.map(|t| format!("_csrf={t}")).unwrap_or_default();
                let (status, _, _) = send(&w.app, b.body(Body::from(form)).expect("req")).await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {uri} as {role:?} without a valid CSRF token (origin {origin:?})"
                );
            }
        }
    }
    // The supplier form carries the link's own token.
    let body = multipart(&[("_csrf", "forged")], &[("a.xlsx", b"x")]);
    let req = request("POST", &format!("/s/{}/upload", w.link_a.token))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .body(Body::from(body))
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::FORBIDDEN);
    // The sign-in form needs its double-submit cookie.
    let req = request("POST", "/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("_csrf=abc&username=x&password=y"))
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn supplier_links_reach_only_their_own_request() {
    let w = world().await;
    let a = &w.link_a.token;
    let b = &w.link_b.token;
    let (status, _, page) = send(&w.app, get(&format!("/s/{a}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("cmrt.xlsx"), "link A lists its upload");
    let (status, _, page) = send(&w.app, get(&format!("/s/{b}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !page.contains("cmrt.xlsx"),
        "link B does not see A's upload"
    );
    assert!(page.contains(&w.link_b.supplier_name));
    assert!(!page.contains(&w.link_a.supplier_name));
    // A's upload through B's token.
    let (status, _, _) = send(&w.app, get(&format!("/s/{b}/feedback/{}", w.upload_a))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another link's upload");
    let (status, headers, _) = send(&w.app, get(&format!("/s/{a}/feedback/{}", w.upload_a))).await;
    assert_eq!(status, StatusCode::OK, "its own feedback workbook");
    assert!(
        headers
            .get(header::CONTENT_DISPOSITION)
            .is_some_and(|v| v.to_str().unwrap_or("").contains("attachment"))
    );
    // Malformed and unknown tokens.
    for t in ["x", "../../etc/passwd", &"g".repeat(64), &"0".repeat(64)] {
        let (status, _, _) = send(&w.app, get(&format!("/s/{t}"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{t}");
    }
    // A link's token is no credential for pages or the API.
    for (method, path, access) in MATRIX {
        if !matches!(access, Page(_) | Api(_)) || !mounted(&w, method, path).await {
            continue;
        }
        let uri = concrete(&w, path);
        let req = request(method, &uri)
            .header(header::AUTHORIZATION, format!("Bearer {a}"))
            .header(header::COOKIE, format!("ot_session={a}"))
            .header("x-csrf-token", w.link_a.csrf.clone())
            .body(Body::empty())
            .expect("request");
        let (status, headers, _) = send(&w.app, req).await;
        assert!(
            refused_as_anonymous(*access, status, &headers),
            "{method} {uri} with a link token: {status}"
        );
    }
}

#[tokio::test]
async fn revoked_and_expired_links_and_sessions_are_refused() {
    let w = world().await;
    // Revoked.
    oretrail_web::db::links::revoke(&w.state.store, w.link_a.id)
        .await
        .expect("revoke");
    // Expired: a link whose expiry has passed.
    let expired_token = oretrail_web::auth::random_token().expect("token");
    oretrail_web::db::links::create(
        &w.state.store,
        &expired_token,
        w.link_b.request_id,
        "csrf",
        "en",
        "test",
        &oretrail_web::db::timestamp(-60),
    )
    .await
    .expect("expired link");
    for token in [&w.link_a.token, &expired_token] {
        for (method, uri) in [
            ("GET", format!("/s/{token}")),
            ("GET", format!("/s/{token}/feedback/{}", w.upload_a)),
            ("POST", format!("/s/{token}/upload")),
        ] {
            let req = request(method, &uri)
                .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
                .body(Body::from(multipart(&[("_csrf", "csrf")], &[])))
                .expect("request");
            let (status, _, _) = send(&w.app, req).await;
            assert_eq!(status, StatusCode::GONE, "{method} {uri}");
        }
    }
    // An expired session, a disabled user's session.
    let user =
        oretrail_web::db::users::create(&w.state.store, "gone", "gone", Role::Admin, "not a hash")
            .await
            .expect("user");
    let id = oretrail_web::auth::random_token().expect("id");
    oretrail_web::db::users::create_session(
        &w.state.store,
        &oretrail_web::auth::secret_hash(&id),
        user,
        "csrf",
        -60,
    )
    .await
    .expect("session");
    let (status, headers, _) = send(
        &w.app,
        with_cookie("/dashboard", "GET", &format!("ot_session={id}"))
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(to_login(status, &headers), "expired session: {status}");
    let (cookie, _) = session(&w, Role::Analyst).await;
    let analyst = oretrail_web::db::users::credentials(&w.state, "user-analyst")
        .await
        .expect("user")
        .expect("analyst")
        .0;
    oretrail_web::db::users::set_disabled(&w.state.store, analyst.id, true)
        .await
        .expect("disable");
    let (status, headers, _) = send(
        &w.app,
        with_cookie("/dashboard", "GET", &cookie)
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(to_login(status, &headers), "disabled user: {status}");
    // A revoked API token.
    let (token_id, token) = api_token(&w, Role::Admin).await;
    oretrail_web::db::tokens::revoke(&w.state.store, token_id)
        .await
        .expect("revoke");
    let req = request("GET", "/api/v1/suppliers")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&w.app, req).await.0, StatusCode::UNAUTHORIZED);
}
