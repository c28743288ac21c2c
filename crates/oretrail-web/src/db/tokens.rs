//! API tokens: stored as SHA-256 hashes, each with a role.

use crate::Result;
use crate::auth::Role;
use crate::db::Reader;
use crate::db::now;
use oretrail_store::Store;
use serde::Serialize;
use sqlx::Row;

/// An API token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    /// ID.
    pub id: i64,
    /// First characters, to recognise it.
    pub prefix: String,
    /// What it is for.
    pub name: String,
    /// Role it acts with.
    pub role: Role,
    /// Who made it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// Last use.
    pub last_used_at: Option<String>,
    /// When revoked.
    pub revoked_at: Option<String>,
}

/// Stores a token's hash.
pub async fn create(
    store: &Store,
    token_hash: &str,
    prefix: &str,
    name: &str,
    role: Role,
    created_by: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO web_api_tokens (token_hash, prefix, name, role, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(token_hash.to_string())
    .bind(prefix.to_string())
    .bind(name.to_string())
    .bind(role.code())
    .bind(created_by.to_string())
    .bind(now())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// The role and name of a live token, marking it used.
pub async fn authenticate(
    db: &impl Reader,
    token_hash: &str,
) -> Result<Option<(i64, String, Role)>> {
    let row = sqlx::query(
        "SELECT id, name, role FROM web_api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash.to_string())
    .fetch_optional(db.reader())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let role: String = r.try_get(2)?;
    let Some(role) = Role::from_code(&role) else {
        return Ok(None);
    };
    Ok(Some((r.try_get(0)?, r.try_get(1)?, role)))
}

/// Records a token's use (called at most once a minute per token by the caller).
pub async fn touch(store: &Store, id: i64) -> Result<()> {
    sqlx::query("UPDATE web_api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now())
        .bind(id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Every token, newest first.
pub async fn list(db: &impl Reader) -> Result<Vec<ApiToken>> {
    sqlx::query(
        "SELECT id, prefix, name, role, created_by, created_at, last_used_at, revoked_at \
         FROM web_api_tokens ORDER BY id DESC",
    )
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        let role: String = r.try_get(3)?;
        Ok(ApiToken {
            id: r.try_get(0)?,
            prefix: r.try_get(1)?,
            name: r.try_get(2)?,
            role: Role::from_code(&role).unwrap_or(Role::Viewer),
            created_by: r.try_get(4)?,
            created_at: r.try_get(5)?,
            last_used_at: r.try_get(6)?,
            revoked_at: r.try_get(7)?,
        })
    })
    .collect()
}

/// Revokes a token; false when it was not live.
pub async fn revoke(store: &Store, id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE web_api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}
