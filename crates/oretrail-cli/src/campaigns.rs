//! `oretrail campaigns`: create a campaign (its scope frozen into requests), list, show,
//! and set request statuses.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use oretrail_store::campaigns::{
    CampaignSpec, RequestStatus, ScopeRule, campaign_by_name, create_campaign, list_campaigns,
    requests, set_request_status,
};
use oretrail_template::Family;
use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

/// Subcommands of `oretrail campaigns`.
#[derive(Subcommand)]
pub enum CampaignsCommand {
    /// Create a campaign and freeze its scope into requests.
    Create {
        /// Unique name.
        name: String,
        /// Reporting period, as in the spend figures ("2025").
        #[arg(long)]
        period: String,
        /// Template accepted, with an optional minimum version: CMRT, CMRT:6.4 (repeatable).
        #[arg(long = "family", value_name = "FAMILY[:MIN]", required = true)]
        families: Vec<String>,
        /// Deadline (YYYY-MM-DD).
        #[arg(long)]
        deadline: Option<NaiveDate>,
        /// Share of spend the largest suppliers must cover.
        #[arg(long, default_value_t = 0.95)]
        share: f64,
        /// Only spend in these commodities counts (repeatable; default: all spend).
        #[arg(long = "commodity")]
        commodities: Vec<String>,
        /// Tiers ranked by spend (repeatable; default: 1).
        #[arg(long = "tier")]
        tiers: Vec<i64>,
        /// Supplier (ERP ID) always asked, e.g. a Tier 2/3 that matters (repeatable).
        #[arg(long = "include")]
        include: Vec<String>,
    },
    /// List campaigns.
    List,
    /// A campaign's requests and their statuses.
    Show {
        /// Campaign name.
        name: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set a request's status: to_send, sent, reminded, received, accepted, rejected, waived.
    Request {
        /// Campaign name.
        name: String,
        /// Supplier ERP ID.
        supplier: String,
        /// New status.
        status: String,
        /// Reason (required for rejected and waived).
        #[arg(long)]
        reason: Option<String>,
        /// Who (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
}

/// Runs a campaigns subcommand.
pub fn run(ctx: &Context, cmd: &CampaignsCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let store = &session.store;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        CampaignsCommand::Create {
            name,
            period,
            families,
            deadline,
            share,
            commodities,
            tiers,
            include,
        } => {
            let mut accepted = BTreeMap::new();
            for f in families {
                let (code, min) = match f.split_once(':') {
                    Some((c, m)) => (c, Some(m.trim().to_string())),
                    None => (f.as_str(), None),
                };
                let family = Family::from_code(code).ok_or_else(|| {
                    anyhow!("--family {f}: unknown family (CMRT, EMRT, CRT, AMRT)")
                })?;
                accepted.insert(family, min);
            }
            let spec = CampaignSpec {
                name: name.clone(),
                period: period.clone(),
                deadline: *deadline,
                families: accepted,
                scope: ScopeRule {
                    spend_share: *share,
                    commodities: commodities.iter().map(|c| c.to_lowercase()).collect(),
                    tiers: if tiers.is_empty() {
                        vec![1]
                    } else {
                        tiers.clone()
                    },
                    include: include.clone(),
                },
            };
            let (campaign, n) = session.run(create_campaign(store, &spec))?;
            writeln!(
                out,
                "campaign '{}' (#{}) created; scope frozen into {n} request(s)",
                campaign.spec.name, campaign.id
            )?;
        }
        CampaignsCommand::List => {
            for c in session.run(list_campaigns(store))? {
                let fams: Vec<String> = c
                    .spec
                    .families
                    .iter()
                    .map(|(f, m)| match m {
                        Some(m) => format!("{f} ≥ {m}"),
                        None => f.to_string(),
                    })
                    .collect();
                writeln!(
                    out,
                    "{:<24} period {:<8} deadline {:<10} {}",
                    c.spec.name,
                    c.spec.period,
                    c.spec.deadline.map(|d| d.to_string()).unwrap_or_default(),
                    fams.join(", ")
                )?;
            }
        }
        CampaignsCommand::Show { name, json } => {
            let campaign = session.run(campaign_by_name(store, name))?;
            let reqs = session.run(requests(store, campaign.id))?;
            if *json {
                let value = serde_json::json!({ "campaign": campaign, "requests": reqs });
                writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
            } else {
                for r in reqs {
                    writeln!(
                        out,
                        "{:<12} {:<40} {:>14.2} {:<9} {:<9} {}",
                        r.erp_id,
                        r.supplier_name,
                        r.spend,
                        r.scope_reason,
                        r.status.code(),
                        r.reason.as_deref().unwrap_or("")
                    )?;
                }
            }
        }
        CampaignsCommand::Request {
            name,
            supplier,
            status,
            reason,
            by,
        } => {
            let campaign = session.run(campaign_by_name(store, name))?;
            let status = RequestStatus::from_code(status).ok_or_else(|| {
                let all: Vec<&str> = RequestStatus::ALL.iter().map(|s| s.code()).collect();
                anyhow!("unknown status '{status}' ({})", all.join(", "))
            })?;
            let actor = by
                .clone()
                .or_else(|| std::env::var("USER").ok())
                .unwrap_or_else(|| "oretrail".into());
            session.run(set_request_status(
                store,
                campaign.id,
                supplier,
                status,
                reason.as_deref(),
                &actor,
            ))?;
            writeln!(out, "{supplier}: {}", status.code())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
