//! Loaders: a campaign's facts as of a date, read from the store's tables — requests and their
//! status history, each supplier's latest readable submission received by the date, its smelter
//! rows, the facility registry and the status lists dated up to the date.

use crate::db::{Risk, iso};
use crate::error::{Result, RiskError};
use crate::facts::{CampaignFacts, FacilityFacts, Response, StatusIndex, SupplierFacts};
use crate::score::FacilityKey;
use chrono::{Duration, NaiveDate};
use oretrail_facilities::{CountryList, StatusSnapshot};
use oretrail_store::campaigns::{self, Campaign, RequestStatus};
use oretrail_template::SupplierReport;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A facility as the registry knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistryFacility {
    /// Metal as written.
    pub metal: String,
    /// Standard name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Dropped from RMI's newest look-up.
    pub removed_from_lookup: bool,
}

/// The campaign with this ID.
pub async fn campaign(risk: &Risk, campaign_id: i64) -> Result<Campaign> {
    campaigns::list_campaigns(risk.store())
        .await?
        .into_iter()
        .find(|c| c.id == campaign_id)
        .ok_or_else(|| RiskError::not_found("campaign", campaign_id))
}

/// Every facility of the registry.
pub async fn registry_facilities(risk: &Risk) -> Result<HashMap<FacilityKey, RegistryFacility>> {
    sqlx::query(
        "SELECT metal_key, cid, metal, standard_name, country, no_longer_listed FROM facilities",
    )
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        let key = FacilityKey::new(&r.try_get::<String, _>(0)?, &r.try_get::<String, _>(1)?);
        Ok((
            key,
            RegistryFacility {
                metal: r.try_get(2)?,
                name: r.try_get(3)?,
                country: r.try_get(4)?,
                removed_from_lookup: r.try_get::<i64, _>(5)? != 0,
            },
        ))
    })
    .collect()
}

/// The status lists dated at or before `as_of` (every list when `None`).
pub async fn status_lists(risk: &Risk, as_of: Option<NaiveDate>) -> Result<Vec<StatusSnapshot>> {
    Ok(oretrail_store::facilities::load_snapshots(risk.store(), as_of).await?)
}

/// The end of a day as a stored timestamp bound (`at < bound` means "on or before the day").
fn end_of(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", iso(day + Duration::days(1)))
}

/// Each request's status as of a day, from its history (`to_send` before its first event).
async fn request_statuses(
    risk: &Risk,
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
    .fetch_all(risk.pool())
    .await?
    {
        let status: String = r.try_get(1)?;
        if let Some(s) = RequestStatus::from_code(&status) {
            out.insert(r.try_get::<i64, _>(0)?, s);
        }
    }
    Ok(out)
}

/// One smelter row as stored.
struct StoredRow {
    submission_id: i64,
    sheet_row: i64,
    metal: Option<String>,
    metal_key: String,
    entry_kind: String,
    name: Option<String>,
    country: Option<String>,
    cid: Option<String>,
    canonical_name: Option<String>,
}

async fn smelter_rows(risk: &Risk, ids: &[i64]) -> Result<Vec<StoredRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        // IDs are integers from the database, never input text.
        let sql = format!(
            "SELECT submission_id, sheet_row, metal, metal_key, entry_kind, name, country, cid, \
             canonical_name FROM submission_smelters WHERE submission_id IN ({}) \
             ORDER BY submission_id, sheet_row",
            list.join(",")
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(risk.pool())
            .await?
        {
            out.push(StoredRow {
                submission_id: r.try_get(0)?,
                sheet_row: r.try_get(1)?,
                metal: r.try_get(2)?,
                metal_key: r.try_get(3)?,
                entry_kind: r.try_get(4)?,
                name: r.try_get(5)?,
                country: r.try_get(6)?,
                cid: r.try_get(7)?,
                canonical_name: r.try_get(8)?,
            });
        }
    }
    Ok(out)
}

/// The campaign's facts as of a date: suppliers in scope with their latest readable template
/// received by then, and the facilities those templates declare with their listing then.
pub async fn campaign_facts(
    risk: &Risk,
    campaign_id: i64,
    as_of: NaiveDate,
) -> Result<CampaignFacts> {
    let campaign = campaign(risk, campaign_id).await?;
    let requests = campaigns::requests(risk.store(), campaign_id).await?;
    let statuses = request_statuses(risk, campaign_id, as_of).await?;
    // Submissions linked to a supplier and received by the date: the latest readable one per
    // supplier is read; any one counts as an answer.
    let mut submitted: BTreeSet<i64> = BTreeSet::new();
    let mut latest: HashMap<i64, (i64, String)> = HashMap::new();
    for r in sqlx::query(
        "SELECT id, supplier_id, received_at, CASE WHEN report_json IS NULL THEN 0 ELSE 1 END \
         FROM submissions WHERE campaign_key = $1 AND link_state = 'linked' \
         AND supplier_id IS NOT NULL AND received_at < $2 ORDER BY received_at, id",
    )
    .bind(campaign_id)
    .bind(end_of(as_of))
    .fetch_all(risk.pool())
    .await?
    {
        let id: i64 = r.try_get(0)?;
        let supplier: i64 = r.try_get(1)?;
        submitted.insert(supplier);
        if r.try_get::<i64, _>(3)? == 1 {
            latest.insert(supplier, (id, r.try_get(2)?));
        }
    }
    let mut responses: HashMap<i64, Response> = HashMap::new();
    let chosen: Vec<i64> = latest.values().map(|(id, _)| *id).collect();
    for chunk in chosen.chunks(200) {
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT id, report_json FROM submissions WHERE id IN ({})",
            list.join(",")
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(risk.pool())
            .await?
        {
            let id: i64 = r.try_get(0)?;
            let json: Option<String> = r.try_get(1)?;
            let Some(json) = json else { continue };
            // A report stored by an older version that no longer reads is skipped, not fatal.
            let Ok(report) = serde_json::from_str::<SupplierReport>(&json) else {
                continue;
            };
            let mut resp = Response::answers_from(&report);
            resp.submission_id = id;
            responses.insert(id, resp);
        }
    }
    let registry = registry_facilities(risk).await?;
    let lists = status_lists(risk, Some(as_of)).await?;
    let index = StatusIndex::new(&lists, as_of);
    let countries = CountryList::shared();
    let erp_of: HashMap<i64, String> = requests
        .iter()
        .map(|r| (r.supplier_id, r.erp_id.clone()))
        .collect();
    let supplier_of: HashMap<i64, i64> = latest
        .iter()
        .map(|(supplier, (id, _))| (*id, *supplier))
        .collect();
    struct Seen {
        metal: String,
        name: Option<String>,
        country: Option<String>,
        suppliers: BTreeSet<String>,
    }
    let mut declared: BTreeMap<FacilityKey, Seen> = BTreeMap::new();
    for row in smelter_rows(risk, &chosen).await? {
        let Some(resp) = responses.get_mut(&row.submission_id) else {
            continue;
        };
        let metal = row.metal.clone().unwrap_or_else(|| row.metal_key.clone());
        match (&row.cid, row.entry_kind.as_str()) {
            (Some(cid), _) => {
                let key = FacilityKey::new(&row.metal_key, cid);
                if !resp.facilities.contains(&key) {
                    resp.facilities.push(key.clone());
                }
                let seen = declared.entry(key).or_insert_with(|| Seen {
                    metal: metal.clone(),
                    name: row.canonical_name.clone().or(row.name.clone()),
                    country: row.country.clone(),
                    suppliers: BTreeSet::new(),
                });
                if let Some(erp) = supplier_of
                    .get(&row.submission_id)
                    .and_then(|s| erp_of.get(s))
                {
                    seen.suppliers.insert(erp.clone());
                }
            }
            (None, "not_yet_identified") => resp
                .not_yet_identified_rows
                .push(format!("{metal}, row {}", row.sheet_row)),
            (None, _) => resp.unresolved_rows.push(format!(
                "{metal}: {} (row {})",
                row.name.as_deref().unwrap_or("(no name)"),
                row.sheet_row
            )),
        }
    }
    let facilities = declared
        .into_iter()
        .map(|(key, seen)| {
            let reg = registry.get(&key);
            let country = reg.and_then(|f| f.country.clone()).or(seen.country);
            FacilityFacts {
                listing: index.listing(&key),
                metal: reg.map(|f| f.metal.clone()).unwrap_or(seen.metal),
                name: reg
                    .map(|f| f.name.clone())
                    .or(seen.name)
                    .unwrap_or_else(|| key.cid.clone()),
                country_iso: country
                    .as_deref()
                    .and_then(|c| countries.iso2(c))
                    .map(str::to_string),
                country,
                removed_from_lookup: reg.is_some_and(|f| f.removed_from_lookup),
                suppliers: seen.suppliers.into_iter().collect(),
                key,
            }
        })
        .collect();
    let suppliers = requests
        .iter()
        .map(|r| {
            let response = latest.get(&r.supplier_id).and_then(|(id, received)| {
                responses.get(id).cloned().map(|mut resp| {
                    resp.received_on = crate::db::date(Some(received.clone()));
                    resp
                })
            });
            SupplierFacts {
                supplier_id: r.supplier_id,
                erp_id: r.erp_id.clone(),
                name: r.supplier_name.clone(),
                spend: r.spend,
                request: statuses
                    .get(&r.id)
                    .copied()
                    .unwrap_or(RequestStatus::ToSend),
                submitted: submitted.contains(&r.supplier_id),
                response,
            }
        })
        .collect();
    Ok(CampaignFacts {
        id: campaign.id,
        name: campaign.spec.name.clone(),
        deadline: campaign.spec.deadline,
        minimum_versions: campaign.spec.families.clone(),
        suppliers,
        facilities,
    })
}

/// A supplier naming a facility in its current submission of a campaign.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Naming {
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

/// The suppliers naming a facility in their current (not superseded) submissions, per campaign.
pub async fn suppliers_naming(risk: &Risk, key: &FacilityKey) -> Result<Vec<Naming>> {
    sqlx::query(
        "SELECT DISTINCT c.id, c.name, s.erp_id, s.name, b.id FROM submission_smelters ss \
         JOIN submissions b ON b.id = ss.submission_id \
         JOIN suppliers s ON s.id = b.supplier_id \
         JOIN campaigns c ON c.id = b.campaign_id \
         WHERE ss.metal_key = $1 AND ss.cid = $2 AND b.superseded_by IS NULL \
         AND b.link_state = 'linked' ORDER BY c.id DESC, s.erp_id",
    )
    .bind(key.metal.clone())
    .bind(key.cid.clone())
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Naming {
            campaign_id: r.try_get(0)?,
            campaign: r.try_get(1)?,
            erp_id: r.try_get(2)?,
            supplier: r.try_get(3)?,
            submission_id: r.try_get(4)?,
        })
    })
    .collect()
}

/// Every facility named in current submissions of any campaign.
pub async fn declared_facilities(risk: &Risk) -> Result<BTreeSet<FacilityKey>> {
    sqlx::query(
        "SELECT DISTINCT ss.metal_key, ss.cid FROM submission_smelters ss \
         JOIN submissions b ON b.id = ss.submission_id \
         WHERE ss.cid IS NOT NULL AND b.superseded_by IS NULL AND b.campaign_id IS NOT NULL",
    )
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(FacilityKey::new(
            &r.try_get::<String, _>(0)?,
            &r.try_get::<String, _>(1)?,
        ))
    })
    .collect()
}
