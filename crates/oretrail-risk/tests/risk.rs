//! The risk module on both backends: a campaign of the demo files assessed as of dates, its
//! flags opening and joining cases, the escalation ladder with sign-offs and evidence, refiner
//! outreach, programme records, grievances from the public link to the response, policies, and
//! the digest stored and e-mailed to a local SMTP sink.

// The changes these calls return are for the audit log, which these tests do not keep.
#![allow(unused_must_use)]

mod common;

use chrono::{Duration, NaiveDate};
use oretrail_facilities::{RiskLists, RmapStatus, StatusEntry, StatusSnapshot};
use oretrail_risk::db::cases::{self, CaseFilter, NewCase, Step};
use oretrail_risk::db::digest::DigestRun;
use oretrail_risk::db::evidence::{self, NewEvidence};
use oretrail_risk::db::grievances::{self, GrievanceStatus, NewGrievance, Triage};
use oretrail_risk::db::outreach::{self, Commitment, NewOutreach};
use oretrail_risk::db::programme::{
    self, AuditSubject, NewAcknowledgement, NewAudit, NewFinding, NewParticipant, NewTraining,
    Severity,
};
use oretrail_risk::db::{assessments, facts, policies, today};
use oretrail_risk::ladder::Stage;
use oretrail_risk::mail::SmtpSettings;
use oretrail_risk::{FacilityKey, Level, LoadedPolicy, Risk, assess};
use oretrail_store::Store;
use oretrail_store::campaigns::{self, Campaign, CampaignSpec, ScopeRule};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_template::Family;

on_both_backends!(
    campaign_flags_open_cases,
    ladder_sign_offs_and_evidence,
    outreach_and_programme,
    grievance_intake_to_response,
    policy_activation,
    digest_stored_and_emailed,
);

const SUPPLIERS: &str = "\
Vendor No,Vendor Name,Country,Tier,Commodities,Contact E-mail,Spend,Fiscal Year
V100,Acme Power Cells Co. Ltd,US,1,cobalt,,500000,2025
V200,Dunmore Capacitor Works Ltd.,IE,1,tin;tantalum;tungsten;gold,,300000,2025
V300,Marlowe & Finch Components LLC,US,1,cobalt,,50000,2025
V800,无锡宏芯半导体封装有限公司,CN,1,tin;gold,,40000,2025
V900,Quiet Supplier,FR,1,gold,,20000,2025
";

async fn suppliers(store: &Store) {
    let rows = read_csv(SUPPLIERS.as_bytes()).expect("csv");
    let parsed = parse_rows(&rows, &ImportOptions::default()).expect("parse");
    let report = import_suppliers(store, &parsed).await.expect("import");
    assert_eq!(report.created, 5, "{:?}", report.rejected);
}

/// Suppliers, a campaign whose deadline passed 30 days ago, the demo files ingested into it,
/// and two status lists over the facilities they declare.
async fn demo_campaign(store: &Store) -> Campaign {
    suppliers(store).await;
    let spec = CampaignSpec {
        name: "2025 minerals".into(),
        period: "2025".into(),
        deadline: Some(today() - Duration::days(30)),
        families: [Family::Cmrt, Family::Emrt, Family::Crt]
            .into_iter()
            .map(|f| (f, None))
            .collect(),
        scope: ScopeRule {
            spend_share: 1.0,
            ..ScopeRule::default()
        },
    };
    let (campaign, requested) = campaigns::create_campaign(store, &spec)
        .await
        .expect("campaign");
    assert_eq!(requested, 5);
    let pipeline = common::pipeline();
    let options = IngestOptions {
        campaign: Some(spec.name.clone()),
        actor: "analyst".into(),
        threads: 2,
        batch: 8,
        ..IngestOptions::default()
    };
    let analyse = move |bytes: &[u8], name: &str| analyse_with(&pipeline, bytes, name);
    ingest(
        store,
        &[common::root().join("demo/templates")],
        &options,
        analyse,
        &mut |_| {},
    )
    .await
    .expect("ingest");
    let risk = Risk::open(store).await.expect("risk");
    let declared: Vec<FacilityKey> = facts::declared_facilities(&risk)
        .await
        .expect("declared")
        .into_iter()
        .collect();
    assert!(declared.len() > 50, "{}", declared.len());
    // List 1 (200 days ago): every fourth facility non-conformant, active, conformant with a
    // re-audit due in 60 days, or not listed. List 2 (10 days ago): the active ones became
    // conformant.
    for (age, later) in [(200, false), (10, true)] {
        let as_of = today() - Duration::days(age);
        let entries = declared
            .iter()
            .enumerate()
            .filter_map(|(i, k)| {
                let status = match i % 4 {
                    0 => RmapStatus::NonConformant,
                    1 if later => RmapStatus::Conformant,
                    1 => RmapStatus::Active,
                    2 => RmapStatus::Conformant,
                    _ => return None,
                };
                Some(StatusEntry {
                    metal: Some(k.metal.clone()),
                    cid: k.cid.clone(),
                    standard_name: None,
                    country: None,
                    state_province: None,
                    status,
                    status_text: format!("{status:?}"),
                    last_audit: None,
                    last_audit_text: None,
                    audit_cycle_years: Some(1),
                    reaudit_due: (status == RmapStatus::Conformant)
                        .then(|| today() + Duration::days(60)),
                    reaudit_in_progress: None,
                    cross_recognition: None,
                })
            })
            .collect();
        oretrail_store::facilities::add_status_snapshot(
            store,
            &StatusSnapshot {
                as_of,
                source: format!("test list {as_of}"),
                entries,
                skipped: vec![],
            },
        )
        .await
        .expect("snapshot");
    }
    campaign
}

fn policy() -> LoadedPolicy {
    LoadedPolicy::default_policy()
}

async fn campaign_flags_open_cases(store: &Store) {
    let campaign = demo_campaign(store).await;
    let risk = Risk::open(store).await.expect("risk");
    let lists = RiskLists::embedded();
    let now = today();
    let f = facts::campaign_facts(&risk, campaign.id, now)
        .await
        .expect("facts");
    assert_eq!(f.suppliers.len(), 5);
    let quiet = f
        .suppliers
        .iter()
        .find(|s| s.erp_id == "V900")
        .expect("V900");
    assert!(!quiet.submitted && quiet.response.is_none());
    let dunmore = f
        .suppliers
        .iter()
        .find(|s| s.erp_id == "V200")
        .expect("V200");
    let resp = dunmore.response.as_ref().expect("Dunmore's CMRT is read");
    assert_eq!(resp.family, Some(Family::Cmrt));
    assert!(resp.facilities.len() > 10, "{}", resp.facilities.len());

    let a = assess(&policy(), &f, now, &lists);
    let flags = |erp: &str| -> Vec<String> {
        a.supplier(erp)
            .map(|s| s.score.flags.iter().map(|f| f.rule.clone()).collect())
            .unwrap_or_default()
    };
    assert_eq!(flags("V900"), ["supplier_silent_after_deadline"]);
    let d = flags("V200");
    for rule in [
        "supplier_cahra_sourcing",
        "supplier_cahra_unknown",
        "supplier_low_response",
        "supplier_smelters_not_identified",
    ] {
        assert!(d.contains(&rule.to_string()), "{rule} missing in {d:?}");
    }
    assert_eq!(a.supplier("V200").map(|s| s.score.level), Some(Level::High));
    let v800 = flags("V800");
    if !v800.contains(&"supplier_silent_after_deadline".to_string()) {
        assert!(
            v800.contains(&"supplier_template_outdated".to_string()),
            "{v800:?}"
        );
    }
    // Facilities: a quarter non-conformant, a quarter re-audit due soon, a quarter unlisted.
    let with = |rule: &str| a.facilities.iter().filter(|f| f.score.has(rule)).count();
    assert!(with("facility_not_conformant") > 10);
    assert!(with("facility_reaudit_due_soon") > 10);
    assert!(with("facility_not_listed") > 10);
    assert_eq!(with("facility_active_only"), 0, "they became conformant");
    assert!(a.campaign.score > 0.0);
    let sum: f64 = a.campaign.rules.iter().map(|r| r.contribution).sum();
    assert!((sum - a.campaign.score).abs() < 1e-6);

    // As of 150 days ago the active ones were active, the deadline was ahead and nothing had
    // been received yet: recomputed as of any date.
    let past = now - Duration::days(150);
    let old = assess(
        &policy(),
        &facts::campaign_facts(&risk, campaign.id, past)
            .await
            .expect("facts"),
        past,
        &lists,
    );
    assert!(
        old.suppliers.iter().all(|s| s.score.flags.is_empty()),
        "{:?}",
        old.suppliers
    );
    assert!(old.facilities.is_empty(), "no submission had been received");

    // Recorded, then synced into the register.
    let (run, change) = assessments::save(&risk, &a, "analyst").await.expect("save");
    assert_eq!(change.action, "risk.assess");
    let back = assessments::load(&risk, run).await.expect("load");
    assert_eq!(
        (back.suppliers.len(), back.facilities.len()),
        (a.suppliers.len(), a.facilities.len())
    );
    assert_eq!(back.suppliers[0].score.flags, a.suppliers[0].score.flags);
    assert!((back.campaign.score - a.campaign.score).abs() < 1e-9);
    let p = policy().policy;
    let (report, change) = cases::sync(&risk, &p, &a, "analyst").await.expect("sync");
    let flagged = a
        .facilities
        .iter()
        .filter(|f| !f.score.flags.is_empty())
        .count()
        + a.suppliers
            .iter()
            .filter(|s| !s.score.flags.is_empty())
            .count();
    assert_eq!(report.opened.len(), flagged);
    assert!(change.detail.as_deref().unwrap_or("").contains("opened"));
    // The same assessment again changes nothing but the flags' last dates.
    let (again, _) = cases::sync(&risk, &p, &a, "analyst").await.expect("sync");
    assert!(again.opened.is_empty() && again.joined.is_empty() && again.cleared.is_empty());
    let quiet_case = cases::open_case_of(&risk, "supplier:V900")
        .await
        .expect("query")
        .expect("opened");
    let detail = cases::detail(&risk, quiet_case.id).await.expect("detail");
    assert_eq!(detail.flags[0].rule, "supplier_silent_after_deadline");
    assert_eq!(detail.events[0].kind, "opened");
    assert_eq!(
        detail.case.due_date,
        Some(now + Duration::days(60)),
        "medium: 60 days"
    );
    // With the deadline waived, the flag clears and the case says so.
    oretrail_store::campaigns::set_request_status(
        store,
        campaign.id,
        "V900",
        oretrail_store::campaigns::RequestStatus::Waived,
        Some("left the programme"),
        "analyst",
    )
    .await
    .expect("waive");
    let b = assess(
        &policy(),
        &facts::campaign_facts(&risk, campaign.id, now)
            .await
            .expect("facts"),
        now,
        &lists,
    );
    let (r, _) = cases::sync(&risk, &p, &b, "analyst").await.expect("sync");
    assert_eq!(r.cleared, [quiet_case.id]);
    let detail = cases::detail(&risk, quiet_case.id).await.expect("detail");
    assert!(detail.flags[0].cleared_on.is_some());
    assert!(
        detail
            .events
            .last()
            .and_then(|e| e.text.as_deref())
            .unwrap_or("")
            .contains("consider closing")
    );
    let open = cases::list(
        &risk,
        &CaseFilter {
            status: "open".into(),
            level: Some(Level::High),
            ..CaseFilter::default()
        },
    )
    .await
    .expect("list");
    assert!(open.iter().any(|c| c.subject_key == "supplier:V200"));
    assert_eq!(
        assessments::runs(&risk, campaign.id)
            .await
            .expect("runs")
            .len(),
        1
    );
}

async fn ladder_sign_offs_and_evidence(store: &Store) {
    suppliers(store).await;
    let risk = Risk::open(store).await.expect("risk");
    let p = policy().policy;
    let day = |n: i64| today() - Duration::days(100 - n);
    let (id, change) = cases::open(
        &risk,
        &p,
        &NewCase {
            supplier: Some("V100".into()),
            facility: None,
            title: "Cobalt refiner list incomplete".into(),
            owner: Some("ana".into()),
            level: Level::High,
            due: None,
            reason: "customer audit finding".into(),
            on_date: day(0),
        },
        "ana",
    )
    .await
    .expect("open");
    assert_eq!(change.action, "risk.case.open");
    assert!(
        cases::open(
            &risk,
            &p,
            &NewCase {
                supplier: Some("V100".into()),
                facility: None,
                title: "again".into(),
                owner: None,
                level: Level::Low,
                due: None,
                reason: "r".into(),
                on_date: day(0),
            },
            "ana"
        )
        .await
        .is_err(),
        "one open case per subject"
    );
    let step = |stage, n, text: &str, milestones: Vec<(String, NaiveDate)>| Step {
        stage,
        on_date: day(n),
        text: text.into(),
        milestones,
        evidence: vec![],
    };
    cases::step(
        &risk,
        &p,
        id,
        &step(Stage::Engage, 1, "call with supplier", vec![]),
        "ana",
    )
    .await
    .expect("engage");
    assert!(
        cases::step(
            &risk,
            &p,
            id,
            &step(Stage::ImprovementPlan, 5, "plan", vec![]),
            "ana"
        )
        .await
        .is_err(),
        "a plan needs milestones"
    );
    let mut plan = step(
        Stage::ImprovementPlan,
        5,
        "agreed: identify all cobalt refiners",
        vec![("EMRT with all refiners".into(), day(35))],
    );
    plan.evidence = vec![NewEvidence {
        file_name: "../minutes.pdf".into(),
        bytes: b"%PDF minutes of the meeting".to_vec(),
    }];
    cases::step(&risk, &p, id, &plan, "ana")
        .await
        .expect("plan");
    let c = cases::case(&risk, id).await.expect("case");
    assert_eq!(c.stage, Some(Stage::ImprovementPlan));
    assert_eq!(c.due_date, Some(day(5) + Duration::days(90)));
    // Suspending needs a sign-off: the stage waits.
    let (pending, change) = cases::step(
        &risk,
        &p,
        id,
        &step(Stage::Suspend, 40, "milestone missed", vec![]),
        "ana",
    )
    .await
    .expect("suspend");
    assert!(
        change
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("waiting for sign-off")
    );
    assert_eq!(
        cases::case(&risk, id).await.expect("case").stage,
        Some(Stage::ImprovementPlan)
    );
    assert_eq!(
        cases::pending_sign_offs(&risk)
            .await
            .expect("pending")
            .len(),
        1
    );
    assert!(
        cases::sign_off(&risk, &p, pending, "ana", true, "")
            .await
            .is_err(),
        "not by who recorded it"
    );
    cases::sign_off(&risk, &p, pending, "mgr", true, "agreed")
        .await
        .expect("sign off");
    let c = cases::case(&risk, id).await.expect("case");
    assert_eq!((c.stage, c.pending_sign_offs), (Some(Stage::Suspend), 0));
    assert!(
        cases::sign_off(&risk, &p, pending, "mgr", true, "")
            .await
            .is_err(),
        "decided"
    );
    // Going back down needs a reason.
    assert!(
        cases::step(&risk, &p, id, &step(Stage::Engage, 60, " ", vec![]), "ana")
            .await
            .is_err()
    );
    let detail = cases::detail(&risk, id).await.expect("detail");
    let milestone = detail.milestones[0].clone();
    cases::complete_milestone(
        &risk,
        milestone.id,
        day(62),
        "EMRT received",
        &[NewEvidence {
            file_name: "emrt.xlsx".into(),
            bytes: b"the new EMRT".to_vec(),
        }],
        "ana",
    )
    .await
    .expect("milestone done");
    cases::step(
        &risk,
        &p,
        id,
        &step(Stage::Engage, 63, "all refiners identified", vec![]),
        "ana",
    )
    .await
    .expect("de-escalate");
    // Closing a high case waits for a sign-off too.
    cases::close(&risk, &p, id, day(70), "mitigated", &[], "ana")
        .await
        .expect("close");
    assert_eq!(cases::case(&risk, id).await.expect("case").status, "open");
    let pending = cases::pending_sign_offs(&risk).await.expect("pending")[0]
        .event
        .id;
    cases::sign_off(&risk, &p, pending, "mgr", true, "")
        .await
        .expect("sign off");
    let detail = cases::detail(&risk, id).await.expect("detail");
    assert_eq!(detail.case.status, "closed");
    assert_eq!(detail.case.closed_on, Some(day(70)));
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "step",
            "step",
            "step",
            "sign_off",
            "milestone_done",
            "step",
            "close",
            "sign_off"
        ]
    );
    // The evidence is the original, byte for byte, under its hash.
    let ev = &detail.events[2].evidence[0];
    assert_eq!(ev.file_name, "minutes.pdf");
    let (_, bytes) = evidence::read(&risk, ev.id).await.expect("read");
    assert_eq!(bytes, b"%PDF minutes of the meeting");
    assert_eq!(ev.sha256, oretrail_store::sha256_hex(&bytes));
    assert!(store.originals().contains(&ev.sha256));
    assert_eq!(detail.milestones[0].evidence[0].file_name, "emrt.xlsx");
    // Closed cases keep their history and take notes; a new case for the subject links back.
    cases::note(
        &risk,
        id,
        day(80),
        "filed with the annual report",
        &[],
        "ana",
    )
    .await
    .expect("note");
    assert!(
        cases::step(&risk, &p, id, &step(Stage::Engage, 81, "x", vec![]), "ana")
            .await
            .is_err(),
        "closed"
    );
    let (second, _) = cases::open(
        &risk,
        &p,
        &NewCase {
            supplier: Some("V100".into()),
            facility: None,
            title: "New finding".into(),
            owner: None,
            level: Level::Low,
            due: None,
            reason: "grievance".into(),
            on_date: day(90),
        },
        "ana",
    )
    .await
    .expect("second case");
    let second = cases::case(&risk, second).await.expect("case");
    assert_eq!(second.previous_case_id, Some(id));
    assert_eq!(second.owner, "responsible-minerals team");
    assert!(
        cases::reopen(&risk, id, "again", "ana", day(91))
            .await
            .is_err(),
        "one open per subject"
    );
}

async fn outreach_and_programme(store: &Store) {
    suppliers(store).await;
    let risk = Risk::open(store).await.expect("risk");
    let key = FacilityKey::new("cobalt", "CID003000");
    let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    for (date, commitment) in [
        ("2026-01-10", Commitment::Asked),
        ("2026-03-02", Commitment::Committed),
    ] {
        outreach::record(
            &risk,
            &NewOutreach {
                key: key.clone(),
                on_date: d(date),
                contact: "sustainability@refinery.example".into(),
                channel: "e-mail".into(),
                by_whom: "ana".into(),
                answer: Some("will consider RMAP".into()),
                commitment,
                committed_by_date: (commitment == Commitment::Committed).then(|| d("2026-09-30")),
                follow_up_on: Some(d("2026-04-01")),
                case_id: None,
                evidence: vec![NewEvidence {
                    file_name: "letter.pdf".into(),
                    bytes: format!("letter {date}").into_bytes(),
                }],
            },
            "ana",
        )
        .await
        .expect("outreach");
    }
    for (as_of, status) in [
        ("2026-01-01", None),
        ("2026-04-01", Some(RmapStatus::Active)),
    ] {
        let entries = status
            .map(|s| StatusEntry {
                metal: Some("Cobalt".into()),
                cid: key.cid.clone(),
                standard_name: None,
                country: None,
                state_province: None,
                status: s,
                status_text: "Active".into(),
                last_audit: None,
                last_audit_text: None,
                audit_cycle_years: None,
                reaudit_due: None,
                reaudit_in_progress: None,
                cross_recognition: None,
            })
            .into_iter()
            .chain(std::iter::once(StatusEntry {
                metal: Some("Cobalt".into()),
                cid: "CID009999".into(),
                standard_name: None,
                country: None,
                state_province: None,
                status: RmapStatus::Conformant,
                status_text: "Conformant".into(),
                last_audit: None,
                last_audit_text: None,
                audit_cycle_years: None,
                reaudit_due: None,
                reaudit_in_progress: None,
                cross_recognition: None,
            }))
            .collect();
        oretrail_store::facilities::add_status_snapshot(
            store,
            &StatusSnapshot {
                as_of: d(as_of),
                source: as_of.into(),
                entries,
                skipped: vec![],
            },
        )
        .await
        .expect("snapshot");
    }
    let page = outreach::facility(&risk, &key).await.expect("page");
    assert_eq!(page.log.len(), 2);
    assert_eq!(page.log[1].commitment, Commitment::Committed);
    assert_eq!(page.log[0].evidence[0].file_name, "letter.pdf");
    let statuses: Vec<(&str, bool)> = page
        .timeline
        .iter()
        .map(|p| (p.status.as_str(), p.changed))
        .collect();
    assert_eq!(
        statuses,
        [("not listed", false), ("Active", true)],
        "progress shows"
    );
    let overview = outreach::overview(&risk).await.expect("overview");
    assert_eq!(overview[0].contacts, 2);
    assert_eq!(overview[0].follow_up_on, Some(d("2026-04-01")));

    // An RBA audit with findings; a corrective action closed with evidence.
    let (audit_id, _) = programme::record_audit(
        &risk,
        &NewAudit {
            subject: AuditSubject::Supplier("V100".into()),
            site: "Acme cell plant, Ningde".into(),
            audit_type: "VAP initial".into(),
            audit_date: d("2026-02-01"),
            auditor: "Audit Co.".into(),
            score: Some(142.5),
            result: Some("Silver".into()),
            notes: None,
            findings: vec![
                NewFinding {
                    severity: Severity::Minor,
                    finding: "training records incomplete".into(),
                    corrective_action: Some("keep records".into()),
                    owner: Some("plant HR".into()),
                    due_date: Some(d("2026-05-01")),
                },
                NewFinding {
                    severity: Severity::Priority,
                    finding: "excessive overtime".into(),
                    corrective_action: Some("cap weekly hours".into()),
                    owner: None,
                    due_date: Some(d("2026-03-01")),
                },
            ],
            evidence: vec![],
        },
        "ana",
    )
    .await
    .expect("audit");
    assert!(
        programme::record_audit(
            &risk,
            &NewAudit {
                subject: AuditSubject::Supplier("V404".into()),
                site: "x".into(),
                audit_type: "VAP".into(),
                audit_date: d("2026-02-01"),
                auditor: "x".into(),
                score: None,
                result: None,
                notes: None,
                findings: vec![],
                evidence: vec![],
            },
            "ana"
        )
        .await
        .is_err(),
        "unknown supplier"
    );
    let a = programme::audit(&risk, audit_id).await.expect("audit");
    assert_eq!(a.supplier.as_deref(), Some("V100"));
    assert_eq!(a.findings[0].severity, Severity::Priority, "gravest first");
    let priority = a.findings[0].id;
    programme::close_finding(
        &risk,
        priority,
        d("2026-02-25"),
        "hours capped, payroll checked",
        &[NewEvidence {
            file_name: "payroll.xlsx".into(),
            bytes: b"payroll".to_vec(),
        }],
        "ana",
    )
    .await
    .expect("close");
    assert!(
        programme::close_finding(&risk, priority, d("2026-02-26"), "again", &[], "ana")
            .await
            .is_err()
    );
    let open = programme::open_findings(&risk).await.expect("open");
    assert_eq!(open.len(), 1);
    let a = programme::audit(&risk, audit_id).await.expect("audit");
    assert_eq!(a.findings[0].evidence[0].file_name, "payroll.xlsx");
    assert_eq!(
        programme::audits(&risk, Some("V100"))
            .await
            .expect("list")
            .len(),
        1
    );
    assert!(
        programme::audits(&risk, Some("V200"))
            .await
            .expect("list")
            .is_empty()
    );

    // Acknowledgements and training.
    programme::record_acknowledgement(
        &risk,
        &NewAcknowledgement {
            supplier: "V200".into(),
            document: "Supplier Code of Conduct".into(),
            version: "2026".into(),
            signed_on: d("2026-01-15"),
            signed_by: "M. Dunmore, CEO".into(),
            evidence: vec![],
        },
        "ana",
    )
    .await
    .expect("ack");
    let acks = programme::acknowledgements(&risk, Some("V200"))
        .await
        .expect("acks");
    assert_eq!(
        (acks[0].document.as_str(), acks[0].version.as_str()),
        ("Supplier Code of Conduct", "2026")
    );
    let (training, _) = programme::record_training(
        &risk,
        &NewTraining {
            course: "Cobalt due diligence".into(),
            held_on: d("2026-02-10"),
            provider: Some("RMI".into()),
            notes: None,
            participants: vec![
                NewParticipant {
                    supplier: Some("V100".into()),
                    person: "Li Wei".into(),
                    completed: true,
                },
                NewParticipant {
                    supplier: Some("V200".into()),
                    person: "Pat Byrne".into(),
                    completed: false,
                },
            ],
            evidence: vec![],
        },
        "ana",
    )
    .await
    .expect("training");
    let t = programme::training(&risk, training)
        .await
        .expect("training");
    assert_eq!(t.participants.len(), 2);
    assert_eq!(t.participants[0].completed_on, Some(d("2026-02-10")));
    programme::complete(&risk, t.participants[1].id, d("2026-03-01"))
        .await
        .expect("complete");
    let t = programme::trainings(&risk, Some("V200"))
        .await
        .expect("list");
    assert!(t[0].participants.iter().all(|p| p.completed));
}

async fn grievance_intake_to_response(store: &Store) {
    suppliers(store).await;
    let risk = Risk::open(store).await.expect("risk");
    let p = policy().policy;
    let (receipt, change) = grievances::submit(
        &risk,
        &NewGrievance {
            channel: "public_link".into(),
            anonymous: true,
            reporter_name: Some("should not be kept".into()),
            reporter_contact: Some("me@example.org".into()),
            summary: "Child labour at a mine supplying a refinery".into(),
            description: "Seen in March near Kolwezi.".into(),
            ..NewGrievance::default()
        },
        "public link",
    )
    .await
    .expect("submit");
    assert!(receipt.reference.starts_with("G-"));
    assert_eq!(change.action, "risk.grievance.submit");
    let g = grievances::grievance(&risk, receipt.id)
        .await
        .expect("grievance");
    assert!(g.anonymous && g.reporter_name.is_none() && g.reporter_contact.is_none());
    // The reporter follows up with the code; a wrong code learns nothing.
    assert!(
        grievances::follow_up(&risk, &receipt.reference, "WRONG")
            .await
            .expect("q")
            .is_none()
    );
    assert!(
        grievances::follow_up(&risk, "G-0000-NOPE", &receipt.follow_up_code)
            .await
            .expect("q")
            .is_none()
    );
    let s = grievances::follow_up(
        &risk,
        &receipt.reference.to_lowercase(),
        &receipt.follow_up_code,
    )
    .await
    .expect("q")
    .expect("status");
    assert_eq!(s.status, GrievanceStatus::Received);
    grievances::acknowledge(&risk, receipt.id, today(), "ana")
        .await
        .expect("ack");
    grievances::triage(
        &risk,
        &p,
        receipt.id,
        &Triage {
            severity: Level::High,
            supplier: Some("V100".into()),
            facility: None,
            case_id: None,
            open_case: true,
            note: "credible".into(),
        },
        "ana",
    )
    .await
    .expect("triage");
    let g = grievances::grievance(&risk, receipt.id)
        .await
        .expect("grievance");
    assert_eq!(g.status, GrievanceStatus::Triaged);
    let case_id = g.case_id.expect("a case was opened");
    let case = cases::case(&risk, case_id).await.expect("case");
    assert_eq!(
        (case.subject_key.as_str(), case.level),
        ("supplier:V100", Level::High)
    );
    grievances::note(&risk, receipt.id, "site visit planned", true, "ana")
        .await
        .expect("note");
    grievances::resolve(
        &risk,
        receipt.id,
        false,
        "supplier removed the mine from its supply chain",
        "Thank you. The supply chain concerned was changed.",
        today(),
        "ana",
    )
    .await
    .expect("resolve");
    let s = grievances::follow_up(&risk, &receipt.reference, &receipt.follow_up_code)
        .await
        .expect("q")
        .expect("status");
    assert_eq!(s.status, GrievanceStatus::Resolved);
    assert_eq!(
        s.response.as_deref(),
        Some("Thank you. The supply chain concerned was changed.")
    );
    let detail = grievances::detail(&risk, receipt.id).await.expect("detail");
    let kinds: Vec<&str> = detail.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "received",
            "acknowledged",
            "triaged",
            "investigating",
            "resolved"
        ]
    );
    assert!(
        grievances::note(&risk, receipt.id, "late", false, "ana")
            .await
            .is_err(),
        "resolved"
    );
    assert!(
        grievances::submit(
            &risk,
            &NewGrievance {
                channel: "e-mail".into(),
                summary: " ".into(),
                description: "d".into(),
                ..NewGrievance::default()
            },
            "ana"
        )
        .await
        .is_err()
    );
}

async fn policy_activation(store: &Store) {
    let risk = Risk::open(store).await.expect("risk");
    assert_eq!(policies::active(&risk).await.expect("active"), policy());
    let mine = LoadedPolicy::from_toml(
        "[policy]\nname = \"Example Devices cobalt policy\"\nversion = \"3\"\n[thresholds]\nhigh = 40\n",
        "mine.toml",
    )
    .expect("valid");
    let (id, change) = policies::activate(&risk, &mine, "admin")
        .await
        .expect("activate");
    assert!(
        change
            .detail
            .as_deref()
            .unwrap_or("")
            .contains("Example Devices cobalt policy 3")
    );
    let active = policies::active(&risk).await.expect("active");
    assert_eq!(active.policy, mine.policy);
    assert_eq!(active.sha256, mine.sha256);
    assert_eq!(active.origin, format!("active policy #{id}"));
    let history = policies::history(&risk).await.expect("history");
    assert_eq!(history[0].origin, "mine.toml");
    assert_eq!(
        policies::text_of(&risk, &mine.sha256).await.expect("text"),
        Some(mine.text.clone())
    );
    assert_eq!(
        policies::text_of(&risk, &policy().sha256)
            .await
            .expect("text"),
        Some(policy().text),
        "the default is always known"
    );
}

async fn digest_stored_and_emailed(store: &Store) {
    let campaign = demo_campaign(store).await;
    let risk = Risk::open(store).await.expect("risk");
    let lists = RiskLists::embedded();
    // An overdue case, a corrective action due soon, a grievance to acknowledge.
    let p = policy().policy;
    let (overdue_case, _) = cases::open(
        &risk,
        &p,
        &NewCase {
            supplier: Some("V300".into()),
            facility: None,
            title: "Marlowe refiner list".into(),
            owner: Some("ana".into()),
            level: Level::Medium,
            due: Some(today() - Duration::days(3)),
            reason: "test".into(),
            on_date: today() - Duration::days(40),
        },
        "ana",
    )
    .await
    .expect("case");
    programme::record_audit(
        &risk,
        &NewAudit {
            subject: AuditSubject::OwnSite,
            site: "Our assembly plant".into(),
            audit_type: "VAP closure".into(),
            audit_date: today() - Duration::days(20),
            auditor: "Audit Co.".into(),
            score: None,
            result: None,
            notes: None,
            findings: vec![NewFinding {
                severity: Severity::Major,
                finding: "fire exits blocked".into(),
                corrective_action: Some("clear fire exits".into()),
                owner: Some("facilities".into()),
                due_date: Some(today() + Duration::days(5)),
            }],
            evidence: vec![],
        },
        "ana",
    )
    .await
    .expect("audit");
    grievances::submit(
        &risk,
        &NewGrievance {
            received_on: Some(today() - Duration::days(10)),
            channel: "e-mail".into(),
            summary: "Unsafe smelter".into(),
            description: "details".into(),
            ..NewGrievance::default()
        },
        "ana",
    )
    .await
    .expect("grievance");

    let (port, sink) = common::smtp_sink().await;
    let smtp = SmtpSettings {
        url: format!("smtp://127.0.0.1:{port}"),
        from: "oretrail@example.com".into(),
        to: vec!["compliance@example.com".into(), "cpo@example.com".into()],
    };
    let run = DigestRun {
        today: today(),
        actor: "digest".into(),
        base_url: Some("https://oretrail.example".into()),
        reassess: true,
        company: "Example Devices".into(),
    };
    let (stored, changes) =
        oretrail_risk::db::digest::run(&risk, &policy(), &lists, &run, Some(&smtp))
            .await
            .expect("digest");
    assert!(stored.send_error.is_none(), "{:?}", stored.send_error);
    assert!(stored.sent_at.is_some());
    let actions: Vec<&str> = changes.iter().map(|c| c.action.as_str()).collect();
    assert_eq!(actions, ["risk.assess", "risk.cases.sync", "risk.digest"]);
    let d = &stored.digest;
    assert!(
        d.overdue
            .iter()
            .any(|i| i.kind == "case" && i.id == overdue_case),
        "{:?}",
        d.overdue
    );
    assert!(
        d.overdue.iter().any(|i| i.kind == "grievance"),
        "acknowledgement was due in 7 days"
    );
    assert!(d.due_soon.iter().any(|i| i.kind == "corrective_action"));
    assert!(
        !d.new_high.is_empty(),
        "the first assessment's high risks are new"
    );
    assert!(d.new_high.iter().any(|h| h.subject.starts_with("V200")));
    // The first digest compares the lists known before the newest import: the active
    // facilities that became conformant.
    assert!(!d.status_changes.is_empty());
    assert!(
        d.status_changes
            .iter()
            .all(|c| c.from == "Active" && c.to == "Conformant" && !c.worse)
    );
    let (rcpt, data) = sink.await.expect("sink");
    let data = quoted_printable(&data);
    assert_eq!(rcpt.len(), 2);
    assert!(
        data.contains("Subject: Example Devices responsible minerals digest"),
        "{data}"
    );
    assert!(
        data.contains("https://oretrail.example/risk/cases/"),
        "{data}"
    );
    assert!(stored.text.contains("Overdue"));

    // The next digest: nothing newly high, no new list; a new list where a declared facility
    // lost its conformance shows as a change for the worse.
    let (second, _) = oretrail_risk::db::digest::run(
        &risk,
        &policy(),
        &lists,
        &DigestRun {
            reassess: true,
            ..run.clone()
        },
        None,
    )
    .await
    .expect("digest");
    assert!(
        second.digest.new_high.is_empty(),
        "{:?}",
        second.digest.new_high
    );
    assert!(second.digest.status_changes.is_empty());
    assert!(second.sent_at.is_none() && second.recipients.is_none());
    let declared = facts::declared_facilities(&risk).await.expect("declared");
    let lost = declared.iter().nth(2).expect("a facility").clone();
    oretrail_store::facilities::add_status_snapshot(
        store,
        &StatusSnapshot {
            as_of: today(),
            source: "today".into(),
            entries: vec![StatusEntry {
                metal: Some(lost.metal.clone()),
                cid: lost.cid.clone(),
                standard_name: None,
                country: None,
                state_province: None,
                status: RmapStatus::NonConformant,
                status_text: "Non Conformant".into(),
                last_audit: None,
                last_audit_text: None,
                audit_cycle_years: None,
                reaudit_due: None,
                reaudit_in_progress: None,
                cross_recognition: None,
            }],
            skipped: vec![],
        },
    )
    .await
    .expect("snapshot");
    let (third, _) = oretrail_risk::db::digest::run(
        &risk,
        &policy(),
        &lists,
        &DigestRun {
            reassess: false,
            ..run
        },
        None,
    )
    .await
    .expect("digest");
    let changes = &third.digest.status_changes;
    assert!(
        changes.iter().any(|c| c.key == lost && c.worse),
        "{changes:?}"
    );
    assert_eq!(
        oretrail_risk::db::digest::recent(&risk, 10)
            .await
            .expect("recent")
            .len(),
        3
    );
    assert_eq!(
        assessments::runs(&risk, campaign.id)
            .await
            .expect("runs")
            .len(),
        2
    );
}

/// Undoes quoted-printable soft line breaks and escapes (enough to read the digest e-mail).
fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
