//! `rollup`: every facility declared across a campaign's accepted (current) submissions, per
//! metal, with its status as of a date, its country and the risk lists it falls in, and the
//! suppliers naming it. Rows that resolve to no facility stay visible, grouped by typed name.

use crate::Store;
use crate::error::Result;
use crate::facilities::load_snapshots;
use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_facilities::{CountryList, RiskLists, StatusEntry};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// A facility named in submissions: metal key, CID, metal, name and country as declared.
type FacilityRef = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One line of the roll-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollupLine {
    /// Metal.
    pub metal: String,
    /// RMI facility ID (`None`: unresolved rows).
    pub cid: Option<String>,
    /// Standard name (registry), else the name as declared.
    pub name: String,
    /// Country (registry, else as declared).
    pub country: Option<String>,
    /// ISO alpha-2 code of the country.
    pub country_iso: Option<String>,
    /// RMAP status as of the date ("conformant" ...), when a snapshot lists the facility.
    pub status: Option<String>,
    /// Status as the list wrote it.
    pub status_text: Option<String>,
    /// Date of the snapshot the status comes from.
    pub status_as_of: Option<NaiveDate>,
    /// Last audit date.
    pub last_audit: Option<NaiveDate>,
    /// Risk lists the country is on ("covered_country", "eu_cahra").
    pub risk_lists: Vec<String>,
    /// Number of suppliers naming it.
    pub supplier_count: usize,
    /// ERP IDs of those suppliers, sorted.
    pub suppliers: Vec<String>,
    /// Smelter List rows naming it.
    pub rows: i64,
    /// Whether rows resolved to a facility.
    pub resolved: bool,
}

/// The roll-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    /// Campaign name.
    pub campaign: String,
    /// Date statuses are taken at.
    pub as_of: NaiveDate,
    /// Accepted current submissions rolled up.
    pub submissions: i64,
    /// Lines: resolved facilities by metal and CID, then unresolved names by metal.
    pub lines: Vec<RollupLine>,
}

/// Rolls up a campaign's accepted submissions as of a date.
pub async fn rollup(
    store: &Store,
    campaign_id: i64,
    campaign: &str,
    as_of: NaiveDate,
) -> Result<Rollup> {
    let pool = store.pool();
    let backend = store.backend();
    let current = "b.campaign_key = $1 AND b.status = 'accepted' AND b.superseded_by IS NULL";
    // The current accepted submissions and their suppliers (at most one per supplier).
    let mut supplier_of: HashMap<i64, String> = HashMap::new();
    for r in sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT b.id, s.erp_id FROM submissions b JOIN suppliers s ON s.id = b.supplier_id \
         WHERE {current}"
    )))
    .bind(campaign_id)
    .fetch_all(pool)
    .await?
    {
        supplier_of.insert(r.try_get(0)?, r.try_get(1)?);
    }
    let submissions = supplier_of.len() as i64;
    let supplier_list = |text: Option<String>| -> Vec<String> {
        let mut ids: Vec<i64> = text
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse::<i64>().ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut v: Vec<String> = ids
            .iter()
            .filter_map(|id| supplier_of.get(id).cloned())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    // One integer per facility (`facility_refs`). The rows are read in the order of the
    // (facility_ref, submission_id) index and filtered by the small set of current submission
    // IDs (`+` keeps SQLite from driving the scan by submission instead), so nothing sorts a
    // million rows and no fat submission row is visited per smelter row; submission IDs are
    // aggregated as text without DISTINCT and turned into suppliers here.
    let in_current =
        format!("+ss.submission_id IN (SELECT b.id FROM submissions b WHERE {current})");
    let agg = backend.agg(&backend.int_text("ss.submission_id"));
    let resolved_sql = format!(
        "SELECT ss.facility_ref, count(*), {agg} FROM submission_smelters ss \
         WHERE ss.facility_ref IS NOT NULL AND {in_current} GROUP BY ss.facility_ref"
    );
    let refs: HashMap<i64, FacilityRef> =
        sqlx::query("SELECT id, metal_key, cid, metal, name, country FROM facility_refs")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get(0)?,
                    (
                        r.try_get(1)?,
                        r.try_get(2)?,
                        r.try_get(3)?,
                        r.try_get(4)?,
                        r.try_get(5)?,
                    ),
                ))
            })
            .collect::<Result<_>>()?;
    let facilities: HashMap<(String, String), (String, Option<String>)> =
        sqlx::query("SELECT metal_key, cid, standard_name, country FROM facilities")
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| {
                Ok((
                    (r.try_get(0)?, r.try_get(1)?),
                    (r.try_get(2)?, r.try_get(3)?),
                ))
            })
            .collect::<Result<_>>()?;
    let statuses = status_map(store, as_of).await?;
    let countries = CountryList::embedded();
    let risks = RiskLists::embedded();
    let mut lines = Vec::new();
    for r in sqlx::query(sqlx::AssertSqlSafe(resolved_sql))
        .bind(campaign_id)
        .fetch_all(pool)
        .await?
    {
        let Some((key, cid, metal, declared_name, declared_country)) =
            refs.get(&r.try_get::<i64, _>(0)?).cloned()
        else {
            continue;
        };
        let registry = facilities.get(&(key.clone(), cid.clone()));
        let suppliers = supplier_list(r.try_get(2)?);
        let country = registry.and_then(|f| f.1.clone()).or(declared_country);
        let status = statuses
            .get(&(key.clone(), cid.clone()))
            .or_else(|| statuses.get(&(String::new(), cid.clone())));
        lines.push(line(
            metal.unwrap_or(key),
            Some(cid.clone()),
            registry
                .map(|f| f.0.clone())
                .or(declared_name)
                .unwrap_or_else(|| cid.clone()),
            country,
            status.map(|(d, e)| (*d, e)),
            suppliers,
            r.try_get(1)?,
            &countries,
            &risks,
        ));
    }
    lines.sort_by(|a, b| {
        metal_key(&a.metal)
            .cmp(&metal_key(&b.metal))
            .then_with(|| a.cid.cmp(&b.cid))
    });
    let agg = backend.agg(&backend.int_text("ss.submission_id"));
    let unresolved_sql = format!(
        "SELECT ss.metal_key, ss.name_key, min(ss.metal), min(ss.name), min(ss.country), \
         count(*), {agg}, min(ss.entry_kind) FROM submission_smelters ss \
         WHERE ss.facility_ref IS NULL AND {in_current} GROUP BY ss.metal_key, ss.name_key \
         ORDER BY ss.metal_key, ss.name_key"
    );
    for r in sqlx::query(sqlx::AssertSqlSafe(unresolved_sql))
        .bind(campaign_id)
        .fetch_all(pool)
        .await?
    {
        let key: String = r.try_get(0)?;
        let metal: Option<String> = r.try_get(2)?;
        let name: Option<String> = r.try_get(3)?;
        let kind: String = r.try_get(7)?;
        let name = name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
            if kind == "not_yet_identified" {
                "Smelter not yet identified".into()
            } else {
                "(no name)".into()
            }
        });
        lines.push(line(
            metal.unwrap_or(key),
            None,
            name,
            r.try_get(4)?,
            None,
            supplier_list(r.try_get(6)?),
            r.try_get(5)?,
            &countries,
            &risks,
        ));
    }
    Ok(Rollup {
        campaign: campaign.to_string(),
        as_of,
        submissions,
        lines,
    })
}

#[allow(clippy::too_many_arguments)]
fn line(
    metal: String,
    cid: Option<String>,
    name: String,
    country: Option<String>,
    status: Option<(NaiveDate, &StatusEntry)>,
    suppliers: Vec<String>,
    rows: i64,
    countries: &CountryList,
    risks: &RiskLists,
) -> RollupLine {
    let iso = country
        .as_deref()
        .and_then(|c| countries.iso2(c))
        .map(str::to_string);
    let mut risk_lists = Vec::new();
    if let Some(iso) = &iso {
        if risks.is_covered_country(iso) {
            risk_lists.push("covered_country".to_string());
        }
        if risks.is_eu_cahra(iso) {
            risk_lists.push("eu_cahra".to_string());
        }
    }
    RollupLine {
        resolved: cid.is_some(),
        metal,
        cid,
        name,
        country,
        country_iso: iso,
        status: status.and_then(|(_, e)| crate::facilities::status_code(e.status).ok()),
        status_text: status.map(|(_, e)| e.status_text.clone()),
        status_as_of: status.map(|(d, _)| d),
        last_audit: status.and_then(|(_, e)| e.last_audit),
        risk_lists,
        supplier_count: suppliers.len(),
        suppliers,
        rows,
    }
}

/// Latest entry at or before `as_of` per (metal key, CID); entries without a metal are keyed
/// with an empty metal.
async fn status_map(
    store: &Store,
    as_of: NaiveDate,
) -> Result<HashMap<(String, String), (NaiveDate, StatusEntry)>> {
    let mut map = HashMap::new();
    for snapshot in load_snapshots(store, Some(as_of)).await? {
        for e in snapshot.entries {
            let key = (
                e.metal.as_deref().map(metal_key).unwrap_or_default(),
                e.cid.clone(),
            );
            map.insert(key, (snapshot.as_of, e));
        }
    }
    Ok(map)
}
