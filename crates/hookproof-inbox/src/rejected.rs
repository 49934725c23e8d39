//! The refusals log: deliveries a receiver refused (bad signature, stale
//! timestamp, missing header...), kept for a person to see why, in a table
//! of a fixed number of rows (the oldest are dropped). Never processed: a
//! refused delivery is not trusted, and nothing here reaches a worker.
//!
//! A child module of `inbox` so it can use the inbox's pools; the table is
//! created on first use (`hookproof_rejected`), apart from the inbox's own
//! schema.

use std::collections::BTreeMap;

use bytes::Bytes;

use super::{bounded, Backend, Columns, Inbox};
use crate::time::now_millis;
use crate::InboxError;

/// Rows kept by default in the refusals log.
pub const DEFAULT_REJECTED_ROWS: u32 = 1000;

/// Body bytes kept per refused delivery; the rest is cut (and said so).
pub const REJECTED_BODY_LIMIT: usize = 64 * 1024;

const CREATE_SQLITE: &str = "CREATE TABLE IF NOT EXISTS hookproof_rejected ( \
     id INTEGER PRIMARY KEY AUTOINCREMENT, received_at BIGINT NOT NULL, scheme TEXT NOT NULL, \
     status INTEGER NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, headers TEXT NOT NULL, \
     body BLOB NOT NULL, body_size BIGINT NOT NULL)";

const CREATE_POSTGRES: &str = "CREATE TABLE IF NOT EXISTS hookproof_rejected ( \
     id BIGSERIAL PRIMARY KEY, received_at BIGINT NOT NULL, scheme TEXT NOT NULL, \
     status INTEGER NOT NULL, code TEXT NOT NULL, reason TEXT NOT NULL, headers TEXT NOT NULL, \
     body BYTEA NOT NULL, body_size BIGINT NOT NULL)";

const INSERT: &str = "INSERT INTO hookproof_rejected \
     (received_at, scheme, status, code, reason, headers, body, body_size) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

// Keeps the newest `$1` rows: ids only grow, so everything at or below the
// newest id minus the cap goes.
const TRIM: &str = "DELETE FROM hookproof_rejected WHERE id <= (SELECT MAX(id) FROM hookproof_rejected) - $1";

// `status` is read as a BIGINT on both backends (PostgreSQL stores an INTEGER).
const LIST: &str =
    "SELECT id, received_at, scheme, CAST(status AS BIGINT) AS status, code, reason, headers, body, body_size \
     FROM hookproof_rejected ORDER BY id DESC LIMIT $1";

/// A refused delivery, as the receiver saw it.
#[derive(Debug, Clone)]
pub struct NewRejection {
    /// The scheme (preset) the receiver verifies with.
    pub scheme: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The error code answered (`signature_mismatch`, `timestamp_too_old`...).
    pub code: String,
    /// What a person can act on: which header was missing, how old the
    /// timestamp was, which secrets (by position) were tried. Never a secret.
    pub reason: String,
    /// The request's headers (the receiver leaves out credentials such as
    /// `Authorization` and `Cookie`).
    pub headers: BTreeMap<String, String>,
    /// The body as received; cut to [`REJECTED_BODY_LIMIT`] bytes when stored.
    pub body: Bytes,
}

/// One row of the refusals log.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    /// Row id (grows; not an event id).
    pub id: i64,
    /// When it was refused, in unix milliseconds.
    pub received_at_ms: i64,
    /// The scheme (preset) the receiver verifies with.
    pub scheme: String,
    /// The HTTP status answered.
    pub status: u16,
    /// The error code answered.
    pub code: String,
    /// Why, for a person.
    pub reason: String,
    /// The request's headers.
    pub headers: BTreeMap<String, String>,
    /// The body, at most [`REJECTED_BODY_LIMIT`] bytes of it.
    #[serde(skip)]
    pub body: Bytes,
    /// The size of the body as received.
    pub body_size: u64,
}

impl Inbox {
    /// Records a refused delivery in the refusals log and drops the oldest
    /// rows beyond `keep` (at least 1). Durable like an operator change.
    pub async fn record_rejected(&self, rejection: NewRejection, keep: u32) -> Result<(), InboxError> {
        let body_size = i64::try_from(rejection.body.len()).unwrap_or(i64::MAX);
        let body = rejection.body.slice(..rejection.body.len().min(REJECTED_BODY_LIMIT));
        let headers = serde_json::to_string(&rejection.headers).unwrap_or_else(|_| "{}".to_owned());
        let keep = i64::from(keep.max(1));
        let now = now_millis();
        let limit = self.inner.options.operation_timeout;
        bounded(limit, async {
            let create = create_table(&self.inner.backend);
            with_writer!(&self.inner.backend, pool => {
                sqlx::query(create).execute(pool).await?;
                let mut transaction = pool.begin().await?;
                sqlx::query(INSERT)
                    .bind(now)
                    .bind(&rejection.scheme)
                    .bind(i32::from(rejection.status))
                    .bind(&rejection.code)
                    .bind(&rejection.reason)
                    .bind(&headers)
                    .bind(body.as_ref())
                    .bind(body_size)
                    .execute(&mut *transaction)
                    .await?;
                sqlx::query(TRIM).bind(keep).execute(&mut *transaction).await?;
                transaction.commit().await
            })
        })
        .await
    }

    /// The newest `limit` refused deliveries, newest first (none when
    /// nothing was ever recorded).
    pub async fn rejected(&self, limit: usize) -> Result<Vec<Rejection>, InboxError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        bounded(self.inner.options.operation_timeout, async {
            let create = create_table(&self.inner.backend);
            with_writer!(&self.inner.backend, pool => sqlx::query(create).execute(pool).await.map(drop))?;
            with_reader!(&self.inner.backend, pool => {
                let rows = sqlx::query(LIST).bind(limit).fetch_all(pool).await?;
                rows.iter().map(from_row).collect()
            })
        })
        .await
    }
}

/// The table's `CREATE` statement for `backend`.
fn create_table(backend: &Backend) -> &'static str {
    match backend {
        Backend::Sqlite(_) => CREATE_SQLITE,
        Backend::Postgres(_) => CREATE_POSTGRES,
    }
}

fn from_row(row: &impl Columns) -> Result<Rejection, sqlx::Error> {
    Ok(Rejection {
        id: row.int("id")?,
        received_at_ms: row.int("received_at")?,
        scheme: row.text("scheme")?,
        status: u16::try_from(row.int("status")?).unwrap_or(0),
        code: row.text("code")?,
        reason: row.text("reason")?,
        headers: serde_json::from_str(&row.text("headers")?).unwrap_or_default(),
        body: Bytes::from(row.blob("body")?),
        body_size: u64::try_from(row.int("body_size")?).unwrap_or(0),
    })
}
