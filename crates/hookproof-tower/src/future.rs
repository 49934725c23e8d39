//! [`ResponseFuture`]: read the body, verify, call the inner service.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes};
use hookproof_core::{BodyCollector, Verifier, VerifyError};
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use http_body_util::{Either, Full};
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::{error_response, BoxError, ResponseBody};

pin_project! {
    /// Response future of [`Webhook`](crate::Webhook): reads the body under
    /// the limit, verifies it, then resolves to the inner service's response,
    /// or to the [`error_response`] of the refusal.
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    /// Each step is one variant, so a further async step (such as a replay
    /// store claim before the call) is one more variant.
    #[project = StateProj]
    enum State<S, B>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        // Reading the body; `pending` is taken when the body has ended.
        Collecting {
            #[pin]
            body: B,
            pending: Option<Pending<S>>,
        },
        // Verified: the inner service is answering.
        Calling {
            #[pin]
            future: S::Future,
        },
        // Refused: the answer, taken by the poll that returns it.
        Refused {
            response: Option<Response<Full<Bytes>>>,
        },
    }
}

/// What the verification and the inner call need once the body has ended.
struct Pending<S> {
    parts: Parts,
    collector: BodyCollector,
    inner: S,
    verifier: Arc<Verifier>,
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<Full<Bytes>>>,
{
    pub(crate) fn collecting(
        body: B,
        parts: Parts,
        collector: BodyCollector,
        inner: S,
        verifier: Arc<Verifier>,
    ) -> Self {
        let pending = Some(Pending { parts, collector, inner, verifier });
        Self { state: State::Collecting { body, pending } }
    }

    pub(crate) fn refused(error: &VerifyError) -> Self {
        Self { state: State::Refused { response: Some(error_response(error)) } }
    }
}

impl<S, B, ResBody> Future for ResponseFuture<S, B>
where
    S: Service<Request<Full<Bytes>>, Response = Response<ResBody>>,
    B: Body,
    B::Error: Into<BoxError>,
{
    type Output = Result<Response<ResponseBody<ResBody>>, S::Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Collecting { body, pending } => {
                    let slot = pending.as_mut().expect("ResponseFuture polled after completion");
                    match ready!(poll_collect(body, &mut slot.collector, cx)) {
                        Ok(()) => {
                            let Pending { parts, collector, mut inner, verifier } =
                                pending.take().expect("ResponseFuture polled after completion");
                            match verify(parts, collector, &verifier) {
                                Ok(request) => State::Calling { future: inner.call(request) },
                                Err(error) => State::Refused { response: Some(error_response(&error)) },
                            }
                        }
                        Err(error) => State::Refused { response: Some(error_response(&error)) },
                    }
                }
                StateProj::Calling { future } => {
                    return future.poll(cx).map_ok(|response| response.map(Either::Left));
                }
                StateProj::Refused { response } => {
                    let response = response.take().expect("ResponseFuture polled after completion");
                    return Poll::Ready(Ok(response.map(Either::Right)));
                }
            };
            state.set(next);
        }
    }
}

/// Pushes every data frame into the collector until the body ends, it
/// fails, or it passes the limit. Trailers are not part of what is signed.
fn poll_collect<B>(
    mut body: Pin<&mut B>,
    collector: &mut BodyCollector,
    cx: &mut Context<'_>,
) -> Poll<Result<(), VerifyError>>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    loop {
        match ready!(body.as_mut().poll_frame(cx)) {
            Some(Ok(frame)) => {
                if let Ok(mut data) = frame.into_data() {
                    while data.has_remaining() {
                        let chunk = data.chunk();
                        let len = chunk.len();
                        if let Err(error) = collector.push(chunk) {
                            return Poll::Ready(Err(error));
                        }
                        data.advance(len);
                    }
                }
            }
            Some(Err(error)) => return Poll::Ready(Err(VerifyError::BodyRead(error.into()))),
            None => return Poll::Ready(Ok(())),
        }
    }
}

/// Verifies the collected body; the request for the inner service carries
/// the same bytes and the [`Verified`](hookproof_core::Verified) result.
fn verify(
    mut parts: Parts,
    collector: BodyCollector,
    verifier: &Verifier,
) -> Result<Request<Full<Bytes>>, VerifyError> {
    let body = collector.finish();
    let verified = verifier.verify(&parts.headers, &body)?;
    parts.extensions.insert(verified);
    Ok(Request::from_parts(parts, Full::new(body)))
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<Request<Full<Bytes>>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Collecting { .. } => "collecting",
            State::Calling { .. } => "calling",
            State::Refused { .. } => "refused",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}
