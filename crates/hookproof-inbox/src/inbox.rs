//! [`Inbox`]: connect, store with group commit, claim and settle, operate.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Postgres, Row, Transaction};
use tokio::sync::{mpsc, oneshot, Notify};

use crate::event::{Event, EventRecord, EventSummary, NewDelivery, State, Stats, Stored};
use crate::time::{duration_millis, from_millis, millis, now_millis};
use crate::{sql, InboxError};
use hookproof_core::redact_url;

/// How long done rows are kept by default before [`Inbox::purge_done`]
/// removes them: longer than any provider's retry window (Stripe: 3 days),
/// so a late retry of a processed event is still a duplicate.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// Connection and batching settings; see [`Inbox::connect_with`].
#[derive(Debug, Clone)]
pub struct InboxOptions {
    store_timeout: Duration,
    operation_timeout: Duration,
    max_batch: usize,
    max_connections: u32,
}

impl Default for InboxOptions {
    fn default() -> Self {
        Self {
            store_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(10),
            max_batch: 256,
            max_connections: 10,
        }
    }
}

impl InboxOptions {
    /// The longest [`Inbox::store`] waits before answering
    /// [`InboxError::Unavailable`] (default 5 s: providers time out at 10 s).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.store_timeout = timeout;
        self
    }

    /// The longest any other call waits for the database (default 10 s).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = timeout;
        self
    }

    /// Most deliveries committed in one transaction (default 256).
    pub fn max_batch(mut self, deliveries: usize) -> Self {
        self.max_batch = deliveries.max(1);
        self
    }

    /// Size of the connection pool (default 10). On PostgreSQL a
    /// transactional worker holds one connection per running handler, and
    /// the commit task, the settle task and claims need one each: keep
    /// `Worker::concurrency` at least 3 below this. On SQLite it sizes the
    /// readers' pool; writes always share one connection.
    pub fn max_connections(mut self, connections: u32) -> Self {
        self.max_connections = connections.max(2);
        self
    }
}

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePools),
    Postgres(PgPool),
}

/// SQLite has one writer at a time. Writes go through a one-connection
/// pool, so this process's writers queue in order instead of meeting
/// `SQLITE_BUSY` and sleeping in SQLite's busy handler (1 ms, then longer);
/// only other processes contend for the file lock. Reads use their own pool.
#[derive(Clone)]
pub(crate) struct SqlitePools {
    writer: SqlitePool,
    reader: SqlitePool,
}

/// Runs the same code against the pool the inbox writes with; the SQL and
/// binds are written once and type-checked for each backend.
macro_rules! with_writer {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite(pools) => {
                let $pool = &pools.writer;
                $body
            }
            Backend::Postgres($pool) => $body,
        }
    };
}

/// [`with_writer`] for reads.
macro_rules! with_reader {
    ($backend:expr, $pool:ident => $body:expr) => {
        match $backend {
            Backend::Sqlite(pools) => {
                let $pool = &pools.reader;
                $body
            }
            Backend::Postgres($pool) => $body,
        }
    };
}

// The refusals log uses the pools and the macros above; a child module can.
#[path = "rejected.rs"]
pub(crate) mod rejected;

/// Begins a transaction that writes. On SQLite it takes the write lock up
/// front (`BEGIN IMMEDIATE`): a deferred transaction that reads first and
/// then writes can fail with `SQLITE_BUSY` instead of waiting.
///
/// [`begin_worker_write`](BeginWrite::begin_worker_write) is for the
/// workers' claims and settles, which need not wait for the disk: losing one
/// in a crash only runs an event again, which at-least-once allows. Stores
/// and operator changes stay fully durable.
trait BeginWrite {
    type Database: sqlx::Database;
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Self::Database>, sqlx::Error>> + Send;
    fn begin_worker_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Database>, sqlx::Error>> + Send;
}

impl BeginWrite for SqlitePool {
    type Database = sqlx::Sqlite;
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_with("BEGIN IMMEDIATE")
    }
    // SQLite's fsync of the WAL is cheap next to the rest of a commit here;
    // switching `synchronous` per transaction is not worth its statements.
    fn begin_worker_write(
        &self,
    ) -> impl Future<Output = Result<Transaction<'static, sqlx::Sqlite>, sqlx::Error>> + Send {
        self.begin_write()
    }
}

impl BeginWrite for PgPool {
    type Database = Postgres;
    fn begin_write(&self) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        self.begin()
    }
    fn begin_worker_write(&self) -> impl Future<Output = Result<Transaction<'static, Postgres>, sqlx::Error>> + Send {
        self.begin_with("BEGIN; SET LOCAL synchronous_commit = off")
    }
}

/// Applies the migrations newer than the recorded schema version, inside
/// `$transaction` (a macro: the same code for both transaction types).
macro_rules! apply_migrations {
    ($transaction:ident, $migrations:expr) => {{
        sqlx::query(sql::SCHEMA_TABLE).execute(&mut *$transaction).await?;
        let current = sqlx::query(sql::SCHEMA_VERSION).fetch_one(&mut *$transaction).await?.int("version")?;
        for (version, statements) in $migrations {
            if *version > current {
                sqlx::raw_sql(statements).execute(&mut *$transaction).await?;
                sqlx::query(sql::SCHEMA_RECORD).bind(version).bind(now_millis()).execute(&mut *$transaction).await?;
            }
        }
    }};
}

/// Reads columns by name from either backend's rows.
/// The typed column reads both backends' rows share.
pub(crate) trait Columns {
    fn int(&self, name: &str) -> Result<i64, sqlx::Error>;
    fn optional_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error>;
    fn text(&self, name: &str) -> Result<String, sqlx::Error>;
    fn optional_text(&self, name: &str) -> Result<Option<String>, sqlx::Error>;
    fn blob(&self, name: &str) -> Result<Vec<u8>, sqlx::Error>;
}

macro_rules! impl_columns {
    ($($row:ty),*) => {$(
        impl Columns for $row {
            fn int(&self, name: &str) -> Result<i64, sqlx::Error> { self.try_get(name) }
            fn optional_int(&self, name: &str) -> Result<Option<i64>, sqlx::Error> { self.try_get(name) }
            fn text(&self, name: &str) -> Result<String, sqlx::Error> { self.try_get(name) }
            fn optional_text(&self, name: &str) -> Result<Option<String>, sqlx::Error> { self.try_get(name) }
            fn blob(&self, name: &str) -> Result<Vec<u8>, sqlx::Error> { self.try_get(name) }
        }
    )*};
}

impl_columns!(SqliteRow, PgRow);

fn decode_error(column: &str, error: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::ColumnDecode { index: column.to_owned(), source: Box::new(error) }
}

fn key_column(row: &impl Columns) -> Result<[u8; 32], sqlx::Error> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(row.text("event_key")?, &mut key).map_err(|error| decode_error("event_key", error))?;
    Ok(key)
}

fn headers_column(row: &impl Columns) -> Result<BTreeMap<String, String>, sqlx::Error> {
    serde_json::from_str(&row.text("headers")?).map_err(|error| decode_error("headers", error))
}

fn state_column(row: &impl Columns) -> Result<State, sqlx::Error> {
    State::from_str(&row.text("state")?).map_err(|error| decode_error("state", error))
}

fn attempts_column(row: &impl Columns) -> Result<u32, sqlx::Error> {
    u32::try_from(row.int("attempts")?.max(0)).map_err(|error| decode_error("attempts", error))
}

fn event_from_row(row: &impl Columns) -> Result<Event, sqlx::Error> {
    Ok(Event {
        id: row.int("id")?,
        key: key_column(row)?,
        scheme: row.text("scheme")?,
        provider_id: row.optional_text("provider_id")?,
        timestamp: row.optional_int("event_timestamp")?,
        received_at: from_millis(row.int("received_at")?),
        headers: headers_column(row)?,
        body: Bytes::from(row.blob("body")?),
        attempt: attempts_column(row)?,
        owner: Arc::from(row.text("lease_owner")?),
    })
}

fn summary_from_row(row: &impl Columns) -> Result<EventSummary, sqlx::Error> {
    Ok(EventSummary {
        id: row.int("id")?,
        key: row.text("event_key")?,
        scheme: row.text("scheme")?,
        provider_id: row.optional_text("provider_id")?,
        state: state_column(row)?,
        attempts: attempts_column(row)?,
        received_at_ms: row.int("received_at")?,
        next_attempt_at_ms: row.int("next_attempt_at")?,
        last_error: row.optional_text("last_error")?,
        processed_at_ms: row.optional_int("processed_at")?,
    })
}

fn record_from_row(row: &impl Columns) -> Result<EventRecord, sqlx::Error> {
    Ok(EventRecord {
        summary: summary_from_row(row)?,
        timestamp: row.optional_int("event_timestamp")?,
        headers: headers_column(row)?,
        body: Bytes::from(row.blob("body")?),
        lease_owner: row.optional_text("lease_owner")?,
        lease_expires_at_ms: row.optional_int("lease_expires_at")?,
    })
}

/// What the group commit did so far: deliveries written per transaction is
/// `deliveries / transactions`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GroupCommitStats {
    /// Transactions committed by [`Inbox::store`]'s commit task.
    pub transactions: u64,
    /// Deliveries in them (accepted and duplicates).
    pub deliveries: u64,
}

#[derive(Debug, Default)]
struct CommitCounters {
    transactions: AtomicU64,
    deliveries: AtomicU64,
}

/// One delivery waiting for the commit task.
struct StoreRequest {
    delivery: NewDelivery,
    received_at: i64,
    reply: oneshot::Sender<Result<Stored, InboxError>>,
}

/// The durable inbox on SQLite or PostgreSQL: stores verified deliveries
/// (once per event key), hands them to workers with leases, and lets an
/// operator inspect, retry and purge them.
///
/// Cheap to clone (all clones share the pool and the commit task). Create it
/// inside a Tokio runtime.
///
/// Times (received, next attempt, lease expiry) come from the clock of the
/// machine making each call: machines sharing a PostgreSQL inbox need clocks
/// in sync (NTP) to well within a lease.
#[derive(Clone)]
pub struct Inbox {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Backend,
    requests: mpsc::Sender<StoreRequest>,
    settles: mpsc::Sender<SettleRequest>,
    stored: Arc<Notify>,
    commits: Arc<CommitCounters>,
    options: InboxOptions,
    redacted_url: String,
}

impl fmt::Debug for Inbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inbox")
            .field("backend", &self.backend_name())
            .field("url", &self.inner.redacted_url)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl Inbox {
    /// Connects with default [`InboxOptions`]; see [`connect_with`](Self::connect_with).
    pub async fn connect(url: &str) -> Result<Self, InboxError> {
        Self::connect_with(url, InboxOptions::default()).await
    }

    /// Connects to `sqlite:PATH` (created if missing; WAL journal,
    /// `synchronous=FULL` so a commit is fsynced) or `postgres://...`
    /// (`synchronous_commit=on` whatever the server's default), and creates
    /// or upgrades the inbox tables.
    pub async fn connect_with(url: &str, options: InboxOptions) -> Result<Self, InboxError> {
        let redacted_url = redact_url(url);
        let invalid = |reason: String| InboxError::InvalidUrl { url: redacted_url.clone(), reason };
        let backend = if url.starts_with("sqlite:") {
            let connect_options = SqliteConnectOptions::from_str(url)
                .map_err(|_| invalid("not a SQLite URL (expected sqlite:PATH)".to_owned()))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(options.store_timeout);
            // The writer first: it creates the file and switches it to WAL.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .acquire_timeout(options.store_timeout)
                .connect_with(connect_options.clone())
                .await
                .map_err(InboxError::from_sqlx)?;
            let reader = SqlitePoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.store_timeout)
                .connect_with(connect_options)
                .await
                .map_err(InboxError::from_sqlx)?;
            Backend::Sqlite(SqlitePools { writer, reader })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // The parser's messages never quote the URL, but are kept out
            // anyway: the reason below is enough to fix a typo.
            let connect_options = PgConnectOptions::from_str(url)
                .map_err(|_| invalid("not a PostgreSQL URL (expected postgres://USER@HOST:PORT/DB)".to_owned()))?
                .application_name("hookproof-inbox")
                .options([("synchronous_commit", "on")]);
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.store_timeout)
                .connect_with(connect_options)
                .await
                .map_err(InboxError::from_sqlx)?;
            Backend::Postgres(pool)
        } else {
            return Err(invalid("expected sqlite:PATH or postgres://...".to_owned()));
        };
        bounded(options.operation_timeout, migrate(&backend)).await.map_err(|error| match error {
            InboxError::Database(source) => InboxError::Migration(source),
            other => other,
        })?;

        let (requests, receiver) = mpsc::channel(options.max_batch.saturating_mul(16));
        let stored = Arc::new(Notify::new());
        let commits = Arc::new(CommitCounters::default());
        tokio::spawn(commit_loop(
            backend.clone(),
            receiver,
            CommitSettings { max_batch: options.max_batch, timeout: options.store_timeout },
            Arc::clone(&stored),
            Arc::clone(&commits),
        ));
        let (settles, settle_receiver) = mpsc::channel(options.max_batch.saturating_mul(16));
        tokio::spawn(settle_loop(backend.clone(), settle_receiver, options.max_batch, options.operation_timeout));
        Ok(Self { inner: Arc::new(Inner { backend, requests, settles, stored, commits, options, redacted_url }) })
    }

    /// `"sqlite"` or `"postgres"`.
    pub fn backend_name(&self) -> &'static str {
        match self.inner.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// The PostgreSQL pool, for handlers that want their own queries.
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.inner.backend {
            Backend::Postgres(pool) => Some(pool),
            Backend::Sqlite(_) => None,
        }
    }

    /// Closes the pool; later calls fail with [`InboxError::Unavailable`].
    pub async fn close(&self) {
        match &self.inner.backend {
            Backend::Sqlite(pools) => {
                pools.writer.close().await;
                pools.reader.close().await;
            }
            Backend::Postgres(pool) => pool.close().await,
        }
    }

    /// Stores a delivery, durably: when this returns `Ok`, the row is
    /// committed and fsynced, and the 2xx may be sent.
    ///
    /// Concurrent calls are grouped into one transaction by a background
    /// task (one fsync for the group). A key already stored, in any state,
    /// is [`Stored::Duplicate`] and writes nothing. A database that cannot
    /// be reached is [`InboxError::Unavailable`] within the store timeout;
    /// the delivery may still have been committed, in which case the
    /// provider's retry is answered as a duplicate.
    pub async fn store(&self, delivery: NewDelivery) -> Result<Stored, InboxError> {
        let timeout = self.inner.options.store_timeout;
        let (reply, answer) = oneshot::channel();
        let request = StoreRequest { delivery, received_at: now_millis(), reply };
        let round_trip = async {
            self.inner.requests.send(request).await.map_err(|_| InboxError::closed())?;
            answer.await.map_err(|_| InboxError::closed())?
        };
        tokio::time::timeout(timeout, round_trip).await.unwrap_or_else(|_| Err(InboxError::timed_out(timeout)))
    }

    /// Claims up to `limit` events that are due (pending and past their
    /// next attempt time, or processing with an expired lease) for `owner`
    /// for `lease`, counting an attempt for each. The caller then
    /// [`complete`](Self::complete)s, [`fail`](Self::fail)s,
    /// [`mark_dead`](Self::mark_dead)s or [`release`](Self::release)s each,
    /// and [`renew`](Self::renew)s the lease while it works.
    ///
    /// PostgreSQL skips rows other workers are claiming (`FOR UPDATE SKIP
    /// LOCKED`); SQLite claims in one statement under the write lock.
    pub async fn claim_due(&self, owner: &str, lease: Duration, limit: usize) -> Result<Vec<Event>, InboxError> {
        let now = now_millis();
        let expires = now.saturating_add(duration_millis(lease));
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = async {
            let claim = match &self.inner.backend {
                Backend::Sqlite(_) => sql::CLAIM_SQLITE,
                Backend::Postgres(_) => sql::CLAIM_POSTGRES,
            };
            let mut events = with_writer!(&self.inner.backend, pool => {
                let mut transaction = pool.begin_worker_write().await?;
                let rows = sqlx::query(claim)
                    .bind(owner)
                    .bind(expires)
                    .bind(now)
                    .bind(limit)
                    .fetch_all(&mut *transaction)
                    .await?;
                transaction.commit().await?;
                rows.iter().map(event_from_row).collect::<Result<Vec<_>, _>>()?
            });
            events.sort_by_key(Event::id);
            Ok(events)
        };
        self.bounded(rows).await
    }

    /// Extends the lease on a claimed event to `lease` from now.
    pub async fn renew(&self, event: &Event, lease: Duration) -> Result<(), InboxError> {
        let expires = now_millis().saturating_add(duration_millis(lease));
        self.settle(sql::RENEW, event, expires, None).await
    }

    /// Marks a claimed event done.
    pub async fn complete(&self, event: &Event) -> Result<(), InboxError> {
        self.settle(sql::COMPLETE, event, now_millis(), None).await
    }

    /// Records a failed attempt and schedules the next one at `next_attempt_at`.
    pub async fn fail(&self, event: &Event, error: &str, next_attempt_at: SystemTime) -> Result<(), InboxError> {
        self.settle(sql::FAIL, event, millis(next_attempt_at), Some(error)).await
    }

    /// Records a failed attempt and gives up: the event is dead until an
    /// operator [`retry`](Self::retry)s it.
    pub async fn mark_dead(&self, event: &Event, error: &str) -> Result<(), InboxError> {
        self.settle(sql::MARK_DEAD, event, now_millis(), Some(error)).await
    }

    /// Gives a claimed event back without counting the attempt (shutdown).
    pub async fn release(&self, event: &Event) -> Result<(), InboxError> {
        self.settle(sql::RELEASE, event, now_millis(), None).await
    }

    /// Runs one of the owner-checked statements through the settle task,
    /// which groups concurrent ones (many workers finishing together) into
    /// one transaction, as [`store`](Self::store) does for deliveries.
    async fn settle(
        &self,
        statement: &'static str,
        event: &Event,
        time: i64,
        error: Option<&str>,
    ) -> Result<(), InboxError> {
        let timeout = self.inner.options.operation_timeout;
        let (reply, answer) = oneshot::channel();
        let request = SettleRequest {
            statement,
            id: event.id,
            owner: Arc::clone(&event.owner),
            attempts: i64::from(event.attempt),
            time,
            error: error.map(str::to_owned),
            reply,
        };
        let round_trip = async {
            self.inner.settles.send(request).await.map_err(|_| InboxError::closed())?;
            answer.await.map_err(|_| InboxError::closed())?
        };
        tokio::time::timeout(timeout, round_trip).await.unwrap_or_else(|_| Err(InboxError::timed_out(timeout)))
    }

    /// Marks a claimed event done inside `transaction`, so that the
    /// handler's own writes in it commit with the mark or not at all.
    /// Returns [`InboxError::LeaseLost`] (and the caller must roll back)
    /// when the claim is no longer this worker's.
    pub async fn complete_in(
        &self,
        transaction: &mut Transaction<'_, Postgres>,
        event: &Event,
    ) -> Result<(), InboxError> {
        let affected = sqlx::query(sql::COMPLETE)
            .bind(now_millis())
            .bind(event.id)
            .bind(&*event.owner)
            .bind(i64::from(event.attempt))
            .execute(&mut **transaction)
            .await
            .map_err(InboxError::from_sqlx)?
            .rows_affected();
        if affected == 1 {
            Ok(())
        } else {
            Err(InboxError::LeaseLost { id: event.id })
        }
    }

    /// How many events are in each state.
    pub async fn stats(&self) -> Result<Stats, InboxError> {
        self.bounded(async {
            let mut stats = Stats::default();
            with_reader!(&self.inner.backend, pool => {
                for row in sqlx::query(sql::STATS).fetch_all(pool).await? {
                    let count = u64::try_from(row.int("count")?).unwrap_or(0);
                    *stats.slot(state_column(&row)?) = count;
                }
            });
            Ok(stats)
        })
        .await
    }

    /// The newest `limit` events, all or in one state, without bodies.
    pub async fn list(&self, state: Option<State>, limit: usize) -> Result<Vec<EventSummary>, InboxError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.bounded(async {
            with_reader!(&self.inner.backend, pool => {
                let rows = match state {
                    Some(state) => sqlx::query(sql::LIST_STATE).bind(limit).bind(state.as_str()).fetch_all(pool).await?,
                    None => sqlx::query(sql::LIST).bind(limit).fetch_all(pool).await?,
                };
                rows.iter().map(summary_from_row).collect()
            })
        })
        .await
    }

    /// One event with its headers and body.
    pub async fn get(&self, id: i64) -> Result<Option<EventRecord>, InboxError> {
        self.bounded(async {
            with_reader!(&self.inner.backend, pool => {
                sqlx::query(sql::GET).bind(id).fetch_optional(pool).await?.as_ref().map(record_from_row).transpose()
            })
        })
        .await
    }

    /// Puts dead or done events back to pending with their attempts reset,
    /// due now. Returns how many were changed (others are pending,
    /// processing or missing, and left alone).
    pub async fn retry(&self, ids: &[i64]) -> Result<u64, InboxError> {
        let now = now_millis();
        let changed = self
            .bounded(async {
                with_writer!(&self.inner.backend, pool => {
                    let mut transaction = pool.begin_write().await?;
                    let mut changed = 0;
                    for id in ids {
                        changed += sqlx::query(sql::RETRY).bind(now).bind(id).execute(&mut *transaction).await?.rows_affected();
                    }
                    transaction.commit().await?;
                    Ok::<_, sqlx::Error>(changed)
                })
            })
            .await?;
        if changed > 0 {
            self.inner.stored.notify_waiters();
        }
        Ok(changed)
    }

    /// Deletes events in `state` that became done or dead (or, for pending
    /// and processing, were received) more than `older_than` ago. Returns
    /// how many were deleted. A purged event's key is forgotten: a later
    /// delivery of it is accepted again.
    pub async fn purge(&self, state: State, older_than: Duration) -> Result<u64, InboxError> {
        let cutoff = now_millis().saturating_sub(duration_millis(older_than));
        self.bounded(async {
            // In chunks: one huge DELETE would hold the write lock (and
            // delay stores) for as long as it runs.
            let mut deleted = 0;
            loop {
                let chunk = with_writer!(&self.inner.backend, pool => sqlx::query(sql::PURGE)
                    .bind(state.as_str())
                    .bind(cutoff)
                    .bind(sql::PURGE_CHUNK)
                    .execute(pool)
                    .await?
                    .rows_affected());
                deleted += chunk;
                if chunk < sql::PURGE_CHUNK as u64 {
                    return Ok(deleted);
                }
            }
        })
        .await
    }

    /// Retention: deletes done events older than `retention`
    /// ([`DEFAULT_RETENTION`] is 7 days). Dead events stay until an operator acts.
    pub async fn purge_done(&self, retention: Duration) -> Result<u64, InboxError> {
        self.purge(State::Done, retention).await
    }

    /// How many transactions the group commit used for how many deliveries.
    pub fn group_commit_stats(&self) -> GroupCommitStats {
        GroupCommitStats {
            transactions: self.inner.commits.transactions.load(Ordering::Relaxed),
            deliveries: self.inner.commits.deliveries.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn stored_notify(&self) -> &Notify {
        &self.inner.stored
    }

    async fn bounded<T>(&self, operation: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, InboxError> {
        bounded(self.inner.options.operation_timeout, operation).await
    }
}

async fn bounded<T>(limit: Duration, operation: impl Future<Output = Result<T, sqlx::Error>>) -> Result<T, InboxError> {
    match tokio::time::timeout(limit, operation).await {
        Ok(result) => result.map_err(InboxError::from_sqlx),
        Err(_) => Err(InboxError::timed_out(limit)),
    }
}

/// Creates or upgrades the tables, once even with many processes starting together.
async fn migrate(backend: &Backend) -> Result<(), sqlx::Error> {
    match backend {
        Backend::Sqlite(pools) => {
            let mut transaction = pools.writer.begin_write().await?;
            apply_migrations!(transaction, sql::SQLITE_MIGRATIONS);
            transaction.commit().await
        }
        Backend::Postgres(pool) => {
            let mut transaction = pool.begin().await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(sql::POSTGRES_MIGRATION_LOCK)
                .execute(&mut *transaction)
                .await?;
            apply_migrations!(transaction, sql::POSTGRES_MIGRATIONS);
            transaction.commit().await
        }
    }
}

struct CommitSettings {
    max_batch: usize,
    timeout: Duration,
}

/// Group commit: takes whatever deliveries are queued (up to `max_batch`),
/// inserts them in one transaction, then answers each.
async fn commit_loop(
    backend: Backend,
    mut requests: mpsc::Receiver<StoreRequest>,
    CommitSettings { max_batch, timeout }: CommitSettings,
    stored: Arc<Notify>,
    commits: Arc<CommitCounters>,
) {
    let mut batch = Vec::with_capacity(max_batch);
    while requests.recv_many(&mut batch, max_batch).await > 0 {
        // A caller that timed out has answered 503 already; skipping its
        // delivery drains a backlog faster while the database is down.
        batch.retain(|request: &StoreRequest| !request.reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        match commit(&backend, &batch, timeout, &commits).await {
            Err(InboxError::Database(_)) if batch.len() > 1 => {
                // The database refused one of the rows, not the connection:
                // commit each alone so one bad delivery fails alone.
                for request in batch.drain(..) {
                    let outcome = commit(&backend, std::slice::from_ref(&request), timeout, &commits).await;
                    answer([request], outcome, &stored);
                }
            }
            outcome => answer(batch.drain(..), outcome, &stored),
        }
    }
}

async fn commit(
    backend: &Backend,
    batch: &[StoreRequest],
    timeout: Duration,
    commits: &CommitCounters,
) -> Result<Vec<Stored>, InboxError> {
    match tokio::time::timeout(timeout, insert_batch(backend, batch)).await {
        Ok(Ok(outcomes)) => {
            commits.transactions.fetch_add(1, Ordering::Relaxed);
            commits.deliveries.fetch_add(outcomes.len() as u64, Ordering::Relaxed);
            Ok(outcomes)
        }
        Ok(Err(error)) => {
            tracing::warn!(error = %error, deliveries = batch.len(), "inbox group commit failed");
            Err(InboxError::from_sqlx(error))
        }
        Err(_) => Err(InboxError::timed_out(timeout)),
    }
}

fn answer(requests: impl IntoIterator<Item = StoreRequest>, outcome: Result<Vec<Stored>, InboxError>, stored: &Notify) {
    match outcome {
        Ok(outcomes) => {
            let any_accepted = outcomes.iter().any(|stored| matches!(stored, Stored::Accepted { .. }));
            for (request, stored) in requests.into_iter().zip(outcomes) {
                let _ = request.reply.send(Ok(stored));
            }
            if any_accepted {
                stored.notify_waiters();
            }
        }
        Err(error) => {
            // Not stored, so not acknowledged: 503, and the sender retries.
            let error = match error {
                InboxError::Database(source) => InboxError::Unavailable(source),
                other => other,
            };
            for request in requests {
                let _ = request.reply.send(Err(error.clone()));
            }
        }
    }
}

/// One renewal, completion, failure or release waiting for the settle task.
struct SettleRequest {
    statement: &'static str,
    id: i64,
    owner: Arc<str>,
    attempts: i64,
    time: i64,
    error: Option<String>,
    reply: oneshot::Sender<Result<(), InboxError>>,
}

/// Groups settle statements into transactions, like [`commit_loop`]: a
/// worker finishing many short handlers pays one commit (one fsync) for
/// the group instead of one each.
async fn settle_loop(
    backend: Backend,
    mut requests: mpsc::Receiver<SettleRequest>,
    max_batch: usize,
    timeout: Duration,
) {
    let mut batch = Vec::with_capacity(max_batch);
    while requests.recv_many(&mut batch, max_batch).await > 0 {
        batch.retain(|request: &SettleRequest| !request.reply.is_closed());
        if batch.is_empty() {
            continue;
        }
        // Rows locked in id order, so two processes' groups cannot deadlock
        // (the sort is stable: one event's requests keep their order).
        batch.sort_by_key(|request| request.id);
        match settle_bounded(&backend, &batch, timeout).await {
            Err(InboxError::Database(_)) if batch.len() > 1 => {
                for request in batch.drain(..) {
                    let outcome = settle_bounded(&backend, std::slice::from_ref(&request), timeout).await;
                    answer_settled([request], outcome);
                }
            }
            outcome => answer_settled(batch.drain(..), outcome),
        }
    }
}

async fn settle_bounded(
    backend: &Backend,
    batch: &[SettleRequest],
    timeout: Duration,
) -> Result<Vec<bool>, InboxError> {
    bounded(timeout, settle_batch(backend, batch)).await
}

/// Whether each request still held its claim (changed its row).
async fn settle_batch(backend: &Backend, batch: &[SettleRequest]) -> Result<Vec<bool>, sqlx::Error> {
    with_writer!(backend, pool => {
        let mut transaction = pool.begin_worker_write().await?;
        let mut held = Vec::with_capacity(batch.len());
        for request in batch {
            let affected = sqlx::query(request.statement)
                .bind(request.time)
                .bind(request.id)
                .bind(&*request.owner)
                .bind(request.attempts)
                .bind(request.error.as_deref())
                .execute(&mut *transaction)
                .await?
                .rows_affected();
            held.push(affected == 1);
        }
        transaction.commit().await?;
        Ok(held)
    })
}

fn answer_settled(requests: impl IntoIterator<Item = SettleRequest>, outcome: Result<Vec<bool>, InboxError>) {
    match outcome {
        Ok(held) => {
            for (request, held) in requests.into_iter().zip(held) {
                let answer = if held { Ok(()) } else { Err(InboxError::LeaseLost { id: request.id }) };
                let _ = request.reply.send(answer);
            }
        }
        Err(error) => {
            for request in requests {
                let _ = request.reply.send(Err(error.clone()));
            }
        }
    }
}

async fn insert_batch(backend: &Backend, batch: &[StoreRequest]) -> Result<Vec<Stored>, sqlx::Error> {
    match backend {
        Backend::Sqlite(pools) => {
            // One multi-row statement per chunk: each statement is a round
            // trip to sqlx's SQLite thread, and a statement per row made the
            // group's transaction several times longer than its fsync.
            let keys: Vec<String> = batch.iter().map(|request| request.delivery.key.to_hex()).collect();
            let mut ids = HashMap::with_capacity(batch.len());
            let mut transaction = pools.writer.begin_write().await?;
            for (chunk, chunk_keys) in batch.chunks(SQLITE_ROWS_PER_INSERT).zip(keys.chunks(SQLITE_ROWS_PER_INSERT)) {
                let statement = sql::insert_many_sqlite(chunk.len());
                let mut query = sqlx::query(&statement);
                for (request, key) in chunk.iter().zip(chunk_keys) {
                    let delivery = &request.delivery;
                    query = query
                        .bind(key.as_str())
                        .bind(delivery.scheme.as_str())
                        .bind(delivery.provider_id.as_deref())
                        .bind(request.received_at)
                        .bind(delivery.timestamp)
                        .bind(headers_json(delivery))
                        .bind(&delivery.body[..])
                        .bind(request.received_at);
                }
                for row in query.fetch_all(&mut *transaction).await? {
                    ids.insert(row.text("event_key")?, row.int("id")?);
                }
            }
            transaction.commit().await?;
            Ok(accepted_or_duplicate(&keys, ids))
        }
        Backend::Postgres(pool) => {
            // One statement for the whole group: a round trip per row would
            // cost more than the commit.
            let keys: Vec<String> = batch.iter().map(|request| request.delivery.key.to_hex()).collect();
            let inserted = sqlx::query(sql::INSERT_MANY_POSTGRES)
                .bind(&keys)
                .bind(batch.iter().map(|request| request.delivery.scheme.as_str()).collect::<Vec<_>>())
                .bind(batch.iter().map(|request| request.delivery.provider_id.as_deref()).collect::<Vec<_>>())
                .bind(batch.iter().map(|request| request.received_at).collect::<Vec<_>>())
                .bind(batch.iter().map(|request| request.delivery.timestamp).collect::<Vec<_>>())
                .bind(batch.iter().map(|request| headers_json(&request.delivery)).collect::<Vec<_>>())
                .bind(batch.iter().map(|request| &request.delivery.body[..]).collect::<Vec<_>>())
                .fetch_all(pool)
                .await?;
            let mut ids = HashMap::with_capacity(inserted.len());
            for row in &inserted {
                ids.insert(row.text("event_key")?, row.int("id")?);
            }
            Ok(accepted_or_duplicate(&keys, ids))
        }
    }
}

/// Rows per SQLite INSERT: 8 parameters each, well under SQLite's 32,766.
const SQLITE_ROWS_PER_INSERT: usize = 256;

/// Each key's outcome from the ids the INSERT returned. A key twice in one
/// group is inserted once: the first of them is the accepted one, the
/// others are duplicates.
fn accepted_or_duplicate(keys: &[String], mut ids: HashMap<String, i64>) -> Vec<Stored> {
    keys.iter()
        .map(|key| match ids.remove(key) {
            Some(id) => Stored::Accepted { id },
            None => Stored::Duplicate,
        })
        .collect()
}

fn headers_json(delivery: &NewDelivery) -> String {
    // Serialising a map of strings cannot fail.
    serde_json::to_string(&delivery.headers).unwrap_or_else(|_| "{}".to_owned())
}
