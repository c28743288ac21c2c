//! The web application's SQL: its own tables (users, sessions, API tokens, upload links,
//! portal uploads, audit log) and the paginated reads of the store's tables its pages need.
//! Every statement of the crate lives in this module.

pub mod audit;
pub mod links;
pub mod lists;
pub mod review;
pub mod tokens;
pub mod users;

use oretrail_store::{Backend, Store};
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// The web tables' migrations (applied after the store's, tracked in their own table).
pub fn migrator(backend: Backend) -> Migrator {
    let sql: &'static str = match backend {
        Backend::Sqlite => include_str!("../../migrations/sqlite/0001_web.sql"),
        Backend::Postgres => include_str!("../../migrations/postgres/0001_web.sql"),
    };
    let mut migrator = Migrator::with_migrations(vec![Migration::new(
        1,
        "web".into(),
        MigrationType::Simple,
        sqlx::SqlSafeStr::into_sql_str(sql),
        false,
    )]);
    migrator.dangerous_set_table_name("_oretrail_web_migrations");
    migrator
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
