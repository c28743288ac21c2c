//! Load benchmark (not a test): the dashboard page and API lists at 200 requests/s with 10,000
//! submissions loaded; prints p50/p95/p99 latency. `cargo bench -p oretrail-web --bench load`
//! (ORETRAIL_LOAD_SUBMISSIONS, ORETRAIL_LOAD_SECONDS change the size and duration).

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

fn main() {
    let n: usize = std::env::var("ORETRAIL_LOAD_SUBMISSIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let seconds: u64 = std::env::var("ORETRAIL_LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = std::env::temp_dir().join(format!("oretrail-load-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (addr, cookie, token) = rt.block_on(async {
        let store = Store::open(&StoreConfig::sqlite(&dir))
            .await
            .expect("store");
        let state = AppState::new(
            store,
            Pipeline::new(Default::default()),
            WebConfig::default(),
        )
        .await
        .expect("state");
        let t = Instant::now();
        oretrail_web::demo::load(&state, 0).await.expect("demo");
        let campaign = oretrail_store::campaigns::list_campaigns(&state.store)
            .await
            .expect("campaigns")
            .remove(0);
        oretrail_web::demo::synthetic_submissions(&state, &campaign, n, 2_000)
            .await
            .expect("load data");
        eprintln!(
            "loaded demo + {n} submissions in {:.1} s",
            t.elapsed().as_secs_f64()
        );
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
    let targets: Vec<(&str, &str, String)> = vec![
        ("dashboard", "/dashboard", cookie.clone()),
        (
            "suppliers page",
            "/suppliers?sort=errors&page=3",
            cookie.clone(),
        ),
        (
            "API submissions",
            "/api/v1/submissions?page=50",
            token.clone(),
        ),
        (
            "API suppliers",
            "/api/v1/suppliers?problems=errors",
            token.clone(),
        ),
        (
            "API coverage",
            "/api/v1/campaigns/1/coverage",
            token.clone(),
        ),
    ];
    for (name, path, header) in &targets {
        // Warm up (fills the caches as a first visitor would).
        let _ = get(&addr, path, header);
        let rate = 200.0;
        let total = (rate * seconds as f64) as usize;
        let start = Instant::now();
        let mut handles = Vec::with_capacity(total);
        for i in 0..total {
            let due = start + Duration::from_secs_f64(i as f64 / rate);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            let (addr, path, header) = (addr.clone(), path.to_string(), header.clone());
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
            "{name:16} {total} requests at 200/s: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms, failed {failed}",
            pct(&lat, 0.5),
            pct(&lat, 0.95),
            pct(&lat, 0.99),
            pct(&lat, 1.0)
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
