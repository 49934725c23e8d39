//! Reading the body: failures mid-stream, and how much of an oversized
//! stream is read before it is refused.

mod common;

use std::io;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hookproof_core::{presets, Signer, Verifier};
use hookproof_tower::WebhookLayer;
use http::Request;
use tower::{Layer, ServiceExt};

use common::{code, read, recording_inner, Seen, TestBody};

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn a_body_that_fails_mid_stream_is_400_body_read_failed() {
    let body = br#"{"account_id":1,"topic":"ping","data":{}}"#;
    let headers = common::SMILE.signer().sign(body);
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(common::SMILE.verifier(MIB)).layer(recording_inner(Arc::clone(&seen)));
    let failing = TestBody::new([
        Ok(Bytes::from_static(&body[..8])),
        Err(io::Error::new(io::ErrorKind::ConnectionReset, "peer went away")),
    ]);
    let mut request = Request::post("/webhooks").body(failing).unwrap();
    *request.headers_mut() = headers;
    let (status, content_type, response) = read(service.oneshot(request).await.unwrap()).await;
    assert_eq!((status, code(&response).as_str()), (400, "body_read_failed"));
    assert_eq!(content_type.as_deref(), Some("application/json"));
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn ten_mib_streamed_against_a_one_mib_limit_reads_at_most_the_limit_plus_one_chunk() {
    const CHUNK: usize = 64 * 1024;
    let verifier = Verifier::builder(presets::github()).secret("s3cret").body_limit(MIB).build().unwrap();
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(verifier).layer(recording_inner(Arc::clone(&seen)));
    // Correctly signed, chunked, no Content-Length: only the limit refuses it.
    let whole = vec![b'x'; 10 * MIB];
    let headers = Signer::new(presets::github(), "s3cret").unwrap().sign(&whole);
    let body = TestBody::repeat(CHUNK, 10 * MIB / CHUNK);
    let polled = body.polled();
    let mut request = Request::post("/webhooks").body(body).unwrap();
    *request.headers_mut() = headers;
    let (status, _, response) = read(service.oneshot(request).await.unwrap()).await;
    assert_eq!((status, code(&response).as_str()), (413, "body_too_large"));
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
    // 16 chunks fill the limit exactly; the 17th is the first one refused.
    assert_eq!(polled.load(Ordering::SeqCst), MIB + CHUNK);
}

/// The header checks come before the body: an unsigned or stale delivery
/// is refused without polling a byte, even when its body is within the limit.
#[tokio::test]
async fn unsigned_and_stale_deliveries_are_refused_before_the_body_is_read() {
    const CHUNK: usize = 64 * 1024;
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(common::SMILE.verifier(MIB)).layer(recording_inner(Arc::clone(&seen)));
    let whole = vec![b'x'; 15 * CHUNK];

    let mut missing = common::SMILE.signer().sign(&whole);
    missing.remove("smile-signature");
    let six_minutes_ago = SystemTime::now() - Duration::from_secs(6 * 60);
    let stale = common::SMILE.signer().sign_at(&whole, six_minutes_ago, None);

    for (headers, status, error) in [(missing, 400, "missing_header"), (stale, 401, "timestamp_too_old")] {
        let body = TestBody::repeat(CHUNK, 15); // 960 KiB, chunked, under the 1 MiB limit
        let polled = body.polled();
        let mut request = Request::post("/webhooks").body(body).unwrap();
        *request.headers_mut() = headers;
        let (got, content_type, response) = read(service.clone().oneshot(request).await.unwrap()).await;
        assert_eq!((got, code(&response).as_str()), (status, error));
        assert_eq!(content_type.as_deref(), Some("application/json"));
        assert_eq!(polled.load(Ordering::SeqCst), 0, "{error}: body polled");
    }
    assert_eq!(seen.calls.load(Ordering::SeqCst), 0);
}
