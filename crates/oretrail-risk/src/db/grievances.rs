//! Grievances: intake (by staff, or by anyone — also anonymously — through the public link),
//! acknowledgement, triage with links to a supplier, a facility and a case, investigation,
//! resolution and the response to the reporter. Reporters follow their grievance with its
//! reference and a secret code (only the code's SHA-256 is stored).

use crate::Change;
use crate::db::evidence::{self, Evidence, NewEvidence};
use crate::db::{Risk, date, iso, now, optional, required, supplier_id};
use crate::error::{Result, RiskError};
use crate::policy::Policy;
use crate::score::{FacilityKey, Level};
use chrono::{Datelike, Duration, NaiveDate};
use serde::Serialize;
use sqlx::Row;

/// Where a grievance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrievanceStatus {
    /// Received, not triaged.
    Received,
    /// Triaged: severity set, linked.
    Triaged,
    /// Under investigation.
    Investigating,
    /// Resolved, reporter answered.
    Resolved,
    /// Not admissible, reporter answered.
    Rejected,
}

impl GrievanceStatus {
    /// Every status.
    pub const ALL: [GrievanceStatus; 5] = [
        GrievanceStatus::Received,
        GrievanceStatus::Triaged,
        GrievanceStatus::Investigating,
        GrievanceStatus::Resolved,
        GrievanceStatus::Rejected,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            GrievanceStatus::Received => "received",
            GrievanceStatus::Triaged => "triaged",
            GrievanceStatus::Investigating => "investigating",
            GrievanceStatus::Resolved => "resolved",
            GrievanceStatus::Rejected => "rejected",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<GrievanceStatus> {
        GrievanceStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim().to_ascii_lowercase())
    }

    /// Whether the grievance is finished.
    pub fn is_closed(self) -> bool {
        matches!(self, GrievanceStatus::Resolved | GrievanceStatus::Rejected)
    }
}

/// A grievance to take in.
#[derive(Debug, Clone, Default)]
pub struct NewGrievance {
    /// Day received.
    pub received_on: Option<NaiveDate>,
    /// How it came ("public_link", "e-mail", "phone", "letter", "in person").
    pub channel: String,
    /// Whether the reporter stays anonymous (name and contact are then not kept).
    pub anonymous: bool,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// Reporter's contact.
    pub reporter_contact: Option<String>,
    /// One-line summary.
    pub summary: String,
    /// What happened, where, who is affected.
    pub description: String,
    /// Supplier concerned (ERP ID), when known.
    pub supplier: Option<String>,
    /// Facility concerned, when known.
    pub facility: Option<FacilityKey>,
    /// Evidence.
    pub evidence: Vec<NewEvidence>,
}

/// What a reporter keeps to follow the grievance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Grievance ID.
    pub id: i64,
    /// Public reference ("G-2026-7K3QXM").
    pub reference: String,
    /// Secret follow-up code (shown once).
    pub follow_up_code: String,
}

/// A grievance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grievance {
    /// ID.
    pub id: i64,
    /// Public reference.
    pub reference: String,
    /// Day received.
    pub received_on: NaiveDate,
    /// Channel.
    pub channel: String,
    /// Anonymous.
    pub anonymous: bool,
    /// Reporter's name.
    pub reporter_name: Option<String>,
    /// Reporter's contact.
    pub reporter_contact: Option<String>,
    /// Summary.
    pub summary: String,
    /// Description.
    pub description: String,
    /// Status.
    pub status: GrievanceStatus,
    /// Severity set at triage.
    pub severity: Option<Level>,
    /// Supplier concerned (ERP ID).
    pub supplier: Option<String>,
    /// Facility concerned.
    pub facility: Option<FacilityKey>,
    /// Case it is handled in.
    pub case_id: Option<i64>,
    /// Resolution (internal).
    pub resolution: Option<String>,
    /// Response given to the reporter.
    pub response: Option<String>,
    /// Day acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// Day answered.
    pub responded_on: Option<NaiveDate>,
    /// Who took it in.
    pub recorded_by: String,
}

/// A history entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrievanceEvent {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What ("received", "acknowledged", "triaged", "note", "status", "resolved").
    pub kind: String,
    /// Text.
    pub text: Option<String>,
}

/// A grievance with its history and evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrievanceDetail {
    /// The grievance.
    pub grievance: Grievance,
    /// History, oldest first.
    pub events: Vec<GrievanceEvent>,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

/// What the public follow-up page shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicStatus {
    /// Reference.
    pub reference: String,
    /// Day received.
    pub received_on: NaiveDate,
    /// Status.
    pub status: GrievanceStatus,
    /// Day acknowledged.
    pub acknowledged_on: Option<NaiveDate>,
    /// The response, once given.
    pub response: Option<String>,
    /// Day answered.
    pub responded_on: Option<NaiveDate>,
}

const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn random_text(n: usize) -> Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).map_err(|e| RiskError::Invalid(format!("random: {e}")))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect())
}

async fn add_event(
    conn: &mut sqlx::AnyConnection,
    id: i64,
    actor: &str,
    kind: &str,
    text: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO risk_grievance_events (grievance_id, at, actor, kind, text) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(id)
    .bind(now())
    .bind(actor.to_string())
    .bind(kind.to_string())
    .bind(text)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes a grievance in; the receipt carries the reference and the follow-up code.
pub async fn submit(risk: &Risk, g: &NewGrievance, actor: &str) -> Result<(Receipt, Change)> {
    let summary = required("a summary", &g.summary)?;
    let description = required("a description", &g.description)?;
    let channel = required("the channel", &g.channel)?;
    if summary.chars().count() > 300 || description.chars().count() > 20_000 {
        return Err(RiskError::Invalid(
            "the summary (300 characters) or description (20,000) is too long".into(),
        ));
    }
    let supplier = match optional(g.supplier.as_deref()) {
        Some(erp) => Some(supplier_id(risk, &erp).await?),
        None => None,
    };
    let received_on = g.received_on.unwrap_or_else(crate::db::today);
    let code = random_text(16)?;
    let (name, contact) = if g.anonymous {
        (None, None)
    } else {
        (
            optional(g.reporter_name.as_deref()),
            optional(g.reporter_contact.as_deref()),
        )
    };
    let mut tx = risk.pool().begin().await?;
    // A reference collision is vanishingly rare; try a few times.
    let mut inserted = None;
    for _ in 0..5 {
        let reference = format!("G-{}-{}", received_on.year(), random_text(6)?);
        let row = sqlx::query(
            "INSERT INTO risk_grievances (reference, follow_up_hash, received_on, received_at, \
             channel, anonymous, reporter_name, reporter_contact, summary, description, status, \
             supplier_id, metal_key, cid, recorded_by) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, 'received', $11, $12, $13, $14 WHERE NOT EXISTS \
             (SELECT 1 FROM risk_grievances WHERE reference = $1) RETURNING id",
        )
        .bind(reference.clone())
        .bind(oretrail_store::sha256_hex(code.as_bytes()))
        .bind(iso(received_on))
        .bind(now())
        .bind(channel.clone())
        .bind(i64::from(g.anonymous))
        .bind(name.clone())
        .bind(contact.clone())
        .bind(summary.clone())
        .bind(description.clone())
        .bind(supplier)
        .bind(g.facility.as_ref().map(|f| f.metal.clone()))
        .bind(g.facility.as_ref().map(|f| f.cid.clone()))
        .bind(actor.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = row {
            inserted = Some((r.try_get::<i64, _>(0)?, reference));
            break;
        }
    }
    let (id, reference) =
        inserted.ok_or_else(|| RiskError::Invalid("no free grievance reference".into()))?;
    add_event(
        &mut tx,
        id,
        actor,
        "received",
        Some(format!(
            "via {channel}{}",
            if g.anonymous { ", anonymous" } else { "" }
        )),
    )
    .await?;
    evidence::attach(risk, &mut tx, "grievance", id, &g.evidence, actor).await?;
    tx.commit().await?;
    Ok((
        Receipt {
            id,
            reference: reference.clone(),
            follow_up_code: code,
        },
        Change::new(
            "risk.grievance.submit",
            format!("grievance {id}"),
            format!("{reference} via {channel}: {summary}"),
        ),
    ))
}

const COLUMNS: &str = "g.id, g.reference, g.received_on, g.channel, g.anonymous, \
    g.reporter_name, g.reporter_contact, g.summary, g.description, g.status, g.severity, \
    s.erp_id, g.metal_key, g.cid, g.case_id, g.resolution, g.response, g.acknowledged_on, \
    g.responded_on, g.recorded_by";

fn grievance_of(r: &sqlx::any::AnyRow) -> Result<Grievance> {
    let status: String = r.try_get(9)?;
    let severity: Option<String> = r.try_get(10)?;
    let metal: Option<String> = r.try_get(12)?;
    let cid: Option<String> = r.try_get(13)?;
    Ok(Grievance {
        id: r.try_get(0)?,
        reference: r.try_get(1)?,
        received_on: date(r.try_get(2)?).unwrap_or_default(),
        channel: r.try_get(3)?,
        anonymous: r.try_get::<i64, _>(4)? != 0,
        reporter_name: r.try_get(5)?,
        reporter_contact: r.try_get(6)?,
        summary: r.try_get(7)?,
        description: r.try_get(8)?,
        status: GrievanceStatus::from_code(&status).unwrap_or(GrievanceStatus::Received),
        severity: severity.as_deref().and_then(Level::from_code),
        supplier: r.try_get(11)?,
        facility: metal.zip(cid).map(|(m, c)| FacilityKey::new(&m, &c)),
        case_id: r.try_get(14)?,
        resolution: r.try_get(15)?,
        response: r.try_get(16)?,
        acknowledged_on: date(r.try_get(17)?),
        responded_on: date(r.try_get(18)?),
        recorded_by: r.try_get(19)?,
    })
}

/// Grievances, newest first; of one status when given.
pub async fn list(risk: &Risk, status: Option<GrievanceStatus>) -> Result<Vec<Grievance>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM risk_grievances g LEFT JOIN suppliers s ON s.id = g.supplier_id \
         WHERE ($1 = '' OR g.status = $1) ORDER BY g.id DESC"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(status.map(|s| s.code().to_string()).unwrap_or_default())
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(grievance_of)
        .collect()
}

/// One grievance.
pub async fn grievance(risk: &Risk, id: i64) -> Result<Grievance> {
    let sql = format!(
        "SELECT {COLUMNS} FROM risk_grievances g LEFT JOIN suppliers s ON s.id = g.supplier_id \
         WHERE g.id = $1"
    );
    let row = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(risk.pool())
        .await?
        .ok_or_else(|| RiskError::not_found("grievance", id))?;
    grievance_of(&row)
}

/// A grievance with its history and evidence.
pub async fn detail(risk: &Risk, id: i64) -> Result<GrievanceDetail> {
    let grievance = grievance(risk, id).await?;
    let events = sqlx::query(
        "SELECT at, actor, kind, text FROM risk_grievance_events WHERE grievance_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(GrievanceEvent {
            at: r.try_get(0)?,
            actor: r.try_get(1)?,
            kind: r.try_get(2)?,
            text: r.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let evidence = evidence::of(risk, "grievance", &[id])
        .await?
        .remove(&id)
        .unwrap_or_default();
    Ok(GrievanceDetail {
        grievance,
        events,
        evidence,
    })
}

async fn open_for_change(risk: &Risk, id: i64) -> Result<Grievance> {
    let g = grievance(risk, id).await?;
    if g.status.is_closed() {
        return Err(RiskError::Invalid(format!(
            "grievance {} is {}",
            g.reference,
            g.status.code()
        )));
    }
    Ok(g)
}

/// Records that the reporter was told the grievance arrived.
pub async fn acknowledge(risk: &Risk, id: i64, on: NaiveDate, actor: &str) -> Result<Change> {
    let g = open_for_change(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    sqlx::query("UPDATE risk_grievances SET acknowledged_on = $1 WHERE id = $2")
        .bind(iso(on))
        .bind(id)
        .execute(&mut *tx)
        .await?;
    add_event(&mut tx, id, actor, "acknowledged", Some(format!("on {on}"))).await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.grievance.acknowledge",
        format!("grievance {id}"),
        format!("{} acknowledged on {on}", g.reference),
    ))
}

/// The outcome of triage.
#[derive(Debug, Clone, Default)]
pub struct Triage {
    /// Severity.
    pub severity: Level,
    /// Supplier concerned (ERP ID).
    pub supplier: Option<String>,
    /// Facility concerned.
    pub facility: Option<FacilityKey>,
    /// Case it joins.
    pub case_id: Option<i64>,
    /// Open a case about the supplier or facility (when none is given).
    pub open_case: bool,
    /// Note.
    pub note: String,
}

/// Triages a grievance: severity, links, and a case (existing or opened for it).
pub async fn triage(
    risk: &Risk,
    policy: &Policy,
    id: i64,
    t: &Triage,
    actor: &str,
) -> Result<Change> {
    let g = open_for_change(risk, id).await?;
    let supplier_erp = optional(t.supplier.as_deref()).or(g.supplier.clone());
    let facility = t.facility.clone().or(g.facility.clone());
    let supplier = match &supplier_erp {
        Some(erp) => Some(supplier_id(risk, erp).await?),
        None => None,
    };
    let mut case_id = t.case_id;
    if let Some(c) = case_id {
        crate::db::cases::case(risk, c).await?;
    } else if t.open_case {
        let key = match (&facility, &supplier_erp) {
            (Some(f), _) => f.subject_key(),
            (None, Some(erp)) => crate::register::supplier_key(erp),
            (None, None) => {
                return Err(RiskError::Invalid(
                    "a case needs the supplier or facility the grievance is about".into(),
                ));
            }
        };
        case_id = match crate::db::cases::open_case_of(risk, &key).await? {
            Some(c) => Some(c.id),
            None => {
                let new = crate::db::cases::NewCase {
                    supplier: if facility.is_none() {
                        supplier_erp.clone()
                    } else {
                        None
                    },
                    facility: facility.clone(),
                    title: format!("Grievance {}: {}", g.reference, g.summary),
                    owner: None,
                    level: t.severity,
                    due: None,
                    reason: format!("grievance {} triaged as {}", g.reference, t.severity),
                    on_date: crate::db::today(),
                };
                let (cid, _) = crate::db::cases::open(risk, policy, &new, actor).await?;
                Some(cid)
            }
        };
    }
    let mut tx = risk.pool().begin().await?;
    sqlx::query(
        "UPDATE risk_grievances SET status = 'triaged', severity = $1, supplier_id = $2, \
         metal_key = $3, cid = $4, case_id = $5 WHERE id = $6",
    )
    .bind(t.severity.code())
    .bind(supplier)
    .bind(facility.as_ref().map(|f| f.metal.clone()))
    .bind(facility.as_ref().map(|f| f.cid.clone()))
    .bind(case_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let text = format!(
        "severity {}{}{}{}{}",
        t.severity,
        supplier_erp
            .as_deref()
            .map(|s| format!("; supplier {s}"))
            .unwrap_or_default(),
        facility
            .as_ref()
            .map(|f| format!("; facility {f}"))
            .unwrap_or_default(),
        case_id.map(|c| format!("; case {c}")).unwrap_or_default(),
        optional(Some(&t.note))
            .map(|n| format!(": {n}"))
            .unwrap_or_default()
    );
    add_event(&mut tx, id, actor, "triaged", Some(text.clone())).await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.grievance.triage",
        format!("grievance {id}"),
        text,
    ))
}

/// Moves a grievance to investigation, or adds a note.
pub async fn note(
    risk: &Risk,
    id: i64,
    text: &str,
    investigating: bool,
    actor: &str,
) -> Result<Change> {
    let text = required("the note", text)?;
    open_for_change(risk, id).await?;
    let mut tx = risk.pool().begin().await?;
    if investigating {
        sqlx::query("UPDATE risk_grievances SET status = 'investigating' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    add_event(
        &mut tx,
        id,
        actor,
        if investigating {
            "investigating"
        } else {
            "note"
        },
        Some(text.clone()),
    )
    .await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.grievance.note",
        format!("grievance {id}"),
        text,
    ))
}

/// Resolves (or rejects) a grievance with the internal resolution and the response given.
pub async fn resolve(
    risk: &Risk,
    id: i64,
    rejected: bool,
    resolution: &str,
    response: &str,
    on: NaiveDate,
    actor: &str,
) -> Result<Change> {
    let resolution = required("the resolution", resolution)?;
    let response = required("the response to the reporter", response)?;
    let g = open_for_change(risk, id).await?;
    let status = if rejected {
        GrievanceStatus::Rejected
    } else {
        GrievanceStatus::Resolved
    };
    let mut tx = risk.pool().begin().await?;
    sqlx::query(
        "UPDATE risk_grievances SET status = $1, resolution = $2, response = $3, responded_on = $4 \
         WHERE id = $5",
    )
    .bind(status.code())
    .bind(resolution.clone())
    .bind(response)
    .bind(iso(on))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    add_event(&mut tx, id, actor, status.code(), Some(resolution.clone())).await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.grievance.resolve",
        format!("grievance {id}"),
        format!("{} {} on {on}: {resolution}", g.reference, status.code()),
    ))
}

/// What a reporter sees, given the reference and the follow-up code (`None` when they do not
/// match: the same answer whether the reference exists or not).
pub async fn follow_up(risk: &Risk, reference: &str, code: &str) -> Result<Option<PublicStatus>> {
    let row = sqlx::query(
        "SELECT reference, received_on, status, acknowledged_on, response, responded_on, \
         follow_up_hash FROM risk_grievances WHERE reference = $1",
    )
    .bind(reference.trim().to_ascii_uppercase())
    .fetch_optional(risk.pool())
    .await?;
    let Some(r) = row else { return Ok(None) };
    let hash: Option<String> = r.try_get(6)?;
    let given = oretrail_store::sha256_hex(code.trim().to_ascii_uppercase().as_bytes());
    if hash.is_none_or(|h| !constant_time_eq(h.as_bytes(), given.as_bytes())) {
        return Ok(None);
    }
    let status: String = r.try_get(2)?;
    let status = GrievanceStatus::from_code(&status).unwrap_or(GrievanceStatus::Received);
    Ok(Some(PublicStatus {
        reference: r.try_get(0)?,
        received_on: date(r.try_get(1)?).unwrap_or_default(),
        status,
        acknowledged_on: date(r.try_get(3)?),
        response: if status.is_closed() {
            r.try_get(4)?
        } else {
            None
        },
        responded_on: date(r.try_get(5)?),
    }))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The next deadline of an open grievance under the policy: ("acknowledge" | "respond", day).
pub fn next_deadline(g: &Grievance, policy: &Policy) -> Option<(&'static str, NaiveDate)> {
    if g.status.is_closed() {
        return None;
    }
    if g.acknowledged_on.is_none() {
        return Some((
            "acknowledge",
            g.received_on + Duration::days(policy.grievances.acknowledge_days),
        ));
    }
    Some((
        "respond",
        g.received_on + Duration::days(policy.grievances.respond_days),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::LoadedPolicy;

    #[test]
    fn deadlines_follow_the_policy() {
        let p = LoadedPolicy::default_policy().policy;
        let mut g = Grievance {
            id: 1,
            reference: "G-2026-AAAAAA".into(),
            received_on: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            channel: "public_link".into(),
            anonymous: true,
            reporter_name: None,
            reporter_contact: None,
            summary: "s".into(),
            description: "d".into(),
            status: GrievanceStatus::Received,
            severity: None,
            supplier: None,
            facility: None,
            case_id: None,
            resolution: None,
            response: None,
            acknowledged_on: None,
            responded_on: None,
            recorded_by: "public".into(),
        };
        assert_eq!(
            next_deadline(&g, &p),
            Some((
                "acknowledge",
                NaiveDate::from_ymd_opt(2026, 1, 8).expect("date")
            ))
        );
        g.acknowledged_on = Some(g.received_on);
        assert_eq!(next_deadline(&g, &p).map(|d| d.0), Some("respond"));
        g.status = GrievanceStatus::Resolved;
        assert_eq!(next_deadline(&g, &p), None);
        let code = random_text(16).expect("random");
        assert_eq!(code.len(), 16);
        assert!(code.chars().all(|c| ALPHABET.contains(&(c as u8))));
    }
}
