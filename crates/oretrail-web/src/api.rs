//! REST API under `/api/v1`, authenticated by API tokens (`Authorization: Bearer ot_…`), each
//! handler declaring its role by its extractor. The OpenAPI document at `/api/openapi.json` is
//! generated from these handlers by utoipa.

use crate::auth::{ApiAnalyst, ApiViewer};
use crate::db::audit::{self, AuditEntry};
use crate::db::lists::{
    self, FacilityInfo, ProblemLine, RequestLine, SmelterLine, StatusPoint, SubmissionFilter,
    SubmissionLine, SupplierFilter, SupplierInfo, SupplierLine, Window,
};
use crate::error::WebError;
use crate::pages::facilities::{RollupParams, filter_rollup};
use crate::state::AppState;
use crate::upload::FileResult;
use axum::Json;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// An API failure: status and a JSON body `{"error": "..."}`.
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        ApiError(e)
    }
}

impl From<oretrail_store::StoreError> for ApiError {
    fn from(e: oretrail_store::StoreError) -> ApiError {
        ApiError(e.into())
    }
}

/// The error body.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            eprintln!("oretrail-web api: {}", self.0);
        }
        (
            status,
            Json(ErrorBody {
                error: self.0.public_message(),
            }),
        )
            .into_response()
    }
}

type ApiResult<T> = Result<Json<T>, ApiError>;

#[derive(OpenApi)]
#[openapi(
    info(title = "Oretrail API", description = "Responsible-minerals due diligence: suppliers, campaigns, submissions, problems, facilities, roll-up and coverage."),
    modifiers(&BearerAuth),
    security(("token" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API routes and their OpenAPI document.
pub fn routes() -> (axum::Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_suppliers))
        .routes(routes!(get_supplier))
        .routes(routes!(list_campaigns))
        .routes(routes!(list_requests))
        .routes(routes!(get_coverage))
        .routes(routes!(get_rollup))
        .routes(routes!(list_submissions, upload_submissions))
        .routes(routes!(get_submission))
        .routes(routes!(get_problems))
        .routes(routes!(get_facility))
        .routes(routes!(get_audit))
        .merge(crate::risk_api::router())
        .split_for_parts()
}

/// A page of items.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    /// Items in total.
    pub total: i64,
    /// Page (1-based).
    pub page: i64,
    /// Items per page.
    pub per_page: i64,
    /// The items.
    pub items: Vec<T>,
    /// Keyset paging (submissions sorted by `received`): pass as `after` for the next page;
    /// absent on the last page and on other lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_after: Option<i64>,
}

fn window(page: Option<i64>, per_page: Option<i64>) -> (i64, Window) {
    let per = per_page.unwrap_or(50).clamp(1, 500);
    crate::pages::window(page, per)
}

/// Supplier list parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SupplierParams {
    /// Campaign whose requests and submissions are joined (default: newest).
    campaign: Option<i64>,
    /// Name or ERP ID contains.
    q: Option<String>,
    /// Request status, or "out_of_scope".
    status: Option<String>,
    /// Lowest spend.
    min_spend: Option<f64>,
    /// "errors", "warnings", "clean", "none".
    problems: Option<String>,
    /// "spend", "name", "erp", "status", "errors", "country".
    sort: Option<String>,
    /// "asc" or "desc".
    dir: Option<String>,
    /// Page (1-based).
    page: Option<i64>,
    /// Items per page (at most 500).
    per_page: Option<i64>,
}

/// Suppliers with their state in a campaign.
#[utoipa::path(get, path = "/api/v1/suppliers", params(SupplierParams), responses((status = 200, body = Page<SupplierLine>), (status = 401, body = ErrorBody)))]
async fn list_suppliers(
    State(state): State<AppState>,
    _a: ApiViewer,
    Query(p): Query<SupplierParams>,
) -> ApiResult<Page<SupplierLine>> {
    let (_, chosen) = crate::pages::pick_campaign(&state, p.campaign).await?;
    let (page, w) = window(p.page, p.per_page);
    let f = SupplierFilter {
        campaign_id: chosen.as_ref().map_or(0, |c| c.id),
        period: chosen
            .as_ref()
            .map(|c| c.spec.period.clone())
            .unwrap_or_default(),
        q: p.q.unwrap_or_default(),
        status: p.status.unwrap_or_default(),
        min_spend: p.min_spend.unwrap_or(0.0),
        problems: p.problems.unwrap_or_default(),
    };
    let sort = p.sort.unwrap_or_else(|| "spend".into());
    let desc = crate::pages::is_desc(p.dir.as_deref(), sort == "spend");
    let lines = state.supplier_lines(f.campaign_id, &f.period).await?;
    let (items, total) = lists::page_of_suppliers(&lines, &f, &sort, desc, w);
    Ok(Json(Page {
        total,
        page,
        per_page: w.limit,
        items,
        next_after: None,
    }))
}

/// One supplier with contacts and spend.
#[utoipa::path(get, path = "/api/v1/suppliers/{id}", params(("id" = i64, Path, description = "Supplier ID")), responses((status = 200, body = SupplierInfo), (status = 404, body = ErrorBody)))]
async fn get_supplier(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<SupplierInfo> {
    Ok(Json(lists::supplier(&state, id).await?.ok_or_else(
        || WebError::NotFound(format!("supplier {id}")),
    )?))
}

/// A campaign.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignOut {
    /// ID.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Reporting period.
    pub period: String,
    /// Deadline (ISO date).
    pub deadline: Option<String>,
    /// Accepted families with minimum versions.
    pub families: std::collections::BTreeMap<String, Option<String>>,
    /// Share of spend the scope covers.
    pub spend_share: f64,
    /// Commodities whose spend counts.
    pub commodities: Vec<String>,
    /// When the scope was frozen.
    pub frozen_at: Option<String>,
}

/// Every campaign, newest first.
#[utoipa::path(get, path = "/api/v1/campaigns", responses((status = 200, body = Vec<CampaignOut>)))]
async fn list_campaigns(
    State(state): State<AppState>,
    _a: ApiViewer,
) -> ApiResult<Vec<CampaignOut>> {
    let all = oretrail_store::campaigns::list_campaigns(&state.store).await?;
    Ok(Json(
        all.into_iter()
            .map(|c| CampaignOut {
                id: c.id,
                name: c.spec.name,
                period: c.spec.period,
                deadline: c.spec.deadline.map(|d| d.to_string()),
                families: c
                    .spec
                    .families
                    .into_iter()
                    .map(|(f, v)| (f.code().to_string(), v))
                    .collect(),
                spend_share: c.spec.scope.spend_share,
                commodities: c.spec.scope.commodities,
                frozen_at: c.frozen_at,
            })
            .collect(),
    ))
}

/// Request list parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RequestParams {
    /// Status filter.
    status: Option<String>,
    /// "spend", "supplier", "status", "updated".
    sort: Option<String>,
    /// "asc" or "desc".
    dir: Option<String>,
    /// Page (1-based).
    page: Option<i64>,
    /// Items per page.
    per_page: Option<i64>,
}

/// A campaign's requests with statuses.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/requests", params(("id" = i64, Path, description = "Campaign ID"), RequestParams), responses((status = 200, body = Page<RequestLine>)))]
async fn list_requests(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
    Query(p): Query<RequestParams>,
) -> ApiResult<Page<RequestLine>> {
    let (page, w) = window(p.page, p.per_page);
    let sort = p.sort.unwrap_or_else(|| "spend".into());
    let desc = crate::pages::is_desc(p.dir.as_deref(), true);
    let (items, total) = lists::requests(
        &state,
        id,
        p.status.as_deref().unwrap_or(""),
        &sort,
        desc,
        w,
    )
    .await?;
    Ok(Json(Page {
        total,
        page,
        per_page: w.limit,
        items,
        next_after: None,
    }))
}

/// Coverage of a campaign: spend covered overall and per mineral against the goal, requests
/// by status, response rate, missing suppliers, problem counts.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/coverage", params(("id" = i64, Path, description = "Campaign ID")), responses((status = 200, body = Object, description = "The campaign status (oretrail-store CampaignStatus)")))]
async fn get_coverage(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let d = state.dashboard(id).await?;
    Ok(Json(
        serde_json::to_value(&d.status).map_err(WebError::from)?,
    ))
}

/// The roll-up of a campaign: facilities with status, country risk and suppliers.
#[utoipa::path(get, path = "/api/v1/campaigns/{id}/rollup", params(("id" = i64, Path, description = "Campaign ID"), RollupParams), responses((status = 200, body = Object, description = "{total, page, per_page, as_of, items: [RollupLine]}")))]
async fn get_rollup(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
    Query(mut p): Query<RollupParams>,
) -> Result<Json<serde_json::Value>, ApiError> {
    p.campaign = Some(id);
    let rollup = state.rollup(id).await?;
    let lines = filter_rollup(&rollup.lines, &p);
    let (page, w) = window(p.page, None);
    let items: Vec<_> = lines
        .iter()
        .skip(w.offset as usize)
        .take(w.limit as usize)
        .collect();
    Ok(Json(serde_json::json!({
        "total": lines.len(), "page": page, "per_page": w.limit, "as_of": rollup.as_of,
        "submissions": rollup.submissions, "items": items,
    })))
}

/// Submission list parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SubmissionParams {
    /// Campaign.
    campaign: Option<i64>,
    /// Supplier.
    supplier: Option<i64>,
    /// "accepted", "rejected", "needs_review".
    status: Option<String>,
    /// File or company contains.
    q: Option<String>,
    /// Only current (not superseded).
    current: Option<bool>,
    /// "received", "company", "status", "errors", "file".
    sort: Option<String>,
    /// "asc" or "desc".
    dir: Option<String>,
    /// Page (1-based).
    page: Option<i64>,
    /// Items per page.
    per_page: Option<i64>,
    /// Keyset paging: the `next_after` of the previous page (sort `received` only; `page` is
    /// then ignored). Cheaper than deep pages.
    after: Option<i64>,
}

/// Submissions, newest first.
#[utoipa::path(get, path = "/api/v1/submissions", params(SubmissionParams), responses((status = 200, body = Page<SubmissionLine>)))]
async fn list_submissions(
    State(state): State<AppState>,
    _a: ApiViewer,
    Query(p): Query<SubmissionParams>,
) -> ApiResult<Page<SubmissionLine>> {
    let (page, w) = window(p.page, p.per_page);
    let f = SubmissionFilter {
        campaign_id: p.campaign.unwrap_or(0),
        supplier_id: p.supplier.unwrap_or(0),
        status: p.status.unwrap_or_default(),
        q: p.q.unwrap_or_default(),
        current_only: p.current.unwrap_or(false),
        after: p.after,
    };
    let sort = p.sort.unwrap_or_else(|| "received".into());
    let desc = crate::pages::is_desc(p.dir.as_deref(), true);
    let (items, total) = lists::submissions(&state, &f, &sort, desc, w).await?;
    let next_after = (sort == "received" && items.len() as i64 == w.limit)
        .then(|| items.last().map(|l| l.id))
        .flatten();
    Ok(Json(Page {
        total,
        page,
        per_page: w.limit,
        items,
        next_after,
    }))
}

/// Uploads templates or zip archives (multipart: `file` parts, optional `campaign` ID).
#[utoipa::path(post, path = "/api/v1/submissions", request_body(content_type = "multipart/form-data", content = Object, description = "file: one or more templates or zips; campaign: campaign ID"), responses((status = 200, body = Vec<FileResult>), (status = 403, body = ErrorBody)))]
async fn upload_submissions(
    State(state): State<AppState>,
    ApiAnalyst(a): ApiAnalyst,
    mp: Multipart,
) -> ApiResult<Vec<FileResult>> {
    let (campaign_id, files, _) = crate::pages::upload::read_multipart(mp).await?;
    if files.is_empty() {
        return Err(WebError::BadRequest("no file part".into()).into());
    }
    let campaign = match campaign_id {
        Some(id) => Some(
            oretrail_store::campaigns::list_campaigns(&state.store)
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or_else(|| WebError::NotFound(format!("campaign {id}")))?,
        ),
        None => None,
    };
    Ok(Json(
        crate::upload::receive(&state, campaign, files, &a.actor(), "api").await?,
    ))
}

/// One submission.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmissionOut {
    /// The list line.
    pub submission: SubmissionLine,
    /// SHA-256 of the original.
    pub sha256: String,
    /// How it came.
    pub received_via: String,
    /// Effective date declared.
    pub effective_date: Option<String>,
    /// Smelter List rows with resolution.
    pub smelters: Vec<SmelterLine>,
    /// The report as read (`SupplierReport`).
    #[schema(value_type = Object)]
    pub report: Option<serde_json::Value>,
}

/// One submission with its smelter rows and report.
#[utoipa::path(get, path = "/api/v1/submissions/{id}", params(("id" = i64, Path, description = "Submission ID")), responses((status = 200, body = SubmissionOut), (status = 404, body = ErrorBody)))]
async fn get_submission(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<SubmissionOut> {
    let sub = lists::submission(&state, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("submission {id}")))?;
    Ok(Json(SubmissionOut {
        smelters: lists::smelters(&state, id).await?,
        report: sub
            .report_json
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok()),
        submission: sub.line,
        sha256: sub.sha256,
        received_via: sub.received_via,
        effective_date: sub.effective_date,
    }))
}

/// Language of problem messages.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LangParams {
    /// "en" (default) or "zh".
    pub lang: Option<String>,
}

/// A submission's problems, with sheet and cell, and messages in the language asked for.
#[utoipa::path(get, path = "/api/v1/submissions/{id}/problems", params(("id" = i64, Path, description = "Submission ID"), LangParams), responses((status = 200, body = Vec<ProblemLine>)))]
async fn get_problems(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
    Query(q): Query<LangParams>,
) -> ApiResult<Vec<ProblemLine>> {
    lists::submission(&state, id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("submission {id}")))?;
    let lang = q.lang.as_deref().unwrap_or("en");
    Ok(Json(lists::problems(&state, id, lang).await?))
}

/// A facility with its status history.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacilityOut {
    /// Registry entries (one per metal).
    pub facilities: Vec<FacilityInfo>,
    /// RMAP status in every imported list.
    pub status_history: Vec<StatusPoint>,
}

/// One facility (by CID) with its status history.
#[utoipa::path(get, path = "/api/v1/facilities/{cid}", params(("cid" = String, Path, description = "RMI facility ID")), responses((status = 200, body = FacilityOut)))]
async fn get_facility(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(cid): Path<String>,
) -> ApiResult<FacilityOut> {
    let cid = oretrail_facilities::registry::clean_cid(&cid)
        .ok_or_else(|| WebError::BadRequest("not a CID".into()))?;
    Ok(Json(FacilityOut {
        facilities: lists::facilities_with_cid(&state, &cid).await?,
        status_history: lists::status_history(&state, &cid).await?,
    }))
}

/// Audit log parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    /// Actor.
    actor: Option<String>,
    /// Action prefix.
    action: Option<String>,
    /// Page.
    page: Option<i64>,
    /// Items per page.
    per_page: Option<i64>,
}

/// The audit log, newest first.
#[utoipa::path(get, path = "/api/v1/audit", params(AuditParams), responses((status = 200, body = Page<AuditEntry>)))]
async fn get_audit(
    State(state): State<AppState>,
    _a: ApiViewer,
    Query(p): Query<AuditParams>,
) -> ApiResult<Page<AuditEntry>> {
    let (page, w) = window(p.page, p.per_page);
    let (items, total) = audit::page(
        &state,
        p.actor.as_deref(),
        p.action.as_deref(),
        w.limit,
        w.offset,
    )
    .await?;
    Ok(Json(Page {
        total,
        page,
        per_page: w.limit,
        items,
        next_after: None,
    }))
}
