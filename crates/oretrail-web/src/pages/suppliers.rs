//! Suppliers: the list with filters (campaign status, spend, problems) and a supplier's page
//! with its requests and submission history.

use super::{Head, Layout, Pager, Query, heads, is_desc, money, render, window};
use crate::auth::Viewer;
use crate::db::lists::{
    self, SubmissionFilter, SubmissionLine, SupplierFilter, SupplierInfo, SupplierLine,
};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query as Q, State};
use axum::response::Response;
use serde::Deserialize;

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    campaign: Option<i64>,
    q: Option<String>,
    status: Option<String>,
    min_spend: Option<String>,
    problems: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "suppliers.html")]
struct SuppliersPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    lines: Vec<(SupplierLine, String)>,
    heads: Vec<Head>,
    pager: Pager,
    q: String,
    status: String,
    min_spend: String,
    problems: String,
    statuses: Vec<&'static str>,
}

/// Suppliers with their state in a campaign.
pub async fn list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ListParams>,
) -> Result<Response> {
    let (all, chosen) = super::pick_campaign(&state, p.campaign).await?;
    let sort = p.sort.unwrap_or_else(|| "spend".into());
    let desc = is_desc(p.dir.as_deref(), sort == "spend" || sort == "errors");
    let (page, w) = window(p.page, super::PER_PAGE);
    let min_spend = p.min_spend.unwrap_or_default();
    let f = SupplierFilter {
        campaign_id: chosen.as_ref().map_or(0, |c| c.id),
        period: chosen
            .as_ref()
            .map(|c| c.spec.period.clone())
            .unwrap_or_default(),
        q: p.q.unwrap_or_default().trim().to_string(),
        status: p.status.unwrap_or_default(),
        min_spend: min_spend.trim().replace(',', "").parse().unwrap_or(0.0),
        problems: p.problems.unwrap_or_default(),
    };
    let all_lines = state.supplier_lines(f.campaign_id, &f.period).await?;
    let (lines, total) = lists::page_of_suppliers(&all_lines, &f, &sort, desc, w);
    let q = Query::new(
        "/suppliers",
        &[
            ("campaign", f.campaign_id.to_string()),
            ("q", f.q.clone()),
            ("status", f.status.clone()),
            ("min_spend", min_spend.clone()),
            ("problems", f.problems.clone()),
            ("sort", sort.clone()),
            ("dir", if desc { "desc".into() } else { "asc".into() }),
        ],
    );
    let page_view = SuppliersPage {
        layout: Layout::new(&state, &s, "Suppliers", "/suppliers").await?,
        campaigns: all
            .iter()
            .map(|c| (c.id, c.spec.name.clone(), c.id == f.campaign_id))
            .collect(),
        heads: heads(
            &q,
            &[
                ("Supplier", "name", false),
                ("ERP ID", "erp", false),
                ("Country", "country", false),
                ("Spend", "spend", true),
                ("Request", "status", false),
                ("Submission", "", false),
                ("Errors", "errors", true),
                ("Warnings", "", true),
            ],
            &sort,
            desc,
        ),
        pager: Pager::new(&q, page, w.limit, total, lines.len()),
        lines: lines
            .into_iter()
            .map(|l| {
                let m = money(l.spend);
                (l, m)
            })
            .collect(),
        q: f.q,
        status: f.status,
        min_spend,
        problems: f.problems,
        statuses: vec![
            "to_send",
            "sent",
            "reminded",
            "received",
            "accepted",
            "rejected",
            "waived",
            "out_of_scope",
        ],
    };
    render(&page_view)
}

#[derive(Template)]
#[template(path = "supplier.html")]
struct SupplierPage {
    layout: Layout,
    sup: SupplierInfo,
    spend: Vec<(String, String, String, String)>,
    history: Vec<SubmissionLine>,
    pager: Pager,
}

/// History parameters.
#[derive(Debug, Deserialize)]
pub struct ShowParams {
    page: Option<i64>,
}

/// A supplier with contacts, spend and every submission it sent.
pub async fn show(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
    Q(p): Q<ShowParams>,
) -> Result<Response> {
    let sup = lists::supplier(&state, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("supplier {id}")))?;
    let (page, w) = window(p.page, super::PER_PAGE);
    let f = SubmissionFilter {
        supplier_id: id,
        ..Default::default()
    };
    let (history, total) = lists::submissions(&state, &f, "received", true, w).await?;
    let q = Query::new(&format!("/suppliers/{id}"), &[]);
    let page_view = SupplierPage {
        layout: Layout::new(&state, &s, format!("Supplier · {}", sup.name), "/suppliers").await?,
        spend: sup
            .spend
            .iter()
            .map(|(p, c, a, cur)| {
                (
                    p.clone(),
                    if c.is_empty() {
                        "all".into()
                    } else {
                        c.clone()
                    },
                    money(*a),
                    cur.clone(),
                )
            })
            .collect(),
        pager: Pager::new(&q, page, w.limit, total, history.len()),
        history,
        sup,
    };
    render(&page_view)
}
