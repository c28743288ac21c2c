//! Refiner outreach: per facility, who was contacted, when, what they answered and whether they
//! committed to an RMAP audit; the suppliers naming the facility (to coordinate outreach with
//! them) and its status in every list (progress shows as status changes).

use crate::Change;
use crate::db::evidence::{self, Evidence, NewEvidence};
use crate::db::facts::{Naming, registry_facilities, status_lists, suppliers_naming};
use crate::db::{Risk, date, iso, iso_opt, now, optional, required};
use crate::error::{Result, RiskError};
use crate::facts::StatusIndex;
use crate::register::Case;
use crate::score::FacilityKey;
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::Row;

/// Where a facility stands on an RMAP audit after a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    /// Not discussed.
    None,
    /// Asked to join RMAP; no answer yet.
    Asked,
    /// Committed to an RMAP (or cross-recognised) audit.
    Committed,
    /// Declined.
    Declined,
    /// Already in the programme (active or conformant).
    InRmap,
}

impl Commitment {
    /// Every value.
    pub const ALL: [Commitment; 5] = [
        Commitment::None,
        Commitment::Asked,
        Commitment::Committed,
        Commitment::Declined,
        Commitment::InRmap,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Commitment::None => "none",
            Commitment::Asked => "asked",
            Commitment::Committed => "committed",
            Commitment::Declined => "declined",
            Commitment::InRmap => "in_rmap",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Commitment> {
        let c = code.trim().to_ascii_lowercase().replace('-', "_");
        Commitment::ALL.into_iter().find(|x| x.code() == c)
    }
}

/// A contact to record.
#[derive(Debug, Clone)]
pub struct NewOutreach {
    /// Facility.
    pub key: FacilityKey,
    /// Day of the contact.
    pub on_date: NaiveDate,
    /// Who was contacted (name, role, address).
    pub contact: String,
    /// How ("e-mail", "call", "meeting", "via supplier V1001", "via RMI").
    pub channel: String,
    /// Who contacted them on our side.
    pub by_whom: String,
    /// What they answered.
    pub answer: Option<String>,
    /// Audit commitment after the contact.
    pub commitment: Commitment,
    /// Date they committed to be audited by.
    pub committed_by_date: Option<NaiveDate>,
    /// Next contact planned.
    pub follow_up_on: Option<NaiveDate>,
    /// Case the outreach belongs to.
    pub case_id: Option<i64>,
    /// Evidence (letters, e-mails).
    pub evidence: Vec<NewEvidence>,
}

/// A recorded contact.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outreach {
    /// ID.
    pub id: i64,
    /// Facility.
    pub key: FacilityKey,
    /// Day of the contact.
    pub on_date: NaiveDate,
    /// Who was contacted.
    pub contact: String,
    /// How.
    pub channel: String,
    /// Who contacted them.
    pub by_whom: String,
    /// Their answer.
    pub answer: Option<String>,
    /// Audit commitment.
    pub commitment: Commitment,
    /// Committed audit date.
    pub committed_by_date: Option<NaiveDate>,
    /// Next contact planned.
    pub follow_up_on: Option<NaiveDate>,
    /// Case.
    pub case_id: Option<i64>,
    /// When recorded.
    pub recorded_at: String,
    /// By whom.
    pub recorded_by: String,
    /// Evidence.
    pub evidence: Vec<Evidence>,
}

/// Records a contact with a facility.
pub async fn record(risk: &Risk, n: &NewOutreach, actor: &str) -> Result<(i64, Change)> {
    let contact = required("who was contacted", &n.contact)?;
    let channel = required("how they were contacted", &n.channel)?;
    let by_whom = required("who contacted them", &n.by_whom)?;
    if let Some(case_id) = n.case_id {
        crate::db::cases::case(risk, case_id).await?;
    }
    let mut tx = risk.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO risk_outreach (metal_key, cid, on_date, contact, channel, by_whom, answer, \
         commitment, committed_by_date, follow_up_on, case_id, recorded_at, recorded_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(n.key.metal.clone())
    .bind(n.key.cid.clone())
    .bind(iso(n.on_date))
    .bind(contact.clone())
    .bind(channel)
    .bind(by_whom)
    .bind(optional(n.answer.as_deref()))
    .bind(n.commitment.code())
    .bind(iso_opt(n.committed_by_date))
    .bind(iso_opt(n.follow_up_on))
    .bind(n.case_id)
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(&mut *tx)
    .await?;
    let id: i64 = row.try_get(0)?;
    let names = evidence::attach(risk, &mut tx, "outreach", id, &n.evidence, actor).await?;
    tx.commit().await?;
    Ok((
        id,
        Change::new(
            "risk.outreach.record",
            format!("facility {}", n.key),
            format!(
                "{} contacted {}; commitment: {}{}",
                n.on_date,
                contact,
                n.commitment.code(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!(" [evidence: {}]", names.join(", "))
                }
            ),
        ),
    ))
}

const COLUMNS: &str = "id, metal_key, cid, on_date, contact, channel, by_whom, answer, \
    commitment, committed_by_date, follow_up_on, case_id, recorded_at, recorded_by";

fn outreach_of(r: &sqlx::any::AnyRow) -> Result<Outreach> {
    let metal: String = r.try_get(1)?;
    let cid: String = r.try_get(2)?;
    let commitment: String = r.try_get(8)?;
    Ok(Outreach {
        id: r.try_get(0)?,
        key: FacilityKey::new(&metal, &cid),
        on_date: date(r.try_get(3)?).unwrap_or_default(),
        contact: r.try_get(4)?,
        channel: r.try_get(5)?,
        by_whom: r.try_get(6)?,
        answer: r.try_get(7)?,
        commitment: Commitment::from_code(&commitment).unwrap_or(Commitment::None),
        committed_by_date: date(r.try_get(9)?),
        follow_up_on: date(r.try_get(10)?),
        case_id: r.try_get(11)?,
        recorded_at: r.try_get(12)?,
        recorded_by: r.try_get(13)?,
        evidence: Vec::new(),
    })
}

/// A facility's contacts, oldest first.
pub async fn log(risk: &Risk, key: &FacilityKey) -> Result<Vec<Outreach>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM risk_outreach WHERE metal_key = $1 AND cid = $2 \
         ORDER BY on_date, id"
    );
    let mut entries = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(key.metal.clone())
        .bind(key.cid.clone())
        .fetch_all(risk.pool())
        .await?
        .iter()
        .map(outreach_of)
        .collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = entries.iter().map(|e| e.id).collect();
    let mut ev = evidence::of(risk, "outreach", &ids).await?;
    for e in &mut entries {
        e.evidence = ev.remove(&e.id).unwrap_or_default();
    }
    Ok(entries)
}

/// A facility's status in one list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelinePoint {
    /// Date of the list.
    pub list_date: NaiveDate,
    /// Status in it ("not listed" when absent).
    pub status: String,
    /// Whether it differs from the list before.
    pub changed: bool,
}

/// Everything outreach to one facility needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacilityOutreach {
    /// Facility.
    pub key: FacilityKey,
    /// Standard name.
    pub name: String,
    /// Country.
    pub country: Option<String>,
    /// Contacts, oldest first.
    pub log: Vec<Outreach>,
    /// Suppliers naming it in their current submissions.
    pub suppliers: Vec<Naming>,
    /// Its status in every list, oldest first.
    pub timeline: Vec<TimelinePoint>,
    /// Cases about it, newest first.
    pub cases: Vec<Case>,
}

/// The outreach page of a facility.
pub async fn facility(risk: &Risk, key: &FacilityKey) -> Result<FacilityOutreach> {
    let registry = registry_facilities(risk).await?;
    let reg = registry.get(key);
    let suppliers = suppliers_naming(risk, key).await?;
    let log = log(risk, key).await?;
    if reg.is_none() && suppliers.is_empty() && log.is_empty() {
        return Err(RiskError::not_found("facility", key));
    }
    let lists = status_lists(risk, None).await?;
    let index = StatusIndex::new(&lists, NaiveDate::MAX);
    let mut timeline: Vec<TimelinePoint> = Vec::new();
    for (list_date, status) in index.timeline(key) {
        let status = status
            .map(|s| s.status_text)
            .unwrap_or_else(|| "not listed".into());
        let changed = timeline.last().is_some_and(|p| p.status != status);
        timeline.push(TimelinePoint {
            list_date,
            status,
            changed,
        });
    }
    Ok(FacilityOutreach {
        name: reg
            .map(|f| f.name.clone())
            .unwrap_or_else(|| key.cid.clone()),
        country: reg.and_then(|f| f.country.clone()),
        cases: crate::db::cases::cases_of(risk, &key.subject_key()).await?,
        key: key.clone(),
        log,
        suppliers,
        timeline,
    })
}

/// One facility in the outreach overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutreachLine {
    /// ID of the last contact.
    pub last_id: i64,
    /// Facility.
    pub key: FacilityKey,
    /// Standard name.
    pub name: String,
    /// Contacts recorded.
    pub contacts: i64,
    /// Last contact.
    pub last_contact: NaiveDate,
    /// Commitment after the last contact.
    pub commitment: Commitment,
    /// Next contact planned (after the last contact).
    pub follow_up_on: Option<NaiveDate>,
}

/// Facilities with outreach, the least recently contacted first.
pub async fn overview(risk: &Risk) -> Result<Vec<OutreachLine>> {
    let registry = registry_facilities(risk).await?;
    let sql = format!("SELECT {COLUMNS} FROM risk_outreach ORDER BY on_date, id");
    let mut lines: std::collections::BTreeMap<FacilityKey, OutreachLine> = Default::default();
    for r in sqlx::query(sqlx::AssertSqlSafe(sql))
        .fetch_all(risk.pool())
        .await?
    {
        let o = outreach_of(&r)?;
        let name = registry
            .get(&o.key)
            .map(|f| f.name.clone())
            .unwrap_or_else(|| o.key.cid.clone());
        let line = lines.entry(o.key.clone()).or_insert_with(|| OutreachLine {
            last_id: o.id,
            key: o.key.clone(),
            name,
            contacts: 0,
            last_contact: o.on_date,
            commitment: o.commitment,
            follow_up_on: None,
        });
        line.contacts += 1;
        line.last_id = o.id;
        line.last_contact = o.on_date;
        line.commitment = o.commitment;
        line.follow_up_on = o.follow_up_on;
    }
    let mut out: Vec<OutreachLine> = lines.into_values().collect();
    out.sort_by(|a, b| a.last_contact.cmp(&b.last_contact).then(a.key.cmp(&b.key)));
    Ok(out)
}
