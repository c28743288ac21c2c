//! Recorded assessments: what a campaign's scores were on a date under a policy, kept whole so
//! that later changes (new high risks) can be told and old results explained.

use crate::Change;
use crate::assess::Assessment;
use crate::db::{Risk, iso, now};
use crate::error::{Result, RiskError};
use crate::score::Level;
use serde::Serialize;
use sqlx::Row;

/// A recorded assessment, without its result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Run {
    /// ID.
    pub id: i64,
    /// Campaign ID.
    pub campaign_id: i64,
    /// Date assessed.
    pub as_of: String,
    /// Policy name and version.
    pub policy: String,
    /// Policy SHA-256.
    pub policy_sha256: String,
    /// Campaign score.
    pub score: f64,
    /// Campaign level.
    pub level: String,
    /// High-risk suppliers.
    pub high_suppliers: i64,
    /// High-risk facilities.
    pub high_facilities: i64,
    /// When computed.
    pub computed_at: String,
    /// By whom.
    pub computed_by: String,
}

/// Records an assessment.
pub async fn save(risk: &Risk, a: &Assessment, actor: &str) -> Result<(i64, Change)> {
    let high_suppliers = a
        .suppliers
        .iter()
        .filter(|s| s.score.level == Level::High)
        .count() as i64;
    let high_facilities = a
        .facilities
        .iter()
        .filter(|f| f.score.level == Level::High)
        .count() as i64;
    let row = sqlx::query(
        "INSERT INTO risk_assessments (campaign_id, as_of, policy_name, policy_version, \
         policy_sha256, score, level, high_suppliers, high_facilities, computed_at, computed_by, \
         result_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(a.campaign_id)
    .bind(iso(a.as_of))
    .bind(a.policy_name.clone())
    .bind(a.policy_version.clone())
    .bind(a.policy_sha256.clone())
    .bind(a.campaign.score)
    .bind(a.campaign.level.code())
    .bind(high_suppliers)
    .bind(high_facilities)
    .bind(now())
    .bind(actor.to_string())
    .bind(serde_json::to_string(a)?)
    .fetch_one(risk.pool())
    .await?;
    let id: i64 = row.try_get(0)?;
    Ok((
        id,
        Change::new(
            "risk.assess",
            format!("campaign {}", a.campaign_id),
            format!(
                "assessment {id} as of {}: score {:.1} ({}), {high_suppliers} high-risk supplier(s), {high_facilities} high-risk facilit(y/ies); policy {} {}",
                a.as_of, a.campaign.score, a.campaign.level, a.policy_name, a.policy_version
            ),
        ),
    ))
}

/// A campaign's recorded assessments, newest first.
pub async fn runs(risk: &Risk, campaign_id: i64) -> Result<Vec<Run>> {
    sqlx::query(
        "SELECT id, campaign_id, as_of, policy_name, policy_version, policy_sha256, score, level, \
         high_suppliers, high_facilities, computed_at, computed_by FROM risk_assessments \
         WHERE campaign_id = $1 ORDER BY id DESC",
    )
    .bind(campaign_id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| {
        let name: String = r.try_get(3)?;
        let version: String = r.try_get(4)?;
        Ok(Run {
            id: r.try_get(0)?,
            campaign_id: r.try_get(1)?,
            as_of: r.try_get(2)?,
            policy: format!("{name} {version}"),
            policy_sha256: r.try_get(5)?,
            score: r.try_get(6)?,
            level: r.try_get(7)?,
            high_suppliers: r.try_get(8)?,
            high_facilities: r.try_get(9)?,
            computed_at: r.try_get(10)?,
            computed_by: r.try_get(11)?,
        })
    })
    .collect()
}

/// A recorded assessment's result.
pub async fn load(risk: &Risk, id: i64) -> Result<Assessment> {
    let row = sqlx::query("SELECT result_json FROM risk_assessments WHERE id = $1")
        .bind(id)
        .fetch_optional(risk.pool())
        .await?
        .ok_or_else(|| RiskError::not_found("assessment", id))?;
    let json: String = row.try_get(0)?;
    Ok(serde_json::from_str(&json)?)
}

/// The newest recorded assessment of a campaign and the one before it.
pub async fn latest_two(
    risk: &Risk,
    campaign_id: i64,
) -> Result<(Option<Assessment>, Option<Assessment>)> {
    let ids: Vec<i64> = sqlx::query(
        "SELECT id FROM risk_assessments WHERE campaign_id = $1 ORDER BY id DESC LIMIT 2",
    )
    .bind(campaign_id)
    .fetch_all(risk.pool())
    .await?
    .iter()
    .map(|r| r.try_get(0))
    .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for id in ids {
        out.push(load(risk, id).await?);
    }
    let mut it = out.into_iter();
    Ok((it.next(), it.next()))
}
