//! Claims: what each supplier's template claims against what the registry knows as of its
//! effective date, the facilities whose audit expires in the next months with the suppliers
//! and products carrying them, and a one-click follow-up campaign asking exactly those
//! suppliers (the functions behind `oretrail claims`).

use super::reports::parse_date;
use super::{Layout, pick_campaign, render};
use crate::auth::{Analyst, Role, Viewer};
use crate::db::audit;
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query as Q, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use oretrail_report::claims::{
    Expiring, FollowUpRequest, SupplierClaims, check_all, create_follow_up_campaign_for, expiring,
    follow_up_requests,
};
use oretrail_report::gather::current_submissions;
use oretrail_store::campaigns::Campaign;
use oretrail_template::Family;
use serde::Deserialize;

/// Months ahead by default: one yearly campaign cycle, so that every re-audit falling due
/// before the next campaign shows.
pub const DEFAULT_MONTHS: u32 = 12;

/// One claim of a supplier, for the page.
pub struct ClaimLine {
    claim: String,
    mineral: String,
    cell: String,
    verdict: String,
    evidence: String,
    facilities: Vec<String>,
    more: usize,
}

/// A supplier's claims, for the page.
pub struct SupplierLine {
    erp_id: String,
    name: String,
    template: String,
    file: String,
    checked_as_of: String,
    worst: String,
    claims: Vec<ClaimLine>,
}

fn verdict_code(v: oretrail_report::claims::Verdict) -> String {
    format!("{v:?}").to_lowercase()
}

impl From<SupplierClaims> for SupplierLine {
    fn from(s: SupplierClaims) -> SupplierLine {
        SupplierLine {
            worst: s.worst().map(verdict_code).unwrap_or_default(),
            erp_id: s.erp_id,
            name: s.supplier_name,
            template: s.template.unwrap_or_default(),
            file: s.file,
            checked_as_of: s.checked_as_of.to_string(),
            claims: s
                .claims
                .into_iter()
                .map(|c| ClaimLine {
                    claim: c.claim,
                    mineral: c.mineral.unwrap_or_default(),
                    cell: c.cell.unwrap_or_default(),
                    verdict: verdict_code(c.verdict),
                    evidence: c.evidence,
                    more: c.facilities.len().saturating_sub(5),
                    facilities: c.facilities.into_iter().take(5).collect(),
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "claims.html")]
struct ClaimsPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    campaign_id: i64,
    campaign_name: String,
    as_of: String,
    months: u32,
    until: String,
    suppliers: Vec<SupplierLine>,
    contradicted: usize,
    expiring: Vec<Expiring>,
    requests: Vec<FollowUpRequest>,
    can_edit: bool,
    families: Vec<&'static str>,
    follow_up_name: String,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct ClaimsParams {
    campaign: Option<i64>,
    as_of: Option<String>,
    months: Option<String>,
}

fn months_of(text: Option<&str>) -> Result<u32> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(DEFAULT_MONTHS),
        Some(t) => t
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=60).contains(m))
            .ok_or_else(|| WebError::BadRequest(format!("'{t}' is not a number of months (1-60)"))),
    }
}

/// The expiring facilities and the request list of a campaign (the page and the form compute
/// the same list).
async fn expiring_of(
    state: &AppState,
    campaign: &Campaign,
    as_of: NaiveDate,
    months: u32,
) -> Result<(Vec<Expiring>, Vec<FollowUpRequest>)> {
    let history = oretrail_store::facilities::load_status_history(&state.store).await?;
    let subs = current_submissions(&state.store, campaign.id).await?;
    let soon = expiring(&subs, &history, as_of, months);
    let requests = follow_up_requests(&soon);
    Ok((soon, requests))
}

/// The claims page.
pub async fn page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ClaimsParams>,
) -> Result<Response> {
    let (all, chosen) = pick_campaign(&state, p.campaign).await?;
    let as_of = parse_date(p.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let months = months_of(p.months.as_deref())?;
    let (mut suppliers, mut soon, mut requests) = (Vec::new(), Vec::new(), Vec::new());
    if let Some(c) = &chosen {
        let history = oretrail_store::facilities::load_status_history(&state.store).await?;
        let subs = current_submissions(&state.store, c.id).await?;
        suppliers = check_all(&subs, &history, as_of)
            .into_iter()
            .map(SupplierLine::from)
            .collect();
        soon = expiring(&subs, &history, as_of, months);
        requests = follow_up_requests(&soon);
    }
    let until = as_of
        .checked_add_months(chrono::Months::new(months))
        .unwrap_or(as_of);
    let page = ClaimsPage {
        layout: Layout::new(&state, &s, "Claims and expiring audits", "/claims").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        campaign_id: chosen.as_ref().map(|c| c.id).unwrap_or(0),
        campaign_name: chosen
            .as_ref()
            .map(|c| c.spec.name.clone())
            .unwrap_or_default(),
        contradicted: suppliers
            .iter()
            .flat_map(|s| s.claims.iter())
            .filter(|c| c.verdict == "contradicted")
            .count(),
        follow_up_name: chosen
            .as_ref()
            .map(|c| format!("{} follow-up: audits expiring by {until}", c.spec.name))
            .unwrap_or_default(),
        as_of: as_of.to_string(),
        months,
        until: until.to_string(),
        suppliers,
        expiring: soon,
        requests,
        can_edit: s.user.role.allows(Role::Analyst),
        families: Family::ALL.iter().map(|f| f.code()).collect(),
    };
    render(&page)
}

/// The one-click request list.
#[derive(Debug, Deserialize)]
pub struct FollowUpForm {
    campaign: i64,
    as_of: Option<String>,
    months: Option<String>,
    name: String,
    family: String,
    deadline: Option<String>,
}

/// Creates a campaign asking exactly the suppliers that carry facilities whose audit expires
/// in the window for the chosen template family, then shows it.
pub async fn follow_up(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<FollowUpForm>,
) -> Result<Response> {
    let family = Family::from_code(&f.family)
        .ok_or_else(|| WebError::BadRequest(format!("unknown template family '{}'", f.family)))?;
    let as_of = parse_date(f.as_of.as_deref())?.unwrap_or_else(crate::db::today);
    let months = months_of(f.months.as_deref())?;
    let deadline = parse_date(f.deadline.as_deref())?;
    let (_, campaign) = pick_campaign(&state, Some(f.campaign)).await?;
    let campaign =
        campaign.ok_or_else(|| WebError::NotFound(format!("campaign {}", f.campaign)))?;
    let (_, requests) = expiring_of(&state, &campaign, as_of, months).await?;
    let (created, n) = create_follow_up_campaign_for(
        &state.store,
        &campaign,
        &f.name,
        deadline,
        Some(family),
        &requests,
    )
    .await?;
    state.changed();
    audit::record(
        &state.store,
        s.actor(),
        "campaign.create",
        Some(&format!("campaign {}", created.id)),
        Some(&format!(
            "'{}': {family} follow-up of '{}' for audits expiring within {months} month(s) of {as_of} → {n} request(s): {}",
            created.spec.name,
            campaign.spec.name,
            requests
                .iter()
                .map(|r| r.erp_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
    .await?;
    Ok(Redirect::to(&format!("/campaigns/{}?done=campaign", created.id)).into_response())
}
