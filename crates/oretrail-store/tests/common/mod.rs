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
        "oretrail-store-test-{tag}-{}-{}",
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
        "oretrail_t_{}_{}_{}",
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
