//! [`RouteEvents`]: an [`EventRouter`] as the service behind a [`WebhookLayer`](crate::WebhookLayer).

use std::convert::Infallible;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use hookproof_core::route::{EventMeta, EventRouter, Routed, IGNORED_BODY};
use hookproof_core::Verified;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use tower_service::Service;

use crate::error_response;
use crate::response::json_response;

/// Routes each verified delivery to its [`EventRouter`] handler by event
/// type: the handler's response, 200 `{"status":"ignored"}` for a type
/// without a handler, 422 `invalid_payload` for a body that does not
/// decode. Put it behind a [`WebhookLayer`](crate::WebhookLayer), which
/// verifies and hands it the [`Verified`] result; see
/// [`hookproof_core::route`].
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

/// What an [`EventRouter`] handler behind [`RouteEvents`] may return: a
/// response, or a text answered 200.
pub trait IntoReply {
    /// The response.
    fn into_reply(self) -> Response<Full<Bytes>>;
}

impl IntoReply for Response<Full<Bytes>> {
    fn into_reply(self) -> Response<Full<Bytes>> {
        self
    }
}

impl IntoReply for String {
    fn into_reply(self) -> Response<Full<Bytes>> {
        Response::new(Full::from(self))
    }
}

impl IntoReply for &'static str {
    fn into_reply(self) -> Response<Full<Bytes>> {
        Response::new(Full::from(self))
    }
}

impl IntoReply for (StatusCode, String) {
    fn into_reply(self) -> Response<Full<Bytes>> {
        let mut response = self.1.into_reply();
        *response.status_mut() = self.0;
        response
    }
}

impl<R> Service<Request<Full<Bytes>>> for RouteEvents<R>
where
    R: IntoReply + Send + 'static,
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
                let error = r#"{"error":"not_verified","message":"RouteEvents needs a WebhookLayer in front"}"#;
                return Ok(json_response(StatusCode::INTERNAL_SERVER_ERROR, Bytes::from_static(error.as_bytes())));
            };
            let body = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(never) => match never {},
            };
            let meta = EventMeta::new(&verified, &body);
            Ok(match router.route(meta, body).await {
                Ok(Routed::Handled(response)) => response.into_reply(),
                Ok(Routed::Ignored { .. }) => {
                    json_response(StatusCode::OK, Bytes::from_static(IGNORED_BODY.as_bytes()))
                }
                Err(error) => error_response(&error),
            })
        })
    }
}
