//! Crash test: `oretrail ingest` killed with SIGKILL at random points, then run to the end —
//! every file present exactly once, no orphan originals or rows, the database sound.
//!
//! `ORETRAIL_CRASH_FILES` (default 150) and `ORETRAIL_CRASH_KILLS` (default 5) size the run;
//! `bench/crash-ingest.sh` runs it with 1,000 files and many kills.

use oretrail_store::{Store, StoreConfig, sha256_hex};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn oretrail() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_oretrail"));
    c.current_dir(root());
    c
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A small deterministic generator (xorshift) for the kill delays.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn ingest_survives_kill_9_at_random_points() {
    let files_n = env_usize("ORETRAIL_CRASH_FILES", 150);
    let kills_n = env_usize("ORETRAIL_CRASH_KILLS", 5);
    let base = std::env::temp_dir().join(format!("oretrail-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let files = base.join("files");
    let data = base.join("data");
    let status = oretrail()
        .args(["dev", "generate", "--no-verify", "--seed", "11", "--count"])
        .arg(files_n.to_string())
        .arg("--out")
        .arg(&files)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run generate");
    assert!(status.success(), "generate failed");
    let mut expected = BTreeSet::new();
    for entry in std::fs::read_dir(&files).expect("files").flatten() {
        expected.insert(sha256_hex(&std::fs::read(entry.path()).expect("read")));
    }
    assert!(
        expected.len() >= files_n * 9 / 10,
        "generated files are distinct"
    );

    let ingest = || {
        let mut c = oretrail();
        c.arg("--data-dir")
            .arg(&data)
            .args(["ingest", "--jobs", "2"])
            .arg(&files)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    // How long one uninterrupted ingest takes is unknown here: the kill window grows after each
    // kill and shrinks to a run's length when one finishes on its own, so kills spread over it.
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut window_ms = 4000u64;
    let mut killed = 0usize;
    let mut finished_early = 0usize;
    for _ in 0..kills_n {
        let started = Instant::now();
        let mut child = ingest().spawn().expect("spawn ingest");
        let delay = Duration::from_millis(200 + rng.below(window_ms));
        while started.elapsed() < delay {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        match child.try_wait().expect("wait") {
            Some(_) => {
                finished_early += 1;
                window_ms = (started.elapsed().as_millis() as u64).max(500);
            }
            None => {
                child.kill().expect("SIGKILL");
                child.wait().expect("reap");
                killed += 1;
                window_ms += window_ms / 2;
            }
        }
    }
    let status = ingest().status().expect("final ingest");
    assert!(status.success(), "final ingest failed");
    let again = ingest().status().expect("re-ingest");
    assert!(again.success(), "re-ingest failed");
    eprintln!(
        "crash test: {files_n} files, {killed} kill(s) -9 mid-ingest, {finished_early} run(s) finished before the kill"
    );
    assert!(killed >= 1, "no ingest was interrupted");

    let verify = oretrail()
        .arg("--data-dir")
        .arg(&data)
        .args(["verify", "--json"])
        .output()
        .expect("verify");
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).expect("verify JSON");
    assert!(verify.status.success(), "verify not clean: {report:#}");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Store::open(&StoreConfig::sqlite(&data))
            .await
            .expect("open");
        let files_rows: Vec<String> = sqlx::query_scalar("SELECT sha256 FROM files")
            .fetch_all(store.pool())
            .await
            .expect("files");
        let subs: Vec<String> = sqlx::query_scalar("SELECT file_sha256 FROM submissions")
            .fetch_all(store.pool())
            .await
            .expect("submissions");
        assert_eq!(
            files_rows.iter().cloned().collect::<BTreeSet<_>>(),
            expected
        );
        assert_eq!(
            files_rows.len(),
            expected.len(),
            "one files row per original"
        );
        assert_eq!(
            subs.len(),
            expected.len(),
            "every file submitted exactly once"
        );
        assert_eq!(subs.into_iter().collect::<BTreeSet<_>>(), expected);
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(store.pool())
            .await
            .expect("integrity");
        assert_eq!(integrity, "ok");
        store.close().await;
    });
    let _ = std::fs::remove_dir_all(&base);
}
