//! The web application's SQL: its own tables (users, sessions, API tokens, upload links,
//! portal uploads, audit log) and the paginated reads of the store's tables its pages need.
//! Every statement of the crate lives in this module.
//!
//! Reads go through a [`Reader`] (the application state's read pool, or a bare store in tests);
//! writes go through the store's pool.

pub mod audit;
pub mod links;
pub mod lists;
pub mod review;
pub mod tokens;
pub mod users;

use oretrail_store::{Backend, Store};
use sqlx::any::AnyPoolOptions;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor, Row};
use std::time::Duration;

/// Where reads are made: the application state's read pool, or a store's own pool.
pub trait Reader: Sync {
    /// The pool to read from.
    fn reader(&self) -> &AnyPool;
    /// The database behind it.
    fn backend(&self) -> Backend;
}

impl<T: Reader + ?Sized> Reader for &T {
    fn reader(&self) -> &AnyPool {
        (**self).reader()
    }
    fn backend(&self) -> Backend {
        (**self).backend()
    }
}

impl Reader for Store {
    fn reader(&self) -> &AnyPool {
        self.pool()
    }
    fn backend(&self) -> Backend {
        Store::backend(self)
    }
}

/// `INDEXED BY` the narrow submission index on SQLite (whose planner otherwise reads the wide
/// table row, overflow pages included, to check `superseded_by`); nothing on PostgreSQL.
pub fn narrow_submissions(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "INDEXED BY web_submissions_list",
        Backend::Postgres => "",
    }
}

/// The web tables' migrations (applied after the store's, tracked in their own table).
pub fn migrator(backend: Backend) -> Migrator {
    let files: [(i64, &str, &'static str); 2] = match backend {
        Backend::Sqlite => [
            (
                1,
                "web",
                include_str!("../../migrations/sqlite/0001_web.sql"),
            ),
            (
                2,
                "list indexes",
                include_str!("../../migrations/sqlite/0002_list_indexes.sql"),
            ),
        ],
        Backend::Postgres => [
            (
                1,
                "web",
                include_str!("../../migrations/postgres/0001_web.sql"),
            ),
            (
                2,
                "list indexes",
                include_str!("../../migrations/postgres/0002_list_indexes.sql"),
            ),
        ],
    };
    let mut migrator = Migrator::with_migrations(
        files
            .into_iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(sql),
                    false,
                )
            })
            .collect(),
    );
    migrator.dangerous_set_table_name("_oretrail_web_migrations");
    migrator
}

/// Read connections for the pages and the API. On SQLite: a pool of its own over the store's
/// file (WAL lets any number of readers run beside the one writer), `query_only`, with a
/// memory map and a short busy timeout; readers never queue behind the store's few
/// connections, which keep every write. On PostgreSQL (or an in-memory SQLite): the store's
/// pool.
pub async fn read_pool(store: &Store) -> crate::Result<AnyPool> {
    if store.backend() != Backend::Sqlite {
        return Ok(store.pool().clone());
    }
    let file: String = sqlx::query("SELECT file FROM pragma_database_list WHERE name = 'main'")
        .fetch_one(store.pool())
        .await?
        .try_get(0)?;
    if file.is_empty() {
        return Ok(store.pool().clone());
    }
    let readers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .saturating_mul(2)
        .clamp(4, 16) as u32;
    let pool = AnyPoolOptions::new()
        .max_connections(readers)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .after_connect(|conn, _meta| {
            Box::pin(async move {
                conn.execute(
                    "PRAGMA query_only = ON; PRAGMA busy_timeout = 5000; \
                     PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; \
                     PRAGMA mmap_size = 268435456;",
                )
                .await?;
                Ok(())
            })
        })
        .connect(&format!("sqlite://{file}?mode=rw"))
        .await?;
    Ok(pool)
}

/// Applies pending web migrations.
pub async fn migrate(store: &Store) -> crate::Result<()> {
    migrator(store.backend()).run(store.pool()).await?;
    Ok(())
}

/// Current time, RFC 3339 UTC, second precision (sorts as text).
pub fn now() -> String {
    timestamp(0)
}

/// The time `seconds` from now, RFC 3339 UTC.
pub fn timestamp(seconds: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs + seconds, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Today's date (UTC).
pub fn today() -> chrono::NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .date_naive()
}
