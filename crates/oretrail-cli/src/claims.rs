//! `oretrail claims`: suppliers' claims checked against the registry, and facilities whose
//! audits expire soon with a follow-up campaign for exactly the suppliers carrying them.

use crate::context::Context;
use crate::export_template::today;
use crate::store::{StoreSession, load_status_history};
use anyhow::Result;
use chrono::NaiveDate;
use clap::Subcommand;
use oretrail_report::claims::{
    Verdict, check_all, create_follow_up_campaign, expiring, follow_up_requests,
};
use oretrail_report::gather::current_submissions;
use oretrail_store::campaigns::campaign_by_name;
use std::process::ExitCode;

/// `oretrail claims` subcommands.
#[derive(Subcommand)]
pub enum ClaimsCommand {
    /// What each supplier's template claims against what the registry knows.
    Check {
        /// Campaign.
        #[arg(long)]
        campaign: String,
        /// Latest date to check at (default: today; each template is checked at its effective date).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Facilities whose audit expires in the next N months, the suppliers and products carrying
    /// them, and (with --create-campaign) a campaign asking exactly those suppliers.
    Expiring {
        /// Campaign.
        #[arg(long)]
        campaign: String,
        /// Months ahead.
        #[arg(long, default_value_t = 6)]
        months: u32,
        /// From this date (default: today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
        /// Create a campaign of that name for user-defined templates from those suppliers.
        #[arg(long)]
        create_campaign: Option<String>,
        /// Deadline of the created campaign.
        #[arg(long)]
        deadline: Option<NaiveDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `oretrail claims`.
pub fn run(ctx: &Context, command: &ClaimsCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let history = load_status_history(&session)?;
    match command {
        ClaimsCommand::Check {
            campaign,
            as_of,
            json,
        } => {
            let c = session.run(campaign_by_name(&session.store, campaign))?;
            let subs = session.run(current_submissions(&session.store, c.id))?;
            let checks = check_all(&subs, &history, as_of.unwrap_or_else(today));
            if *json {
                println!("{}", serde_json::to_string_pretty(&checks)?);
                return Ok(ExitCode::SUCCESS);
            }
            let mut contradicted = 0;
            for s in &checks {
                println!(
                    "{} {} — {} (checked as of {})",
                    s.erp_id,
                    s.supplier_name,
                    s.template.as_deref().unwrap_or("?"),
                    s.checked_as_of
                );
                if s.claims.is_empty() {
                    println!("  no checkable claim");
                }
                for c in &s.claims {
                    if c.verdict == Verdict::Contradicted {
                        contradicted += 1;
                    }
                    println!(
                        "  {:<13} {}{} [{}]: {}",
                        format!("{:?}", c.verdict).to_lowercase(),
                        c.claim,
                        c.mineral
                            .as_deref()
                            .map(|m| format!(" ({m})"))
                            .unwrap_or_default(),
                        c.cell.as_deref().unwrap_or(""),
                        c.evidence
                    );
                    for f in c.facilities.iter().take(5) {
                        println!("                  {f}");
                    }
                }
            }
            println!(
                "{contradicted} contradicted claim(s) in {} template(s)",
                checks.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        ClaimsCommand::Expiring {
            campaign,
            months,
            as_of,
            create_campaign,
            deadline,
            json,
        } => {
            let c = session.run(campaign_by_name(&session.store, campaign))?;
            let subs = session.run(current_submissions(&session.store, c.id))?;
            let from = as_of.unwrap_or_else(today);
            let soon = expiring(&subs, &history, from, *months);
            let requests = follow_up_requests(&soon);
            if *json {
                println!(
                    "{}",
                    serde_json::json!({"expiring": soon, "requests": requests})
                );
            } else {
                println!(
                    "{} facility(ies) with a re-audit due between {from} and {months} month(s) later",
                    soon.len()
                );
                for e in &soon {
                    println!(
                        "  {} {:<10} {:<40} due {} ({})",
                        e.metal, e.cid, e.name, e.reaudit_due, e.status
                    );
                    for (erp, name) in &e.suppliers {
                        println!("      supplier {erp} {name}");
                    }
                    for (erp, number, name) in &e.products {
                        println!("      product {number} {name} (from {erp})");
                    }
                }
                println!("request list ({} supplier(s)):", requests.len());
                for r in &requests {
                    println!(
                        "  {} {}: {}",
                        r.erp_id, r.supplier_name, r.scope_description
                    );
                }
            }
            if let Some(name) = create_campaign {
                let (created, n) = session.run(create_follow_up_campaign(
                    &session.store,
                    &c,
                    name,
                    *deadline,
                    &requests,
                ))?;
                eprintln!(
                    "campaign '{}' created with {n} request(s)",
                    created.spec.name
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
