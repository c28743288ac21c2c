//! Due diligence through the application on the demo programme (`oretrail serve --demo`):
//! scores with their reasons, recording them into the register, the escalation ladder with a
//! manager's sign-off and evidence, outreach, audits, training, acknowledgements, the public
//! grievance link, the digest, the risk API and its OpenAPI entries, the audit log, and who may
//! do what.

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use oretrail_pipeline::Pipeline;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::auth::{self, Role};
use oretrail_web::db::tokens;
use oretrail_web::{AppState, WebConfig, app};
use tower::ServiceExt;

struct World {
    state: AppState,
    app: Router,
    dir: std::path::PathBuf,
}

impl Drop for World {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn demo_world() -> World {
    let dir = std::env::temp_dir().join(format!("oretrail-web-risk-test-{}", std::process::id()));
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
    let summary = oretrail_web::demo::load(&state, 0).await.expect("demo");
    assert!(summary.files >= 13);
    World {
        app: app(state.clone()),
        state,
        dir,
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

/// A multipart form: text fields and one file part named `evidence` when given.
fn post_multipart(
    uri: &str,
    cookie: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> Request<Body> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--XX\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--XX\r\nContent-Disposition: form-data; name=\"evidence\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XX--\r\n");
    Request::post(uri)
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XX")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .expect("request")
}

fn field(page: &str, name: &str) -> String {
    let at = page
        .find(&format!("name=\"{name}\" value=\""))
        .expect("field")
        + name.len()
        + 15;
    page[at..].split('"').next().expect("value").to_string()
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

/// Signs a demo user in; returns (cookie header, CSRF token).
async fn sign_in(w: &World, user: &str, password: &str) -> (String, String) {
    let (_, headers, page) = send(&w.app, get("/login", None)).await;
    let login_cookie = cookie_of(&headers, auth::LOGIN_COOKIE);
    let csrf = field(&page, "_csrf");
    let (status, headers, _) = send(
        &w.app,
        post_form(
            "/login",
            Some(&format!("{}={login_cookie}", auth::LOGIN_COOKIE)),
            &format!("_csrf={csrf}&username={user}&password={password}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{user} signs in");
    let cookie = format!(
        "{}={}",
        auth::SESSION_COOKIE,
        cookie_of(&headers, auth::SESSION_COOKIE)
    );
    let (_, _, page) = send(&w.app, get("/dashboard", Some(&cookie))).await;
    (cookie, field(&page, "_csrf"))
}

fn location(headers: &header::HeaderMap) -> String {
    headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

fn bearer(method: &str, uri: &str, token: &str, json: Option<&str>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    match json {
        Some(j) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(j.to_string())),
        None => b.body(Body::empty()),
    }
    .expect("request")
}

#[tokio::test]
async fn due_diligence_on_the_demo_programme() {
    let w = demo_world().await;
    let (analyst, csrf) = sign_in(&w, "analyst", "oretrail-demo").await;
    let (auditor, auditor_csrf) = sign_in(&w, "auditor", "oretrail-audit").await;
    let (admin, admin_csrf) = sign_in(&w, "admin", "oretrail-admin").await;

    // Scores with their reasons; everyone may read them.
    let (status, _, page) = send(&w.app, get("/risk", Some(&auditor))).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    for part in [
        "kpi-risk",
        "score-reasons",
        "supplier_silent_after_deadline",
        "risk-facilities",
    ] {
        assert!(page.contains(part), "{part} missing");
    }
    assert!(
        !page.contains("record-assessment"),
        "a viewer cannot record"
    );
    let (_, _, analyst_page) = send(&w.app, get("/risk", Some(&analyst))).await;
    let campaign = field(&analyst_page, "campaign");

    // Recording opens cases; a viewer may not.
    let form = format!("_csrf={auditor_csrf}&campaign={campaign}");
    let (status, _, _) = send(&w.app, post_form("/risk/assess", Some(&auditor), &form)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let form = format!("_csrf={csrf}&campaign={campaign}");
    let (status, headers, _) = send(&w.app, post_form("/risk/assess", Some(&analyst), &form)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).contains("done=assessed"));
    let (status, _, page) = send(&w.app, get("/risk/cases?level=high", Some(&auditor))).await;
    assert_eq!(status, StatusCode::OK);
    let case_id: i64 = page
        .split("href=\"/risk/cases/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("a high case is listed");

    // The ladder: engage with evidence, a plan, then a suspension a manager signs off.
    let step = |stage: &str, text: &str, milestones: &str, file: Option<(&str, &[u8])>| {
        post_multipart(
            &format!("/risk/cases/{case_id}/step?_csrf={csrf}"),
            &analyst,
            &[("stage", stage), ("text", text), ("milestones", milestones)],
            file,
        )
    };
    let (status, headers, body) = send(
        &w.app,
        step(
            "engage",
            "asked for the refiner list",
            "",
            Some(("letter.pdf", b"%PDF letter")),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location(&headers).ends_with("done=step"));
    let (status, _, _) = send(
        &w.app,
        step(
            "improvement_plan",
            "plan agreed",
            "Full refiner list@2030-01-31",
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = send(&w.app, step("suspend", "plan missed", "", None)).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert!(location(&headers).ends_with("done=pending"));
    let (_, _, page) = send(
        &w.app,
        get(&format!("/risk/cases/{case_id}"), Some(&analyst)),
    )
    .await;
    assert!(page.contains("waiting for sign-off"));
    assert!(
        page.contains("Agreed improvement plan"),
        "stage unchanged until signed"
    );
    assert!(page.contains("Full refiner list"));
    assert!(
        !page.contains("action=\"/risk/steps/"),
        "an analyst sees no sign-off form"
    );
    let (_, _, page) = send(&w.app, get(&format!("/risk/cases/{case_id}"), Some(&admin))).await;
    let event: i64 = page
        .split("action=\"/risk/steps/")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .and_then(|s| s.parse().ok())
        .expect("the admin sees the sign-off form");
    let (status, _, _) = send(
        &w.app,
        post_form(
            &format!("/risk/steps/{event}/sign-off"),
            Some(&analyst),
            &format!("_csrf={csrf}&decision=approve"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "analysts do not sign off");
    let (status, _, _) = send(
        &w.app,
        post_form(
            &format!("/risk/steps/{event}/sign-off"),
            Some(&admin),
            &format!("_csrf={admin_csrf}&decision=approve&note=agreed"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(
        &w.app,
        get(&format!("/risk/cases/{case_id}"), Some(&auditor)),
    )
    .await;
    assert!(page.contains("<dd id=\"stage\">Suspend</dd>"), "signed off");
    // The evidence comes back byte for byte.
    let evidence: i64 = page
        .split("href=\"/risk/evidence/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("evidence link");
    let (status, headers, body) = send(
        &w.app,
        get(&format!("/risk/evidence/{evidence}"), Some(&auditor)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "%PDF letter");
    assert!(
        headers
            .get(header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("letter.pdf"))
    );

    // Outreach to a facility named in the demo files.
    let (_, _, page) = send(&w.app, get("/risk", Some(&analyst))).await;
    let facility = page
        .split("href=\"/risk/outreach/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a facility link")
        .to_string();
    let (status, headers, body) = send(
        &w.app,
        post_multipart(
            &format!("/risk/outreach/{facility}?_csrf={csrf}"),
            &analyst,
            &[
                ("contact", "ESG desk"),
                ("channel", "e-mail"),
                ("commitment", "committed"),
                ("committed_by", "2030-06-30"),
                ("answer", "will join RMAP"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert!(location(&headers).ends_with("done=outreach"));
    let (status, _, page) = send(
        &w.app,
        get(&format!("/risk/outreach/{facility}"), Some(&auditor)),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("ESG desk") && page.contains("committed"));
    assert!(page.contains("id=\"timeline\"") && page.contains("id=\"naming\""));

    // Programme records.
    let (status, _, body) = send(
        &w.app,
        post_multipart(
            &format!("/risk/audits?_csrf={csrf}"),
            &analyst,
            &[
                ("subject", "own_site"),
                ("site", "Assembly plant"),
                ("audit_type", "VAP initial"),
                ("date", "2030-01-10"),
                ("auditor", "Audit Co."),
                (
                    "findings",
                    "major|fire exits blocked|clear them|2030-02-01|facilities",
                ),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    let (_, _, page) = send(&w.app, get("/risk/audits", Some(&auditor))).await;
    assert!(page.contains("fire exits blocked"));
    let (status, _, _) = send(
        &w.app,
        post_multipart(
            &format!("/risk/training?_csrf={csrf}"),
            &analyst,
            &[
                ("course", "Cobalt due diligence"),
                ("held_on", "2030-01-15"),
                ("participants", "Pat Byrne +done"),
            ],
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get("/risk/training", Some(&auditor))).await;
    assert!(page.contains("Cobalt due diligence") && page.contains("Pat Byrne"));
    let (_, _, page) = send(&w.app, get("/risk/acknowledgements", Some(&auditor))).await;
    assert!(page.contains("None recorded yet"));

    // The public grievance link: no account, anonymous, followed with reference and code.
    let (status, headers, page) = send(&w.app, get("/grievance", None)).await;
    assert_eq!(status, StatusCode::OK);
    let token = cookie_of(&headers, "ot_grievance");
    let form_csrf = field(&page, "_csrf");
    let (status, _, _) = send(
        &w.app,
        post_form(
            "/grievance",
            None,
            &format!("_csrf={form_csrf}&summary=x&description=y"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "no form cookie, no intake");
    let cookie = format!("ot_grievance={token}");
    let (status, _, page) = send(
        &w.app,
        post_form(
            "/grievance",
            Some(&cookie),
            &format!(
                "_csrf={form_csrf}&summary=Children+at+a+mine&description=Seen+in+March&anonymous=1&name=Kept+Secret"
            ),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let reference = page
        .split("id=\"reference\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("reference")
        .to_string();
    let code = page
        .split("id=\"code\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("code")
        .to_string();
    let (status, _, page) = send(
        &w.app,
        post_form(
            "/grievance/status",
            Some(&cookie),
            &format!("_csrf={form_csrf}&reference={reference}&code=WRONG"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!page.contains("Children"));
    let (status, _, page) = send(
        &w.app,
        post_form(
            "/grievance/status",
            Some(&cookie),
            &format!("_csrf={form_csrf}&reference={reference}&code={code}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("received"));
    let (_, _, page) = send(&w.app, get("/risk/grievances", Some(&auditor))).await;
    assert!(page.contains(&reference) && page.contains("acknowledge by"));
    assert!(!page.contains("Kept Secret"));
    let grievance: i64 = page
        .split("href=\"/risk/grievances/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .expect("grievance link");
    let (status, _, _) = send(
        &w.app,
        post_form(
            &format!("/risk/grievances/{grievance}/resolve"),
            Some(&analyst),
            &format!("_csrf={csrf}&resolution=supplier+changed+source&response=Thank+you%2C+the+source+was+changed."),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(
        &w.app,
        post_form(
            "/grievance/status",
            Some(&cookie),
            &format!("_csrf={form_csrf}&reference={reference}&code={code}"),
        ),
    )
    .await;
    assert!(page.contains("the source was changed"), "{page}");

    // The digest, in the application.
    let (status, headers, _) = send(
        &w.app,
        post_form("/risk/digest", Some(&analyst), &format!("_csrf={csrf}")),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get(&location(&headers), Some(&auditor))).await;
    assert!(page.contains("id=\"digest\""), "{page}");
    assert!(
        [
            "Status changes of declared facilities",
            "Due soon",
            "Overdue",
            "New high risks"
        ]
        .iter()
        .any(|h| page.contains(h)),
        "{page}"
    );

    // The policy: an admin activates a stricter one; assessments name it.
    let (status, _, _) = send(
        &w.app,
        post_form(
            "/risk/policy",
            Some(&analyst),
            &format!("_csrf={csrf}&text=%5Bthresholds%5D%0Ahigh+%3D+40"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = send(
        &w.app,
        post_form(
            "/risk/policy",
            Some(&admin),
            &format!("_csrf={admin_csrf}&text=%5Bpolicy%5D%0Aversion+%3D+%22strict%22%0A%5Bthresholds%5D%0Ahigh+%3D+40"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, page) = send(&w.app, get("/risk/policy", Some(&auditor))).await;
    assert!(page.contains("Oretrail default strict"));
    let (status, _, page) = send(
        &w.app,
        post_form(
            "/risk/policy",
            Some(&admin),
            &format!("_csrf={admin_csrf}&text=%5Brules.nope%5D%0Aweight+%3D+1"),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "an invalid policy is refused"
    );
    assert!(page.contains("nope"));

    // The API.
    let secret = format!("ot_{}", auth::random_token().expect("random"));
    tokens::create(
        &w.state.store,
        &auth::secret_hash(&secret),
        &secret[..11],
        "risk-test",
        Role::Analyst,
        "admin",
    )
    .await
    .expect("token");
    let (status, _, body) = send(&w.app, bearer("GET", "/api/v1/risk/policy", &secret, None)).await;
    assert_eq!(status, StatusCode::OK);
    let policy: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(policy["version"], "strict");
    assert_eq!(policy["rules"].as_array().map(Vec::len), Some(19));
    let (status, _, body) = send(
        &w.app,
        bearer(
            "GET",
            &format!("/api/v1/risk/campaigns/{campaign}/assessment"),
            &secret,
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let a: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(a["policy_version"], "strict");
    assert!(a["suppliers"][0]["score"]["flags"][0]["reason"].is_string());
    let (status, _, body) = send(
        &w.app,
        bearer(
            "POST",
            &format!("/api/v1/risk/campaigns/{campaign}/assessments"),
            &secret,
            Some("{}"),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = send(
        &w.app,
        bearer("GET", "/api/v1/risk/cases?level=high", &secret, None),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let cases: serde_json::Value = serde_json::from_str(&body).expect("json");
    let other = cases
        .as_array()
        .and_then(|c| c.iter().find(|c| c["id"] != case_id))
        .and_then(|c| c["id"].as_i64())
        .expect("another high case");
    let (status, _, body) = send(
        &w.app,
        bearer(
            "POST",
            &format!("/api/v1/risk/cases/{other}/steps"),
            &secret,
            Some(r#"{"stage":"disengage","text":"no improvement after a year"}"#),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let out: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(out["waiting_for_sign_off"], true);
    let (status, _, body) = send(
        &w.app,
        bearer(
            "POST",
            &format!("/api/v1/risk/cases/{other}/steps"),
            &secret,
            Some(r#"{"stage":"improvement_plan","text":"plan"}"#),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a plan needs milestones: {body}"
    );
    let (status, _, body) = send(&w.app, bearer("GET", "/api/v1/risk/digest", &secret, None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, _, body) = send(&w.app, get("/api/openapi.json", None)).await;
    for path in [
        "/api/v1/risk/cases/{id}/steps",
        "/api/v1/risk/campaigns/{id}/assessment",
        "/api/v1/risk/grievances",
    ] {
        assert!(
            body.contains(path),
            "{path} missing from the OpenAPI document"
        );
    }

    // Every change is in the audit log.
    let (_, _, page) = send(&w.app, get("/audit?action=risk.", Some(&auditor))).await;
    for action in [
        "risk.assess",
        "risk.cases.sync",
        "risk.case.step",
        "risk.case.sign_off",
        "risk.outreach.record",
        "risk.audit.record",
        "risk.training.record",
        "risk.grievance.submit",
        "risk.grievance.resolve",
        "risk.digest",
        "risk.policy.activate",
        "risk.evidence.download",
    ] {
        assert!(page.contains(action), "{action} not in the audit log");
    }
}
