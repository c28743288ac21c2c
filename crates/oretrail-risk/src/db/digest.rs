//! Gathering, storing and sending the daily digest. A run reassesses the current campaigns
//! (recording the assessments and syncing the register), then collects what is due, waiting for
//! a sign-off, newly high and changed in the status lists since the previous digest.

use crate::Change;
use crate::db::facts::{campaign_facts, declared_facilities, registry_facilities};
use crate::db::{Risk, date, iso, now};
use crate::digest::{Digest, DueItem, classify, new_high_risks, status_changes};
use crate::error::Result;
use crate::facts::StatusIndex;
use crate::mail::SmtpSettings;
use crate::policy::LoadedPolicy;
use chrono::{Duration, NaiveDate};
use oretrail_facilities::{RiskLists, StatusSnapshot};
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// How to run the digest.
#[derive(Debug, Clone)]
pub struct DigestRun {
    /// The day.
    pub today: NaiveDate,
    /// Who runs it ("oretrail risk digest", "digest scheduler").
    pub actor: String,
    /// Base URL of the web application, for links.
    pub base_url: Option<String>,
    /// Whether to reassess the current campaigns first.
    pub reassess: bool,
    /// Company name for the e-mail subject.
    pub company: String,
}

/// A stored digest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredDigest {
    /// ID.
    pub id: i64,
    /// Day.
    pub day: NaiveDate,
    /// When composed.
    pub created_at: String,
    /// By whom.
    pub created_by: String,
    /// Plain text.
    pub text: String,
    /// The digest.
    pub digest: Digest,
    /// Recipients it was sent to.
    pub recipients: Option<String>,
    /// When sent.
    pub sent_at: Option<String>,
    /// Why sending failed.
    pub send_error: Option<String>,
}

/// The status lists dated up to a day with their IDs (same order as
/// [`oretrail_store::facilities::load_snapshots`]).
async fn lists_with_ids(risk: &Risk, day: NaiveDate) -> Result<Vec<(StatusSnapshot, i64)>> {
    Ok(
        oretrail_store::facilities::load_snapshots_with_ids(risk.store(), Some(day))
            .await?
            .into_iter()
            .map(|s| (s.snapshot, s.id))
            .collect(),
    )
}

/// Collects the digest of a day (reassessing first when asked).
pub async fn gather(
    risk: &Risk,
    policy: &LoadedPolicy,
    lists: &RiskLists,
    run: &DigestRun,
) -> Result<(Digest, Vec<Change>)> {
    let p = &policy.policy;
    let today = run.today;
    let previous =
        sqlx::query("SELECT created_at, last_list FROM risk_digests ORDER BY id DESC LIMIT 1")
            .fetch_optional(risk.pool())
            .await?;
    let (since, last_list): (Option<String>, Option<i64>) = match previous {
        Some(r) => (Some(r.try_get(0)?), r.try_get(1)?),
        None => (None, None),
    };
    let mut changes = Vec::new();
    let mut new_high = Vec::new();
    let oldest_deadline = today - Duration::days(p.digest.reassess_within_days);
    for c in oretrail_store::campaigns::list_campaigns(risk.store()).await? {
        if c.spec.deadline.is_some_and(|d| d < oldest_deadline) {
            continue;
        }
        if run.reassess {
            let (previous, _) = crate::db::assessments::latest_two(risk, c.id).await?;
            let facts = campaign_facts(risk, c.id, today).await?;
            let a = crate::assess::assess(policy, &facts, today, lists);
            let (_, change) = crate::db::assessments::save(risk, &a, &run.actor).await?;
            changes.push(change);
            let (_, change) = crate::db::cases::sync(risk, p, &a, &run.actor).await?;
            changes.push(change);
            new_high.extend(new_high_risks(&a, previous.as_ref()));
        } else if let (Some(latest), previous) =
            crate::db::assessments::latest_two(risk, c.id).await?
        {
            new_high.extend(new_high_risks(&latest, previous.as_ref()));
        }
    }
    let mut items = Vec::new();
    let (cases, milestones) = crate::db::cases::open_work(risk).await?;
    for c in &cases {
        if let Some(due) = c.due_date {
            items.push(DueItem {
                kind: "case".into(),
                id: c.id,
                title: format!(
                    "{}{}",
                    c.title,
                    c.stage
                        .map(|s| format!(" [{}]", s.label()))
                        .unwrap_or_default()
                ),
                due,
                owner: Some(c.owner.clone()),
                path: format!("/risk/cases/{}", c.id),
            });
        }
    }
    for (m, case_title) in milestones {
        items.push(DueItem {
            kind: "milestone".into(),
            id: m.id,
            title: format!("{} — case {} {case_title}", m.title, m.case_id),
            due: m.due_date,
            owner: None,
            path: format!("/risk/cases/{}", m.case_id),
        });
    }
    for (f, audit) in crate::db::programme::open_findings(risk).await? {
        if let Some(due) = f.due_date {
            items.push(DueItem {
                kind: "corrective_action".into(),
                id: f.id,
                title: format!(
                    "{} ({}) — {audit}",
                    f.corrective_action.as_deref().unwrap_or(&f.finding),
                    f.severity.code()
                ),
                due,
                owner: f.owner.clone(),
                path: format!("/risk/audits/{}", f.audit_id),
            });
        }
    }
    for g in crate::db::grievances::list(risk, None).await? {
        if let Some((what, due)) = crate::db::grievances::next_deadline(&g, p) {
            items.push(DueItem {
                kind: "grievance".into(),
                id: g.id,
                title: format!("{what} {} — {}", g.reference, g.summary),
                due,
                owner: None,
                path: format!("/risk/grievances/{}", g.id),
            });
        }
    }
    for o in crate::db::outreach::overview(risk).await? {
        if let Some(due) = o.follow_up_on {
            items.push(DueItem {
                kind: "outreach".into(),
                id: o.last_id,
                title: format!("follow up with {} {} ({})", o.key.cid, o.name, o.key.metal),
                due,
                owner: None,
                path: format!("/risk/outreach/{}/{}", o.key.metal, o.key.cid),
            });
        }
    }
    let (overdue, due_soon) = classify(items, today, p.digest.due_within_days);
    let sign_offs = crate::db::cases::pending_sign_offs(risk)
        .await?
        .into_iter()
        .map(|s| DueItem {
            kind: "sign_off".into(),
            id: s.event.id,
            title: format!(
                "{} of case {} {} (recorded by {})",
                s.event
                    .stage
                    .map(|st| st.label().to_string())
                    .unwrap_or_else(|| "closing".into()),
                s.event.case_id,
                s.case_title,
                s.event.actor
            ),
            due: s.event.on_date,
            owner: None,
            path: format!("/risk/cases/{}", s.event.case_id),
        })
        .collect();
    // Status changes: the lists known at the previous digest against all lists now (the first
    // digest compares against the lists before the newest import).
    let all = lists_with_ids(risk, today).await?;
    let newest = all.iter().map(|(_, id)| *id).max();
    let known = match (since.is_some(), last_list, newest) {
        (true, Some(last), _) => last,
        (true, None, _) => 0,
        (false, _, Some(n)) => n - 1,
        (false, _, None) => 0,
    };
    let before_lists: Vec<StatusSnapshot> = all
        .iter()
        .filter(|(_, id)| *id <= known)
        .map(|(s, _)| s.clone())
        .collect();
    let after_lists: Vec<StatusSnapshot> = all.into_iter().map(|(s, _)| s).collect();
    let before = StatusIndex::new(&before_lists, today);
    let after = StatusIndex::new(&after_lists, today);
    let declared = declared_facilities(risk).await?;
    let names: BTreeMap<_, _> = registry_facilities(risk)
        .await?
        .into_iter()
        .map(|(k, f)| (k, f.name))
        .collect();
    let status_changes = if before_lists.is_empty() {
        Vec::new()
    } else {
        status_changes(&before, &after, &declared, &names)
    };
    Ok((
        Digest {
            day: today,
            since,
            overdue,
            due_soon,
            sign_offs,
            new_high,
            status_changes,
            last_list: newest,
        },
        changes,
    ))
}

/// Stores a digest (the in-app copy).
pub async fn save(risk: &Risk, digest: &Digest, text: &str, actor: &str) -> Result<i64> {
    let row = sqlx::query(
        "INSERT INTO risk_digests (day, since, last_list, created_at, created_by, body_text, \
         body_json) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(iso(digest.day))
    .bind(digest.since.clone())
    .bind(digest.last_list)
    .bind(now())
    .bind(actor.to_string())
    .bind(text.to_string())
    .bind(serde_json::to_string(digest)?)
    .fetch_one(risk.pool())
    .await?;
    Ok(row.try_get(0)?)
}

/// Records the outcome of sending a digest.
pub async fn mark_sent(
    risk: &Risk,
    id: i64,
    recipients: &[String],
    error: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE risk_digests SET recipients = $1, sent_at = $2, send_error = $3 WHERE id = $4",
    )
    .bind(recipients.join(", "))
    .bind(error.is_none().then(now))
    .bind(error.map(str::to_string))
    .bind(id)
    .execute(risk.pool())
    .await?;
    Ok(())
}

fn stored_of(r: &sqlx::any::AnyRow) -> Result<StoredDigest> {
    let json: String = r.try_get(5)?;
    Ok(StoredDigest {
        id: r.try_get(0)?,
        day: date(r.try_get(1)?).unwrap_or_default(),
        created_at: r.try_get(2)?,
        created_by: r.try_get(3)?,
        text: r.try_get(4)?,
        digest: serde_json::from_str(&json)?,
        recipients: r.try_get(6)?,
        sent_at: r.try_get(7)?,
        send_error: r.try_get(8)?,
    })
}

const COLUMNS: &str =
    "id, day, created_at, created_by, body_text, body_json, recipients, sent_at, send_error";

/// The most recent digests, newest first.
pub async fn recent(risk: &Risk, limit: i64) -> Result<Vec<StoredDigest>> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM risk_digests ORDER BY id DESC LIMIT $1"
    )))
    .bind(limit)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(stored_of)
    .collect()
}

/// One digest.
pub async fn digest(risk: &Risk, id: i64) -> Result<StoredDigest> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM risk_digests WHERE id = $1"
    )))
    .bind(id)
    .fetch_optional(risk.pool())
    .await?
    .ok_or_else(|| crate::RiskError::not_found("digest", id))?;
    stored_of(&row)
}

/// Gathers, stores and (with SMTP settings) e-mails the digest of a day. A failed e-mail is
/// recorded on the stored digest and returned as its `send_error`, not as an error.
pub async fn run(
    risk: &Risk,
    policy: &LoadedPolicy,
    lists: &RiskLists,
    run: &DigestRun,
    smtp: Option<&SmtpSettings>,
) -> Result<(StoredDigest, Vec<Change>)> {
    let (digest, mut changes) = gather(risk, policy, lists, run).await?;
    let text = digest.text(run.base_url.as_deref());
    let id = save(risk, &digest, &text, &run.actor).await?;
    let mut detail = format!(
        "digest {id}: {} overdue, {} due soon, {} sign-off(s), {} new high risk(s), {} status change(s)",
        digest.overdue.len(),
        digest.due_soon.len(),
        digest.sign_offs.len(),
        digest.new_high.len(),
        digest.status_changes.len()
    );
    if let Some(settings) = smtp {
        let result = crate::mail::send(settings, &digest.subject(&run.company), &text).await;
        let error = result.err().map(|e| e.to_string());
        mark_sent(risk, id, &settings.to, error.as_deref()).await?;
        match &error {
            Some(e) => detail.push_str(&format!("; e-mail failed: {e}")),
            None => detail.push_str(&format!("; e-mailed to {}", settings.to.join(", "))),
        }
    }
    changes.push(Change::new("risk.digest", format!("digest {id}"), detail));
    Ok((crate::db::digest::digest(risk, id).await?, changes))
}
