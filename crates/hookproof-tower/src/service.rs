//! [`VerifyWebhook`]: the service that verifies deliveries.

use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use hookproof_core::{Intake, Verifier};
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use tower_service::Service;

use crate::future::Pending;
use crate::response::reply;
use crate::{BoxError, ResponseBody, ResponseFuture, WebhookLayer};

/// Verifies webhook deliveries, then calls the inner service `S`.
///
/// `S` receives a `Request<Full<Bytes>>` with the delivery's exact bytes and
/// a [`Verified`](hookproof_core::Verified) in its extensions. Refused
/// deliveries (and, with [`replay`](Self::replay), duplicates) are answered
/// without calling `S`. Usually made with [`WebhookLayer`].
#[derive(Debug, Clone)]
pub struct VerifyWebhook<S> {
    inner: S,
    verifier: Arc<Verifier>,
    intake: Intake,
}

impl<S> VerifyWebhook<S> {
    /// Wraps `inner`, verifying with `verifier`.
    pub fn new(inner: S, verifier: impl Into<Arc<Verifier>>) -> Self {
        Self { inner, verifier: verifier.into(), intake: Intake::Direct }
    }

    pub(crate) fn with_intake(mut self, intake: Intake) -> Self {
        self.intake = intake;
        self
    }

    /// A [`WebhookLayer`] verifying with `verifier`.
    pub fn layer(verifier: impl Into<Arc<Verifier>>) -> WebhookLayer {
        WebhookLayer::new(verifier)
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

hookproof_core::__webhook_builder_methods!(VerifyWebhook<S>);

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for VerifyWebhook<S>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>> + Clone,
    ReqBody: Body,
    ReqBody::Error: Into<BoxError>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S, ReqBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        // The service that was polled ready is the one called (after the
        // body is read); this one keeps a fresh clone.
        let clone = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, clone);
        let (parts, body) = request.into_parts();
        if let Some(handshake) = self.verifier.answer_handshake(parts.method.as_str(), parts.uri.query()) {
            return ResponseFuture::answered(reply(handshake));
        }
        // Refuse before reading anything (declared size, then headers and
        // freshness, the order `Verifier::verify` checks in); the delivery
        // caps the stream too.
        match self.verifier.begin_received(&parts.headers, parts.method.as_str(), &parts.uri) {
            Ok(delivery) => {
                let (verifier, intake) = (Arc::clone(&self.verifier), self.intake.clone());
                ResponseFuture::collecting(body, Pending { parts, delivery, inner, verifier, intake })
            }
            Err(error) => ResponseFuture::answered(reply(&error)),
        }
    }
}
