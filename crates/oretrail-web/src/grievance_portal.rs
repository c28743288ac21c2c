//! The public grievance mechanism: anyone — a worker, a community member, an NGO — can raise a
//! grievance without an account, anonymously if they wish, at `/grievance`, and follow it at
//! `/grievance/status` with the reference and the secret code they were given. The forms are
//! protected by a double-submit cookie and the `Origin` check; nothing else is reachable.

use crate::auth;
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use oretrail_risk::Risk;
use oretrail_risk::db::grievances::{self, NewGrievance, PublicStatus};
use serde::Deserialize;

/// Name of the public forms' double-submit cookie.
pub const GRIEVANCE_COOKIE: &str = "ot_grievance";

/// The public routes (no session).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/grievance", get(form).post(submit))
        .route("/grievance/status", get(status_form).post(status))
}

#[derive(Template)]
#[template(path = "grievance_public.html")]
struct PublicPage {
    company: String,
    csrf: String,
    error: Option<String>,
    receipt: Option<(String, String)>,
    status: Option<PublicStatus>,
    lookup: bool,
}

fn page(state: &AppState, csrf: &str, lookup: bool) -> PublicPage {
    PublicPage {
        company: state.config.company_name.clone(),
        csrf: csrf.to_string(),
        error: None,
        receipt: None,
        status: None,
        lookup,
    }
}

fn with_cookie(state: &AppState, csrf: &str, body: String, code: StatusCode) -> Response {
    let mut resp = (code, Html(body)).into_response();
    if let Ok(v) = auth::cookie(GRIEVANCE_COOKIE, csrf, 3600, state.config.secure_cookies).parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    resp
}

fn check(headers: &HeaderMap, csrf: &str) -> Result<()> {
    auth::check_origin(headers)?;
    let cookie = auth::cookie_value(headers, GRIEVANCE_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !auth::constant_time_eq(cookie.as_bytes(), csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    Ok(())
}

/// The intake form.
pub async fn form(State(state): State<AppState>) -> Result<Response> {
    let csrf = auth::random_token()?;
    let body = page(&state, &csrf, false).render()?;
    Ok(with_cookie(&state, &csrf, body, StatusCode::OK))
}

/// Intake form fields.
#[derive(Debug, Deserialize)]
pub struct IntakeForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    summary: String,
    description: String,
    #[serde(default)]
    anonymous: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    concerns: String,
}

/// Takes a grievance in; shows the reference and the follow-up code once.
pub async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<IntakeForm>,
) -> Result<Response> {
    check(&headers, &f.csrf)?;
    let risk = Risk::open(&state.store).await?;
    let concerns = f.concerns.trim();
    let description = if concerns.is_empty() {
        f.description.clone()
    } else {
        format!(
            "{}\n\nConcerns (as given): {concerns}",
            f.description.trim()
        )
    };
    let anonymous = !f.anonymous.is_empty();
    let result = grievances::submit(
        &risk,
        &NewGrievance {
            received_on: None,
            channel: "public_link".into(),
            anonymous,
            reporter_name: Some(f.name.clone()),
            reporter_contact: Some(f.contact.clone()),
            summary: f.summary.clone(),
            description,
            supplier: None,
            facility: None,
            evidence: Vec::new(),
        },
        "public link",
    )
    .await;
    let mut p = page(&state, &f.csrf, false);
    match result {
        Ok((receipt, change)) => {
            crate::pages::risk::log(&state, "public link", &change).await?;
            p.receipt = Some((receipt.reference, receipt.follow_up_code));
            Ok(with_cookie(&state, &f.csrf, p.render()?, StatusCode::OK))
        }
        Err(oretrail_risk::RiskError::Invalid(m)) => {
            p.error = Some(m);
            Ok(with_cookie(
                &state,
                &f.csrf,
                p.render()?,
                StatusCode::BAD_REQUEST,
            ))
        }
        Err(e) => Err(e.into()),
    }
}

/// The follow-up form.
pub async fn status_form(State(state): State<AppState>) -> Result<Response> {
    let csrf = auth::random_token()?;
    let body = page(&state, &csrf, true).render()?;
    Ok(with_cookie(&state, &csrf, body, StatusCode::OK))
}

/// Follow-up form fields.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    reference: String,
    code: String,
}

/// The grievance's status for its reference and code (the same answer for a wrong code and an
/// unknown reference).
pub async fn status(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<StatusForm>,
) -> Result<Response> {
    check(&headers, &f.csrf)?;
    let risk = Risk::open(&state.store).await?;
    let mut p = page(&state, &f.csrf, true);
    match grievances::follow_up(&risk, &f.reference, &f.code).await? {
        Some(s) => p.status = Some(s),
        None => p.error = Some("No grievance matches this reference and code.".into()),
    }
    let code = if p.status.is_some() {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    Ok(with_cookie(&state, &f.csrf, p.render()?, code))
}
