//! Connection to the database (SQLite file or PostgreSQL server) and versioned migrations.
//!
//! Both backends go through sqlx's `Any` driver, so the repository modules hold one set of
//! queries: `$1` placeholders, integers, floats and text only (dates are ISO text, JSON is
//! text). Where the SQL dialects differ (string aggregation), [`Backend`] says which to use.

use crate::error::{Result, StoreError};
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::sync::Once;
use std::time::Duration;

/// Which database holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An embedded SQLite file in the data directory.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a URL designates.
    pub fn of_url(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(redact(url)))
        }
    }

    /// Name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }

    /// `string_agg`-style aggregation of texts (duplicates kept), separated by commas.
    pub(crate) fn agg(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("group_concat({expr})"),
            Backend::Postgres => format!("string_agg({expr}, ',')"),
        }
    }

    /// An integer expression as text.
    pub(crate) fn int_text(self, expr: &str) -> String {
        match self {
            Backend::Sqlite => format!("CAST({expr} AS TEXT)"),
            Backend::Postgres => format!("({expr})::text"),
        }
    }

    /// Largest number of bind parameters used in one statement.
    pub(crate) fn max_params(self) -> usize {
        // SQLite's default limit is 32766, PostgreSQL's 65535; stay well below both.
        8000
    }
}

/// The URL without a password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// The SQLite URL of the store file in a data directory.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("oretrail.db").display()
    )
}

static DRIVERS: Once = Once::new();

/// Opens a pool and applies pending migrations.
pub async fn connect(url: &str) -> Result<(AnyPool, Backend)> {
    DRIVERS.call_once(install_default_drivers);
    let backend = Backend::of_url(url)?;
    let options = AnyPoolOptions::new()
        .max_connections(match backend {
            Backend::Sqlite => 4,
            Backend::Postgres => 8,
        })
        .acquire_timeout(Duration::from_secs(30));
    let pool = match backend {
        Backend::Sqlite => {
            options
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; \
                             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
                        )
                        .await?;
                        Ok(())
                    })
                })
                .connect(url)
                .await?
        }
        Backend::Postgres => options.connect(url).await?,
    };
    migrator(backend).run(&pool).await?;
    Ok((pool, backend))
}

/// The versioned migrations of a backend (SQL embedded in the binary).
pub fn migrator(backend: Backend) -> Migrator {
    let files: &[(i64, &str, &'static str)] = match backend {
        Backend::Sqlite => &[
            (
                1,
                "store",
                include_str!("../migrations/sqlite/0001_store.sql"),
            ),
            (
                2,
                "facility refs",
                include_str!("../migrations/sqlite/0002_facility_refs.sql"),
            ),
            (
                3,
                "ingest queue",
                include_str!("../migrations/sqlite/0003_ingest_queue.sql"),
            ),
            (
                4,
                "problem details",
                include_str!("../migrations/sqlite/0004_problem_details.sql"),
            ),
        ],
        Backend::Postgres => &[
            (
                1,
                "store",
                include_str!("../migrations/postgres/0001_store.sql"),
            ),
            (
                2,
                "facility refs",
                include_str!("../migrations/postgres/0002_facility_refs.sql"),
            ),
            (
                3,
                "ingest queue",
                include_str!("../migrations/postgres/0003_ingest_queue.sql"),
            ),
            (
                4,
                "problem details",
                include_str!("../migrations/postgres/0004_problem_details.sql"),
            ),
        ],
    };
    Migrator::with_migrations(
        files
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(*sql),
                    false,
                )
            })
            .collect(),
    )
}

/// A nullable float as a bind parameter: text, to be read by `CAST($n AS DOUBLE PRECISION)`.
///
/// sqlx 0.9.0's `Any` driver declares a NULL `f64` to PostgreSQL as `real` but a value as
/// `double precision`; a statement prepared with the one then rejects the other ("incorrect
/// binary data format in bind parameter"). Text is declared as text either way, and the cast
/// gives both databases the exact float back (Rust prints the shortest round-trip form).
pub fn nullable_real(value: Option<f64>) -> Option<String> {
    value.filter(|v| v.is_finite()).map(|v| v.to_string())
}

/// `($1, $2, ...), ($n, ...)` for `rows` rows of `cols` columns, numbering from 1.
pub(crate) fn values_placeholders(rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    let mut n = 1;
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&n.to_string());
            n += 1;
        }
        s.push(')');
    }
    s
}

/// Current time, RFC 3339 UTC, second precision.
pub(crate) fn now() -> String {
    now_utc().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Current time (chrono is built without its clock feature).
pub(crate) fn now_utc() -> chrono::DateTime<chrono::Utc> {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

/// Refreshes the planner's statistics (after bulk loads).
pub async fn analyze(store: &crate::Store) -> Result<()> {
    let sql = match store.backend() {
        Backend::Sqlite => "PRAGMA optimize",
        Backend::Postgres => "ANALYZE",
    };
    sqlx::query(sql).execute(store.pool()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_select_backends_and_hide_passwords() {
        assert_eq!(Backend::of_url("sqlite://x.db").ok(), Some(Backend::Sqlite));
        assert_eq!(
            Backend::of_url("postgres://u:p@h/db").ok(),
            Some(Backend::Postgres)
        );
        assert!(Backend::of_url("mysql://h/db").is_err());
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(values_placeholders(2, 2), "($1, $2), ($3, $4)");
        assert_eq!(
            nullable_real(Some(0.1 + 0.2)),
            Some("0.30000000000000004".into())
        );
        assert_eq!(nullable_real(None), None);
    }
}
