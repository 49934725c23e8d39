//! The responses the layer writes itself: the core's [`Reply`]s.

use std::convert::Infallible;
use std::future::{ready, Ready};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use hookproof_core::{Reply, VerifyError};
use http::Response;
use http_body::{Body, Frame, SizeHint};
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;

use crate::BoxError;

pin_project! {
    /// The body of a [`VerifyWebhook`](crate::VerifyWebhook) response: the inner
    /// service's body, or the layer's own [`Reply`] (refusals, duplicates,
    /// handshakes). A [`Body`] (boxed error) whenever the inner body is one.
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        body: Either<B, Full<Bytes>>,
    }
}

impl<B> ResponseBody<B> {
    /// A body of the inner service's type, for answers beside the layer (a 404).
    pub fn new(body: B) -> Self {
        Self { body: Either::Left(body) }
    }

    pub(crate) fn own(body: Full<Bytes>) -> Self {
        Self { body: Either::Right(body) }
    }
}

impl<B: Body<Data = Bytes, Error: Into<BoxError>>> Body for ResponseBody<B> {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        self.project().body.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// The answer to a refused delivery, [`Reply::refusal`] as a response: the
/// contract's status, `Content-Type: application/json` and JSON body.
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
