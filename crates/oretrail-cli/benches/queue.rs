//! Scale-out benchmark on PostgreSQL (prints figures; not a timed test).
//!
//! ```sh
//! cargo bench -p oretrail-cli --bench queue                       # 100,000 templates
//! ORETRAIL_BENCH_FILES=2000 ORETRAIL_BENCH_ROUND=1000 cargo bench -p oretrail-cli --bench queue
//! ```
//!
//! `ORETRAIL_BENCH_FILES` templates (default 100,000) are queued with the library's
//! `enqueue_items` (originals stored, jobs added) while `ORETRAIL_BENCH_WORKERS` (default 2)
//! `oretrail worker` processes (`--jobs 1` each) take them from the queue. The files are
//! `ORETRAIL_BENCH_BASES` (default 5,000) distinct generated templates, each from its own invented
//! supplier, made byte-distinct by a zip comment (same content, different hash: every one is
//! read, validated, matched and written in full). They arrive in rounds of
//! `ORETRAIL_BENCH_ROUND` (default 10,000), one campaign per round; every supplier is in every
//! campaign, so the last round's roll-up covers one campaign while the tables hold everything.
//! At 1.1–1.6 MB a template, 100,000 originals are about 130 GB: more than this machine's free
//! disk, so each round's originals are deleted once the round is processed (the database keeps
//! everything). Figures: per round, and in total the wall time, throughput per worker, peak RSS
//! per worker (VmHWM) and roll-up at that size.
//!
//! Baselines, measured in the same run: the pipeline alone (read, resolve, validate; no hashing,
//! no storage, no database) on one thread over 200 of the files — so a worker's files/s reads as
//! a share of what one core can do at all — and, for the roll-up, a full scan (`count(*)`) of
//! the smelter rows. Needs PostgreSQL: `ORETRAIL_BENCH_POSTGRES_URL`, else
//! `ORETRAIL_TEST_POSTGRES_URL`, else postgres://postgres@127.0.0.1:5432/postgres.

use oretrail_pipeline::Pipeline;
use oretrail_store::campaigns::{CampaignSpec, ScopeRule, create_campaign};
use oretrail_store::queue::{EnqueueOptions, enqueue_items};
use oretrail_store::rollup::rollup;
use oretrail_store::sources::Item;
use oretrail_store::submissions::analyse_with;
use oretrail_store::supplier_import::{ImportOptions, parse_rows};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig};
use sqlx::{Connection, Row};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of an .xlsx with a zip comment naming `n` (distinct bytes, same content).
fn variant(bytes: &[u8], n: usize) -> Vec<u8> {
    let Some(eocd) = bytes.windows(4).rposition(|w| w == b"PK\x05\x06") else {
        return bytes.to_vec();
    };
    let comment = format!("oretrail bench copy {n}");
    let mut out = bytes[..(eocd + 20).min(bytes.len())].to_vec();
    out.extend_from_slice(&(comment.len() as u16).to_le_bytes());
    out.extend_from_slice(comment.as_bytes());
    out
}

/// Peak resident set size of a process (VmHWM), in MiB.
fn peak_rss_mib(pid: u32) -> Option<f64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse::<f64>()
        .ok()
        .map(|kb| kb / 1024.0)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

struct Worker {
    child: Child,
    peak_mib: f64,
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .expect(sql)
        .try_get(0)
        .expect("scalar")
}

fn main() {
    let files_n = env_usize("ORETRAIL_BENCH_FILES", 100_000);
    let bases_n = env_usize("ORETRAIL_BENCH_BASES", 5_000).min(files_n).max(1);
    let round_n = env_usize("ORETRAIL_BENCH_ROUND", 10_000).max(1);
    let workers_n = env_usize("ORETRAIL_BENCH_WORKERS", 2).max(1);
    let admin = std::env::var("ORETRAIL_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("ORETRAIL_TEST_POSTGRES_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let work = std::env::var("ORETRAIL_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("target/bench-queue"));
    let _ = std::fs::remove_dir_all(&work);
    let bases_dir = work.join("bases");
    let data = work.join("data");
    std::fs::create_dir_all(&bases_dir).expect("bench folder");
    sqlx::any::install_default_drivers();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "queue bench: {files_n} templates ({bases_n} distinct, rounds of {round_n}), \
         {workers_n} workers, load {}",
        load_average()
    );

    // Distinct templates, one invented supplier each, kept on disk (read back per file).
    let started = Instant::now();
    let sources = oretrail_writer::generate::sources_in(&root().join("demo/templates"))
        .expect("demo templates");
    let mut bases: Vec<PathBuf> = Vec::with_capacity(bases_n);
    let mut suppliers = vec![vec![
        "erp_id".to_string(),
        "name".into(),
        "unique_id".into(),
        "spend".into(),
        "period".into(),
    ]];
    for (i, file) in oretrail_writer::generate::generate(bases_n, 7, &sources)
        .expect("generator")
        .enumerate()
    {
        let file = file.expect("generated file");
        let path = bases_dir.join(format!("{i:05}.xlsx"));
        std::fs::write(&path, &file.bytes).expect("write base");
        bases.push(path);
        let s = &file.intended.supplier;
        suppliers.push(vec![
            format!("Q{i:05}"),
            s.company.clone(),
            s.company_id.clone(),
            format!("{}", 1000 + (i * 7919) % 100_000),
            "2025".into(),
        ]);
    }
    println!(
        "generate  {} templates in {:.1} s",
        bases.len(),
        started.elapsed().as_secs_f64()
    );

    // Baseline: the pipeline alone on one thread.
    let mut pipeline = Pipeline::new(oretrail_facilities::FacilityRegistry::default());
    pipeline.learn_folder(&root().join("templates/rmi"));
    let sample: Vec<Vec<u8>> = (0..200.min(files_n))
        .map(|i| variant(&std::fs::read(&bases[i % bases.len()]).expect("base"), i))
        .collect();
    let t = Instant::now();
    for (i, bytes) in sample.iter().enumerate() {
        let a = analyse_with(&pipeline, bytes, &format!("{i}.xlsx"));
        assert!(a.report.is_some(), "a generated file did not read");
    }
    let baseline_rate = sample.len() as f64 / t.elapsed().as_secs_f64();
    drop(sample);
    println!("baseline  pipeline alone, 1 thread: {baseline_rate:.1} files/s");

    // A fresh database, suppliers and one campaign per round.
    let db = "oretrail_bench_queue";
    rt.block_on(async {
        let mut c = sqlx::AnyConnection::connect(&admin).await.expect("admin");
        for sql in [
            format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"),
            format!("CREATE DATABASE {db}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut c)
                .await
                .expect("database");
        }
    });
    let url = match admin.rfind('/') {
        Some(i) => format!("{}/{db}", &admin[..i]),
        None => panic!("the PostgreSQL URL must end in /DATABASE"),
    };
    let store = rt
        .block_on(Store::open(&StoreConfig {
            data_dir: data.clone(),
            database_url: Some(url.clone()),
        }))
        .expect("store");
    rt.block_on(async {
        oretrail_store::facilities::save_registry(&store, pipeline.registry())
            .await
            .expect("registry");
        let parsed = parse_rows(&suppliers, &ImportOptions::default()).expect("suppliers");
        import_suppliers(&store, &parsed).await.expect("import");
    });
    let rounds = files_n.div_ceil(round_n);
    let mut campaigns = Vec::new();
    for r in 0..rounds {
        let spec = CampaignSpec {
            name: format!("bench-{r:02}"),
            period: format!("{}", 2000 + r),
            deadline: None,
            families: Default::default(),
            scope: ScopeRule {
                spend_share: 1.0,
                ..ScopeRule::default()
            },
        };
        campaigns.push(
            rt.block_on(create_campaign(&store, &spec))
                .expect("campaign")
                .0,
        );
    }

    // Workers: separate processes, as in a deployment.
    let mut workers: Vec<Worker> = (0..workers_n)
        .map(|i| Worker {
            child: Command::new(env!("CARGO_BIN_EXE_oretrail"))
                .current_dir(root())
                .arg("--database-url")
                .arg(&url)
                .arg("--data-dir")
                .arg(&data)
                .args(["worker", "--json", "--jobs", "1", "--batch", "16", "--name"])
                .arg(format!("bench-worker-{i}"))
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .expect("worker"),
            peak_mib: 0.0,
        })
        .collect();

    let total_started = Instant::now();
    let mut enqueue_s = 0.0;
    for (r, campaign) in campaigns.iter().enumerate() {
        let from = r * round_n;
        let to = (from + round_n).min(files_n);
        let round_started = Instant::now();
        let paths = bases.clone();
        let options = EnqueueOptions {
            campaign: Some(campaign.spec.name.clone()),
            actor: "bench".into(),
            ..EnqueueOptions::default()
        };
        let report = rt
            .block_on(enqueue_items(
                &store,
                move |emit| {
                    for i in from..to {
                        let base = &paths[i % paths.len()];
                        let Ok(bytes) = std::fs::read(base) else {
                            continue;
                        };
                        let item = Item::File {
                            name: format!("{i:06}.xlsx"),
                            via: "bench",
                            bytes: variant(&bytes, i),
                        };
                        if !emit(item) {
                            return;
                        }
                    }
                },
                &options,
                &mut |_| {},
            ))
            .expect("enqueue");
        let queued_s = round_started.elapsed().as_secs_f64();
        enqueue_s += report.seconds;
        assert_eq!(report.queued, to - from, "every file queued");
        loop {
            for w in &mut workers {
                if let Some(p) = peak_rss_mib(w.child.id()) {
                    w.peak_mib = w.peak_mib.max(p);
                }
                assert!(
                    w.child.try_wait().ok().flatten().is_none(),
                    "a worker exited"
                );
            }
            let pending = rt.block_on(scalar(
                &store,
                "SELECT COUNT(*) FROM ingest_jobs WHERE state IN ('queued', 'running')",
            ));
            if pending == 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let round_s = round_started.elapsed().as_secs_f64();
        let done = rt.block_on(scalar(
            &store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE state = 'done'",
        ));
        println!(
            "round {r:>2}  {} files: queued in {queued_s:.1} s, processed in {round_s:.1} s \
             ({:.1} files/s); {done} done in all; load {}",
            to - from,
            (to - from) as f64 / round_s,
            load_average()
        );
        // The originals of this round go: 100,000 of them do not fit on this disk.
        let originals = data.join("originals");
        let _ = std::fs::remove_dir_all(&originals);
        let _ = std::fs::create_dir_all(&originals);
    }
    let total_s = total_started.elapsed().as_secs_f64();

    // Stop the workers (SIGTERM: each finishes its batch and prints its summary).
    let mut per_worker = Vec::new();
    for w in &mut workers {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(w.child.id().to_string())
            .status();
    }
    for (i, w) in workers.into_iter().enumerate() {
        let peak = w.peak_mib;
        let out = w.child.wait_with_output().expect("worker output");
        let summary: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        let processed = summary["processed"].as_u64().unwrap_or(0);
        per_worker.push((i, processed, peak));
    }

    rt.block_on(async {
        let failed = scalar(
            &store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE state <> 'done'",
        )
        .await;
        let submissions = scalar(&store, "SELECT COUNT(*) FROM submissions").await;
        let rows = scalar(&store, "SELECT COUNT(*) FROM submission_smelters").await;
        let accepted = scalar(
            &store,
            "SELECT COUNT(*) FROM submissions WHERE status = 'accepted'",
        )
        .await;
        let db_size = scalar(&store, "SELECT pg_database_size(current_database())").await;
        println!(
            "total     {files_n} files in {total_s:.1} s = {:.1} files/s ({:.2}× the one-core \
             pipeline baseline); enqueue {enqueue_s:.1} s; {submissions} submissions \
             ({accepted} accepted), {rows} smelter rows, {failed} jobs not done; database \
             {:.2} GiB",
            files_n as f64 / total_s,
            files_n as f64 / total_s / baseline_rate,
            db_size as f64 / (1024.0 * 1024.0 * 1024.0)
        );
        for (i, processed, peak) in &per_worker {
            let rate = *processed as f64 / total_s;
            println!(
                "worker {i}  {processed} files, {rate:.1} files/s ({:.2}× baseline), \
                 peak RSS {peak:.0} MiB",
                rate / baseline_rate
            );
        }
        oretrail_store::db::analyze(&store).await.expect("analyze");
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
        let last = campaigns.last().expect("a campaign");
        let mut scan = Vec::new();
        let mut roll = Vec::new();
        let mut lines = 0;
        for _ in 0..3 {
            let t = Instant::now();
            let _ = scalar(&store, "SELECT COUNT(*) FROM submission_smelters").await;
            scan.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            let r = rollup(&store, last.id, &last.spec.name, as_of)
                .await
                .expect("rollup");
            roll.push(t.elapsed().as_secs_f64());
            lines = r.lines.len();
        }
        scan.sort_by(f64::total_cmp);
        roll.sort_by(f64::total_cmp);
        println!(
            "rollup    campaign {} ({lines} lines) over {submissions} submissions: {:.3} s; \
             baseline full scan {:.3} s ({:.1}×), medians of 3",
            last.spec.name,
            roll[1],
            scan[1],
            roll[1] / scan[1]
        );
        store.close().await;
        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await;
        }
    });
    let _ = std::fs::remove_dir_all(&work);
}
