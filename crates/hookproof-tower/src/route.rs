//! [`RouteEvents`]: an [`EventRouter`] as the service behind a [`WebhookLayer`](crate::WebhookLayer).

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use hookproof_core::route::EventRouter;
use hookproof_core::{Reply, Verified, VerifyError};
use http::{Request, Response};
use http_body_util::{BodyExt as _, Full};
use tower_service::Service;

use crate::response::reply;

/// Routes each verified delivery to its [`EventRouter`] handler by event
/// type: the handler's [`Reply`] (a `String`, a `(StatusCode, String)`,
/// ...), 200 `{"status":"ignored"}` for a type without a handler, 422
/// `invalid_payload` for a body that does not decode. Put it behind a
/// [`WebhookLayer`](crate::WebhookLayer), which verifies and hands it the
/// [`Verified`] result (without one it answers 500
/// `verifier_not_configured`); see [`hookproof_core::route`].
///
/// ```
/// use hookproof_core::route::{EventMeta, EventRouter};
/// use hookproof_core::{presets, Verifier};
/// use hookproof_tower::{RouteEvents, WebhookLayer};
/// use tower::Layer;
///
/// let events = EventRouter::new(&presets::github())
///     .on("push", |push: serde_json::Value, _: EventMeta| async move { format!("pushed {}", push["ref"]) });
/// let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
/// let service = WebhookLayer::new(verifier).layer(RouteEvents::new(events));
/// # drop(service);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
#[derive(Debug)]
pub struct RouteEvents<R> {
    router: Arc<EventRouter<R>>,
}

impl<R> Clone for RouteEvents<R> {
    fn clone(&self) -> Self {
        Self { router: Arc::clone(&self.router) }
    }
}

impl<R> RouteEvents<R> {
    /// Serves `router`.
    pub fn new(router: EventRouter<R>) -> Self {
        Self { router: Arc::new(router) }
    }
}

impl<R> Service<Request<Full<Bytes>>> for RouteEvents<R>
where
    R: Into<Reply> + Send + 'static,
{
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<Full<Bytes>>) -> Self::Future {
        let router = Arc::clone(&self.router);
        Box::pin(async move {
            let (mut parts, body) = request.into_parts();
            let Some(verified) = parts.extensions.remove::<Verified>() else {
                // Only a WebhookLayer in front makes a delivery trustworthy.
                return Ok(reply(VerifyError::VerifierNotConfigured));
            };
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(never) => match never {},
            };
            Ok(match router.dispatch(&verified, body).await {
                Ok(handled) => reply(handled),
                Err(own) => reply(own),
            })
        })
    }
}
