//! The review queue: unresolved and low-confidence smelter names (accepting a candidate is
//! remembered for later files) and submissions whose supplier is unsure.

use super::{Layout, Pager, Query, render, window};
use crate::auth::{Analyst, Viewer};
use crate::db::lists::SubmissionLine;
use crate::db::review::{self, ReviewItem};
use crate::error::Result;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Query as Q, State};
use axum::response::{IntoResponse, Redirect, Response};
use oretrail_template::Candidate;
use serde::Deserialize;

/// A review item with its candidates.
pub struct ItemView {
    item: ReviewItem,
    candidates: Vec<(Candidate, String)>,
    confidence: String,
}

/// A submission needing a supplier, with the proposed supplier's ERP ID.
pub struct SupplierView {
    sub: SubmissionLine,
    proposed: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    layout: Layout,
    items: Vec<ItemView>,
    pager: Pager,
    subs: Vec<SupplierView>,
    suppliers: Vec<(String, String)>,
    can_edit: bool,
}

/// Queue parameters.
#[derive(Debug, Deserialize)]
pub struct QueueParams {
    page: Option<i64>,
    done: Option<String>,
}

/// The review queue.
pub async fn queue(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<QueueParams>,
) -> Result<Response> {
    let (page, w) = window(p.page, 25);
    let queue = state.review_queue().await?;
    let total = queue.len() as i64;
    let items: Vec<ReviewItem> = queue
        .iter()
        .skip(w.offset as usize)
        .take(w.limit as usize)
        .cloned()
        .collect();
    let mut views = Vec::new();
    for item in items {
        let candidates = crate::review::candidates(&state, item.submission_id, item.row)
            .await?
            .into_iter()
            .map(|c| {
                let score = format!("{:.0}%", c.score * 100.0);
                (c, score)
            })
            .collect();
        views.push(ItemView {
            confidence: format!("{:.0}%", item.confidence * 100.0),
            item,
            candidates,
        });
    }
    let (subs, _) = review::supplier_queue(
        &state,
        crate::db::lists::Window {
            limit: 100,
            offset: 0,
        },
    )
    .await?;
    let all = oretrail_store::suppliers::list_suppliers(&state.store).await?;
    let erp_by_id: std::collections::HashMap<i64, &str> =
        all.iter().map(|s| (s.id, s.erp_id.as_str())).collect();
    let erp_of = |id: Option<i64>| {
        id.and_then(|id| erp_by_id.get(&id))
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    let subs: Vec<SupplierView> = subs
        .into_iter()
        .map(|sub| SupplierView {
            proposed: erp_of(sub.supplier_id),
            sub,
        })
        .collect();
    let subs_empty = subs.is_empty();
    let q = Query::new("/review", &[]);
    let page_view = ReviewPage {
        layout: Layout::new(&state, &s, "Review queue", "/review")
            .await?
            .flash(super::done_message(p.done.as_deref())),
        pager: Pager::new(&q, page, w.limit, total, views.len()),
        items: views,
        subs,
        suppliers: if subs_empty {
            Vec::new()
        } else {
            all.into_iter().map(|s| (s.erp_id, s.name)).collect()
        },
        can_edit: s.user.role.allows(crate::auth::Role::Analyst),
    };
    render(&page_view)
}

/// Facility decision form.
#[derive(Debug, Deserialize)]
pub struct FacilityForm {
    metal: String,
    name: String,
    #[serde(default)]
    cid: String,
    #[serde(default)]
    cid_other: String,
}

/// Accepts a facility for a typed name.
pub async fn accept_facility(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<FacilityForm>,
) -> Result<Response> {
    let cid = if f.cid_other.trim().is_empty() {
        &f.cid
    } else {
        &f.cid_other
    };
    crate::review::accept_facility(&state, &f.metal, &f.name, cid, s.actor()).await?;
    Ok(Redirect::to("/review?done=facility").into_response())
}

/// Supplier confirmation form.
#[derive(Debug, Deserialize)]
pub struct SupplierForm {
    submission: i64,
    erp_id: String,
}

/// Confirms a submission's supplier.
pub async fn confirm_supplier(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<SupplierForm>,
) -> Result<Response> {
    crate::review::confirm_supplier(&state, f.submission, f.erp_id.trim(), s.actor()).await?;
    Ok(Redirect::to("/review?done=supplier#suppliers").into_response())
}
