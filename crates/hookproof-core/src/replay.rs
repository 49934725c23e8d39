//! Replay and duplicate protection: run the handler once per event, and
//! never acknowledge an event that was not processed.
//!
//! A delivery goes through three steps around the handler:
//!
//! 1. [`ReplayProtection::begin`] *claims* the event's key for this request
//!    (with an owner token and a lease, so a crashed worker's claim expires).
//!    A key already processed is a [`Admission::Duplicate`] (answer 200
//!    `{"status":"duplicate"}`, do not run the handler); a key claimed by
//!    another request right now is [`VerifyError::InFlight`] (409); a store
//!    that cannot be reached is [`VerifyError::ReplayStoreUnavailable`] (503).
//! 2. The handler runs.
//! 3. On a 2xx answer, [`Claim::commit`] marks the key processed for the
//!    retention period; on anything else (non-2xx, error, panic),
//!    [`Claim::release`] drops the claim so the sender's retry is processed.
//!
//! The key is the scheme name plus the event id where the scheme carries one,
//! otherwise the verified signature ([`Verified::replay_key`]).

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::{Verified, Verifier, VerifyError};

/// How long a claim lasts when its worker neither commits nor releases it.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(60);

/// How long processed ids are remembered for schemes without a timestamp
/// (providers retry for up to a day).
pub const DEFAULT_RETENTION_WITHOUT_TIMESTAMP: Duration = Duration::from_secs(24 * 60 * 60);

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

/// Where claims and processed ids live: [`MemoryStore`] in one process,
/// `hookproof-redis` across machines.
///
/// Implementations must make `claim` atomic (two concurrent claims of one
/// key: exactly one gets [`ClaimOutcome::Claimed`]) and make `commit` and
/// `release` act only while `owner` still holds the claim.
#[async_trait::async_trait]
pub trait ReplayStore: Send + Sync + fmt::Debug {
    /// Claims `key` for `owner` for `lease`, unless it is processed or claimed.
    async fn claim(&self, key: &str, owner: &str, lease: Duration) -> Result<ClaimOutcome, ReplayError>;
    /// Marks `key` processed, remembered for `retention`, if `owner` holds it.
    async fn commit(&self, key: &str, owner: &str, retention: Duration) -> Result<(), ReplayError>;
    /// Drops `owner`'s claim on `key`, so a retry can be processed.
    async fn release(&self, key: &str, owner: &str) -> Result<(), ReplayError>;
}

/// Replay protection as the adapters use it: a store plus the lease,
/// retention and failure policy.
///
/// ```
/// use hookproof_core::replay::{Admission, ReplayProtection};
/// use hookproof_core::{presets, Signer, Verifier};
///
/// # futures_lite_block_on(async {
/// let verifier = Verifier::builder(presets::github()).secret("s").build().unwrap();
/// let replay = ReplayProtection::memory(&verifier);
/// let headers = Signer::new(presets::github(), "s").unwrap().sign_at(b"{}", std::time::SystemTime::now(), Some("d-1"));
/// let verified = verifier.verify(&headers, b"{}").unwrap();
///
/// let Admission::Process(claim) = replay.begin(&verified).await.unwrap() else { panic!() };
/// claim.commit().await; // the handler succeeded
/// assert!(matches!(replay.begin(&verified).await.unwrap(), Admission::Duplicate));
/// # });
/// # fn futures_lite_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     // Minimal executor: the memory store never actually waits.
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(out) = f.as_mut().poll(&mut cx) { return out; } }
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct ReplayProtection {
    store: Arc<dyn ReplayStore>,
    lease: Duration,
    retention: Duration,
    minimum_retention: Duration,
    fail_open: bool,
}

/// The outcome of [`ReplayProtection::begin`].
#[derive(Debug)]
#[must_use = "a claim must be committed or released"]
pub enum Admission {
    /// Run the handler, then [`Claim::commit`] on success or
    /// [`Claim::release`] on failure.
    Process(Claim),
    /// Already processed: answer 200 [`DUPLICATE_BODY`](crate::DUPLICATE_BODY)
    /// without running the handler.
    Duplicate,
    /// The store is unreachable and fail-open was chosen: run the handler
    /// without protection.
    Unprotected,
}

impl ReplayProtection {
    /// Protection backed by `store`, with retention fitted to `verifier`:
    /// processed ids are remembered for the verifier's tolerance window
    /// (24 hours for schemes without a timestamp).
    pub fn new(store: impl ReplayStore + 'static, verifier: &Verifier) -> Self {
        Self::from_arc(Arc::new(store), verifier)
    }

    /// Like [`new`](Self::new) with a store already shared.
    pub fn from_arc(store: Arc<dyn ReplayStore>, verifier: &Verifier) -> Self {
        let minimum_retention = verifier.tolerance().unwrap_or(DEFAULT_RETENTION_WITHOUT_TIMESTAMP);
        Self { store, lease: DEFAULT_LEASE, retention: minimum_retention, minimum_retention, fail_open: false }
    }

    /// Protection in this process's memory ([`MemoryStore`] with the default capacity).
    pub fn memory(verifier: &Verifier) -> Self {
        Self::new(MemoryStore::new(DEFAULT_MEMORY_CAPACITY), verifier)
    }

    /// How long a claim lasts if its worker dies (default 60 s). Set it
    /// above the slowest handler.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long processed ids are remembered. Never less than the
    /// verifier's tolerance: a shorter memory would let a captured delivery
    /// be replayed while it is still fresh.
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention.max(self.minimum_retention);
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

    /// Claims the verified event. Errors are [`VerifyError::InFlight`] (409)
    /// and [`VerifyError::ReplayStoreUnavailable`] (503).
    pub async fn begin(&self, verified: &Verified) -> Result<Admission, VerifyError> {
        let key = verified.replay_key();
        let owner = crate::sign::random_token();
        match self.store.claim(&key, &owner, self.lease).await {
            Ok(ClaimOutcome::Claimed) => {
                Ok(Admission::Process(Claim { store: Arc::clone(&self.store), key, owner, retention: self.retention }))
            }
            Ok(ClaimOutcome::Processed) => Ok(Admission::Duplicate),
            Ok(ClaimOutcome::InFlight) => Err(VerifyError::InFlight),
            Err(error) if self.fail_open => {
                tracing::warn!(%error, "replay store unavailable; processing without protection (fail-open)");
                Ok(Admission::Unprotected)
            }
            Err(error) => {
                tracing::warn!(%error, "replay store unavailable; refusing the delivery");
                Err(error.into())
            }
        }
    }
}

/// This request's claim on an event; see [`ReplayProtection::begin`].
///
/// Dropped without `commit` or `release`, the claim simply expires after its lease.
pub struct Claim {
    store: Arc<dyn ReplayStore>,
    key: String,
    owner: String,
    retention: Duration,
}

impl fmt::Debug for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claim").field("key", &self.key).finish_non_exhaustive()
    }
}

impl Claim {
    /// The replay key claimed.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The handler succeeded: remember the event as processed. A store
    /// failure here is logged, not surfaced: the event *was* processed, so
    /// its 2xx stands (a later duplicate may run again, which loses nothing).
    pub async fn commit(self) {
        if let Err(error) = self.store.commit(&self.key, &self.owner, self.retention).await {
            tracing::warn!(%error, key = %self.key, "could not mark webhook event processed");
        }
    }

    /// The handler failed: drop the claim so the sender's retry is processed.
    /// A store failure is logged; the lease then expires on its own.
    pub async fn release(self) {
        if let Err(error) = self.store.release(&self.key, &self.owner).await {
            tracing::warn!(%error, key = %self.key, "could not release webhook claim; it expires with its lease");
        }
    }
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
    map: HashMap<String, Entry>,
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

    fn claim_at(&self, key: &str, owner: &str, lease: Duration, now: Instant) -> Result<ClaimOutcome, ReplayError> {
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
        let entry = Entry { state: EntryState::Claimed { owner: owner.to_owned() }, expires: now + lease };
        entries.map.insert(key.to_owned(), entry);
        Ok(ClaimOutcome::Claimed)
    }
}

fn owned_by(entry: &Entry, owner: &str) -> bool {
    matches!(&entry.state, EntryState::Claimed { owner: holder } if holder == owner)
}

#[async_trait::async_trait]
impl ReplayStore for MemoryStore {
    async fn claim(&self, key: &str, owner: &str, lease: Duration) -> Result<ClaimOutcome, ReplayError> {
        self.claim_at(key, owner, lease, Instant::now())
    }

    async fn commit(&self, key: &str, owner: &str, retention: Duration) -> Result<(), ReplayError> {
        let now = Instant::now();
        let mut entries = self.lock();
        // A claim whose lease ran out belongs to nobody: a late commit must not
        // mark an event processed that another worker may be handling now.
        if let Some(entry) = entries.map.get_mut(key).filter(|entry| owned_by(entry, owner) && entry.expires > now) {
            *entry = Entry { state: EntryState::Processed, expires: now + retention };
        }
        Ok(())
    }

    async fn release(&self, key: &str, owner: &str) -> Result<(), ReplayError> {
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

    #[test]
    fn claims_are_exclusive_until_released_or_expired() {
        let store = MemoryStore::new(10);
        let t0 = Instant::now();
        assert_eq!(store.claim_at("k", "a", LEASE, t0).unwrap(), ClaimOutcome::Claimed);
        assert_eq!(store.claim_at("k", "b", LEASE, t0).unwrap(), ClaimOutcome::InFlight);
        // After the lease a crashed owner's claim is gone.
        assert_eq!(
            store.claim_at("k", "b", LEASE, t0 + LEASE + Duration::from_secs(1)).unwrap(),
            ClaimOutcome::Claimed
        );
    }

    #[test]
    fn commit_and_release_only_act_for_the_current_owner() {
        let store = MemoryStore::new(10);
        let run = |future| futures_executor(future);
        run(Box::pin(async {
            store.claim("k", "a", Duration::from_millis(1)).await.unwrap();
            std::thread::sleep(Duration::from_millis(5));
            // a's lease ran out: its commit is ignored, b can claim.
            store.commit("k", "a", LEASE).await.unwrap();
            assert_eq!(store.claim("k", "b", LEASE).await.unwrap(), ClaimOutcome::Claimed);
            store.release("k", "a").await.unwrap();
            assert_eq!(store.claim("k", "c", LEASE).await.unwrap(), ClaimOutcome::InFlight);
            store.commit("k", "b", LEASE).await.unwrap();
            assert_eq!(store.claim("k", "c", LEASE).await.unwrap(), ClaimOutcome::Processed);
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
        store.claim_at("a", "o", LEASE, t0).unwrap();
        store.claim_at("b", "o", LEASE, t0).unwrap();
        assert!(matches!(store.claim_at("c", "o", LEASE, t0), Err(ReplayError::Full)));
        // Once entries expire they make room.
        let later = t0 + LEASE + SWEEP_INTERVAL + Duration::from_secs(1);
        assert_eq!(store.claim_at("c", "o", LEASE, later).unwrap(), ClaimOutcome::Claimed);
        assert_eq!(store.len(), 1);
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
            match store.claim_at(&format!("id-{i}"), "o", lease, now) {
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
