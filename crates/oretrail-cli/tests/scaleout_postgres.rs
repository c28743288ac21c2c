//! Scale-out on PostgreSQL: files queued with `oretrail ingest --enqueue` are processed by
//! several `oretrail worker` processes (one killed with SIGKILL mid-run and replaced) while two
//! `oretrail serve` processes take uploads of their own over the API — every file ends up
//! exactly once, no job is lost or done twice, and both servers see the same data.
//!
//! Needs `ORETRAIL_TEST_POSTGRES_URL` (an admin URL; `.ci/postgres-tests` sets it); without it
//! the test says so and passes.

use oretrail_store::{Store, StoreConfig, sha256_hex};
use sqlx::{Connection, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PG_ENV: &str = "ORETRAIL_TEST_POSTGRES_URL";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn oretrail(url: &str, data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oretrail"));
    c.current_dir(root())
        .arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(data);
    c
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Children killed when the test ends, whatever happens.
struct Procs(Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// One HTTP/1.1 exchange (Connection: close): status and body.
fn http(port: u16, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).ok();
    s.write_all(request).expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (status, body)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn get_json(port: u16, path: &str, token: &str) -> serde_json::Value {
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Connection: close\r\n\r\n"
    );
    let (status, body) = http(port, req.as_bytes());
    assert_eq!(status, 200, "GET {path} on :{port}: {body}");
    serde_json::from_str(&body).expect("JSON body")
}

fn upload(port: u16, token: &str, name: &str, bytes: &[u8]) -> serde_json::Value {
    let boundary = "oretrail-scaleout-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
             Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut req = format!(
        "POST /api/v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    req.extend_from_slice(&body);
    let (status, text) = http(port, &req);
    assert_eq!(status, 200, "upload to :{port}: {text}");
    serde_json::from_str(&text).expect("JSON body")
}

fn wait_for_port(port: u16, within: Duration, server: &mut Child, log: &Path) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = server.try_wait().ok().flatten();
        assert!(
            exited.is_none() && start.elapsed() < within,
            "server on :{port} did not start ({exited:?}): {}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn generate(out: &Path, seed: u64, count: usize) -> Vec<PathBuf> {
    let status = Command::new(env!("CARGO_BIN_EXE_oretrail"))
        .current_dir(root())
        .args(["dev", "generate", "--no-verify", "--seed"])
        .arg(seed.to_string())
        .arg("--count")
        .arg(count.to_string())
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run generate");
    assert!(status.success(), "generate failed");
    let mut files: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("generated folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

async fn scalar(store: &Store, sql: &str) -> i64 {
    sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
        .fetch_one(store.pool())
        .await
        .expect(sql)
        .try_get(0)
        .expect("count")
}

#[test]
fn postgres_queue_two_workers_two_servers_every_file_once() {
    let Ok(admin) = std::env::var(PG_ENV) else {
        eprintln!("{PG_ENV} is not set: the PostgreSQL scale-out test did not run");
        return;
    };
    sqlx::any::install_default_drivers();
    let rt = runtime();
    let db = format!("oretrail_scaleout_{}", std::process::id());
    rt.block_on(async {
        let mut c = sqlx::AnyConnection::connect(&admin).await.expect("admin");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
        )))
        .execute(&mut c)
        .await
        .expect("drop");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
            .execute(&mut c)
            .await
            .expect("create");
    });
    let url = match admin.rfind('/') {
        Some(i) => format!("{}/{db}", &admin[..i]),
        None => panic!("{PG_ENV} must end in /DATABASE"),
    };
    let base = std::env::temp_dir().join(format!("oretrail-scaleout-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let data = base.join("data");
    let queued_files = generate(&base.join("queued"), 21, 120);
    let uploaded_files = generate(&base.join("uploaded"), 22, 6);

    // Suppliers named as the files' companies, so that files link and supersede each other.
    let mut names = BTreeSet::new();
    for f in queued_files.iter().chain(&uploaded_files) {
        if let Ok(r) = oretrail_reader::read_path(f, &Default::default())
            && let Some(n) = r.report.declaration.company_name
        {
            names.insert(n);
        }
    }
    let mut csv = String::from("ERP ID,Name\n");
    for (i, n) in names.iter().enumerate() {
        csv.push_str(&format!("V{i:04},\"{}\"\n", n.replace('"', "\"\"")));
    }
    let csv_path = base.join("suppliers.csv");
    std::fs::write(&csv_path, csv).expect("suppliers csv");
    let out = oretrail(&url, &data)
        .args(["suppliers", "import"])
        .arg(&csv_path)
        .output()
        .expect("suppliers import");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Two web servers on the same database and originals.
    let mut procs = Procs(Vec::new());
    let ports = [free_port(), free_port()];
    for (i, port) in ports.iter().enumerate() {
        let log = std::fs::File::create(base.join(format!("server-{i}.log"))).expect("log");
        procs.0.push(
            oretrail(&url, &data)
                .args(["serve", "--listen"])
                .arg(format!("127.0.0.1:{port}"))
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("serve"),
        );
    }
    for (i, port) in ports.iter().enumerate() {
        let log = base.join(format!("server-{i}.log"));
        wait_for_port(*port, Duration::from_secs(300), &mut procs.0[i], &log);
    }
    let store = rt
        .block_on(Store::open(&StoreConfig {
            data_dir: data.clone(),
            database_url: Some(url.clone()),
        }))
        .expect("store");
    let token = "scaleout-test-token-0123456789abcdef";
    rt.block_on(oretrail_web::db::tokens::create(
        &store,
        &oretrail_web::auth::secret_hash(token),
        "scaleout",
        "scale-out test",
        oretrail_web::auth::Role::Analyst,
        "test",
    ))
    .expect("API token");

    // Queue the files (five of them twice).
    let mut inputs: Vec<PathBuf> = queued_files.clone();
    let copies = base.join("copies");
    std::fs::create_dir_all(&copies).expect("copies");
    for (i, f) in queued_files.iter().take(5).enumerate() {
        let copy = copies.join(format!("copy-{i}.xlsx"));
        std::fs::copy(f, &copy).expect("copy");
        inputs.push(copy);
    }
    let out = oretrail(&url, &data)
        .args(["ingest", "--enqueue", "--json"])
        .args(&inputs)
        .output()
        .expect("enqueue");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("enqueue JSON");
    assert_eq!(report["queued"], 120, "{report}");
    assert_eq!(report["already_queued"], 5);

    // Two workers; the first is killed after it has finished some jobs, a third takes over.
    let worker = |name: &str| {
        oretrail(&url, &data)
            .args([
                "worker",
                "--until-idle",
                "--jobs",
                "1",
                "--batch",
                "4",
                "--lease",
                "3",
                "--name",
                name,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("worker")
    };
    let mut a = worker("worker-a");
    let mut b = worker("worker-b");
    let started = Instant::now();
    loop {
        let done_a = rt.block_on(scalar(
            &store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE claimed_by = 'worker-a' AND state = 'done'",
        ));
        if done_a >= 4 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "worker a did nothing"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    a.kill().expect("kill -9 worker a");
    let _ = a.wait();
    let mut c = worker("worker-c");

    // Meanwhile, uploads through both servers: six new files, and two files that are also in
    // the queue (whichever path comes second must see a duplicate, never a second row).
    let mut uploads = Vec::new();
    for (i, f) in uploaded_files.iter().enumerate() {
        let port = ports[i % 2];
        let bytes = std::fs::read(f).expect("file");
        uploads.push(upload(port, token, "upload.xlsx", &bytes));
    }
    for (i, f) in queued_files.iter().rev().take(2).enumerate() {
        let bytes = std::fs::read(f).expect("file");
        uploads.push(upload(ports[i % 2], token, "again.xlsx", &bytes));
    }
    assert!(
        uploads
            .iter()
            .all(|u| u.as_array().is_some_and(|a| a.len() == 1))
    );

    for (name, child) in [("worker-b", &mut b), ("worker-c", &mut c)] {
        let deadline = Instant::now() + Duration::from_secs(600);
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(status.success(), "{name} failed: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "{name} did not finish");
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    rt.block_on(async {
        // Every job done, none twice, none left.
        let by_state: BTreeMap<String, i64> =
            sqlx::query("SELECT state, COUNT(*) FROM ingest_jobs GROUP BY state")
                .fetch_all(store.pool())
                .await
                .expect("states")
                .iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
        let unfinished: Vec<String> = sqlx::query(
            "SELECT id, state, attempts, COALESCE(detail, '') FROM ingest_jobs \
             WHERE state <> 'done' ORDER BY id LIMIT 5",
        )
        .fetch_all(store.pool())
        .await
        .expect("unfinished")
        .iter()
        .map(|r| {
            format!(
                "#{} {} ({} attempts): {}",
                r.get::<i64, _>(0),
                r.get::<String, _>(1),
                r.get::<i64, _>(2),
                r.get::<String, _>(3)
            )
        })
        .collect();
        assert_eq!(
            by_state,
            BTreeMap::from([("done".to_string(), 120)]),
            "{unfinished:#?}"
        );
        assert_eq!(
            scalar(
                &store,
                "SELECT COUNT(*) FROM ingest_jobs WHERE submission_id IS NULL"
            )
            .await,
            0
        );
        let by_worker: BTreeMap<String, i64> = sqlx::query(
            "SELECT claimed_by, COUNT(*) FROM ingest_jobs GROUP BY claimed_by ORDER BY 1",
        )
        .fetch_all(store.pool())
        .await
        .expect("workers")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
        eprintln!("jobs done per worker: {by_worker:?}");
        assert!(by_worker.get("worker-a").copied().unwrap_or(0) >= 4);
        assert!(
            by_worker.get("worker-b").copied().unwrap_or(0)
                + by_worker.get("worker-c").copied().unwrap_or(0)
                > 0
        );
        let reclaimed = scalar(
            &store,
            "SELECT COUNT(*) FROM ingest_jobs WHERE attempts > 1",
        )
        .await;
        eprintln!("jobs claimed more than once (worker a's when it died): {reclaimed}");

        // Every file exactly once: 120 queued + 6 uploaded, the 2 uploaded again are duplicates.
        let expected: BTreeSet<String> = queued_files
            .iter()
            .chain(&uploaded_files)
            .map(|f| sha256_hex(&std::fs::read(f).expect("file")))
            .collect();
        let stored: Vec<String> = sqlx::query("SELECT file_sha256 FROM submissions")
            .fetch_all(store.pool())
            .await
            .expect("submissions")
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(stored.len(), expected.len(), "a file stored twice or lost");
        assert_eq!(stored.into_iter().collect::<BTreeSet<_>>(), expected);

        // One current submission per linked supplier, however the writers interleaved.
        let doubled = scalar(
            &store,
            "SELECT COUNT(*) FROM (SELECT supplier_id FROM submissions \
             WHERE link_state = 'linked' AND superseded_by IS NULL \
             GROUP BY campaign_key, supplier_id HAVING COUNT(*) > 1) d",
        )
        .await;
        assert_eq!(doubled, 0, "a supplier with two current submissions");
        let linked = scalar(
            &store,
            "SELECT COUNT(*) FROM submissions WHERE link_state = 'linked'",
        )
        .await;
        assert!(linked > 0, "no file linked to its supplier");

        // Both servers serve the same data.
        let total = scalar(&store, "SELECT COUNT(*) FROM submissions").await;
        for port in ports {
            let page = get_json(port, "/api/v1/submissions?per_page=5", token);
            assert_eq!(page["total"], total, "server :{port}");
        }
        let report = oretrail_store::verify::verify(&store)
            .await
            .expect("verify");
        assert!(report.is_clean(), "{report:?}");
        store.close().await;
    });

    drop(procs);
    rt.block_on(async {
        if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
            )))
            .execute(&mut c)
            .await;
        }
    });
    let _ = std::fs::remove_dir_all(&base);
}
