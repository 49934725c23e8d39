//! The behaviour contract, row by row, for smile, standard-webhooks and
//! github, through `tower::ServiceExt::oneshot`.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hookproof_tower::WebhookLayer;
use http::{HeaderMap, HeaderValue, Request};
use tower::{Layer, ServiceExt};

use common::{code, read, recording_inner, Case, Seen, TestBody, CASES};

const LIMIT: usize = 1024;
const BODY: &str = r#"{"account_id":7,"topic":"customer/updated","data":{"customer":{"id":1}}}"#;

/// Sends `body` with `headers` through the layer; returns status, content
/// type, error code (for refusals) and what the inner service saw.
async fn send(case: &Case, headers: HeaderMap, body: TestBody) -> (u16, Option<String>, Bytes, Arc<Seen>) {
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(case.verifier(LIMIT)).layer(recording_inner(Arc::clone(&seen)));
    let mut request = Request::post("/webhooks").body(body).unwrap();
    *request.headers_mut() = headers;
    let (status, content_type, body) = read(service.oneshot(request).await.unwrap()).await;
    (status, content_type, body, seen)
}

/// Asserts a refusal: status, JSON content type, code, and that the inner
/// service was not called.
async fn refused(case: &Case, headers: HeaderMap, body: TestBody, status: u16, error: &str) {
    let name = case.name();
    let (got, content_type, body, seen) = send(case, headers, body).await;
    assert_eq!((got, code(&body).as_str()), (status, error), "{name}");
    assert_eq!(content_type.as_deref(), Some("application/json"), "{name}");
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0, "{name}: inner service called on a refusal");
}

#[tokio::test]
async fn valid_delivery_reaches_the_inner_service_with_the_same_bytes_and_the_result() {
    for case in &CASES {
        let name = case.name();
        let headers = case.signer().sign(BODY.as_bytes());
        // Split in chunks, so the inner service sees the reassembled bytes.
        let (head, tail) = BODY.split_at(10);
        let body = TestBody::new([Ok(Bytes::from(head)), Ok(Bytes::from(tail))]);
        let (status, _, response, seen) = send(case, headers, body).await;
        assert_eq!((status, &response[..]), (200, &b"ok"[..]), "{name}");
        assert_eq!(seen.calls.load(Ordering::SeqCst), 1, "{name}");
        let requests = seen.requests.lock().unwrap();
        let (bytes, verified) = &requests[0];
        assert_eq!(bytes, BODY.as_bytes(), "{name}");
        let verified = verified.as_ref().expect("Verified in the extensions");
        assert_eq!(verified.scheme(), name);
        assert_eq!(verified.timestamp().is_some(), case.has_timestamp, "{name}");
    }
}

#[tokio::test]
async fn missing_signature_header_is_400_missing_header() {
    for case in &CASES {
        let mut headers = case.signer().sign(BODY.as_bytes());
        headers.remove(case.signature_header());
        refused(case, headers, TestBody::full(BODY), 400, "missing_header").await;
    }
}

#[tokio::test]
async fn unusable_signature_header_is_400_malformed_header() {
    for case in &CASES {
        let mut headers = case.signer().sign(BODY.as_bytes());
        headers.insert(http::HeaderName::try_from(case.signature_header()).unwrap(), case.malformed.parse().unwrap());
        refused(case, headers, TestBody::full(BODY), 400, "malformed_header").await;
    }
}

#[tokio::test]
async fn wrong_secret_is_401_signature_mismatch() {
    for case in &CASES {
        let headers = case.wrong_signer().sign(BODY.as_bytes());
        refused(case, headers, TestBody::full(BODY), 401, "signature_mismatch").await;
    }
}

#[tokio::test]
async fn tampered_body_is_401_signature_mismatch() {
    for case in &CASES {
        let headers = case.signer().sign(BODY.as_bytes());
        let tampered = BODY.replace("\"id\":1", "\"id\":2");
        refused(case, headers, TestBody::full(tampered), 401, "signature_mismatch").await;
    }
}

#[tokio::test]
async fn stale_and_future_timestamps_are_401() {
    let ten_minutes = Duration::from_secs(10 * 60);
    for case in CASES.iter().filter(|case| case.has_timestamp) {
        let stale = case.signer().sign_at(BODY.as_bytes(), SystemTime::now() - ten_minutes, None);
        refused(case, stale, TestBody::full(BODY), 401, "timestamp_too_old").await;
        let future = case.signer().sign_at(BODY.as_bytes(), SystemTime::now() + ten_minutes, None);
        refused(case, future, TestBody::full(BODY), 401, "timestamp_in_future").await;
    }
}

#[tokio::test]
async fn github_has_no_freshness_rule() {
    let headers =
        common::GITHUB.signer().sign_at(BODY.as_bytes(), SystemTime::now() - Duration::from_secs(86_400), None);
    let (status, _, _, seen) = send(&common::GITHUB, headers, TestBody::full(BODY)).await;
    assert_eq!((status, seen.calls.load(Ordering::SeqCst)), (200, 1));
}

#[tokio::test]
async fn content_length_over_the_limit_is_413_without_polling_the_body() {
    for case in &CASES {
        let big = vec![b'x'; LIMIT + 1];
        let mut headers = case.signer().sign(&big);
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(LIMIT + 1));
        let body = TestBody::full(big);
        let polled = body.polled();
        refused(case, headers, body, 413, "body_too_large").await;
        assert_eq!(polled.load(Ordering::SeqCst), 0, "{}: body polled", case.name());
    }
}

#[tokio::test]
async fn streamed_body_over_the_limit_is_413() {
    for case in &CASES {
        // No Content-Length: 3 chunks of 400 bytes pass the 1024 byte limit.
        let big = vec![b'x'; 1200];
        let headers = case.signer().sign(&big);
        let body = TestBody::repeat(400, 3);
        let polled = body.polled();
        refused(case, headers, body, 413, "body_too_large").await;
        assert_eq!(polled.load(Ordering::SeqCst), 1200, "{}", case.name());
    }
}

#[tokio::test]
async fn body_at_the_limit_is_accepted() {
    for case in &CASES {
        let exact = vec![b'x'; LIMIT];
        let mut headers = case.signer().sign(&exact);
        headers.insert(http::header::CONTENT_LENGTH, HeaderValue::from(LIMIT));
        let (status, _, _, seen) = send(case, headers, TestBody::full(exact.clone())).await;
        assert_eq!(status, 200, "{}", case.name());
        assert_eq!(seen.requests.lock().unwrap()[0].0, exact);
    }
}
