//! Policies activated over time: the newest activation is the policy in force.

use crate::Change;
use crate::db::{Risk, now};
use crate::error::Result;
use crate::policy::LoadedPolicy;
use serde::Serialize;
use sqlx::Row;

/// An activation of a policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Activation {
    /// ID.
    pub id: i64,
    /// Policy name.
    pub name: String,
    /// Policy version.
    pub version: String,
    /// SHA-256 of its canonical text.
    pub sha256: String,
    /// Where it came from (file name, "web").
    pub origin: String,
    /// When.
    pub activated_at: String,
    /// By whom.
    pub activated_by: String,
}

/// Makes a policy the one in force.
pub async fn activate(risk: &Risk, policy: &LoadedPolicy, actor: &str) -> Result<(i64, Change)> {
    let row = sqlx::query(
        "INSERT INTO risk_policies (name, version, sha256, text, origin, activated_at, activated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(policy.policy.policy.name.clone())
    .bind(policy.policy.policy.version.clone())
    .bind(policy.sha256.clone())
    .bind(policy.text.clone())
    .bind(policy.origin.clone())
    .bind(now())
    .bind(actor.to_string())
    .fetch_one(risk.pool())
    .await?;
    let id: i64 = row.try_get(0)?;
    Ok((
        id,
        Change::new(
            "risk.policy.activate",
            format!("policy {id}"),
            policy.label(),
        ),
    ))
}

/// The policy in force: the newest activation, else the shipped default.
pub async fn active(risk: &Risk) -> Result<LoadedPolicy> {
    let row = sqlx::query("SELECT id, text FROM risk_policies ORDER BY id DESC LIMIT 1")
        .fetch_optional(risk.pool())
        .await?;
    match row {
        Some(r) => {
            let id: i64 = r.try_get(0)?;
            let text: String = r.try_get(1)?;
            LoadedPolicy::from_toml(&text, &format!("active policy #{id}"))
        }
        None => Ok(LoadedPolicy::default_policy()),
    }
}

/// Every activation, newest first.
pub async fn history(risk: &Risk) -> Result<Vec<Activation>> {
    sqlx::query(
        "SELECT id, name, version, sha256, origin, activated_at, activated_by FROM risk_policies \
         ORDER BY id DESC",
    )
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Activation {
            id: r.try_get(0)?,
            name: r.try_get(1)?,
            version: r.try_get(2)?,
            sha256: r.try_get(3)?,
            origin: r.try_get(4)?,
            activated_at: r.try_get(5)?,
            activated_by: r.try_get(6)?,
        })
    })
    .collect()
}

/// The text of a policy by its SHA-256 (to explain an old assessment).
pub async fn text_of(risk: &Risk, sha256: &str) -> Result<Option<String>> {
    let row =
        sqlx::query("SELECT text FROM risk_policies WHERE sha256 = $1 ORDER BY id DESC LIMIT 1")
            .bind(sha256.to_string())
            .fetch_optional(risk.pool())
            .await?;
    Ok(match row {
        Some(r) => Some(r.try_get(0)?),
        None => {
            let default = LoadedPolicy::default_policy();
            (default.sha256 == sha256).then_some(default.text)
        }
    })
}
