//! Campaigns: list, creation with a spend rule, the request list with statuses, upload links,
//! and request/reminder e-mails (.eml, one or a zip of all).

use super::{CsrfOnly, Head, Layout, Pager, Query, heads, is_desc, money, percent, render, window};
use crate::auth::{Analyst, Viewer};
use crate::db::lists::{self, RequestLine};
use crate::db::{audit, links};
use crate::emails::{self, Kind, Letter};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query as Q, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use oretrail_store::campaigns::{self, Campaign, CampaignSpec, RequestStatus, ScopeRule};
use oretrail_template::Family;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::Write;

/// A campaign line of the list.
pub struct CampaignLine {
    id: i64,
    name: String,
    period: String,
    deadline: String,
    families: String,
    share: String,
    requests: usize,
    coverage: String,
    goal_met: bool,
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct CampaignsPage {
    layout: Layout,
    lines: Vec<CampaignLine>,
    can_edit: bool,
    periods: Vec<String>,
}

/// List parameters.
#[derive(Debug, Deserialize)]
pub struct ListParams {
    done: Option<String>,
}

/// The campaigns, newest first, with the creation form.
pub async fn list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<ListParams>,
) -> Result<Response> {
    let all = campaigns::list_campaigns(&state.store).await?;
    let mut lines = Vec::new();
    for c in &all {
        let d = state.dashboard(c.id).await?;
        lines.push(CampaignLine {
            id: c.id,
            name: c.spec.name.clone(),
            period: c.spec.period.clone(),
            deadline: c.spec.deadline.map(|d| d.to_string()).unwrap_or_default(),
            families: families_text(c),
            share: percent(c.spec.scope.spend_share),
            requests: d.status.requests,
            coverage: percent(d.status.overall.coverage),
            goal_met: d.status.overall.goal_met,
        });
    }
    let page = CampaignsPage {
        layout: Layout::new(&state, &s, "Campaigns", "/campaigns")
            .await?
            .flash(super::done_message(p.done.as_deref())),
        lines,
        can_edit: s.user.role.allows(crate::auth::Role::Analyst),
        periods: periods(&state).await?,
    };
    render(&page)
}

async fn periods(state: &AppState) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for c in campaigns::list_campaigns(&state.store).await? {
        if !out.contains(&c.spec.period) {
            out.push(c.spec.period);
        }
    }
    if out.is_empty() {
        out.push(
            (crate::db::today()
                .format("%Y")
                .to_string()
                .parse::<i32>()
                .unwrap_or(2025)
                - 1)
            .to_string(),
        );
    }
    Ok(out)
}

/// "CMRT 6.31+, EMRT" from a campaign's accepted families.
pub fn families_text(c: &Campaign) -> String {
    if c.spec.families.is_empty() {
        return "any template".into();
    }
    c.spec
        .families
        .iter()
        .map(|(f, min)| match min {
            Some(v) => format!("{} {v} or later", f.code()),
            None => f.code().to_string(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Creation form.
#[derive(Debug, Deserialize)]
pub struct CreateForm {
    name: String,
    period: String,
    deadline: Option<String>,
    spend_share: f64,
    #[serde(default)]
    commodities: String,
    #[serde(default)]
    cmrt: Option<String>,
    #[serde(default)]
    emrt: Option<String>,
    #[serde(default)]
    crt: Option<String>,
    #[serde(default)]
    amrt: Option<String>,
}

/// Creates a campaign: the spend rule's scope is frozen into requests.
pub async fn create(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<CreateForm>,
) -> Result<Response> {
    let name = f.name.trim();
    if name.is_empty() || f.period.trim().is_empty() {
        return Err(WebError::BadRequest(
            "a campaign needs a name and a period".into(),
        ));
    }
    let deadline = match f
        .deadline
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => Some(
            NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| WebError::BadRequest(format!("'{d}' is not a date")))?,
        ),
        None => None,
    };
    let mut families = BTreeMap::new();
    for (on, fam) in [
        (&f.cmrt, Family::Cmrt),
        (&f.emrt, Family::Emrt),
        (&f.crt, Family::Crt),
        (&f.amrt, Family::Amrt),
    ] {
        if on.is_some() {
            families.insert(fam, None);
        }
    }
    let spec = CampaignSpec {
        name: name.to_string(),
        period: f.period.trim().to_string(),
        deadline,
        families,
        scope: ScopeRule {
            spend_share: (f.spend_share / 100.0).clamp(0.0, 1.0),
            commodities: f
                .commodities
                .split([',', ';', ' '])
                .map(|c| c.trim().to_lowercase())
                .filter(|c| !c.is_empty())
                .collect(),
            ..ScopeRule::default()
        },
    };
    let (campaign, n) = campaigns::create_campaign(&state.store, &spec).await?;
    audit::record(
        &state.store,
        s.actor(),
        "campaign.create",
        Some(&format!("campaign {}", campaign.id)),
        Some(&format!(
            "'{}' period {}, {} of spend → {n} request(s)",
            spec.name,
            spec.period,
            percent(spec.scope.spend_share)
        )),
    )
    .await?;
    state.changed();
    Ok(Redirect::to(&format!("/campaigns/{}?done=campaign", campaign.id)).into_response())
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct CampaignPage {
    layout: Layout,
    c: Campaign,
    families: String,
    requests: Vec<RequestView>,
    heads: Vec<Head>,
    pager: Pager,
    status: String,
    statuses: Vec<(&'static str, usize, bool)>,
    can_edit: bool,
    new_link: Option<String>,
}

/// A request line with display fields.
pub struct RequestView {
    r: RequestLine,
    spend: String,
    link: Option<String>,
}

/// Request list parameters.
#[derive(Debug, Deserialize)]
pub struct ShowParams {
    status: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
    page: Option<i64>,
    done: Option<String>,
    link: Option<i64>,
}

/// A campaign's requests with statuses, links and e-mail actions.
pub async fn show(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
    Q(p): Q<ShowParams>,
) -> Result<Response> {
    let c = campaigns::list_campaigns(&state.store)
        .await?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| WebError::NotFound(format!("campaign {id}")))?;
    let status = p.status.unwrap_or_default();
    let sort = p.sort.unwrap_or_else(|| "spend".into());
    let desc = is_desc(p.dir.as_deref(), true);
    let (page, w) = window(p.page, super::PER_PAGE);
    let (requests, total) = lists::requests(&state, id, &status, &sort, desc, w).await?;
    let q = Query::new(
        &format!("/campaigns/{id}"),
        &[
            ("status", status.clone()),
            ("sort", sort.clone()),
            ("dir", if desc { "desc".into() } else { "asc".into() }),
        ],
    );
    let d = state.dashboard(id).await?;
    let can_edit = s.user.role.allows(crate::auth::Role::Analyst);
    let new_link = match p.link {
        Some(link_id) if can_edit => links::by_id(&state, link_id)
            .await?
            .filter(|l| l.campaign_id == id)
            .map(|l| format!("{}/s/{}", state.config.public_url, l.token)),
        _ => None,
    };
    let mut views = Vec::new();
    for r in requests {
        let link = match r.link_id {
            Some(lid) if can_edit => links::by_id(&state, lid)
                .await?
                .map(|l| format!("{}/s/{}", state.config.public_url, l.token)),
            _ => None,
        };
        views.push(RequestView {
            spend: money(r.spend),
            r,
            link,
        });
    }
    let page_view = CampaignPage {
        layout: Layout::new(
            &state,
            &s,
            format!("Campaign · {}", c.spec.name),
            "/campaigns",
        )
        .await?
        .flash(super::done_message(p.done.as_deref())),
        families: families_text(&c),
        heads: heads(
            &q,
            &[
                ("Supplier", "supplier", false),
                ("Spend", "spend", true),
                ("Status", "status", false),
                ("Updated", "updated", false),
                ("Upload link", "", false),
                ("", "", false),
            ],
            &sort,
            desc,
        ),
        pager: Pager::new(&q, page, w.limit, total, views.len()),
        requests: views,
        statuses: RequestStatus::ALL
            .iter()
            .map(|st| {
                (
                    st.code(),
                    d.status.by_status.get(st).copied().unwrap_or(0),
                    st.code() == status,
                )
            })
            .collect(),
        status,
        c,
        can_edit,
        new_link,
    };
    render(&page_view)
}

/// Creates (or returns) the live upload link of a request.
pub async fn ensure_link(
    state: &AppState,
    request_id: i64,
    actor: &str,
) -> Result<links::UploadLink> {
    if let Some(existing) = sqlx_live_link(state, request_id).await? {
        return Ok(existing);
    }
    let token = crate::auth::random_token()?;
    let csrf = crate::auth::random_token()?;
    let expires = crate::db::timestamp(state.config.link_days * 86_400);
    let id = links::create(
        &state.store,
        &token,
        request_id,
        &csrf,
        "en",
        actor,
        &expires,
    )
    .await?;
    let link = links::by_id(&state, id)
        .await?
        .ok_or_else(|| WebError::Internal("link vanished".into()))?;
    audit::record(
        &state.store,
        actor,
        "link.create",
        Some(&format!("request {request_id}")),
        Some(&format!(
            "upload link for {} ({}) valid until {expires}",
            link.supplier_name, link.erp_id
        )),
    )
    .await?;
    Ok(link)
}

async fn sqlx_live_link(state: &AppState, request_id: i64) -> Result<Option<links::UploadLink>> {
    let Some(campaign) = lists::campaign_of_request(&state, request_id).await? else {
        return Err(WebError::NotFound(format!("request {request_id}")));
    };
    Ok(links::live_of_campaign(&state, campaign)
        .await?
        .into_iter()
        .rev()
        .find(|l| l.request_id == request_id))
}

/// Creates an upload link for a request.
pub async fn create_link(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(request_id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response> {
    let link = ensure_link(&state, request_id, s.actor()).await?;
    Ok(Redirect::to(&format!(
        "/campaigns/{}?done=link&link={}",
        link.campaign_id, link.id
    ))
    .into_response())
}

/// Revokes an upload link.
pub async fn revoke_link(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(link_id): Path<i64>,
    Form(_): Form<CsrfOnly>,
) -> Result<Response> {
    let link = links::by_id(&state, link_id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("link {link_id}")))?;
    if links::revoke(&state.store, link_id).await? {
        audit::record(
            &state.store,
            s.actor(),
            "link.revoke",
            Some(&format!("request {}", link.request_id)),
            Some(&format!(
                "upload link of {} ({}) revoked",
                link.supplier_name, link.erp_id
            )),
        )
        .await?;
    }
    Ok(Redirect::to(&format!("/campaigns/{}?done=revoked", link.campaign_id)).into_response())
}

/// Status form.
#[derive(Debug, Deserialize)]
pub struct StatusForm {
    status: String,
    reason: Option<String>,
}

/// Sets a request's status (waive, reject, ...).
pub async fn set_status(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(request_id): Path<i64>,
    Form(f): Form<StatusForm>,
) -> Result<Response> {
    let status = RequestStatus::from_code(&f.status)
        .ok_or_else(|| WebError::BadRequest(format!("unknown status '{}'", f.status)))?;
    let r = lists::request(&state, request_id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("request {request_id}")))?;
    let campaign = lists::campaign_of_request(&state, request_id)
        .await?
        .unwrap_or(0);
    let reason = f.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    campaigns::set_request_status(&state.store, campaign, &r.erp_id, status, reason, s.actor())
        .await?;
    audit::record(
        &state.store,
        s.actor(),
        "request.status",
        Some(&format!("request {request_id}")),
        Some(&format!(
            "{} ({}): {} → {}{}",
            r.supplier_name,
            r.erp_id,
            r.status,
            status.code(),
            reason.map(|x| format!(" ({x})")).unwrap_or_default()
        )),
    )
    .await?;
    state.changed();
    Ok(Redirect::to(&format!("/campaigns/{campaign}?done=status")).into_response())
}

/// E-mail form.
#[derive(Debug, Deserialize)]
pub struct EmailForm {
    kind: String,
}

/// The `.eml` of one request (creating its link when needed); marks it sent or reminded.
pub async fn email_one(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(request_id): Path<i64>,
    Form(f): Form<EmailForm>,
) -> Result<Response> {
    let kind = Kind::from_code(&f.kind)
        .ok_or_else(|| WebError::BadRequest("kind is request or reminder".into()))?;
    let (name, eml) = letter_for(&state, request_id, kind, s.actor()).await?;
    state.changed();
    Ok((
        [
            (header::CONTENT_TYPE, "message/rfc822".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        eml,
    )
        .into_response())
}

/// Builds one request's e-mail, marks the request and logs it.
pub async fn letter_for(
    state: &AppState,
    request_id: i64,
    kind: Kind,
    actor: &str,
) -> Result<(String, String)> {
    let r = lists::request(&state, request_id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("request {request_id}")))?;
    let campaign_id = lists::campaign_of_request(&state, request_id)
        .await?
        .unwrap_or(0);
    let c = campaigns::list_campaigns(&state.store)
        .await?
        .into_iter()
        .find(|c| c.id == campaign_id)
        .ok_or_else(|| WebError::NotFound(format!("campaign {campaign_id}")))?;
    let link = ensure_link(state, request_id, actor).await?;
    let url = format!("{}/s/{}", state.config.public_url, link.token);
    let date = chrono::DateTime::parse_from_rfc3339(&crate::db::now())
        .map(|d| d.to_rfc2822())
        .unwrap_or_default();
    let letter = Letter {
        kind,
        company: &state.config.company_name,
        from: &state.config.mail_from,
        to: r.email.as_deref(),
        supplier: &r.supplier_name,
        campaign: &c.spec.name,
        templates: &families_text(&c),
        deadline: c.spec.deadline,
        link: &url,
        link_expires: link.expires_at.get(..10).unwrap_or(&link.expires_at),
        request_id,
        date: &date,
    };
    let eml = emails::eml(&letter);
    let new_status = match kind {
        Kind::Request => RequestStatus::Sent,
        Kind::Reminder => RequestStatus::Reminded,
    };
    if matches!(r.status.as_str(), "to_send" | "sent" | "reminded") {
        campaigns::set_request_status(
            &state.store,
            campaign_id,
            &r.erp_id,
            new_status,
            None,
            actor,
        )
        .await?;
    }
    audit::record(
        &state.store,
        actor,
        &format!("email.{}", kind.code()),
        Some(&format!("request {request_id}")),
        Some(&format!(
            "{} e-mail for {} ({}) exported",
            kind.code(),
            r.supplier_name,
            r.erp_id
        )),
    )
    .await?;
    Ok((emails::file_name(kind, &r.erp_id), eml))
}

/// A zip of the `.eml` of every request that needs it: requests for those not sent yet,
/// reminders for those sent or reminded.
pub async fn emails(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<EmailForm>,
) -> Result<Response> {
    let kind = Kind::from_code(&f.kind)
        .ok_or_else(|| WebError::BadRequest("kind is request or reminder".into()))?;
    let statuses: &[&str] = match kind {
        Kind::Request => &["to_send"],
        Kind::Reminder => &["sent", "reminded"],
    };
    let mut ids = Vec::new();
    for st in statuses {
        let (rs, _) = lists::requests(
            &state,
            id,
            st,
            "spend",
            true,
            lists::Window {
                limit: 100_000,
                offset: 0,
            },
        )
        .await?;
        ids.extend(rs.into_iter().map(|r| r.id));
    }
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for rid in ids {
            let (name, eml) = letter_for(&state, rid, kind, s.actor()).await?;
            zip.start_file(name, opts)
                .map_err(|e| WebError::Internal(e.to_string()))?;
            zip.write_all(eml.as_bytes())
                .map_err(|e| WebError::Internal(e.to_string()))?;
        }
        zip.finish()
            .map_err(|e| WebError::Internal(e.to_string()))?;
    }
    state.changed();
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"campaign-{id}-{}s.zip\"",
                    kind.code()
                ),
            ),
        ],
        buf.into_inner(),
    )
        .into_response())
}
