//! Reads what reports need from the store, through the store's own functions: the campaign's
//! status and roll-up, and its current submissions with what they declared.

use crate::declaration::{CampaignResults, FacilityEntry, ResponseCount, SupplierResponse};
use crate::error::Result;
use crate::profile::CompanyProfile;
use crate::snapshot::{
    AuditItem, CampaignInfo, Coverage, Facility, GrievanceItem, InputPin, MineralCoverage,
    MissingSupplier, Pins, ProblemCount, RiskCase, RiskData, Snapshot, StatusListPin, TrainingItem,
};
use chrono::NaiveDate;
use oretrail_facilities::registry::metal_key;
use oretrail_store::Store;
use oretrail_store::campaigns::Campaign;
use oretrail_store::coverage::{CampaignStatus, campaign_status};
use oretrail_store::rollup::{Rollup, rollup};

/// A campaign's current (not superseded) submission linked to a supplier.
pub use oretrail_store::submissions::CurrentSubmission;

/// The current linked submissions of a campaign, by supplier ERP ID.
pub async fn current_submissions(
    store: &Store,
    campaign_id: i64,
) -> Result<Vec<CurrentSubmission>> {
    Ok(oretrail_store::submissions::current_linked_submissions(store, campaign_id).await?)
}

/// A campaign's status, roll-up as of a date, and current submissions.
#[derive(Debug, Clone)]
pub struct CampaignData {
    /// The campaign.
    pub campaign: Campaign,
    /// Coverage, response rate, problems.
    pub status: CampaignStatus,
    /// Facilities as of the date.
    pub rollup: Rollup,
    /// Current linked submissions.
    pub submissions: Vec<CurrentSubmission>,
}

/// Gathers a campaign's data as of a date.
pub async fn campaign_data(
    store: &Store,
    campaign: &Campaign,
    as_of: NaiveDate,
) -> Result<CampaignData> {
    let status = campaign_status(store, campaign).await?;
    let rollup = rollup(store, campaign.id, &campaign.spec.name, as_of).await?;
    let submissions = current_submissions(store, campaign.id).await?;
    Ok(CampaignData {
        campaign: campaign.clone(),
        status,
        rollup,
        submissions,
    })
}

impl CampaignData {
    /// The results the company's declaration is derived from.
    pub fn results(&self) -> CampaignResults {
        let count = |c: &oretrail_store::coverage::Coverage| ResponseCount {
            relevant: c.suppliers,
            responded: c.accepted,
        };
        CampaignResults {
            campaign: self.campaign.spec.name.clone(),
            commodities: self
                .status
                .per_mineral
                .iter()
                .map(|c| metal_key(&c.mineral))
                .collect(),
            responses: self
                .submissions
                .iter()
                .filter(|s| s.status == "accepted")
                .filter_map(|s| {
                    s.report
                        .as_ref()
                        .map(|r| SupplierResponse::from_report(&s.erp_id, r))
                })
                .collect(),
            response_by_mineral: self
                .status
                .per_mineral
                .iter()
                .map(|c| (metal_key(&c.mineral), count(c)))
                .collect(),
            overall: count(&self.status.overall),
            facilities: self
                .rollup
                .lines
                .iter()
                .map(|l| FacilityEntry {
                    metal: l.metal.clone(),
                    cid: l.cid.clone(),
                    name: l.name.clone(),
                    country: l.country.clone(),
                    risk_lists: l.risk_lists.clone(),
                    suppliers: l.suppliers.clone(),
                })
                .collect(),
        }
    }
}

/// The dates a report's period covers: the calendar year when the period is one ("2025"),
/// else the twelve months up to the as-of date.
pub fn period_window(period: &str, as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    if let Ok(year) = period.trim().parse::<i32>()
        && let (Some(a), Some(b)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        )
    {
        return (a, b.min(as_of.max(a)));
    }
    let start = as_of
        .checked_sub_months(chrono::Months::new(12))
        .unwrap_or(as_of);
    (start, as_of)
}

/// The risk programme's records of a period from the risk register (`oretrail-risk`), with the
/// label of the risk policy in force.
pub async fn risk_data(
    store: &Store,
    window: (NaiveDate, NaiveDate),
) -> Result<(RiskData, Option<String>)> {
    use oretrail_risk::db::{self as rdb, cases::CaseFilter};
    let map = |e: oretrail_risk::RiskError| {
        crate::error::ReportError::Invalid(format!("risk register: {e}"))
    };
    let risk = oretrail_risk::Risk::open(store).await.map_err(map)?;
    let (from, to) = window;
    let within = |d: NaiveDate| d >= from && d <= to;
    let policy = rdb::policies::active(&risk).await.ok().map(|p| p.label());
    let mut data = RiskData {
        source: "risk register".into(),
        ..RiskData::default()
    };
    for c in rdb::cases::list(&risk, &CaseFilter::default())
        .await
        .map_err(map)?
    {
        if c.opened_on > to || c.closed_on.is_some_and(|d| d < from) {
            continue;
        }
        data.cases.push(RiskCase {
            id: c.id,
            subject_kind: c.subject_kind.code().to_string(),
            subject: c.subject_key.clone(),
            title: c.title.clone(),
            level: c.level.code().to_string(),
            status: if c.closed_on.is_some_and(|d| d > to) {
                "open".into()
            } else {
                c.status.clone()
            },
            stage: c.stage.map(|s| s.code().to_string()),
            opened_on: c.opened_on,
            closed_on: c.closed_on.filter(|d| *d <= to),
            close_reason: c.close_reason.clone(),
        });
    }
    for a in rdb::programme::audits(&risk, None).await.map_err(map)? {
        if !within(a.audit_date) {
            continue;
        }
        data.audits.push(AuditItem {
            site: a.site.clone(),
            subject_kind: a.subject_kind.clone(),
            audit_type: a.audit_type.clone(),
            date: a.audit_date,
            result: a.result.clone(),
            findings: a.findings.len(),
            open_findings: a
                .findings
                .iter()
                .filter(|f| f.closed_on.is_none_or(|d| d > to))
                .count(),
        });
    }
    for t in rdb::programme::trainings(&risk, None).await.map_err(map)? {
        if !within(t.held_on) {
            continue;
        }
        let suppliers: std::collections::BTreeSet<&str> = t
            .participants
            .iter()
            .filter_map(|p| p.supplier.as_deref())
            .collect();
        data.trainings.push(TrainingItem {
            course: t.course.clone(),
            held_on: t.held_on,
            participants: t.participants.len(),
            completed: t.participants.iter().filter(|p| p.completed).count(),
            suppliers: suppliers.len(),
        });
    }
    for g in rdb::grievances::list(&risk, None).await.map_err(map)? {
        if !within(g.received_on) {
            continue;
        }
        data.grievances.push(GrievanceItem {
            reference: g.reference.clone(),
            received_on: g.received_on,
            status: serde_json::to_value(g.status)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            severity: g.severity.map(|l| l.code().to_string()),
            summary: g.summary.clone(),
            responded_on: g.responded_on.filter(|d| *d <= to),
        });
    }
    data.cases.sort_by_key(|c| c.id);
    data.audits
        .sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.site.cmp(&b.site)));
    data.trainings.sort_by(|a, b| {
        a.held_on
            .cmp(&b.held_on)
            .then_with(|| a.course.cmp(&b.course))
    });
    data.grievances.sort_by(|a, b| {
        a.received_on
            .cmp(&b.received_on)
            .then_with(|| a.reference.cmp(&b.reference))
    });
    Ok((data, policy))
}

/// What a snapshot is made from besides the store.
#[derive(Debug, Clone)]
pub struct SnapshotInputs<'a> {
    /// The company profile.
    pub profile: &'a CompanyProfile,
    /// The risk programme's records (plain data: from the register, a file, or empty).
    pub risk: RiskData,
    /// The risk policy label.
    pub risk_policy: Option<String>,
    /// The previous year's snapshot, to compare with.
    pub previous: Option<&'a Snapshot>,
}

/// Makes the snapshot of a campaign as of a date.
pub async fn snapshot(
    store: &Store,
    campaign: &Campaign,
    as_of: NaiveDate,
    inputs: SnapshotInputs<'_>,
) -> Result<Snapshot> {
    let data = campaign_data(store, campaign, as_of).await?;
    let lists = oretrail_store::facilities::load_snapshots(store, Some(as_of)).await?;
    let status_lists = lists
        .iter()
        .map(|l| {
            Ok(StatusListPin {
                as_of: l.as_of,
                source: l.source.clone(),
                entries: l.entries.len(),
                sha256: oretrail_store::sha256_hex(serde_json::to_string(&l.entries)?.as_bytes()),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    data.snapshot(as_of, status_lists, inputs)
}

impl CampaignData {
    /// The snapshot of this data (pure: the same data gives the same snapshot).
    pub fn snapshot(
        &self,
        as_of: NaiveDate,
        status_lists: Vec<StatusListPin>,
        inputs: SnapshotInputs<'_>,
    ) -> Result<Snapshot> {
        let s = &self.status;
        let cov = |c: &oretrail_store::coverage::Coverage| MineralCoverage {
            mineral: c.mineral.clone(),
            in_scope_spend: c.in_scope_spend,
            covered_spend: c.covered_spend,
            coverage: c.coverage,
            goal_met: c.goal_met,
            suppliers: c.suppliers,
            accepted: c.accepted,
        };
        let profile_json = serde_json::to_string(inputs.profile)?;
        let mut snap = Snapshot {
            format: crate::snapshot::FORMAT,
            campaign: CampaignInfo {
                name: self.campaign.spec.name.clone(),
                period: self.campaign.spec.period.clone(),
                families: self
                    .campaign
                    .spec
                    .families
                    .keys()
                    .map(|f| f.code().to_string())
                    .collect(),
                goal: s.goal,
                deadline: self.campaign.spec.deadline,
            },
            as_of,
            pins: Pins {
                inputs: self
                    .submissions
                    .iter()
                    .map(|b| InputPin {
                        sha256: b.sha256.clone(),
                        supplier: b.erp_id.clone(),
                        supplier_name: b.supplier_name.clone(),
                        file: b.original_name.clone(),
                        template: b.template.clone(),
                        effective_date: b.effective_date,
                        status: b.status.clone(),
                    })
                    .collect(),
                status_lists,
                profile_sha256: oretrail_store::sha256_hex(profile_json.as_bytes()),
                policy_version: inputs.profile.policy.version.clone(),
                risk_policy: inputs.risk_policy.clone(),
                generator: format!("oretrail-report {}", env!("CARGO_PKG_VERSION")),
            },
            company: inputs.profile.clone(),
            coverage: Coverage {
                requests: s.requests,
                waived: s.waived,
                response_rate: s.response_rate,
                by_status: s
                    .by_status
                    .iter()
                    .map(|(k, v)| (k.code().to_string(), *v))
                    .collect(),
                overall: cov(&s.overall),
                per_mineral: s.per_mineral.iter().map(cov).collect(),
                missing: s
                    .missing
                    .iter()
                    .map(|m| MissingSupplier {
                        erp_id: m.erp_id.clone(),
                        name: m.name.clone(),
                        spend: m.spend,
                        status: m.status.code().to_string(),
                        reason: m.reason.clone(),
                    })
                    .collect(),
            },
            facilities: self
                .rollup
                .lines
                .iter()
                .map(|l| Facility {
                    metal: l.metal.clone(),
                    cid: l.cid.clone(),
                    name: l.name.clone(),
                    country: l.country.clone(),
                    country_iso: l.country_iso.clone(),
                    status: l.status.clone(),
                    status_as_of: l.status_as_of,
                    last_audit: l.last_audit,
                    risk_lists: l.risk_lists.clone(),
                    suppliers: l.suppliers.clone(),
                })
                .collect(),
            problems: s
                .problems
                .iter()
                .map(|p| ProblemCount {
                    code: p.code.clone(),
                    severity: p.severity.clone(),
                    count: p.count,
                    submissions: p.submissions,
                })
                .collect(),
            risk: inputs.risk,
            changes: None,
        };
        if let Some(prev) = inputs.previous {
            snap.changes = Some(crate::compare::compare(prev, &snap));
        }
        Ok(snap)
    }
}

/// The newest stored snapshot of a campaign of the period before `campaign`'s (a numeric
/// period: "2025" → "2024"), to compare a report with.
pub async fn previous_snapshot(
    store: &Store,
    snapshots: &crate::snapshot::SnapshotStore,
    campaign: &Campaign,
) -> Result<Option<Snapshot>> {
    let Ok(year) = campaign.spec.period.trim().parse::<i32>() else {
        return Ok(None);
    };
    let previous = (year - 1).to_string();
    for c in oretrail_store::campaigns::list_campaigns(store).await? {
        if c.spec.period == previous
            && let Some(s) = snapshots.latest_of(&c.spec.name)?
        {
            return Ok(Some(s));
        }
    }
    Ok(None)
}

/// The snapshot of a report on a campaign as `oretrail report annual` makes it: the risk
/// register's records of the period (or "not recorded", with a warning, when the register
/// cannot be read), compared with the previous period's newest snapshot. Not saved.
pub async fn report_snapshot(
    store: &Store,
    snapshots: &crate::snapshot::SnapshotStore,
    campaign: &Campaign,
    as_of: NaiveDate,
    profile: &CompanyProfile,
) -> Result<(Snapshot, Vec<String>)> {
    let mut warnings = Vec::new();
    let (risk, risk_policy) =
        match risk_data(store, period_window(&campaign.spec.period, as_of)).await {
            Ok(r) => r,
            Err(e) => {
                warnings.push(format!(
                    "no risk register data ({e}); the risk sections say so"
                ));
                (
                    RiskData {
                        source: "not recorded".into(),
                        ..RiskData::default()
                    },
                    None,
                )
            }
        };
    let previous = previous_snapshot(store, snapshots, campaign).await?;
    let snap = snapshot(
        store,
        campaign,
        as_of,
        SnapshotInputs {
            profile,
            risk,
            risk_policy,
            previous: previous.as_ref(),
        },
    )
    .await?;
    Ok((snap, warnings))
}
