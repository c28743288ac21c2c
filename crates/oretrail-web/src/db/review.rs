//! The review queue's reads and writes: unresolved or unsure Smelter List rows (grouped by metal
//! and typed name), and submissions whose supplier is unsure.

use crate::Result;
use crate::db::lists::{SubmissionLine, Window};
use crate::db::{Reader, narrow_submissions};
use oretrail_store::Store;
use serde::Serialize;
use sqlx::Row;

/// Fuzzy resolutions below this confidence are queued for review.
pub const LOW_CONFIDENCE: f64 = 0.9;

/// One typed name (per metal) waiting for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct ReviewItem {
    /// Metal key.
    pub metal_key: String,
    /// Name key (normalised typed name).
    pub name_key: String,
    /// Metal as written.
    pub metal: Option<String>,
    /// Name as typed (one example).
    pub name: Option<String>,
    /// Country as declared (one example).
    pub country: Option<String>,
    /// Rows with this name.
    pub rows: i64,
    /// Suppliers naming it.
    pub suppliers: i64,
    /// A submission with such a row (for its candidates).
    pub submission_id: i64,
    /// That row.
    pub row: i64,
    /// Best confidence so far.
    pub confidence: f64,
    /// "unresolved" or "fuzzy".
    pub method: String,
    /// The fuzzy match's CID.
    pub cid: Option<String>,
}

/// Every name (per metal) waiting for a decision, most frequent first: current submissions'
/// rows that resolved to nothing or only by a weak fuzzy match. Rows come from the partial
/// queue index, submissions from the narrow index; the example row of each name is the first
/// of its first submission. The caller caches the result ([`crate::AppState::review_queue`]).
pub async fn smelter_queue(db: &impl Reader) -> Result<Vec<ReviewItem>> {
    let narrow = narrow_submissions(db.backend());
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "WITH q AS (SELECT ss.metal_key, ss.name_key, min(ss.metal) AS metal, min(ss.name) AS name, \
           min(ss.country) AS country, count(*) AS n, count(DISTINCT b.supplier_id) AS suppliers, \
           min(ss.submission_id) AS sub, max(ss.confidence) AS confidence, max(ss.method) AS method, \
           min(ss.cid) AS cid \
         FROM submission_smelters ss JOIN submissions b {narrow} ON b.id = ss.submission_id \
         WHERE ss.method IN ('unresolved', 'fuzzy') \
           AND (ss.method = 'unresolved' OR ss.confidence < $1) \
           AND b.superseded_by IS NULL AND ss.name_key <> '' \
           AND ss.entry_kind <> 'not_yet_identified' \
         GROUP BY ss.metal_key, ss.name_key) \
         SELECT q.metal_key, q.name_key, q.metal, q.name, q.country, q.n, q.suppliers, q.sub, \
           (SELECT min(x.sheet_row) FROM submission_smelters x WHERE x.submission_id = q.sub \
             AND x.metal_key = q.metal_key AND x.name_key = q.name_key), \
           q.confidence, q.method, q.cid \
         FROM q ORDER BY q.n DESC, q.metal_key, q.name_key"
    )))
    .bind(LOW_CONFIDENCE)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReviewItem {
                metal_key: r.try_get(0)?,
                name_key: r.try_get(1)?,
                metal: r.try_get(2)?,
                name: r.try_get(3)?,
                country: r.try_get(4)?,
                rows: r.try_get(5)?,
                suppliers: r.try_get(6)?,
                submission_id: r.try_get(7)?,
                row: r.try_get(8)?,
                confidence: r.try_get(9)?,
                method: r.try_get(10)?,
                cid: r.try_get(11)?,
            })
        })
        .collect()
}

/// The stored report JSON of a submission.
pub async fn report_json(db: &impl Reader, submission_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT report_json FROM submissions WHERE id = $1")
            .bind(submission_id)
            .fetch_optional(db.reader())
            .await?
            .map(|r| r.try_get::<Option<String>, _>(0))
            .transpose()?
            .flatten(),
    )
}

/// Applies an analyst's decision to every stored row with this metal and typed name that is
/// unresolved or fuzzily resolved — CID, name, method and the facility's small integer
/// (`facility_refs`, created when the facility is new to the store, as the store's writer does),
/// so that roll-ups count the rows under the facility; returns how many rows changed.
pub async fn resolve_rows(
    store: &Store,
    metal: &str,
    metal_key: &str,
    name_key: &str,
    cid: &str,
    canonical_name: &str,
) -> Result<u64> {
    let mut tx = store.pool().begin().await?;
    sqlx::query(
        "INSERT INTO facility_refs (metal_key, cid, metal, name, country) \
         VALUES ($1, $2, $3, $4, NULL) ON CONFLICT (metal_key, cid) DO NOTHING",
    )
    .bind(metal_key.to_string())
    .bind(cid.to_string())
    .bind(metal.to_string())
    .bind(canonical_name.to_string())
    .execute(&mut *tx)
    .await?;
    let done = sqlx::query(
        "UPDATE submission_smelters SET cid = $1, canonical_name = $2, method = 'manual', \
         confidence = 1.0, \
         facility_ref = (SELECT f.id FROM facility_refs f WHERE f.metal_key = $3 AND f.cid = $1) \
         WHERE metal_key = $3 AND name_key = $4 AND (method = 'unresolved' OR method = 'fuzzy')",
    )
    .bind(cid.to_string())
    .bind(canonical_name.to_string())
    .bind(metal_key.to_string())
    .bind(name_key.to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(done.rows_affected())
}

/// Current submissions whose supplier must be confirmed.
pub async fn supplier_queue(db: &impl Reader, w: Window) -> Result<(Vec<SubmissionLine>, i64)> {
    let f = crate::db::lists::SubmissionFilter {
        status: "needs_review".into(),
        current_only: true,
        ..Default::default()
    };
    crate::db::lists::submissions(db, &f, "received", true, w).await
}
