//! Evidence files attached to case steps, milestones, outreach, audits, findings,
//! acknowledgements, trainings and grievances. The bytes are kept as the store's originals —
//! content-addressed by SHA-256, written durably before the database refers to them, never
//! modified — and a row here says what they are evidence of.

use crate::Change;
use crate::db::{Risk, now};
use crate::error::{Result, RiskError};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashMap;

/// A file to attach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvidence {
    /// File name as given.
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// An attached file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// ID.
    pub id: i64,
    /// What it is attached to ("case_event", "milestone", ...).
    pub owner_kind: String,
    /// ID of that record.
    pub owner_id: i64,
    /// SHA-256 of the bytes (the original's name).
    pub sha256: String,
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub size: i64,
    /// When attached.
    pub added_at: String,
    /// By whom.
    pub added_by: String,
}

/// Kinds of records evidence can be attached to, with their tables.
pub const OWNERS: &[(&str, &str)] = &[
    ("case_event", "risk_case_events"),
    ("milestone", "risk_milestones"),
    ("outreach", "risk_outreach"),
    ("audit", "risk_audits"),
    ("finding", "risk_findings"),
    ("acknowledgement", "risk_acknowledgements"),
    ("training", "risk_trainings"),
    ("grievance", "risk_grievances"),
];

fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() {
        "evidence".into()
    } else {
        cleaned
    }
}

/// Stores files as originals (durably) and records them against a record; inside the caller's
/// transaction. Returns the file names.
pub(crate) async fn attach(
    risk: &Risk,
    conn: &mut sqlx::AnyConnection,
    owner_kind: &str,
    owner_id: i64,
    files: &[NewEvidence],
    actor: &str,
) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for f in files {
        let sha = risk.store().originals().put(&f.bytes)?;
        let name = clean_name(&f.file_name);
        sqlx::query(
            "INSERT INTO risk_evidence (owner_kind, owner_id, sha256, file_name, size, added_at, \
             added_by) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(owner_kind.to_string())
        .bind(owner_id)
        .bind(sha)
        .bind(name.clone())
        .bind(f.bytes.len() as i64)
        .bind(now())
        .bind(actor.to_string())
        .execute(&mut *conn)
        .await?;
        names.push(name);
    }
    Ok(names)
}

/// Attaches files to an existing record.
pub async fn add(
    risk: &Risk,
    owner_kind: &str,
    owner_id: i64,
    files: &[NewEvidence],
    actor: &str,
) -> Result<Change> {
    let table = OWNERS
        .iter()
        .find(|(k, _)| *k == owner_kind)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            RiskError::Invalid(format!("evidence cannot be attached to '{owner_kind}'"))
        })?;
    if files.is_empty() {
        return Err(RiskError::Invalid("no file to attach".into()));
    }
    // The table name comes from the constant list above, never from input.
    let exists = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT 1 FROM {table} WHERE id = $1"
    )))
    .bind(owner_id)
    .fetch_optional(risk.pool())
    .await?
    .is_some();
    if !exists {
        return Err(RiskError::not_found(
            "record",
            format!("{owner_kind} {owner_id}"),
        ));
    }
    let mut tx = risk.pool().begin().await?;
    let names = attach(risk, &mut tx, owner_kind, owner_id, files, actor).await?;
    tx.commit().await?;
    Ok(Change::new(
        "risk.evidence.add",
        format!("{owner_kind} {owner_id}"),
        names.join(", "),
    ))
}

/// Evidence of records of one kind, by record ID.
pub async fn of(risk: &Risk, owner_kind: &str, ids: &[i64]) -> Result<HashMap<i64, Vec<Evidence>>> {
    let mut out: HashMap<i64, Vec<Evidence>> = HashMap::new();
    for chunk in ids.chunks(500) {
        if chunk.is_empty() {
            continue;
        }
        let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
        let sql = format!(
            "SELECT id, owner_kind, owner_id, sha256, file_name, size, added_at, added_by \
             FROM risk_evidence WHERE owner_kind = $1 AND owner_id IN ({}) ORDER BY id",
            list.join(",")
        );
        for r in sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner_kind.to_string())
            .fetch_all(risk.pool())
            .await?
        {
            let e = evidence_of(&r)?;
            out.entry(e.owner_id).or_default().push(e);
        }
    }
    Ok(out)
}

fn evidence_of(r: &sqlx::any::AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: r.try_get(0)?,
        owner_kind: r.try_get(1)?,
        owner_id: r.try_get(2)?,
        sha256: r.try_get(3)?,
        file_name: r.try_get(4)?,
        size: r.try_get(5)?,
        added_at: r.try_get(6)?,
        added_by: r.try_get(7)?,
    })
}

/// An attached file and its bytes, checked against its hash.
pub async fn read(risk: &Risk, id: i64) -> Result<(Evidence, Vec<u8>)> {
    let row = sqlx::query(
        "SELECT id, owner_kind, owner_id, sha256, file_name, size, added_at, added_by \
         FROM risk_evidence WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(risk.pool())
    .await?
    .ok_or_else(|| RiskError::not_found("evidence", id))?;
    let e = evidence_of(&row)?;
    let bytes = risk.store().originals().read(&e.sha256)?;
    Ok((e, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\x\\plan.pdf"), "plan.pdf");
        assert_eq!(clean_name("a\u{0}b.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "evidence");
    }
}
