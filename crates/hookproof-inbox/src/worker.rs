//! [`Worker`]: claims due events and runs a handler on each, with lease
//! renewal, retries, dead letters and graceful shutdown.

use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use futures_util::future::BoxFuture;
use futures_util::FutureExt as _;
use hookproof_core::ErrorChain;
use sqlx::{Postgres, Transaction};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

use crate::{Event, Inbox, InboxError, DEFAULT_RETENTION};

/// Longest `last_error` kept; a handler's error may be a whole response body.
const MAX_ERROR_LEN: usize = 4096;

/// How often a worker deletes done rows past the retention.
const PURGE_INTERVAL: Duration = Duration::from_secs(60 * 60);

/// What a run of [`Worker::run`] did, counted per event outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerReport {
    /// Handler succeeded; the event is done.
    pub succeeded: u64,
    /// Handler failed, panicked or timed out; the event is scheduled again.
    pub retried: u64,
    /// Handler failed its last allowed attempt; the event is dead.
    pub dead: u64,
    /// Given back at shutdown (pending, attempt not counted): claimed but
    /// not started yet, or still running at the end of the grace period.
    pub released: u64,
    /// The outcome could not be recorded (the lease was lost, or the
    /// database failed), or the lease was lost before the handler started.
    /// The event runs again when its lease expires.
    pub unrecorded: u64,
}

/// Runs a handler on the inbox's due events, `concurrency` at a time.
///
/// Each event is claimed with a lease, renewed while the handler runs. On
/// success it is done; on an error, a panic or the handler timeout it is
/// retried after an exponential backoff with jitter (`backoff`, doubling,
/// capped at `max_backoff`); its `max_attempts`th failure makes it dead,
/// with the last error kept. When `shutdown` completes the worker stops
/// claiming, lets running handlers finish for the grace period, then stops
/// them and gives their events back.
///
/// Delivery is at least once: a worker killed mid-handler leaves its lease
/// to expire, and another worker runs the event again. On PostgreSQL,
/// [`run_in_transaction`](Self::run_in_transaction) makes the handler's
/// database writes exactly once.
pub struct Worker {
    inbox: Inbox,
    owner: String,
    concurrency: usize,
    lease: Duration,
    max_attempts: u32,
    backoff: Duration,
    max_backoff: Duration,
    handler_timeout: Option<Duration>,
    poll_interval: Duration,
    shutdown_grace: Duration,
    retention: Option<Duration>,
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("inbox", &self.inbox)
            .field("owner", &self.owner)
            .field("concurrency", &self.concurrency)
            .field("lease", &self.lease)
            .field("max_attempts", &self.max_attempts)
            .field("backoff", &self.backoff)
            .field("max_backoff", &self.max_backoff)
            .field("handler_timeout", &self.handler_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("shutdown_grace", &self.shutdown_grace)
            .field("retention", &self.retention)
            .finish()
    }
}

impl Worker {
    /// A worker with the defaults: 4 at a time, 30 s leases, 10 attempts,
    /// first retry after 1 s (doubling, at most 1 h), no handler timeout,
    /// polling every 500 ms when idle (events stored through this process's
    /// `Inbox` wake it at once), 10 s shutdown grace, done rows purged after
    /// [`DEFAULT_RETENTION`].
    pub fn new(inbox: Inbox) -> Self {
        Self {
            inbox,
            owner: format!("worker-{}-{:08x}", std::process::id(), random_u64() as u32),
            concurrency: 4,
            lease: Duration::from_secs(30),
            max_attempts: 10,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60 * 60),
            handler_timeout: None,
            poll_interval: Duration::from_millis(500),
            shutdown_grace: Duration::from_secs(10),
            retention: Some(DEFAULT_RETENTION),
        }
    }

    /// The name recorded as lease owner (default `worker-PID-RANDOM`).
    pub fn owner(mut self, owner: impl Into<String>) -> Self {
        self.owner = owner.into();
        self
    }

    /// How many handlers run at once (at least 1). The worker also holds
    /// up to as many events claimed ahead (leases renewed), so that one
    /// claim serves a whole batch: with no-op handlers on SQLite, 16 drain
    /// several thousand events a second where 4 drain about two thousand.
    pub fn concurrency(mut self, handlers: usize) -> Self {
        self.concurrency = handlers.max(1);
        self
    }

    /// How long a claim lasts without renewal; renewed every third of it.
    /// A killed worker's events run again this long after it died.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.max(Duration::from_millis(30));
        self
    }

    /// Attempts before an event is dead (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Delay before the first retry; each further retry doubles it.
    pub fn backoff(mut self, first_retry: Duration) -> Self {
        self.backoff = first_retry;
        self
    }

    /// The longest delay between attempts.
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// Fails an attempt whose handler runs longer than this.
    pub fn handler_timeout(mut self, limit: Duration) -> Self {
        self.handler_timeout = Some(limit);
        self
    }

    /// How often an idle worker looks for due events.
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How long running handlers may finish after shutdown is asked.
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }

    /// How long done rows are kept (`None`: this worker never purges).
    pub fn retention(mut self, retention: Option<Duration>) -> Self {
        self.retention = retention;
        self
    }

    /// Runs `handler` on due events until `shutdown` completes, then shuts
    /// down gracefully. The error of a failed attempt (its `Display`) is
    /// kept as the event's `last_error`.
    pub async fn run<H, F, E>(self, handler: H, shutdown: impl Future<Output = ()>) -> Result<WorkerReport, InboxError>
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), E>> + Send + 'static,
        E: fmt::Display + Send + 'static,
    {
        let job: Job = Arc::new(move |event| {
            let attempt = handler(event);
            Box::pin(async move {
                attempt.await.map(|()| Settled::NeedsCompletion).map_err(|error| JobError::Failed(error.to_string()))
            })
        });
        Ok(self.dispatch(job, shutdown).await)
    }

    /// Like [`run`](Self::run), on PostgreSQL only, with the handler inside
    /// the inbox's transaction: its writes through `transaction` commit
    /// together with the event's done mark, or are rolled back (handler
    /// error, panic, timeout, lost lease). Even when two workers run the
    /// same event (an expired lease), only one commit succeeds.
    ///
    /// ```no_run
    /// # async fn example(inbox: hookproof_inbox::Inbox) -> Result<(), hookproof_inbox::InboxError> {
    /// use hookproof_inbox::Worker;
    ///
    /// Worker::new(inbox)
    ///     .run_in_transaction(
    ///         |event, transaction| {
    ///             Box::pin(async move {
    ///                 sqlx::query("INSERT INTO orders (event_key, body) VALUES ($1, $2)")
    ///                     .bind(event.key_hex())
    ///                     .bind(&event.body()[..])
    ///                     .execute(&mut **transaction)
    ///                     .await?;
    ///                 Ok::<(), sqlx::Error>(())
    ///             })
    ///         },
    ///         std::future::pending(),
    ///     )
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn run_in_transaction<H, E>(
        self,
        handler: H,
        shutdown: impl Future<Output = ()>,
    ) -> Result<WorkerReport, InboxError>
    where
        H: for<'t> Fn(Event, &'t mut Transaction<'static, Postgres>) -> BoxFuture<'t, Result<(), E>>
            + Send
            + Sync
            + 'static,
        E: fmt::Display + Send + 'static,
    {
        let Some(pool) = self.inbox.postgres_pool().cloned() else {
            return Err(InboxError::PostgresOnly { operation: "Worker::run_in_transaction" });
        };
        let inbox = self.inbox.clone();
        let handler = Arc::new(handler);
        let job: Job = Arc::new(move |event: Event| {
            let (pool, inbox, handler) = (pool.clone(), inbox.clone(), Arc::clone(&handler));
            Box::pin(async move {
                let mut transaction = pool
                    .begin()
                    .await
                    .map_err(|error| JobError::Failed(format!("could not begin a transaction: {error}")))?;
                handler(event.clone(), &mut transaction).await.map_err(|error| JobError::Failed(error.to_string()))?;
                // Dropping the transaction on any early return rolls the handler's writes back.
                match inbox.complete_in(&mut transaction, &event).await {
                    Ok(()) => {}
                    Err(InboxError::LeaseLost { .. }) => return Err(JobError::LeaseLost),
                    Err(error) => return Err(JobError::Failed(format!("could not mark done: {}", ErrorChain(&error)))),
                }
                transaction.commit().await.map_err(|error| JobError::Failed(format!("could not commit: {error}")))?;
                Ok(Settled::Completed)
            })
        });
        Ok(self.dispatch(job, shutdown).await)
    }

    async fn dispatch(self, job: Job, shutdown: impl Future<Output = ()>) -> WorkerReport {
        let shared = Arc::new(Shared {
            inbox: self.inbox.clone(),
            lease: self.lease,
            max_attempts: self.max_attempts,
            backoff: self.backoff,
            max_backoff: self.max_backoff,
            handler_timeout: self.handler_timeout,
            report: Mutex::new(WorkerReport::default()),
        });
        let permits = Arc::new(Semaphore::new(self.concurrency));
        let (stop_running, stop) = watch::channel(false);
        let mut tasks = JoinSet::new();
        let mut shutdown = pin!(shutdown);
        let mut last_purge: Option<Instant> = None;
        // Claimed ahead, waiting for a free handler: claiming a whole batch
        // while the previous one runs costs one transaction per batch
        // instead of one per handler that happens to finish.
        let mut claimed: VecDeque<(Event, Instant)> = VecDeque::new();
        let start = |tasks: &mut JoinSet<()>, (event, claimed_at): (Event, Instant), permit| {
            tasks.spawn(process(Arc::clone(&shared), Arc::clone(&job), event, claimed_at, permit, stop.clone()));
        };

        loop {
            if let Some(retention) = self.retention {
                if last_purge.is_none_or(|at| at.elapsed() >= PURGE_INTERVAL) {
                    last_purge = Some(Instant::now());
                    if let Err(error) = self.inbox.purge_done(retention).await {
                        tracing::warn!(error = %ErrorChain(&error), "inbox retention purge failed");
                    }
                }
            }
            while tasks.try_join_next().is_some() {}

            while !claimed.is_empty() {
                let Ok(permit) = Arc::clone(&permits).try_acquire_owned() else { break };
                if let Some(waiting) = claimed.pop_front() {
                    start(&mut tasks, waiting, permit);
                }
            }
            if !claimed.is_empty() {
                // Waiting events' leases are renewed like running ones'.
                let oldest = claimed.iter().map(|(_, renewed_at)| *renewed_at).min().unwrap_or_else(Instant::now);
                let renew_at = tokio::time::Instant::from_std(oldest + self.lease / 3);
                let permit = tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    permit = Arc::clone(&permits).acquire_owned() => permit,
                    () = tokio::time::sleep_until(renew_at) => {
                        renew_waiting(&shared, &mut claimed).await;
                        continue;
                    }
                };
                let Ok(permit) = permit else { break };
                if let Some(waiting) = claimed.pop_front() {
                    start(&mut tasks, waiting, permit);
                }
                continue;
            }

            // Registered before claiming, so a delivery stored while the
            // claim runs still wakes the wait below.
            let mut stored = pin!(self.inbox.stored_notify().notified());
            stored.as_mut().enable();
            let batch = match self.inbox.claim_due(&self.owner, self.lease, self.concurrency).await {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(error = %ErrorChain(&error), "inbox claim failed");
                    Vec::new()
                }
            };
            if batch.is_empty() {
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = stored => {}
                    () = tokio::time::sleep(self.poll_interval) => {}
                }
            }
            let claimed_at = Instant::now();
            claimed.extend(batch.into_iter().map(|event| (event, claimed_at)));
        }

        // Not started: give them back at once rather than after the grace.
        for (event, _) in claimed.drain(..) {
            shared.record("release", &event, self.inbox.release(&event).await, |report| &mut report.released).await;
        }
        let finished =
            tokio::time::timeout(self.shutdown_grace, async { while tasks.join_next().await.is_some() {} }).await;
        if finished.is_err() {
            let _ = stop_running.send(true);
            while tasks.join_next().await.is_some() {}
        }
        let report = *shared.report.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        report
    }
}

/// Renews the leases of claimed events still waiting for a handler; drops
/// those whose lease is no longer this worker's.
async fn renew_waiting(shared: &Shared, claimed: &mut VecDeque<(Event, Instant)>) {
    let renewals = claimed.iter().map(|(event, _)| shared.inbox.renew(event, shared.lease));
    let outcomes = futures_util::future::join_all(renewals).await;
    let now = Instant::now();
    let mut kept = VecDeque::with_capacity(claimed.len());
    for ((event, renewed_at), outcome) in claimed.drain(..).zip(outcomes) {
        match outcome {
            Ok(()) => kept.push_back((event, now)),
            Err(InboxError::LeaseLost { .. }) => {
                tracing::warn!(event = event.id(), "lease lost while waiting for a handler");
                shared.count(|report| &mut report.unrecorded);
            }
            Err(error) => {
                // Unreachable database: keep it; the check before it starts decides.
                tracing::warn!(event = event.id(), error = %ErrorChain(&error), "lease renewal failed");
                kept.push_back((event, renewed_at));
            }
        }
    }
    *claimed = kept;
}

/// One attempt at one event, as the dispatcher runs it: the plain and the
/// transactional handler both become this.
type Job = Arc<dyn Fn(Event) -> BoxFuture<'static, Result<Settled, JobError>> + Send + Sync>;

enum Settled {
    /// The handler succeeded; the worker marks the event done.
    NeedsCompletion,
    /// The handler succeeded and the done mark is committed already.
    Completed,
}

enum JobError {
    Failed(String),
    LeaseLost,
}

struct Shared {
    inbox: Inbox,
    lease: Duration,
    max_attempts: u32,
    backoff: Duration,
    max_backoff: Duration,
    handler_timeout: Option<Duration>,
    report: Mutex<WorkerReport>,
}

impl Shared {
    fn count(&self, field: fn(&mut WorkerReport) -> &mut u64) {
        let mut report = self.report.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *field(&mut report) += 1;
    }

    /// `backoff * 2^(attempt-1)`, capped, then a random point in its upper
    /// half so that events failing together do not retry together.
    fn retry_delay(&self, attempt: u32) -> Duration {
        let doubling = 2u32.saturating_pow(attempt.saturating_sub(1));
        let ceiling = self.backoff.saturating_mul(doubling).min(self.max_backoff);
        let fraction = (random_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ceiling.mul_f64(0.5 + 0.5 * fraction)
    }

    async fn record(
        &self,
        what: &str,
        event: &Event,
        result: Result<(), InboxError>,
        counter: fn(&mut WorkerReport) -> &mut u64,
    ) {
        match result {
            Ok(()) => self.count(counter),
            Err(error) => {
                tracing::warn!(event = event.id(), attempt = event.attempt(), error = %ErrorChain(&error), "could not record {what}");
                self.count(|report| &mut report.unrecorded);
            }
        }
    }
}

async fn process(
    shared: Arc<Shared>,
    job: Job,
    event: Event,
    claimed_at: Instant,
    _permit: OwnedSemaphorePermit,
    mut stop: watch::Receiver<bool>,
) {
    let inbox = &shared.inbox;
    // It waited for a free handler: make sure the lease will outlast the
    // first renewal, and that it is still ours.
    if claimed_at.elapsed() > shared.lease / 3 {
        if let Err(error) = inbox.renew(&event, shared.lease).await {
            tracing::warn!(event = event.id(), error = %ErrorChain(&error), "lease lost before the handler started");
            shared.count(|report| &mut report.unrecorded);
            return;
        }
    }
    if event.attempt() > shared.max_attempts {
        // Claimed again after the lease of its last allowed attempt expired:
        // whatever ran it died. Do not run it forever.
        let error = format!(
            "gave up after {} attempts: the lease of the last one expired (worker stopped or crashed mid-handler)",
            shared.max_attempts
        );
        shared.record("dead", &event, inbox.mark_dead(&event, &error).await, |report| &mut report.dead).await;
        return;
    }

    let renewal = async {
        let period = shared.lease / 3;
        loop {
            tokio::time::sleep(period).await;
            match inbox.renew(&event, shared.lease).await {
                Ok(()) => {}
                Err(InboxError::LeaseLost { .. }) => {
                    tracing::warn!(event = event.id(), "lease lost while the handler runs");
                    std::future::pending::<()>().await;
                }
                Err(error) => tracing::warn!(event = event.id(), error = %ErrorChain(&error), "lease renewal failed"),
            }
        }
    };
    let attempt = async {
        let caught = AssertUnwindSafe(async { job(event.clone()).await }).catch_unwind();
        let outcome = match shared.handler_timeout {
            Some(limit) => match tokio::time::timeout(limit, caught).await {
                Ok(outcome) => outcome,
                Err(_) => return Err(JobError::Failed(format!("handler timed out after {} ms", limit.as_millis()))),
            },
            None => caught.await,
        };
        outcome.unwrap_or_else(|panic| Err(JobError::Failed(format!("handler panicked: {}", panic_message(&*panic)))))
    };
    let stopped = async {
        if stop.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    };

    let outcome = tokio::select! {
        biased;
        () = stopped => None,
        outcome = attempt => Some(outcome),
        () = renewal => None,
    };
    match outcome {
        None => shared.record("release", &event, inbox.release(&event).await, |report| &mut report.released).await,
        Some(Ok(Settled::Completed)) => shared.count(|report| &mut report.succeeded),
        Some(Ok(Settled::NeedsCompletion)) => {
            shared.record("done", &event, inbox.complete(&event).await, |report| &mut report.succeeded).await
        }
        Some(Err(JobError::LeaseLost)) => {
            tracing::warn!(
                event = event.id(),
                "lease lost before the done mark; the handler's writes were rolled back"
            );
            shared.count(|report| &mut report.unrecorded);
        }
        Some(Err(JobError::Failed(error))) => {
            let error = truncate(error);
            if event.attempt() >= shared.max_attempts {
                tracing::warn!(event = event.id(), attempt = event.attempt(), error = %error, "handler failed its last attempt; the event is dead");
                shared.record("dead", &event, inbox.mark_dead(&event, &error).await, |report| &mut report.dead).await;
            } else {
                let delay = shared.retry_delay(event.attempt());
                tracing::info!(event = event.id(), attempt = event.attempt(), error = %error, retry_in_ms = delay.as_millis() as u64, "handler failed; will retry");
                let next = SystemTime::now() + delay;
                shared
                    .record("retry", &event, inbox.fail(&event, &error, next).await, |report| &mut report.retried)
                    .await;
            }
        }
    }
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    if let Some(message) = panic.downcast_ref::<&str>() {
        message
    } else if let Some(message) = panic.downcast_ref::<String>() {
        message
    } else {
        "(not a string)"
    }
}

fn truncate(mut error: String) -> String {
    if error.len() > MAX_ERROR_LEN {
        let mut end = MAX_ERROR_LEN;
        while !error.is_char_boundary(end) {
            end -= 1;
        }
        error.truncate(end);
    }
    error
}

fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // Jitter and worker names only need variety; the clock will do if the OS source fails.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |since| since.as_nanos());
        return nanos as u64;
    }
    u64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn shared(backoff: Duration, max_backoff: Duration) -> (Shared, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::connect(&format!("sqlite:{}", dir.path().join("delay.db").display())).await.unwrap();
        let shared = Shared {
            inbox,
            lease: Duration::from_secs(30),
            max_attempts: 10,
            backoff,
            max_backoff,
            handler_timeout: None,
            report: Mutex::new(WorkerReport::default()),
        };
        (shared, dir)
    }

    #[tokio::test]
    async fn retry_delay_doubles_with_jitter_and_is_capped() {
        let (shared, _dir) = shared(Duration::from_secs(1), Duration::from_secs(60)).await;
        for (attempt, ceiling) in [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (40, 60), (u32::MAX, 60)] {
            let ceiling = Duration::from_secs(ceiling);
            for _ in 0..50 {
                let delay = shared.retry_delay(attempt);
                assert!(
                    delay >= ceiling / 2 && delay <= ceiling,
                    "attempt {attempt}: {delay:?} outside [{:?}, {ceiling:?}]",
                    ceiling / 2
                );
            }
        }
        let delays: std::collections::HashSet<Duration> = (0..50).map(|_| shared.retry_delay(3)).collect();
        assert!(delays.len() > 1, "jitter spreads retries");
    }

    #[test]
    fn long_errors_are_cut_on_a_character_boundary() {
        let error = "é".repeat(MAX_ERROR_LEN);
        let cut = truncate(error);
        assert!(cut.len() <= MAX_ERROR_LEN && cut.len() >= MAX_ERROR_LEN - 1);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
