//! Test harness: a fresh store on SQLite (always) or PostgreSQL (when
//! `ORETRAIL_TEST_POSTGRES_URL` names a server), and the shared pipeline.

#![allow(dead_code)]

use oretrail_pipeline::Pipeline;
use oretrail_store::{Store, StoreConfig};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Environment variable naming an admin URL of a PostgreSQL server for the tests.
pub const PG_ENV: &str = "ORETRAIL_TEST_POSTGRES_URL";

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A runtime for one test.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A fresh, empty temporary folder.
pub fn temp_dir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!(
        "oretrail-risk-test-{tag}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

/// A store and what to clean up after it.
pub struct TestStore {
    pub store: Store,
    pub data_dir: PathBuf,
    pg: Option<(String, String)>,
}

impl TestStore {
    /// Closes the store and removes its data (and PostgreSQL database).
    pub async fn finish(self) {
        self.store.close().await;
        if let Some((admin, db)) = self.pg {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::AnyConnection::connect(&admin).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {db} WITH (FORCE)"
                )))
                .execute(&mut c)
                .await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A fresh SQLite store in a temp dir.
pub async fn sqlite_store(tag: &str) -> TestStore {
    let data_dir = temp_dir(tag);
    let store = Store::open(&StoreConfig::sqlite(&data_dir))
        .await
        .expect("open sqlite store");
    TestStore {
        store,
        data_dir,
        pg: None,
    }
}

/// The PostgreSQL admin URL, or `None` after saying loudly that the test is skipped.
pub fn pg_url(test: &str) -> Option<String> {
    match std::env::var(PG_ENV) {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            // Written to the process's stderr directly so that the test harness does not
            // swallow it: a skipped PostgreSQL test must never pass silently.
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED (PostgreSQL): {test} — set {PG_ENV}=postgres://… or run .ci/postgres-tests"
            );
            None
        }
    }
}

/// A fresh PostgreSQL store in a new database on the server named by [`PG_ENV`].
pub async fn postgres_store(admin: &str, tag: &str) -> TestStore {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let db = format!(
        "oretrail_rt_{}_{}_{}",
        tag,
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let mut c = sqlx::AnyConnection::connect(admin)
        .await
        .expect("connect to PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .execute(&mut c)
        .await
        .expect("create test database");
    c.close().await.ok();
    let (base, query) = match admin.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin, String::new()),
    };
    let base = match base.rfind('/') {
        Some(i) if i > base.find("://").map_or(0, |s| s + 2) => &base[..i],
        _ => base,
    };
    let url = format!("{base}/{db}{query}");
    let data_dir = temp_dir(tag);
    let store = Store::open(&StoreConfig {
        data_dir: data_dir.clone(),
        database_url: Some(url),
    })
    .await
    .expect("open PostgreSQL store");
    TestStore {
        store,
        data_dir,
        pg: Some((admin.to_string(), db)),
    }
}

/// The pipeline with RMI's blank templates learned (once per test binary).
pub fn pipeline() -> Arc<Pipeline> {
    static P: OnceLock<Arc<Pipeline>> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = Pipeline::new(oretrail_facilities::FacilityRegistry::new());
        p.learn_folder(&root().join("templates/rmi"));
        Arc::new(p)
    })
    .clone()
}

/// Runs a scenario on SQLite, and on PostgreSQL when configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    let rt = $crate::common::runtime();
                    rt.block_on(async {
                        let t = $crate::common::sqlite_store(stringify!($name)).await;
                        super::$name(&t.store).await;
                        t.finish().await;
                    });
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    let Some(admin) = $crate::common::pg_url(stringify!($name)) else {
                        return;
                    };
                    let rt = $crate::common::runtime();
                    rt.block_on(async {
                        let t = $crate::common::postgres_store(&admin, stringify!($name)).await;
                        super::$name(&t.store).await;
                        t.finish().await;
                    });
                }
            )*
        }
    };
}

/// A one-message SMTP sink on 127.0.0.1: its port, and the message it captured (envelope
/// recipients and data) once a client has sent one.
pub async fn smtp_sink() -> (u16, tokio::task::JoinHandle<(Vec<String>, String)>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind SMTP sink");
    let port = listener.local_addr().expect("address").port();
    let task = tokio::spawn(async move {
        let (socket, _) = listener.accept().await.expect("accept");
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write
            .write_all(b"220 sink.test ESMTP ready\r\n")
            .await
            .expect("greet");
        let mut rcpt = Vec::new();
        let mut data = String::new();
        let mut in_data = false;
        let mut line = String::new();
        loop {
            line.clear();
            if lines.read_line(&mut line).await.expect("read") == 0 {
                break;
            }
            if in_data {
                if line == ".\r\n" {
                    in_data = false;
                    write.write_all(b"250 2.0.0 queued\r\n").await.expect("w");
                } else {
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                continue;
            }
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                b"250 sink.test\r\n"
            } else if upper.starts_with("MAIL FROM") {
                b"250 2.1.0 ok\r\n"
            } else if upper.starts_with("RCPT TO") {
                rcpt.push(line.trim_end().to_string());
                b"250 2.1.5 ok\r\n"
            } else if upper.starts_with("DATA") {
                in_data = true;
                b"354 end with .\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 2.0.0 bye\r\n").await.expect("w");
                break;
            } else {
                b"250 ok\r\n"
            };
            write.write_all(reply).await.expect("reply");
        }
        (rcpt, data)
    });
    (port, task)
}
