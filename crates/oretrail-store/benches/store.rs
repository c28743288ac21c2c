//! Store benchmark (prints figures; not a timed test).
//!
//! ```sh
//! cargo bench -p oretrail-store --bench store
//! ORETRAIL_BENCH_SET=/path/to/generated ORETRAIL_BENCH_FILES=10000 cargo bench -p oretrail-store --bench store
//! ORETRAIL_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo bench -p oretrail-store --bench store
//! ```
//!
//! 1. **Ingest**: `ORETRAIL_BENCH_FILES` templates (default 1,000) into a fresh store with
//!    `ORETRAIL_BENCH_THREADS` workers (default 2): wall time, files/s, peak RSS of the phase.
//!    Inputs are the templates of `ORETRAIL_BENCH_SET` (e.g. a scale set from the writer's
//!    generator), else the readable demo files; when there are fewer than wanted, copies are
//!    made distinct by a zip comment (same content, different bytes and hash). Baseline: the
//!    same files through the pipeline alone (read, resolve, validate; no hashing, no storage).
//! 2. **Roll-up and status** over `ORETRAIL_BENCH_SUBMISSIONS` accepted submissions (default
//!    10,000) of `ORETRAIL_BENCH_ROWS` smelter rows each (default 100), written directly (no
//!    parsing) from synthetic reports of distinct suppliers. Baseline: a full scan
//!    (`count(*)`) of the smelter rows.
//!
//! Both run on SQLite in a temp dir, and on PostgreSQL when `ORETRAIL_TEST_POSTGRES_URL` is set
//! (a database is created and dropped).

use oretrail_pipeline::Pipeline;
use oretrail_store::campaigns::{CampaignSpec, ScopeRule, create_campaign};
use oretrail_store::coverage::campaign_status;
use oretrail_store::ingest::{IngestOptions, ingest};
use oretrail_store::rollup::rollup;
use oretrail_store::submissions::{
    Analysis, NewSubmission, Receipt, SubmissionWriter, analyse_with,
};
use oretrail_store::supplier_import::{ImportOptions, parse_rows};
use oretrail_store::suppliers::import_suppliers;
use oretrail_store::{Store, StoreConfig, sha256_hex};
use oretrail_template::{Resolution, ResolutionMethod, SmelterRow, SupplierReport};
use rayon::prelude::*;
use sqlx::Row;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Peak resident set size of this process since the last reset, in MiB.
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU seconds (user + system) used by this process so far.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// Resets the peak RSS (Linux: `5` to `/proc/self/clear_refs`).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
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

fn input_set(dir: &Path, wanted: usize, pipeline: &Pipeline) -> Vec<PathBuf> {
    let source_dir = std::env::var("ORETRAIL_BENCH_SET")
        .map(PathBuf::from)
        .unwrap_or_else(|_| root().join("demo/templates"));
    let mut sources: Vec<PathBuf> =
        oretrail_store::sources::list_paths(std::slice::from_ref(&source_dir))
            .into_iter()
            .filter(|p| {
                std::fs::read(p)
                    .ok()
                    .is_some_and(|b| pipeline.read(&b).is_ok())
            })
            .collect();
    sources.sort();
    assert!(
        !sources.is_empty(),
        "no readable template in {}",
        source_dir.display()
    );
    if sources.len() >= wanted {
        sources.truncate(wanted);
        return sources;
    }
    std::fs::create_dir_all(dir).expect("bench input dir");
    let originals: Vec<Vec<u8>> = sources
        .iter()
        .map(|p| std::fs::read(p).expect("read"))
        .collect();
    (0..wanted)
        .into_par_iter()
        .map(|i| {
            let path = dir.join(format!("{i:06}.xlsx"));
            std::fs::write(&path, variant(&originals[i % originals.len()], i))
                .expect("write input");
            path
        })
        .collect()
}

async fn open(backend: &str, tag: &str) -> (Store, PathBuf, Option<(String, String)>) {
    let data_dir = std::env::temp_dir().join(format!(
        "oretrail-bench-{backend}-{tag}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&data_dir);
    if backend == "sqlite" {
        let store = Store::open(&StoreConfig::sqlite(&data_dir))
            .await
            .expect("sqlite store");
        return (store, data_dir, None);
    }
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let admin = std::env::var("ORETRAIL_TEST_POSTGRES_URL").expect("postgres url");
    let db = format!("oretrail_bench_{tag}_{}", std::process::id());
    let mut c = sqlx::AnyConnection::connect(&admin).await.expect("connect");
    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {db}")))
        .execute(&mut c)
        .await
        .expect("drop");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut c)
        .await
        .expect("create");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    let store = Store::open(&StoreConfig {
        data_dir: data_dir.clone(),
        database_url: Some(format!("{base}/{db}")),
    })
    .await
    .expect("postgres store");
    (store, data_dir, Some((admin, db)))
}

async fn close(store: Store, data_dir: PathBuf, pg: Option<(String, String)>) {
    store.close().await;
    if std::env::var("ORETRAIL_BENCH_KEEP").is_ok() {
        println!("kept {} {:?}", data_dir.display(), pg.map(|p| p.1));
        return;
    }
    if let Some((admin, db)) = pg {
        use sqlx::Connection;
        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await;
        }
    }
    let _ = std::fs::remove_dir_all(data_dir);
}

async fn bench_ingest(backend: &str, files: &[PathBuf], pipeline: &Arc<Pipeline>, threads: usize) {
    let (store, data_dir, pg) = open(backend, "ingest").await;
    reset_peak_rss();
    let options = IngestOptions {
        threads,
        ..IngestOptions::default()
    };
    let p = Arc::clone(pipeline);
    let cpu = cpu_seconds();
    let started = Instant::now();
    let report = ingest(
        &store,
        files,
        &options,
        move |b: &[u8], n: &str| analyse_with(&p, b, n),
        &mut |_| {},
    )
    .await
    .expect("ingest");
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu;
    let rows: i64 = sqlx::query("SELECT count(*) FROM submission_smelters")
        .fetch_one(store.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count");
    println!(
        "ingest  {backend:<10} {} files in {wall:.1} s = {:.0} files/s, {cpu:.1} CPU s; {rows} smelter rows; \
         peak RSS {:.0} MiB (new {}, warnings {}, review {}, rejected {}, duplicate {})",
        report.total(),
        report.total() as f64 / wall,
        peak_rss_mib(),
        report.new,
        report.accepted_with_warnings,
        report.needs_review,
        report.rejected,
        report.duplicate
    );
    let again = Instant::now();
    let rerun = ingest(
        &store,
        files,
        &options,
        |_: &[u8], _: &str| Analysis::default(),
        &mut |_| {},
    )
    .await
    .expect("re-ingest");
    println!(
        "re-run  {backend:<10} {} files in {:.1} s, {} recognised as duplicates",
        rerun.total(),
        again.elapsed().as_secs_f64(),
        rerun.duplicate
    );
    close(store, data_dir, pg).await;
}

/// A synthetic accepted report: `rows` smelter rows picked from the registry, a few unresolved.
fn synthetic(
    template: &SupplierReport,
    pipeline: &Pipeline,
    i: usize,
    rows: usize,
) -> SupplierReport {
    let facilities = pipeline.registry().facilities();
    let mut report = template.clone();
    report.declaration.company_name = Some(format!("Bench Supplier {i:05} Ltd"));
    report.declaration.company_unique_id = None;
    let mut state = (i as u64)
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as usize
    };
    let base = report.smelters.first().cloned();
    report.smelters = (0..rows)
        .filter_map(|r| {
            let mut row: SmelterRow = base.clone()?;
            row.row = 5 + r as u32;
            if next() % 33 == 0 {
                row.name = Some(format!("Unlisted refinery {}", next() % 200));
                row.cid = None;
                row.resolution = Some(Resolution {
                    canonical_cid: None,
                    canonical_name: None,
                    in_template_lookup: false,
                    method: ResolutionMethod::Unresolved,
                    confidence: 0.0,
                    candidates: Vec::new(),
                    conflicting_cid: None,
                });
                return Some(row);
            }
            let f = &facilities[next() % facilities.len()];
            row.metal = Some(f.metal.clone());
            row.name = Some(f.standard_name.clone());
            row.country = f.country.clone();
            row.cid = Some(f.cid.clone());
            row.resolution = Some(Resolution {
                canonical_cid: Some(f.cid.clone()),
                canonical_name: Some(f.standard_name.clone()),
                in_template_lookup: true,
                method: ResolutionMethod::Cid,
                confidence: 1.0,
                candidates: Vec::new(),
                conflicting_cid: None,
            });
            Some(row)
        })
        .collect();
    report
}

async fn bench_rollup(backend: &str, pipeline: &Pipeline, n: usize, rows: usize) {
    let (store, data_dir, pg) = open(backend, "rollup").await;
    let demo = std::fs::read(root().join("demo/templates/Acme Power Cells EMRT 2.1 2026.xlsx"))
        .expect("demo file");
    let template = pipeline.read(&demo).expect("demo reads").report;
    // Suppliers with spend, a campaign covering them.
    let mut csv = vec![vec![
        "erp_id".to_string(),
        "name".into(),
        "commodities".into(),
        "spend".into(),
        "period".into(),
    ]];
    for i in 0..n {
        csv.push(vec![
            format!("B{i:05}"),
            format!("Bench Supplier {i:05} Ltd"),
            "cobalt,tin,gold".into(),
            format!("{}", 1000 + (i * 7919) % 100_000),
            "2025".into(),
        ]);
    }
    let parsed = parse_rows(&csv, &ImportOptions::default()).expect("rows");
    import_suppliers(&store, &parsed).await.expect("suppliers");
    let spec = CampaignSpec {
        name: "bench".into(),
        period: "2025".into(),
        deadline: None,
        families: Default::default(),
        scope: ScopeRule {
            spend_share: 1.0,
            ..ScopeRule::default()
        },
    };
    let (campaign, requested) = create_campaign(&store, &spec).await.expect("campaign");
    let mut writer = SubmissionWriter::new(&store, Some(campaign.clone()), "bench")
        .await
        .expect("writer");
    let started = Instant::now();
    for chunk in (0..n).collect::<Vec<_>>().chunks(64) {
        let batch: Vec<NewSubmission> = chunk
            .iter()
            .map(|&i| {
                let report = synthetic(&template, pipeline, i, rows);
                NewSubmission {
                    sha256: sha256_hex(format!("synthetic {i}").as_bytes()),
                    size: 0,
                    receipt: Receipt {
                        original_name: format!("synthetic-{i}.xlsx"),
                        received_by: "bench".into(),
                        received_via: "bench".into(),
                    },
                    analysis: Analysis {
                        report: Some(report),
                        ..Analysis::default()
                    },
                }
            })
            .collect();
        writer.write(batch).await.expect("write");
    }
    let write_s = started.elapsed().as_secs_f64();
    oretrail_store::db::analyze(&store).await.expect("analyze");
    let total_rows: i64 = sqlx::query("SELECT count(*) FROM submission_smelters")
        .fetch_one(store.pool())
        .await
        .expect("count")
        .try_get(0)
        .expect("count");
    println!(
        "write   {backend:<10} {n} submissions ({requested} requests), {total_rows} smelter rows in {write_s:.1} s = {:.0} rows/s",
        total_rows as f64 / write_s
    );
    let mut scan = Vec::new();
    let mut status_t = Vec::new();
    let mut rollup_t = Vec::new();
    let mut lines = 0;
    let mut coverage = 0.0;
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date");
    for _ in 0..3 {
        let t = Instant::now();
        let _: i64 = sqlx::query("SELECT count(*) FROM submission_smelters WHERE cid IS NOT NULL")
            .fetch_one(store.pool())
            .await
            .expect("scan")
            .try_get(0)
            .expect("scan");
        scan.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let s = campaign_status(&store, &campaign).await.expect("status");
        status_t.push(t.elapsed().as_secs_f64());
        coverage = s.overall.coverage;
        let t = Instant::now();
        let r = rollup(&store, campaign.id, "bench", as_of)
            .await
            .expect("rollup");
        rollup_t.push(t.elapsed().as_secs_f64());
        lines = r.lines.len();
    }
    println!(
        "query   {backend:<10} status {:.3} s (coverage {:.1}%), rollup {:.3} s ({lines} lines), baseline full scan {:.3} s (medians of 3)",
        median(status_t),
        coverage * 100.0,
        median(rollup_t),
        median(scan)
    );
    close(store, data_dir, pg).await;
}

fn main() {
    let files_wanted = env_usize("ORETRAIL_BENCH_FILES", 1000);
    let threads = env_usize("ORETRAIL_BENCH_THREADS", 2);
    let submissions = env_usize("ORETRAIL_BENCH_SUBMISSIONS", 10_000);
    let rows = env_usize("ORETRAIL_BENCH_ROWS", 100);
    let mut backends = vec!["sqlite"];
    if std::env::var("ORETRAIL_TEST_POSTGRES_URL").is_ok() {
        backends.push("postgres");
    } else {
        println!("(PostgreSQL skipped: set ORETRAIL_TEST_POSTGRES_URL to include it)");
    }
    let only = std::env::var("ORETRAIL_BENCH_ONLY").unwrap_or_default();
    let mut pipeline = Pipeline::new(oretrail_facilities::FacilityRegistry::new());
    pipeline.learn_folder(&root().join("templates/rmi"));
    let pipeline = Arc::new(pipeline);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "cores: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if only.is_empty() || only == "ingest" {
        let input_dir =
            std::env::temp_dir().join(format!("oretrail-bench-input-{}", std::process::id()));
        let files = input_set(&input_dir, files_wanted, &pipeline);
        // Baseline: the pipeline alone on the same files and threads.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let cpu = cpu_seconds();
        let t = Instant::now();
        let read: usize = pool.install(|| {
            files
                .par_iter()
                .map(|p| {
                    let bytes = std::fs::read(p).expect("read");
                    usize::from(analyse_with(&pipeline, &bytes, "x").report.is_some())
                })
                .sum()
        });
        let base = t.elapsed().as_secs_f64();
        println!(
            "baseline pipeline only: {} files ({read} read) in {base:.1} s = {:.0} files/s, {:.1} CPU s on {threads} threads",
            files.len(),
            files.len() as f64 / base,
            cpu_seconds() - cpu
        );
        for b in &backends {
            runtime.block_on(bench_ingest(b, &files, &pipeline, threads));
        }
        let _ = std::fs::remove_dir_all(&input_dir);
    }
    if only.is_empty() || only == "rollup" {
        for b in &backends {
            runtime.block_on(bench_rollup(b, &pipeline, submissions, rows));
        }
    }
}
