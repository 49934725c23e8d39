//! [`WebhookLayer`]: applies [`VerifyWebhook`] to a service.

use std::sync::Arc;

use hookproof_core::{Intake, Verifier};
use tower_layer::Layer;

use crate::VerifyWebhook;

/// Verifies webhook deliveries before the wrapped service sees them, and,
/// with [`replay`](Self::replay), runs it once per event.
///
/// Cheap to clone (the [`Verifier`] and the replay store are shared). See
/// the [crate docs](crate) for an example and the answers to refused
/// deliveries, [Replay protection](crate#replay-protection) and [Inbox
/// mode](crate#inbox-mode) (wrap [`Accept`](crate::Accept)).
///
/// With axum, replay protection and the inbox need this layer: see [With
/// axum](crate#with-axum).
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    verifier: Arc<Verifier>,
    intake: Intake,
}

hookproof_core::__webhook_builder_methods!(WebhookLayer);

impl<S> Layer<S> for WebhookLayer {
    type Service = VerifyWebhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        VerifyWebhook::new(inner, Arc::clone(&self.verifier)).with_intake(self.intake.clone())
    }
}
