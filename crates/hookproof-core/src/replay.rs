//! Replay and duplicate protection: run the handler once per event, and
//! never acknowledge an event that was not processed.
//!
//! A delivery goes through three steps around the handler:
//!
//! 1. [`ReplayProtection::claim`] *claims* the event's
//!    [key](crate::Verified::event_key) for this request (with an owner
//!    token and a lease, so a crashed worker's claim expires). A key already
//!    processed is a [`Admission::Duplicate`] (answer 200
//!    `{"status":"duplicate"}`, do not run the handler); a key claimed by
//!    another request right now is [`VerifyError::InFlight`] (409); a store
//!    that cannot be reached is [`VerifyError::ReplayStoreUnavailable`] (503).
//! 2. The handler runs under [`Claim::guard`]: a panic is caught
//!    ([`VerifyError::HandlerPanicked`], 500) and an optional
//!    [timeout](ReplayProtection::handler_timeout) stops it
//!    ([`VerifyError::HandlerTimedOut`], 503). Meanwhile the claim's lease
//!    is renewed, so a handler slower than the lease is not run a second
//!    time by the sender's retry.
//! 3. [`Claim::settle`] marks the event processed for the
//!    [retention](ReplayProtection::retention_period) when the handler
//!    succeeded (a 2xx), and drops the claim otherwise, so the sender's
//!    retry is processed. A claim dropped unsettled (the request's future
//!    was dropped: the client went away) is released too.
//!
//! Every adapter follows these steps through these types, so the policy
//! lives here once. The key is a digest of what the sender signed (see
//! [`identity`](crate::identity)), never a signature or an unsigned id
//! header, so retries, re-signing and rotation map to one key, and a
//! captured delivery resent under new ids maps to the same key too.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use pin_project_lite::pin_project;

use crate::{EventKey, Verified, Verifier, VerifyError};

/// How long a claim lasts when its worker neither settles it nor renews it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// Shortest and longest lease accepted; others are clamped.
pub const LEASE_RANGE: (Duration, Duration) = (Duration::from_millis(10), Duration::from_secs(24 * 60 * 60));

/// Longest retention and handler timeout accepted (400 days); longer ones
/// are clamped, so no deadline computed from them can overflow.
pub const MAX_RETENTION: Duration = Duration::from_secs(400 * 24 * 60 * 60);

/// How long events are remembered for schemes without a timestamp, and the
/// retry window assumed for schemes that declare none (providers commonly
/// retry for up to a day).
pub const DEFAULT_RETENTION_WITHOUT_TIMESTAMP: Duration = Duration::from_secs(24 * 60 * 60);

/// Added to twice the tolerance: covers clock skew between receivers and
/// the time a delivery spends being read and processed.
pub const RETENTION_MARGIN: Duration = Duration::from_secs(60);

/// Entries a [`MemoryStore`] holds by default.
pub const DEFAULT_MEMORY_CAPACITY: usize = 100_000;

/// What a store says about a key when asked to claim it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The caller now owns the key until it commits, releases, or the lease ends.
    Claimed,
    /// The event was already processed successfully.
    Processed,
    /// Another owner holds an unexpired claim.
    InFlight,
}

/// A replay store could not do what was asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The store could not be reached in time (network, timeout, server error).
    #[error("replay store unavailable")]
    Unavailable(#[source] Box<dyn StdError + Send + Sync>),
    /// A bounded store is full of live entries and will not forget processed
    /// ids early to make room.
    #[error("replay store is full")]
    Full,
}

impl From<ReplayError> for VerifyError {
    fn from(error: ReplayError) -> Self {
        VerifyError::ReplayStoreUnavailable(Some(Box::new(error)))
    }
}

/// Where claims and processed events live: [`MemoryStore`] in one process,
/// `hookproof-redis` across machines.
///
/// Implementations must make `claim` atomic (two concurrent claims of one
/// key: exactly one gets [`ClaimOutcome::Claimed`]) and make `renew`,
/// `commit` and `release` act only while `owner` still holds an unexpired
/// claim. Durations may be anything up to `Duration::MAX`: a store clamps
/// what it cannot represent, it never panics.
#[async_trait::async_trait]
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Claims `key` for `owner` for `lease`, unless it is processed or claimed.
    async fn claim(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<ClaimOutcome, ReplayError>;
    /// Extends `owner`'s claim on `key` to `lease` from now. `Ok(false)`
    /// when `owner` no longer holds it (the lease ran out and another
    /// owner may have claimed it).
    async fn renew(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<bool, ReplayError>;
    /// Marks `key` processed, remembered for `retention`, if `owner` holds it.
    async fn commit(&self, key: &EventKey, owner: &str, retention: Duration) -> Result<(), ReplayError>;
    /// Drops `owner`'s claim on `key`, so a retry can be processed.
    async fn release(&self, key: &EventKey, owner: &str) -> Result<(), ReplayError>;
}

/// Replay protection as the adapters use it: a store plus the lease,
/// retention, handler timeout and failure policy.
///
/// ```
/// use hookproof_core::replay::{Admission, ReplayProtection};
/// use hookproof_core::{presets, Signer, Verifier};
///
/// # tokio_test_block_on(async {
/// let verifier = Verifier::builder(presets::github()).secret("s").build().unwrap();
/// let replay = ReplayProtection::memory(&verifier);
/// let headers = Signer::new(presets::github(), "s").unwrap().sign(b"{}");
/// let verified = verifier.verify(&headers, b"{}").unwrap();
///
/// let Admission::Process(claim) = replay.claim(&verified, b"{}").await.unwrap() else { panic!() };
/// let outcome = claim.guard(async { 200 }).await; // the handler, panics caught
/// claim.settle(outcome.is_ok_and(|status| status == 200)).await;
/// assert!(matches!(replay.claim(&verified, b"{}").await.unwrap(), Admission::Duplicate));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReplayProtection {
    store: Arc<dyn ReplayStore>,
    lease: Duration,
    retention: Duration,
    minimum_retention: Duration,
    handler_timeout: Option<Duration>,
    fail_open: bool,
}

/// The outcome of [`ReplayProtection::claim`].
#[derive(Debug)]
#[must_use = "a claim must be settled (dropping it releases the event)"]
pub enum Admission {
    /// Run the handler under [`Claim::guard`], then [`Claim::settle`].
    Process(Claim),
    /// Already processed: answer 200 [`DUPLICATE_BODY`](crate::DUPLICATE_BODY)
    /// without running the handler.
    Duplicate,
    /// The store is unreachable and fail-open was chosen: run the handler
    /// without protection.
    Unprotected,
}

/// How long a verifier's events must be remembered: long enough that a
/// delivery is stale before its event is forgotten (twice the tolerance,
/// since a timestamp may be up to the tolerance ahead, plus
/// [`RETENTION_MARGIN`]), and at least the provider's
/// [retry window](crate::Scheme::retry_window) (a day when it declares
/// none), since a provider's retry is re-signed with a fresh timestamp.
/// Schemes without a timestamp get at least a day.
pub fn minimum_retention(verifier: &Verifier) -> Duration {
    let freshness = match verifier.tolerance() {
        Some(tolerance) => tolerance.saturating_mul(2).saturating_add(RETENTION_MARGIN),
        None => DEFAULT_RETENTION_WITHOUT_TIMESTAMP,
    };
    let retries = verifier.scheme().retry_window().unwrap_or(DEFAULT_RETENTION_WITHOUT_TIMESTAMP);
    freshness.max(retries).min(MAX_RETENTION)
}

impl ReplayProtection {
    /// Protection backed by `store`, with retention fitted to `verifier`
    /// (see [`minimum_retention`]): it takes the verifier because events
    /// must be remembered for as long as a captured delivery would still
    /// verify, and for the provider's retries.
    pub fn new(store: impl ReplayStore + 'static, verifier: &Verifier) -> Self {
        Self::from_arc(Arc::new(store), verifier)
    }

    /// Like [`new`](Self::new) with a store already shared.
    pub fn from_arc(store: Arc<dyn ReplayStore>, verifier: &Verifier) -> Self {
        let minimum_retention = minimum_retention(verifier);
        Self {
            store,
            lease: DEFAULT_LEASE,
            retention: minimum_retention,
            minimum_retention,
            handler_timeout: None,
            fail_open: false,
        }
    }

    /// Protection in this process's memory ([`MemoryStore`] with the default capacity).
    pub fn memory(verifier: &Verifier) -> Self {
        Self::new(MemoryStore::new(DEFAULT_MEMORY_CAPACITY), verifier)
    }

    /// How long a claim lasts if its worker dies (default 60 s), clamped to
    /// [`LEASE_RANGE`]. While the handler runs the lease is renewed every
    /// third of it, so it bounds how long a crashed worker's event waits,
    /// not how long a handler may take.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease.clamp(LEASE_RANGE.0, LEASE_RANGE.1);
        self
    }

    /// How long processed events are remembered. Never less than
    /// [`minimum_retention`] (a shorter memory would let a captured
    /// delivery be replayed while it is still fresh, or a provider's retry
    /// run again), never more than [`MAX_RETENTION`].
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention.clamp(self.minimum_retention, MAX_RETENTION.max(self.minimum_retention));
        self
    }

    /// Opt-in: stop a handler that runs longer than `timeout` (at most
    /// [`MAX_RETENTION`]) and answer 503 `handler_timed_out`; the claim is
    /// released so the sender retries. Needs a Tokio runtime.
    pub fn handler_timeout(mut self, timeout: Duration) -> Self {
        self.handler_timeout = Some(timeout.min(MAX_RETENTION));
        self
    }

    /// Opt-in: when the store is unreachable, process deliveries without
    /// protection instead of answering 503. Duplicates may then run twice.
    pub fn fail_open(mut self, fail_open: bool) -> Self {
        self.fail_open = fail_open;
        self
    }

    /// The configured retention.
    pub fn retention_period(&self) -> Duration {
        self.retention
    }

    /// The configured lease.
    pub fn lease_period(&self) -> Duration {
        self.lease
    }

    /// Claims the verified event (`body` is the body that was verified; the
    /// event's [key](Verified::event_key) is computed from it). Errors are
    /// [`VerifyError::InFlight`] (409) and
    /// [`VerifyError::ReplayStoreUnavailable`] (503).
    ///
    /// Within a Tokio runtime the returned claim renews its lease in the
    /// background until it is settled or dropped.
    pub async fn claim(&self, verified: &Verified, body: &[u8]) -> Result<Admission, VerifyError> {
        let key = verified.event_key(body);
        let owner = crate::sign::random_token();
        match self.store.claim(&key, &owner, self.lease).await {
            Ok(ClaimOutcome::Claimed) => Ok(Admission::Process(Claim::new(self, key, owner))),
            Ok(ClaimOutcome::Processed) => {
                crate::observe::duplicate(verified.scheme());
                Ok(Admission::Duplicate)
            }
            Ok(ClaimOutcome::InFlight) => {
                crate::verify::log_refusal(verified.scheme(), &VerifyError::InFlight);
                Err(VerifyError::InFlight)
            }
            Err(error) if self.fail_open => {
                tracing::warn!(%error, "replay store unavailable; processing without protection (fail-open)");
                Ok(Admission::Unprotected)
            }
            Err(error) => {
                tracing::warn!(scheme = verified.scheme(), code = "replay_store_unavailable", status = 503, %error, "replay store unavailable; refusing the delivery");
                Err(error.into())
            }
        }
    }
}

/// This request's claim on an event; see [`ReplayProtection::claim`].
///
/// A guard: run the handler with [`run`](Self::run) (or under
/// [`guard`](Self::guard), then [`settle`](Self::settle) it). Dropped unsettled, it releases the claim
/// (at once for a store that answers without waiting, otherwise on the
/// current Tokio runtime), so the sender's retry is processed rather than
/// answered 409 until the lease ends.
pub struct Claim {
    store: Arc<dyn ReplayStore>,
    key: EventKey,
    owner: Arc<str>,
    retention: Duration,
    handler_timeout: Option<Duration>,
    renewal: Option<tokio::task::JoinHandle<()>>,
    settled: bool,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim")
            .field("key", &self.key)
            .field("renewing", &self.renewal.is_some())
            .finish_non_exhaustive()
    }
}

impl Claim {
    fn new(protection: &ReplayProtection, key: EventKey, owner: String) -> Self {
        let owner: Arc<str> = owner.into();
        let renewal = tokio::runtime::Handle::try_current().ok().map(|runtime| {
            runtime.spawn(renew_while_held(Arc::clone(&protection.store), key, Arc::clone(&owner), protection.lease))
        });
        Self {
            store: Arc::clone(&protection.store),
            key,
            owner,
            retention: protection.retention,
            handler_timeout: protection.handler_timeout,
            renewal,
            settled: false,
        }
    }

    /// The event key claimed.
    pub fn key(&self) -> &EventKey {
        &self.key
    }

    /// Runs `handler` for this claim: resolves to its output, or to
    /// [`VerifyError::HandlerPanicked`] if it panics, or to
    /// [`VerifyError::HandlerTimedOut`] past the
    /// [handler timeout](ReplayProtection::handler_timeout).
    pub fn guard<F: Future>(&self, handler: F) -> Guarded<F> {
        let deadline =
            self.handler_timeout.filter(|_| tokio::runtime::Handle::try_current().is_ok()).map(tokio::time::sleep);
        Guarded { handler, deadline }
    }

    /// Settles the claim: `succeeded` (the handler answered 2xx) marks the
    /// event processed for the retention period; otherwise the claim is
    /// dropped so the sender's retry is processed.
    ///
    /// A store failure is logged, not surfaced: after a success the event
    /// *was* processed, so its 2xx stands (a later duplicate may run again,
    /// which loses nothing); after a failure the lease expires on its own.
    pub async fn settle(mut self, succeeded: bool) {
        self.settled = true;
        if let Some(renewal) = self.renewal.take() {
            renewal.abort();
        }
        if succeeded {
            if let Err(error) = self.store.commit(&self.key, &self.owner, self.retention).await {
                tracing::warn!(%error, key = %self.key, "could not mark webhook event processed");
            }
        } else if let Err(error) = self.store.release(&self.key, &self.owner).await {
            tracing::warn!(%error, key = %self.key, "could not release webhook claim; it expires with its lease");
        }
    }

    /// Runs a handler under this claim, the one policy every adapter
    /// follows: `start` is called and its future polled under
    /// [`guard`](Self::guard) (a panic in either is caught), then the claim
    /// is [settled](Self::settle), committed only when `succeeded` says the
    /// output is a success (for HTTP handlers: a 2xx response). Resolves to
    /// the handler's output, or to `handler_panicked` / `handler_timed_out`.
    /// Dropped before the handler answered (the client went away), it
    /// releases the claim.
    pub fn run<F: Future>(self, start: impl FnOnce() -> F, succeeded: fn(&F::Output) -> bool) -> Settled<F, F::Output> {
        let state = match panic::catch_unwind(AssertUnwindSafe(start)) {
            Ok(handler) => SettledState::Running { handler: self.guard(handler), claim: Some(self) },
            Err(_panic) => {
                let settle = Box::pin(self.settle(false));
                SettledState::Settling { settle, outcome: Some(Err(handler_panicked())) }
            }
        };
        Settled { state, succeeded }
    }

    /// [`settle(true)`](Self::settle).
    pub async fn commit(self) {
        self.settle(true).await
    }

    /// [`settle(false)`](Self::settle).
    pub async fn release(self) {
        self.settle(false).await
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        if let Some(renewal) = self.renewal.take() {
            renewal.abort();
        }
        if self.settled {
            return;
        }
        let (store, key, owner) = (Arc::clone(&self.store), self.key, Arc::clone(&self.owner));
        let mut release = Box::pin(async move { store.release(&key, &owner).await });
        // A store that answers at once (the memory store) is done here;
        // otherwise the release finishes on the runtime. While unwinding or
        // outside a runtime nothing is spawned: the claim expires with its lease.
        let mut cx = Context::from_waker(Waker::noop());
        if release.as_mut().poll(&mut cx).is_pending() && !std::thread::panicking() {
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(release);
            }
        }
    }
}

/// Renews the claim every third of its lease until aborted (settled or
/// dropped) or until the claim is found lost.
async fn renew_while_held(store: Arc<dyn ReplayStore>, key: EventKey, owner: Arc<str>, lease: Duration) {
    let period = lease / 3;
    loop {
        tokio::time::sleep(period).await;
        match store.renew(&key, &owner, lease).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(key = %key, "webhook claim lost while the handler ran (its lease expired)");
                return;
            }
            Err(error) => tracing::warn!(%error, key = %key, "could not renew webhook claim"),
        }
    }
}

fn handler_panicked() -> VerifyError {
    tracing::error!(code = "handler_panicked", status = 500, "webhook handler panicked; its claim is released");
    VerifyError::HandlerPanicked
}

pin_project! {
    /// The handler run under [`Claim::run`]: its output (or
    /// `handler_panicked` / `handler_timed_out`) once the claim is settled.
    ///
    /// `O` is `F`'s output, named apart so that the type needs no bound.
    #[must_use = "futures do nothing unless polled"]
    pub struct Settled<F, O> {
        #[pin]
        state: SettledState<F, O>,
        succeeded: fn(&O) -> bool,
    }
}

pin_project! {
    #[project = SettledProj]
    enum SettledState<F, O> {
        // The handler is running; dropping the claim here releases it.
        Running {
            #[pin]
            handler: Guarded<F>,
            claim: Option<Claim>,
        },
        // Committing or releasing, then answering `outcome`.
        Settling {
            settle: Pin<Box<dyn Future<Output = ()> + Send>>,
            outcome: Option<Result<O, VerifyError>>,
        },
    }
}

impl<F, O> fmt::Debug for Settled<F, O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let running = matches!(self.state, SettledState::Running { .. });
        f.debug_struct("Settled").field("running", &running).finish_non_exhaustive()
    }
}

impl<F: Future<Output = O>, O> Future for Settled<F, O> {
    type Output = Result<O, VerifyError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        const DONE: &str = "Settled polled after completion";
        let mut this = self.project();
        loop {
            match this.state.as_mut().project() {
                SettledProj::Running { handler, claim } => {
                    let outcome = std::task::ready!(handler.poll(cx));
                    let succeeded = matches!(&outcome, Ok(output) if (this.succeeded)(output));
                    let settle = Box::pin(claim.take().expect(DONE).settle(succeeded));
                    this.state.set(SettledState::Settling { settle, outcome: Some(outcome) });
                }
                SettledProj::Settling { settle, outcome } => {
                    std::task::ready!(settle.as_mut().poll(cx));
                    return Poll::Ready(outcome.take().expect(DONE));
                }
            }
        }
    }
}

pin_project! {
    /// The handler run under [`Claim::guard`]: its output, or
    /// `handler_panicked` / `handler_timed_out`.
    #[must_use = "futures do nothing unless polled"]
    pub struct Guarded<F> {
        #[pin]
        handler: F,
        #[pin]
        deadline: Option<tokio::time::Sleep>,
    }
}

impl<F> fmt::Debug for Guarded<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Guarded").field("timeout", &self.deadline.is_some()).finish_non_exhaustive()
    }
}

impl<F: Future> Future for Guarded<F> {
    type Output = Result<F::Output, VerifyError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let handler = this.handler;
        match panic::catch_unwind(AssertUnwindSafe(|| handler.poll(cx))) {
            Ok(Poll::Ready(output)) => return Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => {}
            Err(_panic) => return Poll::Ready(Err(handler_panicked())),
        }
        match this.deadline.as_pin_mut().map(|deadline| deadline.poll(cx)) {
            Some(Poll::Ready(())) => {
                tracing::warn!(
                    code = "handler_timed_out",
                    status = 503,
                    "webhook handler timed out; its claim is released"
                );
                Poll::Ready(Err(VerifyError::HandlerTimedOut))
            }
            _ => Poll::Pending,
        }
    }
}

/// `now + duration`, or the furthest representable point when that
/// overflows: public store methods take any duration.
fn deadline_after(now: Instant, duration: Duration) -> Instant {
    now.checked_add(duration).or_else(|| now.checked_add(MAX_RETENTION)).unwrap_or(now)
}

/// The embedded replay store: a bounded map in this process's memory.
///
/// Safe to share between threads. Expired entries are evicted when room is
/// needed; when every entry is live it refuses new claims
/// ([`ReplayError::Full`], answered 503) rather than forget processed ids early.
#[derive(Debug)]
pub struct MemoryStore {
    entries: Mutex<MemoryEntries>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct MemoryEntries {
    // Fixed-size keys: an entry costs the same whatever the headers' sizes.
    map: HashMap<EventKey, Entry>,
    last_sweep: Option<Instant>,
}

#[derive(Debug)]
struct Entry {
    state: EntryState,
    expires: Instant,
}

#[derive(Debug, PartialEq, Eq)]
enum EntryState {
    Claimed { owner: String },
    Processed,
}

/// A full store sweeps at most this often, so a flood of new ids against a
/// store full of live entries costs O(1) per request, not O(capacity).
const SWEEP_INTERVAL: Duration = Duration::from_millis(100);

impl MemoryStore {
    /// A store holding at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self { entries: Mutex::new(MemoryEntries::default()), capacity }
    }

    /// Entries currently held (live or not yet evicted).
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether the store holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The maximum number of entries.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryEntries> {
        // A panic while holding the lock leaves the map consistent (every
        // mutation is a single insert or remove), so poisoning is ignored.
        self.entries.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn claim_at(
        &self,
        key: &EventKey,
        owner: &str,
        lease: Duration,
        now: Instant,
    ) -> Result<ClaimOutcome, ReplayError> {
        let mut entries = self.lock();
        if let Some(entry) = entries.map.get(key).filter(|entry| entry.expires > now) {
            return Ok(match entry.state {
                EntryState::Processed => ClaimOutcome::Processed,
                EntryState::Claimed { .. } => ClaimOutcome::InFlight,
            });
        }
        if !entries.map.contains_key(key) && entries.map.len() >= self.capacity {
            let due = entries.last_sweep.is_none_or(|last| now.duration_since(last) >= SWEEP_INTERVAL);
            if due {
                entries.map.retain(|_, entry| entry.expires > now);
                entries.last_sweep = Some(now);
            }
            if entries.map.len() >= self.capacity {
                return Err(ReplayError::Full);
            }
        }
        let entry =
            Entry { state: EntryState::Claimed { owner: owner.to_owned() }, expires: deadline_after(now, lease) };
        entries.map.insert(*key, entry);
        Ok(ClaimOutcome::Claimed)
    }
}

fn owned_by(entry: &Entry, owner: &str) -> bool {
    matches!(&entry.state, EntryState::Claimed { owner: holder } if holder == owner)
}

#[async_trait::async_trait]
impl ReplayStore for MemoryStore {
    async fn claim(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<ClaimOutcome, ReplayError> {
        self.claim_at(key, owner, lease, Instant::now())
    }

    async fn renew(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<bool, ReplayError> {
        let now = Instant::now();
        let mut entries = self.lock();
        match entries.map.get_mut(key).filter(|entry| owned_by(entry, owner) && entry.expires > now) {
            Some(entry) => {
                entry.expires = deadline_after(now, lease);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn commit(&self, key: &EventKey, owner: &str, retention: Duration) -> Result<(), ReplayError> {
        let now = Instant::now();
        let mut entries = self.lock();
        // A claim whose lease ran out belongs to nobody: a late commit must not
        // mark an event processed that another worker may be handling now.
        if let Some(entry) = entries.map.get_mut(key).filter(|entry| owned_by(entry, owner) && entry.expires > now) {
            *entry = Entry { state: EntryState::Processed, expires: deadline_after(now, retention) };
        }
        Ok(())
    }

    async fn release(&self, key: &EventKey, owner: &str) -> Result<(), ReplayError> {
        let mut entries = self.lock();
        if entries.map.get(key).is_some_and(|entry| owned_by(entry, owner)) {
            entries.map.remove(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEASE: Duration = Duration::from_secs(60);
    const K: EventKey = EventKey::from_bytes([7; 32]);

    fn key(n: u64) -> EventKey {
        let mut bytes = [0; 32];
        bytes[..8].copy_from_slice(&n.to_be_bytes());
        EventKey::from_bytes(bytes)
    }

    #[test]
    fn claims_are_exclusive_until_released_or_expired() {
        let store = MemoryStore::new(10);
        let t0 = Instant::now();
        assert_eq!(store.claim_at(&K, "a", LEASE, t0).unwrap(), ClaimOutcome::Claimed);
        assert_eq!(store.claim_at(&K, "b", LEASE, t0).unwrap(), ClaimOutcome::InFlight);
        // After the lease a crashed owner's claim is gone.
        assert_eq!(store.claim_at(&K, "b", LEASE, t0 + LEASE + Duration::from_secs(1)).unwrap(), ClaimOutcome::Claimed);
    }

    #[test]
    fn commit_and_release_only_act_for_the_current_owner() {
        let store = MemoryStore::new(10);
        let run = |future| futures_executor(future);
        run(Box::pin(async {
            store.claim(&K, "a", Duration::from_millis(1)).await.unwrap();
            std::thread::sleep(Duration::from_millis(5));
            // a's lease ran out: its commit is ignored, b can claim.
            store.commit(&K, "a", LEASE).await.unwrap();
            assert_eq!(store.claim(&K, "b", LEASE).await.unwrap(), ClaimOutcome::Claimed);
            store.release(&K, "a").await.unwrap();
            assert_eq!(store.claim(&K, "c", LEASE).await.unwrap(), ClaimOutcome::InFlight);
            // Renewal only works for the holder, and keeps the claim alive.
            assert!(!store.renew(&K, "a", LEASE).await.unwrap());
            assert!(store.renew(&K, "b", LEASE).await.unwrap());
            store.commit(&K, "b", LEASE).await.unwrap();
            assert_eq!(store.claim(&K, "c", LEASE).await.unwrap(), ClaimOutcome::Processed);
        }));
    }

    /// The memory store never waits, so polling once completes any of its futures.
    fn futures_executor(mut future: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + '_>>) {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(future.as_mut().poll(&mut cx).is_ready());
    }

    #[test]
    fn full_store_refuses_rather_than_forgets() {
        let store = MemoryStore::new(2);
        let t0 = Instant::now();
        store.claim_at(&key(1), "o", LEASE, t0).unwrap();
        store.claim_at(&key(2), "o", LEASE, t0).unwrap();
        assert!(matches!(store.claim_at(&key(3), "o", LEASE, t0), Err(ReplayError::Full)));
        // Once entries expire they make room.
        let later = t0 + LEASE + SWEEP_INTERVAL + Duration::from_secs(1);
        assert_eq!(store.claim_at(&key(3), "o", LEASE, later).unwrap(), ClaimOutcome::Claimed);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn retention_outlasts_freshness_both_ways_and_the_retry_window() {
        use crate::presets;
        let retention =
            |scheme| minimum_retention(&Verifier::builder(scheme).secret("whsec_c2VjcmV0").build().unwrap());
        const HOUR: Duration = Duration::from_secs(3600);
        assert_eq!(retention(presets::stripe()), 72 * HOUR);
        assert_eq!(retention(presets::standard_webhooks()), 28 * HOUR);
        assert_eq!(retention(presets::smarter_launch()), 24 * HOUR, "no timestamp: at least a day");
        // A custom scheme whose retries end quickly: twice the tolerance plus the margin.
        let quick = crate::Scheme::builder("quick")
            .signature_header("x-sig")
            .timestamp_header("x-ts")
            .tolerance(Duration::from_secs(48 * 3600))
            .retry_window(Duration::from_secs(1))
            .build()
            .unwrap();
        assert_eq!(retention(quick), 96 * HOUR + RETENTION_MARGIN);
        // A shorter retention is raised to the minimum; a longer one is kept, up to the maximum.
        let verifier = Verifier::builder(presets::stripe()).secret("s").build().unwrap();
        let memory = ReplayProtection::memory(&verifier);
        assert_eq!(memory.clone().retention(Duration::from_secs(1)).retention_period(), 72 * HOUR);
        assert_eq!(memory.clone().retention(Duration::MAX).retention_period(), MAX_RETENTION);
        assert_eq!(memory.lease(Duration::MAX).lease_period(), LEASE_RANGE.1);
    }

    #[test]
    fn durations_up_to_max_never_overflow() {
        let store = MemoryStore::new(10);
        let t0 = Instant::now();
        assert_eq!(store.claim_at(&K, "a", Duration::MAX, t0).unwrap(), ClaimOutcome::Claimed);
        let run = |future| futures_executor(future);
        run(Box::pin(async {
            assert!(store.renew(&K, "a", Duration::MAX).await.unwrap());
            store.commit(&K, "a", Duration::MAX).await.unwrap();
            assert_eq!(store.claim(&K, "b", Duration::MAX).await.unwrap(), ClaimOutcome::Processed);
        }));
    }

    #[test]
    fn a_million_distinct_ids_stay_within_the_bound() {
        let capacity = 10_000;
        let store = MemoryStore::new(capacity);
        let t0 = Instant::now();
        let lease = Duration::from_millis(500);
        let (mut claimed, mut refused) = (0usize, 0usize);
        for i in 0..1_000_000u64 {
            // One id per microsecond of simulated time: entries expire and get evicted.
            let now = t0 + Duration::from_micros(i);
            match store.claim_at(&key(i), "o", lease, now) {
                Ok(ClaimOutcome::Claimed) => claimed += 1,
                Err(ReplayError::Full) => refused += 1,
                other => panic!("unexpected {other:?}"),
            }
            assert!(store.lock().map.len() <= capacity);
        }
        assert_eq!(claimed + refused, 1_000_000);
        assert!(claimed > 10_000, "expired entries must be evicted to make room, claimed {claimed}");
        assert!(refused > 0, "a store full of live entries must refuse, refused {refused}");
    }
}
