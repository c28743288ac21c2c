//! The store's reads for other crates, on both backends: a campaign as of a date (request
//! statuses, each supplier's latest submission — a later file invisible before its day, the
//! superseded one gone after it), current submissions, their problems and smelter rows, and the
//! facilities they declare.

mod common;

use chrono::NaiveDate;
use oretrail_store::Store;
use oretrail_store::campaigns::{self, CampaignSpec, RequestStatus, ScopeRule};
use oretrail_store::declared::{
    facilities_declared_in_any_submission, metals_of_cid, suppliers_naming_facility,
};
use oretrail_store::history::{latest_linked_submissions_as_of, request_statuses_as_of};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::submissions::{
    Outcome, analyse_with, campaign_problems, confirm_supplier, current_linked_submissions,
    list_submissions, submission_reports, submission_smelter_rows,
};
use oretrail_store::supplier_import::{ImportOptions, parse_rows, read_csv};
use oretrail_store::suppliers::import_suppliers;
use oretrail_template::Family;

on_both_backends!(a_campaign_as_of_dates_and_its_current_submissions);

const SUPPLIERS: &str = "\
Vendor No,Vendor Name,Country,Tier,Commodities,Contact E-mail,Spend,Fiscal Year
V100,Acme Power Cells Co. Ltd,US,1,cobalt,,500000,2025
V900,Quiet Supplier,FR,1,gold,,20000,2025
";

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

/// Ingests one demo file into the campaign; its submission ID.
async fn ingest_demo(store: &Store, name: &str) -> i64 {
    let pipeline = common::pipeline();
    let options = IngestOptions {
        campaign: Some("2025 minerals".into()),
        actor: "analyst@test".into(),
        threads: 1,
        ..IngestOptions::default()
    };
    let report = ingest(
        store,
        &[common::root().join("demo/templates").join(name)],
        &options,
        move |bytes: &[u8], name: &str| analyse_with(&pipeline, bytes, name),
        &mut |_| {},
    )
    .await
    .expect("ingest");
    match &report.items[..] {
        [item] => match item.outcome {
            Outcome::New { submission_id }
            | Outcome::AcceptedWithWarnings { submission_id, .. }
            | Outcome::Rejected { submission_id, .. }
            | Outcome::NeedsReview { submission_id, .. } => submission_id,
            ref other => panic!("{name}: {other:?}"),
        },
        items => panic!("{items:?}"),
    }
}

/// Dates a submission's receipt, and the request's events not backdated yet (stamped now).
async fn backdate(store: &Store, submission_id: i64, request_id: i64, at: &str) {
    sqlx::query("UPDATE submissions SET received_at = $1 WHERE id = $2")
        .bind(at.to_string())
        .bind(submission_id)
        .execute(store.pool())
        .await
        .expect("date submission");
    sqlx::query(
        "UPDATE request_events SET at = $1 WHERE request_id = $2 AND at > '2025-12-31T23:59:59Z'",
    )
    .bind(at.to_string())
    .bind(request_id)
    .execute(store.pool())
    .await
    .expect("date events");
}

async fn a_campaign_as_of_dates_and_its_current_submissions(store: &Store) {
    let rows = read_csv(SUPPLIERS.as_bytes()).expect("csv");
    let parsed = parse_rows(&rows, &ImportOptions::default()).expect("parse");
    import_suppliers(store, &parsed).await.expect("import");
    let spec = CampaignSpec {
        name: "2025 minerals".into(),
        period: "2025".into(),
        deadline: Some(date(2025, 9, 30)),
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
    assert_eq!(requested, 2);
    let request_of = |erp: &'static str| async move {
        campaigns::requests(store, campaign.id)
            .await
            .expect("requests")
            .into_iter()
            .find(|r| r.erp_id == erp)
            .expect("request")
    };
    let acme_request = request_of("V100").await;
    let quiet_request = request_of("V900").await;

    // Acme's own file arrives on 1 March; on 1 June an analyst links a second file (Cobaltia's
    // EMRT, whose company is not a supplier) to Acme, which supersedes the first.
    let first = ingest_demo(store, "Acme Power Cells EMRT 2.1 2026.xlsx").await;
    backdate(store, first, acme_request.id, "2025-03-01T10:00:00Z").await;
    let after_first = request_of("V100").await.status;
    let second = ingest_demo(store, "Cobaltia Cell Technologies - EMRT 2.1.xlsx").await;
    confirm_supplier(store, second, "V100", "analyst@test")
        .await
        .expect("confirm");
    backdate(store, second, acme_request.id, "2025-06-01T10:00:00Z").await;
    let after_second = request_of("V100").await.status;
    let listed = list_submissions(store, Some(campaign.id), false)
        .await
        .expect("list");
    let superseded = |id: i64| {
        listed
            .iter()
            .find(|s| s.id == id)
            .and_then(|s| s.superseded_by)
    };
    assert_eq!(superseded(first), Some(second));
    assert_eq!(superseded(second), None);

    // Latest linked submission per supplier as of a date.
    let latest_on = |day: NaiveDate| async move {
        latest_linked_submissions_as_of(store, campaign.id, day)
            .await
            .expect("as of")
            .into_iter()
            .map(|s| {
                (
                    s.supplier_id,
                    s.latest_readable.map(|d| (d.id, d.received_at)),
                )
            })
            .collect::<Vec<_>>()
    };
    let acme = acme_request.supplier_id;
    assert_eq!(latest_on(date(2025, 2, 28)).await, []);
    assert_eq!(
        latest_on(date(2025, 3, 1)).await,
        [(acme, Some((first, "2025-03-01T10:00:00Z".to_string())))]
    );
    assert_eq!(
        latest_on(date(2025, 5, 31)).await,
        [(acme, Some((first, "2025-03-01T10:00:00Z".to_string())))],
        "the later file does not show before its day"
    );
    assert_eq!(
        latest_on(date(2025, 6, 1)).await,
        [(acme, Some((second, "2025-06-01T10:00:00Z".to_string())))],
        "the superseded file does not show after it"
    );

    // Request status as of a date.
    let status_on = |day: NaiveDate| async move {
        request_statuses_as_of(store, campaign.id, day)
            .await
            .expect("statuses")
    };
    // No event before the first file: every request was still to be sent.
    assert!(status_on(date(2025, 2, 28)).await.is_empty());
    assert_eq!(
        status_on(date(2025, 5, 31)).await.get(&acme_request.id),
        Some(&after_first)
    );
    assert_eq!(after_first, RequestStatus::Accepted);
    let june = status_on(date(2025, 6, 1)).await;
    assert_eq!(june.get(&acme_request.id), Some(&after_second));
    assert_eq!(june.get(&quiet_request.id), None, "never changed");

    // Current submissions: the superseding one only, with its report.
    let current = current_linked_submissions(store, campaign.id)
        .await
        .expect("current");
    assert_eq!(current.len(), 1, "{current:?}");
    assert_eq!(current[0].id, second);
    assert_eq!(current[0].erp_id, "V100");
    assert_eq!(current[0].received_at, "2025-06-01T10:00:00Z");
    assert!(current[0].report.is_some());
    let problems = campaign_problems(store, campaign.id)
        .await
        .expect("problems");
    assert!(problems.iter().all(|p| p.submission_id == second));

    // Smelter rows and reports of chosen submissions, in submission and row order.
    let smelters = submission_smelter_rows(store, &[second, first])
        .await
        .expect("smelter rows");
    assert!(smelters.iter().any(|r| r.submission_id == first));
    assert!(smelters.iter().any(|r| r.submission_id == second));
    assert!(
        smelters
            .windows(2)
            .all(|w| (w[0].submission_id, w[0].sheet_row) < (w[1].submission_id, w[1].sheet_row))
    );
    let reports = submission_reports(store, &[second, first])
        .await
        .expect("reports");
    assert_eq!(
        reports.iter().map(|r| r.submission_id).collect::<Vec<_>>(),
        [first, second]
    );

    // Facilities declared in current submissions, who names them, and their metals.
    let declared = facilities_declared_in_any_submission(store)
        .await
        .expect("declared");
    let named = smelters
        .iter()
        .find(|r| r.submission_id == second && r.cid.is_some())
        .expect("a resolved row");
    let cid = named.cid.clone().expect("cid");
    assert!(
        declared
            .iter()
            .any(|d| d.metal_key == named.metal_key && d.cid == cid)
    );
    for d in &declared {
        assert!(
            smelters
                .iter()
                .any(|r| r.submission_id == second && r.cid.as_ref() == Some(&d.cid)),
            "{d:?} comes from the current submission"
        );
    }
    let naming = suppliers_naming_facility(store, &named.metal_key, &cid)
        .await
        .expect("naming");
    assert_eq!(naming.len(), 1, "{naming:?}");
    assert_eq!(naming[0].erp_id, "V100");
    assert_eq!(naming[0].submission_id, second);
    assert_eq!(naming[0].campaign, "2025 minerals");
    assert!(
        metals_of_cid(store, &cid)
            .await
            .expect("metals")
            .contains(&named.metal_key)
    );
    assert!(
        metals_of_cid(store, "CID999999")
            .await
            .expect("metals")
            .is_empty()
    );
}
