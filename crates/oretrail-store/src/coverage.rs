//! `status`: how far a campaign is — coverage of in-scope spend by accepted submissions (overall
//! and per mineral) against the goal, response rate, missing suppliers ranked by spend, and
//! problem counts. SQL gathers per-supplier aggregates; [`compute_coverage`] does the arithmetic.

use crate::Store;
use crate::campaigns::{Campaign, RequestStatus};
use crate::error::Result;
use crate::suppliers::spend_for;
use serde::Serialize;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One in-scope supplier as the status needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScopeLine {
    /// Supplier ID.
    pub supplier_id: i64,
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// Commodities.
    pub commodities: Vec<String>,
    /// Request status.
    pub status: RequestStatus,
    /// Request reason.
    pub reason: Option<String>,
    /// Spend rows of the period: (commodity, amount).
    pub spend: Vec<(String, f64)>,
    /// Status of the current submission, if any ("accepted", "rejected", "needs_review").
    pub submission: Option<String>,
    /// Minerals the current accepted submission reports on.
    pub minerals: BTreeSet<String>,
}

/// Coverage of one mineral (or of all spend).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Coverage {
    /// Mineral ("all" for the whole in-scope spend).
    pub mineral: String,
    /// In-scope spend.
    pub in_scope_spend: f64,
    /// Spend of suppliers with an accepted submission covering the mineral.
    pub covered_spend: f64,
    /// covered / in-scope (1 when nothing is in scope).
    pub coverage: f64,
    /// Whether the goal is reached.
    pub goal_met: bool,
    /// In-scope suppliers with spend for the mineral.
    pub suppliers: usize,
    /// Of which with an accepted submission covering it.
    pub accepted: usize,
}

/// A supplier without an accepted submission.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Missing {
    /// ERP ID.
    pub erp_id: String,
    /// Name.
    pub name: String,
    /// In-scope spend.
    pub spend: f64,
    /// Request status.
    pub status: RequestStatus,
    /// Reason (rejections).
    pub reason: Option<String>,
}

/// Problems of the campaign's current submissions, by code.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemCount {
    /// Problem code.
    pub code: String,
    /// Severity.
    pub severity: String,
    /// Occurrences.
    pub count: i64,
    /// Submissions with it.
    pub submissions: i64,
}

/// The campaign's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CampaignStatus {
    /// Campaign name.
    pub campaign: String,
    /// Reporting period.
    pub period: String,
    /// Coverage goal (the scope rule's share).
    pub goal: f64,
    /// Requests in scope (waived ones included).
    pub requests: usize,
    /// Requests waived (left out of coverage).
    pub waived: usize,
    /// Requests by status.
    pub by_status: BTreeMap<RequestStatus, usize>,
    /// Suppliers that sent something / requests not waived.
    pub response_rate: f64,
    /// Overall coverage.
    pub overall: Coverage,
    /// Coverage per mineral.
    pub per_mineral: Vec<Coverage>,
    /// Suppliers without an accepted submission, largest spend first.
    pub missing: Vec<Missing>,
    /// Problem counts, most frequent first.
    pub problems: Vec<ProblemCount>,
    /// Submissions waiting for an analyst (supplier unsure or unknown).
    pub needs_review: i64,
}

/// Computes coverage figures from per-supplier lines.
pub fn compute_coverage(
    campaign: &Campaign,
    lines: &[ScopeLine],
    problems: Vec<ProblemCount>,
    needs_review: i64,
) -> CampaignStatus {
    let goal = campaign.spec.scope.spend_share;
    let active: Vec<&ScopeLine> = lines
        .iter()
        .filter(|l| l.status != RequestStatus::Waived)
        .collect();
    let accepted = |l: &ScopeLine| l.submission.as_deref() == Some("accepted");
    let coverage_of = |mineral: Option<&str>| {
        let wanted: Option<Vec<String>> = mineral.map(|m| vec![m.to_string()]);
        let mut c = Coverage {
            mineral: mineral.unwrap_or("all").to_string(),
            in_scope_spend: 0.0,
            covered_spend: 0.0,
            coverage: 1.0,
            goal_met: true,
            suppliers: 0,
            accepted: 0,
        };
        for l in &active {
            let spend = spend_for(&l.spend, &l.commodities, wanted.as_deref());
            let relevant = spend > 0.0
                || mineral.is_none()
                || mineral.is_some_and(|m| l.commodities.iter().any(|c| c == m));
            if !relevant {
                continue;
            }
            c.suppliers += 1;
            c.in_scope_spend += spend;
            let covers = accepted(l) && mineral.is_none_or(|m| l.minerals.contains(m));
            if covers {
                c.accepted += 1;
                c.covered_spend += spend;
            }
        }
        if c.in_scope_spend > 0.0 {
            c.coverage = c.covered_spend / c.in_scope_spend;
        } else if c.suppliers > 0 {
            c.coverage = c.accepted as f64 / c.suppliers as f64;
        }
        c.goal_met = c.coverage + 1e-9 >= goal;
        c
    };
    let mut minerals: BTreeSet<String> = campaign.spec.scope.commodities.iter().cloned().collect();
    if minerals.is_empty() {
        for l in &active {
            minerals.extend(l.commodities.iter().cloned());
            minerals.extend(
                l.spend
                    .iter()
                    .map(|(c, _)| c.clone())
                    .filter(|c| !c.is_empty()),
            );
        }
    }
    let mut by_status = BTreeMap::new();
    for l in lines {
        *by_status.entry(l.status).or_insert(0) += 1;
    }
    let responded = active.iter().filter(|l| l.submission.is_some()).count();
    let mut missing: Vec<Missing> = active
        .iter()
        .filter(|l| !accepted(l))
        .map(|l| Missing {
            erp_id: l.erp_id.clone(),
            name: l.name.clone(),
            spend: spend_for(&l.spend, &l.commodities, None),
            status: l.status,
            reason: l.reason.clone(),
        })
        .collect();
    missing.sort_by(|a, b| {
        b.spend
            .total_cmp(&a.spend)
            .then_with(|| a.erp_id.cmp(&b.erp_id))
    });
    CampaignStatus {
        campaign: campaign.spec.name.clone(),
        period: campaign.spec.period.clone(),
        goal,
        requests: lines.len(),
        waived: lines.len() - active.len(),
        by_status,
        response_rate: if active.is_empty() {
            0.0
        } else {
            responded as f64 / active.len() as f64
        },
        overall: coverage_of(None),
        per_mineral: minerals.iter().map(|m| coverage_of(Some(m))).collect(),
        missing,
        problems,
        needs_review,
    }
}

/// Gathers the campaign's aggregates and computes its status.
pub async fn campaign_status(store: &Store, campaign: &Campaign) -> Result<CampaignStatus> {
    let pool = store.pool();
    let mut lines: Vec<ScopeLine> = Vec::new();
    let mut at: HashMap<i64, usize> = HashMap::new();
    for r in sqlx::query(
        "SELECT r.supplier_id, s.erp_id, s.name, s.commodities, r.status, r.reason, b.status \
         FROM requests r JOIN suppliers s ON s.id = r.supplier_id \
         LEFT JOIN submissions b ON b.campaign_key = r.campaign_id AND b.supplier_id = r.supplier_id \
           AND b.superseded_by IS NULL AND b.link_state = 'linked' \
         WHERE r.campaign_id = $1 ORDER BY r.id",
    )
    .bind(campaign.id)
    .fetch_all(pool)
    .await?
    {
        let id: i64 = r.try_get(0)?;
        let commodities: String = r.try_get(3)?;
        let status: String = r.try_get(4)?;
        if at.contains_key(&id) {
            continue;
        }
        at.insert(id, lines.len());
        lines.push(ScopeLine {
            supplier_id: id,
            erp_id: r.try_get(1)?,
            name: r.try_get(2)?,
            commodities: commodities
                .split(',')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            status: RequestStatus::from_code(&status).unwrap_or(RequestStatus::ToSend),
            reason: r.try_get(5)?,
            spend: Vec::new(),
            submission: r.try_get(6)?,
            minerals: BTreeSet::new(),
        });
    }
    for r in sqlx::query(
        "SELECT sp.supplier_id, sp.commodity, sp.amount FROM supplier_spend sp \
         JOIN requests r ON r.supplier_id = sp.supplier_id \
         WHERE r.campaign_id = $1 AND sp.period = $2",
    )
    .bind(campaign.id)
    .bind(campaign.spec.period.clone())
    .fetch_all(pool)
    .await?
    {
        if let Some(&i) = at.get(&r.try_get::<i64, _>(0)?) {
            lines[i].spend.push((r.try_get(1)?, r.try_get(2)?));
        }
    }
    for r in sqlx::query(
        "SELECT b.supplier_id, m.mineral_key FROM submission_minerals m \
         JOIN submissions b ON b.id = m.submission_id \
         WHERE b.campaign_key = $1 AND b.status = 'accepted' AND b.superseded_by IS NULL \
           AND b.link_state = 'linked'",
    )
    .bind(campaign.id)
    .fetch_all(pool)
    .await?
    {
        if let Some(&i) = at.get(&r.try_get::<i64, _>(0)?) {
            lines[i].minerals.insert(r.try_get(1)?);
        }
    }
    let problems = sqlx::query(
        "SELECT p.code, p.severity, count(*), count(DISTINCT p.submission_id) \
         FROM submission_problems p JOIN submissions b ON b.id = p.submission_id \
         WHERE b.campaign_key = $1 AND b.superseded_by IS NULL \
         GROUP BY p.code, p.severity ORDER BY count(*) DESC, p.code",
    )
    .bind(campaign.id)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(ProblemCount {
            code: r.try_get(0)?,
            severity: r.try_get(1)?,
            count: r.try_get(2)?,
            submissions: r.try_get(3)?,
        })
    })
    .collect::<Result<Vec<_>>>()?;
    let needs_review: i64 = sqlx::query(
        "SELECT count(*) FROM submissions WHERE campaign_key = $1 AND status = 'needs_review' \
         AND superseded_by IS NULL",
    )
    .bind(campaign.id)
    .fetch_one(pool)
    .await?
    .try_get(0)?;
    Ok(compute_coverage(campaign, &lines, problems, needs_review))
}
