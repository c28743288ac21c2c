//! The dashboard and the audit log.

use super::{Head, Layout, Pager, Query, heads, money, percent, render, window};
use crate::auth::Viewer;
use crate::dashboard::Dashboard;
use crate::db::audit::{self, AuditEntry};
use crate::error::Result;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query as Q, State};
use axum::response::Response;
use serde::Deserialize;
use std::sync::Arc;

/// Dashboard parameters.
#[derive(Debug, Deserialize)]
pub struct DashParams {
    campaign: Option<i64>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    d: Option<Arc<Dashboard>>,
    kpis: Vec<(String, String, &'static str, String)>,
}

/// The dashboard of a campaign.
pub async fn dashboard(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DashParams>,
) -> Result<Response> {
    let (all, chosen) = super::pick_campaign(&state, p.campaign).await?;
    let d = match &chosen {
        Some(c) => Some(state.dashboard(c.id).await?),
        None => None,
    };
    let kpis = d.as_deref().map(kpis).unwrap_or_default();
    let page = DashboardPage {
        layout: Layout::new(&state, &s, "Dashboard", "/dashboard").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        d,
        kpis,
    };
    render(&page)
}

/// Headline figures: (value, label, class, element id).
fn kpis(d: &Dashboard) -> Vec<(String, String, &'static str, String)> {
    let cov = d.status.overall.coverage;
    vec![
        (
            percent(cov),
            format!("Spend covered (goal {})", percent(d.status.goal)),
            if d.status.overall.goal_met {
                "good"
            } else {
                "bad"
            },
            "kpi-coverage".into(),
        ),
        (
            format!(
                "{} / {}",
                d.status.overall.accepted,
                d.status.requests - d.status.waived
            ),
            "Suppliers accepted".into(),
            "",
            "kpi-accepted".into(),
        ),
        (
            percent(d.status.response_rate),
            "Response rate".into(),
            "",
            "kpi-response".into(),
        ),
        (
            money(d.status.overall.covered_spend),
            format!(
                "of {} in-scope spend",
                money(d.status.overall.in_scope_spend)
            ),
            "",
            "kpi-spend".into(),
        ),
        (
            d.facility_count.to_string(),
            "Facilities identified".into(),
            "",
            "kpi-facilities".into(),
        ),
        (
            (d.review_names + d.status.needs_review).to_string(),
            "Waiting for review".into(),
            if d.review_names + d.status.needs_review > 0 {
                "bad"
            } else {
                "good"
            },
            "kpi-review".into(),
        ),
    ]
}

/// Audit log parameters.
#[derive(Debug, Deserialize)]
pub struct AuditParams {
    actor: Option<String>,
    action: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
    pager: Pager,
    heads: Vec<Head>,
    actor: String,
    action: String,
}

/// The audit log, newest first.
pub async fn audit_log(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<AuditParams>,
) -> Result<Response> {
    let (page, w) = window(p.page, super::PER_PAGE);
    let actor = p.actor.unwrap_or_default();
    let action = p.action.unwrap_or_default();
    let (entries, total) = audit::page(
        &state,
        Some(actor.trim()),
        Some(action.trim()),
        w.limit,
        w.offset,
    )
    .await?;
    let q = Query::new(
        "/audit",
        &[("actor", actor.clone()), ("action", action.clone())],
    );
    let page = AuditPage {
        layout: Layout::new(&state, &s, "Audit log", "/audit").await?,
        pager: Pager::new(&q, page, w.limit, total, entries.len()),
        heads: heads(
            &q,
            &[
                ("When (UTC)", "", false),
                ("Who", "", false),
                ("Action", "", false),
                ("On", "", false),
                ("Details", "", false),
            ],
            "",
            true,
        ),
        entries,
        actor,
        action,
    };
    render(&page)
}
