//! A small world for the security tests: a store in a temporary folder, two suppliers in a
//! campaign with an upload link each, one submission uploaded through the first link, a user
//! and an API token per role; requests sent through `oneshot`.

#![allow(dead_code)]

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use oretrail_pipeline::Pipeline;
use oretrail_store::campaigns::{CampaignSpec, ScopeRule, create_campaign};
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::auth::{self, Role};
use oretrail_web::db::links::UploadLink;
use oretrail_web::db::{links, tokens, users};
use oretrail_web::upload::Incoming;
use oretrail_web::{AppState, WebConfig, app};
use tower::ServiceExt;

pub struct TempDir(pub std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct World {
    pub state: AppState,
    pub app: Router,
    pub campaign: i64,
    /// Link of the first request (with one upload), of the second request.
    pub link_a: UploadLink,
    pub link_b: UploadLink,
    /// The upload made through link A, and its submission.
    pub upload_a: i64,
    pub submission: i64,
    pub supplier: i64,
    pub _dir: TempDir,
}

pub fn temp_dir(label: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "oretrail-web-{label}-{}-{}",
        std::process::id(),
        N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// Suppliers of the world (ERP export); names may carry markup.
pub const SUPPLIERS_CSV: &str = "Vendor No,Vendor Name,Country,Tier,Contact E-mail,Spend,Fiscal Year\n\
V1,Acme Power Cells Co. Ltd,US,1,ops@acme.example,500000,2025\n\
V2,Dunmore Capacitor Works Ltd.,IE,1,,300000,2025\n";

pub async fn world_with(config: WebConfig, csv: &str) -> World {
    let dir = temp_dir("sec");
    world_on(StoreConfig::sqlite(&dir), config, csv).await
}

/// The world on a given store (SQLite in a folder, or PostgreSQL by URL with its originals in
/// the folder).
pub async fn world_on(store_config: StoreConfig, config: WebConfig, csv: &str) -> World {
    let dir = store_config.data_dir.clone();
    let store = Store::open(&store_config).await.expect("store");
    let state = AppState::new(store, Pipeline::new(Default::default()), config)
        .await
        .expect("state");
    let parsed = parse_rows(
        &read_csv(csv.as_bytes()).expect("csv"),
        &ImportOptions::default(),
    )
    .expect("rows");
    import_suppliers(&state.store, &parsed)
        .await
        .expect("import");
    let spec = CampaignSpec {
        name: "2025".into(),
        period: "2025".into(),
        deadline: None,
        families: Default::default(),
        scope: ScopeRule::default(),
    };
    let (campaign, _) = create_campaign(&state.store, &spec)
        .await
        .expect("campaign");
    let (requests, _) = oretrail_web::db::lists::requests(
        &state,
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
    let link_a = oretrail_web::pages::campaigns::ensure_link(&state, requests[0].id, "ana")
        .await
        .expect("link a");
    let link_b = oretrail_web::pages::campaigns::ensure_link(&state, requests[1].id, "ana")
        .await
        .expect("link b");
    let results = oretrail_web::upload::receive(
        &state,
        Some(campaign.clone()),
        vec![Incoming {
            name: "cmrt.xlsx".into(),
            bytes: oretrail_web::demo::DEMO_FILES[1].1.to_vec(),
        }],
        "supplier-link:V1",
        "supplier link",
    )
    .await
    .expect("upload");
    let submission = results[0].submission_id.expect("stored");
    let upload_a = links::record_upload(
        &state.store,
        link_a.id,
        Some(submission),
        "cmrt.xlsx",
        &results[0].outcome,
        &serde_json::to_string(&results[0].problems).expect("json"),
    )
    .await
    .expect("record");
    World {
        app: app(state.clone()),
        campaign: campaign.id,
        supplier: requests[0].supplier_id,
        state,
        link_a,
        link_b,
        upload_a,
        submission,
        _dir: TempDir(dir),
    }
}

pub async fn world() -> World {
    world_with(WebConfig::default(), SUPPLIERS_CSV).await
}

pub async fn send(app: &Router, req: Request<Body>) -> (StatusCode, header::HeaderMap, String) {
    let resp = app.clone().oneshot(req).await.expect("response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = to_bytes(resp.into_body(), 64 * 1024 * 1024)
        .await
        .unwrap_or_default();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// A user of this role (created once) and a fresh session: (cookie header, CSRF token).
pub async fn session(w: &World, role: Role) -> (String, String) {
    let name = format!("user-{}", role.code());
    let user = match users::credentials(&w.state, &name).await.expect("user") {
        Some((u, _)) => u,
        None => {
            let id = users::create(&w.state.store, &name, &name, role, "not a hash")
                .await
                .expect("create");
            users::credentials(&w.state, &name)
                .await
                .expect("user")
                .map(|(u, _)| u)
                .filter(|u| u.id == id)
                .expect("created")
        }
    };
    let (id, csrf) = auth::start_session(&w.state, user.id)
        .await
        .expect("session");
    (format!("{}={id}", auth::SESSION_COOKIE), csrf)
}

/// A new API token of this role.
pub async fn api_token(w: &World, role: Role) -> (i64, String) {
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

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).expect("request")
}

pub fn with_cookie(uri: &str, method: &str, cookie: &str) -> axum::http::request::Builder {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::COOKIE, cookie)
}

/// Whether a response sends the browser to the sign-in page.
pub fn to_login(status: StatusCode, headers: &header::HeaderMap) -> bool {
    status.is_redirection()
        && headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"))
}

/// A multipart body with the given text fields and files, boundary `XX`.
pub fn multipart(fields: &[(&str, &str)], files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend_from_slice(
            format!("--XX\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--XX--\r\n");
    body
}

/// A zip archive of (name, bytes) entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in entries {
        w.start_file(*name, opts).expect("entry");
        w.write_all(bytes).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// Files a submission made from the analysis of a sample, changed by `change`, in the world's
/// campaign; its ID.
pub async fn add_submission(
    w: &World,
    file_name: &str,
    change: impl FnOnce(&mut oretrail_template::SupplierReport),
) -> i64 {
    use oretrail_store::submissions::{NewSubmission, Outcome, Receipt, SubmissionWriter};
    let (mut analysis, _) = oretrail_web::upload::analyse(
        &w.state.pipeline,
        oretrail_web::demo::DEMO_FILES[1].1,
        file_name,
    );
    change(analysis.report.as_mut().expect("report"));
    let campaign = oretrail_store::campaigns::list_campaigns(&w.state.store)
        .await
        .expect("campaigns")
        .into_iter()
        .find(|c| c.id == w.campaign);
    let bytes = format!("submission {file_name}").into_bytes();
    let sha = w.state.store.originals().put(&bytes).expect("original");
    let mut writer = SubmissionWriter::new(&w.state.store, campaign, "test")
        .await
        .expect("writer");
    let out = writer
        .write(vec![NewSubmission {
            sha256: sha,
            size: bytes.len() as u64,
            receipt: Receipt {
                original_name: file_name.into(),
                received_by: "test".into(),
                received_via: "test".into(),
            },
            analysis,
        }])
        .await
        .expect("write");
    w.state.changed();
    match &out[0] {
        Outcome::New { submission_id }
        | Outcome::AcceptedWithWarnings { submission_id, .. }
        | Outcome::Rejected { submission_id, .. }
        | Outcome::NeedsReview { submission_id, .. }
        | Outcome::Duplicate { submission_id } => *submission_id,
        other => panic!("{other:?}"),
    }
}

/// Makes a smelter row of a report unresolved under a new name.
pub fn unresolve(row: &mut oretrail_template::SmelterRow, name: &str) {
    row.name = Some(name.into());
    if let Some(r) = row.resolution.as_mut() {
        r.method = oretrail_template::ResolutionMethod::Unresolved;
        r.canonical_cid = None;
        r.canonical_name = None;
        r.confidence = 0.0;
        r.candidates.clear();
    }
}
