//! Oretrail's web application: the analysts' workplace (server-rendered pages), supplier upload
//! links, and the REST API with its generated OpenAPI document — one axum router over the store.
//!
//! * [`pages`] — the pages, each handler thin, its role stated by its extractor ([`auth`]).
//! * [`portal`] — a supplier's page behind an upload link (no account).
//! * [`api`] — `/api/v1`, API tokens, `/api/openapi.json`.
//! * [`db`] — every SQL statement of the crate: the web tables and paginated reads.
//! * [`upload`], [`review`], [`dashboard`], [`charts`], [`emails`] — domain functions.
//! * [`demo`] — the demo programme `oretrail serve --demo` starts with.

pub mod api;
pub mod auth;
pub mod charts;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod emails;
pub mod error;
pub mod grievance_portal;
pub mod limits;
pub mod pages;
pub mod portal;
pub mod review;
pub mod risk_api;
pub mod state;
pub mod upload;

pub use error::{Result, WebError};
pub use state::{AppState, WebConfig};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tower_http::set_header::SetResponseHeaderLayer;

const APP_CSS: &str = include_str!("../assets/app.css");
const UPLOAD_JS: &str = include_str!("../assets/upload.js");

/// The whole application: pages (behind the session layer), supplier links, API, assets.
pub fn app(state: AppState) -> Router {
    let (api, openapi) = api::routes();
    let openapi_json = openapi.to_pretty_json().unwrap_or_else(|_| "{}".into());
    let pages = pages::routes().layer(axum::middleware::from_fn_with_state(
        state.clone(),
        auth::session_layer,
    ));
    Router::new()
        .merge(pages)
        .merge(portal::routes())
        .merge(grievance_portal::routes())
        .merge(api)
        .route(
            "/api/openapi.json",
            get(move || async move { ([(header::CONTENT_TYPE, "application/json")], openapi_json.clone()) }),
        )
        .route("/assets/app.css", get(|| async { asset("text/css; charset=utf-8", APP_CSS) }))
        .route("/assets/upload.js", get(|| async { asset("text/javascript; charset=utf-8", UPLOAD_JS) }))
        .route("/healthz", get(|| async { "ok" }))
        // Bodies are bounded by `limits::guard` (uploads vs everything else).
        .layer(DefaultBodyLimit::max(state.config.max_upload_bytes))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::guard,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self'; frame-ancestors 'none'",
            ),
        ))
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

/// Serves the application until the process is stopped: HTTP/1.1 with a time limit on each
/// request's headers (slow clients), the client's address recorded for rate limits.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    pages::risk::spawn_daily_digest(&state);
    let header_timeout = state.config.header_timeout;
    let app = app(state);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of file descriptors and the like: wait, then go on accepting.
                eprintln!("oretrail-web: accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                    let mut req = req.map(axum::body::Body::new);
                    req.extensions_mut()
                        .insert(axum::extract::ConnectInfo(peer));
                    tower::ServiceExt::oneshot(app.clone(), req)
                });
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout);
            let _ = http
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .with_upgrades()
                .await;
        });
    }
}

/// Binds a listener (`127.0.0.1:8080`, `0.0.0.0:80`, `127.0.0.1:0` for any free port).
pub async fn bind(addr: &str) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr).await
}

/// Creates an admin when the store has no user yet (first start).
pub async fn create_first_admin(state: &AppState, name: &str, password: &str) -> Result<bool> {
    if db::users::count(&state.store).await? > 0 {
        return Ok(false);
    }
    if password.chars().count() < 10 {
        return Err(WebError::BadRequest(
            "the admin password needs at least 10 characters".into(),
        ));
    }
    let hash = auth::hash_password(password)?;
    db::users::create(&state.store, name, name, auth::Role::Admin, &hash).await?;
    db::audit::record(
        &state.store,
        "oretrail serve",
        "user.create",
        Some(name),
        Some("first admin"),
    )
    .await?;
    Ok(true)
}
