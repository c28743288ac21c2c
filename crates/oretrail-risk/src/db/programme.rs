//! Programme records: RBA audits of own sites, suppliers' sites and facilities (type, date,
//! auditor, score, findings with corrective actions, deadlines and closure evidence); supplier
//! code-of-conduct and contract-clause acknowledgements; supplier training and its participants.

use crate::Change;
use crate::db::evidence::{self, Evidence, NewEvidence};
use crate::db::{Risk, date, iso, iso_opt, now, optional, required, supplier_id};
use crate::error::{Result, RiskError};
use crate::score::FacilityKey;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

// ------------------------------------------------------------------------------------ audits

/// Severity of an audit finding (RBA VAP grading, plus observations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Priority non-conformance.
    Priority,
    /// Major non-conformance.
    Major,
    /// Minor non-conformance.
    Minor,
    /// Observation / opportunity for improvement.
    Observation,
}

impl Severity {
    /// Every severity, gravest first.
    pub const ALL: [Severity; 4] = [
        Severity::Priority,
        Severity::Major,
        Severity::Minor,
        Severity::Observation,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Severity::Priority => "priority",
            Severity::Major => "major",
            Severity::Minor => "minor",
            Severity::Observation => "observation",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.code().eq_ignore_ascii_case(code.trim()))
    }
}

/// Whose site an audit covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSubject {
    /// One of our own sites.
    OwnSite,
    /// A supplier's site (tier 1, 2 or 3), by ERP ID.
    Supplier(String),
    /// A smelter or refiner.
    Facility(FacilityKey),
}

/// A finding to record.
#[derive(Debug, Clone)]
pub struct NewFinding {
    /// Severity.
    pub severity: Severity,
    /// What the auditor found.
    pub finding: String,
    /// Corrective action agreed.
    pub corrective_action: Option<String>,
    /// Who owns the action.
    pub owner: Option<String>,
    /// Deadline of the action.
    pub due_date: Option<NaiveDate>,
}

/// An audit to record.
#[derive(Debug, Clone)]
pub struct NewAudit {
    /// Whose site.
    pub subject: AuditSubject,
    /// Site name and place.
    pub site: String,
    /// Type ("VAP initial", "VAP closure", "VAP priority closure", "SAQ", "RMAP", ...).
    pub audit_type: String,
    /// Day of the audit.
    pub audit_date: NaiveDate,
    /// Audit firm or auditor.
    pub auditor: String,
    /// Score (e.g. VAP 0–200).
    pub score: Option<f64>,
    /// Result in words ("Platinum", "Conformant").
    pub result: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Findings.
    pub findings: Vec<NewFinding>,
    /// Evidence (report).
    pub evidence: Vec<NewEvidence>,
}

/// A finding with its corrective action.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// ID.
    pub id: i64,
    /// Audit ID.
    pub audit_id: i64,
    /// Severity.
    pub severity: Severity,
    /// What was found.
    pub finding: String,
    /// Corrective action.
    pub corrective_action: Option<String>,
    /// Owner of the action.
    pub owner: Option<String>,
    /// Deadline.
    pub due_date: Option<NaiveDate>,
    /// Day closed.
    pub closed_on: Option<NaiveDate>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// How it was closed.
    pub closure_note: Option<String>,
    /// Closure evidence.
    pub evidence: Vec<Evidence>,
}

/// A recorded audit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    /// ID.
    pub id: i64,
    /// "own_site", "supplier" or "facility".
    pub subject_kind: String,
    /// Site.
    pub site: String,
    /// Supplier ERP ID (supplier sites).
    pub supplier: Option<String>,
    /// Facility (facilities).
    pub facility: Option<FacilityKey>,
    /// Type.
    pub audit_type: String,
    /// Day.
    pub audit_date: NaiveDate,
    /// Auditor.
    pub auditor: String,
    /// Score.
    pub score: Option<f64>,
    /// Result.
    pub result: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// When recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Findings, gravest first.
    pub findings: Vec<Finding>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

async fn insert_finding(
    conn: &mut sqlx::AnyConnection,
    audit_id: i64,
    f: &NewFinding,
    actor: &str,
) -> Result<i64> {
    let finding = required("the finding", &f.finding)?;
    let row = sqlx::query(
        "INSERT INTO risk_findings (audit_id, severity, finding, corrective_action, owner, \
         due_date, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(audit_id)
    .bind(f.severity.code())
    .bind(finding)
    .bind(optional(f.corrective_action.as_deref()))
    .bind(optional(f.owner.as_deref()))
    .bind(iso_opt(f.due_date))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Records an audit with its findings.
pub async fn record_audit(risk: &Risk, a: &NewAudit, actor: &str) -> Result<(i64, Change)> {
    let site = required("the site", &a.site)?;
    let audit_type = required("the audit type", &a.audit_type)?;
    let auditor = required("the auditor", &a.auditor)?;
    if let Some(s) = a.score
        && !s.is_finite()
    {
        return Err(RiskError::Invalid("the score is not a number".into()));
    }
    let (kind, supplier, facility) = match &a.subject {
        AuditSubject::OwnSite => ("own_site", None, None),
        AuditSubject::Supplier(erp) => ("supplier", Some(supplier_id(risk, erp).await?), None),
        AuditSubject::Facility(k) => ("facility", None, Some(k.clone())),
    };
    let mut tx = risk.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO risk_audits (subject_kind, site, supplier_id, metal_key, cid, audit_type, \
         audit_date, auditor, score, result, notes, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CAST($9 AS DOUBLE PRECISION), $10, $11, $12, \
         $13) RETURNING id",
    )
    .bind(kind)
    .bind(site.clone())
    .bind(supplier)
    .bind(facility.as_ref().map(|f| f.metal.clone()))
    .bind(facility.as_ref().map(|f| f.cid.clone()))
    .bind(audit_type.clone())
    .bind(iso(a.audit_date))
    .bind(auditor.clone())
    .bind(oretrail_store::db::nullable_real(a.score))
    .bind(optional(a.result.as_deref()))
    .bind(optional(a.notes.as_deref()))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    for f in &a.findings {
        insert_finding(&mut tx, id, f, actor).await?;
    }
    evidence::attach(risk, &mut tx, "audit", id, &a.evidence, actor).await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new(
            "risk.audit.record",
            format!("audit {id}"),
            format!(
                "{audit_type} of {site} on {} by {auditor}; {} finding(s)",
                a.audit_date,
                a.findings.len()
            ),
        ),
    ))
}

/// Adds a finding to an audit.
pub async fn add_finding(
    risk: &Risk,
    audit_id: i64,
    f: &NewFinding,
    actor: &str,
) -> Result<(i64, Change)> {
    audit(risk, audit_id).await?;
    let mut tx = risk.pool().begin().await?;
    let id = insert_finding(&mut tx, audit_id, f, actor).await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new(
            "risk.audit.finding",
            format!("audit {audit_id}"),
            format!("finding {id} ({}): {}", f.severity.code(), f.finding.trim()),
        ),
    ))
}

/// Closes a finding's corrective action with evidence.
pub async fn close_finding(
    risk: &Risk,
    finding_id: i64,
    on: NaiveDate,
    note: &str,
    files: &[NewEvidence],
    actor: &str,
) -> Result<Change> {
    let note = required("how the action was closed", note)?;
    let row = sqlx::query("SELECT audit_id, closed_on FROM risk_findings WHERE id = $1")
        .bind(finding_id)
        .fetch_optional(risk.pool())
        .await?
        .ok_or_else(|| RiskError::not_found("finding", finding_id))?;
    let audit_id: i64 = row.try_get(0)?;
    if row.try_get::<Option<String>, _>(1)?.is_some() {
        return Err(RiskError::Invalid(format!(
            "finding {finding_id} is already closed"
        )));
    }
    let mut tx = risk.pool().begin().await?;
    sqlx::query(
        "UPDATE risk_findings SET closed_on = $1, closed_by = $2, closure_note = $3 WHERE id = $4",
    )
    .bind(iso(on))
    .bind(actor.to_string())
    .bind(note.clone())
    .bind(finding_id)
    .execute(&mut *tx)
    .await?;
    let names = evidence::attach(risk, &mut tx, "finding", finding_id, files, actor).await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.audit.finding_closed",
        format!("audit {audit_id} finding {finding_id}"),
        if names.is_empty() {
            note
        } else {
            format!("{note} [evidence: {}]", names.join(", "))
        },
    ))
}

const AUDIT_COLUMNS: &str = "a.id, a.subject_kind, a.site, s.erp_id, a.metal_key, a.cid, \
    a.audit_type, a.audit_date, a.auditor, a.score, a.result, a.notes, a.recorded_at, a.recorded_by";

fn audit_of(r: &sqlx::any::AnyRow) -> Result<Audit> {
    let metal: Option<String> = r.try_get(4)?;
    let cid: Option<String> = r.try_get(5)?;
    Ok(Audit {
        id: r.try_get(0)?,
        subject_kind: r.try_get(1)?,
        site: r.try_get(2)?,
        supplier: r.try_get(3)?,
        facility: metal.zip(cid).map(|(m, c)| FacilityKey::new(&m, &c)),
        audit_type: r.try_get(6)?,
        audit_date: date(r.try_get(7)?).unwrap_or_default(),
        auditor: r.try_get(8)?,
        score: r.try_get(9)?,
        result: r.try_get(10)?,
        notes: r.try_get(11)?,
        recorded_at: r.try_get(12)?,
        recorded_by: r.try_get(13)?,
        findings: Vec::new(),
        evidence: Vec::new(),
    })
}

const FINDING_COLUMNS: &str = "f.id, f.audit_id, f.severity, f.finding, f.corrective_action, \
    f.owner, f.due_date, f.closed_on, f.closed_by, f.closure_note";

fn finding_of(r: &sqlx::any::AnyRow) -> Result<Finding> {
    let severity: String = r.try_get(2)?;
    Ok(Finding {
        id: r.try_get(0)?,
        audit_id: r.try_get(1)?,
        severity: Severity::from_code(&severity).unwrap_or(Severity::Observation),
        finding: r.try_get(3)?,
        corrective_action: r.try_get(4)?,
        owner: r.try_get(5)?,
        due_date: date(r.try_get(6)?),
        closed_on: date(r.try_get(7)?),
        closed_by: r.try_get(8)?,
        closure_note: r.try_get(9)?,
        evidence: Vec::new(),
    })
}

async fn with_findings(risk: &Risk, mut audits: Vec<Audit>) -> Result<Vec<Audit>> {
    if audits.is_empty() {
        return Ok(audits);
    }
    let ids: Vec<i64> = audits.iter().map(|a| a.id).collect();
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT {FINDING_COLUMNS} FROM risk_findings f WHERE f.audit_id IN ({}) ORDER BY f.id",
        list.join(",")
    );
    let mut findings = sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(finding_of)
        .collect::<Result<Vec<_>>>()?;
    let fids: Vec<i64> = findings.iter().map(|f| f.id).collect();
    let mut fev = evidence::of(risk, "finding", &fids).await?;
    for f in &mut findings {
        f.evidence = fev.remove(&f.id).unwrap_or_default();
    }
    findings.sort_by(|a, b| a.severity.cmp(&b.severity).then(a.id.cmp(&b.id)));
    let mut aev = evidence::of(risk, "audit", &ids).await?;
    for a in &mut audits {
        a.findings = findings
            .iter()
            .filter(|f| f.audit_id == a.id)
            .cloned()
            .collect();
        a.evidence = aev.remove(&a.id).unwrap_or_default();
    }
    Ok(audits)
}

/// Audits, newest first; of one supplier (ERP ID) when given.
pub async fn audits(risk: &Risk, supplier: Option<&str>) -> Result<Vec<Audit>> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM risk_audits a LEFT JOIN suppliers s ON s.id = a.supplier_id \
         WHERE ($1 = '' OR s.erp_id = $1) ORDER BY a.audit_date DESC, a.id DESC"
    );
    let audits = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(supplier.unwrap_or("").trim().to_string())
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(audit_of)
        .collect::<Result<Vec<_>>>()?;
    with_findings(risk, audits).await
}

/// One audit with its findings.
pub async fn audit(risk: &Risk, id: i64) -> Result<Audit> {
    let sql = format!(
        "SELECT {AUDIT_COLUMNS} FROM risk_audits a LEFT JOIN suppliers s ON s.id = a.supplier_id \
         WHERE a.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(risk.pool())
        .await?
        .ok_or_else(|| RiskError::not_found("audit", id))?;
    let a = audit_of(&row)?;
    Ok(with_findings(risk, vec![a]).await?.remove(0))
}

/// Corrective actions not closed yet, by deadline: (finding, audit type and site).
pub async fn open_findings(risk: &Risk) -> Result<Vec<(Finding, String)>> {
    let sql = format!(
        "SELECT {FINDING_COLUMNS}, a.audit_type, a.site FROM risk_findings f \
         JOIN risk_audits a ON a.id = f.audit_id WHERE f.closed_on IS NULL \
         ORDER BY f.due_date, f.id"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(|r| {
            let t: String = r.try_get(10)?;
            let site: String = r.try_get(11)?;
            Ok((finding_of(r)?, format!("{t}, {site}")))
        })
        .collect()
}

// --------------------------------------------------------------------------- acknowledgements

/// An acknowledgement to record.
#[derive(Debug, Clone)]
pub struct NewAcknowledgement {
    /// Supplier ERP ID.
    pub supplier: String,
    /// Document ("Supplier Code of Conduct", "Responsible minerals clause §12").
    pub document: String,
    /// Its version.
    pub version: String,
    /// Day signed.
    pub signed_on: NaiveDate,
    /// Who signed for the supplier.
    pub signed_by: String,
    /// Evidence (signed copy).
    pub evidence: Vec<NewEvidence>,
}

/// A recorded acknowledgement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Acknowledgement {
    /// ID.
    pub id: i64,
    /// Supplier ERP ID.
    pub supplier: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Document.
    pub document: String,
    /// Version.
    pub version: String,
    /// Day signed.
    pub signed_on: NaiveDate,
    /// Who signed.
    pub signed_by: String,
    /// When recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

/// Records a supplier's acknowledgement of a document version.
pub async fn record_acknowledgement(
    risk: &Risk,
    a: &NewAcknowledgement,
    actor: &str,
) -> Result<(i64, Change)> {
    let document = required("the document", &a.document)?;
    let version = required("the document's version", &a.version)?;
    let signed_by = required("who signed", &a.signed_by)?;
    let supplier = supplier_id(risk, &a.supplier).await?;
    let mut tx = risk.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO risk_acknowledgements (supplier_id, document, version, signed_on, signed_by, \
         recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(supplier)
    .bind(document.clone())
    .bind(version.clone())
    .bind(iso(a.signed_on))
    .bind(signed_by.clone())
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    evidence::attach(risk, &mut tx, "acknowledgement", id, &a.evidence, actor).await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new(
            "risk.acknowledgement.record",
            format!("supplier {}", a.supplier.trim()),
            format!("{document} {version} signed {} by {signed_by}", a.signed_on),
        ),
    ))
}

/// Acknowledgements, newest first; of one supplier when given.
pub async fn acknowledgements(risk: &Risk, supplier: Option<&str>) -> Result<Vec<Acknowledgement>> {
    let mut out = sqlx::query(
        "SELECT a.id, s.erp_id, s.name, a.document, a.version, a.signed_on, a.signed_by, \
         a.recorded_at, a.recorded_by FROM risk_acknowledgements a \
         JOIN suppliers s ON s.id = a.supplier_id WHERE ($1 = '' OR s.erp_id = $1) \
         ORDER BY a.signed_on DESC, a.id DESC",
    )
    .bind(supplier.unwrap_or("").trim().to_string())
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Acknowledgement {
            id: r.try_get(0)?,
            supplier: r.try_get(1)?,
            supplier_name: r.try_get(2)?,
            document: r.try_get(3)?,
            version: r.try_get(4)?,
            signed_on: date(r.try_get(5)?).unwrap_or_default(),
            signed_by: r.try_get(6)?,
            recorded_at: r.try_get(7)?,
            recorded_by: r.try_get(8)?,
            evidence: Vec::new(),
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = out.iter().map(|a| a.id).collect();
    let mut ev = evidence::of(risk, "acknowledgement", &ids).await?;
    for a in &mut out {
        a.evidence = ev.remove(&a.id).unwrap_or_default();
    }
    Ok(out)
}

// ----------------------------------------------------------------------------------- training

/// A participant to record.
#[derive(Debug, Clone)]
pub struct NewParticipant {
    /// Supplier ERP ID (`None`: our own staff).
    pub supplier: Option<String>,
    /// Person.
    pub person: String,
    /// Whether they completed the course.
    pub completed: bool,
}

/// A training session to record.
#[derive(Debug, Clone)]
pub struct NewTraining {
    /// Course ("Cobalt due diligence for suppliers").
    pub course: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// Who gave it.
    pub provider: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// Participants.
    pub participants: Vec<NewParticipant>,
    /// Evidence (attendance list, materials).
    pub evidence: Vec<NewEvidence>,
}

/// A participant of a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Participant {
    /// ID.
    pub id: i64,
    /// Session ID.
    pub training_id: i64,
    /// Supplier ERP ID.
    pub supplier: Option<String>,
    /// Person.
    pub person: String,
    /// Completed.
    pub completed: bool,
    /// Day completed.
    pub completed_on: Option<NaiveDate>,
}

/// A recorded session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Training {
    /// ID.
    pub id: i64,
    /// Course.
    pub course: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// Provider.
    pub provider: Option<String>,
    /// Notes.
    pub notes: Option<String>,
    /// When recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Participants.
    pub participants: Vec<Participant>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

async fn insert_participant(
    risk: &Risk,
    conn: &mut sqlx::AnyConnection,
    training_id: i64,
    held_on: NaiveDate,
    p: &NewParticipant,
    actor: &str,
) -> Result<i64> {
    let person = required("the participant's name", &p.person)?;
    let supplier = match optional(p.supplier.as_deref()) {
        Some(erp) => Some(supplier_id(risk, &erp).await?),
        None => None,
    };
    let row = sqlx::query(
        "INSERT INTO risk_training_participants (training_id, supplier_id, person, completed, \
         completed_on, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(training_id)
    .bind(supplier)
    .bind(person)
    .bind(i64::from(p.completed))
    .bind(p.completed.then(|| iso(held_on)))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get(0)?)
}

/// Records a training session with its participants.
pub async fn record_training(risk: &Risk, t: &NewTraining, actor: &str) -> Result<(i64, Change)> {
    let course = required("the course", &t.course)?;
    let mut tx = risk.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO risk_trainings (course, held_on, provider, notes, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(course.clone())
    .bind(iso(t.held_on))
    .bind(optional(t.provider.as_deref()))
    .bind(optional(t.notes.as_deref()))
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    for p in &t.participants {
        insert_participant(risk, &mut tx, id, t.held_on, p, actor).await?;
    }
    evidence::attach(risk, &mut tx, "training", id, &t.evidence, actor).await?;
    tx.commit().await?;
    let done = t.participants.iter().filter(|p| p.completed).count();
    Ok((
        id,
        Change::new(
            "risk.training.record",
            format!("training {id}"),
            format!(
                "{course} on {}: {} participant(s), {done} completed",
                t.held_on,
                t.participants.len()
            ),
        ),
    ))
}

/// Adds a participant to a session.
pub async fn add_participant(
    risk: &Risk,
    training_id: i64,
    p: &NewParticipant,
    actor: &str,
) -> Result<(i64, Change)> {
    let t = training(risk, training_id).await?;
    let mut tx = risk.pool().begin().await?;
    let id = insert_participant(risk, &mut tx, training_id, t.held_on, p, actor).await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new(
            "risk.training.participant",
            format!("training {training_id}"),
            format!("{} added", p.person.trim()),
        ),
    ))
}

/// Records a participant's completion.
pub async fn complete(risk: &Risk, participant_id: i64, on: NaiveDate) -> Result<Change> {
    let row =
        sqlx::query("SELECT training_id, person FROM risk_training_participants WHERE id = $1")
            .bind(participant_id)
            .fetch_optional(risk.pool())
            .await?
            .ok_or_else(|| RiskError::not_found("participant", participant_id))?;
    let training_id: i64 = row.try_get(0)?;
    let person: String = row.try_get(1)?;
    sqlx::query(
        "UPDATE risk_training_participants SET completed = 1, completed_on = $1 WHERE id = $2",
    )
    .bind(iso(on))
    .bind(participant_id)
    .execute(risk.pool())
    .await?;
    Ok(Change::new(
        "risk.training.completed",
        format!("training {training_id}"),
        format!("{person} completed on {on}"),
    ))
}

async fn participants(risk: &Risk, training_ids: &[i64]) -> Result<Vec<Participant>> {
    if training_ids.is_empty() {
        return Ok(Vec::new());
    }
    let list: Vec<String> = training_ids.iter().map(i64::to_string).collect();
    let sql = format!(
        "SELECT p.id, p.training_id, s.erp_id, p.person, p.completed, p.completed_on \
         FROM risk_training_participants p LEFT JOIN suppliers s ON s.id = p.supplier_id \
         WHERE p.training_id IN ({}) ORDER BY p.id",
        list.join(",")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(|r| {
            Ok(Participant {
                id: r.try_get(0)?,
                training_id: r.try_get(1)?,
                supplier: r.try_get(2)?,
                person: r.try_get(3)?,
                completed: r.try_get::<i64, _>(4)? != 0,
                completed_on: date(r.try_get(5)?),
            })
        })
        .collect()
}

fn training_of(r: &sqlx::any::AnyRow) -> Result<Training> {
    Ok(Training {
        id: r.try_get(0)?,
        course: r.try_get(1)?,
        held_on: date(r.try_get(2)?).unwrap_or_default(),
        provider: r.try_get(3)?,
        notes: r.try_get(4)?,
        recorded_at: r.try_get(5)?,
        recorded_by: r.try_get(6)?,
        participants: Vec::new(),
        evidence: Vec::new(),
    })
}

/// Sessions, newest first; only those a supplier (ERP ID) took part in when given.
pub async fn trainings(risk: &Risk, supplier: Option<&str>) -> Result<Vec<Training>> {
    let mut out = sqlx::query(
        "SELECT t.id, t.course, t.held_on, t.provider, t.notes, t.recorded_at, t.recorded_by \
         FROM risk_trainings t WHERE $1 = '' OR EXISTS (SELECT 1 FROM risk_training_participants p \
         JOIN suppliers s ON s.id = p.supplier_id WHERE p.training_id = t.id AND s.erp_id = $1) \
         ORDER BY t.held_on DESC, t.id DESC",
    )
    .bind(supplier.unwrap_or("").trim().to_string())
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(training_of)
    .collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = out.iter().map(|t| t.id).collect();
    let all = participants(risk, &ids).await?;
    let mut ev = evidence::of(risk, "training", &ids).await?;
    for t in &mut out {
        t.participants = all
            .iter()
            .filter(|p| p.training_id == t.id)
            .cloned()
            .collect();
        t.evidence = ev.remove(&t.id).unwrap_or_default();
    }
    Ok(out)
}

/// One session with its participants.
pub async fn training(risk: &Risk, id: i64) -> Result<Training> {
    let row = sqlx::query(
        "SELECT id, course, held_on, provider, notes, recorded_at, recorded_by FROM risk_trainings \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(risk.pool())
    .await?
    .ok_or_else(|| RiskError::not_found("training", id))?;
    let mut t = training_of(&row)?;
    t.participants = participants(risk, &[id]).await?;
    t.evidence = evidence::of(risk, "training", &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(t)
}
