//! Reading and verifying a delivery: the one code path shared by
//! [`WebhookMiddleware`](crate::WebhookMiddleware) and the extractors.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::task::{Poll, Waker};

use actix_web::dev::{Extensions, Payload};
use actix_web::{web, HttpMessage as _, HttpRequest};
use bytes::Bytes;
use futures_util::StreamExt as _;
use hookproof_core::{Verified, Verifier, VerifyError};

use crate::{ActixHeaders, WebhookError};

/// A verified delivery: the verification result and the exact bytes it
/// covers. Kept in the request extensions inside a private [`Slot`], so
/// only this crate can put one there.
#[derive(Debug, Clone)]
pub(crate) struct Delivery {
    pub(crate) verified: Verified,
    pub(crate) body: Bytes,
}

/// Reads `payload` under the verifier's limit and verifies it
/// ([`Verifier::begin`], then [`Verifier::finish`]): a declared
/// `Content-Length` over the limit is refused first (413), then the headers
/// alone (400 / stale 401), both before anything is read; then the body is
/// streamed, stopping as soon as it passes the limit (413), and the
/// signature is checked over it.
pub(crate) async fn read_and_verify(
    request: &HttpRequest,
    mut payload: Payload,
    verifier: &Verifier,
) -> Result<Delivery, VerifyError> {
    let headers = ActixHeaders(request.headers());
    let mut delivery = verifier.begin_received(&headers, request.method().as_str(), request.uri())?;
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|error| VerifyError::BodyRead(Box::new(error)))?;
        delivery.push(chunk)?;
    }
    let (verified, body) = verifier.finish(delivery)?;
    Ok(Delivery { verified, body })
}

/// Records a verified delivery: a finished [`Slot`] for the extractors, and
/// a public [`Verified`] copy for `web::ReqData<Verified>`.
pub(crate) fn store(extensions: &mut Extensions, delivery: Delivery) {
    extensions.insert(delivery.verified.clone());
    extensions.insert(Slot(Rc::new(RefCell::new(State::Done(delivery)))));
}

/// The request's delivery, shared by every extractor of one request.
///
/// actix-web calls `from_request` for all of a handler's arguments before
/// polling any of them, so a second extractor starts while the first is
/// still reading the (now taken) payload: it waits on this slot instead of
/// reading an empty body.
#[derive(Clone)]
struct Slot(Rc<RefCell<State>>);

enum State {
    /// The first extractor is reading and verifying; wake these when done.
    Pending(Vec<Waker>),
    Done(Delivery),
    /// The first extractor refused the request (and answers with the reason).
    Failed,
}

impl Slot {
    fn finish(&self, outcome: State) {
        let previous = std::mem::replace(&mut *self.0.borrow_mut(), outcome);
        if let State::Pending(wakers) = previous {
            wakers.into_iter().for_each(Waker::wake);
        }
    }

    async fn wait(self) -> Result<Delivery, WebhookError> {
        std::future::poll_fn(move |cx| match &mut *self.0.borrow_mut() {
            State::Pending(wakers) => {
                if !wakers.iter().any(|waker| waker.will_wake(cx.waker())) {
                    wakers.push(cx.waker().clone());
                }
                Poll::Pending
            }
            State::Done(delivery) => Poll::Ready(Ok(delivery.clone())),
            State::Failed => Poll::Ready(Err(VerifyError::BodyRead(Box::new(AlreadyRefused)).into())),
        })
        .await
    }
}

/// Marks the slot failed if the reading extractor is dropped before it
/// finished, so no other extractor waits forever.
struct Reader(Slot);

impl Drop for Reader {
    fn drop(&mut self) {
        if matches!(*self.0 .0.borrow(), State::Pending(_)) {
            self.0.finish(State::Failed);
        }
    }
}

/// What a later extractor reports when the one that read the body refused
/// the request (the handler fails with the first extractor's reason).
#[derive(Debug)]
struct AlreadyRefused;

impl fmt::Display for AlreadyRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the body was consumed by another extractor that refused the request")
    }
}

impl std::error::Error for AlreadyRefused {}

/// The verifier an extractor uses when no middleware ran:
/// `web::Data<Verifier>` first, then a plain `Arc<Verifier>`.
fn configured_verifier(request: &HttpRequest) -> Option<Arc<Verifier>> {
    request
        .app_data::<web::Data<Verifier>>()
        .map(|data| data.clone().into_inner())
        .or_else(|| request.app_data::<Arc<Verifier>>().cloned())
}

/// The extractors' entry point: the delivery the middleware (or another
/// extractor of this request) verified, otherwise read and verify it now
/// with the verifier from `app_data`, sharing the result with the request's
/// other extractors.
pub(crate) fn delivery(
    request: &HttpRequest,
    payload: &mut Payload,
) -> impl Future<Output = Result<Delivery, WebhookError>> + 'static {
    enum Start {
        Wait(Slot),
        Read(HttpRequest, Payload, Arc<Verifier>, Reader),
        Refuse(WebhookError),
    }
    let known = request.extensions().get::<Slot>().cloned();
    let start = match (known, configured_verifier(request)) {
        (Some(slot), _) => Start::Wait(slot),
        (None, Some(verifier)) => {
            let slot = Slot(Rc::new(RefCell::new(State::Pending(Vec::new()))));
            request.extensions_mut().insert(slot.clone());
            Start::Read(request.clone(), payload.take(), verifier, Reader(slot))
        }
        (None, None) => Start::Refuse(WebhookError::MissingVerifier),
    };
    async move {
        match start {
            Start::Wait(slot) => slot.wait().await,
            Start::Refuse(error) => Err(error),
            Start::Read(request, payload, verifier, reader) => {
                match read_and_verify(&request, payload, &verifier).await {
                    Ok(delivery) => {
                        request.extensions_mut().insert(delivery.verified.clone());
                        reader.0.finish(State::Done(delivery.clone()));
                        Ok(delivery)
                    }
                    Err(error) => {
                        reader.0.finish(State::Failed);
                        Err(error.into())
                    }
                }
            }
        }
    }
}
