//! Facilities as submissions declare them: the suppliers naming a facility, every facility
//! named in a current submission, and the metals a CID is known under.

use crate::Store;
use crate::error::Result;
use serde::Serialize;
use sqlx::Row;

/// A supplier naming a facility in its current submission of a campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacilityNaming {
    /// Campaign ID.
    pub campaign_id: i64,
    /// Campaign name.
    pub campaign: String,
    /// Supplier ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier: String,
    /// Submission ID.
    pub submission_id: i64,
}

/// The linked suppliers naming a facility (metal key and CID) in their current (not superseded)
/// submissions, newest campaign first, then by ERP ID.
pub async fn suppliers_naming_facility(
    store: &Store,
    metal_key: &str,
    cid: &str,
) -> Result<Vec<FacilityNaming>> {
    sqlx::query(
        "SELECT DISTINCT c.id, c.name, s.erp_id, s.name, b.id FROM submission_smelters ss \
         JOIN submissions b ON b.id = ss.submission_id \
         JOIN suppliers s ON s.id = b.supplier_id \
         JOIN campaigns c ON c.id = b.campaign_id \
         WHERE ss.metal_key = $1 AND ss.cid = $2 AND b.superseded_by IS NULL \
         AND b.link_state = 'linked' ORDER BY c.id DESC, s.erp_id",
    )
    .bind(metal_key.to_string())
    .bind(cid.to_string())
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(FacilityNaming {
            campaign_id: r.try_get(0)?,
            campaign: r.try_get(1)?,
            erp_id: r.try_get(2)?,
            supplier: r.try_get(3)?,
            submission_id: r.try_get(4)?,
        })
    })
    .collect()
}

/// A facility as a submission names it: metal key and CID.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct DeclaredFacility {
    /// Normalised metal.
    pub metal_key: String,
    /// CID.
    pub cid: String,
}

/// Every facility resolved in a current (not superseded) submission of any campaign, once each
/// (in no particular order).
pub async fn facilities_declared_in_any_submission(store: &Store) -> Result<Vec<DeclaredFacility>> {
    sqlx::query(
        "SELECT DISTINCT ss.metal_key, ss.cid FROM submission_smelters ss \
         JOIN submissions b ON b.id = ss.submission_id \
         WHERE ss.cid IS NOT NULL AND b.superseded_by IS NULL AND b.campaign_id IS NOT NULL",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(DeclaredFacility {
            metal_key: r.try_get(0)?,
            cid: r.try_get(1)?,
        })
    })
    .collect()
}

/// The metal keys under which the registry or any submission knows a CID, once each.
pub async fn metals_of_cid(store: &Store, cid: &str) -> Result<Vec<String>> {
    sqlx::query(
        "SELECT metal_key FROM facilities WHERE cid = $1 UNION \
         SELECT metal_key FROM submission_smelters WHERE cid = $1",
    )
    .bind(cid.to_string())
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| Ok(r.try_get(0)?))
    .collect()
}
