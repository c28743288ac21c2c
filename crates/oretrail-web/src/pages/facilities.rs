//! Facilities: the campaign's roll-up with filters, and one facility's page with its status
//! history and the suppliers naming it.

use super::{Head, Layout, Pager, Query, heads, is_desc, render, window};
use crate::auth::Viewer;
use crate::dashboard::bucket;
use crate::db::lists::{self, FacilityInfo, NamingSupplier, StatusPoint};
use crate::error::Result;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Path, Query as Q, State};
use axum::response::Response;
use oretrail_store::rollup::RollupLine;
use serde::Deserialize;

/// Roll-up filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct RollupParams {
    /// Campaign (default: newest).
    pub campaign: Option<i64>,
    /// Metal ("Gold", "Cobalt").
    pub metal: Option<String>,
    /// "conformant", "active", "non_conformant", "other", "unknown", "unresolved".
    pub status: Option<String>,
    /// "high" (on a risk list) or "none".
    pub risk: Option<String>,
    /// Named by at least this many suppliers.
    pub min_suppliers: Option<usize>,
    /// Name or CID contains.
    pub q: Option<String>,
    /// "suppliers", "name", "metal", "country", "status".
    pub sort: Option<String>,
    /// "asc" or "desc".
    pub dir: Option<String>,
    /// Page (1-based).
    pub page: Option<i64>,
}

/// The roll-up lines passing the filters, sorted.
pub fn filter_rollup<'a>(lines: &'a [RollupLine], p: &RollupParams) -> Vec<&'a RollupLine> {
    let q = p.q.as_deref().unwrap_or("").trim().to_lowercase();
    let metal = p.metal.as_deref().unwrap_or("");
    let status = p.status.as_deref().unwrap_or("");
    let risk = p.risk.as_deref().unwrap_or("");
    let min = p.min_suppliers.unwrap_or(0);
    let mut out: Vec<&RollupLine> = lines
        .iter()
        .filter(|l| metal.is_empty() || l.metal.eq_ignore_ascii_case(metal))
        .filter(|l| match status {
            "" => true,
            "unresolved" => !l.resolved,
            s => l.resolved && bucket(l.status.as_deref()) == s,
        })
        .filter(|l| match risk {
            "high" => !l.risk_lists.is_empty(),
            "none" => l.risk_lists.is_empty(),
            _ => true,
        })
        .filter(|l| l.supplier_count >= min)
        .filter(|l| {
            q.is_empty()
                || l.name.to_lowercase().contains(&q)
                || l.cid
                    .as_deref()
                    .is_some_and(|c| c.to_lowercase().contains(&q))
        })
        .collect();
    let sort = p.sort.as_deref().unwrap_or("suppliers");
    let desc = is_desc(p.dir.as_deref(), sort == "suppliers");
    out.sort_by(|a, b| {
        let o = match sort {
            "name" => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            "metal" => a.metal.cmp(&b.metal),
            "country" => a.country.cmp(&b.country),
            "status" => a.status.cmp(&b.status),
            _ => a.supplier_count.cmp(&b.supplier_count),
        };
        let o = if desc { o.reverse() } else { o };
        o.then_with(|| a.name.cmp(&b.name))
    });
    out
}

#[derive(Template)]
#[template(path = "facilities.html")]
struct FacilitiesPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    lines: Vec<RollupLine>,
    heads: Vec<Head>,
    pager: Pager,
    metals: Vec<String>,
    metal: String,
    status: String,
    risk: String,
    min_suppliers: String,
    q: String,
    submissions: i64,
    as_of: String,
}

/// The roll-up of a campaign.
pub async fn list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<RollupParams>,
) -> Result<Response> {
    let (all, chosen) = super::pick_campaign(&state, p.campaign).await?;
    let rollup = match &chosen {
        Some(c) => Some(state.rollup(c.id).await?),
        None => None,
    };
    let empty = Vec::new();
    let lines_all = rollup.as_ref().map(|r| &r.lines).unwrap_or(&empty);
    let filtered = filter_rollup(lines_all, &p);
    let (page, w) = window(p.page, super::PER_PAGE);
    let total = filtered.len() as i64;
    let shown: Vec<RollupLine> = filtered
        .iter()
        .skip(w.offset as usize)
        .take(w.limit as usize)
        .map(|l| (*l).clone())
        .collect();
    let sort = p.sort.clone().unwrap_or_else(|| "suppliers".into());
    let desc = is_desc(p.dir.as_deref(), sort == "suppliers");
    let mut metals: Vec<String> = lines_all.iter().map(|l| l.metal.clone()).collect();
    metals.sort();
    metals.dedup();
    let s_or = |o: &Option<String>| o.clone().unwrap_or_default();
    let q = Query::new(
        "/facilities",
        &[
            (
                "campaign",
                chosen
                    .as_ref()
                    .map(|c| c.id.to_string())
                    .unwrap_or_default(),
            ),
            ("metal", s_or(&p.metal)),
            ("status", s_or(&p.status)),
            ("risk", s_or(&p.risk)),
            (
                "min_suppliers",
                p.min_suppliers.map(|m| m.to_string()).unwrap_or_default(),
            ),
            ("q", s_or(&p.q)),
            ("sort", sort.clone()),
            ("dir", if desc { "desc".into() } else { "asc".into() }),
        ],
    );
    let page_view = FacilitiesPage {
        layout: Layout::new(&state, &s, "Facilities roll-up", "/facilities").await?,
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        heads: heads(
            &q,
            &[
                ("Facility", "name", false),
                ("Metal", "metal", false),
                ("Country", "country", false),
                ("RMAP status", "status", false),
                ("Last audit", "", false),
                ("Suppliers", "suppliers", true),
                ("Rows", "", true),
            ],
            &sort,
            desc,
        ),
        pager: Pager::new(&q, page, w.limit, total, shown.len()),
        lines: shown,
        metals,
        metal: s_or(&p.metal),
        status: s_or(&p.status),
        risk: s_or(&p.risk),
        min_suppliers: p.min_suppliers.map(|m| m.to_string()).unwrap_or_default(),
        q: s_or(&p.q),
        submissions: rollup.as_ref().map_or(0, |r| r.submissions),
        as_of: rollup
            .as_ref()
            .map(|r| r.as_of.to_string())
            .unwrap_or_default(),
    };
    render(&page_view)
}

#[derive(Template)]
#[template(path = "facility.html")]
struct FacilityPage {
    layout: Layout,
    cid: String,
    facilities: Vec<FacilityInfo>,
    history: Vec<StatusPoint>,
    suppliers: Vec<NamingSupplier>,
    pager: Pager,
}

/// Page parameters.
#[derive(Debug, Deserialize)]
pub struct ShowParams {
    page: Option<i64>,
}

/// One facility: registry entry, status history, suppliers naming it.
pub async fn show(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(cid): Path<String>,
    Q(p): Q<ShowParams>,
) -> Result<Response> {
    let cid = oretrail_facilities::registry::clean_cid(&cid).unwrap_or(cid);
    let facilities = lists::facilities_with_cid(&state, &cid).await?;
    let history = lists::status_history(&state, &cid).await?;
    let (page, w) = window(p.page, super::PER_PAGE);
    let (suppliers, total) = lists::naming_suppliers(&state, &cid, w).await?;
    let q = Query::new(&format!("/facilities/{cid}"), &[]);
    let title = facilities
        .first()
        .map(|f| format!("{} · {}", f.standard_name, cid))
        .unwrap_or_else(|| cid.clone());
    let page_view = FacilityPage {
        layout: Layout::new(&state, &s, title, "/facilities").await?,
        pager: Pager::new(&q, page, w.limit, total, suppliers.len()),
        cid,
        facilities,
        history,
        suppliers,
    };
    render(&page_view)
}
