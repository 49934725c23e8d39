//! The durable inbox: store a verified webhook, acknowledge it once it is
//! on disk, and process it asynchronously with retries and dead letters.
//!
//! Providers want a fast 2xx and retry on anything else; handlers are slow
//! and fail. The inbox separates the two: the receiver verifies a delivery,
//! [`Inbox::store`]s it (committed and fsynced, grouped with concurrent
//! deliveries into one transaction) and answers 202; [`Worker`]s claim
//! stored events with a lease, run the handler, retry failures with
//! exponential backoff and jitter, and park events that keep failing as
//! dead until an operator [`retry`](Inbox::retry)s them.
//!
//! One row per event key is the dedupe record, the raw delivery and the job
//! at once, on SQLite (`sqlite:PATH`, embedded, the default) or PostgreSQL
//! (`postgres://...`, shared by many receivers and workers; workers claim
//! with `FOR UPDATE SKIP LOCKED`). The crate creates its tables at
//! [`Inbox::connect`] (`hookproof_inbox`, and `hookproof_inbox_schema` for
//! its own schema version, apart from any sqlx migrations of yours).
//!
//! # What it guarantees
//!
//! - **Acknowledged means on disk.** [`Inbox::store`] returns only after the
//!   row's transaction committed with a real fsync (SQLite WAL with
//!   `synchronous=FULL`; PostgreSQL with `synchronous_commit=on`, whatever
//!   the server's default). Concurrent stores share one transaction.
//! - **One row per event.** A key already stored, in any state, is
//!   [`Stored::Duplicate`] and writes nothing, until retention purges it.
//! - **Bounded waits.** A database that cannot be reached, is hung or is
//!   locked makes `store` fail with [`InboxError::Unavailable`] within the
//!   store timeout (5 s by default): answer 503 `inbox_unavailable`.
//! - **At least once.** A handler runs until an attempt is recorded as done;
//!   a worker killed mid-handler leaves its lease to expire and another
//!   worker runs the event again. [`Event::key`] and [`Event::attempt`] let
//!   handlers be idempotent. On PostgreSQL,
//!   [`Worker::run_in_transaction`] makes a handler's database writes
//!   exactly once: they commit with the done mark or not at all.
//!
//! # An event's life
//!
//! [`State::Pending`] until a worker claims it, [`State::Processing`] while
//! its lease is held (renewed while the handler runs), then
//! [`State::Done`]; a failure, panic or timeout makes it pending again after
//! an exponential backoff with jitter, and the last allowed attempt's failure
//! makes it [`State::Dead`] with its last error, until an operator
//! [`retry`](Inbox::retry)s it. Done rows are purged after the retention
//! ([`DEFAULT_RETENTION`], 7 days); dead rows stay until purged by name.
//!
//! ```no_run
//! use std::time::Duration;
//! use hookproof_inbox::{Event, Inbox, NewDelivery, Stored, Worker};
//!
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! let inbox = Inbox::connect("sqlite:/var/lib/receiver/inbox.db").await?;
//!
//! // In the receiver, after the signature checked out:
//! let body = bytes::Bytes::from_static(br#"{"action":"opened","number":7}"#);
//! let delivery = NewDelivery::new([7; 32], "github", body).with_header("X-GitHub-Event", "pull_request");
//! match inbox.store(delivery).await {
//!     Ok(Stored::Accepted { .. }) => { /* 202 {"status":"accepted"} */ }
//!     Ok(Stored::Duplicate) => { /* 200 {"status":"duplicate"} */ }
//!     Err(_) => { /* 503 inbox_unavailable: nothing acknowledged */ }
//! }
//!
//! // Anywhere (same process or another one): the workers.
//! #[derive(serde::Deserialize)]
//! struct PullRequest { action: String, number: u64 }
//!
//! let shutdown = async { let _ = tokio::signal::ctrl_c().await; };
//! let report = Worker::new(inbox)
//!     .concurrency(4)
//!     .max_attempts(10)
//!     .backoff(Duration::from_secs(1))
//!     .run(|event: Event| async move {
//!         let pull_request: PullRequest = event.decode()?;
//!         println!("#{} {} (attempt {})", pull_request.number, pull_request.action, event.attempt());
//!         Ok::<(), serde_json::Error>(())
//!     }, shutdown)
//!     .await?;
//! println!("{} succeeded, {} dead", report.succeeded, report.dead);
//! # Ok(()) }
//! ```

mod error;
mod event;
mod inbox;
mod sql;
mod time;
mod worker;

pub use error::InboxError;
pub use event::{
    Event, EventRecord, EventSummary, NewDelivery, State, Stats, Stored, UnknownState, EVENT_TYPE_HEADERS,
};
pub use inbox::rejected::{NewRejection, Rejection, DEFAULT_REJECTED_ROWS, REJECTED_BODY_LIMIT};
pub use inbox::{GroupCommitStats, Inbox, InboxOptions, DEFAULT_RETENTION};
pub use worker::{Worker, WorkerReport};

/// The body of the answer to a delivery [`Stored::Accepted`]: status 202.
/// (A [`Stored::Duplicate`] is answered 200 with
/// [`DUPLICATE_BODY`](hookproof_core::DUPLICATE_BODY); a failed store 503
/// `inbox_unavailable`, [`VerifyError::InboxUnavailable`](hookproof_core::VerifyError::InboxUnavailable).)
pub use hookproof_core::ACCEPTED_BODY;

/// The inbox as the adapters' inbox mode uses it
/// (`WebhookLayer::inbox`, `WebhookMiddleware::inbox`): the delivery is
/// stored (group-committed, fsynced) before the adapter acknowledges it.
#[async_trait::async_trait]
impl hookproof_core::DeliverySink for Inbox {
    async fn accept(
        &self,
        delivery: hookproof_core::Delivery,
    ) -> Result<hookproof_core::Acceptance, hookproof_core::VerifyError> {
        match self.store(delivery).await {
            Ok(Stored::Accepted { .. }) => Ok(hookproof_core::Acceptance::Stored),
            Ok(Stored::Duplicate) => Ok(hookproof_core::Acceptance::Duplicate),
            Err(error) => Err(hookproof_core::VerifyError::InboxUnavailable(Some(Box::new(error)))),
        }
    }
}
