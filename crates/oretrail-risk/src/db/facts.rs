//! Loaders: a campaign's facts as of a date, read through the store's functions — requests and
//! their status history, each supplier's latest readable submission received by the date, its
//! smelter rows, the facility registry and the status lists dated up to the date.

use crate::db::Risk;
use crate::error::{Result, RiskError};
use crate::facts::{CampaignFacts, FacilityFacts, Response, StatusIndex, SupplierFacts};
use crate::score::FacilityKey;
use chrono::NaiveDate;
use oretrail_facilities::{CountryList, StatusSnapshot};
use oretrail_store::campaigns::{self, Campaign, RequestStatus};
use oretrail_store::{declared, facilities, history, submissions};
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
    Ok(facilities::registry_rows(risk.store())
        .await?
        .into_iter()
        .map(|r| {
            (
                FacilityKey::new(&r.metal_key, &r.cid),
                RegistryFacility {
                    metal: r.metal,
                    name: r.standard_name,
                    country: r.country,
                    removed_from_lookup: r.no_longer_listed,
                },
            )
        })
        .collect())
}

/// The status lists dated at or before `as_of` (every list when `None`).
pub async fn status_lists(risk: &Risk, as_of: Option<NaiveDate>) -> Result<Vec<StatusSnapshot>> {
    Ok(oretrail_store::facilities::load_snapshots(risk.store(), as_of).await?)
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
    let statuses = history::request_statuses_as_of(risk.store(), campaign_id, as_of).await?;
    // Submissions linked to a supplier and received by the date: the latest readable one per
    // supplier is read; any one counts as an answer.
    let mut submitted: BTreeSet<i64> = BTreeSet::new();
    let mut latest: HashMap<i64, (i64, String)> = HashMap::new();
    for s in history::latest_linked_submissions_as_of(risk.store(), campaign_id, as_of).await? {
        submitted.insert(s.supplier_id);
        if let Some(d) = s.latest_readable {
            latest.insert(s.supplier_id, (d.id, d.received_at));
        }
    }
    let mut responses: HashMap<i64, Response> = HashMap::new();
    let mut chosen: Vec<i64> = latest.values().map(|(id, _)| *id).collect();
    chosen.sort_unstable();
    // A report stored by an older version that no longer reads is left out, not fatal.
    for r in submissions::submission_reports(risk.store(), &chosen).await? {
        let mut resp = Response::answers_from(&r.report);
        resp.submission_id = r.submission_id;
        responses.insert(r.submission_id, resp);
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
    for row in submissions::submission_smelter_rows(risk.store(), &chosen).await? {
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
    Ok(
        declared::suppliers_naming_facility(risk.store(), &key.metal, &key.cid)
            .await?
            .into_iter()
            .map(|n| Naming {
                campaign_id: n.campaign_id,
                campaign: n.campaign,
                erp_id: n.erp_id,
                supplier: n.supplier,
                submission_id: n.submission_id,
            })
            .collect(),
    )
}

/// Every facility named in current submissions of any campaign.
pub async fn declared_facilities(risk: &Risk) -> Result<BTreeSet<FacilityKey>> {
    Ok(
        declared::facilities_declared_in_any_submission(risk.store())
            .await?
            .iter()
            .map(|f| FacilityKey::new(&f.metal_key, &f.cid))
            .collect(),
    )
}
