//! Multi-row inserts: many rows per statement, within the parameter limits of both backends.

use crate::db::{Backend, values_placeholders};
use crate::error::Result;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, AssertSqlSafe};

/// One bind value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Arg {
    /// Integer or NULL.
    Int(Option<i64>),
    /// Float or NULL.
    Real(Option<f64>),
    /// Text or NULL.
    Text(Option<String>),
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}
impl From<f64> for Arg {
    fn from(v: f64) -> Arg {
        Arg::Real(Some(v))
    }
}
impl From<Option<f64>> for Arg {
    fn from(v: Option<f64>) -> Arg {
        Arg::Real(v)
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Arg {
    fn from(v: Option<String>) -> Arg {
        Arg::Text(v)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_string))
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Int(Some(i64::from(v)))
    }
}

/// Binds one value to a query.
pub(crate) fn bind<'q>(q: Query<'q, Any, AnyArguments>, arg: Arg) -> Query<'q, Any, AnyArguments> {
    match arg {
        Arg::Int(v) => q.bind(v),
        Arg::Real(v) => q.bind(v),
        Arg::Text(v) => q.bind(v),
    }
}

/// Inserts rows (each `columns.len()` values) into `table`, many rows per statement.
/// `suffix` is appended to each statement (e.g. `ON CONFLICT DO NOTHING`).
pub(crate) async fn insert_rows(
    conn: &mut AnyConnection,
    backend: Backend,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Arg>>,
    suffix: &str,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let per_statement = (backend.max_params() / columns.len()).clamp(1, 32);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<Vec<Arg>> = rows.by_ref().take(per_statement).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES {} {suffix}",
            columns.join(", "),
            values_placeholders(chunk.len(), columns.len())
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in chunk {
            debug_assert_eq!(row.len(), columns.len());
            for arg in row {
                q = bind(q, arg);
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}
