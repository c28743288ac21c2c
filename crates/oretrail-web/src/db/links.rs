//! Supplier upload links (one capability URL per campaign request) and what came through them.

use crate::Result;
use crate::db::Reader;
use crate::db::now;
use oretrail_store::Store;
use serde::Serialize;
use sqlx::Row;

/// An upload link with the request it opens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UploadLink {
    /// ID.
    pub id: i64,
    /// The secret in the URL.
    pub token: String,
    /// Campaign request.
    pub request_id: i64,
    /// Form token of the supplier page.
    pub csrf: String,
    /// Default language of the supplier page.
    pub language: String,
    /// Expiry (RFC 3339 UTC).
    pub expires_at: String,
    /// When revoked.
    pub revoked_at: Option<String>,
    /// Campaign ID.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign_name: String,
    /// Campaign deadline.
    pub deadline: Option<String>,
    /// Campaign's accepted families (JSON map).
    pub families: String,
    /// Supplier ID.
    pub supplier_id: i64,
    /// Supplier ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Request status.
    pub request_status: String,
}

impl UploadLink {
    /// Whether the link opens its page now.
    pub fn is_live(&self) -> bool {
        self.revoked_at.is_none() && self.expires_at > now()
    }
}

const LINK_SELECT: &str = "SELECT l.id, l.token, l.request_id, l.csrf, l.language, l.expires_at, \
     l.revoked_at, c.id, c.name, c.deadline, c.families, s.id, s.erp_id, s.name, r.status \
     FROM web_upload_links l JOIN requests r ON r.id = l.request_id \
     JOIN campaigns c ON c.id = r.campaign_id JOIN suppliers s ON s.id = r.supplier_id";

fn link_of(r: &sqlx::any::AnyRow) -> Result<UploadLink> {
    Ok(UploadLink {
        id: r.try_get(0)?,
        token: r.try_get(1)?,
        request_id: r.try_get(2)?,
        csrf: r.try_get(3)?,
        language: r.try_get(4)?,
        expires_at: r.try_get(5)?,
        revoked_at: r.try_get(6)?,
        campaign_id: r.try_get(7)?,
        campaign_name: r.try_get(8)?,
        deadline: r.try_get(9)?,
        families: r.try_get(10)?,
        supplier_id: r.try_get(11)?,
        erp_id: r.try_get(12)?,
        supplier_name: r.try_get(13)?,
        request_status: r.try_get(14)?,
    })
}

/// Creates a link for a request.
#[allow(clippy::too_many_arguments)]
pub async fn create(
    store: &Store,
    token: &str,
    request_id: i64,
    csrf: &str,
    language: &str,
    created_by: &str,
    expires_at: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO web_upload_links (token, request_id, csrf, language, created_by, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(token.to_string())
    .bind(request_id)
    .bind(csrf.to_string())
    .bind(language.to_string())
    .bind(created_by.to_string())
    .bind(now())
    .bind(expires_at.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// The link with this token (live or not).
pub async fn by_token(db: &impl Reader, token: &str) -> Result<Option<UploadLink>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LINK_SELECT} WHERE l.token = $1"
    )))
    .bind(token.to_string())
    .fetch_optional(db.reader())
    .await?
    .as_ref()
    .map(link_of)
    .transpose()
}

/// The link with this ID.
pub async fn by_id(db: &impl Reader, id: i64) -> Result<Option<UploadLink>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LINK_SELECT} WHERE l.id = $1"
    )))
    .bind(id)
    .fetch_optional(db.reader())
    .await?
    .as_ref()
    .map(link_of)
    .transpose()
}

/// The newest live link of each request of a campaign.
pub async fn live_of_campaign(db: &impl Reader, campaign_id: i64) -> Result<Vec<UploadLink>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{LINK_SELECT} WHERE r.campaign_id = $1 AND l.revoked_at IS NULL AND l.expires_at > $2 \
         ORDER BY l.id"
    )))
    .bind(campaign_id)
    .bind(now())
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(link_of)
    .collect()
}

/// Revokes a link; false when it was already revoked.
pub async fn revoke(store: &Store, id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE web_upload_links SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(id)
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// One upload made through a link.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PortalUpload {
    /// ID.
    pub id: i64,
    /// Submission created (none when the file was not stored).
    pub submission_id: Option<i64>,
    /// File name.
    pub file_name: String,
    /// When.
    pub at: String,
    /// Outcome code.
    pub outcome: String,
    /// Problems, JSON array of `Problem`.
    pub problems_json: String,
}

/// Records an upload made through a link.
pub async fn record_upload(
    store: &Store,
    link_id: i64,
    submission_id: Option<i64>,
    file_name: &str,
    outcome: &str,
    problems_json: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO web_portal_uploads (link_id, submission_id, file_name, at, outcome, problems_json) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(link_id)
    .bind(submission_id)
    .bind(file_name.to_string())
    .bind(now())
    .bind(outcome.to_string())
    .bind(problems_json.to_string())
    .fetch_one(store.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// Uploads made through a link, newest first.
pub async fn uploads(db: &impl Reader, link_id: i64) -> Result<Vec<PortalUpload>> {
    sqlx::query(
        "SELECT id, submission_id, file_name, at, outcome, problems_json FROM web_portal_uploads \
         WHERE link_id = $1 ORDER BY id DESC LIMIT 20",
    )
    .bind(link_id)
    .fetch_all(db.reader())
    .await?
    .iter()
    .map(|r| {
        Ok(PortalUpload {
            id: r.try_get(0)?,
            submission_id: r.try_get(1)?,
            file_name: r.try_get(2)?,
            at: r.try_get(3)?,
            outcome: r.try_get(4)?,
            problems_json: r.try_get(5)?,
        })
    })
    .collect()
}
