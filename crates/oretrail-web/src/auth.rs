//! Who is asking: roles, Argon2 password hashes, sessions (cookie), API tokens (bearer), and
//! CSRF protection of every form.
//!
//! [`session_layer`] runs before every page route: it loads the session named by the cookie
//! into the request and refuses any state-changing request whose CSRF token (header
//! `X-CSRF-Token`, query or form field `_csrf`) does not match the session's. Handlers then
//! state the role they need by their extractor: [`Viewer`], [`Analyst`] or [`Admin`] (pages),
//! [`ApiViewer`], [`ApiAnalyst`] (API).

use crate::db::{tokens, users};
use crate::error::{Result, WebError};
use crate::state::AppState;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde::{Deserialize, Serialize};

/// What a user may do.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read-only (auditors).
    Viewer,
    /// Works campaigns: uploads, requests, review.
    Analyst,
    /// Also manages users and API tokens.
    Admin,
}

impl Role {
    /// Every role, least first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Analyst, Role::Admin];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code.trim())
    }

    /// Whether this role includes `other`.
    pub fn allows(self, other: Role) -> bool {
        self >= other
    }
}

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ot_session";
/// Name of the sign-in form's double-submit cookie.
pub const LOGIN_COOKIE: &str = "ot_login";
/// How long a session lasts.
pub const SESSION_SECONDS: i64 = 12 * 3600;

/// A fresh random secret: 32 bytes as 64 hex digits.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| WebError::Internal(format!("random: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// SHA-256 of a secret, as stored.
pub fn secret_hash(secret: &str) -> String {
    oretrail_store::sha256_hex(secret.as_bytes())
}

/// Argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| WebError::Internal(format!("password hash: {e}")))
}

/// Whether a password matches a stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Checks a sign-in; the user when the password is right and the account enabled.
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<Option<users::User>> {
    let found = users::credentials(&state, username.trim()).await?;
    let Some((user, hash)) = found else {
        // Same work as a real check, so timing does not reveal which names exist.
        let _ = verify_password(password, dummy_hash());
        return Ok(None);
    };
    let ok = tokio::task::spawn_blocking({
        let password = password.to_string();
        move || verify_password(&password, &hash)
    })
    .await
    .map_err(|e| WebError::Internal(e.to_string()))?;
    Ok((ok && !user.disabled).then_some(user))
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("no such user").unwrap_or_default())
}

/// Starts a session: the cookie value (to set) and its CSRF token.
pub async fn start_session(state: &AppState, user_id: i64) -> Result<(String, String)> {
    let id = random_token()?;
    let csrf = random_token()?;
    users::create_session(
        &state.store,
        &secret_hash(&id),
        user_id,
        &csrf,
        SESSION_SECONDS,
    )
    .await?;
    Ok((id, csrf))
}

/// A `Set-Cookie` value.
pub fn cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// A cookie's value from request headers.
pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// A signed-in web user and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The user.
    pub user: users::User,
    /// The session's form token.
    pub csrf: String,
}

impl Signed {
    /// Name recorded in the audit log.
    pub fn actor(&self) -> &str {
        &self.user.username
    }
}

/// Loads the session into the request and enforces CSRF on state-changing requests.
pub async fn session_layer(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response> {
    let (mut parts, body) = request.into_parts();
    let signed = match cookie_value(&parts.headers, SESSION_COOKIE) {
        Some(id) if !id.is_empty() => users::session(&state, &secret_hash(&id))
            .await?
            .map(|(user, csrf)| Signed { user, csrf }),
        _ => None,
    };
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if safe || parts.uri.path() == "/login" {
        body
    } else {
        check_origin(&parts.headers)?;
        let Some(s) = &signed else {
            return Err(WebError::Unauthenticated);
        };
        let (ok, body) = csrf_matches(&parts, body, &s.csrf).await?;
        if !ok {
            return Err(WebError::Csrf);
        }
        body
    };
    parts.extensions.insert(signed);
    Ok(next.run(Request::from_parts(parts, body)).await)
}

/// Refuses a cross-site request by its `Origin` (when the browser sends one).
pub fn check_origin(headers: &HeaderMap) -> Result<()> {
    let (Some(origin), Some(host)) = (headers.get(header::ORIGIN), headers.get(header::HOST))
    else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("");
    let host = host.to_str().unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    if origin == "null" || origin_host != host {
        return Err(WebError::Csrf);
    }
    Ok(())
}

/// Whether the request carries the expected CSRF token; gives the body back.
async fn csrf_matches(parts: &Parts, body: Body, expected: &str) -> Result<(bool, Body)> {
    if let Some(h) = parts.headers.get("x-csrf-token") {
        return Ok((constant_time_eq(h.as_bytes(), expected.as_bytes()), body));
    }
    if let Some(q) = parts.uri.query()
        && let Some(v) = form_field(q.as_bytes(), "_csrf")
    {
        return Ok((constant_time_eq(v.as_bytes(), expected.as_bytes()), body));
    }
    let urlencoded = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !urlencoded {
        return Ok((false, body));
    }
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| crate::limits::body_error(&e, "form"))?;
    let ok = form_field(&bytes, "_csrf")
        .is_some_and(|v| constant_time_eq(v.as_bytes(), expected.as_bytes()));
    Ok((ok, Body::from(bytes)))
}

/// A field of an urlencoded form.
pub fn form_field(body: &[u8], name: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// Compares secrets without an early exit.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn signed_of(parts: &Parts) -> Result<Signed> {
    parts
        .extensions
        .get::<Option<Signed>>()
        .cloned()
        .flatten()
        .ok_or(WebError::Unauthenticated)
}

macro_rules! page_role {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Signed);

        impl FromRequestParts<AppState> for $name {
            type Rejection = WebError;

            async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self> {
                let signed = signed_of(parts)?;
                if !signed.user.role.allows($role) {
                    return Err(WebError::Forbidden);
                }
                Ok($name(signed))
            }
        }
    };
}

page_role!(
    /// A signed-in user of any role (pages that only read).
    Viewer,
    Role::Viewer
);
page_role!(
    /// An analyst or admin (pages that change campaign data).
    Analyst,
    Role::Analyst
);
page_role!(
    /// An admin (users, API tokens).
    Admin,
    Role::Admin
);

/// Who an API call acts as.
#[derive(Debug, Clone)]
pub struct Principal {
    /// Token ID.
    pub token_id: i64,
    /// Token name.
    pub name: String,
    /// Role.
    pub role: Role,
}

impl Principal {
    /// Name recorded in the audit log.
    pub fn actor(&self) -> String {
        format!("token:{}", self.name)
    }
}

async fn principal(parts: &Parts, state: &AppState) -> Result<Principal> {
    let token = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .ok_or(WebError::Unauthenticated)?;
    let (id, name, role) = tokens::authenticate(&state, &secret_hash(token))
        .await?
        .ok_or(WebError::Unauthenticated)?;
    if state.note_token_use(id) {
        tokens::touch(&state.store, id).await?;
    }
    Ok(Principal {
        token_id: id,
        name,
        role,
    })
}

macro_rules! api_role {
    ($(#[$doc:meta])* $name:ident, $role:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub Principal);

        impl FromRequestParts<AppState> for $name {
            type Rejection = crate::api::ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, crate::api::ApiError> {
                let p = principal(parts, state).await?;
                if !p.role.allows($role) {
                    return Err(WebError::Forbidden.into());
                }
                Ok($name(p))
            }
        }
    };
}

api_role!(
    /// An API token of any role.
    ApiViewer,
    Role::Viewer
);
api_role!(
    /// An API token of an analyst or admin.
    ApiAnalyst,
    Role::Analyst
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered() {
        assert!(Role::Admin.allows(Role::Analyst));
        assert!(Role::Analyst.allows(Role::Viewer));
        assert!(!Role::Viewer.allows(Role::Analyst));
        assert_eq!(Role::from_code("analyst"), Some(Role::Analyst));
        assert_eq!(Role::from_code("root"), None);
    }

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn cookies_and_forms() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; ot_session=abc".parse().expect("header"),
        );
        assert_eq!(cookie_value(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(
            form_field(b"x=1&_csrf=tok%20en", "_csrf").as_deref(),
            Some("tok en")
        );
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(cookie("n", "v", 60, true).contains("; Secure"));
        assert!(cookie("n", "v", 60, false).contains("HttpOnly; SameSite=Lax"));
    }
}
