//! [`WebhookLayer`]: applies [`VerifyWebhook`] to a service.

use std::sync::Arc;

use hookproof_core::{DeliverySink, Intake, ReplayProtection, Verifier};
use tower_layer::Layer;

use crate::VerifyWebhook;

/// Verifies webhook deliveries before the wrapped service sees them, and,
/// with [`replay`](Self::replay), runs it once per event.
///
/// Cheap to clone (the [`Verifier`] and the replay store are shared). See
/// the [crate docs](crate) for an example and the answers to refused
/// deliveries.
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    verifier: Arc<Verifier>,
    intake: Intake,
}

impl WebhookLayer {
    /// A layer verifying with `verifier` (a [`Verifier`] or an
    /// `Arc<Verifier>` shared with other parts of the application), without
    /// replay protection.
    pub fn new(verifier: impl Into<Arc<Verifier>>) -> Self {
        Self { verifier: verifier.into(), intake: Intake::Direct }
    }

    /// Opt-in: run the wrapped service once per event, and acknowledge
    /// nothing that was not processed (see [Replay
    /// protection](crate#replay-protection)).
    ///
    /// After verification the layer claims the event in `protection`'s
    /// store: a duplicate of an event already processed is answered 200
    /// `{"status":"duplicate"}` and one being processed by another request
    /// 409 `in_flight`, without calling the service; an unreachable store is
    /// 503 `replay_store_unavailable` (unless
    /// [`ReplayProtection::fail_open`]). Otherwise the service is called; a
    /// 2xx answer marks the event processed, anything else (non-2xx, an
    /// error, a panic) releases it so the sender's retry is processed.
    ///
    /// With axum, replay protection needs this layer: an extractor runs
    /// before the handler and cannot see its outcome, so it can neither
    /// commit nor release a claim. Put the layer in front of the route
    /// (`Router::route_layer`); the hookproof axum extractor then reuses the
    /// layer's [`Verified`](hookproof_core::Verified) instead of verifying
    /// again.
    pub fn replay(mut self, protection: ReplayProtection) -> Self {
        self.intake = Intake::Replay(protection);
        self
    }

    /// Inbox mode: store each verified delivery in `inbox` (the
    /// `hookproof-inbox` crate's `Inbox`, or any [`DeliverySink`]), then let
    /// the wrapped service acknowledge it; see [Inbox mode](crate#inbox-mode).
    ///
    /// A delivery already stored is answered 200 `{"status":"duplicate"}`
    /// and an inbox that cannot store 503 `inbox_unavailable`, without
    /// calling the service. Wrap [`Accept`](crate::Accept) (202
    /// `{"status":"accepted"}`): the handler runs in the inbox's workers, not
    /// here. Replay protection is not needed and not used in this mode: the
    /// inbox dedupes on the same [event key](hookproof_core::Verified::event_key).
    pub fn inbox(mut self, inbox: impl DeliverySink + 'static) -> Self {
        self.intake = Intake::Inbox(Arc::new(inbox));
        self
    }

    /// The verifier deliveries are checked with.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }

    /// The replay protection, when [`replay`](Self::replay) turned it on.
    pub fn replay_protection(&self) -> Option<&ReplayProtection> {
        self.intake.replay_protection()
    }
}

impl<S> Layer<S> for WebhookLayer {
    type Service = VerifyWebhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook::new(inner, Arc::clone(&self.verifier)).with_intake(self.intake.clone())
    }
}
