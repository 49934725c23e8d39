//! Routing by event type: one endpoint per provider, one typed handler per
//! event type.
//!
//! Providers name the event type in a header (GitHub `X-GitHub-Event`,
//! Shopify `X-Shopify-Topic`) or in the body (Stripe and Standard Webhooks
//! `type`, Smile `topic`); each [preset](crate::presets) says where
//! ([`Scheme::event_type`](crate::Scheme::event_type)). An [`EventRouter`]
//! dispatches a verified delivery to the handler registered for its type,
//! with the body decoded into that handler's type:
//!
//! | delivery | outcome | answer |
//! |---|---|---|
//! | a registered type whose body decodes | [`Routed::Handled`] with the handler's output | the handler's |
//! | a registered type whose body does not decode | [`VerifyError::InvalidPayload`] | 422 `invalid_payload` |
//! | a type with no handler, or no type at all | [`Routed::Ignored`], logged at `info` | 200 [`IGNORED_BODY`] |
//!
//! Unknown types are acknowledged, not refused: providers add event types
//! without notice, and a refusal would only make them retry. The adapters
//! turn these outcomes into responses the same way, and inbox workers use
//! the same router ([`EventMeta`] comes from a [`Verified`] or from a stored
//! event).
//!
//! ```
//! use hookproof_core::route::{EventMeta, EventRouter, Routed};
//! use hookproof_core::{presets, Signer, Verifier};
//!
//! #[derive(serde::Deserialize)]
//! struct Push { r#ref: String }
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let router = EventRouter::new(&presets::github())
//!     .on("push", |push: Push, _meta: EventMeta| async move { format!("pushed to {}", push.r#ref) });
//!
//! let verifier = Verifier::builder(presets::github()).secret("s3cret").build().unwrap();
//! let body = br#"{"ref":"refs/heads/main"}"#;
//! let mut headers = Signer::new(presets::github(), "s3cret").unwrap().sign(body);
//! headers.insert("x-github-event", "push".parse().unwrap());
//! let verified = verifier.verify(&headers, body).unwrap();
//!
//! let routed = router.route(EventMeta::new(&verified, body), body.to_vec().into()).await.unwrap();
//! assert!(matches!(routed, Routed::Handled(text) if text == "pushed to refs/heads/main"));
//! # });
//! ```

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::{EventKey, Reply, Scheme, Verified, VerifyError};

/// The body answered, with status 200, to a verified event that no handler
/// is registered for.
pub const IGNORED_BODY: &str = r#"{"status":"ignored"}"#;

/// Longest event type read from a header; a longer one is no type.
pub const MAX_EVENT_TYPE_LEN: usize = 256;

/// Where a scheme's deliveries name their event type.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventTypeSource {
    /// A header (lower-case name), e.g. `x-github-event`.
    Header(Cow<'static, str>),
    /// A string field of the JSON body, by JSON pointer, e.g. `/type`.
    JsonField(Cow<'static, str>),
}

impl EventTypeSource {
    /// A [`Header`](Self::Header) source; the name is lower-cased.
    pub fn header(name: impl Into<Cow<'static, str>>) -> Self {
        let name = name.into();
        Self::Header(if name.bytes().any(|b| b.is_ascii_uppercase()) { name.to_ascii_lowercase().into() } else { name })
    }

    /// A [`JsonField`](Self::JsonField) source.
    pub fn json_field(pointer: impl Into<Cow<'static, str>>) -> Self {
        Self::JsonField(pointer.into())
    }
}

/// What a handler learns about its event besides the decoded body: the
/// same from a live delivery ([`EventMeta::new`]) and from an inbox row.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EventMeta {
    /// The scheme that verified it.
    pub scheme: String,
    /// The id header as received (unsigned for some providers).
    pub id: Option<String>,
    /// The signed timestamp, unix seconds.
    pub timestamp: Option<i64>,
    /// The event type, when the delivery names one.
    pub event_type: Option<String>,
    /// The dedupe key ([`Verified::event_key`]).
    pub key: EventKey,
    /// The attempt number: 1 for a live delivery, the worker's attempt for an inbox event.
    pub attempt: u32,
}

impl EventMeta {
    /// The meta of a live delivery: `body` is the body that was verified.
    pub fn new(verified: &Verified, body: &[u8]) -> Self {
        Self {
            scheme: verified.scheme().to_owned(),
            id: verified.id().map(str::to_owned),
            timestamp: verified.timestamp(),
            event_type: verified.event_type(body),
            key: verified.event_key(body),
            attempt: 1,
        }
    }

    /// The meta of a stored event (an inbox row): its identity as stored,
    /// and the event type from the kept headers or the body, as `scheme`
    /// says.
    pub fn stored(
        scheme: &Scheme,
        key: EventKey,
        id: Option<String>,
        timestamp: Option<i64>,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
        attempt: u32,
    ) -> Self {
        let event_type = match scheme.event_type() {
            Some(EventTypeSource::Header(name)) => header(name),
            Some(EventTypeSource::JsonField(pointer)) => crate::identity::json_field(body, pointer),
            None => None,
        };
        Self { scheme: scheme.name().to_owned(), id, timestamp, event_type, key, attempt }
    }
}

/// What [`EventRouter::route`] did.
#[derive(Debug)]
pub enum Routed<R> {
    /// A handler ran; its output.
    Handled(R),
    /// No handler for this type (or the delivery names none): acknowledge
    /// with 200 [`IGNORED_BODY`].
    Ignored {
        /// The type that has no handler, when there was one.
        event_type: Option<String>,
    },
}

type BoxFuture<R> = Pin<Box<dyn Future<Output = R> + Send>>;
type Handler<R> = Arc<dyn Fn(Bytes, EventMeta) -> Result<BoxFuture<R>, VerifyError> + Send + Sync>;

/// Dispatches verified events to typed handlers by event type; see the
/// [module documentation](self). Cheap to clone (handlers are shared).
pub struct EventRouter<R> {
    source: Option<EventTypeSource>,
    handlers: HashMap<String, Handler<R>>,
}

impl<R> Clone for EventRouter<R> {
    fn clone(&self) -> Self {
        Self { source: self.source.clone(), handlers: self.handlers.clone() }
    }
}

impl<R> fmt::Debug for EventRouter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut types: Vec<&String> = self.handlers.keys().collect();
        types.sort();
        f.debug_struct("EventRouter").field("source", &self.source).field("types", &types).finish()
    }
}

impl<R: Send + 'static> EventRouter<R> {
    /// A router for `scheme`'s deliveries, reading the event type where the
    /// scheme says ([`Scheme::event_type`]).
    pub fn new(scheme: &Scheme) -> Self {
        Self { source: scheme.event_type().cloned(), handlers: HashMap::new() }
    }

    /// Runs `handler` for events of type `event_type`, with the body
    /// decoded as JSON into `T` (a body that does not decode is 422).
    pub fn on<T, F, Fut>(mut self, event_type: impl Into<String>, handler: F) -> Self
    where
        T: DeserializeOwned + Send + 'static,
        F: Fn(T, EventMeta) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = R> + Send + 'static,
    {
        let handler = Arc::new(handler);
        let typed: Handler<R> = Arc::new(move |body: Bytes, meta: EventMeta| {
            let event: T = serde_json::from_slice(&body).map_err(VerifyError::InvalidPayload)?;
            let handler = Arc::clone(&handler);
            Ok(Box::pin(async move { handler(event, meta).await }) as BoxFuture<R>)
        });
        self.handlers.insert(event_type.into(), typed);
        self
    }

    /// Where event types are read from (the scheme's, unless changed here).
    pub fn event_type_source(&self) -> Option<&EventTypeSource> {
        self.source.as_ref()
    }

    /// Dispatches one event: its handler's output, [`Routed::Ignored`] for a
    /// type without a handler, or 422 when the body does not decode.
    pub fn route(&self, meta: EventMeta, body: Bytes) -> impl Future<Output = Result<Routed<R>, VerifyError>> + Send {
        let handler = meta.event_type.as_deref().and_then(|event_type| self.handlers.get(event_type)).cloned();
        async move {
            let Some(handler) = handler else {
                tracing::info!(
                    scheme = %meta.scheme,
                    event_type = meta.event_type.as_deref().unwrap_or("(none)"),
                    "no handler for this webhook event type; acknowledged"
                );
                return Ok(Routed::Ignored { event_type: meta.event_type });
            };
            let scheme = meta.scheme.clone();
            let run = handler(body, meta).inspect_err(|error| crate::verify::log_refusal(&scheme, error))?;
            Ok(Routed::Handled(run.await))
        }
    }

    /// [`route`](Self::route) for an adapter: the handler's output, or the
    /// [`Reply`] to answer instead (200 [`IGNORED_BODY`], 422
    /// `invalid_payload`), the same in every framework.
    pub fn dispatch(&self, verified: &Verified, body: Bytes) -> impl Future<Output = Result<R, Reply>> + Send {
        let routed = self.route(EventMeta::new(verified, &body), body);
        async move {
            match routed.await {
                Ok(Routed::Handled(output)) => Ok(output),
                Ok(Routed::Ignored { .. }) => Err(Reply::ignored()),
                Err(error) => Err(Reply::refusal(&error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{presets, Signer, Verifier};

    fn block_on<F: Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(future)
    }

    #[derive(serde::Deserialize)]
    struct Invoice {
        amount: u64,
    }

    #[test]
    fn known_unknown_and_undecodable_types() {
        let scheme = presets::standard_webhooks();
        let router = EventRouter::new(&scheme)
            .on("invoice.paid", |invoice: Invoice, meta: EventMeta| async move { (invoice.amount, meta.attempt) });
        let verifier = Verifier::builder(scheme.clone()).secret("whsec_c2VjcmV0").build().unwrap();
        let signer = Signer::new(scheme, "whsec_c2VjcmV0").unwrap();
        let route = |body: &'static str| {
            let verified = verifier.verify(&signer.sign(body.as_bytes()), body.as_bytes()).unwrap();
            block_on(router.route(EventMeta::new(&verified, body.as_bytes()), Bytes::from_static(body.as_bytes())))
        };
        assert!(matches!(route(r#"{"type":"invoice.paid","amount":7}"#), Ok(Routed::Handled((7, 1)))));
        let ignored = route(r#"{"type":"invoice.voided","amount":7}"#).unwrap();
        assert!(matches!(ignored, Routed::Ignored { event_type: Some(t) } if t == "invoice.voided"));
        assert!(matches!(route(r#"{"amount":7}"#), Ok(Routed::Ignored { event_type: None })));
        let error = route(r#"{"type":"invoice.paid","amount":"seven"}"#).unwrap_err();
        assert_eq!((error.status().as_u16(), error.code()), (422, "invalid_payload"));
    }

    #[test]
    fn header_types_come_from_the_delivery_and_from_stored_headers() {
        let scheme = presets::github();
        let verifier = Verifier::builder(scheme.clone()).secret("s").build().unwrap();
        let mut headers = Signer::new(scheme.clone(), "s").unwrap().sign(b"{}");
        headers.insert("x-github-event", "Push".parse().unwrap());
        let verified = verifier.verify(&headers, b"{}").unwrap();
        let live = EventMeta::new(&verified, b"{}");
        assert_eq!(live.event_type.as_deref(), Some("Push"));
        let stored = EventMeta::stored(
            &scheme,
            live.key,
            None,
            None,
            |name| (name == "x-github-event").then(|| "Push".to_owned()),
            b"{}",
            3,
        );
        assert_eq!((stored.event_type.as_deref(), stored.attempt), (Some("Push"), 3));
    }
}
