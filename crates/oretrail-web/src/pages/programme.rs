//! Due-diligence programme pages: refiner outreach (per facility: contacts, the suppliers naming
//! it, its status in every list), RBA audits with findings and corrective actions, supplier
//! acknowledgements, training, and grievances (staff side; the public intake is in
//! [`crate::grievance_portal`]).

use super::risk::{MultipartForm, changed, facility_link, form_date, risk, today};
use super::{Layout, render};
use crate::auth::{Analyst, Role, Viewer};
use crate::error::{Result, WebError};
use crate::state::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Form, Multipart, Path, Query as Q, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use oretrail_risk::db::evidence::Evidence;
use oretrail_risk::db::grievances::{self, Grievance, GrievanceStatus, NewGrievance, Triage};
use oretrail_risk::db::outreach::{self, Commitment, NewOutreach};
use oretrail_risk::db::policies;
use oretrail_risk::db::programme::{
    self, AuditSubject, NewAcknowledgement, NewAudit, NewFinding, NewParticipant, NewTraining,
    Severity,
};
use oretrail_risk::{FacilityKey, Level};
use serde::Deserialize;

/// The risk section's tabs: (label, path).
pub const TABS: &[(&str, &str)] = &[
    ("Scores", "/risk"),
    ("Register", "/risk/cases"),
    ("Outreach", "/risk/outreach"),
    ("Audits", "/risk/audits"),
    ("Acknowledgements", "/risk/acknowledgements"),
    ("Training", "/risk/training"),
    ("Grievances", "/risk/grievances"),
    ("Policy", "/risk/policy"),
    ("Digest", "/risk/digest"),
];

/// The programme routes (behind the session layer).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/risk/outreach", get(outreach_list))
        .route(
            "/risk/outreach/{metal}/{cid}",
            get(outreach_page).post(outreach_log),
        )
        .route("/risk/audits", get(audits).post(audit_create))
        .route("/risk/findings/{id}/close", post(finding_close))
        .route(
            "/risk/acknowledgements",
            get(acknowledgements).post(acknowledgement_create),
        )
        .route("/risk/training", get(training).post(training_create))
        .route("/risk/training/{id}/participants", post(participant_add))
        .route(
            "/risk/participants/{id}/complete",
            post(participant_complete),
        )
        .route(
            "/risk/grievances",
            get(grievance_list).post(grievance_create),
        )
        .route("/risk/grievances/{id}", get(grievance_page))
        .route("/risk/grievances/{id}/ack", post(grievance_ack))
        .route("/risk/grievances/{id}/triage", post(grievance_triage))
        .route("/risk/grievances/{id}/note", post(grievance_note))
        .route("/risk/grievances/{id}/resolve", post(grievance_resolve))
}

/// Page parameters with a flash code.
#[derive(Debug, Deserialize)]
pub struct DoneParams {
    done: Option<String>,
    q: Option<String>,
}

fn flash(code: Option<&str>) -> Option<String> {
    Some(
        match code? {
            "outreach" => "Contact recorded.",
            "audit" => "Audit recorded.",
            "finding" => "Corrective action closed.",
            "ack" => "Acknowledgement recorded.",
            "training" => "Training recorded.",
            "participant" => "Participant recorded.",
            "grievance" => "Grievance taken in.",
            "acknowledged" => "Acknowledgement of receipt recorded.",
            "triaged" => "Grievance triaged.",
            "noted" => "Note added.",
            "resolved" => "Grievance answered.",
            _ => return None,
        }
        .to_string(),
    )
}

fn opt(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

// ------------------------------------------------------------------------------------ outreach

#[derive(Template)]
#[template(path = "risk_outreach.html")]
struct OutreachList {
    layout: Layout,
    tab: &'static str,
    lines: Vec<(String, String, String, i64, String, &'static str, String)>,
}

/// Facilities with outreach; a form to open any facility's page.
pub async fn outreach_list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    if let Some(q) = p.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let key = oretrail_risk::db::facility_key(&risk, q).await?;
        return Ok(Redirect::to(&facility_link(&key)).into_response());
    }
    let lines = outreach::overview(&risk)
        .await?
        .into_iter()
        .map(|l| {
            (
                facility_link(&l.key),
                l.key.cid.clone(),
                format!("{} ({})", l.name, l.key.metal),
                l.contacts,
                l.last_contact.to_string(),
                l.commitment.code(),
                l.follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            )
        })
        .collect();
    let page = OutreachList {
        layout: Layout::new(&state, &s, "Refiner outreach", "/risk")
            .await?
            .flash(flash(p.done.as_deref())),
        tab: "/risk/outreach",
        lines,
    };
    render(&page)
}

#[derive(Template)]
#[template(path = "risk_facility.html")]
struct OutreachPage {
    layout: Layout,
    tab: &'static str,
    f: outreach::FacilityOutreach,
    path: String,
    commitments: Vec<&'static str>,
    today: String,
    can_edit: bool,
}

/// A facility's outreach: status in every list, suppliers naming it, contacts, cases.
pub async fn outreach_page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path((metal, cid)): Path<(String, String)>,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let key = FacilityKey::new(&metal, &cid);
    let f = outreach::facility(&risk, &key).await?;
    let page = OutreachPage {
        layout: Layout::new(
            &state,
            &s,
            format!("Outreach · {} {}", f.key.cid, f.name),
            "/risk",
        )
        .await?
        .flash(flash(p.done.as_deref())),
        tab: "/risk/outreach",
        path: facility_link(&key),
        f,
        commitments: Commitment::ALL.iter().map(|c| c.code()).collect(),
        today: today().to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Records a contact (multipart: on, contact, channel, answer, commitment, committed_by,
/// follow_up, case, evidence).
pub async fn outreach_log(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path((metal, cid)): Path<(String, String)>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let key = FacilityKey::new(&metal, &cid);
    let commitment = Commitment::from_code(f.get("commitment"))
        .ok_or_else(|| WebError::BadRequest("choose the audit commitment".into()))?;
    let case_id = match f.get("case").trim() {
        "" => None,
        c => Some(
            c.trim_start_matches('#')
                .parse()
                .map_err(|_| WebError::BadRequest(format!("'{c}' is not a case number")))?,
        ),
    };
    let (_, change) = outreach::record(
        &risk,
        &NewOutreach {
            key: key.clone(),
            on_date: f.date("on")?.unwrap_or_else(today),
            contact: f.get("contact").to_string(),
            channel: f.get("channel").to_string(),
            by_whom: opt(f.get("by_whom")).unwrap_or_else(|| s.actor().to_string()),
            answer: opt(f.get("answer")),
            commitment,
            committed_by_date: f.date("committed_by")?,
            follow_up_on: f.date("follow_up")?,
            case_id,
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!("{}?done=outreach", facility_link(&key))).into_response())
}

// -------------------------------------------------------------------------------------- audits

/// An audit as shown.
pub struct AuditView {
    a: programme::Audit,
    subject: String,
    subject_link: String,
}

#[derive(Template)]
#[template(path = "risk_audits.html")]
struct AuditsPage {
    layout: Layout,
    tab: &'static str,
    audits: Vec<AuditView>,
    severities: Vec<&'static str>,
    today: String,
    can_edit: bool,
}

/// RBA audits with their findings; the form to record one.
pub async fn audits(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let audits = programme::audits(&risk, None)
        .await?
        .into_iter()
        .map(|a| {
            let (subject, subject_link) = match (&a.supplier, &a.facility) {
                (Some(erp), _) => (format!("supplier {erp}"), String::new()),
                (None, Some(k)) => (format!("facility {k}"), facility_link(k)),
                _ => ("own site".to_string(), String::new()),
            };
            AuditView {
                a,
                subject,
                subject_link,
            }
        })
        .collect();
    let page = AuditsPage {
        layout: Layout::new(&state, &s, "Audits", "/risk")
            .await?
            .flash(flash(p.done.as_deref())),
        tab: "/risk/audits",
        audits,
        severities: Severity::ALL.iter().map(|s| s.code()).collect(),
        today: today().to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Parses finding lines "SEVERITY|FINDING|ACTION|DUE|OWNER".
pub fn findings(text: &str) -> Result<Vec<NewFinding>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let severity =
                Severity::from_code(parts.first().copied().unwrap_or("")).ok_or_else(|| {
                    WebError::BadRequest(format!(
                        "finding '{line}': start with priority, major, minor or observation|"
                    ))
                })?;
            let part = |i: usize| parts.get(i).copied().and_then(opt);
            Ok(NewFinding {
                severity,
                finding: part(1).ok_or_else(|| {
                    WebError::BadRequest(format!("finding '{line}': what was found?"))
                })?,
                corrective_action: part(2),
                due_date: form_date(parts.get(3).copied())?,
                owner: part(4),
            })
        })
        .collect()
}

/// Records an audit (multipart: subject, supplier, facility, site, type, date, auditor, score,
/// result, notes, findings, evidence).
pub async fn audit_create(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let subject = match f.get("subject") {
        "supplier" => AuditSubject::Supplier(f.get("supplier").trim().to_string()),
        "facility" => {
            AuditSubject::Facility(oretrail_risk::db::facility_key(&risk, f.get("facility")).await?)
        }
        _ => AuditSubject::OwnSite,
    };
    let score = match f.get("score").trim() {
        "" => None,
        t => Some(
            t.parse::<f64>()
                .map_err(|_| WebError::BadRequest(format!("score '{t}' is not a number")))?,
        ),
    };
    let (_, change) = programme::record_audit(
        &risk,
        &NewAudit {
            subject,
            site: f.get("site").to_string(),
            audit_type: f.get("audit_type").to_string(),
            audit_date: f
                .date("date")?
                .ok_or_else(|| WebError::BadRequest("give the audit's date".into()))?,
            auditor: f.get("auditor").to_string(),
            score,
            result: opt(f.get("result")),
            notes: opt(f.get("notes")),
            findings: findings(f.get("findings"))?,
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/audits?done=audit").into_response())
}

/// Closes a corrective action (multipart: note, on, evidence).
pub async fn finding_close(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let change = programme::close_finding(
        &risk,
        id,
        f.date("on")?.unwrap_or_else(today),
        f.get("note"),
        &f.files,
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/audits?done=finding").into_response())
}

// ---------------------------------------------------------------------------- acknowledgements

#[derive(Template)]
#[template(path = "risk_acknowledgements.html")]
struct AcknowledgementsPage {
    layout: Layout,
    tab: &'static str,
    acks: Vec<programme::Acknowledgement>,
    today: String,
    can_edit: bool,
}

/// Acknowledgements; the form to record one.
pub async fn acknowledgements(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let page = AcknowledgementsPage {
        layout: Layout::new(&state, &s, "Acknowledgements", "/risk")
            .await?
            .flash(flash(p.done.as_deref())),
        tab: "/risk/acknowledgements",
        acks: programme::acknowledgements(&risk, None).await?,
        today: today().to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Records an acknowledgement (multipart: supplier, document, version, signed_on, signed_by,
/// evidence).
pub async fn acknowledgement_create(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let (_, change) = programme::record_acknowledgement(
        &risk,
        &NewAcknowledgement {
            supplier: f.get("supplier").to_string(),
            document: f.get("document").to_string(),
            version: f.get("version").to_string(),
            signed_on: f.date("signed_on")?.unwrap_or_else(today),
            signed_by: f.get("signed_by").to_string(),
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/acknowledgements?done=ack").into_response())
}

// ------------------------------------------------------------------------------------ training

#[derive(Template)]
#[template(path = "risk_training.html")]
struct TrainingPage {
    layout: Layout,
    tab: &'static str,
    sessions: Vec<programme::Training>,
    today: String,
    can_edit: bool,
}

/// Training sessions and participants; the form to record one.
pub async fn training(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<DoneParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let page = TrainingPage {
        layout: Layout::new(&state, &s, "Training", "/risk")
            .await?
            .flash(flash(p.done.as_deref())),
        tab: "/risk/training",
        sessions: programme::trainings(&risk, None).await?,
        today: today().to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Parses participant lines "ERP:Person" or "Person", "+done" when completed.
pub fn participants(text: &str) -> Vec<NewParticipant> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|line| {
            let (line, completed) = match line.strip_suffix("+done") {
                Some(l) => (l.trim(), true),
                None => (line, false),
            };
            match line.split_once(':') {
                Some((erp, person)) => NewParticipant {
                    supplier: opt(erp),
                    person: person.trim().to_string(),
                    completed,
                },
                None => NewParticipant {
                    supplier: None,
                    person: line.to_string(),
                    completed,
                },
            }
        })
        .collect()
}

/// Records a session (multipart: course, held_on, provider, notes, participants, evidence).
pub async fn training_create(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let (_, change) = programme::record_training(
        &risk,
        &NewTraining {
            course: f.get("course").to_string(),
            held_on: f.date("held_on")?.unwrap_or_else(today),
            provider: opt(f.get("provider")),
            notes: opt(f.get("notes")),
            participants: participants(f.get("participants")),
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/training?done=training").into_response())
}

/// Participant form.
#[derive(Debug, Deserialize)]
pub struct ParticipantForm {
    participant: String,
}

/// Adds a participant.
pub async fn participant_add(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<ParticipantForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let p = participants(&f.participant)
        .into_iter()
        .next()
        .ok_or_else(|| WebError::BadRequest("name the participant".into()))?;
    let (_, change) = programme::add_participant(&risk, id, &p, s.actor()).await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/training?done=participant").into_response())
}

/// Records a participant's completion (today).
pub async fn participant_complete(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(_f): Form<super::CsrfOnly>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let change = programme::complete(&risk, id, today()).await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to("/risk/training?done=participant").into_response())
}

// ---------------------------------------------------------------------------------- grievances

/// A grievance as listed.
pub struct GrievanceRow {
    g: Grievance,
    deadline: String,
    late: bool,
}

#[derive(Template)]
#[template(path = "risk_grievances.html")]
struct GrievancesPage {
    layout: Layout,
    tab: &'static str,
    rows: Vec<GrievanceRow>,
    status: String,
    statuses: Vec<&'static str>,
    public_url: String,
    today: String,
    can_edit: bool,
}

/// Grievance list filter.
#[derive(Debug, Deserialize)]
pub struct GrievanceParams {
    status: Option<String>,
    done: Option<String>,
}

/// Grievances with their next deadline; the staff intake form.
pub async fn grievance_list(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Q(p): Q<GrievanceParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let status = p.status.as_deref().and_then(GrievanceStatus::from_code);
    let day = today();
    let rows = grievances::list(&risk, status)
        .await?
        .into_iter()
        .map(|g| {
            let next = grievances::next_deadline(&g, &policy.policy);
            GrievanceRow {
                deadline: next
                    .map(|(what, d)| format!("{what} by {d}"))
                    .unwrap_or_default(),
                late: next.is_some_and(|(_, d)| d < day),
                g,
            }
        })
        .collect();
    let page = GrievancesPage {
        layout: Layout::new(&state, &s, "Grievances", "/risk")
            .await?
            .flash(flash(p.done.as_deref())),
        tab: "/risk/grievances",
        rows,
        status: p.status.unwrap_or_default(),
        statuses: GrievanceStatus::ALL.iter().map(|s| s.code()).collect(),
        public_url: format!("{}/grievance", state.config.public_url),
        today: day.to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Takes a grievance in on behalf of a reporter (multipart).
pub async fn grievance_create(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    mp: Multipart,
) -> Result<Response> {
    let f = MultipartForm::read(mp).await?;
    let risk = risk(&state).await?;
    let facility = match opt(f.get("facility")) {
        Some(t) => Some(oretrail_risk::db::facility_key(&risk, &t).await?),
        None => None,
    };
    let (receipt, change) = grievances::submit(
        &risk,
        &NewGrievance {
            received_on: f.date("received_on")?,
            channel: f.get("channel").to_string(),
            anonymous: !f.get("anonymous").is_empty(),
            reporter_name: opt(f.get("name")),
            reporter_contact: opt(f.get("contact")),
            summary: f.get("summary").to_string(),
            description: f.get("description").to_string(),
            supplier: opt(f.get("supplier")),
            facility,
            evidence: f.files.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!(
        "/risk/grievances/{}?done=grievance&code={}",
        receipt.id, receipt.follow_up_code
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "risk_grievance.html")]
struct GrievancePage {
    layout: Layout,
    tab: &'static str,
    d: grievances::GrievanceDetail,
    code: String,
    deadline: String,
    levels: Vec<&'static str>,
    evidence: Vec<Evidence>,
    today: String,
    can_edit: bool,
    open: bool,
}

/// Grievance page parameters.
#[derive(Debug, Deserialize)]
pub struct GrievancePageParams {
    done: Option<String>,
    code: Option<String>,
}

/// One grievance with its history and the triage, note and answer forms.
pub async fn grievance_page(
    State(state): State<AppState>,
    Viewer(s): Viewer,
    Path(id): Path<i64>,
    Q(p): Q<GrievancePageParams>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let d = grievances::detail(&risk, id).await?;
    let page = GrievancePage {
        layout: Layout::new(
            &state,
            &s,
            format!("Grievance {}", d.grievance.reference),
            "/risk",
        )
        .await?
        .flash(flash(p.done.as_deref())),
        tab: "/risk/grievances",
        code: p.code.unwrap_or_default(),
        deadline: grievances::next_deadline(&d.grievance, &policy.policy)
            .map(|(what, d)| format!("{what} by {d}"))
            .unwrap_or_default(),
        levels: Level::ALL.iter().rev().map(|l| l.code()).collect(),
        evidence: d.evidence.clone(),
        open: !d.grievance.status.is_closed(),
        d,
        today: today().to_string(),
        can_edit: s.user.role.allows(Role::Analyst),
    };
    render(&page)
}

/// Acknowledgement form.
#[derive(Debug, Deserialize)]
pub struct OnForm {
    #[serde(default)]
    on: String,
}

/// Records that the reporter was told the grievance arrived.
pub async fn grievance_ack(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<OnForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let on = form_date(Some(&f.on))?.unwrap_or_else(today);
    let change = grievances::acknowledge(&risk, id, on, s.actor()).await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!("/risk/grievances/{id}?done=acknowledged")).into_response())
}

/// Triage form.
#[derive(Debug, Deserialize)]
pub struct TriageForm {
    severity: String,
    #[serde(default)]
    supplier: String,
    #[serde(default)]
    facility: String,
    #[serde(default)]
    case: String,
    #[serde(default)]
    open_case: String,
    #[serde(default)]
    note: String,
}

/// Triages a grievance.
pub async fn grievance_triage(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<TriageForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let policy = policies::active(&risk).await?;
    let facility = match opt(&f.facility) {
        Some(t) => Some(oretrail_risk::db::facility_key(&risk, &t).await?),
        None => None,
    };
    let case_id = match f.case.trim().trim_start_matches('#') {
        "" => None,
        c => Some(
            c.parse()
                .map_err(|_| WebError::BadRequest(format!("'{c}' is not a case number")))?,
        ),
    };
    let change = grievances::triage(
        &risk,
        &policy.policy,
        id,
        &Triage {
            severity: Level::from_code(&f.severity)
                .ok_or_else(|| WebError::BadRequest("choose a severity".into()))?,
            supplier: opt(&f.supplier),
            facility,
            case_id,
            open_case: !f.open_case.is_empty(),
            note: f.note.clone(),
        },
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!("/risk/grievances/{id}?done=triaged")).into_response())
}

/// Note form.
#[derive(Debug, Deserialize)]
pub struct GrievanceNoteForm {
    text: String,
    #[serde(default)]
    investigating: String,
}

/// Adds a note (or starts the investigation).
pub async fn grievance_note(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<GrievanceNoteForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let change =
        grievances::note(&risk, id, &f.text, !f.investigating.is_empty(), s.actor()).await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!("/risk/grievances/{id}?done=noted")).into_response())
}

/// Answer form.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    resolution: String,
    response: String,
    #[serde(default)]
    rejected: String,
    #[serde(default)]
    on: String,
}

/// Resolves (or rejects) a grievance with the response to the reporter.
pub async fn grievance_resolve(
    State(state): State<AppState>,
    Analyst(s): Analyst,
    Path(id): Path<i64>,
    Form(f): Form<ResolveForm>,
) -> Result<Response> {
    let risk = risk(&state).await?;
    let on = form_date(Some(&f.on))?.unwrap_or_else(today);
    let change = grievances::resolve(
        &risk,
        id,
        !f.rejected.is_empty(),
        &f.resolution,
        &f.response,
        on,
        s.actor(),
    )
    .await?;
    changed(&state, &s, &change).await?;
    Ok(Redirect::to(&format!("/risk/grievances/{id}?done=resolved")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finding_and_participant_lines_parse() {
        let f = findings("major|blocked exits|clear them|2026-05-01|plant\n\nminor|records")
            .expect("ok");
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].severity, Severity::Major);
        assert_eq!(f[0].owner.as_deref(), Some("plant"));
        assert_eq!(f[1].corrective_action, None);
        assert!(findings("severe|x").is_err());
        let p = participants("V1:Li Wei +done\nOwn Staff");
        assert_eq!(p[0].supplier.as_deref(), Some("V1"));
        assert!(p[0].completed && !p[1].completed);
        assert_eq!(p[1].person, "Own Staff");
    }
}
