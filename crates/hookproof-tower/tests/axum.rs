//! The layer inside axum: `Router::route_layer` and `Router::layer`, with a
//! handler reading the `Verified` the layer inserted.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::routing::post;
use axum::{Extension, Router};
use hookproof_core::Verified;
use hookproof_tower::WebhookLayer;
use http::{HeaderMap, Request};
use tower::ServiceExt;

use common::{code, read, TestBody, SMILE};

const BODY: &str = r#"{"account_id":7,"topic":"ping","data":{}}"#;

fn router(calls: Arc<AtomicUsize>) -> Router {
    Router::new().route(
        "/webhooks",
        post(move |Extension(verified): Extension<Verified>, body: Bytes| async move {
            calls.fetch_add(1, Ordering::SeqCst);
            assert_eq!(body, BODY.as_bytes());
            format!("verified {}", verified.scheme())
        }),
    )
}

async fn send(app: &Router, uri: &str, headers: HeaderMap, body: Body) -> (u16, Bytes) {
    let mut request = Request::post(uri).body(body).unwrap();
    *request.headers_mut() = headers;
    let (status, _, body) = read(app.clone().oneshot(request).await.unwrap()).await;
    (status, body)
}

#[tokio::test]
async fn route_layer_verifies_matched_routes_only() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = router(Arc::clone(&calls)).route_layer(WebhookLayer::new(SMILE.verifier(1024)));

    let signed = SMILE.signer().sign(BODY.as_bytes());
    let (status, body) = send(&app, "/webhooks", signed, Body::from(BODY)).await;
    assert_eq!((status, &body[..]), (200, &b"verified smile"[..]));

    let wrong = SMILE.wrong_signer().sign(BODY.as_bytes());
    let (status, body) = send(&app, "/webhooks", wrong, Body::from(BODY)).await;
    assert_eq!((status, code(&body).as_str()), (401, "signature_mismatch"));

    let signed = SMILE.signer().sign(BODY.as_bytes());
    let streamed = Body::new(TestBody::repeat(512, 3));
    let (status, body) = send(&app, "/webhooks", signed, streamed).await;
    assert_eq!((status, code(&body).as_str()), (413, "body_too_large"));

    // Unmatched routes are not verified: axum's own 404.
    let (status, _) = send(&app, "/elsewhere", HeaderMap::new(), Body::empty()).await;
    assert_eq!(status, 404);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn layer_verifies_every_request() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = router(Arc::clone(&calls)).layer(WebhookLayer::new(SMILE.verifier(1024)));

    let signed = SMILE.signer().sign(BODY.as_bytes());
    let (status, body) = send(&app, "/webhooks", signed, Body::from(BODY)).await;
    assert_eq!((status, &body[..]), (200, &b"verified smile"[..]));

    let mut missing = SMILE.signer().sign(BODY.as_bytes());
    missing.remove("smile-timestamp");
    let (status, body) = send(&app, "/webhooks", missing, Body::from(BODY)).await;
    assert_eq!((status, code(&body).as_str()), (400, "missing_header"));

    // The fallback is behind the layer too: unsigned requests never reach it.
    let (status, body) = send(&app, "/elsewhere", HeaderMap::new(), Body::empty()).await;
    assert_eq!((status, code(&body).as_str()), (400, "missing_header"));
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}
