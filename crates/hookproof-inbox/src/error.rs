//! [`InboxError`]: what can go wrong talking to the inbox database.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// An inbox operation failed.
///
/// Errors are cheap to clone (one database failure is reported to every
/// delivery of a group commit) and never contain a database password.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum InboxError {
    /// The database could not be reached or did not answer in time. Nothing
    /// was acknowledged: a receiver answers 503 `inbox_unavailable`.
    #[error("inbox database unavailable")]
    Unavailable(#[source] Arc<dyn StdError + Send + Sync>),
    /// The database answered with an error (SQL, constraint, decoding).
    #[error("inbox database error")]
    Database(#[source] Arc<sqlx::Error>),
    /// Creating or upgrading the inbox tables failed.
    #[error("inbox schema migration failed")]
    Migration(#[source] Arc<sqlx::Error>),
    /// The URL is neither `sqlite:PATH` nor `postgres://...`, or does not parse.
    /// `url` has its password replaced by `***`.
    #[error("invalid inbox URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as given, password redacted.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// This worker no longer holds the event's lease: it expired and another
    /// worker claimed the event, or an operator changed the row. The outcome
    /// of this attempt was not recorded.
    #[error("lease on inbox event {id} was lost")]
    LeaseLost {
        /// The event's row id.
        id: i64,
    },
    /// The operation exists only on a PostgreSQL inbox.
    #[error("{operation} needs a PostgreSQL inbox")]
    PostgresOnly {
        /// What was attempted.
        operation: &'static str,
    },
}

impl InboxError {
    /// Whether the database was unreachable or too slow, the case a receiver
    /// answers with 503 `inbox_unavailable`.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, InboxError::Unavailable(_))
    }

    pub(crate) fn timed_out(after: Duration) -> Self {
        InboxError::Unavailable(Arc::new(TimedOut(after)))
    }

    pub(crate) fn closed() -> Self {
        InboxError::Unavailable(Arc::new(Closed))
    }

    /// Sorts a driver error into unreachable (connection, pool, busy file)
    /// versus an answer from the database.
    pub(crate) fn from_sqlx(error: sqlx::Error) -> Self {
        if is_unreachable(&error) {
            InboxError::Unavailable(Arc::new(error))
        } else {
            InboxError::Database(Arc::new(error))
        }
    }
}

fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(database) => {
            let code = database.code().unwrap_or_default();
            if database.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some() {
                // Class 08 is "connection exception"; 57P01-57P03 are
                // shutdown and "cannot connect now" (starting, recovering).
                code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03")
            } else if database.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // Primary result codes (the extended code's low byte) BUSY,
                // LOCKED, IOERR, FULL, CANTOPEN: the file is not usable now.
                code.parse::<i32>().is_ok_and(|extended| matches!(extended & 0xff, 5 | 6 | 10 | 13 | 14))
            } else {
                false
            }
        }
        _ => false,
    }
}

/// An operation did not finish within its bound.
#[derive(Debug)]
struct TimedOut(Duration);

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no answer from the inbox database within {} ms", self.0.as_millis())
    }
}

impl StdError for TimedOut {}

/// The background task that commits deliveries has stopped.
#[derive(Debug)]
struct Closed;

impl fmt::Display for Closed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the inbox's commit task has stopped")
    }
}

impl StdError for Closed {}
