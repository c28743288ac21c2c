//! Server-rendered pages (askama, auto-escaped). Handlers are thin: they check the role by
//! their extractor, call the SQL layer or a domain function, and render a template.

pub mod admin;
pub mod campaigns;
pub mod claims;
pub mod exports;
pub mod facilities;
pub mod overview;
pub mod programme;
pub mod reports;
pub mod review;
pub mod risk;
pub mod submissions;
pub mod suppliers;
pub mod upload;

use crate::auth::{self, LOGIN_COOKIE, SESSION_COOKIE, Signed, Viewer};
use crate::db::{audit, lists::Window, users};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;

/// The page routes (the session layer is added by [`crate::app`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/dashboard") }))
        .merge(risk::routes())
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/dashboard", get(overview::dashboard))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::show))
        .route("/campaigns/{id}/emails", post(campaigns::emails))
        .route("/requests/{id}/email", post(campaigns::email_one))
        .route("/requests/{id}/link", post(campaigns::create_link))
        .route("/requests/{id}/status", post(campaigns::set_status))
        .route("/links/{id}/revoke", post(campaigns::revoke_link))
        .route("/suppliers", get(suppliers::list))
        .route("/suppliers/{id}", get(suppliers::show))
        .route("/submissions", get(submissions::list))
        .route("/submissions/{id}", get(submissions::show))
        .route("/submissions/{id}/original", get(submissions::original))
        .route(
            "/submissions/{id}/feedback.xlsx",
            get(submissions::feedback),
        )
        .route("/upload", get(upload::form).post(upload::receive))
        .route("/facilities", get(facilities::list))
        .route("/facilities/{cid}", get(facilities::show))
        .route("/review", get(review::queue))
        .route("/review/facility", post(review::accept_facility))
        .route("/review/supplier", post(review::confirm_supplier))
        .route("/reports", get(reports::page).post(reports::generate))
        .route("/reports/compare", get(reports::compare))
        .route("/reports/{id}", get(reports::show))
        .route("/reports/{id}/download", get(reports::download))
        .route("/exports", get(exports::page))
        .route("/exports/template", get(exports::company_template))
        .route("/exports/{file}", get(exports::download))
        .route("/claims", get(claims::page))
        .route("/claims/follow-up", post(claims::follow_up))
        .route("/audit", get(overview::audit_log))
        .route("/admin", get(admin::show))
        .route("/admin/users", post(admin::create_user))
        .route("/admin/users/{id}/enable", post(admin::enable_user))
        .route("/admin/users/{id}/disable", post(admin::disable_user))
        .route("/admin/tokens", post(admin::create_token))
        .route("/admin/tokens/{id}/revoke", post(admin::revoke_token))
}

/// One navigation entry (empty label: separator).
#[derive(Debug, Clone)]
pub struct NavItem {
    /// Text.
    pub label: &'static str,
    /// Target.
    pub href: &'static str,
    /// Current page.
    pub on: bool,
    /// Count shown beside it.
    pub badge: i64,
}

/// What every page's frame shows.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Page title.
    pub title: String,
    /// User name shown.
    pub user: String,
    /// Role shown.
    pub role: &'static str,
    /// Form token.
    pub csrf: String,
    /// Navigation.
    pub nav: Vec<NavItem>,
    /// Message of the last action.
    pub flash: Option<String>,
}

impl Layout {
    /// The frame of a page for a signed-in user.
    pub async fn new(
        state: &AppState,
        s: &Signed,
        title: impl Into<String>,
        current: &str,
    ) -> Result<Layout> {
        let review = state.review_badge().await?;
        let mut nav = vec![
            ("Dashboard", "/dashboard"),
            ("Campaigns", "/campaigns"),
            ("Suppliers", "/suppliers"),
            ("Submissions", "/submissions"),
            ("Upload", "/upload"),
            ("Facilities", "/facilities"),
            ("Review queue", "/review"),
            ("Risk & cases", "/risk"),
            ("Reports", "/reports"),
            ("Exports", "/exports"),
            ("Claims", "/claims"),
            ("", ""),
            ("Audit log", "/audit"),
        ];
        if s.user.role == auth::Role::Admin {
            nav.push(("Users & API tokens", "/admin"));
        }
        Ok(Layout {
            title: title.into(),
            user: s.user.display_name.clone(),
            role: s.user.role.code(),
            csrf: s.csrf.clone(),
            nav: nav
                .into_iter()
                .map(|(label, href)| NavItem {
                    label,
                    href,
                    on: href == current,
                    badge: if href == "/review" { review } else { 0 },
                })
                .collect(),
            flash: None,
        })
    }

    /// With a flash message.
    pub fn flash(mut self, msg: Option<String>) -> Layout {
        self.flash = msg;
        self
    }
}

/// Renders a template into a response.
pub fn render(t: &impl Template) -> Result<Response> {
    Ok(Html(t.render()?).into_response())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: String,
    message: &'a str,
}

/// A plain error page.
pub fn error_page(status: StatusCode, message: &str) -> Html<String> {
    let page = ErrorPage {
        status: status.to_string(),
        message,
    };
    Html(page.render().unwrap_or_else(|_| format!("{status}")))
}

/// Query-string helper: the current parameters with some replaced, as `path?query`.
#[derive(Debug, Clone, Default)]
pub struct Query {
    path: String,
    params: Vec<(String, String)>,
}

impl Query {
    /// Parameters of a page (empty values left out).
    pub fn new(path: &str, params: &[(&str, String)]) -> Query {
        Query {
            path: path.to_string(),
            params: params
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        }
    }

    /// The URL with `key` set to `value` (and the page reset unless it is the page).
    pub fn with(&self, key: &str, value: &str) -> String {
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| k != key && (key == "page" || k != "page"))
            .cloned()
            .collect();
        params.push((key.to_string(), value.to_string()));
        format!(
            "{}?{}",
            self.path,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }

    /// The URL with a sort key (toggling the direction when already sorted by it).
    pub fn sorted(&self, key: &str, current: &str, desc: bool) -> String {
        let dir = if key == current && desc {
            "asc"
        } else {
            "desc"
        };
        let mut params: Vec<(String, String)> = self
            .params
            .iter()
            .filter(|(k, _)| k != "sort" && k != "dir" && k != "page")
            .cloned()
            .collect();
        params.push(("sort".into(), key.into()));
        params.push(("dir".into(), dir.into()));
        format!(
            "{}?{}",
            self.path,
            serde_urlencoded::to_string(&params).unwrap_or_default()
        )
    }
}

/// Page position and links.
#[derive(Debug, Clone)]
pub struct Pager {
    /// Current page (1-based).
    pub page: i64,
    /// Pages.
    pub pages: i64,
    /// Rows in total.
    pub total: i64,
    /// First row shown (1-based).
    pub from: i64,
    /// Last row shown.
    pub to: i64,
    /// Previous page link.
    pub prev: Option<String>,
    /// Next page link.
    pub next: Option<String>,
}

/// Rows per page of the lists.
pub const PER_PAGE: i64 = 50;

/// The window of a 1-based page.
pub fn window(page: Option<i64>, per: i64) -> (i64, Window) {
    let page = page.unwrap_or(1).max(1);
    (
        page,
        Window {
            limit: per,
            offset: (page - 1) * per,
        },
    )
}

impl Pager {
    /// The pager of a list.
    pub fn new(q: &Query, page: i64, per: i64, total: i64, shown: usize) -> Pager {
        let pages = ((total + per - 1) / per).max(1);
        let from = if shown == 0 { 0 } else { (page - 1) * per + 1 };
        Pager {
            page,
            pages,
            total,
            from,
            to: (page - 1) * per + shown as i64,
            prev: (page > 1).then(|| q.with("page", &(page - 1).to_string())),
            next: (page < pages).then(|| q.with("page", &(page + 1).to_string())),
        }
    }
}

/// A column head, sortable or not.
#[derive(Debug, Clone)]
pub struct Head {
    /// Text.
    pub label: &'static str,
    /// Sort link.
    pub href: Option<String>,
    /// Sorted by it.
    pub on: bool,
    /// "▲"/"▼" when sorted.
    pub arrow: &'static str,
    /// Right-aligned.
    pub num: bool,
}

/// Column heads: (label, sort key or "", numeric).
pub fn heads(q: &Query, cols: &[(&'static str, &str, bool)], sort: &str, desc: bool) -> Vec<Head> {
    cols.iter()
        .map(|(label, key, num)| {
            let on = !key.is_empty() && *key == sort;
            Head {
                label,
                href: (!key.is_empty()).then(|| q.sorted(key, sort, desc)),
                on,
                arrow: if on {
                    if desc { " ▼" } else { " ▲" }
                } else {
                    ""
                },
                num: *num,
            }
        })
        .collect()
}

/// Whether the direction parameter asks for descending order (default: `default_desc`).
pub fn is_desc(dir: Option<&str>, default_desc: bool) -> bool {
    match dir {
        Some("asc") => false,
        Some("desc") => true,
        _ => default_desc,
    }
}

/// Amount with thousands separators.
pub fn money(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A share as a percentage.
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Messages of the actions that redirect with `?done=CODE`.
pub fn done_message(code: Option<&str>) -> Option<String> {
    let text = match code? {
        "campaign" => "Campaign created; its scope is frozen into requests.",
        "link" => "Upload link created.",
        "revoked" => "Link revoked.",
        "status" => "Request status changed.",
        "facility" => "Decision saved and remembered for later files.",
        "supplier" => "Supplier confirmed.",
        "user" => "User created.",
        "user_state" => "User updated.",
        "token_revoked" => "API token revoked.",
        _ => return None,
    };
    Some(text.to_string())
}

/// Handlers' forms all carry the CSRF field (checked by the session layer).
#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    /// Form token.
    #[serde(rename = "_csrf")]
    pub csrf: String,
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    error: Option<String>,
}

/// The sign-in form (with a double-submit cookie against login CSRF).
pub async fn login_form(State(state): State<AppState>) -> Result<Response> {
    let csrf = auth::random_token()?;
    let page = LoginPage {
        csrf: csrf.clone(),
        error: None,
    };
    let mut resp = render(&page)?;
    set_cookie(
        &mut resp,
        &auth::cookie(LOGIN_COOKIE, &csrf, 3600, state.config.secure_cookies),
    );
    Ok(resp)
}

fn set_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = value.parse() {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Sign-in form fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(rename = "_csrf")]
    csrf: String,
    username: String,
    password: String,
}

/// Signs in: checks the form token and password, starts a session, logs it.
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response> {
    auth::check_origin(&headers)?;
    let cookie = auth::cookie_value(&headers, LOGIN_COOKIE).unwrap_or_default();
    if cookie.is_empty() || !auth::constant_time_eq(cookie.as_bytes(), f.csrf.as_bytes()) {
        return Err(WebError::Csrf);
    }
    match auth::sign_in(&state, &f.username, &f.password).await? {
        Some(user) => {
            let (id, _) = auth::start_session(&state, user.id).await?;
            audit::record(&state.store, &user.username, "session.sign_in", None, None).await?;
            let mut resp = Redirect::to("/dashboard").into_response();
            set_cookie(
                &mut resp,
                &auth::cookie(
                    SESSION_COOKIE,
                    &id,
                    auth::SESSION_SECONDS,
                    state.config.secure_cookies,
                ),
            );
            set_cookie(
                &mut resp,
                &auth::cookie(LOGIN_COOKIE, "", 0, state.config.secure_cookies),
            );
            Ok(resp)
        }
        None => {
            audit::record(
                &state.store,
                f.username.trim(),
                "session.sign_in_failed",
                None,
                None,
            )
            .await?;
            let page = LoginPage {
                csrf: f.csrf,
                error: Some("Wrong user name or password.".into()),
            };
            Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response())
        }
    }
}

/// Signs out.
pub async fn logout(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    headers: HeaderMap,
) -> Result<Response> {
    if let Some(id) = auth::cookie_value(&headers, SESSION_COOKIE) {
        users::delete_session(&state.store, &auth::secret_hash(&id)).await?;
    }
    audit::record(&state.store, s.actor(), "session.sign_out", None, None).await?;
    let mut resp = Redirect::to("/login").into_response();
    set_cookie(
        &mut resp,
        &auth::cookie(SESSION_COOKIE, "", 0, state.config.secure_cookies),
    );
    Ok(resp)
}

/// Campaign choices for a form: ID, name and whether it is the chosen one.
pub fn campaign_options(
    all: &[oretrail_store::campaigns::Campaign],
    chosen: Option<&oretrail_store::campaigns::Campaign>,
) -> Vec<(i64, String, bool)> {
    all.iter()
        .map(|c| {
            (
                c.id,
                c.spec.name.clone(),
                chosen.is_some_and(|x| x.id == c.id),
            )
        })
        .collect()
}

/// The campaign a page is about: the one asked for, else the newest.
pub async fn pick_campaign(
    state: &AppState,
    id: Option<i64>,
) -> Result<(
    Vec<oretrail_store::campaigns::Campaign>,
    Option<oretrail_store::campaigns::Campaign>,
)> {
    let all = oretrail_store::campaigns::list_campaigns(&state.store).await?;
    let chosen = match id {
        Some(id) => all.iter().find(|c| c.id == id).cloned(),
        None => all.first().cloned(),
    };
    Ok((all, chosen))
}
