//! Local users and their sessions.

use crate::Result;
use crate::auth::Role;
use crate::db::Reader;
use crate::db::{now, timestamp};
use oretrail_store::Store;
use serde::Serialize;
use sqlx::Row;

/// A user as stored (without the password hash).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    /// ID.
    pub id: i64,
    /// Sign-in name.
    pub username: String,
    /// Name shown.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Whether sign-in is refused.
    pub disabled: bool,
}

fn user_of(r: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = r.try_get(3)?;
    Ok(User {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: Role::from_code(&role).unwrap_or(Role::Viewer),
        disabled: r.try_get::<i64, _>(4)? != 0,
    })
}

/// Creates a user; the password hash is computed by the caller.
pub async fn create(
    store: &Store,
    username: &str,
    display_name: &str,
    role: Role,
    password_hash: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO web_users (username, password_hash, role, display_name, disabled, created_at) \
         VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
    )
    .bind(username.to_string())
    .bind(password_hash.to_string())
    .bind(role.code())
    .bind(display_name.to_string())
    .bind(now())
    .fetch_one(store.pool())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            crate::WebError::BadRequest(format!("a user named '{username}' already exists"))
        }
        _ => e.into(),
    })?;
    Ok(row.try_get(0)?)
}

/// The user and password hash for a sign-in name.
pub async fn credentials(db: &impl Reader, username: &str) -> Result<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT id, username, display_name, role, disabled, password_hash FROM web_users \
         WHERE username = $1",
    )
    .bind(username.to_string())
    .fetch_optional(db.reader())
    .await?;
    match row {
        Some(r) => Ok(Some((user_of(&r)?, r.try_get(5)?))),
        None => Ok(None),
    }
}

/// Every user, by name.
pub async fn list(db: &impl Reader) -> Result<Vec<User>> {
    sqlx::query(
        "SELECT id, username, display_name, role, disabled FROM web_users ORDER BY username",
    )
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(user_of)
    .collect()
}

/// Number of users.
pub async fn count(db: &impl Reader) -> Result<i64> {
    Ok(sqlx::query("SELECT count(*) FROM web_users")
        .fetch_one(db.reader())
        .await?
        .try_get(0)?)
}

/// Enables or disables a user (and ends its sessions when disabling).
pub async fn set_disabled(store: &Store, user_id: i64, disabled: bool) -> Result<()> {
    sqlx::query("UPDATE web_users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(user_id)
        .execute(store.pool())
        .await?;
    if disabled {
        sqlx::query("DELETE FROM web_sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(store.pool())
            .await?;
    }
    Ok(())
}

/// Stores a new session (by the hash of its cookie value).
pub async fn create_session(
    store: &Store,
    id_hash: &str,
    user_id: i64,
    csrf: &str,
    lifetime_secs: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO web_sessions (id_hash, user_id, csrf, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id_hash.to_string())
    .bind(user_id)
    .bind(csrf.to_string())
    .bind(now())
    .bind(timestamp(lifetime_secs))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The live session's user and CSRF token.
pub async fn session(db: &impl Reader, id_hash: &str) -> Result<Option<(User, String)>> {
    let row = sqlx::query(
        "SELECT u.id, u.username, u.display_name, u.role, u.disabled, s.csrf \
         FROM web_sessions s JOIN web_users u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
    )
    .bind(id_hash.to_string())
    .bind(now())
    .fetch_optional(db.reader())
    .await?;
    match row {
        Some(r) => Ok(Some((user_of(&r)?, r.try_get(5)?))),
        None => Ok(None),
    }
}

/// Ends a session.
pub async fn delete_session(store: &Store, id_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM web_sessions WHERE id_hash = $1 OR expires_at < $2")
        .bind(id_hash.to_string())
        .bind(now())
        .execute(store.pool())
        .await?;
    Ok(())
}
