//! A campaign as it stood at the end of a day: each request's status from its history, and the
//! submissions linked to suppliers and received by then (superseding by receipt time, so a
//! later file is invisible before its day and replaces the earlier one from it on).

use crate::Store;
use crate::campaigns::RequestStatus;
use crate::error::Result;
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// The end of a day as a stored timestamp bound (`at < bound` means "on or before the day").
fn end_of(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", (day + Duration::days(1)).format("%Y-%m-%d"))
}

/// Each request's status at the end of `as_of`, by request ID (requests without an event by
/// then are absent: they were still to be sent).
pub async fn request_statuses_as_of(
    store: &Store,
    campaign_id: i64,
    as_of: NaiveDate,
) -> Result<HashMap<i64, RequestStatus>> {
    let mut out = HashMap::new();
    for r in sqlx::query(
        "SELECT e.request_id, e.status FROM request_events e JOIN requests r ON r.id = e.request_id \
         WHERE r.campaign_id = $1 AND e.at < $2 ORDER BY e.at, e.id",
    )
    .bind(campaign_id)
    .bind(end_of(as_of))
    .fetch_all(store.pool())
    .await?
    {
        let status: String = r.try_get(1)?;
        if let Some(s) = RequestStatus::from_code(&status) {
            out.insert(r.try_get::<i64, _>(0)?, s);
        }
    }
    Ok(out)
}

/// A supplier's latest readable submission received by a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DatedSubmission {
    /// Submission ID.
    pub id: i64,
    /// When received (stored timestamp).
    pub received_at: String,
}

/// What a supplier had sent in a campaign by the end of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SupplierSubmissionAsOf {
    /// Supplier ID.
    pub supplier_id: i64,
    /// Its latest submission with a readable report received by then (`None`: only unreadable
    /// files).
    pub latest_readable: Option<DatedSubmission>,
}

/// Per supplier (by ID, ascending) that sent any linked submission in the campaign by the end
/// of `as_of`: its latest readable one then (latest by receipt time, then ID).
pub async fn latest_linked_submissions_as_of(
    store: &Store,
    campaign_id: i64,
    as_of: NaiveDate,
) -> Result<Vec<SupplierSubmissionAsOf>> {
    let mut out: BTreeMap<i64, Option<DatedSubmission>> = BTreeMap::new();
    for r in sqlx::query(
        "SELECT id, supplier_id, received_at, CASE WHEN report_json IS NULL THEN 0 ELSE 1 END \
         FROM submissions WHERE campaign_key = $1 AND link_state = 'linked' \
         AND supplier_id IS NOT NULL AND received_at < $2 ORDER BY received_at, id",
    )
    .bind(campaign_id)
    .bind(end_of(as_of))
    .fetch_all(store.pool())
    .await?
    {
        let id: i64 = r.try_get(0)?;
        let supplier: i64 = r.try_get(1)?;
        let latest = out.entry(supplier).or_default();
        if r.try_get::<i64, _>(3)? == 1 {
            *latest = Some(DatedSubmission {
                id,
                received_at: r.try_get(2)?,
            });
        }
    }
    Ok(out
        .into_iter()
        .map(|(supplier_id, latest_readable)| SupplierSubmissionAsOf {
            supplier_id,
            latest_readable,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_ends_at_the_next_midnight() {
        let d = NaiveDate::from_ymd_opt(2025, 12, 31).expect("date");
        assert_eq!(end_of(d), "2026-01-01T00:00:00Z");
    }
}
