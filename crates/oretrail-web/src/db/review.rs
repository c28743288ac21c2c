//! The review queue's reads and writes: unresolved or unsure Smelter List rows (grouped by metal
//! and typed name), and submissions whose supplier is unsure.

use crate::Result;
use crate::db::lists::{SubmissionLine, Window};
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

const QUEUE: &str = "FROM submission_smelters ss JOIN submissions b ON b.id = ss.submission_id \
     WHERE b.superseded_by IS NULL AND ss.name_key <> '' AND ss.entry_kind <> 'not_yet_identified' \
     AND (ss.method = 'unresolved' OR (ss.method = 'fuzzy' AND ss.confidence < $1))";

/// A page of the smelter review queue, most frequent names first.
pub async fn smelter_queue(store: &Store, w: Window) -> Result<(Vec<ReviewItem>, i64)> {
    let total: i64 = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM (SELECT ss.metal_key, ss.name_key {QUEUE} \
         GROUP BY ss.metal_key, ss.name_key) t"
    )))
    .bind(LOW_CONFIDENCE)
    .fetch_one(store.pool())
    .await?
    .try_get(0)?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT ss.metal_key, ss.name_key, min(ss.metal), min(ss.name), min(ss.country), count(*), \
         count(DISTINCT b.supplier_id), min(ss.submission_id), max(ss.confidence), max(ss.method), \
         min(ss.cid) {QUEUE} GROUP BY ss.metal_key, ss.name_key \
         ORDER BY count(*) DESC, ss.metal_key, ss.name_key LIMIT $2 OFFSET $3"
    )))
    .bind(LOW_CONFIDENCE)
    .bind(w.limit)
    .bind(w.offset)
    .fetch_all(store.pool())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for r in &rows {
        let metal_key: String = r.try_get(0)?;
        let name_key: String = r.try_get(1)?;
        let submission_id: i64 = r.try_get(7)?;
        let row: i64 = sqlx::query(
            "SELECT min(sheet_row) FROM submission_smelters WHERE submission_id = $1 \
             AND metal_key = $2 AND name_key = $3",
        )
        .bind(submission_id)
        .bind(metal_key.clone())
        .bind(name_key.clone())
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
        items.push(ReviewItem {
            metal_key,
            name_key,
            metal: r.try_get(2)?,
            name: r.try_get(3)?,
            country: r.try_get(4)?,
            rows: r.try_get(5)?,
            suppliers: r.try_get(6)?,
            submission_id,
            row,
            confidence: r.try_get(8)?,
            method: r.try_get(9)?,
            cid: r.try_get(10)?,
        });
    }
    Ok((items, total))
}

/// Number of names in the smelter review queue.
pub async fn smelter_queue_len(store: &Store) -> Result<i64> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM (SELECT ss.metal_key, ss.name_key {QUEUE} \
         GROUP BY ss.metal_key, ss.name_key) t"
    )))
    .bind(LOW_CONFIDENCE)
    .fetch_one(store.pool())
    .await?
    .try_get(0)?)
}

/// The stored report JSON of a submission.
pub async fn report_json(store: &Store, submission_id: i64) -> Result<Option<String>> {
    Ok(
        sqlx::query("SELECT report_json FROM submissions WHERE id = $1")
            .bind(submission_id)
            .fetch_optional(store.pool())
            .await?
            .map(|r| r.try_get::<Option<String>, _>(0))
            .transpose()?
            .flatten(),
    )
}

/// Applies an analyst's decision to every stored row with this metal and typed name that is
/// unresolved or fuzzily resolved; returns how many rows changed.
pub async fn resolve_rows(
    store: &Store,
    metal_key: &str,
    name_key: &str,
    cid: &str,
    canonical_name: &str,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE submission_smelters SET cid = $1, canonical_name = $2, method = 'manual', \
         confidence = 1.0 WHERE metal_key = $3 AND name_key = $4 \
         AND (method = 'unresolved' OR method = 'fuzzy')",
    )
    .bind(cid.to_string())
    .bind(canonical_name.to_string())
    .bind(metal_key.to_string())
    .bind(name_key.to_string())
    .execute(store.pool())
    .await?;
    Ok(done.rows_affected())
}

/// Current submissions whose supplier must be confirmed.
pub async fn supplier_queue(store: &Store, w: Window) -> Result<(Vec<SubmissionLine>, i64)> {
    let f = crate::db::lists::SubmissionFilter {
        status: "needs_review".into(),
        current_only: true,
        ..Default::default()
    };
    crate::db::lists::submissions(store, &f, "received", true, w).await
}
