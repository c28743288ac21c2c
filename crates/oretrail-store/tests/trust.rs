//! Nothing lost, nothing escapes: verification of originals, backup and restore of a store with
//! submissions, and hostile zip entry names (SQLite).

mod common;

use chrono::NaiveDate;
use oretrail_store::backup::{backup, restore};
use oretrail_store::campaigns::{self, CampaignSpec, ScopeRule};
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::rollup::rollup;
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_supplier_file};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::verify::{table_counts, verify};
use oretrail_store::{Store, StoreConfig, sha256_hex};
use oretrail_template::Family;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

const SUPPLIERS: &str = "\
Vendor No,Vendor Name,DUNS,Country,Tier,Commodities,Contact E-mail,Parent,Spend,Fiscal Year
V100,Acme Power Cells Co. Ltd,,US,1,cobalt;lithium,ops@acme.example,,500000,2025
V200,Dunmore Capacitor Works Ltd.,,IE,1,tin;tantalum;tungsten;gold,,,300000,2025
V300,Cobaltia Cell Technologies,,PL,1,cobalt,,,100000,2025
V400,Marlowe & Finch Components LLC,,US,1,cobalt,,,50000,2025
V500,Northwind Circuit Systems,,US,1,cobalt,,,40000,2025
";

fn spec(name: &str) -> CampaignSpec {
    CampaignSpec {
        name: name.into(),
        period: "2025".into(),
        deadline: None,
        families: [
            (Family::Cmrt, None),
            (Family::Emrt, None),
            (Family::Crt, None),
        ]
        .into_iter()
        .collect(),
        scope: ScopeRule::default(),
    }
}

/// Suppliers and a campaign asking them.
async fn campaign(store: &Store, name: &str) -> i64 {
    let path = store.data_dir().join("suppliers.csv");
    std::fs::write(&path, SUPPLIERS).expect("csv");
    let parsed = parse_supplier_file(&path, &ImportOptions::default()).expect("parse");
    import_suppliers(store, &parsed).await.expect("import");
    std::fs::remove_file(&path).expect("remove csv");
    let (campaign, _) = campaigns::create_campaign(store, &spec(name))
        .await
        .expect("campaign");
    campaign.id
}

/// Ingests the demo templates into a campaign.
async fn ingest_demo(store: &Store, campaign: &str) {
    let pipeline = common::pipeline();
    let analyse = move |bytes: &[u8], name: &str| analyse_with(&pipeline, bytes, name);
    let options = IngestOptions {
        campaign: Some(campaign.into()),
        threads: 2,
        ..IngestOptions::default()
    };
    let report = ingest(
        store,
        &[common::root().join("demo/templates")],
        &options,
        analyse,
        &mut |_| {},
    )
    .await
    .expect("ingest");
    assert!(report.total() > 5);
}

/// Every original under a data directory, hashed.
fn originals_of(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = dir.join("originals");
    for prefix in std::fs::read_dir(&root).expect("originals").flatten() {
        for f in std::fs::read_dir(prefix.path()).expect("prefix").flatten() {
            let bytes = std::fs::read(f.path()).expect("read");
            out.insert(
                f.file_name().to_string_lossy().into_owned(),
                sha256_hex(&bytes),
            );
        }
    }
    out
}

#[test]
fn verify_reports_a_corrupted_original_and_orphans() {
    let rt = common::runtime();
    rt.block_on(async {
        let t = common::sqlite_store("verify").await;
        let store = &t.store;
        campaign(store, "c").await;
        ingest_demo(store, "c").await;
        let clean = verify(store).await.expect("verify");
        assert!(clean.is_clean(), "{clean:#?}");
        assert!(clean.originals_checked > 5);
        assert_eq!(clean.originals_checked, clean.referenced);

        // Corrupt one original (originals are read-only: make it writable first).
        let victim = originals_of(&t.data_dir)
            .into_keys()
            .next()
            .expect("an original");
        let path = store.originals().path_of(&victim);
        let mut perms = std::fs::metadata(&path).expect("meta").permissions();
        #[allow(clippy::permissions_set_readonly_false)]
        perms.set_readonly(false);
        std::fs::set_permissions(&path, perms).expect("writable");
        std::fs::write(&path, b"tampered").expect("tamper");
        // An original nobody refers to, a temporary leftover, a stray file.
        let orphan = store.originals().put(b"orphan bytes").expect("put");
        let tmp = path.with_file_name(".tmp-1-2-abc");
        std::fs::write(&tmp, b"partial").expect("tmp");
        let report = verify(store).await.expect("verify");
        assert_eq!(report.damaged, vec![victim.clone()]);
        assert_eq!(report.unreferenced, vec![orphan.clone()]);
        assert_eq!(report.temporary, vec![tmp]);
        assert!(report.missing.is_empty());
        assert!(!report.is_clean());

        // A missing original.
        std::fs::remove_file(&path).expect("remove");
        let report = verify(store).await.expect("verify");
        assert_eq!(report.missing, vec![victim]);
        assert!(report.damaged.is_empty());
        t.finish().await;
    });
}

#[test]
fn backup_and_restore_compare_everything() {
    let rt = common::runtime();
    rt.block_on(async {
        let t = common::sqlite_store("backup").await;
        let store = &t.store;
        let campaign_id = campaign(store, "c").await;
        ingest_demo(store, "c").await;
        // An original written but not yet referenced (an ingest in progress): not in the backup.
        store.originals().put(b"in flight").expect("put");

        let out = common::temp_dir("backup-out").join("store.oretrail-backup.zip");
        let manifest = backup(store, &out).await.expect("backup");
        assert!(out.is_file());
        assert!(backup(store, &out).await.is_err(), "never overwrites");
        let source_counts = table_counts(store.pool(), store.backend())
            .await
            .expect("counts");
        assert_eq!(manifest.tables, source_counts);
        assert!(manifest.tables["submissions"] > 5);

        let target = common::temp_dir("restored");
        let restored = restore(&out, &target).await.expect("restore");
        assert_eq!(restored.originals, manifest.originals);
        assert!(
            restore(&out, &target).await.is_err(),
            "only into an empty data dir"
        );
        let copy = Store::open(&StoreConfig::sqlite(&target))
            .await
            .expect("open");
        assert_eq!(
            table_counts(copy.pool(), copy.backend())
                .await
                .expect("counts"),
            source_counts
        );
        let mut expected = originals_of(&t.data_dir);
        expected.remove(&sha256_hex(b"in flight"));
        let got = originals_of(&target);
        assert_eq!(got, expected);
        assert!(got.iter().all(|(name, hash)| name == hash));
        let check = verify(&copy).await.expect("verify");
        assert!(check.is_clean(), "{check:#?}");
        let as_of = NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let before = rollup(store, campaign_id, "c", as_of)
            .await
            .expect("rollup");
        let after = rollup(&copy, campaign_id, "c", as_of)
            .await
            .expect("rollup");
        assert!(
            before.submissions >= 2 && !before.lines.is_empty(),
            "{before:#?}"
        );
        assert_eq!(before, after);
        copy.close().await;
        t.finish().await;
        let _ = std::fs::remove_dir_all(&target);
        let _ = std::fs::remove_dir_all(out.parent().expect("dir"));
    });
}

/// Files under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn zip_entry_names_cannot_escape_the_data_dir() {
    let rt = common::runtime();
    rt.block_on(async {
        let outer = common::temp_dir("zip-escape");
        let data_dir = outer.join("data/store");
        let store = Store::open(&StoreConfig::sqlite(&data_dir))
            .await
            .expect("open");
        let demo = common::root().join("demo/templates/Acme Power Cells EMRT 2.1 2026.xlsx");
        let good = std::fs::read(&demo).expect("demo");
        let inbox = outer.join("inbox");
        std::fs::create_dir_all(&inbox).expect("inbox");
        let zip_path = inbox.join("upload.zip");
        let absolute = outer.join("absolute-evil.xlsx");
        {
            let mut w = zip::ZipWriter::new(std::fs::File::create(&zip_path).expect("zip"));
            let opts = zip::write::SimpleFileOptions::default();
            let names = [
                "../../evil".to_string(),
                "../../evil.xlsx".to_string(),
                "data/../../../evil.xlsx".to_string(),
                absolute.display().to_string(),
                "/tmp/oretrail-evil.xlsx".to_string(),
                "ok/reply.xlsx".to_string(),
            ];
            for name in &names {
                w.start_file(name.as_str(), opts).expect("entry");
                w.write_all(&good).expect("write");
            }
            w.finish().expect("finish");
        }
        let before_outside = files_under(&outer);
        let pipeline = common::pipeline();
        let analyse = move |bytes: &[u8], name: &str| analyse_with(&pipeline, bytes, name);
        let report = ingest(
            &store,
            std::slice::from_ref(&zip_path),
            &IngestOptions {
                threads: 1,
                ..IngestOptions::default()
            },
            analyse,
            &mut |_| {},
        )
        .await
        .expect("ingest");
        assert!(report.total() >= 1);
        // Nothing new outside the data directory; inside it, only the database and originals
        // named by their hash.
        let after: Vec<_> = files_under(&outer)
            .into_iter()
            .filter(|p| !p.starts_with(&data_dir))
            .collect();
        let before: Vec<_> = before_outside
            .into_iter()
            .filter(|p| !p.starts_with(&data_dir))
            .collect();
        assert_eq!(after, before);
        assert!(!absolute.exists());
        assert!(!Path::new("/tmp/oretrail-evil.xlsx").exists());
        for p in files_under(&data_dir) {
            let rel = p.strip_prefix(&data_dir).expect("inside");
            let first = rel.components().next().expect("component");
            let ok = match first.as_os_str().to_str() {
                Some("originals") => p
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(oretrail_store::originals::is_sha256_hex),
                Some(name) => name.starts_with("oretrail.db") || name == ".migrate.lock",
                None => false,
            };
            assert!(ok, "unexpected file {}", p.display());
        }
        assert_eq!(
            originals_of(&data_dir).keys().cloned().collect::<Vec<_>>(),
            vec![sha256_hex(&good)]
        );
        store.close().await;
        let _ = std::fs::remove_dir_all(&outer);
    });
}
