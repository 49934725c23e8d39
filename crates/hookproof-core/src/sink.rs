//! Inbox mode: store a verified delivery durably, then acknowledge it.
//!
//! Providers want a fast 2xx and retry whatever is not acknowledged; handlers
//! are slow and fail. In inbox mode an adapter verifies a delivery, hands it
//! to a [`DeliverySink`] (the `hookproof-inbox` crate's `Inbox`: SQLite or
//! PostgreSQL), and answers only once the sink says the delivery is stored:
//!
//! | outcome | status | body |
//! |---|---|---|
//! | stored | 202 | [`ACCEPTED_BODY`] `{"status":"accepted"}` |
//! | already stored (any state) | 200 | [`DUPLICATE_BODY`](crate::DUPLICATE_BODY) `{"status":"duplicate"}` |
//! | the store cannot be reached | 503 | `inbox_unavailable` ([`VerifyError::InboxUnavailable`]) |
//!
//! The handler then runs in the inbox's workers, not in the provider's
//! request. The sink dedupes on [`Delivery::key`], the event's
//! [identity](crate::identity).

use std::collections::BTreeMap;
use std::fmt;

use bytes::Bytes;

use crate::{EventKey, HeaderLookup, Verified, VerifyError};

/// The body answered, with status 202, once a delivery is stored.
pub const ACCEPTED_BODY: &str = r#"{"status":"accepted"}"#;

/// Headers naming the provider's event type, kept with a stored delivery so
/// that a worker can route it (`X-GitHub-Event`, `X-Shopify-Topic`, ...).
pub const EVENT_TYPE_HEADERS: &[&str] = &["x-github-event", "x-shopify-topic", "x-gitlab-event", "x-event-type"];

/// Longest header value kept with a stored delivery; longer ones are dropped
/// (they are not signed, and a row should not grow with them).
pub const MAX_KEPT_HEADER_LEN: usize = 1024;

/// A verified delivery as a sink stores it: its identity, what a worker
/// needs to process it, and the exact body bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The event's key ([`Verified::event_key`]); the sink's dedupe key.
    pub key: EventKey,
    /// The scheme that verified it.
    pub scheme: String,
    /// The id header as received (not signed by every provider; for display).
    pub provider_id: Option<String>,
    /// The signed timestamp, in unix seconds, when the scheme has one.
    pub timestamp: Option<i64>,
    /// `content-type` and the [event-type headers](EVENT_TYPE_HEADERS) that
    /// were present, lower-case names.
    pub headers: BTreeMap<String, String>,
    /// The body, exactly as verified.
    pub body: Bytes,
}

impl Delivery {
    /// A delivery from its parts, with no provider id, timestamp or headers
    /// (see the `with_*` methods); usually built with
    /// [`from_verified`](Self::from_verified).
    pub fn new(key: impl Into<EventKey>, scheme: impl Into<String>, body: impl Into<Bytes>) -> Self {
        Self {
            key: key.into(),
            scheme: scheme.into(),
            provider_id: None,
            timestamp: None,
            headers: BTreeMap::new(),
            body: body.into(),
        }
    }

    /// Sets the provider's (display) event id.
    pub fn with_provider_id(mut self, id: impl Into<String>) -> Self {
        self.provider_id = Some(id.into());
        self
    }

    /// Sets the signed timestamp (unix seconds).
    pub fn with_timestamp(mut self, timestamp: i64) -> Self {
        self.timestamp = Some(timestamp);
        self
    }

    /// Keeps a header; the name is stored lower-case.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.insert(name.to_ascii_lowercase(), value.into());
        self
    }

    /// The delivery `verified` from `headers` and `body` (the body that was
    /// verified), keeping the headers a worker needs. Works with any
    /// adapter's header map.
    pub fn from_verified<H: HeaderLookup + ?Sized>(verified: &Verified, headers: &H, body: Bytes) -> Self {
        let mut kept = BTreeMap::new();
        for name in std::iter::once(&"content-type").chain(EVENT_TYPE_HEADERS) {
            let value = headers.values(name).next().and_then(|value| std::str::from_utf8(value).ok());
            if let Some(value) = value.filter(|value| value.len() <= MAX_KEPT_HEADER_LEN) {
                kept.insert((*name).to_owned(), value.to_owned());
            }
        }
        Self {
            key: verified.event_key(&body),
            scheme: verified.scheme().to_owned(),
            provider_id: verified.id().map(str::to_owned),
            timestamp: verified.timestamp(),
            headers: kept,
            body,
        }
    }

    /// The provider's event type from the kept headers, when it sends one there.
    pub fn event_type(&self) -> Option<&str> {
        EVENT_TYPE_HEADERS.iter().find_map(|name| self.headers.get(*name)).map(String::as_str)
    }
}

impl fmt::Debug for Delivery {
    // The body may be large or sensitive: its size is enough to debug with.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("key", &self.key)
            .field("scheme", &self.scheme)
            .field("provider_id", &self.provider_id)
            .field("timestamp", &self.timestamp)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// What a sink did with a delivery. Either way it is on disk when returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Acceptance {
    /// Stored now: answer 202 [`ACCEPTED_BODY`].
    Stored,
    /// The event was stored before (in any state): answer 200
    /// [`DUPLICATE_BODY`](crate::DUPLICATE_BODY); nothing new was stored.
    Duplicate,
}

/// Where an adapter in inbox mode puts verified deliveries; see the
/// [module documentation](self).
///
/// `accept` returns only once the delivery is durably stored (or known to
/// be), and fails with [`VerifyError::InboxUnavailable`] within a few
/// seconds when the store cannot be reached: the adapter then answers 503,
/// and the provider retries.
#[async_trait::async_trait]
pub trait DeliverySink: Send + Sync + fmt::Debug {
    /// Stores `delivery` unless its key is stored already.
    async fn accept(&self, delivery: Delivery) -> Result<Acceptance, VerifyError>;
}
