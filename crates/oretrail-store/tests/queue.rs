//! The ingest queue on both backends: files queued once, processed once by concurrent workers,
//! a dead worker's jobs taken over after its lease, exhausted jobs failed and retried, refused
//! inputs kept on record.

mod common;

use oretrail_store::queue::{
    EnqueueOptions, Enqueued, WorkerOptions, enqueue, queue_status, retry_failed, run_worker,
};
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_supplier_file};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::verify::verify;
use oretrail_store::{Store, sha256_hex};
use sqlx::Row;
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

on_both_backends!(
    queued_files_are_processed_once_by_two_workers,
    a_dead_workers_jobs_are_taken_over_after_its_lease,
);

/// Two suppliers share one name, so one demo file links with a score (needs confirmation)
/// while others link without: the nullable float is bound both ways on one statement.
const SUPPLIERS: &str = "\
Vendor No,Vendor Name,Country,Tier
V100,\"Acme Power Cells Co., Ltd.\",US,1
V200,Dunmore Capacitor Works Ltd.,IE,1
V201,Dunmore Capacitor Works Ltd.,IE,1
V300,Cobaltia Cell Technologies Sp. z o.o.,PL,1
V400,Marlowe & Finch Components LLC,US,1
";

fn demo_folder() -> PathBuf {
    common::root().join("demo/templates")
}

async fn import_demo_suppliers(store: &Store, dir: &Path) {
    let path = dir.join("suppliers.csv");
    std::fs::File::create(&path)
        .and_then(|mut f| f.write_all(SUPPLIERS.as_bytes()))
        .expect("write csv");
    let parsed = parse_supplier_file(&path, &ImportOptions::default()).expect("parse");
    import_suppliers(store, &parsed).await.expect("import");
}

/// A zip with one good template and one entry whose name escapes the folder.
fn zip_with_unsafe_entry(dir: &Path) -> PathBuf {
    let path = dir.join("mixed.zip");
    let file = std::fs::File::create(&path).expect("zip file");
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("../../escape.xlsx", options).expect("entry");
    zip.write_all(b"not really a workbook").expect("write");
    zip.finish().expect("finish");
    path
}

fn options(id: &str) -> WorkerOptions {
    WorkerOptions {
        id: id.into(),
        threads: 1,
        batch: 2,
        lease: Duration::from_secs(30),
        poll: Duration::from_millis(50),
        until_idle: true,
        max_attempts: 3,
        refresh: Duration::from_secs(30),
    }
}

async fn count(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .expect(sql)
        .try_get(0)
        .expect("count")
}

async fn work(store: &Store, id: &str) -> oretrail_store::queue::WorkerReport {
    let pipeline = common::pipeline();
    let analyse = move |b: &[u8], n: &str| analyse_with(&pipeline, b, n);
    run_worker(
        store,
        &options(id),
        analyse,
        Arc::new(AtomicBool::new(false)),
        &mut |_| {},
    )
    .await
    .expect("worker")
}

async fn queued_files_are_processed_once_by_two_workers(store: &Store) {
    let dir = common::temp_dir("queue-inputs");
    import_demo_suppliers(store, &dir).await;
    let zip = zip_with_unsafe_entry(&dir);
    let demo = demo_folder();
    let first = std::fs::read_dir(&demo)
        .expect("demo")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .expect("a demo file");
    let copy = dir.join("copy of a demo file.xlsx");
    std::fs::copy(&first, &copy).expect("copy");

    let report = enqueue(
        store,
        &[demo.clone(), copy.clone(), zip],
        &EnqueueOptions::default(),
        &mut |_| {},
    )
    .await
    .expect("enqueue");
    let demo_files: Vec<PathBuf> = std::fs::read_dir(&demo)
        .expect("demo")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    assert_eq!(report.queued, demo_files.len(), "{report:#?}");
    assert_eq!(report.already_queued, 1, "the copy is the same bytes");
    assert_eq!(report.refused, 1, "the unsafe archive entry is refused");
    let refused = report
        .items
        .iter()
        .find_map(|i| match &i.result {
            Enqueued::Refused { reason, .. } => Some(reason.clone()),
            _ => None,
        })
        .expect("refused item");
    assert!(refused.starts_with("unsafe_entry_name"), "{refused}");

    // Queueing again adds nothing.
    let again = enqueue(
        store,
        std::slice::from_ref(&demo),
        &EnqueueOptions::default(),
        &mut |_| {},
    )
    .await
    .expect("enqueue again");
    assert_eq!(again.queued, 0);
    assert_eq!(again.already_queued, demo_files.len());

    let (sa, sb) = (store.clone(), store.clone());
    let a = tokio::spawn(async move { work(&sa, "worker-a").await });
    let b = tokio::spawn(async move { work(&sb, "worker-b").await });
    let (a, b) = (a.await.expect("worker a"), b.await.expect("worker b"));
    assert_eq!(a.processed + b.processed, demo_files.len(), "{a:?} {b:?}");
    assert_eq!(a.failed + b.failed, 0);

    let status = queue_status(store).await.expect("status");
    assert_eq!(
        status.by_state.get("done").copied(),
        Some(demo_files.len() as i64)
    );
    assert_eq!(status.by_state.get("refused").copied(), Some(1));
    assert_eq!(status.by_state.get("queued"), None);
    assert_eq!(status.by_state.get("running"), None);

    // Every file exactly once, each job pointing at its submission.
    let expected: BTreeSet<String> = demo_files
        .iter()
        .map(|f| sha256_hex(&std::fs::read(f).expect("file")))
        .collect();
    let stored: Vec<String> = sqlx::query("SELECT file_sha256 FROM submissions")
        .fetch_all(store.pool())
        .await
        .expect("submissions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stored.len(), expected.len());
    assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), expected);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM ingest_jobs j JOIN submissions s ON s.id = j.submission_id \
             WHERE j.file_sha256 = s.file_sha256"
        )
        .await,
        demo_files.len() as i64
    );
    // The shared name links with a score; the others link outright.
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM submissions WHERE link_state = 'needs_confirmation' \
             AND link_score = 1.0"
        )
        .await,
        1
    );
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM submissions WHERE link_state = 'linked' AND link_score IS NULL"
        )
        .await,
        3,
        "Acme, Cobaltia and Marlowe & Finch link outright"
    );

    // Queued originals count as referenced: verify is clean.
    let v = verify(store).await.expect("verify");
    assert!(v.is_clean(), "{v:?}");
}

async fn a_dead_workers_jobs_are_taken_over_after_its_lease(store: &Store) {
    let report = enqueue(
        store,
        &[demo_folder()],
        &EnqueueOptions::default(),
        &mut |_| {},
    )
    .await
    .expect("enqueue");
    let n = report.queued as i64;
    assert!(n >= 5);
    // A worker claimed everything and died: its leases ran out long ago.
    sqlx::query(
        "UPDATE ingest_jobs SET state = 'running', claimed_by = 'dead', lease_until = 1, \
         attempts = 1",
    )
    .execute(store.pool())
    .await
    .expect("claim as dead");
    // One job has been claimed as often as allowed: it fails instead of running again.
    let exhausted: i64 = sqlx::query("SELECT MIN(id) FROM ingest_jobs")
        .fetch_one(store.pool())
        .await
        .expect("min")
        .get(0);
    sqlx::query("UPDATE ingest_jobs SET attempts = 3 WHERE id = $1")
        .bind(exhausted)
        .execute(store.pool())
        .await
        .expect("exhaust");

    let w = work(store, "survivor").await;
    assert_eq!(w.processed as i64, n - 1);
    assert_eq!(w.failed, 1);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE state = 'done' AND claimed_by = 'survivor' \
             AND attempts = 2"
        )
        .await,
        n - 1
    );
    let status = queue_status(store).await.expect("status");
    assert_eq!(status.failed.len(), 1);
    assert_eq!(status.failed[0].0, exhausted);

    // Retried by hand, it goes through.
    assert_eq!(retry_failed(store, &[]).await.expect("retry"), 1);
    let w = work(store, "survivor-2").await;
    assert_eq!(w.processed, 1);
    assert_eq!(
        count(
            store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE state = 'done'"
        )
        .await,
        n
    );
    assert_eq!(count(store, "SELECT COUNT(*) FROM submissions").await, n);
}
