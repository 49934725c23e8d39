//! The responses the layer writes itself: the core's [`Reply`]s.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use bytes::Bytes;
use hookproof_core::{Reply, VerifyError};
use http::Response;
use http_body_util::{Either, Full};

/// The body of a [`VerifyWebhook`](crate::VerifyWebhook) response: the inner service's
/// body (`Left`) for verified deliveries, or the JSON body (`Right`) of the
/// layer's own answers: refusals written by [`error_response`], and with
/// replay protection duplicates and `handler_panicked`.
///
/// It implements [`http_body::Body`] whenever the inner body does (with a
/// boxed error), so the response can be served by hyper and returned from
/// axum.
pub type ResponseBody<B> = Either<B, Full<Bytes>>;

/// The answer to a refused delivery, as defined by hookproof's behaviour
/// contract: [`VerifyError::status`], `Content-Type: application/json` and
/// [`VerifyError::json_body`].
///
/// The layer answers with it; handlers behind the layer can use it too, for
/// example to answer 422 when a verified body does not decode:
///
/// ```
/// use hookproof_core::Verified;
///
/// fn decode(verified: &Verified, body: &[u8]) -> Result<serde_json::Value, http::Response<http_body_util::Full<bytes::Bytes>>> {
///     verified.decode(body).map_err(|error| hookproof_tower::error_response(&error))
/// }
/// ```
pub fn error_response(error: &VerifyError) -> Response<Full<Bytes>> {
    reply(Reply::refusal(error))
}

/// A core [`Reply`] as a response: the one place this crate writes one.
pub(crate) fn reply(reply: impl Into<Reply>) -> Response<Full<Bytes>> {
    reply.into().into_response().map(Full::new)
}

/// The acknowledgement of [inbox mode](crate#inbox-mode): answers every
/// request 202 `{"status":"accepted"}`. Wrap it with
/// [`WebhookLayer::inbox`](crate::WebhookLayer::inbox), which calls it only
/// once the delivery is stored.
#[derive(Debug, Clone, Copy, Default)]
pub struct Accept;

impl<B> tower_service::Service<http::Request<B>> for Accept {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<B>) -> Self::Future {
        ready(Ok(reply(Reply::accepted())))
    }
}
