//! [`ResponseFuture`]: read the body, verify, claim the event when replay
//! protection is on, call the inner service, then commit or release.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use futures_util::future::BoxFuture;
use hookproof_core::{poll_read_body, Intake, Pass, PendingDelivery, Reply, Settled, Verified, Verifier, VerifyError};
use http::request::Parts;
use http::{Request, Response};
use http_body::Body;
use http_body_util::Full;
use pin_project_lite::pin_project;
use tower_service::Service;

use crate::response::reply;
use crate::{error_response, BoxError, ResponseBody};

pin_project! {
    /// Response future of [`VerifyWebhook`](crate::VerifyWebhook): reads the body under
    /// the limit, verifies it, claims the event when
    /// [replay protection](crate#replay-protection) is on, then resolves to
    /// the inner service's response (after committing or releasing the
    /// claim), or to the layer's own answer.
    ///
    /// It is `Send` (as axum and multi-threaded servers require) when the
    /// inner service, its future, response and error and the request body
    /// are. It is not `Sync`: the replay steps hold boxed `Send` futures.
    pub struct ResponseFuture<S, B>
    where
        S: Service<Request<Full<Bytes>>>,
    {
        #[pin]
        state: State<S, B>,
    }
}

pin_project! {
    /// Each step is one variant. Without replay protection the path is
    /// `Collecting → Calling` (or `Answered`), with no allocation beyond the
    /// body; admitting and settling box the store's futures.
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
        // Verified, with replay protection or an inbox: claiming the event
        // or storing the delivery.
        Admitting {
            future: BoxFuture<'static, Result<Pass, VerifyError>>,
            call: Option<(S, Request<Full<Bytes>>)>,
        },
        // Verified (and admitted without a claim): the inner service is answering.
        Calling {
            #[pin]
            future: S::Future,
        },
        // The inner service is answering for a claimed event, under the
        // core's claim policy (`Claim::run`). Dropping the future here
        // releases the claim.
        Claimed {
            #[pin]
            future: Settled<S::Future, Result<S::Response, S::Error>>,
        },
        // The layer's own answer (refusal, duplicate), taken by the poll that returns it.
        Answered {
            response: Option<Response<Full<Bytes>>>,
        },
    }
}

/// What the verification and the inner call need once the body has ended.
pub(crate) struct Pending<S> {
    pub(crate) parts: Parts,
    pub(crate) delivery: PendingDelivery,
    pub(crate) inner: S,
    pub(crate) verifier: Arc<Verifier>,
    pub(crate) intake: Intake,
}

impl<S, B> ResponseFuture<S, B>
where
    S: Service<Request<Full<Bytes>>>,
{
    pub(crate) fn collecting(body: B, pending: Pending<S>) -> Self {
        Self { state: State::Collecting { body, pending: Some(pending) } }
    }

    pub(crate) fn answered(response: Response<Full<Bytes>>) -> Self {
        Self { state: State::Answered { response: Some(response) } }
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
        const DONE: &str = "ResponseFuture polled after completion";
        let mut state = self.project().state;
        loop {
            let next = match state.as_mut().project() {
                StateProj::Collecting { body, pending } => {
                    let slot = pending.as_mut().expect(DONE);
                    match ready!(poll_read_body(body, &mut slot.delivery, cx)) {
                        Ok(()) => {
                            let Pending { parts, delivery, mut inner, verifier, intake } = pending.take().expect(DONE);
                            match verifier.finish(delivery) {
                                Ok((verified, body)) => match verifier.answer_signed_handshake(&verified, &body) {
                                    // A setup handshake is the layer's to answer, never the service's.
                                    Some(handshake) => answer(reply(handshake)),
                                    // The direct path allocates nothing more.
                                    None if matches!(intake, Intake::Direct) => {
                                        State::Calling { future: inner.call(request(parts, body, verified)) }
                                    }
                                    None => State::Admitting {
                                        future: Box::pin(intake.admit(&verified, &parts.headers, &body)),
                                        call: Some((inner, request(parts, body, verified))),
                                    },
                                },
                                Err(error) => answer(error_response(&error)),
                            }
                        }
                        Err(error) => answer(error_response(&error)),
                    }
                }
                StateProj::Admitting { future, call } => {
                    let admission = ready!(future.as_mut().poll(cx));
                    let (mut inner, request) = call.take().expect(DONE);
                    match admission {
                        Ok(Pass::Handle(Some(claim))) => {
                            State::Claimed { future: claim.run(|| inner.call(request), succeeded::<ResBody, S::Error>) }
                        }
                        Ok(Pass::Handle(None)) => State::Calling { future: inner.call(request) },
                        Ok(Pass::Duplicate) => answer(reply(Reply::duplicate())),
                        Err(error) => answer(error_response(&error)),
                    }
                }
                StateProj::Calling { future } => {
                    return future.poll(cx).map_ok(|response| response.map(ResponseBody::new));
                }
                StateProj::Claimed { future } => {
                    return future.poll(cx).map(|outcome| match outcome {
                        Ok(result) => result.map(|response| response.map(ResponseBody::new)),
                        Err(error) => Ok(error_response(&error).map(ResponseBody::own)),
                    });
                }
                StateProj::Answered { response } => {
                    let response = response.take().expect(DONE);
                    return Poll::Ready(Ok(response.map(ResponseBody::own)));
                }
            };
            state.set(next);
        }
    }
}

fn answer<S, B>(response: Response<Full<Bytes>>) -> State<S, B>
where
    S: Service<Request<Full<Bytes>>>,
{
    State::Answered { response: Some(response) }
}

/// Only a 2xx marks a claimed event processed; anything else releases it
/// so the sender's retry is processed.
fn succeeded<B, E>(outcome: &Result<Response<B>, E>) -> bool {
    matches!(outcome, Ok(response) if response.status().is_success())
}

/// The request for the inner service: the same bytes that were verified,
/// and the [`Verified`] result in its extensions.
fn request(mut parts: Parts, body: Bytes, verified: Verified) -> Request<Full<Bytes>> {
    parts.extensions.insert(verified);
    Request::from_parts(parts, Full::new(body))
}

impl<S, B> fmt::Debug for ResponseFuture<S, B>
where
    S: Service<Request<Full<Bytes>>>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &self.state {
            State::Collecting { .. } => "collecting",
            State::Admitting { .. } => "admitting",
            State::Calling { .. } => "calling",
            State::Claimed { .. } => "claimed",
            State::Answered { .. } => "answered",
        };
        f.debug_struct("ResponseFuture").field("state", &state).finish()
    }
}
