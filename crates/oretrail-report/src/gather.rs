//! Reads what reports need from the store: the campaign's status and roll-up (through the
//! store's own functions) and its current submissions with what they declared (one query on
//! the store's tables, kept here until the store offers it).

use crate::declaration::{CampaignResults, FacilityEntry, ResponseCount, SupplierResponse};
use crate::error::Result;
use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_store::Store;
use oretrail_store::campaigns::Campaign;
use oretrail_store::coverage::{CampaignStatus, campaign_status};
use oretrail_store::rollup::{Rollup, rollup};
use oretrail_template::SupplierReport;
use serde::Serialize;
use sqlx::Row;

/// A campaign's current (not superseded) submission linked to a supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CurrentSubmission {
    /// Submission ID.
    pub id: i64,
    /// SHA-256 of the original file.
    pub sha256: String,
    /// File name as received.
    pub original_name: String,
    /// When received.
    pub received_at: String,
    /// Supplier ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Family and version ("CMRT 6.5").
    pub template: Option<String>,
    /// Declared effective date.
    pub effective_date: Option<NaiveDate>,
    /// Verdict ("accepted", "rejected", "needs_review").
    pub status: String,
    /// Why (rejections).
    pub status_reason: Option<String>,
    /// Errors, warnings found.
    pub errors: i64,
    /// Warnings found.
    pub warnings: i64,
    /// What the file declared (absent for unreadable files).
    #[serde(skip)]
    pub report: Option<SupplierReport>,
}

/// The current linked submissions of a campaign, by supplier ERP ID.
pub async fn current_submissions(
    store: &Store,
    campaign_id: i64,
) -> Result<Vec<CurrentSubmission>> {
    let rows = sqlx::query(
        "SELECT b.id, b.file_sha256, b.original_name, b.received_at, s.erp_id, s.name, b.family, \
         b.version, b.effective_date, b.status, b.status_reason, b.error_count, b.warning_count, \
         b.report_json FROM submissions b JOIN suppliers s ON s.id = b.supplier_id \
         WHERE b.campaign_key = $1 AND b.superseded_by IS NULL AND b.link_state = 'linked' \
         ORDER BY s.erp_id, b.id",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let family: Option<String> = r.try_get(6)?;
        let version: Option<String> = r.try_get(7)?;
        let effective: Option<String> = r.try_get(8)?;
        let json: Option<String> = r.try_get(13)?;
        out.push(CurrentSubmission {
            id: r.try_get(0)?,
            sha256: r.try_get(1)?,
            original_name: r.try_get(2)?,
            received_at: r.try_get(3)?,
            erp_id: r.try_get(4)?,
            supplier_name: r.try_get(5)?,
            template: family.map(|f| format!("{f} {}", version.unwrap_or_default())),
            effective_date: effective.and_then(|d| {
                NaiveDate::parse_from_str(d.get(..10).unwrap_or(&d), "%Y-%m-%d").ok()
            }),
            status: r.try_get(9)?,
            status_reason: r.try_get(10)?,
            errors: r.try_get(11)?,
            warnings: r.try_get(12)?,
            report: json.and_then(|j| serde_json::from_str(&j).ok()),
        });
    }
    Ok(out)
}

/// A campaign's status, roll-up as of a date, and current submissions.
#[derive(Debug, Clone)]
pub struct CampaignData {
    /// The campaign.
    pub campaign: Campaign,
    /// Coverage, response rate, problems.
    pub status: CampaignStatus,
    /// Facilities as of the date.
    pub rollup: Rollup,
    /// Current linked submissions.
    pub submissions: Vec<CurrentSubmission>,
}

/// Gathers a campaign's data as of a date.
pub async fn campaign_data(
    store: &Store,
    campaign: &Campaign,
    as_of: NaiveDate,
) -> Result<CampaignData> {
    let status = campaign_status(store, campaign).await?;
    let rollup = rollup(store, campaign.id, &campaign.spec.name, as_of).await?;
    let submissions = current_submissions(store, campaign.id).await?;
    Ok(CampaignData {
        campaign: campaign.clone(),
        status,
        rollup,
        submissions,
    })
}

impl CampaignData {
    /// The results the company's declaration is derived from.
    pub fn results(&self) -> CampaignResults {
        let count = |c: &oretrail_store::coverage::Coverage| ResponseCount {
            relevant: c.suppliers,
            responded: c.accepted,
        };
        CampaignResults {
            campaign: self.campaign.spec.name.clone(),
            commodities: self
                .status
                .per_mineral
                .iter()
                .map(|c| metal_key(&c.mineral))
                .collect(),
            responses: self
                .submissions
                .iter()
                .filter(|s| s.status == "accepted")
                .filter_map(|s| {
                    s.report
                        .as_ref()
                        .map(|r| SupplierResponse::from_report(&s.erp_id, r))
                })
                .collect(),
            response_by_mineral: self
                .status
                .per_mineral
                .iter()
                .map(|c| (metal_key(&c.mineral), count(c)))
                .collect(),
            overall: count(&self.status.overall),
            facilities: self
                .rollup
                .lines
                .iter()
                .map(|l| FacilityEntry {
                    metal: l.metal.clone(),
                    cid: l.cid.clone(),
                    name: l.name.clone(),
                    country: l.country.clone(),
                    risk_lists: l.risk_lists.clone(),
                    suppliers: l.suppliers.clone(),
                })
                .collect(),
        }
    }
}
