//! The store on both backends: registry and status history, suppliers, campaigns, ingestion of
//! the demo files (folder and zip), duplicates, superseding, status and roll-up.

mod common;

use chrono::NaiveDate;
use oretrail_facilities::import_status_csv;
use oretrail_store::campaigns::{self, CampaignSpec, RequestStatus, ScopeRule};
use oretrail_store::coverage::campaign_status;
use oretrail_store::facilities::{
    add_status_snapshot, load_registry, load_snapshots_with_ids, load_status_history, save_registry,
};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::rollup::rollup;
use oretrail_store::submissions::{
    Outcome, analyse_with, confirm_supplier, list_submissions, original_of,
};
use oretrail_store::supplier_import::{ImportOptions, parse_supplier_file};
use oretrail_store::suppliers::{import_suppliers, list_suppliers};
use oretrail_store::{Store, sha256_hex};
use oretrail_template::Family;
use std::io::Write;

on_both_backends!(
    registry_and_status_history_round_trip,
    supplier_imports_are_rerunnable,
    a_campaign_from_ingest_to_rollup,
);

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn registry_and_status_history_round_trip(store: &Store) {
    let registry = common::pipeline().registry().clone();
    assert!(registry.facilities().len() > 500, "blank templates learned");
    assert!(
        load_registry(store)
            .await
            .expect("load")
            .facilities()
            .is_empty()
    );
    save_registry(store, &registry).await.expect("save");
    let back = load_registry(store).await.expect("load");
    assert_eq!(back, registry);
    save_registry(store, &back)
        .await
        .expect("save again replaces");
    assert_eq!(load_registry(store).await.expect("load"), registry);

    let q1 = "Metal,Smelter ID,Standard Smelter Name,Country,Assessment Status,Last Audit Date,Audit Cycle\n\
              Gold,CID000157,Boliden Ronnskar,SWEDEN,Conformant,2024-03-15,1 Year\n";
    let q3 = "Metal,Smelter ID,Assessment Status\nGold,CID000157,Non Conformant\n";
    let s1 = import_status_csv(q1.as_bytes(), "q1.csv", date(2025, 3, 31)).expect("q1");
    let s3 = import_status_csv(q3.as_bytes(), "q3.csv", date(2025, 9, 30)).expect("q3");
    add_status_snapshot(store, &s3).await.expect("add");
    add_status_snapshot(store, &s1).await.expect("add");
    let history = load_status_history(store).await.expect("history");
    assert_eq!(history.snapshots(), &[s1.clone(), s3.clone()]);
    let with_ids = load_snapshots_with_ids(store, Some(date(2025, 6, 1)))
        .await
        .expect("with ids");
    assert_eq!(with_ids.len(), 1);
    assert_eq!(with_ids[0].snapshot, s1);
    let all = load_snapshots_with_ids(store, None).await.expect("all");
    assert_eq!(all[1].snapshot, s3);
    assert!(all[0].id > all[1].id, "ordered by date, not by ID");
    let at = |d| {
        history
            .status_as_of("CID000157", d)
            .map(|s| s.source.to_string())
    };
    assert_eq!(at(date(2025, 6, 1)).as_deref(), Some("q1.csv"));
    assert_eq!(at(date(2025, 12, 1)).as_deref(), Some("q3.csv"));
}

const SUPPLIERS: &str = "\
Vendor No,Vendor Name,DUNS,Country,Tier,Commodities,Contact E-mail,Parent,Spend,Fiscal Year
V100,Acme Power Cells Co. Ltd,,US,1,cobalt;lithium,ops@acme.example,,500000,2025
V200,Dunmore Capacitor Works Ltd.,,IE,1,tin;tantalum;tungsten;gold,,,300000,2025
V300,Cobaltia Cell Technologies,,PL,1,cobalt,,,100000,2025
V400,Marlowe & Finch Components LLC,,US,1,cobalt,,,50000,2025
V500,Northwind Circuit Systems,,US,1,cobalt,,,40000,2025
V600,Orbis Relay,,DE,1,tin,,,30000,2025
V900,Quiet Supplier,,FR,1,gold,,,20000,2025
V910,Tier Two Refiner,,CN,2,cobalt,,V100,,
V999,,,,,,,,,
V998,Bad Spend,,,1,,,,lots,2025
";

fn write_suppliers(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("suppliers.csv");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(SUPPLIERS.as_bytes()))
        .expect("write csv");
    path
}

async fn supplier_imports_are_rerunnable(store: &Store) {
    let path = write_suppliers(store.data_dir());
    let parsed = parse_supplier_file(&path, &ImportOptions::default()).expect("parse");
    let first = import_suppliers(store, &parsed).await.expect("import");
    assert_eq!((first.created, first.updated), (8, 0));
    assert_eq!(first.rejected.len(), 2, "{:?}", first.rejected);
    assert_eq!(first.links, 1);
    assert_eq!(first.spend_rows, 7);
    let again = import_suppliers(store, &parsed)
        .await
        .expect("import again");
    assert_eq!((again.created, again.updated), (0, 8));
    let all = list_suppliers(store).await.expect("list");
    assert_eq!(all.len(), 8);
    let acme = all.iter().find(|s| s.erp_id == "V100").expect("V100");
    assert_eq!(acme.commodities, ["cobalt", "lithium"]);
    let t2 = all.iter().find(|s| s.erp_id == "V910").expect("V910");
    assert_eq!(t2.tier, 2);
}

fn spec(name: &str) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        period: "2025".into(),
        deadline: Some(date(2026, 3, 31)),
        families: [
            (Family::Cmrt, Some("6.22".to_string())),
            (Family::Emrt, None),
            (Family::Crt, None),
        ]
        .into_iter()
        .collect(),
        scope: ScopeRule {
            spend_share: 0.95,
            include: vec!["V910".into()],
            ..ScopeRule::default()
        },
    }
}

async fn a_campaign_from_ingest_to_rollup(store: &Store) {
    let path = write_suppliers(store.data_dir());
    let parsed = parse_supplier_file(&path, &ImportOptions::default()).expect("parse");
    import_suppliers(store, &parsed).await.expect("import");
    let (campaign, requested) = campaigns::create_campaign(store, &spec("2025 minerals"))
        .await
        .expect("campaign");
    // 1,040,000 of tier-1 spend: V100..V500 reach 990,000 (95.2%); V600 and V900 are not
    // needed; the Tier 2 V910 is listed.
    assert_eq!(requested, 6);
    assert!(
        campaigns::create_campaign(store, &spec("2025 minerals"))
            .await
            .is_err()
    );

    // A zip holding two demo files (the same bytes as in the folder) and a hostile name.
    let demo = common::root().join("demo/templates");
    let zip_path = store.data_dir().join("inbox.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("zip"));
        let opts = zip::write::SimpleFileOptions::default();
        for name in [
            "Acme Power Cells EMRT 2.1 2026.xlsx",
            "Marlowe-Finch EMRT 1.3 2024.xlsx",
        ] {
            w.start_file(format!("replies/{name}"), opts)
                .expect("entry");
            w.write_all(&std::fs::read(demo.join(name)).expect("demo file"))
                .expect("write");
        }
        w.start_file("../../escape.xlsx", opts).expect("entry");
        w.write_all(b"x").expect("write");
        w.finish().expect("finish");
    }
    let pipeline = common::pipeline();
    let options = IngestOptions {
        campaign: Some("2025 minerals".into()),
        actor: "analyst@test".into(),
        threads: 2,
        batch: 4,
        ..IngestOptions::default()
    };
    let analyse = {
        let p = pipeline.clone();
        move |bytes: &[u8], name: &str| analyse_with(&p, bytes, name)
    };
    let mut seen = 0;
    let report = ingest(
        store,
        &[demo.clone(), zip_path.clone()],
        &options,
        analyse.clone(),
        &mut |_| seen += 1,
    )
    .await
    .expect("ingest");
    assert_eq!(seen, report.total());
    assert_eq!(
        report.total(),
        16,
        "13 demo files, 2 zip entries, 1 refused entry"
    );
    assert_eq!(report.duplicate, 2, "{:#?}", report.items);
    assert!(
        report.rejected_by_reason.contains_key("legacy_xls"),
        "{:?}",
        report.rejected_by_reason
    );
    assert!(report.rejected_by_reason.contains_key("not_ooxml"));
    assert!(
        report.needs_review >= 1,
        "Northwind declares no company; Chinese suppliers are unknown"
    );
    let escape = report
        .items
        .iter()
        .find(|i| i.name.ends_with("escape.xlsx"))
        .expect("refused entry listed");
    assert!(matches!(&escape.outcome, Outcome::NotStored { reason } if reason.contains("unsafe")));
    let acme_item = report
        .items
        .iter()
        .find(|i| {
            i.name.ends_with("Acme Power Cells EMRT 2.1 2026.xlsx") && !i.name.contains("inbox.zip")
        })
        .expect("acme");
    let accepted = |o: &Outcome| {
        matches!(
            o,
            Outcome::New { .. } | Outcome::AcceptedWithWarnings { .. }
        )
    };
    assert!(accepted(&acme_item.outcome), "{acme_item:?}");

    // Originals come back byte for byte.
    let acme_bytes = std::fs::read(demo.join("Acme Power Cells EMRT 2.1 2026.xlsx")).expect("read");
    let acme_id = match acme_item.outcome {
        Outcome::New { submission_id } | Outcome::AcceptedWithWarnings { submission_id, .. } => {
            submission_id
        }
        _ => unreachable!(),
    };
    let (name, bytes) = original_of(store, acme_id).await.expect("original");
    assert_eq!(bytes, acme_bytes);
    assert!(name.ends_with("Acme Power Cells EMRT 2.1 2026.xlsx"));
    assert_eq!(
        acme_item.sha256.as_deref(),
        Some(sha256_hex(&acme_bytes).as_str())
    );

    // Safe to re-run: everything read before is recognised, nothing is added.
    let before = list_submissions(store, Some(campaign.id), false)
        .await
        .expect("list")
        .len();
    let again = ingest(
        store,
        &[demo.clone(), zip_path],
        &options,
        analyse.clone(),
        &mut |_| {},
    )
    .await
    .expect("ingest again");
    assert_eq!(again.duplicate, 15, "{:?}", again.rejected_by_reason);
    assert_eq!(
        again.new + again.accepted_with_warnings + again.needs_review,
        0
    );
    assert_eq!(
        list_submissions(store, Some(campaign.id), false)
            .await
            .expect("list")
            .len(),
        before
    );

    // Requests follow the submissions.
    let requests = campaigns::requests(store, campaign.id)
        .await
        .expect("requests");
    let status_of = |erp: &str| requests.iter().find(|r| r.erp_id == erp).map(|r| r.status);
    assert_eq!(status_of("V100"), Some(RequestStatus::Accepted));
    assert_eq!(status_of("V600"), None, "out of scope");
    assert_eq!(status_of("V910"), Some(RequestStatus::ToSend));

    // An analyst confirms the supplier of the file without a company name.
    let review = list_submissions(store, Some(campaign.id), true)
        .await
        .expect("review");
    let northwind = review
        .iter()
        .find(|s| s.original_name.contains("Northwind"))
        .expect("Northwind needs review");
    confirm_supplier(store, northwind.id, "V500", "analyst@test")
        .await
        .expect("confirm");
    let requests = campaigns::requests(store, campaign.id)
        .await
        .expect("requests");
    assert_ne!(
        requests
            .iter()
            .find(|r| r.erp_id == "V500")
            .map(|r| r.status),
        Some(RequestStatus::ToSend)
    );
    campaigns::set_request_status(
        store,
        campaign.id,
        "V910",
        RequestStatus::Waived,
        Some("no cobalt in 2025 parts"),
        "analyst@test",
    )
    .await
    .expect("waive");
    assert!(
        campaigns::set_request_status(
            store,
            campaign.id,
            "V910",
            RequestStatus::Rejected,
            None,
            "x"
        )
        .await
        .is_err(),
        "rejections need a reason"
    );

    // Status: coverage of in-scope spend by accepted submissions.
    let status = campaign_status(store, &campaign).await.expect("status");
    assert_eq!(status.requests, 6);
    assert_eq!(status.waived, 1);
    assert!(
        status.overall.covered_spend >= 500_000.0,
        "{:?}",
        status.overall
    );
    assert!(status.overall.coverage < 1.0);
    assert!(!status.missing.is_empty());
    let spends: Vec<f64> = status.missing.iter().map(|m| m.spend).collect();
    assert!(
        spends.windows(2).all(|w| w[0] >= w[1]),
        "ranked by spend: {spends:?}"
    );
    assert!(
        status
            .per_mineral
            .iter()
            .any(|c| c.mineral == "cobalt" && c.covered_spend > 0.0)
    );
    assert!(!status.problems.is_empty() || status.overall.accepted > 0);

    // Roll-up: facilities of accepted submissions, statuses as of a date.
    let first = rollup(store, campaign.id, "2025 minerals", date(2026, 1, 1))
        .await
        .expect("rollup");
    assert!(first.submissions >= 2);
    let cobalt: Vec<_> = first
        .lines
        .iter()
        .filter(|l| l.metal.eq_ignore_ascii_case("cobalt"))
        .collect();
    assert!(!cobalt.is_empty());
    assert!(cobalt.iter().all(|l| l.supplier_count == l.suppliers.len()));
    let some = cobalt
        .iter()
        .find(|l| l.cid.is_some())
        .expect("a resolved cobalt refiner");
    let cid = some.cid.clone().expect("cid");
    let list = format!("Metal,Smelter ID,Assessment Status\nCobalt,{cid},Active\n");
    let snap = import_status_csv(list.as_bytes(), "cobalt.csv", date(2025, 12, 1)).expect("list");
    add_status_snapshot(store, &snap).await.expect("snapshot");
    let later = rollup(store, campaign.id, "2025 minerals", date(2026, 1, 1))
        .await
        .expect("rollup");
    let line = later
        .lines
        .iter()
        .find(|l| l.cid.as_deref() == Some(cid.as_str()))
        .expect("line");
    assert_eq!(line.status.as_deref(), Some("active"));
    assert_eq!(line.status_as_of, Some(date(2025, 12, 1)));
    let earlier = rollup(store, campaign.id, "2025 minerals", date(2025, 6, 1))
        .await
        .expect("rollup");
    let line = earlier
        .lines
        .iter()
        .find(|l| l.cid.as_deref() == Some(cid.as_str()))
        .expect("line");
    assert_eq!(line.status, None, "no snapshot before that date");

    // Superseding: Acme sends another file; the first one stays as history.
    let cobaltia = list_submissions(store, Some(campaign.id), false)
        .await
        .expect("list")
        .into_iter()
        .find(|s| s.original_name.contains("Cobaltia"))
        .expect("cobaltia");
    confirm_supplier(store, cobaltia.id, "V100", "analyst@test")
        .await
        .expect("relink");
    let all = list_submissions(store, Some(campaign.id), false)
        .await
        .expect("list");
    let acme_first = all.iter().find(|s| s.id == acme_id).expect("kept");
    assert_eq!(acme_first.superseded_by, Some(cobaltia.id));
}

#[test]
fn concurrent_opens_of_a_new_sqlite_store_migrate_once() {
    let dir = common::temp_dir("concurrent-open");
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                common::runtime().block_on(async {
                    let store = Store::open(&oretrail_store::StoreConfig::sqlite(&dir)).await?;
                    store.close().await;
                    Ok::<(), oretrail_store::StoreError>(())
                })
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread").expect("open");
    }
    std::fs::remove_dir_all(&dir).ok();
}
