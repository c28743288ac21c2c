//! Administration: local users (Argon2 password hashes, roles) and API tokens.

use super::{CsrfOnly, Layout, render};
use crate::auth::{self, Admin, Role};
use crate::db::audit;
use crate::db::tokens::{self, ApiToken};
use crate::db::users::{self, User};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query as Q, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    layout: Layout,
    users: Vec<User>,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct AdminParams {
    done: Option<String>,
}

/// Users and tokens.
pub async fn show(
    State(state): State<AppState>,
    Admin(s): Admin,
    Q(p): Q<AdminParams>,
) -> Result<Response> {
    let page = AdminPage {
        layout: Layout::new(&state, &s, "Users & API tokens", "/admin")
            .await?
            .flash(super::done_message(p.done.as_deref())),
        users: users::list(&state).await?,
        tokens: tokens::list(&state).await?,
        new_token: None,
    };
    render(&page)
}

/// New user form.
#[derive(Debug, Deserialize)]
pub struct UserForm {
    username: String,
    display_name: String,
    password: String,
    role: String,
}

/// Creates a user.
pub async fn create_user(
    State(state): State<AppState>,
    Admin(s): Admin,
    Form(f): Form<UserForm>,
) -> Result<Response> {
    let role =
        Role::from_code(&f.role).ok_or_else(|| WebError::BadRequest("unknown role".into()))?;
    let username = f.username.trim();
    if username.is_empty() || f.password.chars().count() < 10 {
        return Err(WebError::BadRequest(
            "a user needs a name and a password of at least 10 characters".into(),
        ));
    }
    let hash = auth::hash_password(&f.password)?;
    let display = if f.display_name.trim().is_empty() {
        username
    } else {
        f.display_name.trim()
    };
    let id = users::create(&state.store, username, display, role, &hash).await?;
    audit::record(
        &state.store,
        s.actor(),
        "user.create",
        Some(&format!("user {id}")),
        Some(&format!("{username} as {}", role.code())),
    )
    .await?;
    Ok(Redirect::to("/admin?done=user").into_response())
}

async fn set_user(state: &AppState, actor: &str, id: i64, disabled: bool) -> Result<Response> {
    users::set_disabled(&state.store, id, disabled).await?;
    audit::record(
        &state.store,
        actor,
        if disabled {
            "user.disable"
        } else {
            "user.enable"
        },
        Some(&format!("user {id}")),
        None,
    )
    .await?;
    Ok(Redirect::to("/admin?done=user_state").into_response())
}

/// Disables a user (and ends its sessions).
pub async fn disable_user(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response> {
    if id == s.user.id {
        return Err(WebError::BadRequest("you cannot disable yourself".into()));
    }
    set_user(&state, s.actor(), id, true).await
}

/// Enables a user.
pub async fn enable_user(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response> {
    set_user(&state, s.actor(), id, false).await
}

/// New token form.
#[derive(Debug, Deserialize)]
pub struct TokenForm {
    name: String,
    role: String,
}

/// Creates an API token and shows it once.
pub async fn create_token(
    State(state): State<AppState>,
    Admin(s): Admin,
    Form(f): Form<TokenForm>,
) -> Result<Response> {
    let role =
        Role::from_code(&f.role).ok_or_else(|| WebError::BadRequest("unknown role".into()))?;
    let name = f.name.trim();
    if name.is_empty() {
        return Err(WebError::BadRequest("a token needs a name".into()));
    }
    let secret = format!("ot_{}", auth::random_token()?);
    let id = tokens::create(
        &state.store,
        &auth::secret_hash(&secret),
        &secret[..11],
        name,
        role,
        s.actor(),
    )
    .await?;
    audit::record(
        &state.store,
        s.actor(),
        "token.create",
        Some(&format!("token {id}")),
        Some(&format!("{name} as {}", role.code())),
    )
    .await?;
    let page = AdminPage {
        layout: Layout::new(&state, &s, "Users & API tokens", "/admin").await?,
        users: users::list(&state).await?,
        tokens: tokens::list(&state).await?,
        new_token: Some(secret),
    };
    render(&page)
}

/// Revokes an API token.
pub async fn revoke_token(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response> {
    if tokens::revoke(&state.store, id).await? {
        audit::record(
            &state.store,
            s.actor(),
            "token.revoke",
            Some(&format!("token {id}")),
            None,
        )
        .await?;
    }
    Ok(Redirect::to("/admin?done=token_revoked").into_response())
}
