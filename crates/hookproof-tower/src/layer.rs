//! [`WebhookLayer`]: applies [`Webhook`] to a service.

use std::sync::Arc;

use hookproof_core::Verifier;
use tower_layer::Layer;

use crate::Webhook;

/// Verifies webhook deliveries before the wrapped service sees them.
///
/// Cheap to clone (the [`Verifier`] is shared). See the [crate
/// docs](crate) for an example and the answers to refused deliveries.
#[derive(Debug, Clone)]
pub struct WebhookLayer {
    verifier: Arc<Verifier>,
}

impl WebhookLayer {
    /// A layer verifying with `verifier` (a [`Verifier`] or an
    /// `Arc<Verifier>` shared with other parts of the application).
    pub fn new(verifier: impl Into<Arc<Verifier>>) -> Self {
        Self { verifier: verifier.into() }
    }

    /// The verifier deliveries are checked with.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }
}

impl<S> Layer<S> for WebhookLayer {
    type Service = Webhook<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Webhook::new(inner, Arc::clone(&self.verifier))
    }
}
