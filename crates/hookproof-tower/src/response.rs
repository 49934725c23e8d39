//! The responses the layer writes itself.

use bytes::Bytes;
use std::convert::Infallible;
use std::future::{ready, Ready};
use std::task::{Context, Poll};

use hookproof_core::{VerifyError, ACCEPTED_BODY, DUPLICATE_BODY, JSON_CONTENT_TYPE};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response, StatusCode};
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
    json_response(error.status(), Bytes::from(error.json_body()))
}

/// The answer to a duplicate of an event already processed: 200 with
/// [`DUPLICATE_BODY`].
pub(crate) fn duplicate_response() -> Response<Full<Bytes>> {
    json_response(StatusCode::OK, Bytes::from_static(DUPLICATE_BODY.as_bytes()))
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
        ready(Ok(json_response(StatusCode::ACCEPTED, Bytes::from_static(ACCEPTED_BODY.as_bytes()))))
    }
}

pub(crate) fn json_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}
