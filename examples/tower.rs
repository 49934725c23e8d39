//! Smile receiver on hyper 1, with hookproof's tower layer in front of the
//! handler.
//!
//! ```text
//! HOOKPROOF_SECRET=<Smile client secret> PORT=3000 cargo run --example tower --features tower
//! ```
//!
//! `POST /webhooks` takes Smile deliveries: the layer refuses unsigned,
//! tampered, stale and oversized ones (400/401/413, JSON error body); the
//! handler decodes the verified body into a `SmileEnvelope` (422 when it is
//! not one), prints one JSON line per event on stdout and answers 200,
//! unknown topics included. Anything else is 404 (405 for another method on
//! `/webhooks`).
//!
//! Replay protection is on (in this process's memory): a copy of a delivery
//! already processed is answered 200 `{"status":"duplicate"}` without running
//! the handler, and one arriving while the first is processed 409
//! `in_flight`. Smile has no event id, so a copy is recognised by its
//! signature. A handler that fails (non-2xx, panic) leaves the event
//! unprocessed, so Smile's retry runs it.

#[path = "support/smile_receiver.rs"]
mod smile_receiver;

use std::convert::Infallible;

use hookproof::events::SmileEnvelope;
use hookproof::integrations::tower::{error_response, ResponseBody, WebhookLayer};
use hookproof::{ReplayProtection, Verified};
use http::{header, Method, Request, Response, StatusCode};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tower::{Layer, Service, ServiceExt};

/// Runs behind the layer: the request is verified and its body is the exact
/// bytes that were signed.
async fn handle(request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let verified = request.extensions().get::<Verified>().cloned().expect("the layer inserts Verified");
    let body = http_body_util::BodyExt::collect(request.into_body()).await?.to_bytes();
    let event: SmileEnvelope = match verified.decode(&body) {
        Ok(event) => event,
        Err(error) => return Ok(error_response(&error)), // 422 invalid_payload
    };
    let answer = smile_receiver::handle(&verified, &event);
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, hookproof::JSON_CONTENT_TYPE)
        .body(Full::new(Bytes::from_static(answer.as_bytes())))
        .expect("static response parts are valid"))
}

/// Routes `POST /webhooks` to the verifying service.
async fn route<S>(webhooks: S, request: Request<Incoming>) -> Result<Response<ResponseBody<Full<Bytes>>>, Infallible>
where
    S: Service<Request<Incoming>, Response = Response<ResponseBody<Full<Bytes>>>, Error = Infallible>,
{
    if request.uri().path() != "/webhooks" {
        return Ok(empty(StatusCode::NOT_FOUND));
    }
    if request.method() != Method::POST {
        let mut response = empty(StatusCode::METHOD_NOT_ALLOWED);
        response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Ok(response);
    }
    webhooks.oneshot(request).await
}

fn empty(status: StatusCode) -> Response<ResponseBody<Full<Bytes>>> {
    let mut response = Response::new(ResponseBody::new(Full::default()));
    *response.status_mut() = status;
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let config = smile_receiver::Config::from_env();
    let replay = ReplayProtection::memory(&config.verifier);
    let webhooks = WebhookLayer::new(config.verifier).replay(replay).layer(tower::service_fn(handle));

    let listener = TcpListener::bind(config.addr).await?;
    eprintln!("listening on http://{}/webhooks", listener.local_addr()?);
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = tokio::signal::ctrl_c() => return Ok(()),
        };
        let webhooks = webhooks.clone();
        let service = hyper::service::service_fn(move |request| route(webhooks.clone(), request));
        tokio::spawn(async move {
            if let Err(error) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                eprintln!("connection error: {error}");
            }
        });
    }
}
