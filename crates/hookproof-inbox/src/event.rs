//! What goes into the inbox ([`NewDelivery`]) and what comes out of it
//! ([`Event`] for workers, [`EventRecord`] and [`EventSummary`] for operators).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use hookproof_core::{Delivery, EventKey};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::time::from_millis;

pub use hookproof_core::sink::EVENT_TYPE_HEADERS;

/// A verified delivery to store: the core's [`Delivery`], the same value
/// the adapters' inbox mode hands over (its `key` is the dedupe key; each is
/// stored once).
pub type NewDelivery = Delivery;

/// The outcome of [`Inbox::store`](crate::Inbox::store); both are committed
/// to disk when returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    /// A new event: answer 202 `{"status":"accepted"}`.
    Accepted {
        /// The new row's id.
        id: i64,
    },
    /// The key was already stored (in any state); nothing was written.
    /// Answer 200 `{"status":"duplicate"}`.
    Duplicate,
}

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Waiting for its (next) attempt.
    Pending,
    /// Leased by a worker running its handler.
    Processing,
    /// Handled successfully; kept for the retention period.
    Done,
    /// Failed every attempt; kept until an operator retries or purges it.
    Dead,
}

impl State {
    /// Every state, in life order.
    pub const ALL: [State; 4] = [State::Pending, State::Processing, State::Done, State::Dead];

    /// The name stored in the database and printed by the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Processing => "processing",
            State::Done => "done",
            State::Dead => "dead",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of `pending`, `processing`, `done`, `dead`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown inbox state `{0}` (expected pending, processing, done or dead)")]
pub struct UnknownState(pub String);

impl FromStr for State {
    type Err = UnknownState;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        State::ALL.into_iter().find(|state| state.as_str() == name).ok_or_else(|| UnknownState(name.to_owned()))
    }
}

/// How many events are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Waiting for an attempt.
    pub pending: u64,
    /// Leased by a worker.
    pub processing: u64,
    /// Handled successfully.
    pub done: u64,
    /// Gave up.
    pub dead: u64,
}

impl Stats {
    /// The count for one state.
    pub fn get(&self, state: State) -> u64 {
        match state {
            State::Pending => self.pending,
            State::Processing => self.processing,
            State::Done => self.done,
            State::Dead => self.dead,
        }
    }

    pub(crate) fn slot(&mut self, state: State) -> &mut u64 {
        match state {
            State::Pending => &mut self.pending,
            State::Processing => &mut self.processing,
            State::Done => &mut self.done,
            State::Dead => &mut self.dead,
        }
    }
}

/// An event claimed by a worker: what its handler gets.
///
/// Handlers run at least once per event (a worker killed mid-handler means a
/// second run after the lease expires): use [`key`](Self::key) and
/// [`attempt`](Self::attempt) to make effects idempotent.
#[derive(Clone)]
pub struct Event {
    pub(crate) id: i64,
    pub(crate) key: [u8; 32],
    pub(crate) scheme: String,
    pub(crate) provider_id: Option<String>,
    pub(crate) timestamp: Option<i64>,
    pub(crate) received_at: SystemTime,
    pub(crate) headers: BTreeMap<String, String>,
    pub(crate) body: Bytes,
    pub(crate) attempt: u32,
    // The claim is (owner, attempt): every claim increments attempts, so a
    // stale worker with the same owner name cannot settle a newer claim.
    pub(crate) owner: Arc<str>,
}

impl Event {
    /// The row id (what operators see and retry).
    pub fn id(&self) -> i64 {
        self.id
    }

    /// The event's identity digest.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The identity digest as hookproof-core's key type.
    pub fn event_key(&self) -> EventKey {
        EventKey::from_bytes(self.key)
    }

    /// The identity digest in lower-case hex.
    pub fn key_hex(&self) -> String {
        hex::encode(self.key)
    }

    /// The scheme (provider) name.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The provider's event id, for display (possibly unsigned).
    pub fn provider_id(&self) -> Option<&str> {
        self.provider_id.as_deref()
    }

    /// The delivery's signed timestamp (Unix seconds), if the scheme has one.
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// When the inbox stored the delivery.
    pub fn received_at(&self) -> SystemTime {
        self.received_at
    }

    /// Which attempt this is, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The kept headers, lower-case names.
    pub fn headers(&self) -> &BTreeMap<String, String> {
        &self.headers
    }

    /// One kept header by (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// The provider's event type, when it sends one in a header
    /// ([`EVENT_TYPE_HEADERS`]: `X-GitHub-Event`, `X-Shopify-Topic`, ...).
    pub fn event_type(&self) -> Option<&str> {
        EVENT_TYPE_HEADERS.iter().find_map(|name| self.headers.get(*name)).map(String::as_str)
    }

    /// What an [`EventRouter`](hookproof_core::route::EventRouter) handler
    /// learns about this event, `scheme` being the one that verified it
    /// (it says where the event type is): route stored events with the
    /// same router as live ones.
    ///
    /// ```no_run
    /// # async fn worker(inbox: hookproof_inbox::Inbox, router: hookproof_core::route::EventRouter<()>) -> Result<(), hookproof_inbox::InboxError> {
    /// use hookproof_core::{presets, route::Routed};
    /// use hookproof_inbox::{Event, Worker};
    ///
    /// let scheme = presets::github();
    /// Worker::new(inbox)
    ///     .run(move |event: Event| {
    ///         let routed = router.route(event.meta(&scheme), event.body().clone());
    ///         async move { routed.await.map(|_: Routed<()>| ()) }
    ///     }, std::future::pending())
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn meta(&self, scheme: &hookproof_core::Scheme) -> hookproof_core::route::EventMeta {
        hookproof_core::route::EventMeta::stored(
            scheme,
            self.event_key(),
            self.provider_id().map(str::to_owned),
            self.timestamp(),
            |name| self.header(name).map(str::to_owned),
            self.body(),
            self.attempt(),
        )
    }

    /// The exact body bytes that were verified.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Decodes the JSON body.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The worker name holding the lease.
    pub fn lease_owner(&self) -> &str {
        &self.owner
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("id", &self.id)
            .field("key", &self.key_hex())
            .field("scheme", &self.scheme)
            .field("provider_id", &self.provider_id)
            .field("timestamp", &self.timestamp)
            .field("attempt", &self.attempt)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// One row without its body: what `list` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EventSummary {
    /// Row id.
    pub id: i64,
    /// Identity digest, hex.
    pub key: String,
    /// Scheme name.
    pub scheme: String,
    /// Provider's event id (display only).
    pub provider_id: Option<String>,
    /// Current state.
    pub state: State,
    /// Attempts started so far.
    pub attempts: u32,
    /// When it was stored (Unix milliseconds).
    pub received_at_ms: i64,
    /// When it may next be attempted (pending) or its lease ends (processing), Unix milliseconds.
    pub next_attempt_at_ms: i64,
    /// The error of the latest failed attempt.
    pub last_error: Option<String>,
    /// When it became done or dead (Unix milliseconds).
    pub processed_at_ms: Option<i64>,
}

/// One full row: what `get` returns.
#[derive(Clone, PartialEq, Eq)]
pub struct EventRecord {
    /// Everything `list` shows.
    pub summary: EventSummary,
    /// The delivery's signed timestamp (Unix seconds).
    pub timestamp: Option<i64>,
    /// The kept headers.
    pub headers: BTreeMap<String, String>,
    /// The exact body.
    pub body: Bytes,
    /// The worker holding the lease, while processing.
    pub lease_owner: Option<String>,
    /// When that lease ends (Unix milliseconds).
    pub lease_expires_at_ms: Option<i64>,
}

impl EventRecord {
    /// When it was stored.
    pub fn received_at(&self) -> SystemTime {
        from_millis(self.summary.received_at_ms)
    }
}

impl fmt::Debug for EventRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventRecord")
            .field("summary", &self.summary)
            .field("timestamp", &self.timestamp)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("lease_owner", &self.lease_owner)
            .field("lease_expires_at_ms", &self.lease_expires_at_ms)
            .finish()
    }
}
