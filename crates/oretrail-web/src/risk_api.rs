//! The risk part of `/api/v1`: the policy, a campaign's scores as of a date (and recording them
//! into the register), cases and their ladder steps, refiner outreach, audits, grievances and
//! the latest digest. Domain objects are returned as the risk crate serialises them (`Object`
//! in the OpenAPI document); inputs are typed.

use crate::api::{ApiError, ErrorBody};
use crate::auth::{ApiAnalyst, ApiViewer};
use crate::error::WebError;
use crate::pages::risk::{assessment, form_date, log, risk, today};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, Query, State};
use oretrail_risk::db::cases::{self, CaseFilter, Step};
use oretrail_risk::db::grievances::{self, NewGrievance};
use oretrail_risk::db::outreach::{self, Commitment, NewOutreach};
use oretrail_risk::db::{assessments, facts, policies, programme};
use oretrail_risk::ladder::Stage;
use oretrail_risk::{FacilityKey, Level};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

type Out<T> = Result<Json<T>, ApiError>;
type Value = serde_json::Value;

fn json(v: &impl Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError(WebError::from(e)))
}

/// The risk API routes.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_policy))
        .routes(routes!(get_assessment))
        .routes(routes!(record_assessment))
        .routes(routes!(list_cases))
        .routes(routes!(get_case))
        .routes(routes!(add_step))
        .routes(routes!(add_note))
        .routes(routes!(get_outreach))
        .routes(routes!(add_outreach))
        .routes(routes!(list_audits))
        .routes(routes!(list_grievances, add_grievance))
        .routes(routes!(get_digest))
}

/// The policy in force: name, version, SHA-256, thresholds and every rule.
#[utoipa::path(get, path = "/api/v1/risk/policy", tag = "risk", responses((status = 200, body = Object, description = "{name, version, sha256, thresholds, rules: [{id, subject, enabled, weight, reason, params}]}"), (status = 401, body = ErrorBody)))]
async fn get_policy(State(state): State<AppState>, _a: ApiViewer) -> Out<Value> {
    let risk = risk(&state).await?;
    let p = policies::active(&risk).await?;
    Ok(Json(serde_json::json!({
        "name": p.policy.policy.name,
        "version": p.policy.policy.version,
        "sha256": p.sha256,
        "origin": p.origin,
        "thresholds": p.policy.thresholds,
        "rules": p.policy.rules.list(),
    })))
}

/// Assessment date.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
pub struct AsOf {
    /// Date the scores are computed as of (YYYY-MM-DD; default today).
    as_of: Option<String>,
}

/// A campaign scored as of a date (not recorded): campaign score with the points of each rule,
/// every supplier and facility with its flags (rule, weight, reason, facts).
#[utoipa::path(get, path = "/api/v1/risk/campaigns/{id}/assessment", tag = "risk", params(("id" = i64, Path, description = "Campaign ID"), AsOf), responses((status = 200, body = Object, description = "oretrail-risk Assessment"), (status = 404, body = ErrorBody)))]
async fn get_assessment(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path(id): Path<i64>,
    Query(q): Query<AsOf>,
) -> Out<Value> {
    let risk = risk(&state).await?;
    facts::campaign(&risk, id).await?;
    let as_of = form_date(q.as_of.as_deref())?.unwrap_or_else(today);
    let policy = policies::active(&risk).await?;
    let a = assessment(&state, &risk, &policy, id, as_of).await?;
    Ok(Json(json(&*a)?))
}

/// What recording an assessment did.
#[derive(Debug, Serialize, ToSchema)]
pub struct Recorded {
    /// ID of the recorded assessment.
    pub assessment_id: i64,
    /// Cases opened.
    pub opened: Vec<i64>,
    /// Cases new flags joined.
    pub joined: Vec<i64>,
    /// Cases some of whose flags cleared.
    pub cleared: Vec<i64>,
}

/// Records a campaign's assessment as of a date and lets its flags open or join cases.
#[utoipa::path(post, path = "/api/v1/risk/campaigns/{id}/assessments", tag = "risk", params(("id" = i64, Path, description = "Campaign ID")), request_body = AsOf, responses((status = 200, body = Recorded), (status = 403, body = ErrorBody)))]
async fn record_assessment(
    State(state): State<AppState>,
    ApiAnalyst(p): ApiAnalyst,
    Path(id): Path<i64>,
    Json(body): Json<AsOf>,
) -> Out<Recorded> {
    let risk = risk(&state).await?;
    facts::campaign(&risk, id).await?;
    let as_of = form_date(body.as_of.as_deref())?.unwrap_or_else(today);
    let policy = policies::active(&risk).await?;
    let a = assessment(&state, &risk, &policy, id, as_of).await?;
    let actor = p.actor();
    let (assessment_id, change) = assessments::save(&risk, &a, &actor).await?;
    log(&state, &actor, &change).await?;
    let (report, change) = cases::sync(&risk, &policy.policy, &a, &actor).await?;
    log(&state, &actor, &change).await?;
    Ok(Json(Recorded {
        assessment_id,
        opened: report.opened,
        joined: report.joined,
        cleared: report.cleared,
    }))
}

/// Case filters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct CaseParams {
    /// "open" (default), "closed" or "all".
    status: Option<String>,
    /// "low", "medium", "high".
    level: Option<String>,
    /// Only cases past their due date.
    overdue: Option<bool>,
}

/// Cases of the risk register.
#[utoipa::path(get, path = "/api/v1/risk/cases", tag = "risk", params(CaseParams), responses((status = 200, body = Vec<Object>, description = "oretrail-risk Case list")))]
async fn list_cases(
    State(state): State<AppState>,
    _a: ApiViewer,
    Query(q): Query<CaseParams>,
) -> Out<Value> {
    let risk = risk(&state).await?;
    let status = q.status.unwrap_or_else(|| "open".into());
    let list = cases::list(
        &risk,
        &CaseFilter {
            status: if status == "all" {
                String::new()
            } else {
                status
            },
            level: q.level.as_deref().and_then(Level::from_code),
            due_before: q.overdue.unwrap_or(false).then(today),
            ..CaseFilter::default()
        },
    )
    .await?;
    Ok(Json(json(&list)?))
}

/// A case with its flags, history (steps, sign-offs, evidence) and milestones.
#[utoipa::path(get, path = "/api/v1/risk/cases/{id}", tag = "risk", params(("id" = i64, Path, description = "Case ID")), responses((status = 200, body = Object, description = "oretrail-risk CaseDetail"), (status = 404, body = ErrorBody)))]
async fn get_case(State(state): State<AppState>, _a: ApiViewer, Path(id): Path<i64>) -> Out<Value> {
    let risk = risk(&state).await?;
    Ok(Json(json(&cases::detail(&risk, id).await?)?))
}

/// A milestone of an improvement plan.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MilestoneIn {
    /// What is to be done.
    title: String,
    /// By when (YYYY-MM-DD).
    due: String,
}

/// A ladder step.
#[derive(Debug, Deserialize, ToSchema)]
pub struct StepIn {
    /// "engage", "improvement_plan", "suspend", "disengage".
    stage: String,
    /// Day of the step (default today).
    on_date: Option<String>,
    /// What was done or agreed, and why.
    text: String,
    /// Milestones (an improvement plan needs one).
    #[serde(default)]
    milestones: Vec<MilestoneIn>,
}

/// A recorded step.
#[derive(Debug, Serialize, ToSchema)]
pub struct StepOut {
    /// ID of the history entry.
    pub event_id: i64,
    /// Whether it waits for a management sign-off (on the web application).
    pub waiting_for_sign_off: bool,
}

/// Records a step on the escalation ladder.
#[utoipa::path(post, path = "/api/v1/risk/cases/{id}/steps", tag = "risk", params(("id" = i64, Path, description = "Case ID")), request_body = StepIn, responses((status = 200, body = StepOut), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn add_step(
    State(state): State<AppState>,
    ApiAnalyst(p): ApiAnalyst,
    Path(id): Path<i64>,
    Json(body): Json<StepIn>,
) -> Out<StepOut> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let stage = Stage::from_code(&body.stage)
        .ok_or_else(|| WebError::BadRequest(format!("unknown stage '{}'", body.stage)))?;
    let mut milestones = Vec::new();
    for m in &body.milestones {
        let due = form_date(Some(&m.due))?
            .ok_or_else(|| WebError::BadRequest("a milestone needs its due date".into()))?;
        milestones.push((m.title.clone(), due));
    }
    let actor = p.actor();
    let (event_id, change) = cases::step(
        &risk,
        &policy.policy,
        id,
        &Step {
            stage,
            on_date: form_date(body.on_date.as_deref())?.unwrap_or_else(today),
            text: body.text,
            milestones,
            evidence: Vec::new(),
        },
        &actor,
    )
    .await?;
    log(&state, &actor, &change).await?;
    Ok(Json(StepOut {
        event_id,
        waiting_for_sign_off: oretrail_risk::ladder::step_needs_sign_off(&policy.policy, stage),
    }))
}

/// A note.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NoteIn {
    /// The note.
    text: String,
    /// Day (default today).
    on_date: Option<String>,
}

/// A created record's ID.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// ID.
    pub id: i64,
}

/// Adds a note to a case's history.
#[utoipa::path(post, path = "/api/v1/risk/cases/{id}/notes", tag = "risk", params(("id" = i64, Path, description = "Case ID")), request_body = NoteIn, responses((status = 200, body = Created), (status = 403, body = ErrorBody)))]
async fn add_note(
    State(state): State<AppState>,
    ApiAnalyst(p): ApiAnalyst,
    Path(id): Path<i64>,
    Json(body): Json<NoteIn>,
) -> Out<Created> {
    let risk = risk(&state).await?;
    let actor = p.actor();
    let on = form_date(body.on_date.as_deref())?.unwrap_or_else(today);
    let (event, change) = cases::note(&risk, id, on, &body.text, &[], &actor).await?;
    log(&state, &actor, &change).await?;
    Ok(Json(Created { id: event }))
}

/// A facility's outreach: status in every list, suppliers naming it, contacts, cases.
#[utoipa::path(get, path = "/api/v1/risk/outreach/{metal}/{cid}", tag = "risk", params(("metal" = String, Path, description = "Metal"), ("cid" = String, Path, description = "RMI facility ID")), responses((status = 200, body = Object, description = "oretrail-risk FacilityOutreach"), (status = 404, body = ErrorBody)))]
async fn get_outreach(
    State(state): State<AppState>,
    _a: ApiViewer,
    Path((metal, cid)): Path<(String, String)>,
) -> Out<Value> {
    let risk = risk(&state).await?;
    let f = outreach::facility(&risk, &FacilityKey::new(&metal, &cid)).await?;
    Ok(Json(json(&f)?))
}

/// A contact with a facility.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OutreachIn {
    /// Metal.
    metal: String,
    /// RMI facility ID.
    cid: String,
    /// Day of the contact (default today).
    on_date: Option<String>,
    /// Who was contacted.
    contact: String,
    /// How.
    channel: String,
    /// Their answer.
    answer: Option<String>,
    /// "none", "asked", "committed", "declined", "in_rmap".
    commitment: String,
    /// Date they committed to be audited by.
    committed_by_date: Option<String>,
    /// Next contact planned.
    follow_up_on: Option<String>,
    /// Case the outreach belongs to.
    case_id: Option<i64>,
}

/// Records a contact with a smelter or refiner.
#[utoipa::path(post, path = "/api/v1/risk/outreach", tag = "risk", request_body = OutreachIn, responses((status = 200, body = Created), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn add_outreach(
    State(state): State<AppState>,
    ApiAnalyst(p): ApiAnalyst,
    Json(b): Json<OutreachIn>,
) -> Out<Created> {
    let risk = risk(&state).await?;
    let actor = p.actor();
    let (id, change) = outreach::record(
        &risk,
        &NewOutreach {
            key: FacilityKey::new(&b.metal, &b.cid),
            on_date: form_date(b.on_date.as_deref())?.unwrap_or_else(today),
            contact: b.contact,
            channel: b.channel,
            by_whom: actor.clone(),
            answer: b.answer,
            commitment: Commitment::from_code(&b.commitment).ok_or_else(|| {
                WebError::BadRequest(format!("unknown commitment '{}'", b.commitment))
            })?,
            committed_by_date: form_date(b.committed_by_date.as_deref())?,
            follow_up_on: form_date(b.follow_up_on.as_deref())?,
            case_id: b.case_id,
            evidence: Vec::new(),
        },
        &actor,
    )
    .await?;
    log(&state, &actor, &change).await?;
    Ok(Json(Created { id }))
}

/// RBA audits with findings and corrective actions, newest first.
#[utoipa::path(get, path = "/api/v1/risk/audits", tag = "risk", responses((status = 200, body = Vec<Object>, description = "oretrail-risk Audit list")))]
async fn list_audits(State(state): State<AppState>, _a: ApiViewer) -> Out<Value> {
    let risk = risk(&state).await?;
    Ok(Json(json(&programme::audits(&risk, None).await?)?))
}

/// Grievances, newest first.
#[utoipa::path(get, path = "/api/v1/risk/grievances", tag = "risk", responses((status = 200, body = Vec<Object>, description = "oretrail-risk Grievance list")))]
async fn list_grievances(State(state): State<AppState>, _a: ApiViewer) -> Out<Value> {
    let risk = risk(&state).await?;
    Ok(Json(json(&grievances::list(&risk, None).await?)?))
}

/// A grievance taken in by staff.
#[derive(Debug, Deserialize, ToSchema)]
pub struct GrievanceIn {
    /// How it came.
    channel: String,
    /// One-line summary.
    summary: String,
    /// What happened.
    description: String,
    /// Whether the reporter stays anonymous.
    #[serde(default)]
    anonymous: bool,
    /// Reporter's name.
    reporter_name: Option<String>,
    /// Reporter's contact.
    reporter_contact: Option<String>,
    /// Supplier concerned (ERP ID).
    supplier: Option<String>,
    /// Day received (default today).
    received_on: Option<String>,
}

/// What the reporter keeps.
#[derive(Debug, Serialize, ToSchema)]
pub struct GrievanceReceipt {
    /// Grievance ID.
    pub id: i64,
    /// Public reference.
    pub reference: String,
    /// Follow-up code (shown once).
    pub follow_up_code: String,
}

/// Takes a grievance in.
#[utoipa::path(post, path = "/api/v1/risk/grievances", tag = "risk", request_body = GrievanceIn, responses((status = 200, body = GrievanceReceipt), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn add_grievance(
    State(state): State<AppState>,
    ApiAnalyst(p): ApiAnalyst,
    Json(b): Json<GrievanceIn>,
) -> Out<GrievanceReceipt> {
    let risk = risk(&state).await?;
    let actor = p.actor();
    let (r, change) = grievances::submit(
        &risk,
        &NewGrievance {
            received_on: form_date(b.received_on.as_deref())?,
            channel: b.channel,
            anonymous: b.anonymous,
            reporter_name: b.reporter_name,
            reporter_contact: b.reporter_contact,
            summary: b.summary,
            description: b.description,
            supplier: b.supplier,
            facility: None,
            evidence: Vec::new(),
        },
        &actor,
    )
    .await?;
    log(&state, &actor, &change).await?;
    Ok(Json(GrievanceReceipt {
        id: r.id,
        reference: r.reference,
        follow_up_code: r.follow_up_code,
    }))
}

/// The newest digest (due and overdue actions, sign-offs, new high risks, status changes).
#[utoipa::path(get, path = "/api/v1/risk/digest", tag = "risk", responses((status = 200, body = Object, description = "oretrail-risk StoredDigest"), (status = 404, body = ErrorBody)))]
async fn get_digest(State(state): State<AppState>, _a: ApiViewer) -> Out<Value> {
    let risk = risk(&state).await?;
    let d = oretrail_risk::db::digest::recent(&risk, 1)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| WebError::NotFound("digest (none composed yet)".into()))?;
    Ok(Json(json(&d)?))
}

impl From<oretrail_risk::RiskError> for ApiError {
    fn from(e: oretrail_risk::RiskError) -> ApiError {
        ApiError(e.into())
    }
}
