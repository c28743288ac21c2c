//! The audit log: who changed what, when.

use crate::Result;
use crate::db::Reader;
use crate::db::now;
use oretrail_store::Store;
use serde::Serialize;
use sqlx::Row;

/// One audit entry.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    /// ID (increasing).
    pub id: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Who: a user name, `token:NAME`, or `supplier-link:ERP`.
    pub actor: String,
    /// What ("upload", "campaign.create", ...).
    pub action: String,
    /// On what ("submission 12").
    pub target: Option<String>,
    /// Details.
    pub detail: Option<String>,
}

/// Writes an entry.
pub async fn record(
    store: &Store,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO web_audit_log (at, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now())
    .bind(actor.to_string())
    .bind(action.to_string())
    .bind(target.map(str::to_string))
    .bind(detail.map(str::to_string))
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A page of entries, newest first, optionally filtered by actor or action prefix.
pub async fn page(
    db: &impl Reader,
    actor: Option<&str>,
    action: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<AuditEntry>, i64)> {
    let filter = "($1 = '' OR actor = $1) AND ($2 = '' OR action LIKE $3)";
    let actor = actor.unwrap_or("").to_string();
    let action = action.unwrap_or("").to_string();
    let like = format!("{action}%");
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM web_audit_log WHERE {filter}"
    )))
    .bind(actor.clone())
    .bind(action.clone())
    .bind(like.clone())
    .fetch_one(db.reader())
    .await?
    .try_get(0)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id, at, actor, action, target, detail FROM web_audit_log WHERE {filter} \
         ORDER BY id DESC LIMIT $4 OFFSET $5"
    )))
    .bind(actor)
    .bind(action)
    .bind(like)
    .bind(limit)
    .bind(offset)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(AuditEntry {
            id: r.try_get(0)?,
            at: r.try_get(1)?,
            actor: r.try_get(2)?,
            action: r.try_get(3)?,
            target: r.try_get(4)?,
            detail: r.try_get(5)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    Ok((rows, total))
}
