//! Risk pages: a campaign's red flags and scores as of a date (and recording them into the
//! register), the risk register — cases with their flags, escalation ladder, sign-offs,
//! milestones and evidence — the policy, and the digest (with its daily scheduler).

use super::{Layout, render};
use crate::auth::{Admin, Analyst, Role, Signed, Viewer};
use crate::db::audit;
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query as Q, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::NaiveDate;
use oretrail_risk::db::cases::{self, CaseFilter, Step};
use oretrail_risk::db::digest::DigestRun;
use oretrail_risk::db::evidence::{self, Evidence, NewEvidence};
use oretrail_risk::db::{assessments, facts, policies};
use oretrail_risk::ladder::Stage;
use oretrail_risk::{Assessment, Change, Flag, Level, LoadedPolicy, Risk, RiskError};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

impl From<RiskError> for WebError {
    fn from(e: RiskError) -> WebError {
        match e {
            RiskError::NotFound { kind, name } => WebError::NotFound(format!("{kind} {name}")),
            RiskError::Invalid(m) => WebError::BadRequest(m),
            e @ RiskError::Policy { .. } => WebError::BadRequest(e.to_string()),
            RiskError::Store(e) => WebError::Store(e),
            RiskError::Database(e) => WebError::Database(e),
            e => WebError::Internal(e.to_string()),
        }
    }
}

/// The risk routes (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/risk", get(overview))
        .route("/risk/assess", post(assess))
        .route("/risk/cases", get(case_list))
        .route("/risk/cases/{id}", get(case_page))
        .route("/risk/cases/{id}/step", post(step))
        .route("/risk/cases/{id}/note", post(note))
        .route("/risk/cases/{id}/assign", post(assign))
        .route("/risk/cases/{id}/due", post(due))
        .route("/risk/cases/{id}/milestone", post(milestone))
        .route("/risk/cases/{id}/close", post(close))
        .route("/risk/cases/{id}/reopen", post(reopen))
        .route("/risk/milestones/{id}/done", post(milestone_done))
        .route("/risk/steps/{id}/sign-off", post(sign_off))
        .route("/risk/evidence/{id}", get(evidence_file))
        .route("/risk/policy", get(policy_page).post(policy_activate))
        .route("/risk/digest", get(digest_page).post(digest_run))
        .merge(super::programme::routes())
}

/// The risk tables of the application's store.
pub async fn risk(state: &AppState) -> Result<Risk> {
    Ok(Risk::open(&state.store).await?)
}

/// Writes a change to the audit log.
pub async fn log(state: &AppState, actor: &str, c: &Change) -> Result<()> {
    audit::record(
        &state.store,
        actor,
        &c.action,
        Some(&c.target),
        c.detail.as_deref(),
    )
    .await
}

/// Today (UTC).
pub fn today() -> NaiveDate {
    crate::db::today()
}

/// A form date, blank as `None`.
pub fn form_date(text: Option<&str>) -> Result<Option<NaiveDate>> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| WebError::BadRequest(format!("'{t}' is not a date (YYYY-MM-DD)"))),
        None => Ok(None),
    }
}

/// Text fields and files of a multipart form.
#[derive(Debug, Default)]
pub struct MultipartForm {
    /// Text fields by name (the last value of a name wins; `all` keeps every value).
    pub fields: HashMap<String, String>,
    /// Every text value by name, in order.
    pub all: HashMap<String, Vec<String>>,
    /// Files (non-empty ones only).
    pub files: Vec<NewEvidence>,
}

impl MultipartForm {
    /// Reads a multipart form: fields named `evidence` are files.
    pub async fn read(mut mp: Multipart) -> Result<MultipartForm> {
        let mut form = MultipartForm::default();
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| WebError::BadRequest(format!("form: {e}")))?
        {
            let name = field.name().unwrap_or_default().to_string();
            if let Some(file_name) = field.file_name().map(str::to_string) {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("form: {e}")))?;
                if !bytes.is_empty() {
                    form.files.push(NewEvidence {
                        file_name,
                        bytes: bytes.to_vec(),
                    });
                }
            } else {
                let text = field
                    .text()
                    .await
                    .map_err(|e| WebError::BadRequest(format!("form: {e}")))?;
                form.all.entry(name.clone()).or_default().push(text.clone());
                form.fields.insert(name, text);
            }
        }
        Ok(form)
    }

    /// A field, "" when absent.
    pub fn get(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    /// A date field.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>> {
        form_date(Some(self.get(name)))
    }
}

/// A flag as shown.
pub struct FlagView {
    /// Rule id.
    pub rule: String,
    /// "+30".
    pub weight: String,
    /// Reason.
    pub reason: String,
    /// Facts.
    pub detail: String,
}

/// Flags as shown.
pub fn flag_views(flags: &[Flag]) -> Vec<FlagView> {
    flags
        .iter()
        .map(|f| FlagView {
            rule: f.rule.clone(),
            weight: format!("+{}", f.weight),
            reason: f.reason.clone(),
            detail: f.detail.clone(),
        })
        .collect()
}

/// A flagged facility or supplier as shown.
pub struct SubjectView {
    /// Anchor / ERP ID / CID.
    pub id: String,
    /// Link to its page.
    pub link: String,
    /// Name.
    pub name: String,
    /// Status, request, template.
    pub meta: String,
    /// Score.
    pub score: String,
    /// Level code.
    pub level: &'static str,
    /// Flags.
    pub flags: Vec<FlagView>,
}

/// A rule's part of the campaign score.
pub struct TallyView {
    rule: String,
    reason: String,
    weight: String,
    suppliers: usize,
    facilities: usize,
    contribution: String,
}

#[derive(Template)]
#[template(path = "risk.html")]
struct OverviewPage {
    layout: Layout,
    campaigns: Vec<(i64, String, bool)>,
    campaign_id: i64,
    as_of: String,
    assessed: bool,
    score: String,
    level: &'static str,
    policy: String,
    counts: String,
    tallies: Vec<TallyView>,
    suppliers: Vec<SubjectView>,
    facilities: Vec<SubjectView>,
    more_facilities: usize,
    runs: Vec<assessments::Run>,
    can_edit: bool,
}

/// Overview parameters.
#[derive(Debug, Deserialize)]
pub struct OverviewParams {
    campaign: Option<i64>,
    as_of: Option<String>,
    all: Option<String>,
    done: Option<String>,
}

type Cache =
    Mutex<HashMap<(std::path::PathBuf, i64, NaiveDate, String), (Instant, Arc<Assessment>)>>;

fn cache() -> &'static Cache {
    static C: OnceLock<Cache> = OnceLock::new();
    C.get_or_init(Mutex::default)
}

/// A campaign assessed as of a date under the active policy (cached for a minute).
pub async fn assessment(
    state: &AppState,
    risk: &Risk,
    policy: &LoadedPolicy,
    campaign_id: i64,
    as_of: NaiveDate,
) -> Result<Arc<Assessment>> {
    let key = (
        state.store.data_dir().to_path_buf(),
        campaign_id,
        as_of,
        policy.sha256.clone(),
    );
    if let Ok(c) = cache().lock()
        && let Some((at, a)) = c.get(&key)
        && at.elapsed() < Duration::from_secs(60)
    {
        return Ok(Arc::clone(a));
    }
    let lists = oretrail_risk::db::risk_lists(risk)?;
    let f = facts::campaign_facts(risk, campaign_id, as_of).await?;
    let a = Arc::new(oretrail_risk::assess(policy, &f, as_of, &lists));
    if let Ok(mut c) = cache().lock() {
        c.retain(|_, (at, _)| at.elapsed() < Duration::from_secs(60));
        c.insert(key, (Instant::now(), Arc::clone(&a)));
    }
    Ok(a)
}

fn forget_assessments() {
    if let Ok(mut c) = cache().lock() {
        c.clear();
    }
}

/// The link to a facility's outreach page.
pub fn facility_link(k: &oretrail_risk::FacilityKey) -> String {
    format!("/risk/outreach/{}/{}", k.metal, k.cid)
}

fn done_message(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "assessed" => "Assessment recorded; its flags opened or joined cases in the register.",
            "step" => "Step recorded.",
            "pending" => "Step recorded; it takes effect once a manager signs it off.",
            "note" => "Note added.",
            "assigned" => "Case assigned.",
            "due" => "Due date changed.",
            "milestone" => "Milestone added.",
            "milestone_done" => "Milestone recorded as done.",
            "closed" => "Case closed.",
            "close_pending" => "Closing recorded; it takes effect once a manager signs it off.",
            "reopened" => "Case reopened.",
            "signed" => "Sign-off recorded.",
            "policy" => "Policy activated.",
            "digest" => "Digest composed.",
            _ => return None,
        }
        .to_string(),
    )
}

/// A campaign's red flags and scores as of a date.
pub async fn overview(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<OverviewParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let (all, chosen) = super::pick_campaign(&state, p.campaign).await?;
    let as_of = form_date(p.as_of.as_deref())?.unwrap_or_else(today);
    let policy = policies::active(&risk).await?;
    let mut page = OverviewPage {
        layout: Layout::new(&state, &s, "Risk", "/risk")
            .await?
            .flash(done_message(p.done.as_deref())),
        campaigns: super::campaign_options(&all, chosen.as_ref()),
        campaign_id: chosen.as_ref().map_or(0, |c| c.id),
        as_of: as_of.to_string(),
        assessed: false,
        score: String::new(),
        level: "low",
        policy: policy.label(),
        counts: String::new(),
        tallies: Vec::new(),
        suppliers: Vec::new(),
        facilities: Vec::new(),
        more_facilities: 0,
        runs: Vec::new(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    if let Some(c) = &chosen {
        let a = assessment(&state, &risk, &policy, c.id, as_of).await?;
        let count = |m: &std::collections::BTreeMap<Level, usize>| {
            Level::ALL
                .iter()
                .rev()
                .map(|l| format!("{} {l}", m.get(l).copied().unwrap_or(0)))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        page.assessed = true;
        page.score = format!("{:.1}", a.campaign.score);
        page.level = a.campaign.level.code();
        page.counts = format!(
            "Suppliers: {}. Facilities: {}.",
            count(&a.campaign.suppliers_by_level),
            count(&a.campaign.facilities_by_level)
        );
        page.tallies = a
            .campaign
            .rules
            .iter()
            .map(|t| TallyView {
                rule: t.rule.clone(),
                reason: t.reason.clone(),
                weight: t.weight.to_string(),
                suppliers: t.suppliers,
                facilities: t.facilities,
                contribution: format!("{:.2}", t.contribution),
            })
            .collect();
        page.suppliers = a
            .suppliers
            .iter()
            .map(|x| SubjectView {
                id: x.erp_id.clone(),
                link: format!("/suppliers/{}", x.supplier_id),
                name: x.name.clone(),
                meta: format!(
                    "request {}; {}",
                    x.request.replace('_', " "),
                    x.template.as_deref().unwrap_or("no template read")
                ),
                score: x.score.score.to_string(),
                level: x.score.level.code(),
                flags: flag_views(&x.score.flags),
            })
            .collect();
        let limit = if p.all.is_some() { usize::MAX } else { 50 };
        page.more_facilities = a.facilities.len().saturating_sub(limit);
        page.facilities = a
            .facilities
            .iter()
            .take(limit)
            .map(|f| SubjectView {
                id: f.key.cid.clone(),
                link: facility_link(&f.key),
                name: f.name.clone(),
                meta: format!(
                    "{} · {} · {} · named by {}",
                    f.metal,
                    f.country.as_deref().unwrap_or("country unknown"),
                    f.status,
                    f.suppliers.join(", ")
                ),
                score: f.score.score.to_string(),
                level: f.score.level.code(),
                flags: flag_views(&f.score.flags),
            })
            .collect();
        page.runs = assessments::runs(&risk, c.id).await?;
    }
    render(&page)
}

/// Assessment form.
#[derive(Debug, Deserialize)]
pub struct AssessForm {
    campaign: i64,
    as_of: Option<String>,
}

/// Records an assessment and syncs its flags into the register.
pub async fn assess(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(f): Form<AssessForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let as_of = form_date(f.as_of.as_deref())?.unwrap_or_else(today);
    let policy = policies::active(&risk).await?;
    facts::campaign(&risk, f.campaign).await?;
    let a = assessment(&state, &risk, &policy, f.campaign, as_of).await?;
    let (_, change) = assessments::save(&risk, &a, s.actor()).await?;
    log(&state, s.actor(), &change).await?;
    let (_, change) = cases::sync(&risk, &policy.policy, &a, s.actor()).await?;
    log(&state, s.actor(), &change).await?;
    Ok(Redirect::to(&format!(
        "/risk?campaign={}&as_of={as_of}&done=assessed",
        f.campaign
    ))
    .into_response())
}

/// A case as listed.
pub struct CaseRow {
    id: i64,
    title: String,
    kind: &'static str,
    status: String,
    level: &'static str,
    stage: &'static str,
    owner: String,
    due: String,
    overdue: bool,
    pending: i64,
}

fn case_row(c: &oretrail_risk::register::Case, today: NaiveDate) -> CaseRow {
    CaseRow {
        id: c.id,
        title: c.title.clone(),
        kind: c.subject_kind.code(),
        status: c.status.clone(),
        level: c.level.code(),
        stage: c.stage.map(|s| s.label()).unwrap_or("—"),
        owner: c.owner.clone(),
        due: c.due_date.map(|d| d.to_string()).unwrap_or_default(),
        overdue: c.overdue_on(today),
        pending: c.pending_sign_offs,
    }
}

/// A step waiting for a sign-off, as listed.
pub struct PendingRow {
    event_id: i64,
    case_id: i64,
    title: String,
    what: &'static str,
    by: String,
    on: String,
    text: String,
}

#[derive(Template)]
#[template(path = "risk_cases.html")]
struct CasesPage {
    layout: Layout,
    rows: Vec<CaseRow>,
    pending: Vec<PendingRow>,
    status: String,
    level: String,
    kind: String,
    overdue: bool,
    q: String,
    can_sign: bool,
}

/// Case list filters.
#[derive(Debug, Deserialize)]
pub struct CaseParams {
    status: Option<String>,
    level: Option<String>,
    kind: Option<String>,
    overdue: Option<String>,
    q: Option<String>,
    done: Option<String>,
}

/// The risk register.
pub async fn case_list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<CaseParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let status = p.status.clone().unwrap_or_else(|| "open".into());
    let overdue = p.overdue.as_deref().is_some_and(|o| !o.is_empty());
    let filter = CaseFilter {
        status: if status == "all" {
            String::new()
        } else {
            status.clone()
        },
        level: p.level.as_deref().and_then(Level::from_code),
        owner: None,
        kind: p
            .kind
            .as_deref()
            .and_then(oretrail_risk::register::SubjectKind::from_code),
        due_before: overdue.then(today),
        q: p.q.clone(),
    };
    let day = today();
    let rows = cases::list(&risk, &filter)
        .await?
        .iter()
        .map(|c| case_row(c, day))
        .collect();
    let pending = cases::pending_sign_offs(&risk)
        .await?
        .into_iter()
        .map(|x| PendingRow {
            event_id: x.event.id,
            case_id: x.event.case_id,
            title: x.case_title,
            what: x.event.stage.map(|s| s.label()).unwrap_or("Close the case"),
            by: x.event.actor,
            on: x.event.on_date.to_string(),
            text: x.event.text.unwrap_or_default(),
        })
        .collect();
    let page = CasesPage {
        layout: Layout::new(&state, &s, "Risk register", "/risk/cases")
            .await?
            .flash(done_message(p.done.as_deref())),
        rows,
        pending,
        status,
        level: p.level.unwrap_or_default(),
        kind: p.kind.unwrap_or_default(),
        overdue,
        q: p.q.unwrap_or_default(),
        can_sign: s.user.role.allows(Role::Admin),
    };
    render(&page)
}

/// A history entry as shown.
pub struct EventView {
    id: i64,
    on: String,
    kind: String,
    actor: String,
    stage: String,
    text: String,
    decision: String,
    pending: bool,
    evidence: Vec<Evidence>,
}

/// A milestone as shown.
pub struct MilestoneView {
    id: i64,
    title: String,
    due: String,
    done: String,
    overdue: bool,
    evidence: Vec<Evidence>,
}

/// A case flag as shown.
pub struct CaseFlagView {
    rule: String,
    weight: String,
    reason: String,
    detail: String,
    raised: String,
    cleared: bool,
}

#[derive(Template)]
#[template(path = "risk_case.html")]
struct CasePage {
    layout: Layout,
    c: CaseRow,
    subject_link: String,
    opened: String,
    closed: String,
    previous: Option<i64>,
    flags: Vec<CaseFlagView>,
    events: Vec<EventView>,
    milestones: Vec<MilestoneView>,
    stages: Vec<(&'static str, &'static str)>,
    sign_off_stages: String,
    today: String,
    can_edit: bool,
    can_sign: bool,
    open: bool,
}

/// Case page parameters.
#[derive(Debug, Deserialize)]
pub struct DoneParams {
    done: Option<String>,
}

/// One case with its flags, history, milestones and forms.
pub async fn case_page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let d = cases::detail(&risk, id).await?;
    let day = today();
    let c = &d.case;
    let subject_link = match (&c.facility, c.supplier_id) {
        (Some(k), _) => facility_link(k),
        (None, Some(sid)) => format!("/suppliers/{sid}"),
        _ => String::new(),
    };
    let page = CasePage {
        layout: Layout::new(&state, &s, format!("Case #{id}"), "/risk/cases")
            .await?
            .flash(done_message(p.done.as_deref())),
        c: case_row(c, day),
        subject_link,
        opened: format!("{} by {}", c.opened_on, c.opened_by),
        closed: match c.closed_on {
            Some(on) => format!(
                "{on} by {}: {}",
                c.closed_by.as_deref().unwrap_or("?"),
                c.close_reason.as_deref().unwrap_or("")
            ),
            None => String::new(),
        },
        previous: c.previous_case_id,
        open: c.status == "open",
        flags: d
            .flags
            .iter()
            .map(|f| CaseFlagView {
                rule: f.rule.clone(),
                weight: format!("+{}", f.weight),
                reason: f.reason.clone(),
                detail: f.detail.clone(),
                raised: match f.cleared_on {
                    Some(cl) => format!("{} … {}, cleared {cl}", f.first_raised, f.last_raised),
                    None => format!("{} … {}", f.first_raised, f.last_raised),
                },
                cleared: f.cleared_on.is_some(),
            })
            .collect(),
        events: d
            .events
            .iter()
            .map(|e| EventView {
                id: e.id,
                on: e.on_date.to_string(),
                kind: e.kind.replace('_', " "),
                actor: e.actor.clone(),
                stage: e.stage.map(|s| s.label().to_string()).unwrap_or_default(),
                text: e.text.clone().unwrap_or_default(),
                decision: e
                    .decision
                    .as_ref()
                    .map(|x| {
                        format!(
                            "{} by {}{}",
                            x.decision,
                            x.by,
                            x.note
                                .as_deref()
                                .map(|n| format!(": {n}"))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
                pending: e.pending(),
                evidence: e.evidence.clone(),
            })
            .collect(),
        milestones: d
            .milestones
            .iter()
            .map(|m| MilestoneView {
                id: m.id,
                title: m.title.clone(),
                due: m.due_date.to_string(),
                done: m
                    .done_on
                    .map(|on| {
                        format!(
                            "done {on} by {}{}",
                            m.done_by.as_deref().unwrap_or("?"),
                            m.note
                                .as_deref()
                                .map(|n| format!(": {n}"))
                                .unwrap_or_default()
                        )
                    })
                    .unwrap_or_default(),
                overdue: m.done_on.is_none() && m.due_date < day,
                evidence: m.evidence.clone(),
            })
            .collect(),
        stages: Stage::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        sign_off_stages: policy
            .policy
            .ladder
            .sign_off
            .iter()
            .map(|s| s.label())
            .collect::<Vec<_>>()
            .join(", "),
        today: day.to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
        can_sign: s.user.role.allows(Role::Admin),
    };
    render(&page)
}

fn back(id: i64, done: &str) -> Response {
    Redirect::to(&format!("/risk/cases/{id}?done={done}")).into_response()
}

pub(crate) async fn changed(state: &AppState, s: &Signed, c: &Change) -> Result<()> {
    forget_assessments();
    log(state, s.actor(), c).await
}

/// Records a ladder step (multipart: stage, on, text, milestones "WHAT@DATE" per line, evidence).
pub async fn step(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let stage = Stage::from_code(f.get("stage"))
        .ok_or_else(|| WebError::BadRequest("choose a step of the ladder".into()))?;
    let mut milestones = Vec::new();
    for line in f
        .get("milestones")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let (what, when) = line.rsplit_once('@').ok_or_else(|| {
            WebError::BadRequest(format!("milestone '{line}': write WHAT@YYYY-MM-DD"))
        })?;
        let when = form_date(Some(when))?
            .ok_or_else(|| WebError::BadRequest(format!("milestone '{line}' has no date")))?;
        milestones.push((what.trim().to_string(), when));
    }
    let (_, change) = cases::step(
        &risk,
        &policy.policy,
        id,
        &Step {
            stage,
            on_date: f.date("on")?.unwrap_or_else(today),
            text: f.get("text").to_string(),
            milestones,
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    let waits = oretrail_risk::ladder::step_needs_sign_off(&policy.policy, stage);
    Ok(back(id, if waits { "pending" } else { "step" }))
}

/// Adds a note (multipart: text, on, evidence).
pub async fn note(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let (_, change) = cases::note(
        &risk,
        id,
        f.date("on")?.unwrap_or_else(today),
        f.get("text"),
        &f.files,
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(back(id, "note"))
}

/// A form with one text value.
#[derive(Debug, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    text: String,
    #[serde(default)]
    date: String,
}

/// Assigns a case.
pub async fn assign(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let change = cases::assign(&risk, id, &f.text, s.actor(), today()).await?;
    changed(&state, &s, &change).await?;
    Ok(back(id, "assigned"))
}

/// Sets a case's due date.
pub async fn due(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let date =
        form_date(Some(&f.date))?.ok_or_else(|| WebError::BadRequest("give a due date".into()))?;
    let change = cases::set_due(&risk, id, date, s.actor(), today()).await?;
    changed(&state, &s, &change).await?;
    Ok(back(id, "due"))
}

/// Adds a milestone.
pub async fn milestone(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let date = form_date(Some(&f.date))?
        .ok_or_else(|| WebError::BadRequest("give the milestone's due date".into()))?;
    let (_, change) = cases::add_milestone(&risk, id, &f.text, date, s.actor(), today()).await?;
    changed(&state, &s, &change).await?;
    Ok(back(id, "milestone"))
}

/// Records a milestone as done (multipart: note, on, evidence).
pub async fn milestone_done(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(mid): Path<i64>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let change = cases::complete_milestone(
        &risk,
        mid,
        f.date("on")?.unwrap_or_else(today),
        f.get("note"),
        &f.files,
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    let case_id: i64 = change
        .target
        .trim_start_matches("case ")
        .parse()
        .unwrap_or_default();
    Ok(back(case_id, "milestone_done"))
}

/// Closes a case (multipart: reason, on, evidence).
pub async fn close(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let change = cases::close(
        &risk,
        &policy.policy,
        id,
        f.date("on")?.unwrap_or_else(today),
        f.get("reason"),
        &f.files,
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    let closed = cases::case(&risk, id).await?.status == "closed";
    Ok(back(id, if closed { "closed" } else { "close_pending" }))
}

/// Reopens a case.
pub async fn reopen(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<TextForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let change = cases::reopen(&risk, id, &f.text, s.actor(), today()).await?;
    changed(&state, &s, &change).await?;
    Ok(back(id, "reopened"))
}

/// Sign-off form.
#[derive(Debug, Deserialize)]
pub struct SignOffForm {
    decision: String,
    #[serde(default)]
    note: String,
}

/// A manager (admin) approves or rejects a step or closing.
pub async fn sign_off(
    State(state): State<AppState>,
    Admin(s): Admin,
    Path(event): Path<i64>,
    Form(f): Form<SignOffForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let change = cases::sign_off(
        &risk,
        &policy.policy,
        event,
        s.actor(),
        f.decision == "approve",
        &f.note,
    )
    .await?;
    changed(&state, &s, &change).await?;
    let case_id: i64 = change
        .target
        .trim_start_matches("case ")
        .split_whitespace()
        .next()
        .and_then(|x| x.parse().ok())
        .unwrap_or_default();
    Ok(back(case_id, "signed"))
}

/// An evidence file, byte for byte (checked against its hash); the download is logged.
pub async fn evidence_file(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let (e, bytes) = evidence::read(&risk, id).await?;
    audit::record(
        &state.store,
        s.actor(),
        "risk.evidence.download",
        Some(&format!("evidence {id}")),
        Some(&e.file_name),
    )
    .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        e.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "risk_policy.html")]
struct PolicyPage {
    layout: Layout,
    label: String,
    origin: String,
    medium: String,
    high: String,
    rules: Vec<(String, bool, String, String, String)>,
    text: String,
    history: Vec<policies::Activation>,
    can_admin: bool,
}

/// The policy in force, its rules and its history.
pub async fn policy_page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let page = PolicyPage {
        layout: Layout::new(&state, &s, "Risk policy", "/risk/policy")
            .await?
            .flash(done_message(p.done.as_deref())),
        label: policy.label(),
        origin: policy.origin.clone(),
        medium: policy.policy.thresholds.medium.to_string(),
        high: policy.policy.thresholds.high.to_string(),
        rules: policy
            .policy
            .rules
            .list()
            .into_iter()
            .map(|r| {
                let params = if r.params.as_object().is_some_and(|o| !o.is_empty()) {
                    r.params.to_string()
                } else {
                    String::new()
                };
                (r.id, r.enabled, r.weight.to_string(), r.reason, params)
            })
            .collect(),
        text: policy.text.clone(),
        history: policies::history(&risk).await?,
        can_admin: s.user.role.allows(Role::Admin),
    };
    render(&page)
}

/// New policy form.
#[derive(Debug, Deserialize)]
pub struct PolicyForm {
    text: String,
}

/// An admin activates a policy (TOML laid over the default).
pub async fn policy_activate(
    State(state): State<AppState>,
    Admin(s): Admin,
    Form(f): Form<PolicyForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let p = LoadedPolicy::from_toml(&f.text, "web")?;
    let (_, change) = policies::activate(&risk, &p, s.actor()).await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/policy?done=policy").into_response())
}

#[derive(Template)]
#[template(path = "risk_digest.html")]
struct DigestPage {
    layout: Layout,
    current: Option<oretrail_risk::db::digest::StoredDigest>,
    recent: Vec<(i64, String, String, String)>,
    can_run: bool,
    mail: String,
}

/// Digest page parameters.
#[derive(Debug, Deserialize)]
pub struct DigestParams {
    id: Option<i64>,
    done: Option<String>,
}

/// The digest (in-app): the newest one (or one asked for) and the recent ones.
pub async fn digest_page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DigestParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let recent = oretrail_risk::db::digest::recent(&risk, 30).await?;
    let current = match p.id {
        Some(id) => Some(oretrail_risk::db::digest::digest(&risk, id).await?),
        None => recent.first().cloned(),
    };
    let page = DigestPage {
        layout: Layout::new(&state, &s, "Digest", "/risk/digest")
            .await?
            .flash(done_message(p.done.as_deref())),
        current,
        recent: recent
            .iter()
            .map(|d| {
                (
                    d.id,
                    d.day.to_string(),
                    d.created_by.clone(),
                    match (&d.sent_at, &d.send_error) {
                        (Some(_), _) => {
                            format!("e-mailed to {}", d.recipients.as_deref().unwrap_or(""))
                        }
                        (None, Some(e)) => format!("e-mail failed: {e}"),
                        _ => "in-app only".into(),
                    },
                )
            })
            .collect(),
        can_run: s.user.role.allows(Role::Analyst),
        mail: match oretrail_risk::mail::SmtpSettings::from_env() {
            Some(m) => format!(
                "e-mailed to {} through {}",
                m.to.join(", "),
                m.redacted_url()
            ),
            None => {
                "not e-mailed: set ORETRAIL_SMTP_URL, ORETRAIL_MAIL_FROM and ORETRAIL_DIGEST_TO"
                    .into()
            }
        },
    };
    render(&page)
}

/// Composes the digest now (reassessing current campaigns; e-mailed when SMTP is configured).
pub async fn digest_run(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Form(_f): Form<super::CsrfOnly>,
) -> Result<Response> {
    let id = run_digest(&state, s.actor()).await?;
    Ok(Redirect::to(&format!("/risk/digest?id={id}&done=digest")).into_response())
}

/// Runs the digest as `actor`; returns its ID. Every change goes to the audit log.
pub async fn run_digest(state: &AppState, actor: &str) -> Result<i64> {
    let risk = risk(state).await?;
    let policy = policies::active(&risk).await?;
    let lists = oretrail_risk::db::risk_lists(&risk)?;
    let run = DigestRun {
        today: today(),
        actor: actor.to_string(),
        base_url: Some(state.config.public_url.clone()),
        reassess: true,
        company: state.config.company_name.clone(),
    };
    let smtp = oretrail_risk::mail::SmtpSettings::from_env();
    let (stored, changes) =
        oretrail_risk::db::digest::run(&risk, &policy, &lists, &run, smtp.as_ref()).await?;
    forget_assessments();
    for c in &changes {
        log(state, actor, c).await?;
    }
    Ok(stored.id)
}

/// Starts the daily digest: once a day at `ORETRAIL_DIGEST_HOUR` (UTC, default 6), unless a
/// digest of that day exists already. Errors are logged and retried the next day.
pub fn spawn_daily_digest(state: &AppState) {
    let state = state.clone();
    let hour: u32 = std::env::var("ORETRAIL_DIGEST_HOUR")
        .ok()
        .and_then(|h| h.trim().parse().ok())
        .filter(|h| *h < 24)
        .unwrap_or(6);
    tokio::spawn(async move {
        loop {
            let now = crate::db::timestamp(0);
            let secs = seconds_until(&now, hour);
            tokio::time::sleep(Duration::from_secs(secs)).await;
            let done_today = match risk(&state).await {
                Ok(r) => oretrail_risk::db::digest::recent(&r, 1)
                    .await
                    .map(|d| d.first().is_some_and(|d| d.day == today()))
                    .unwrap_or(false),
                Err(_) => false,
            };
            if !done_today && let Err(e) = run_digest(&state, "digest scheduler").await {
                eprintln!("oretrail-web: daily digest failed: {e}");
            }
            // Past the hour now: the next loop waits for the next day's.
            tokio::time::sleep(Duration::from_secs(61)).await;
        }
    });
}

/// Seconds from an RFC 3339 UTC time to the next `hour`:00.
fn seconds_until(now: &str, hour: u32) -> u64 {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(now) else {
        return 3600;
    };
    let t = t.naive_utc();
    let Some(mut next) = t.date().and_hms_opt(hour, 0, 0) else {
        return 3600;
    };
    if next <= t {
        next += chrono::Duration::days(1);
    }
    (next - t).num_seconds().max(1) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheduler_waits_for_the_next_hour() {
        assert_eq!(seconds_until("2026-05-01T05:00:00Z", 6), 3600);
        assert_eq!(seconds_until("2026-05-01T06:00:00Z", 6), 24 * 3600);
        assert_eq!(seconds_until("2026-05-01T23:30:00Z", 0), 1800);
    }

    #[test]
    fn form_dates_are_iso() {
        assert_eq!(form_date(Some(" ")).ok(), Some(None));
        assert!(form_date(Some("1/2/2026")).is_err());
        assert_eq!(
            form_date(Some("2026-02-01")).ok().flatten(),
            NaiveDate::from_ymd_opt(2026, 2, 1)
        );
    }
}
