//! Due-diligence programme records from the command line: `oretrail outreach` (refiners),
//! `oretrail audits` (RBA audits, findings, corrective actions), `oretrail acknowledgements`
//! (code of conduct, contract clauses), `oretrail training` and `oretrail grievances`. Every
//! change is written to the audit log.

use crate::context::Context;
use crate::risk::{Common, actor, evidence_list, open, read_evidence, record, today};
use crate::store::StoreSession;
use anyhow::{Result, anyhow};
use chrono::NaiveDate;
use clap::Subcommand;
use oretrail_risk::db::grievances::{self, GrievanceStatus, NewGrievance, Triage};
use oretrail_risk::db::outreach::{self, Commitment, NewOutreach};
use oretrail_risk::db::programme::{
    self, AuditSubject, NewAcknowledgement, NewAudit, NewFinding, NewParticipant, NewTraining,
    Severity,
};
use oretrail_risk::{Level, Risk};
use std::io::Write;
use std::process::ExitCode;

/// Subcommands of `oretrail outreach`.
#[derive(Subcommand)]
pub enum OutreachCommand {
    /// Record a contact with a smelter or refiner.
    Log {
        /// Facility (METAL:CID or CID).
        facility: String,
        /// Who was contacted (name, role, address).
        #[arg(long)]
        contact: String,
        /// How: e-mail, call, meeting, letter, via supplier …, via RMI.
        #[arg(long, default_value = "e-mail")]
        channel: String,
        /// Their answer.
        #[arg(long)]
        answer: Option<String>,
        /// RMAP audit commitment: none, asked, committed, declined, in_rmap.
        #[arg(long, default_value = "asked")]
        commitment: String,
        /// Date they committed to be audited by.
        #[arg(long)]
        committed_by: Option<NaiveDate>,
        /// Next contact planned.
        #[arg(long)]
        follow_up: Option<NaiveDate>,
        /// Case the outreach belongs to.
        #[arg(long)]
        case: Option<i64>,
        #[command(flatten)]
        common: Common,
    },
    /// A facility's outreach log, the suppliers naming it and its status in every list.
    Show {
        /// Facility (METAL:CID or CID).
        facility: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Facilities with outreach, the least recently contacted first.
    List,
}

/// Subcommands of `oretrail audits`.
#[derive(Subcommand)]
pub enum AuditsCommand {
    /// Record an audit (own site by default).
    Add {
        /// Site name and place.
        #[arg(long)]
        site: String,
        /// Type: "VAP initial", "VAP closure", "VAP priority closure", "SAQ", "RMAP", …
        #[arg(long = "type")]
        audit_type: String,
        /// Day of the audit.
        #[arg(long)]
        date: NaiveDate,
        /// Audit firm or auditor.
        #[arg(long)]
        auditor: String,
        /// A supplier's site (ERP ID).
        #[arg(long, conflicts_with = "facility")]
        supplier: Option<String>,
        /// A smelter or refiner (METAL:CID or CID).
        #[arg(long)]
        facility: Option<String>,
        /// Score.
        #[arg(long)]
        score: Option<f64>,
        /// Result in words.
        #[arg(long)]
        result: Option<String>,
        /// Notes.
        #[arg(long)]
        notes: Option<String>,
        /// A finding: "SEVERITY|FINDING|ACTION|DUE|OWNER" (the last three optional; repeatable).
        #[arg(long = "finding")]
        findings: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List audits.
    List {
        /// Only this supplier's (ERP ID).
        #[arg(long)]
        supplier: Option<String>,
    },
    /// An audit with its findings.
    Show {
        /// Audit ID.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add a finding to an audit: "SEVERITY|FINDING|ACTION|DUE|OWNER".
    Finding {
        /// Audit ID.
        id: i64,
        /// The finding.
        finding: String,
        #[command(flatten)]
        common: Common,
    },
    /// Close a finding's corrective action with evidence.
    Close {
        /// Finding ID.
        finding: i64,
        /// How it was closed.
        #[arg(long)]
        note: String,
        #[command(flatten)]
        common: Common,
    },
    /// Corrective actions not closed yet.
    Open,
}

/// Subcommands of `oretrail acknowledgements`.
#[derive(Subcommand)]
pub enum AcknowledgementsCommand {
    /// Record a supplier's acknowledgement of a document version.
    Add {
        /// Supplier (ERP ID).
        #[arg(long)]
        supplier: String,
        /// Document ("Supplier Code of Conduct", "Responsible minerals clause").
        #[arg(long)]
        document: String,
        /// Its version.
        #[arg(long)]
        version: String,
        /// Day signed.
        #[arg(long)]
        signed_on: NaiveDate,
        /// Who signed for the supplier.
        #[arg(long)]
        signed_by: String,
        #[command(flatten)]
        common: Common,
    },
    /// List acknowledgements.
    List {
        /// Only this supplier's (ERP ID).
        #[arg(long)]
        supplier: Option<String>,
    },
}

/// Subcommands of `oretrail training`.
#[derive(Subcommand)]
pub enum TrainingCommand {
    /// Record a session.
    Add {
        /// Course.
        #[arg(long)]
        course: String,
        /// Day held.
        #[arg(long)]
        date: NaiveDate,
        /// Who gave it.
        #[arg(long)]
        provider: Option<String>,
        /// Notes.
        #[arg(long)]
        notes: Option<String>,
        /// A participant: "ERP:Person" (supplier staff) or "Person", "+done" when completed
        /// (repeatable).
        #[arg(long = "participant")]
        participants: Vec<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List sessions.
    List {
        /// Only sessions this supplier (ERP ID) took part in.
        #[arg(long)]
        supplier: Option<String>,
    },
    /// Add a participant to a session: "ERP:Person" or "Person".
    Participant {
        /// Session ID.
        id: i64,
        /// The participant.
        participant: String,
        #[command(flatten)]
        common: Common,
    },
    /// Record that a participant completed the course.
    Complete {
        /// Participant ID.
        participant: i64,
        #[command(flatten)]
        common: Common,
    },
}

/// Subcommands of `oretrail grievances`.
#[derive(Subcommand)]
pub enum GrievancesCommand {
    /// Take a grievance in.
    Add {
        /// One-line summary.
        #[arg(long)]
        summary: String,
        /// What happened, where, who is affected.
        #[arg(long)]
        description: String,
        /// How it came: e-mail, phone, letter, in person, hotline.
        #[arg(long, default_value = "e-mail")]
        channel: String,
        /// The reporter stays anonymous (name and contact are not kept).
        #[arg(long)]
        anonymous: bool,
        /// Reporter's name.
        #[arg(long)]
        name: Option<String>,
        /// Reporter's contact.
        #[arg(long)]
        contact: Option<String>,
        /// Supplier concerned (ERP ID).
        #[arg(long)]
        supplier: Option<String>,
        /// Facility concerned (METAL:CID or CID).
        #[arg(long)]
        facility: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// List grievances.
    List {
        /// Only this status: received, triaged, investigating, resolved, rejected.
        #[arg(long)]
        status: Option<String>,
    },
    /// A grievance with its history.
    Show {
        /// Grievance ID.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Record that the reporter was told the grievance arrived.
    Ack {
        /// Grievance ID.
        id: i64,
        #[command(flatten)]
        common: Common,
    },
    /// Triage: severity, links, a case.
    Triage {
        /// Grievance ID.
        id: i64,
        /// Severity: low, medium, high.
        #[arg(long)]
        severity: String,
        /// Supplier concerned (ERP ID).
        #[arg(long)]
        supplier: Option<String>,
        /// Facility concerned (METAL:CID or CID).
        #[arg(long)]
        facility: Option<String>,
        /// Case it joins.
        #[arg(long)]
        case: Option<i64>,
        /// Open (or join) the subject's case.
        #[arg(long)]
        open_case: bool,
        /// Note.
        #[arg(long, default_value = "")]
        note: String,
        #[command(flatten)]
        common: Common,
    },
    /// Add a note; --investigating moves the grievance to investigation.
    Note {
        /// Grievance ID.
        id: i64,
        /// The note.
        text: String,
        /// Start the investigation.
        #[arg(long)]
        investigating: bool,
        #[command(flatten)]
        common: Common,
    },
    /// Resolve (or reject) with the resolution and the response given to the reporter.
    Resolve {
        /// Grievance ID.
        id: i64,
        /// What was done (internal).
        #[arg(long)]
        resolution: String,
        /// The answer given to the reporter.
        #[arg(long)]
        response: String,
        /// Not admissible.
        #[arg(long)]
        rejected: bool,
        #[command(flatten)]
        common: Common,
    },
}

fn session_and_risk(ctx: &Context) -> Result<(StoreSession, Risk)> {
    let session = StoreSession::open(ctx)?;
    let risk = open(&session)?;
    Ok((session, risk))
}

fn facility(session: &StoreSession, risk: &Risk, text: &str) -> Result<oretrail_risk::FacilityKey> {
    Ok(session.run(oretrail_risk::db::facility_key(risk, text))?)
}

/// Runs `oretrail outreach`.
pub fn outreach(ctx: &Context, cmd: &OutreachCommand) -> Result<ExitCode> {
    let (session, risk) = session_and_risk(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        OutreachCommand::Log {
            facility: f,
            contact,
            channel,
            answer,
            commitment,
            committed_by,
            follow_up,
            case,
            common,
        } => {
            let key = facility(&session, &risk, f)?;
            let commitment = Commitment::from_code(commitment).ok_or_else(|| {
                anyhow!(
                    "unknown commitment '{commitment}' (none, asked, committed, declined, in_rmap)"
                )
            })?;
            let who = actor(&common.by);
            let (id, change) = session.run(outreach::record(
                &risk,
                &NewOutreach {
                    key: key.clone(),
                    on_date: common.on.unwrap_or_else(today),
                    contact: contact.clone(),
                    channel: channel.clone(),
                    by_whom: who.clone(),
                    answer: answer.clone(),
                    commitment,
                    committed_by_date: *committed_by,
                    follow_up_on: *follow_up,
                    case_id: *case,
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "outreach #{id} recorded for {key}")?;
        }
        OutreachCommand::Show { facility: f, json } => {
            let key = facility(&session, &risk, f)?;
            let page = session.run(outreach::facility(&risk, &key))?;
            if *json {
                serde_json::to_writer_pretty(&mut out, &page)?;
                writeln!(out)?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "{} {} ({}, {})",
                page.key.cid,
                page.name,
                page.key.metal,
                page.country.as_deref().unwrap_or("country unknown")
            )?;
            writeln!(out, "\nStatus in each list:")?;
            for p in &page.timeline {
                writeln!(
                    out,
                    "  {} {}{}",
                    p.list_date,
                    p.status,
                    if p.changed { "  ← changed" } else { "" }
                )?;
            }
            writeln!(out, "\nSuppliers naming it:")?;
            for n in &page.suppliers {
                writeln!(
                    out,
                    "  {:<10} {:<40} {} (submission {})",
                    n.erp_id, n.supplier, n.campaign, n.submission_id
                )?;
            }
            writeln!(out, "\nOutreach:")?;
            for o in &page.log {
                writeln!(
                    out,
                    "  #{:<4} {} {} via {} by {} — {}{}{}{}{}",
                    o.id,
                    o.on_date,
                    o.contact,
                    o.channel,
                    o.by_whom,
                    o.commitment.code(),
                    o.committed_by_date
                        .map(|d| format!(" (audit by {d})"))
                        .unwrap_or_default(),
                    o.answer
                        .as_deref()
                        .map(|a| format!(": {a}"))
                        .unwrap_or_default(),
                    o.follow_up_on
                        .map(|d| format!("; follow up {d}"))
                        .unwrap_or_default(),
                    evidence_list(&o.evidence)
                )?;
            }
            for c in &page.cases {
                writeln!(out, "\ncase #{} ({}): {}", c.id, c.status, c.title)?;
            }
        }
        OutreachCommand::List => {
            for l in session.run(outreach::overview(&risk))? {
                writeln!(
                    out,
                    "{:<10} {:<9} {:<40} {:>3} contact(s), last {} — {}{}",
                    l.key.cid,
                    l.key.metal,
                    l.name,
                    l.contacts,
                    l.last_contact,
                    l.commitment.code(),
                    l.follow_up_on
                        .map(|d| format!("; follow up {d}"))
                        .unwrap_or_default()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses "SEVERITY|FINDING|ACTION|DUE|OWNER".
fn finding(text: &str) -> Result<NewFinding> {
    let parts: Vec<&str> = text.split('|').map(str::trim).collect();
    let severity = Severity::from_code(parts.first().copied().unwrap_or("")).ok_or_else(|| {
        anyhow!("'{text}': start with a severity (priority, major, minor, observation)|")
    })?;
    let nonempty = |i: usize| {
        parts
            .get(i)
            .filter(|s| !s.is_empty())
            .map(|s| s.to_string())
    };
    let due = match nonempty(3) {
        Some(d) => Some(
            NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                .map_err(|_| anyhow!("'{text}': '{d}' is not a date"))?,
        ),
        None => None,
    };
    Ok(NewFinding {
        severity,
        finding: nonempty(1).ok_or_else(|| anyhow!("'{text}': the finding is missing"))?,
        corrective_action: nonempty(2),
        due_date: due,
        owner: nonempty(4),
    })
}

/// Runs `oretrail audits`.
pub fn audits(ctx: &Context, cmd: &AuditsCommand) -> Result<ExitCode> {
    let (session, risk) = session_and_risk(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        AuditsCommand::Add {
            site,
            audit_type,
            date,
            auditor,
            supplier,
            facility: f,
            score,
            result,
            notes,
            findings,
            common,
        } => {
            let subject = match (supplier, f) {
                (Some(s), _) => AuditSubject::Supplier(s.clone()),
                (None, Some(f)) => AuditSubject::Facility(facility(&session, &risk, f)?),
                (None, None) => AuditSubject::OwnSite,
            };
            let who = actor(&common.by);
            let (id, change) = session.run(programme::record_audit(
                &risk,
                &NewAudit {
                    subject,
                    site: site.clone(),
                    audit_type: audit_type.clone(),
                    audit_date: *date,
                    auditor: auditor.clone(),
                    score: *score,
                    result: result.clone(),
                    notes: notes.clone(),
                    findings: findings.iter().map(|t| finding(t)).collect::<Result<_>>()?,
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "audit #{id} recorded")?;
        }
        AuditsCommand::List { supplier } => {
            for a in session.run(programme::audits(&risk, supplier.as_deref()))? {
                let open = a.findings.iter().filter(|f| f.closed_on.is_none()).count();
                writeln!(
                    out,
                    "#{:<4} {} {:<22} {:<40} {:<20} score {:<6} {} finding(s), {open} open",
                    a.id,
                    a.audit_date,
                    a.audit_type,
                    a.site,
                    a.auditor,
                    a.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                    a.findings.len()
                )?;
            }
        }
        AuditsCommand::Show { id, json } => {
            let a = session.run(programme::audit(&risk, *id))?;
            if *json {
                serde_json::to_writer_pretty(&mut out, &a)?;
                writeln!(out)?;
                return Ok(ExitCode::SUCCESS);
            }
            writeln!(
                out,
                "audit #{} — {} of {} on {} by {}; score {}; {}{}",
                a.id,
                a.audit_type,
                a.site,
                a.audit_date,
                a.auditor,
                a.score.map(|s| s.to_string()).unwrap_or_else(|| "-".into()),
                a.result.as_deref().unwrap_or("no result"),
                evidence_list(&a.evidence)
            )?;
            for f in &a.findings {
                writeln!(
                    out,
                    "  #{:<4} {:<11} {} → {} (owner {}, due {}){}{}",
                    f.id,
                    f.severity.code(),
                    f.finding,
                    f.corrective_action.as_deref().unwrap_or("no action"),
                    f.owner.as_deref().unwrap_or("-"),
                    f.due_date
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "-".into()),
                    f.closed_on
                        .map(|d| format!(
                            " — closed {d}: {}",
                            f.closure_note.as_deref().unwrap_or("")
                        ))
                        .unwrap_or_else(|| " — open".into()),
                    evidence_list(&f.evidence)
                )?;
            }
        }
        AuditsCommand::Finding {
            id,
            finding: text,
            common,
        } => {
            let who = actor(&common.by);
            let (fid, change) =
                session.run(programme::add_finding(&risk, *id, &finding(text)?, &who))?;
            record(&session, &who, &change)?;
            writeln!(out, "finding #{fid} added to audit #{id}")?;
        }
        AuditsCommand::Close {
            finding: id,
            note,
            common,
        } => {
            let who = actor(&common.by);
            let change = session.run(programme::close_finding(
                &risk,
                *id,
                common.on.unwrap_or_else(today),
                note,
                &read_evidence(&common.evidence)?,
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "finding #{id} closed")?;
        }
        AuditsCommand::Open => {
            for (f, audit) in session.run(programme::open_findings(&risk))? {
                writeln!(
                    out,
                    "#{:<4} due {:<10} {:<11} {} — {} ({audit})",
                    f.id,
                    f.due_date.map(|d| d.to_string()).unwrap_or_default(),
                    f.severity.code(),
                    f.corrective_action.as_deref().unwrap_or(&f.finding),
                    f.owner.as_deref().unwrap_or("no owner")
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `oretrail acknowledgements`.
pub fn acknowledgements(ctx: &Context, cmd: &AcknowledgementsCommand) -> Result<ExitCode> {
    let (session, risk) = session_and_risk(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        AcknowledgementsCommand::Add {
            supplier,
            document,
            version,
            signed_on,
            signed_by,
            common,
        } => {
            let who = actor(&common.by);
            let (id, change) = session.run(programme::record_acknowledgement(
                &risk,
                &NewAcknowledgement {
                    supplier: supplier.clone(),
                    document: document.clone(),
                    version: version.clone(),
                    signed_on: *signed_on,
                    signed_by: signed_by.clone(),
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "acknowledgement #{id} recorded")?;
        }
        AcknowledgementsCommand::List { supplier } => {
            for a in session.run(programme::acknowledgements(&risk, supplier.as_deref()))? {
                writeln!(
                    out,
                    "#{:<4} {:<10} {:<36} {} {} signed {} by {}{}",
                    a.id,
                    a.supplier,
                    a.supplier_name,
                    a.document,
                    a.version,
                    a.signed_on,
                    a.signed_by,
                    evidence_list(&a.evidence)
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Parses "ERP:Person[+done]" or "Person[+done]".
fn participant(text: &str) -> NewParticipant {
    let (text, completed) = match text.trim().strip_suffix("+done") {
        Some(t) => (t, true),
        None => (text.trim(), false),
    };
    match text.split_once(':') {
        Some((erp, person)) => NewParticipant {
            supplier: Some(erp.trim().to_string()),
            person: person.trim().to_string(),
            completed,
        },
        None => NewParticipant {
            supplier: None,
            person: text.to_string(),
            completed,
        },
    }
}

/// Runs `oretrail training`.
pub fn training(ctx: &Context, cmd: &TrainingCommand) -> Result<ExitCode> {
    let (session, risk) = session_and_risk(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match cmd {
        TrainingCommand::Add {
            course,
            date,
            provider,
            notes,
            participants,
            common,
        } => {
            let who = actor(&common.by);
            let (id, change) = session.run(programme::record_training(
                &risk,
                &NewTraining {
                    course: course.clone(),
                    held_on: *date,
                    provider: provider.clone(),
                    notes: notes.clone(),
                    participants: participants.iter().map(|p| participant(p)).collect(),
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "training #{id} recorded")?;
        }
        TrainingCommand::List { supplier } => {
            for t in session.run(programme::trainings(&risk, supplier.as_deref()))? {
                let done = t.participants.iter().filter(|p| p.completed).count();
                writeln!(
                    out,
                    "#{:<4} {} {:<40} {} — {} participant(s), {done} completed",
                    t.id,
                    t.held_on,
                    t.course,
                    t.provider.as_deref().unwrap_or(""),
                    t.participants.len()
                )?;
                for p in &t.participants {
                    writeln!(
                        out,
                        "       #{:<4} {:<10} {:<30} {}",
                        p.id,
                        p.supplier.as_deref().unwrap_or("(own)"),
                        p.person,
                        p.completed_on
                            .map(|d| format!("completed {d}"))
                            .unwrap_or_else(|| "not completed".into())
                    )?;
                }
            }
        }
        TrainingCommand::Participant {
            id,
            participant: p,
            common,
        } => {
            let who = actor(&common.by);
            let (pid, change) = session.run(programme::add_participant(
                &risk,
                *id,
                &participant(p),
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "participant #{pid} added to training #{id}")?;
        }
        TrainingCommand::Complete {
            participant: id,
            common,
        } => {
            let who = actor(&common.by);
            let change = session.run(programme::complete(
                &risk,
                *id,
                common.on.unwrap_or_else(today),
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "participant #{id} completed")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs `oretrail grievances`.
pub fn grievances(ctx: &Context, cmd: &GrievancesCommand) -> Result<ExitCode> {
    let (session, risk) = session_and_risk(ctx)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let level = |t: &str| {
        Level::from_code(t).ok_or_else(|| anyhow!("unknown severity '{t}' (low, medium, high)"))
    };
    match cmd {
        GrievancesCommand::Add {
            summary,
            description,
            channel,
            anonymous,
            name,
            contact,
            supplier,
            facility: f,
            common,
        } => {
            let who = actor(&common.by);
            let facility = match f {
                Some(f) => Some(facility(&session, &risk, f)?),
                None => None,
            };
            let (receipt, change) = session.run(grievances::submit(
                &risk,
                &NewGrievance {
                    received_on: Some(common.on.unwrap_or_else(today)),
                    channel: channel.clone(),
                    anonymous: *anonymous,
                    reporter_name: name.clone(),
                    reporter_contact: contact.clone(),
                    summary: summary.clone(),
                    description: description.clone(),
                    supplier: supplier.clone(),
                    facility,
                    evidence: read_evidence(&common.evidence)?,
                },
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(
                out,
                "grievance #{} taken in as {}; the reporter's follow-up code: {}",
                receipt.id, receipt.reference, receipt.follow_up_code
            )?;
        }
        GrievancesCommand::List { status } => {
            let status = match status {
                Some(s) => Some(GrievanceStatus::from_code(s).ok_or_else(|| {
                    anyhow!("unknown status '{s}' (received, triaged, investigating, resolved, rejected)")
                })?),
                None => None,
            };
            let policy = session.run(oretrail_risk::db::policies::active(&risk))?;
            for g in session.run(grievances::list(&risk, status))? {
                writeln!(
                    out,
                    "#{:<4} {} {} {:<13} {:<6} {}{}",
                    g.id,
                    g.reference,
                    g.received_on,
                    g.status.code(),
                    g.severity.map(|s| s.code()).unwrap_or("-"),
                    g.summary,
                    grievances::next_deadline(&g, &policy.policy)
                        .map(|(what, d)| format!("  [{what} by {d}]"))
                        .unwrap_or_default()
                )?;
            }
        }
        GrievancesCommand::Show { id, json } => {
            let d = session.run(grievances::detail(&risk, *id))?;
            if *json {
                serde_json::to_writer_pretty(&mut out, &d)?;
                writeln!(out)?;
                return Ok(ExitCode::SUCCESS);
            }
            let g = &d.grievance;
            writeln!(
                out,
                "{} (#{}) — {} · received {} via {} · {}",
                g.reference,
                g.id,
                g.status.code(),
                g.received_on,
                g.channel,
                if g.anonymous {
                    "anonymous".to_string()
                } else {
                    format!(
                        "from {} {}",
                        g.reporter_name.as_deref().unwrap_or("?"),
                        g.reporter_contact.as_deref().unwrap_or("")
                    )
                }
            )?;
            writeln!(out, "{}\n\n{}", g.summary, g.description)?;
            writeln!(
                out,
                "\nseverity {} · supplier {} · facility {} · case {}{}",
                g.severity.map(|s| s.code()).unwrap_or("-"),
                g.supplier.as_deref().unwrap_or("-"),
                g.facility
                    .as_ref()
                    .map(|f| f.to_string())
                    .unwrap_or_else(|| "-".into()),
                g.case_id
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                evidence_list(&d.evidence)
            )?;
            if let Some(r) = &g.resolution {
                writeln!(out, "resolution: {r}")?;
            }
            if let Some(r) = &g.response {
                writeln!(
                    out,
                    "response ({}): {r}",
                    g.responded_on.map(|d| d.to_string()).unwrap_or_default()
                )?;
            }
            writeln!(out, "\nHistory:")?;
            for e in &d.events {
                writeln!(
                    out,
                    "  {} {:<14} {:<12} {}",
                    e.at,
                    e.kind,
                    e.actor,
                    e.text.as_deref().unwrap_or("")
                )?;
            }
        }
        GrievancesCommand::Ack { id, common } => {
            let who = actor(&common.by);
            let change = session.run(grievances::acknowledge(
                &risk,
                *id,
                common.on.unwrap_or_else(today),
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(out, "grievance #{id} acknowledged")?;
        }
        GrievancesCommand::Triage {
            id,
            severity,
            supplier,
            facility: f,
            case,
            open_case,
            note,
            common,
        } => {
            let who = actor(&common.by);
            let facility = match f {
                Some(f) => Some(facility(&session, &risk, f)?),
                None => None,
            };
            let policy = session.run(oretrail_risk::db::policies::active(&risk))?;
            let change = session.run(grievances::triage(
                &risk,
                &policy.policy,
                *id,
                &Triage {
                    severity: level(severity)?,
                    supplier: supplier.clone(),
                    facility,
                    case_id: *case,
                    open_case: *open_case,
                    note: note.clone(),
                },
                &who,
            ))?;
            writeln!(
                out,
                "grievance #{id}: {}",
                change.detail.clone().unwrap_or_default()
            )?;
            record(&session, &who, &change)?;
        }
        GrievancesCommand::Note {
            id,
            text,
            investigating,
            common,
        } => {
            let who = actor(&common.by);
            let change = session.run(grievances::note(&risk, *id, text, *investigating, &who))?;
            record(&session, &who, &change)?;
            writeln!(out, "grievance #{id}: note added")?;
        }
        GrievancesCommand::Resolve {
            id,
            resolution,
            response,
            rejected,
            common,
        } => {
            let who = actor(&common.by);
            let change = session.run(grievances::resolve(
                &risk,
                *id,
                *rejected,
                resolution,
                response,
                common.on.unwrap_or_else(today),
                &who,
            ))?;
            record(&session, &who, &change)?;
            writeln!(
                out,
                "grievance #{id} {}",
                if *rejected { "rejected" } else { "resolved" }
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
