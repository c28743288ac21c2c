//! Campaigns: reporting period, accepted templates, deadline, and a scope rule frozen into
//! requests, one per supplier, each with a status.

use crate::Store;
use crate::bulk::{Arg, insert_rows};
use crate::db::now;
use crate::error::{Result, StoreError};
use crate::suppliers::{list_suppliers, spend_for, spend_of_period};
use chrono::NaiveDate;
use oretrail_template::Family;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use std::collections::{BTreeMap, HashMap};

/// Which suppliers a campaign asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScopeRule {
    /// Share of spend to cover with the largest suppliers (0.95).
    pub spend_share: f64,
    /// Commodities whose spend counts (empty: all spend).
    #[serde(default)]
    pub commodities: Vec<String>,
    /// Tiers ranked by spend (default: Tier 1).
    #[serde(default = "default_tiers")]
    pub tiers: Vec<i64>,
    /// ERP IDs always asked (e.g. Tier 2/3 suppliers that matter).
    #[serde(default)]
    pub include: Vec<String>,
}

fn default_tiers() -> Vec<i64> {
    vec![1]
}

impl Default for ScopeRule {
    fn default() -> Self {
        ScopeRule {
            spend_share: 0.95,
            commodities: Vec::new(),
            tiers: default_tiers(),
            include: Vec::new(),
        }
    }
}

impl ScopeRule {
    /// The rule in words ("largest Tier-1 suppliers up to 95% of spend on cobalt, and 3 listed
    /// supplier(s)").
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.spend_share > 0.0 {
            let tiers: Vec<String> = self.tiers.iter().map(|t| format!("Tier-{t}")).collect();
            let mut s = format!(
                "largest {} suppliers up to {}% of spend",
                if tiers.is_empty() {
                    "Tier-1".to_string()
                } else {
                    tiers.join("/")
                },
                (self.spend_share * 1000.0).round() / 10.0
            );
            if !self.commodities.is_empty() {
                s.push_str(&format!(" on {}", self.commodities.join(", ")));
            }
            parts.push(s);
        }
        if !self.include.is_empty() {
            parts.push(format!("{} listed supplier(s)", self.include.len()));
        }
        if parts.is_empty() {
            "no supplier".into()
        } else {
            parts.join(", and ")
        }
    }
}

/// A campaign to create.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignSpec {
    /// Unique name ("2025 3TG").
    pub name: String,
    /// Reporting period, matching the spend periods ("2025").
    pub period: String,
    /// Deadline for answers.
    pub deadline: Option<NaiveDate>,
    /// Families accepted, each with its minimum version (`None`: any version).
    pub families: BTreeMap<Family, Option<String>>,
    /// Scope rule.
    pub scope: ScopeRule,
}

/// A stored campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Campaign {
    /// Store ID.
    pub id: i64,
    /// Spec it was created with.
    #[serde(flatten)]
    pub spec: CampaignSpec,
    /// When the scope was frozen into requests.
    pub frozen_at: Option<String>,
}

/// Status of a request to a supplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    /// In scope, not sent yet.
    ToSend,
    /// Sent.
    Sent,
    /// Reminded.
    Reminded,
    /// A file came back and awaits review.
    Received,
    /// An acceptable template came back.
    Accepted,
    /// What came back was rejected (with reasons).
    Rejected,
    /// Not required after all (with a reason).
    Waived,
}

impl RequestStatus {
    /// Every status.
    pub const ALL: [RequestStatus; 7] = [
        RequestStatus::ToSend,
        RequestStatus::Sent,
        RequestStatus::Reminded,
        RequestStatus::Received,
        RequestStatus::Accepted,
        RequestStatus::Rejected,
        RequestStatus::Waived,
    ];

    /// Stored code ("to_send").
    pub fn code(self) -> &'static str {
        match self {
            RequestStatus::ToSend => "to_send",
            RequestStatus::Sent => "sent",
            RequestStatus::Reminded => "reminded",
            RequestStatus::Received => "received",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Rejected => "rejected",
            RequestStatus::Waived => "waived",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<RequestStatus> {
        RequestStatus::ALL
            .into_iter()
            .find(|s| s.code() == code.trim())
    }

    /// Whether the status needs a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, RequestStatus::Rejected | RequestStatus::Waived)
    }
}

/// A candidate for the scope: a supplier and its spend for the rule's commodities.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeCandidate {
    /// Supplier ID.
    pub supplier_id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Tier.
    pub tier: i64,
    /// Spend counted by the rule.
    pub spend: f64,
}

/// A supplier the rule selects, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoped {
    /// Supplier ID.
    pub supplier_id: i64,
    /// Spend counted.
    pub spend: f64,
    /// "spend" (in the top share) or "listed" (named by the rule).
    pub reason: &'static str,
}

/// Applies a scope rule: the largest suppliers of the ranked tiers until their cumulative
/// spend reaches the share (the supplier crossing it included), then the listed ones.
pub fn select_scope(candidates: &[ScopeCandidate], rule: &ScopeRule) -> Vec<Scoped> {
    let mut ranked: Vec<&ScopeCandidate> = candidates
        .iter()
        .filter(|c| rule.tiers.contains(&c.tier) && c.spend > 0.0)
        .collect();
    ranked.sort_by(|a, b| {
        b.spend
            .total_cmp(&a.spend)
            .then_with(|| a.erp_id.cmp(&b.erp_id))
    });
    let total: f64 = ranked.iter().map(|c| c.spend).sum();
    let mut out = Vec::new();
    let mut covered = 0.0;
    for c in ranked {
        if total > 0.0 && covered / total >= rule.spend_share {
            break;
        }
        covered += c.spend;
        out.push(Scoped {
            supplier_id: c.supplier_id,
            spend: c.spend,
            reason: "spend",
        });
    }
    for erp in &rule.include {
        if let Some(c) = candidates.iter().find(|c| &c.erp_id == erp)
            && !out.iter().any(|s| s.supplier_id == c.supplier_id)
        {
            out.push(Scoped {
                supplier_id: c.supplier_id,
                spend: c.spend,
                reason: "listed",
            });
        }
    }
    out
}

/// Creates a campaign and freezes its scope into requests (status `to_send`).
pub async fn create_campaign(store: &Store, spec: &CampaignSpec) -> Result<(Campaign, usize)> {
    if !(0.0..=1.0).contains(&spec.scope.spend_share) {
        return Err(StoreError::Invalid(format!(
            "spend share {} is not between 0 and 1",
            spec.scope.spend_share
        )));
    }
    let suppliers = list_suppliers(store).await?;
    let known: HashMap<&str, i64> = suppliers
        .iter()
        .map(|s| (s.erp_id.as_str(), s.id))
        .collect();
    if let Some(missing) = spec
        .scope
        .include
        .iter()
        .find(|e| !known.contains_key(e.as_str()))
    {
        return Err(StoreError::NotFound {
            kind: "supplier",
            name: missing.clone(),
        });
    }
    let mut spend: HashMap<i64, Vec<(String, f64)>> = HashMap::new();
    for (id, commodity, amount) in spend_of_period(store, &spec.period).await? {
        spend.entry(id).or_default().push((commodity, amount));
    }
    let wanted: Option<&[String]> =
        (!spec.scope.commodities.is_empty()).then_some(spec.scope.commodities.as_slice());
    let candidates: Vec<ScopeCandidate> = suppliers
        .iter()
        .map(|s| ScopeCandidate {
            supplier_id: s.id,
            erp_id: s.erp_id.clone(),
            tier: s.tier,
            spend: spend
                .get(&s.id)
                .map(|rows| spend_for(rows, &s.commodities, wanted))
                .unwrap_or(0.0),
        })
        .collect();
    let scoped = select_scope(&candidates, &spec.scope);
    let now = now();
    let mut tx = store.pool().begin().await?;
    let row = sqlx::query(
        "INSERT INTO campaigns (name, period, deadline, families, scope_rule, created_at, frozen_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(spec.name.clone())
    .bind(spec.period.clone())
    .bind(spec.deadline.map(|d| d.to_string()))
    .bind(serde_json::to_string(&spec.families)?)
    .bind(serde_json::to_string(&spec.scope)?)
    .bind(now.clone())
    .bind(now.clone())
    .fetch_one(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Invalid(format!("a campaign named '{}' already exists", spec.name))
        }
        _ => StoreError::Database(e),
    })?;
    let id: i64 = row.try_get(0)?;
    let rows = scoped
        .iter()
        .map(|s| {
            vec![
                Arg::from(id),
                s.supplier_id.into(),
                RequestStatus::ToSend.code().into(),
                s.reason.into(),
                s.spend.into(),
                now.as_str().into(),
            ]
        })
        .collect();
    insert_rows(
        &mut tx,
        store.backend(),
        "requests",
        &[
            "campaign_id",
            "supplier_id",
            "status",
            "scope_reason",
            "spend",
            "updated_at",
        ],
        rows,
        "",
    )
    .await?;
    tx.commit().await?;
    Ok((
        Campaign {
            id,
            spec: spec.clone(),
            frozen_at: Some(now),
        },
        scoped.len(),
    ))
}

fn campaign_of(row: &sqlx::any::AnyRow) -> Result<Campaign> {
    let families: String = row.try_get(4)?;
    let scope: String = row.try_get(5)?;
    let deadline: Option<String> = row.try_get(3)?;
    Ok(Campaign {
        id: row.try_get(0)?,
        spec: CampaignSpec {
            name: row.try_get(1)?,
            period: row.try_get(2)?,
            deadline: deadline.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            families: serde_json::from_str(&families)?,
            scope: serde_json::from_str(&scope)?,
        },
        frozen_at: row.try_get(6)?,
    })
}

/// The campaign with this name.
pub async fn campaign_by_name(store: &Store, name: &str) -> Result<Campaign> {
    let row = sqlx::query(
        "SELECT id, name, period, deadline, families, scope_rule, frozen_at FROM campaigns \
         WHERE name = $1",
    )
    .bind(name.to_string())
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(r) => campaign_of(&r),
        None => Err(StoreError::NotFound {
            kind: "campaign",
            name: name.to_string(),
        }),
    }
}

/// The campaign with this ID.
pub async fn campaign_by_id(store: &Store, id: i64) -> Result<Campaign> {
    let row = sqlx::query(
        "SELECT id, name, period, deadline, families, scope_rule, frozen_at FROM campaigns \
         WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?;
    match row {
        Some(r) => campaign_of(&r),
        None => Err(StoreError::NotFound {
            kind: "campaign",
            name: format!("#{id}"),
        }),
    }
}

/// Every campaign, newest first.
pub async fn list_campaigns(store: &Store) -> Result<Vec<Campaign>> {
    sqlx::query(
        "SELECT id, name, period, deadline, families, scope_rule, frozen_at FROM campaigns \
         ORDER BY id DESC",
    )
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(campaign_of)
    .collect()
}

/// One request of a campaign, with its supplier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    /// Request ID.
    pub id: i64,
    /// Supplier ID.
    pub supplier_id: i64,
    /// Supplier ERP ID.
    pub erp_id: String,
    /// Supplier name.
    pub supplier_name: String,
    /// Status.
    pub status: RequestStatus,
    /// Reason (rejected, waived).
    pub reason: Option<String>,
    /// Why in scope ("spend", "listed").
    pub scope_reason: String,
    /// Spend counted when the scope was frozen.
    pub spend: f64,
}

/// A campaign's requests, largest spend first.
pub async fn requests(store: &Store, campaign_id: i64) -> Result<Vec<Request>> {
    sqlx::query(
        "SELECT r.id, r.supplier_id, s.erp_id, s.name, r.status, r.reason, r.scope_reason, r.spend \
         FROM requests r JOIN suppliers s ON s.id = r.supplier_id WHERE r.campaign_id = $1 \
         ORDER BY r.spend DESC, s.erp_id",
    )
    .bind(campaign_id)
    .fetch_all(store.pool())
    .await?
    .iter()
    .map(|r| {
        let status: String = r.try_get(4)?;
        Ok(Request {
            id: r.try_get(0)?,
            supplier_id: r.try_get(1)?,
            erp_id: r.try_get(2)?,
            supplier_name: r.try_get(3)?,
            status: RequestStatus::from_code(&status).unwrap_or(RequestStatus::ToSend),
            reason: r.try_get(5)?,
            scope_reason: r.try_get(6)?,
            spend: r.try_get(7)?,
        })
    })
    .collect()
}

/// Sets a request's status (by supplier ERP ID), recording who did it and why.
pub async fn set_request_status(
    store: &Store,
    campaign_id: i64,
    erp_id: &str,
    status: RequestStatus,
    reason: Option<&str>,
    actor: &str,
) -> Result<()> {
    if status.needs_reason() && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::Invalid(format!(
            "status '{}' needs a reason",
            status.code()
        )));
    }
    let row = sqlx::query(
        "SELECT r.id FROM requests r JOIN suppliers s ON s.id = r.supplier_id \
         WHERE r.campaign_id = $1 AND s.erp_id = $2",
    )
    .bind(campaign_id)
    .bind(erp_id.to_string())
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| StoreError::NotFound {
        kind: "request for supplier",
        name: erp_id.to_string(),
    })?;
    let id: i64 = row.try_get(0)?;
    let mut tx = store.pool().begin().await?;
    update_request(&mut tx, id, status, reason, actor).await?;
    tx.commit().await?;
    Ok(())
}

/// Writes a request's status and its history event.
pub(crate) async fn update_request(
    conn: &mut sqlx::AnyConnection,
    request_id: i64,
    status: RequestStatus,
    reason: Option<&str>,
    actor: &str,
) -> Result<()> {
    let now = now();
    sqlx::query("UPDATE requests SET status = $1, reason = $2, updated_at = $3 WHERE id = $4")
        .bind(status.code())
        .bind(reason.map(str::to_string))
        .bind(now.clone())
        .bind(request_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO request_events (request_id, at, status, reason, actor) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(request_id)
    .bind(now)
    .bind(status.code())
    .bind(reason.map(str::to_string))
    .bind(actor.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {

    #[test]
    fn scope_rules_read_as_words() {
        let rule = super::ScopeRule::default();
        assert_eq!(
            rule.describe(),
            "largest Tier-1 suppliers up to 95% of spend"
        );
        let follow_up = super::ScopeRule {
            spend_share: 0.0,
            include: vec!["V1".into(), "V2".into()],
            ..super::ScopeRule::default()
        };
        assert_eq!(follow_up.describe(), "2 listed supplier(s)");
        let both = super::ScopeRule {
            commodities: vec!["cobalt".into()],
            tiers: vec![1, 2],
            include: vec!["V9".into()],
            ..super::ScopeRule::default()
        };
        assert_eq!(
            both.describe(),
            "largest Tier-1/Tier-2 suppliers up to 95% of spend on cobalt, and 1 listed supplier(s)"
        );
    }

    use super::*;

    fn cand(id: i64, tier: i64, spend: f64) -> ScopeCandidate {
        ScopeCandidate {
            supplier_id: id,
            erp_id: format!("V{id}"),
            tier,
            spend,
        }
    }

    #[test]
    fn the_top_suppliers_up_to_the_share_plus_the_listed_ones() {
        let c = vec![
            cand(1, 1, 50.0),
            cand(2, 1, 30.0),
            cand(3, 1, 15.0),
            cand(4, 1, 5.0),
            cand(5, 2, 0.0),
        ];
        let rule = ScopeRule {
            spend_share: 0.8,
            include: vec!["V5".into()],
            ..ScopeRule::default()
        };
        let s = select_scope(&c, &rule);
        let ids: Vec<(i64, &str)> = s.iter().map(|x| (x.supplier_id, x.reason)).collect();
        assert_eq!(ids, [(1, "spend"), (2, "spend"), (5, "listed")]);
        let rule = ScopeRule::default();
        assert_eq!(select_scope(&c, &rule).len(), 3, "95 of 100 reaches 95%");
        let rule = ScopeRule {
            spend_share: 0.96,
            ..ScopeRule::default()
        };
        assert_eq!(
            select_scope(&c, &rule).len(),
            4,
            "96% needs the fourth supplier"
        );
    }
}
