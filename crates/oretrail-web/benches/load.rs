//! Load benchmark (not a test): pages and API lists at 200 requests/s with 10,000 submissions
//! loaded; prints p50/p95/p99 latency per route, then the latency of one request to every other
//! page (each page must work at that size). `cargo bench -p oretrail-web --bench load`.
//!
//! Variables: `ORETRAIL_LOAD_SUBMISSIONS` (10,000), `ORETRAIL_LOAD_SECONDS` per route (20),
//! `ORETRAIL_LOAD_RATE` requests per second (200), `ORETRAIL_LOAD_ONLY` (comma-separated route
//! names to run), `ORETRAIL_LOAD_DIR` (keep the loaded store in this folder and reuse it on the
//! next run instead of loading again).

use oretrail_pipeline::Pipeline;
use oretrail_store::{Store, StoreConfig};
use oretrail_web::auth::{self, Role};
use oretrail_web::{AppState, WebConfig};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn get(addr: &str, path: &str, header: &str) -> Option<(u16, Duration)> {
    let start = Instant::now();
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(180))).ok()?;
    let req =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{header}\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut out = Vec::new();
    s.read_to_end(&mut out).ok()?;
    let status = String::from_utf8_lossy(&out[..out.len().min(12)])
        .get(9..12)?
        .parse()
        .ok()?;
    Some((status, start.elapsed()))
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n: usize = env("ORETRAIL_LOAD_SUBMISSIONS", 10_000);
    let seconds: f64 = env("ORETRAIL_LOAD_SECONDS", 20.0);
    let rate: f64 = env("ORETRAIL_LOAD_RATE", 200.0);
    let only: Vec<String> = std::env::var("ORETRAIL_LOAD_ONLY")
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_default();
    let keep = std::env::var_os("ORETRAIL_LOAD_DIR").map(std::path::PathBuf::from);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = keep.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("oretrail-load-{}", std::process::id()))
    });
    let marker = dir.join("loaded");
    if keep.is_none() || !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (addr, cookie, token) = rt.block_on(async {
        let store = Store::open(&StoreConfig::sqlite(&dir))
            .await
            .expect("store");
        let registry = oretrail_store::facilities::load_registry(&store)
            .await
            .expect("registry");
        let state = AppState::new(store, Pipeline::new(registry), WebConfig::default())
            .await
            .expect("state");
        if marker.exists() {
            eprintln!("reusing the store in {}", dir.display());
        } else {
            let t = Instant::now();
            oretrail_web::demo::load(&state, 0).await.expect("demo");
            let campaign = oretrail_store::campaigns::list_campaigns(&state.store)
                .await
                .expect("campaigns")
                .remove(0);
            oretrail_web::demo::synthetic_submissions(&state, &campaign, n, 2_000)
                .await
                .expect("load data");
            std::fs::write(&marker, n.to_string()).expect("marker");
            eprintln!(
                "loaded demo + {n} submissions in {:.1} s",
                t.elapsed().as_secs_f64()
            );
        }
        let user = oretrail_web::db::users::credentials(&state.store, "auditor")
            .await
            .expect("user")
            .expect("auditor")
            .0;
        let (session, _) = auth::start_session(&state, user.id).await.expect("session");
        let secret = format!("ot_{}", auth::random_token().expect("random"));
        oretrail_web::db::tokens::create(
            &state.store,
            &auth::secret_hash(&secret),
            &secret[..11],
            "load",
            Role::Viewer,
            "bench",
        )
        .await
        .expect("token");
        let listener = oretrail_web::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr").to_string();
        tokio::spawn(oretrail_web::serve(state, listener));
        (
            addr,
            format!("Cookie: {}={session}", auth::SESSION_COOKIE),
            format!("Authorization: Bearer {secret}"),
        )
    });
    let page = |name: &'static str, path: &str| (name, path.to_string(), cookie.clone());
    let api = |name: &'static str, path: &str| (name, path.to_string(), token.clone());
    let targets: Vec<(&str, String, String)> = vec![
        page("dashboard", "/dashboard"),
        page("suppliers page", "/suppliers?sort=errors&page=3"),
        page("submissions page", "/submissions?page=50"),
        api("API suppliers", "/api/v1/suppliers?problems=errors"),
        api("API submissions", "/api/v1/submissions?page=50"),
        api("API coverage", "/api/v1/campaigns/1/coverage"),
        api("API rollup", "/api/v1/campaigns/1/rollup"),
    ];
    println!(
        "{n} submissions; {rate} requests/s for {seconds} s per route (release build unless said otherwise)"
    );
    println!(
        "{:18} {:>8} {:>9} {:>9} {:>9} {:>9} {:>7}",
        "route", "requests", "p50 ms", "p95 ms", "p99 ms", "max ms", "failed"
    );
    for (name, path, header) in &targets {
        if !only.is_empty() && !only.iter().any(|o| o == name) {
            continue;
        }
        // Warm up (fills the caches as a first visitor would).
        let _ = get(&addr, path, header);
        let total = (rate * seconds) as usize;
        let start = Instant::now();
        let mut handles = Vec::with_capacity(total);
        for i in 0..total {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let (addr, path, header) = (addr.clone(), path.clone(), header.clone());
            handles.push(std::thread::spawn(move || get(&addr, &path, &header)));
        }
        let mut lat = Vec::new();
        let mut failed = 0;
        for h in handles {
            match h.join().ok().flatten() {
                Some((200, d)) => lat.push(d),
                _ => failed += 1,
            }
        }
        lat.sort();
        println!(
            "{name:18} {total:>8} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {failed:>7}",
            pct(&lat, 0.5),
            pct(&lat, 0.95),
            pct(&lat, 0.99),
            pct(&lat, 1.0)
        );
    }
    // Every other page once (no load): each must answer 200 at this size.
    if only.is_empty() || only.iter().any(|o| o == "pages") {
        let once: Vec<(&str, &str)> = vec![
            ("/campaigns", "page"),
            ("/campaigns/1", "page"),
            ("/campaigns/1?status=sent&page=2", "page"),
            ("/suppliers", "page"),
            ("/suppliers?q=loadtest&sort=name&page=20", "page"),
            ("/suppliers/60", "page"),
            ("/submissions", "page"),
            ("/submissions?q=loadtest&sort=company&page=100", "page"),
            ("/submissions?current=1&status=accepted&page=3", "page"),
            ("/submissions/5000", "page"),
            ("/facilities", "page"),
            ("/facilities?sort=name&page=3", "page"),
            ("/facilities/CID001100", "page"),
            ("/review", "page"),
            ("/review?page=4", "page"),
            ("/audit", "page"),
            ("/api/v1/suppliers?sort=name&page=30", "api"),
            ("/api/v1/suppliers/60", "api"),
            ("/api/v1/campaigns", "api"),
            ("/api/v1/campaigns/1/requests?page=2", "api"),
            ("/api/v1/submissions?q=loadtest&sort=errors&page=150", "api"),
            ("/api/v1/submissions/5000", "api"),
            ("/api/v1/submissions/5000/problems", "api"),
            ("/api/v1/facilities/CID001100", "api"),
            ("/api/v1/audit", "api"),
        ];
        println!("{:52} {:>6} {:>9}", "one request", "status", "ms");
        for (path, kind) in once {
            let header = if kind == "api" { &token } else { &cookie };
            match get(&addr, path, header) {
                Some((status, d)) => {
                    println!("{path:52} {status:>6} {:>9.1}", d.as_secs_f64() * 1000.0)
                }
                None => println!("{path:52} {:>6}", "failed"),
            }
        }
    }
    if keep.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
}
