//! The risk register's SQL: syncing an assessment into cases, the ladder steps and their
//! sign-offs, notes, milestones, assignment, closing and reopening. Every function records the
//! case's history and returns the [`Change`] for the audit log.

use crate::Change;
use crate::assess::Assessment;
use crate::db::evidence::{self, NewEvidence};
use crate::db::{Risk, date, iso, now, optional, required};
use crate::error::{Result, RiskError};
use crate::ladder::{self, Move, Stage};
use crate::policy::Policy;
use crate::register::{
    self, Action, Case, CaseDetail, CaseEvent, CaseFlag, Decision, Milestone, OpenCase, SubjectKind,
};
use crate::score::{FacilityKey, Level};
use chrono::{Duration, NaiveDate};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

const CASE_COLUMNS: &str = "c.id, c.subject_kind, c.subject_key, c.supplier_id, c.metal_key, \
    c.cid, c.title, c.owner, c.due_date, c.status, c.stage, c.level, c.score, c.campaign_id, \
    c.opened_on, c.opened_by, c.closed_on, c.closed_by, c.close_reason, c.previous_case_id, \
    (SELECT count(*) FROM risk_case_events e WHERE e.case_id = c.id AND e.needs_sign_off = 1 \
     AND e.decision IS NULL)";

fn case_of(r: &sqlx::any::AnyRow) -> Result<Case> {
    let kind: String = r.try_get(1)?;
    let metal: Option<String> = r.try_get(4)?;
    let cid: Option<String> = r.try_get(5)?;
    let stage: Option<String> = r.try_get(10)?;
    let level: String = r.try_get(11)?;
    Ok(Case {
        id: r.try_get(0)?,
        subject_kind: SubjectKind::from_code(&kind).unwrap_or(SubjectKind::Supplier),
        subject_key: r.try_get(2)?,
        supplier_id: r.try_get(3)?,
        facility: metal.zip(cid).map(|(m, c)| FacilityKey::new(&m, &c)),
        title: r.try_get(6)?,
        owner: r.try_get(7)?,
        due_date: date(r.try_get(8)?),
        status: r.try_get(9)?,
        stage: stage.as_deref().and_then(Stage::from_code),
        level: Level::from_code(&level).unwrap_or_default(),
        score: r.try_get(12)?,
        campaign_id: r.try_get(13)?,
        opened_on: date(r.try_get(14)?).unwrap_or_default(),
        opened_by: r.try_get(15)?,
        closed_on: date(r.try_get(16)?),
        closed_by: r.try_get(17)?,
        close_reason: r.try_get(18)?,
        previous_case_id: r.try_get(19)?,
        pending_sign_offs: r.try_get(20)?,
    })
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// "open", "closed" or all when empty.
    pub status: String,
    /// Only this level.
    pub level: Option<Level>,
    /// Only this owner.
    pub owner: Option<String>,
    /// Only this kind of subject.
    pub kind: Option<SubjectKind>,
    /// Only cases due before this day (overdue on it).
    pub due_before: Option<NaiveDate>,
    /// Title contains (case-insensitive).
    pub q: Option<String>,
}

/// Cases matching a filter: open first, then by due date.
pub async fn list(risk: &Risk, f: &CaseFilter) -> Result<Vec<Case>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM risk_cases c WHERE ($1 = '' OR c.status = $1) \
         AND ($2 = '' OR c.level = $2) AND ($3 = '' OR c.owner = $3) \
         AND ($4 = '' OR c.subject_kind = $4) AND ($5 = '' OR c.due_date < $5) \
         AND ($6 = '' OR lower(c.title) LIKE $7) \
         ORDER BY c.status DESC, c.due_date, c.id"
    );
    let q = f.q.clone().unwrap_or_default().trim().to_lowercase();
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(f.status.clone())
        .bind(f.level.map(|l| l.code().to_string()).unwrap_or_default())
        .bind(f.owner.clone().unwrap_or_default())
        .bind(f.kind.map(|k| k.code().to_string()).unwrap_or_default())
        .bind(f.due_before.map(iso).unwrap_or_default())
        .bind(q.clone())
        .bind(format!("%{q}%"))
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(case_of)
        .collect()
}

/// One case.
pub async fn case(risk: &Risk, id: i64) -> Result<Case> {
    let sql = format!("SELECT {CASE_COLUMNS} FROM risk_cases c WHERE c.id = $1");
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(risk.pool())
        .await?
        .ok_or_else(|| RiskError::not_found("case", id))?;
    case_of(&row)
}

/// The open case of a subject, if any.
pub async fn open_case_of(risk: &Risk, subject_key: &str) -> Result<Option<Case>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM risk_cases c WHERE c.subject_key = $1 AND c.status = 'open'"
    );
    match sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(subject_key.to_string())
        .fetch_optional(risk.pool())
        .await?
    {
        Some(r) => Ok(Some(case_of(&r)?)),
        None => Ok(None),
    }
}

/// Every case of a subject, newest first.
pub async fn cases_of(risk: &Risk, subject_key: &str) -> Result<Vec<Case>> {
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM risk_cases c WHERE c.subject_key = $1 ORDER BY c.id DESC"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(subject_key.to_string())
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(case_of)
        .collect()
}

/// A case with its flags, history and milestones.
pub async fn detail(risk: &Risk, id: i64) -> Result<CaseDetail> {
    let case = case(risk, id).await?;
    let flags = sqlx::query(
        "SELECT rule, weight, reason, detail, first_raised, last_raised, cleared_on \
         FROM risk_case_flags WHERE case_id = $1 ORDER BY cleared_on IS NOT NULL, weight DESC, rule",
    )
    .bind(id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(CaseFlag {
            rule: r.try_get(0)?,
            weight: r.try_get(1)?,
            reason: r.try_get(2)?,
            detail: r.try_get(3)?,
            first_raised: date(r.try_get(4)?).unwrap_or_default(),
            last_raised: date(r.try_get(5)?).unwrap_or_default(),
            cleared_on: date(r.try_get(6)?),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let mut events = sqlx::query(
        "SELECT id, case_id, kind, on_date, recorded_at, actor, stage, text, needs_sign_off, \
         decision, decided_by, decided_at, decision_note FROM risk_case_events \
         WHERE case_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(event_of)
    .collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let mut ev = evidence::of(risk, "case_event", &ids).await?;
    for e in &mut events {
        e.evidence = ev.remove(&e.id).unwrap_or_default();
    }
    let mut milestones = sqlx::query(
        "SELECT id, case_id, event_id, title, due_date, done_on, done_by, note \
         FROM risk_milestones WHERE case_id = $1 ORDER BY due_date, id",
    )
    .bind(id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(milestone_of)
    .collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = milestones.iter().map(|m| m.id).collect();
    let mut ev = evidence::of(risk, "milestone", &ids).await?;
    for m in &mut milestones {
        m.evidence = ev.remove(&m.id).unwrap_or_default();
    }
    Ok(CaseDetail {
        case,
        flags,
        events,
        milestones,
    })
}

fn event_of(r: &sqlx::any::AnyRow) -> Result<CaseEvent> {
    let stage: Option<String> = r.try_get(6)?;
    let decision: Option<String> = r.try_get(9)?;
    Ok(CaseEvent {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        kind: r.try_get(2)?,
        on_date: date(r.try_get(3)?).unwrap_or_default(),
        recorded_at: r.try_get(4)?,
        actor: r.try_get(5)?,
        stage: stage.as_deref().and_then(Stage::from_code),
        text: r.try_get(7)?,
        needs_sign_off: r.try_get::<i64, _>(8)? != 0,
        decision: match decision {
            Some(d) => Some(Decision {
                decision: d,
                by: r.try_get::<Option<String>, _>(10)?.unwrap_or_default(),
                at: r.try_get::<Option<String>, _>(11)?.unwrap_or_default(),
                note: r.try_get(12)?,
            }),
            None => None,
        },
        evidence: Vec::new(),
    })
}

fn milestone_of(r: &sqlx::any::AnyRow) -> Result<Milestone> {
    Ok(Milestone {
        id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        event_id: r.try_get(2)?,
        title: r.try_get(3)?,
        due_date: date(r.try_get(4)?).unwrap_or_default(),
        done_on: date(r.try_get(5)?),
        done_by: r.try_get(6)?,
        note: r.try_get(7)?,
        evidence: Vec::new(),
    })
}

/// Adds a history entry inside a transaction; returns its ID.
#[allow(clippy::too_many_arguments)]
async fn add_event(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    kind: &str,
    on_date: NaiveDate,
    actor: &str,
    stage: Option<Stage>,
    text: Option<String>,
    needs_sign_off: bool,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO risk_case_events (case_id, kind, on_date, recorded_at, actor, stage, text, \
         needs_sign_off) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(case_id)
    .bind(kind.to_string())
    .bind(iso(on_date))
    .bind(now())
    .bind(actor.to_string())
    .bind(stage.map(|s| s.code().to_string()))
    .bind(text)
    .bind(i64::from(needs_sign_off))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// What [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncReport {
    /// Cases opened.
    pub opened: Vec<i64>,
    /// Cases new flags joined.
    pub joined: Vec<i64>,
    /// Cases some of whose flags cleared.
    pub cleared: Vec<i64>,
}

/// Brings the register in line with an assessment: opens cases for newly flagged subjects, lets
/// flags join open cases, refreshes and clears flags.
pub async fn sync(
    risk: &Risk,
    policy: &Policy,
    assessment: &Assessment,
    actor: &str,
) -> Result<(SyncReport, Change)> {
    let subjects = register::subjects(assessment);
    let open = open_cases(risk).await?;
    let actions = register::plan(policy, &subjects, &open, assessment.as_of);
    let as_of = assessment.as_of;
    let mut report = SyncReport::default();
    let mut tx = risk.pool().begin().await?;
    for action in actions {
        match action {
            Action::Open {
                subject,
                owner,
                due,
            } => {
                let facility = subject.facility.clone();
                let row = sqlx::query(
                    "INSERT INTO risk_cases (subject_kind, subject_key, supplier_id, metal_key, \
                     cid, title, owner, due_date, status, stage, level, score, campaign_id, \
                     opened_on, opened_at, opened_by, previous_case_id) VALUES ($1, $2, $3, $4, \
                     $5, $6, $7, $8, 'open', NULL, $9, $10, $11, $12, $13, $14, \
                     (SELECT max(p.id) FROM risk_cases p WHERE p.subject_key = $2)) RETURNING id",
                )
                .bind(subject.kind.code())
                .bind(subject.key.clone())
                .bind(subject.supplier_id)
                .bind(facility.as_ref().map(|f| f.metal.clone()))
                .bind(facility.as_ref().map(|f| f.cid.clone()))
                .bind(subject.title.clone())
                .bind(owner)
                .bind(iso(due))
                .bind(subject.score.level.code())
                .bind(subject.score.score)
                .bind(assessment.campaign_id)
                .bind(iso(as_of))
                .bind(now())
                .bind(actor.to_string())
                .fetch_one(&mut *tx)
                .await?;
                let id: i64 = row.try_get(0)?;
                for f in &subject.score.flags {
                    upsert_flag(&mut tx, id, f, as_of).await?;
                }
                let text = format!(
                    "opened by the assessment of {} as of {as_of}: score {} ({}); flags: {}",
                    assessment.campaign_name,
                    subject.score.score,
                    subject.score.level,
                    rules_text(&subject.score.flags)
                );
                add_event(&mut tx, id, "opened", as_of, actor, None, Some(text), false).await?;
                report.opened.push(id);
            }
            Action::Update {
                case_id,
                subject,
                joined,
                refreshed,
                cleared,
            } => {
                for f in joined.iter().chain(refreshed.iter()) {
                    upsert_flag(&mut tx, case_id, f, as_of).await?;
                }
                if !joined.is_empty() {
                    add_event(
                        &mut tx,
                        case_id,
                        "flags_joined",
                        as_of,
                        actor,
                        None,
                        Some(format!(
                            "raised by the assessment of {} as of {as_of}: {}",
                            assessment.campaign_name,
                            rules_text(&joined)
                        )),
                        false,
                    )
                    .await?;
                    report.joined.push(case_id);
                }
                if !cleared.is_empty() {
                    for rule in &cleared {
                        sqlx::query(
                            "UPDATE risk_case_flags SET cleared_on = $1 WHERE case_id = $2 AND rule = $3",
                        )
                        .bind(iso(as_of))
                        .bind(case_id)
                        .bind(rule.clone())
                        .execute(&mut *tx)
                        .await?;
                    }
                    let all_clear = subject.score.flags.is_empty();
                    add_event(
                        &mut tx,
                        case_id,
                        "flags_cleared",
                        as_of,
                        actor,
                        None,
                        Some(format!(
                            "no longer raised as of {as_of}: {}{}",
                            cleared.join(", "),
                            if all_clear {
                                " — no flag remains; consider closing the case"
                            } else {
                                ""
                            }
                        )),
                        false,
                    )
                    .await?;
                    report.cleared.push(case_id);
                }
                sqlx::query("UPDATE risk_cases SET level = $1, score = $2 WHERE id = $3")
                    .bind(subject.score.level.code())
                    .bind(subject.score.score)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    let detail = format!(
        "register synced with campaign {} as of {as_of}: {} case(s) opened, {} joined by new flags, {} with flags cleared",
        assessment.campaign_id,
        report.opened.len(),
        report.joined.len(),
        report.cleared.len()
    );
    Ok((
        report,
        Change::new(
            "risk.cases.sync",
            format!("campaign {}", assessment.campaign_id),
            detail,
        ),
    ))
}

fn rules_text(flags: &[crate::score::Flag]) -> String {
    flags
        .iter()
        .map(|f| format!("{} (+{})", f.rule, f.weight))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn upsert_flag(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    f: &crate::score::Flag,
    as_of: NaiveDate,
) -> Result<()> {
    let updated = sqlx::query(
        "UPDATE risk_case_flags SET weight = $1, reason = $2, detail = $3, last_raised = $4, \
         cleared_on = NULL WHERE case_id = $5 AND rule = $6",
    )
    .bind(f.weight)
    .bind(f.reason.clone())
    .bind(f.detail.clone())
    .bind(iso(as_of))
    .bind(case_id)
    .bind(f.rule.clone())
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if updated == 0 {
        sqlx::query(
            "INSERT INTO risk_case_flags (case_id, rule, weight, reason, detail, first_raised, \
             last_raised) VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(case_id)
        .bind(f.rule.clone())
        .bind(f.weight)
        .bind(f.reason.clone())
        .bind(f.detail.clone())
        .bind(iso(as_of))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

async fn open_cases(risk: &Risk) -> Result<Vec<OpenCase>> {
    let mut cases: BTreeMap<i64, OpenCase> =
        sqlx::query("SELECT id, subject_key FROM risk_cases WHERE status = 'open'")
            .fetch_all(risk.pool())
            .await?
            .iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                Ok((
                    id,
                    OpenCase {
                        id,
                        subject_key: r.try_get(1)?,
                        flags: BTreeMap::new(),
                    },
                ))
            })
            .collect::<Result<_>>()?;
    for r in sqlx::query(
        "SELECT f.case_id, f.rule, f.cleared_on FROM risk_case_flags f \
         JOIN risk_cases c ON c.id = f.case_id WHERE c.status = 'open'",
    )
    .fetch_all(risk.pool())
    .await?
    {
        let id: i64 = r.try_get(0)?;
        let cleared: Option<String> = r.try_get(2)?;
        if let Some(c) = cases.get_mut(&id) {
            c.flags.insert(r.try_get(1)?, cleared.is_some());
        }
    }
    Ok(cases.into_values().collect())
}

/// A case opened by hand (e.g. from a grievance or an audit finding).
#[derive(Debug, Clone)]
pub struct NewCase {
    /// Supplier ERP ID (supplier cases).
    pub supplier: Option<String>,
    /// Facility (facility cases).
    pub facility: Option<FacilityKey>,
    /// Title.
    pub title: String,
    /// Owner (default: the policy's).
    pub owner: Option<String>,
    /// Level.
    pub level: Level,
    /// Due date (default: the policy's days for the level).
    pub due: Option<NaiveDate>,
    /// Why it is opened.
    pub reason: String,
    /// Day opened.
    pub on_date: NaiveDate,
}

/// Opens a case by hand; refused when the subject already has an open case.
pub async fn open(risk: &Risk, policy: &Policy, c: &NewCase, actor: &str) -> Result<(i64, Change)> {
    let title = required("a title", &c.title)?;
    let reason = required("a reason", &c.reason)?;
    let (kind, key, supplier_id) = match (&c.supplier, &c.facility) {
        (Some(erp), None) => {
            let id = crate::db::supplier_id(risk, erp).await?;
            (SubjectKind::Supplier, register::supplier_key(erp), Some(id))
        }
        (None, Some(f)) => (SubjectKind::Facility, f.subject_key(), None),
        _ => {
            return Err(RiskError::Invalid(
                "a case is about one supplier or one facility".into(),
            ));
        }
    };
    if let Some(existing) = open_case_of(risk, &key).await? {
        return Err(RiskError::Invalid(format!(
            "{key} already has an open case ({}); add to it instead",
            existing.id
        )));
    }
    let due = c
        .due
        .unwrap_or(c.on_date + Duration::days(policy.cases.due_days.get(c.level)));
    let owner = optional(c.owner.as_deref()).unwrap_or_else(|| policy.cases.default_owner.clone());
    let mut tx = risk.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO risk_cases (subject_kind, subject_key, supplier_id, metal_key, cid, title, \
         owner, due_date, status, stage, level, score, campaign_id, opened_on, opened_at, \
         opened_by, previous_case_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', NULL, $9, \
         0, NULL, $10, $11, $12, (SELECT max(p.id) FROM risk_cases p WHERE p.subject_key = $2)) \
         RETURNING id",
    )
    .bind(kind.code())
    .bind(key.clone())
    .bind(supplier_id)
    .bind(c.facility.as_ref().map(|f| f.metal.clone()))
    .bind(c.facility.as_ref().map(|f| f.cid.clone()))
    .bind(title.clone())
    .bind(owner)
    .bind(iso(due))
    .bind(c.level.code())
    .bind(iso(c.on_date))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    add_event(
        &mut tx,
        id,
        "opened",
        c.on_date,
        actor,
        None,
        Some(reason),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new("risk.case.open", format!("case {id}"), title),
    ))
}

async fn open_case_for_change(risk: &Risk, id: i64) -> Result<Case> {
    let c = case(risk, id).await?;
    if c.status != "open" {
        return Err(RiskError::Invalid(format!(
            "case {id} is closed; reopen it first"
        )));
    }
    Ok(c)
}

/// Assigns a case to an owner.
pub async fn assign(
    risk: &Risk,
    id: i64,
    owner: &str,
    actor: &str,
    on: NaiveDate,
) -> Result<Change> {
    let owner = required("an owner", owner)?;
    let c = open_case_for_change(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    sqlx::query("UPDATE risk_cases SET owner = $1 WHERE id = $2")
        .bind(owner.clone())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let text = format!("owner {} → {owner}", c.owner);
    add_event(
        &mut tx,
        id,
        "assigned",
        on,
        actor,
        None,
        Some(text.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new("risk.case.assign", format!("case {id}"), text))
}

/// Sets a case's next due date.
pub async fn set_due(
    risk: &Risk,
    id: i64,
    due: NaiveDate,
    actor: &str,
    on: NaiveDate,
) -> Result<Change> {
    let c = open_case_for_change(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    sqlx::query("UPDATE risk_cases SET due_date = $1 WHERE id = $2")
        .bind(iso(due))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let text = format!(
        "due {} → {due}",
        c.due_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "none".into())
    );
    add_event(
        &mut tx,
        id,
        "due_changed",
        on,
        actor,
        None,
        Some(text.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new("risk.case.due", format!("case {id}"), text))
}

/// Adds a note (with evidence) to a case's history; closed cases take notes too.
pub async fn note(
    risk: &Risk,
    id: i64,
    on: NaiveDate,
    text: &str,
    files: &[NewEvidence],
    actor: &str,
) -> Result<(i64, Change)> {
    let text = required("the note", text)?;
    case(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    let event = add_event(
        &mut tx,
        id,
        "note",
        on,
        actor,
        None,
        Some(text.clone()),
        false,
    )
    .await?;
    let names = evidence::attach(risk, &mut tx, "case_event", event, files, actor).await?;
    tx.commit().await?;
    Ok((
        event,
        Change::new(
            "risk.case.note",
            format!("case {id}"),
            with_files(&text, &names),
        ),
    ))
}

fn with_files(text: &str, names: &[String]) -> String {
    if names.is_empty() {
        text.to_string()
    } else {
        format!("{text} [evidence: {}]", names.join(", "))
    }
}

/// A step on the escalation ladder.
#[derive(Debug, Clone)]
pub struct Step {
    /// Stage stepped to.
    pub stage: Stage,
    /// Day of the step (meeting, letter, decision).
    pub on_date: NaiveDate,
    /// What was done or agreed, and why.
    pub text: String,
    /// Milestones of an improvement plan: (what, by when).
    pub milestones: Vec<(String, NaiveDate)>,
    /// Evidence.
    pub evidence: Vec<NewEvidence>,
}

/// Records a ladder step. Where the policy demands a sign-off, the step waits for it and the
/// case's stage changes only when it is approved.
pub async fn step(
    risk: &Risk,
    policy: &Policy,
    id: i64,
    s: &Step,
    actor: &str,
) -> Result<(i64, Change)> {
    let text = required("what was done or agreed", &s.text)?;
    let c = open_case_for_change(risk, id).await?;
    let mv = ladder::check_step(c.stage, s.stage, &text)?;
    if s.stage == Stage::ImprovementPlan && s.milestones.is_empty() && mv != Move::Continue {
        return Err(RiskError::Invalid(
            "an agreed improvement plan needs at least one milestone (what, by when)".into(),
        ));
    }
    for (title, _) in &s.milestones {
        required("a milestone's description", title)?;
    }
    let needs = ladder::step_needs_sign_off(policy, s.stage);
    let mut tx = risk.pool().begin().await?;
    let event = add_event(
        &mut tx,
        id,
        "step",
        s.on_date,
        actor,
        Some(s.stage),
        Some(text.clone()),
        needs,
    )
    .await?;
    let names = evidence::attach(risk, &mut tx, "case_event", event, &s.evidence, actor).await?;
    for (title, due) in &s.milestones {
        insert_milestone(&mut tx, id, Some(event), title, *due, actor).await?;
    }
    if !needs {
        apply_stage(&mut tx, policy, id, s.stage, s.on_date).await?;
    }
    tx.commit().await?;
    let detail = format!(
        "{} ({:?}){}: {}",
        s.stage.label(),
        mv,
        if needs { ", waiting for sign-off" } else { "" },
        with_files(&text, &names)
    );
    Ok((
        event,
        Change::new("risk.case.step", format!("case {id}"), detail),
    ))
}

async fn apply_stage(
    conn: &mut sqlx::AnyConnection,
    policy: &Policy,
    id: i64,
    stage: Stage,
    on: NaiveDate,
) -> Result<()> {
    let due = ladder::step_due_days(policy, stage).map(|d| iso(on + Duration::days(d)));
    sqlx::query(
        "UPDATE risk_cases SET stage = $1, due_date = coalesce($2, due_date) WHERE id = $3",
    )
    .bind(stage.code())
    .bind(due)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn insert_milestone(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    event_id: Option<i64>,
    title: &str,
    due: NaiveDate,
    actor: &str,
) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO risk_milestones (case_id, event_id, title, due_date, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(case_id)
    .bind(event_id)
    .bind(title.trim().to_string())
    .bind(iso(due))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Adds a milestone to a case's plan.
pub async fn add_milestone(
    risk: &Risk,
    id: i64,
    title: &str,
    due: NaiveDate,
    actor: &str,
    on: NaiveDate,
) -> Result<(i64, Change)> {
    let title = required("a milestone's description", title)?;
    open_case_for_change(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    let m = insert_milestone(&mut tx, id, None, &title, due, actor).await?;
    let text = format!("milestone {m}: {title}, due {due}");
    add_event(
        &mut tx,
        id,
        "milestone_added",
        on,
        actor,
        None,
        Some(text.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok((
        m,
        Change::new("risk.case.milestone", format!("case {id}"), text),
    ))
}

/// Records a milestone as done, with evidence.
pub async fn complete_milestone(
    risk: &Risk,
    milestone_id: i64,
    on: NaiveDate,
    note: &str,
    files: &[NewEvidence],
    actor: &str,
) -> Result<Change> {
    let row = sqlx::query(
        "SELECT id, case_id, event_id, title, due_date, done_on, done_by, note FROM risk_milestones \
         WHERE id = $1",
    )
    .bind(milestone_id)
    .fetch_optional(risk.pool())
    .await?
    .ok_or_else(|| RiskError::not_found("milestone", milestone_id))?;
    let m = milestone_of(&row)?;
    if m.done_on.is_some() {
        return Err(RiskError::Invalid(format!(
            "milestone {milestone_id} is already done"
        )));
    }
    let mut tx = risk.pool().begin().await?;
    sqlx::query("UPDATE risk_milestones SET done_on = $1, done_by = $2, note = $3 WHERE id = $4")
        .bind(iso(on))
        .bind(actor.to_string())
        .bind(optional(Some(note)))
        .bind(milestone_id)
        .execute(&mut *tx)
        .await?;
    let names = evidence::attach(risk, &mut tx, "milestone", milestone_id, files, actor).await?;
    let text = with_files(
        &format!(
            "milestone {milestone_id} done ({}; due {}){}",
            m.title,
            m.due_date,
            optional(Some(note))
                .map(|n| format!(": {n}"))
                .unwrap_or_default()
        ),
        &names,
    );
    add_event(
        &mut tx,
        m.case_id,
        "milestone_done",
        on,
        actor,
        None,
        Some(text.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.case.milestone_done",
        format!("case {}", m.case_id),
        text,
    ))
}

/// Closes a case (with its reason and evidence). Where the policy wants a sign-off for the
/// case's level, the closing waits for it.
pub async fn close(
    risk: &Risk,
    policy: &Policy,
    id: i64,
    on: NaiveDate,
    reason: &str,
    files: &[NewEvidence],
    actor: &str,
) -> Result<Change> {
    let reason = required("a reason for closing", reason)?;
    let c = open_case_for_change(risk, id).await?;
    let needs = ladder::close_needs_sign_off(policy, c.level);
    let mut tx = risk.pool().begin().await?;
    let event = add_event(
        &mut tx,
        id,
        "close",
        on,
        actor,
        None,
        Some(reason.clone()),
        needs,
    )
    .await?;
    let names = evidence::attach(risk, &mut tx, "case_event", event, files, actor).await?;
    if !needs {
        mark_closed(&mut tx, id, on, actor, &reason).await?;
    }
    tx.commit().await?;
    Ok(Change::new(
        "risk.case.close",
        format!("case {id}"),
        format!(
            "{}{}",
            with_files(&reason, &names),
            if needs { " (waiting for sign-off)" } else { "" }
        ),
    ))
}

async fn mark_closed(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    on: NaiveDate,
    by: &str,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE risk_cases SET status = 'closed', closed_on = $1, closed_by = $2, close_reason = $3 \
         WHERE id = $4",
    )
    .bind(iso(on))
    .bind(by.to_string())
    .bind(reason.to_string())
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Reopens a closed case (when its subject has no other open case).
pub async fn reopen(
    risk: &Risk,
    id: i64,
    reason: &str,
    actor: &str,
    on: NaiveDate,
) -> Result<Change> {
    let reason = required("a reason for reopening", reason)?;
    let c = case(risk, id).await?;
    if c.status == "open" {
        return Err(RiskError::Invalid(format!("case {id} is open")));
    }
    if let Some(other) = open_case_of(risk, &c.subject_key).await? {
        return Err(RiskError::Invalid(format!(
            "{} has an open case ({}) already",
            c.subject_key, other.id
        )));
    }
    let mut tx = risk.pool().begin().await?;
    sqlx::query(
        "UPDATE risk_cases SET status = 'open', closed_on = NULL, closed_by = NULL, \
         close_reason = NULL WHERE id = $1",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?;
    add_event(
        &mut tx,
        id,
        "reopened",
        on,
        actor,
        None,
        Some(reason.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.case.reopen",
        format!("case {id}"),
        reason,
    ))
}

/// A step or closing waiting for a sign-off.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pending {
    /// The waiting event.
    pub event: CaseEvent,
    /// Its case.
    pub case_title: String,
    /// Case level.
    pub level: Level,
}

/// Every step or closing waiting for a sign-off, oldest first.
pub async fn pending_sign_offs(risk: &Risk) -> Result<Vec<Pending>> {
    sqlx::query(
        "SELECT e.id, e.case_id, e.kind, e.on_date, e.recorded_at, e.actor, e.stage, e.text, \
         e.needs_sign_off, e.decision, e.decided_by, e.decided_at, e.decision_note, c.title, \
         c.level FROM risk_case_events e JOIN risk_cases c ON c.id = e.case_id \
         WHERE e.needs_sign_off = 1 AND e.decision IS NULL ORDER BY e.id",
    )
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        let level: String = r.try_get(14)?;
        Ok(Pending {
            event: event_of(r)?,
            case_title: r.try_get(13)?,
            level: Level::from_code(&level).unwrap_or_default(),
        })
    })
    .collect()
}

/// Decides on a step or closing waiting for a sign-off; an approval puts it into effect.
pub async fn sign_off(
    risk: &Risk,
    policy: &Policy,
    event_id: i64,
    signer: &str,
    approve: bool,
    note: &str,
) -> Result<Change> {
    let row = sqlx::query(
        "SELECT id, case_id, kind, on_date, recorded_at, actor, stage, text, needs_sign_off, \
         decision, decided_by, decided_at, decision_note FROM risk_case_events WHERE id = $1",
    )
    .bind(event_id)
    .fetch_optional(risk.pool())
    .await?
    .ok_or_else(|| RiskError::not_found("case step", event_id))?;
    let e = event_of(&row)?;
    if !e.pending() {
        return Err(RiskError::Invalid(format!(
            "step {event_id} does not wait for a sign-off"
        )));
    }
    ladder::check_signer(policy, &e.actor, signer)?;
    let c = case(risk, e.case_id).await?;
    if c.status != "open" {
        return Err(RiskError::Invalid(format!("case {} is closed", c.id)));
    }
    let decision = if approve { "approved" } else { "rejected" };
    let today = crate::db::today();
    let mut tx = risk.pool().begin().await?;
    sqlx::query(
        "UPDATE risk_case_events SET decision = $1, decided_by = $2, decided_at = $3, \
         decision_note = $4 WHERE id = $5",
    )
    .bind(decision)
    .bind(signer.trim().to_string())
    .bind(now())
    .bind(optional(Some(note)))
    .bind(event_id)
    .execute(&mut *tx)
    .await?;
    if approve {
        match (e.kind.as_str(), e.stage) {
            ("step", Some(stage)) => apply_stage(&mut tx, policy, c.id, stage, e.on_date).await?,
            ("close", _) => {
                mark_closed(
                    &mut tx,
                    c.id,
                    e.on_date,
                    &e.actor,
                    e.text.as_deref().unwrap_or(""),
                )
                .await?
            }
            _ => {}
        }
    }
    let what = match (e.kind.as_str(), e.stage) {
        ("step", Some(stage)) => stage.label().to_string(),
        ("close", _) => "closing".to_string(),
        (k, _) => k.to_string(),
    };
    let text = format!(
        "{what} {decision} by {}{}",
        signer.trim(),
        optional(Some(note))
            .map(|n| format!(": {n}"))
            .unwrap_or_default()
    );
    add_event(
        &mut tx,
        c.id,
        "sign_off",
        today,
        signer,
        e.stage,
        Some(text.clone()),
        false,
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.case.sign_off",
        format!("case {} step {event_id}", c.id),
        text,
    ))
}

/// Cases due, overdue and open milestones, for the digest: (open cases, open milestones with
/// their case titles).
pub async fn open_work(risk: &Risk) -> Result<(Vec<Case>, Vec<(Milestone, String)>)> {
    let cases = list(
        risk,
        &CaseFilter {
            status: "open".into(),
            ..CaseFilter::default()
        },
    )
    .await?;
    let milestones = sqlx::query(
        "SELECT m.id, m.case_id, m.event_id, m.title, m.due_date, m.done_on, m.done_by, m.note, \
         c.title FROM risk_milestones m JOIN risk_cases c ON c.id = m.case_id \
         WHERE m.done_on IS NULL AND c.status = 'open' ORDER BY m.due_date",
    )
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| Ok((milestone_of(r)?, r.try_get(8)?)))
    .collect::<Result<Vec<_>>>()?;
    Ok((cases, milestones))
}
