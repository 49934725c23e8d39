//! The responses the layer writes itself.

use bytes::Bytes;
use hookproof_core::{VerifyError, JSON_CONTENT_TYPE};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Response};
use http_body_util::{Either, Full};

/// The body of a [`Webhook`](crate::Webhook) response: the inner service's
/// body (`Left`) for verified deliveries, or the JSON error body (`Right`)
/// written by [`error_response`] for refused ones.
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
    let mut response = Response::new(Full::new(Bytes::from(error.json_body())));
    *response.status_mut() = error.status();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    response
}
