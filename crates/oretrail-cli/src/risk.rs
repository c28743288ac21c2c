//! `oretrail risk`: red flags and scores of a campaign as of a date, the policy, the risk
//! register (cases, ladder steps, sign-offs, milestones, evidence) and the daily digest. Every
//! change is written to the audit log the web application shows.

use crate::context::Context;
use crate::store::StoreSession;
use anyhow::{Context as _, Result, anyhow, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use oretrail_risk::db::cases::{self, CaseFilter, NewCase, Step};
use oretrail_risk::db::digest::DigestRun;
use oretrail_risk::db::evidence::{self, NewEvidence};
use oretrail_risk::db::{assessments, facts, policies};
use oretrail_risk::ladder::Stage;
use oretrail_risk::mail::{SmtpSettings, split_addresses};
use oretrail_risk::register::CaseDetail;
use oretrail_risk::{Assessment, Change, Level, LoadedPolicy, Risk};
use oretrail_store::campaigns::campaign_by_name;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Subcommands of `oretrail risk`.
#[derive(Subcommand)]
pub enum RiskCommand {
    /// Score a campaign's facilities, suppliers and the campaign itself, with the reasons.
    Assess(AssessArgs),
    /// Recorded assessments of a campaign.
    Runs {
        /// Campaign name.
        #[arg(long)]
        campaign: String,
    },
    /// The risk policy: rules, weights, thresholds.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// The risk register: cases, ladder steps, sign-offs, milestones.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// Save an evidence file (case steps, outreach, audits, ...) by its ID.
    Evidence {
        /// Evidence ID.
        id: i64,
        /// File to write.
        #[arg(long)]
        out: PathBuf,
    },
    /// The daily digest: due and overdue actions, new high risks, status changes.
    Digest(DigestArgs),
}

/// Options of `oretrail risk assess`.
#[derive(Args)]
pub struct AssessArgs {
    /// Campaign name.
    #[arg(long)]
    campaign: String,
    /// Date the scores are computed as of (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// Policy file to use instead of the active policy.
    #[arg(long, env = "ORETRAIL_RISK_POLICY")]
    policy: Option<PathBuf>,
    /// Record the assessment.
    #[arg(long)]
    record: bool,
    /// Record it and let its flags open or join cases in the register.
    #[arg(long)]
    open_cases: bool,
    /// Show one supplier's flags (ERP ID).
    #[arg(long, conflicts_with = "facility")]
    supplier: Option<String>,
    /// Show one facility's flags (METAL:CID or CID).
    #[arg(long)]
    facility: Option<String>,
    /// Lines per list.
    #[arg(long, default_value_t = 15)]
    top: usize,
    /// Print the whole assessment as JSON.
    #[arg(long)]
    json: bool,
    /// Who (default: $USER).
    #[arg(long)]
    by: Option<String>,
}

/// Subcommands of `oretrail risk policy`.
#[derive(Subcommand)]
pub enum PolicyCommand {
    /// The policy in force (or a file's), rule by rule.
    Show {
        /// A policy file instead of the active policy.
        file: Option<PathBuf>,
        /// Print the canonical TOML text.
        #[arg(long)]
        toml: bool,
    },
    /// Check a policy file.
    Check {
        /// Policy file (TOML, or JSON by its extension).
        file: PathBuf,
    },
    /// Make a policy file the one in force.
    Activate {
        /// Policy file.
        file: PathBuf,
        /// Who (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Every activation.
    History,
    /// Print the shipped default policy (a starting point for your own).
    Default,
}

/// Subcommands of `oretrail risk cases`.
#[derive(Subcommand)]
pub enum CasesCommand {
    /// List cases.
    List {
        /// "open", "closed" or "all".
        #[arg(long, default_value = "open")]
        status: String,
        /// Only this level.
        #[arg(long)]
        level: Option<String>,
        /// Only this owner.
        #[arg(long)]
        owner: Option<String>,
        /// Only cases past their due date.
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// A case with its flags, history and milestones.
    Show {
        /// Case ID.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Open a case by hand (e.g. after an audit finding).
    Open {
        /// Supplier (ERP ID).
        #[arg(long, conflicts_with = "facility")]
        supplier: Option<String>,
        /// Facility (METAL:CID or CID).
        #[arg(long)]
        facility: Option<String>,
        /// Title.
        #[arg(long)]
        title: String,
        /// Why it is opened.
        #[arg(long)]
        reason: String,
        /// Level: low, medium, high.
        #[arg(long, default_value = "medium")]
        level: String,
        /// Owner (default: the policy's).
        #[arg(long)]
        owner: Option<String>,
        /// Due date (default: the policy's days for the level).
        #[arg(long)]
        due: Option<NaiveDate>,
        #[command(flatten)]
        common: Common,
    },
    /// Record a step on the escalation ladder: engage, improvement_plan, suspend, disengage.
    Step {
        /// Case ID.
        id: i64,
        /// Stage.
        stage: String,
        /// What was done or agreed, and why.
        #[arg(long)]
        text: String,
        /// A milestone of an improvement plan: "WHAT@YYYY-MM-DD" (repeatable).
        #[arg(long = "milestone")]
        milestones: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Steps and closings waiting for a management sign-off.
    Pending,
    /// Approve (or reject) a step or closing waiting for a sign-off.
    SignOff {
        /// ID of the waiting step.
        step: i64,
        /// Reject instead of approving.
        #[arg(long)]
        reject: bool,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
        /// Who signs (default: $USER).
        #[arg(long)]
        by: Option<String>,
    },
    /// Add a note to a case's history.
    Note {
        /// Case ID.
        id: i64,
        /// The note.
        text: String,
        #[command(flatten)]
        common: Common,
    },
    /// Assign a case.
    Assign {
        /// Case ID.
        id: i64,
        /// Owner.
        owner: String,
        #[command(flatten)]
        common: Common,
    },
    /// Set a case's next due date.
    Due {
        /// Case ID.
        id: i64,
        /// Due date.
        date: NaiveDate,
        #[command(flatten)]
        common: Common,
    },
    /// Add a milestone to a case's plan.
    Milestone {
        /// Case ID.
        id: i64,
        /// What is to be done.
        text: String,
        /// By when.
        #[arg(long)]
        due: NaiveDate,
        #[command(flatten)]
        common: Common,
    },
    /// Record a milestone as done.
    Done {
        /// Milestone ID.
        milestone: i64,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        common: Common,
    },
    /// Close a case (with a sign-off where the policy wants one).
    Close {
        /// Case ID.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: Common,
    },
    /// Reopen a closed case.
    Reopen {
        /// Case ID.
        id: i64,
        /// Why.
        #[arg(long)]
        reason: String,
        #[command(flatten)]
        common: Common,
    },
}

/// Options every change takes.
#[derive(Args, Clone)]
pub struct Common {
    /// Day it happened (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    /// Evidence file to attach (repeatable).
    #[arg(long = "evidence")]
    pub evidence: Vec<PathBuf>,
    /// Who (default: $USER).
    #[arg(long)]
    pub by: Option<String>,
}

/// Options of `oretrail risk digest`.
#[derive(Args)]
pub struct DigestArgs {
    /// E-mail the digest (needs --smtp-url and --to, or the ORETRAIL_ variables).
    #[arg(long)]
    send: bool,
    /// SMTP server: smtp://host:25, smtp://user:pass@host:587?tls=required, smtps://...
    #[arg(long, env = "ORETRAIL_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender address.
    #[arg(long, env = "ORETRAIL_MAIL_FROM", default_value = "oretrail@localhost")]
    from: String,
    /// Recipients, comma-separated.
    #[arg(long, env = "ORETRAIL_DIGEST_TO")]
    to: Option<String>,
    /// Base URL of the web application, for links.
    #[arg(long, env = "ORETRAIL_PUBLIC_URL")]
    base_url: Option<String>,
    /// Company name in the subject.
    #[arg(long, default_value = "Oretrail")]
    company: String,
    /// Do not reassess the current campaigns first.
    #[arg(long)]
    no_reassess: bool,
    /// Policy file to use instead of the active policy.
    #[arg(long, env = "ORETRAIL_RISK_POLICY")]
    policy: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Who is acting: the option, else $USER.
pub fn actor(by: &Option<String>) -> String {
    by.clone()
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "oretrail".into())
}

/// Today (UTC).
pub fn today() -> NaiveDate {
    oretrail_risk::db::today()
}

/// The risk tables of the session's store.
pub fn open(session: &StoreSession) -> Result<Risk> {
    Ok(session.run(Risk::open(&session.store))?)
}

/// Writes a change to the audit log (the web application's).
pub fn record(session: &StoreSession, actor: &str, change: &Change) -> Result<()> {
    session.run(async {
        oretrail_web::db::migrate(&session.store).await?;
        oretrail_web::db::audit::record(
            &session.store,
            actor,
            &change.action,
            Some(&change.target),
            change.detail.as_deref(),
        )
        .await
    })?;
    Ok(())
}

/// Reads evidence files given on the command line.
pub fn read_evidence(paths: &[PathBuf]) -> Result<Vec<NewEvidence>> {
    paths
        .iter()
        .map(|p| {
            Ok(NewEvidence {
                file_name: p
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "evidence".into()),
                bytes: std::fs::read(p).with_context(|| format!("reading {}", p.display()))?,
            })
        })
        .collect()
}

fn policy(session: &StoreSession, risk: &Risk, file: Option<&Path>) -> Result<LoadedPolicy> {
    Ok(match file {
        Some(f) => LoadedPolicy::from_file(f)?,
        None => session.run(policies::active(risk))?,
    })
}

fn level(text: &str) -> Result<Level> {
    Level::from_code(text).ok_or_else(|| anyhow!("unknown level '{text}' (low, medium, high)"))
}

/// Runs a risk subcommand.
pub fn run(ctx: &Context, cmd: &RiskCommand) -> Result<ExitCode> {
    let session = StoreSession::open(ctx)?;
    let risk = open(&session)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        RiskCommand::Assess(args) => assess(&session, &risk, args, &mut out)?,
        RiskCommand::Runs { campaign } => {
            let c = session.run(campaign_by_name(&session.store, campaign))?;
            for r in session.run(assessments::runs(&risk, c.id))? {
                writeln!(
                    out,
                    "#{:<5} as of {}  score {:>6.1} {:<6}  {} high supplier(s), {} high facilit(y/ies)  {}  by {} at {}",
                    r.id,
                    r.as_of,
                    r.score,
                    r.level,
                    r.high_suppliers,
                    r.high_facilities,
                    r.policy,
                    r.computed_by,
                    r.computed_at
                )?;
            }
        }
        RiskCommand::Policy { command } => policy_command(&session, &risk, command, &mut out)?,
        RiskCommand::Cases { command } => cases_command(&session, &risk, command, &mut out)?,
        RiskCommand::Evidence { id, out: path } => {
            let (e, bytes) = session.run(evidence::read(&risk, *id))?;
            std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?;
            writeln!(
                out,
                "{} ({} bytes, sha256 {}) written to {}",
                e.file_name,
                bytes.len(),
                e.sha256,
                path.display()
            )?;
        }
        RiskCommand::Digest(args) => digest(&session, &risk, args, &mut out)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn assess(
    session: &StoreSession,
    risk: &Risk,
    args: &AssessArgs,
    out: &mut impl Write,
) -> Result<()> {
    let campaign = session.run(campaign_by_name(&session.store, &args.campaign))?;
    let as_of = args.as_of.unwrap_or_else(today);
    let policy = policy(session, risk, args.policy.as_deref())?;
    let lists = oretrail_risk::db::risk_lists(risk)?;
    let facts = session.run(facts::campaign_facts(risk, campaign.id, as_of))?;
    let a = oretrail_risk::assess(&policy, &facts, as_of, &lists);
    let who = actor(&args.by);
    if args.record || args.open_cases {
        let (id, change) = session.run(assessments::save(risk, &a, &who))?;
        record(session, &who, &change)?;
        eprintln!("recorded as assessment #{id}");
        if args.open_cases {
            let (report, change) = session.run(cases::sync(risk, &policy.policy, &a, &who))?;
            record(session, &who, &change)?;
            eprintln!(
                "register: {} case(s) opened, {} joined by new flags, {} with flags cleared",
                report.opened.len(),
                report.joined.len(),
                report.cleared.len()
            );
        }
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &a)?;
        writeln!(out)?;
        return Ok(());
    }
    if let Some(erp) = &args.supplier {
        let s = a
            .supplier(erp)
            .ok_or_else(|| anyhow!("{erp} is not in the campaign's scope"))?;
        writeln!(
            out,
            "{} {} — score {} ({}) as of {as_of}; request {}; {}",
            s.erp_id,
            s.name,
            s.score.score,
            s.score.level,
            s.request,
            s.template.as_deref().unwrap_or("no template read")
        )?;
        write_flags(out, &s.score.flags)?;
        return Ok(());
    }
    if let Some(text) = &args.facility {
        let key = session.run(oretrail_risk::db::facility_key(risk, text))?;
        let f = a
            .facility(&key)
            .ok_or_else(|| anyhow!("{key} is not declared in the campaign"))?;
        writeln!(
            out,
            "{} {} ({}, {}) — score {} ({}) as of {as_of}; {}; declared by {}",
            f.key.cid,
            f.name,
            f.metal,
            f.country.as_deref().unwrap_or("country unknown"),
            f.score.score,
            f.score.level,
            f.status,
            f.suppliers.join(", ")
        )?;
        write_flags(out, &f.score.flags)?;
        return Ok(());
    }
    write_assessment(out, &a, args.top)
}

fn write_flags(out: &mut impl Write, flags: &[oretrail_risk::Flag]) -> Result<()> {
    if flags.is_empty() {
        writeln!(out, "  no flag raised")?;
    }
    for f in flags {
        writeln!(out, "  +{:<4} {:<34} {}", f.weight, f.rule, f.detail)?;
        writeln!(out, "         {}", f.reason)?;
    }
    Ok(())
}

fn write_assessment(out: &mut impl Write, a: &Assessment, top: usize) -> Result<()> {
    let c = &a.campaign;
    let by = |m: &std::collections::BTreeMap<Level, usize>| {
        Level::ALL
            .iter()
            .rev()
            .map(|l| format!("{} {l}", m.get(l).copied().unwrap_or(0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    writeln!(
        out,
        "{} as of {} — score {:.1} ({}) under {} {} ({})",
        a.campaign_name,
        a.as_of,
        c.score,
        c.level,
        a.policy_name,
        a.policy_version,
        &a.policy_sha256[..12.min(a.policy_sha256.len())]
    )?;
    writeln!(out, "  suppliers: {}", by(&c.suppliers_by_level))?;
    writeln!(out, "  facilities: {}", by(&c.facilities_by_level))?;
    writeln!(
        out,
        "\nWhat makes up the score (spend-weighted points per rule):"
    )?;
    for r in &c.rules {
        writeln!(
            out,
            "  {:>6.2}  {:<34} weight {:>4}  {} supplier(s), {} facilit(y/ies)",
            r.contribution, r.rule, r.weight, r.suppliers, r.facilities
        )?;
    }
    writeln!(out, "\nSuppliers, highest score first:")?;
    for s in a.suppliers.iter().take(top) {
        let rules: Vec<&str> = s.score.flags.iter().map(|f| f.rule.as_str()).collect();
        writeln!(
            out,
            "  {:>5} {:<6} {:<10} {:<36} {}",
            s.score.score,
            s.score.level,
            s.erp_id,
            truncate(&s.name, 36),
            rules.join(", ")
        )?;
    }
    if a.suppliers.len() > top {
        writeln!(out, "  … {} more (--top N)", a.suppliers.len() - top)?;
    }
    writeln!(out, "\nFacilities, highest score first:")?;
    for f in a.facilities.iter().take(top) {
        let rules: Vec<&str> = f.score.flags.iter().map(|f| f.rule.as_str()).collect();
        writeln!(
            out,
            "  {:>5} {:<6} {:<10} {:<9} {:<36} {}",
            f.score.score,
            f.score.level,
            f.key.cid,
            f.metal,
            truncate(&f.name, 36),
            rules.join(", ")
        )?;
    }
    if a.facilities.len() > top {
        writeln!(out, "  … {} more (--top N)", a.facilities.len() - top)?;
    }
    writeln!(
        out,
        "\nDetails: --supplier ERP or --facility METAL:CID; everything: --json"
    )?;
    Ok(())
}

fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(n.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

fn policy_command(
    session: &StoreSession,
    risk: &Risk,
    cmd: &PolicyCommand,
    out: &mut impl Write,
) -> Result<()> {
    match cmd {
        PolicyCommand::Show { file, toml } => {
            let p = policy(session, risk, file.as_deref())?;
            if *toml {
                write!(out, "{}", p.text)?;
                return Ok(());
            }
            writeln!(out, "{} — from {}", p.label(), p.origin)?;
            writeln!(
                out,
                "thresholds: medium from {}, high from {}",
                p.policy.thresholds.medium, p.policy.thresholds.high
            )?;
            for r in p.policy.rules.list() {
                writeln!(
                    out,
                    "  {} {:<34} weight {:>4}  {}{}",
                    if r.enabled { " " } else { "✗" },
                    r.id,
                    r.weight,
                    r.reason,
                    if r.params.as_object().is_some_and(|o| !o.is_empty()) {
                        format!("  {}", r.params)
                    } else {
                        String::new()
                    }
                )?;
            }
        }
        PolicyCommand::Check { file } => {
            let p = LoadedPolicy::from_file(file)?;
            writeln!(out, "{}: valid — {}", file.display(), p.label())?;
        }
        PolicyCommand::Activate { file, by } => {
            let p = LoadedPolicy::from_file(file)?;
            let who = actor(by);
            let (id, change) = session.run(policies::activate(risk, &p, &who))?;
            record(session, &who, &change)?;
            writeln!(out, "policy #{id} in force: {}", p.label())?;
        }
        PolicyCommand::History => {
            for a in session.run(policies::history(risk))? {
                writeln!(
                    out,
                    "#{:<4} {} {} ({}) from {} — {} by {}",
                    a.id,
                    a.name,
                    a.version,
                    &a.sha256[..12.min(a.sha256.len())],
                    a.origin,
                    a.activated_at,
                    a.activated_by
                )?;
            }
        }
        PolicyCommand::Default => write!(out, "{}", oretrail_risk::policy::DEFAULT_POLICY)?,
    }
    Ok(())
}

fn cases_command(
    session: &StoreSession,
    risk: &Risk,
    cmd: &CasesCommand,
    out: &mut impl Write,
) -> Result<()> {
    let run_change = |who: &str, change: Change| -> Result<()> {
        record(session, who, &change)?;
        Ok(())
    };
    match cmd {
        CasesCommand::List {
            status,
            level: lv,
            owner,
            overdue,
            json,
        } => {
            let filter = CaseFilter {
                status: if status == "all" {
                    String::new()
                } else {
                    status.clone()
                },
                level: lv.as_deref().map(level).transpose()?,
                owner: owner.clone(),
                due_before: overdue.then(today),
                ..CaseFilter::default()
            };
            let list = session.run(cases::list(risk, &filter))?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
                return Ok(());
            }
            for c in list {
                writeln!(
                    out,
                    "#{:<5} {:<6} {:<6} {:<16} due {:<10} {:<22} {}{}",
                    c.id,
                    c.status,
                    c.level,
                    c.stage.map(|s| s.code()).unwrap_or("-"),
                    c.due_date.map(|d| d.to_string()).unwrap_or_default(),
                    truncate(&c.owner, 22),
                    c.title,
                    if c.pending_sign_offs > 0 {
                        "  [waiting for sign-off]"
                    } else {
                        ""
                    }
                )?;
            }
        }
        CasesCommand::Show { id, json } => {
            let d = session.run(cases::detail(risk, *id))?;
            if *json {
                serde_json::to_writer_pretty(&mut *out, &d)?;
                writeln!(out)?;
            } else {
                write_case(out, &d)?;
            }
        }
        CasesCommand::Open {
            supplier,
            facility,
            title,
            reason,
            level: lv,
            owner,
            due,
            common,
        } => {
            let who = actor(&common.by);
            let policy = policy(session, risk, None)?;
            let facility = match facility {
                Some(f) => Some(session.run(oretrail_risk::db::facility_key(risk, f))?),
                None => None,
            };
            let (id, change) = session.run(cases::open(
                risk,
                &policy.policy,
                &NewCase {
                    supplier: supplier.clone(),
                    facility,
                    title: title.clone(),
                    owner: owner.clone(),
                    level: level(lv)?,
                    due: *due,
                    reason: reason.clone(),
                    on_date: common.on.unwrap_or_else(today),
                },
                &who,
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id} opened")?;
        }
        CasesCommand::Step {
            id,
            stage,
            text,
            milestones,
            common,
        } => {
            let stage = Stage::from_code(stage).ok_or_else(|| {
                anyhow!("unknown stage '{stage}' (engage, improvement_plan, suspend, disengage)")
            })?;
            let milestones = milestones
                .iter()
                .map(|m| {
                    let (what, when) = m
                        .rsplit_once('@')
                        .ok_or_else(|| anyhow!("--milestone '{m}': write WHAT@YYYY-MM-DD"))?;
                    let when = NaiveDate::parse_from_str(when.trim(), "%Y-%m-%d")
                        .map_err(|_| anyhow!("--milestone '{m}': '{when}' is not a date"))?;
                    Ok((what.trim().to_string(), when))
                })
                .collect::<Result<Vec<_>>>()?;
            let who = actor(&common.by);
            let policy = policy(session, risk, None)?;
            let (event, change) = session.run(cases::step(
                risk,
                &policy.policy,
                *id,
                &Step {
                    stage,
                    on_date: common.on.unwrap_or_else(today),
                    text: text.clone(),
                    milestones,
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            let waiting = oretrail_risk::ladder::step_needs_sign_off(&policy.policy, stage);
            run_change(&who, change)?;
            writeln!(
                out,
                "case #{id}: step #{event} ({}){}",
                stage.label(),
                if waiting {
                    " — takes effect once a manager signs it off (oretrail risk cases sign-off)"
                } else {
                    ""
                }
            )?;
        }
        CasesCommand::Pending => {
            for p in session.run(cases::pending_sign_offs(risk))? {
                writeln!(
                    out,
                    "step #{:<5} case #{:<5} {:<6} {:<24} recorded {} by {}: {} — {}",
                    p.event.id,
                    p.event.case_id,
                    p.level,
                    p.event.stage.map(|s| s.label()).unwrap_or("close the case"),
                    p.event.on_date,
                    p.event.actor,
                    p.case_title,
                    p.event.text.as_deref().unwrap_or("")
                )?;
            }
        }
        CasesCommand::SignOff {
            step,
            reject,
            note,
            by,
        } => {
            let who = actor(by);
            let policy = policy(session, risk, None)?;
            let change = session.run(cases::sign_off(
                risk,
                &policy.policy,
                *step,
                &who,
                !*reject,
                note,
            ))?;
            writeln!(out, "{}", change.detail.clone().unwrap_or_default())?;
            run_change(&who, change)?;
        }
        CasesCommand::Note { id, text, common } => {
            let who = actor(&common.by);
            let (_, change) = session.run(cases::note(
                risk,
                *id,
                common.on.unwrap_or_else(today),
                text,
                &read_evidence(&common.evidence)?,
                &who,
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id}: note added")?;
        }
        CasesCommand::Assign { id, owner, common } => {
            let who = actor(&common.by);
            let change = session.run(cases::assign(
                risk,
                *id,
                owner,
                &who,
                common.on.unwrap_or_else(today),
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id}: owner {owner}")?;
        }
        CasesCommand::Due { id, date, common } => {
            let who = actor(&common.by);
            let change = session.run(cases::set_due(
                risk,
                *id,
                *date,
                &who,
                common.on.unwrap_or_else(today),
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id}: due {date}")?;
        }
        CasesCommand::Milestone {
            id,
            text,
            due,
            common,
        } => {
            let who = actor(&common.by);
            let (m, change) = session.run(cases::add_milestone(
                risk,
                *id,
                text,
                *due,
                &who,
                common.on.unwrap_or_else(today),
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id}: milestone #{m} due {due}")?;
        }
        CasesCommand::Done {
            milestone,
            note,
            common,
        } => {
            let who = actor(&common.by);
            let change = session.run(cases::complete_milestone(
                risk,
                *milestone,
                common.on.unwrap_or_else(today),
                note,
                &read_evidence(&common.evidence)?,
                &who,
            ))?;
            run_change(&who, change)?;
            writeln!(out, "milestone #{milestone} done")?;
        }
        CasesCommand::Close { id, reason, common } => {
            let who = actor(&common.by);
            let policy = policy(session, risk, None)?;
            let change = session.run(cases::close(
                risk,
                &policy.policy,
                *id,
                common.on.unwrap_or_else(today),
                reason,
                &read_evidence(&common.evidence)?,
                &who,
            ))?;
            let status = session.run(cases::case(risk, *id))?.status;
            run_change(&who, change)?;
            writeln!(
                out,
                "case #{id}: {}",
                if status == "closed" {
                    "closed"
                } else {
                    "closing waits for a management sign-off"
                }
            )?;
        }
        CasesCommand::Reopen { id, reason, common } => {
            let who = actor(&common.by);
            let change = session.run(cases::reopen(
                risk,
                *id,
                reason,
                &who,
                common.on.unwrap_or_else(today),
            ))?;
            run_change(&who, change)?;
            writeln!(out, "case #{id} reopened")?;
        }
    }
    Ok(())
}

fn write_case(out: &mut impl Write, d: &CaseDetail) -> Result<()> {
    let c = &d.case;
    writeln!(out, "case #{} — {}", c.id, c.title)?;
    writeln!(
        out,
        "  {} · level {} (score {}) · stage {} · owner {} · due {}",
        c.status,
        c.level,
        c.score,
        c.stage.map(|s| s.label()).unwrap_or("not yet engaged"),
        c.owner,
        c.due_date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into())
    )?;
    writeln!(
        out,
        "  opened {} by {}{}{}",
        c.opened_on,
        c.opened_by,
        c.closed_on
            .map(|d| format!(" · closed {d} by {}", c.closed_by.as_deref().unwrap_or("?")))
            .unwrap_or_default(),
        c.previous_case_id
            .map(|p| format!(" · previous case #{p}"))
            .unwrap_or_default()
    )?;
    if let Some(r) = &c.close_reason {
        writeln!(out, "  closed because: {r}")?;
    }
    writeln!(out, "\nFlags:")?;
    for f in &d.flags {
        writeln!(
            out,
            "  +{:<4} {:<34} {} (raised {} … {}{})",
            f.weight,
            f.rule,
            f.detail,
            f.first_raised,
            f.last_raised,
            f.cleared_on
                .map(|d| format!(", cleared {d}"))
                .unwrap_or_default()
        )?;
    }
    if !d.milestones.is_empty() {
        writeln!(out, "\nMilestones:")?;
        for m in &d.milestones {
            writeln!(
                out,
                "  #{:<4} due {} {} {}{}",
                m.id,
                m.due_date,
                match m.done_on {
                    Some(done) => format!("done {done}"),
                    None => "open".into(),
                },
                m.title,
                evidence_list(&m.evidence)
            )?;
        }
    }
    writeln!(out, "\nHistory:")?;
    for e in &d.events {
        writeln!(
            out,
            "  #{:<5} {} {:<15} {:<10} {}{}{}{}",
            e.id,
            e.on_date,
            e.kind,
            e.actor,
            e.stage
                .map(|s| format!("[{}] ", s.label()))
                .unwrap_or_default(),
            e.text.as_deref().unwrap_or(""),
            match (&e.decision, e.needs_sign_off) {
                (Some(dec), _) => format!(" — sign-off: {} by {}", dec.decision, dec.by),
                (None, true) => " — WAITING FOR SIGN-OFF".into(),
                _ => String::new(),
            },
            evidence_list(&e.evidence)
        )?;
    }
    Ok(())
}

/// " [evidence #3 minutes.pdf, #4 …]" or "".
pub fn evidence_list(e: &[oretrail_risk::db::evidence::Evidence]) -> String {
    if e.is_empty() {
        return String::new();
    }
    let items: Vec<String> = e
        .iter()
        .map(|x| format!("#{} {}", x.id, x.file_name))
        .collect();
    format!(" [evidence {}]", items.join(", "))
}

fn digest(
    session: &StoreSession,
    risk: &Risk,
    args: &DigestArgs,
    out: &mut impl Write,
) -> Result<()> {
    let policy = policy(session, risk, args.policy.as_deref())?;
    let lists = oretrail_risk::db::risk_lists(risk)?;
    let smtp = if args.send {
        let url = args
            .smtp_url
            .clone()
            .ok_or_else(|| anyhow!("--send needs --smtp-url (or ORETRAIL_SMTP_URL)"))?;
        let to = split_addresses(args.to.as_deref().unwrap_or(""));
        if to.is_empty() {
            bail!("--send needs --to (or ORETRAIL_DIGEST_TO)");
        }
        Some(SmtpSettings {
            url,
            from: args.from.clone(),
            to,
        })
    } else {
        None
    };
    let who = "oretrail risk digest".to_string();
    let run = DigestRun {
        today: today(),
        actor: who.clone(),
        base_url: args.base_url.clone(),
        reassess: !args.no_reassess,
        company: args.company.clone(),
    };
    let (stored, changes) = session.run(oretrail_risk::db::digest::run(
        risk,
        &policy,
        &lists,
        &run,
        smtp.as_ref(),
    ))?;
    for c in &changes {
        record(session, &who, c)?;
    }
    if args.json {
        serde_json::to_writer_pretty(&mut *out, &stored)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", stored.text)?;
    }
    if let Some(e) = &stored.send_error {
        bail!(
            "the digest was stored (#{}) but not e-mailed: {e}",
            stored.id
        );
    }
    if let Some(to) = &stored.recipients {
        eprintln!("e-mailed to {to}");
    }
    Ok(())
}
