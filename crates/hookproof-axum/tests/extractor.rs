//! The extractor's own behaviour beyond the contract rows: body read
//! failures, lying lengths, how much is read, a verification done by a layer
//! in front, state shapes and custom rendering of rejections.

mod support;

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use futures_util::stream;
use hookproof_axum::{RawWebhook, Webhook, WebhookRejection};
use hookproof_core::events::SmileEnvelope;
use hookproof_core::{presets, Verifier, VerifyError, JSON_CONTENT_TYPE};
use http_body_util::BodyExt as _;
use support::{assert_rejected, post_request, raw_router, send, Provider};
use tower::util::MapRequestLayer;
use tower::ServiceExt as _;

const SMILE: Provider = Provider::Smile;

fn small_limit_verifier(limit: usize) -> Verifier {
    Verifier::builder(presets::smile()).secret(SMILE.secret()).body_limit(limit).build().unwrap()
}

#[tokio::test]
async fn a_body_stream_that_fails_midway_is_400_body_read_failed() {
    let body = SMILE.body();
    let (first, rest) = body.split_at(10);
    let chunks = [
        Ok(Bytes::from_static(first.as_bytes())),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "peer went away")),
        Ok(Bytes::from_static(rest.as_bytes())),
    ];
    let headers = SMILE.sign(body.as_bytes());
    let request = post_request("/webhooks", headers, Body::from_stream(stream::iter(chunks)));
    let answer = send(SMILE.router(SMILE.verifier()), request).await;
    assert_rejected(&answer, 400, "body_read_failed");
}

#[tokio::test]
async fn a_lying_content_length_cannot_pass_the_limit() {
    let mut headers = SMILE.sign(SMILE.body().as_bytes());
    headers.insert("content-length", 10.into());
    let request = post_request("/webhooks", headers, "x".repeat(101));
    let answer = send(SMILE.router(small_limit_verifier(100)), request).await;
    assert_rejected(&answer, 413, "body_too_large");
}

#[tokio::test]
async fn reading_stops_at_the_limit() {
    let limit = 10_000;
    let pulled = Arc::new(AtomicUsize::new(0));
    let counter = pulled.clone();
    let endless = stream::repeat_with(move || {
        counter.fetch_add(1000, Ordering::SeqCst);
        Ok::<_, Infallible>(Bytes::from_static(&[b'x'; 1000]))
    });
    let headers = SMILE.sign(SMILE.body().as_bytes());
    let request = post_request("/webhooks", headers, Body::from_stream(endless));
    let answer = send(SMILE.router(small_limit_verifier(limit)), request).await;
    assert_rejected(&answer, 413, "body_too_large");
    // The chunk that crossed the limit is the last one read.
    assert_eq!(pulled.load(Ordering::SeqCst), limit + 1000);
}

#[tokio::test]
async fn unsigned_and_stale_deliveries_are_refused_before_the_body_is_read() {
    let pulled = Arc::new(AtomicUsize::new(0));
    let endless = |counter: Arc<AtomicUsize>| {
        Body::from_stream(stream::repeat_with(move || {
            counter.fetch_add(1000, Ordering::SeqCst);
            Ok::<_, Infallible>(Bytes::from_static(&[b'x'; 1000]))
        }))
    };
    let request = post_request("/webhooks", HeaderMap::new(), endless(pulled.clone()));
    let answer = send(SMILE.router(SMILE.verifier()), request).await;
    assert_rejected(&answer, 400, "missing_header");

    let stale = hookproof_core::Signer::new(presets::smile(), SMILE.secret()).unwrap().sign_at(
        SMILE.body().as_bytes(),
        SystemTime::now() - Duration::from_secs(600),
        None,
    );
    let request = post_request("/webhooks", stale, endless(pulled.clone()));
    let answer = send(SMILE.router(SMILE.verifier()), request).await;
    assert_rejected(&answer, 401, "timestamp_too_old");
    assert_eq!(pulled.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_unparsable_content_length_falls_back_to_the_streaming_cap() {
    let body = SMILE.body();
    let mut headers = SMILE.sign(body.as_bytes());
    headers.insert("content-length", "lots".parse().unwrap());
    let (status, _) = send(SMILE.router(SMILE.verifier()), post_request("/webhooks", headers, body)).await;
    assert_eq!(status, 200);

    let mut headers = SMILE.sign(body.as_bytes());
    headers.insert("content-length", "lots".parse().unwrap());
    let answer = send(SMILE.router(small_limit_verifier(10)), post_request("/webhooks", headers, body)).await;
    assert_rejected(&answer, 413, "body_too_large");
}

#[tokio::test]
async fn an_empty_body_is_refused_not_a_panic() {
    // What a handler would see if something in front had taken the body.
    let headers = SMILE.sign(SMILE.body().as_bytes());
    let answer = send(SMILE.router(SMILE.verifier()), post_request("/webhooks", headers, Body::empty())).await;
    assert_rejected(&answer, 401, "signature_mismatch");
}

/// A router that plays the tower layer: it puts an already-made `Verified`
/// into the request extensions before the handler's extractor runs.
fn behind_layer(verifier: Verifier, verified: hookproof_core::Verified) -> Router {
    SMILE.router(verifier).layer(MapRequestLayer::new(move |mut request: Request<Body>| {
        request.extensions_mut().insert(verified.clone());
        request
    }))
}

fn verified_delivery(body: &[u8], at: SystemTime) -> hookproof_core::Verified {
    let headers = SMILE.sign_with(SMILE.secret(), body, at);
    SMILE.verifier().verify_at(&headers, body, at).unwrap()
}

#[tokio::test]
async fn a_verified_in_the_extensions_is_used_without_verifying_again() {
    let body = SMILE.body();
    // Verified an hour ago: verifying again now would be 401 timestamp_too_old,
    // and the request carries no signature headers at all (400 missing_header).
    let signed_at = SystemTime::now() - Duration::from_secs(3600);
    let verified = verified_delivery(body.as_bytes(), signed_at);
    let router = behind_layer(SMILE.verifier(), verified);
    let (status, seen) = send(router, post_request("/webhooks", HeaderMap::new(), body)).await;
    assert_eq!(status, 200, "{seen}");
    let expected = signed_at.duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(seen["timestamp"], expected, "the handler got the layer's Verified");
    assert_eq!(seen["event"]["topic"], "customer/updated");
}

#[tokio::test]
async fn behind_a_layer_the_body_is_still_limited_and_decoded() {
    let body = SMILE.body();
    let verified = verified_delivery(body.as_bytes(), SystemTime::now());

    let router = behind_layer(small_limit_verifier(10), verified.clone());
    let answer = send(router, post_request("/webhooks", HeaderMap::new(), body)).await;
    assert_rejected(&answer, 413, "body_too_large");

    let router = behind_layer(SMILE.verifier(), verified);
    let answer = send(router, post_request("/webhooks", HeaderMap::new(), r#"{"not":"an envelope"}"#)).await;
    assert_rejected(&answer, 422, "invalid_payload");
}

async fn arc_state_handler(webhook: RawWebhook) -> String {
    let envelope: SmileEnvelope = match webhook.decode() {
        Ok(envelope) => envelope,
        Err(rejection) => return rejection.code().to_owned(),
    };
    envelope.topic.to_string()
}

#[tokio::test]
async fn an_extension_layer_names_the_verifier_whatever_the_state() {
    #[derive(Clone)]
    struct Unrelated;
    let router = Router::new()
        .route("/", post(arc_state_handler))
        .layer(axum::Extension(Arc::new(SMILE.verifier())))
        .with_state(Unrelated);
    let body = r#"{"account_id":1,"topic":"ping","data":{}}"#;
    let response = router.oneshot(post_request("/", SMILE.sign(body.as_bytes()), body)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"ping");
}

/// Renders rejections its own way, with `status()` and `code()`.
async fn custom(webhook: Result<Webhook<SmileEnvelope>, WebhookRejection>) -> (StatusCode, String) {
    match webhook {
        Ok(webhook) => (StatusCode::OK, webhook.event.topic.to_string()),
        Err(rejection) => (rejection.status(), format!("refused: {}", rejection.code())),
    }
}

#[tokio::test]
async fn users_can_render_their_own_rejections() {
    let router = Router::new().route("/", post(custom)).layer(axum::Extension(Arc::new(SMILE.verifier())));
    let headers = SMILE.sign_with(SMILE.wrong_secret(), SMILE.body().as_bytes(), SystemTime::now());
    let response = router.oneshot(post_request("/", headers, SMILE.body())).await.unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"refused: signature_mismatch");
}

#[tokio::test]
async fn a_route_without_a_verifier_is_500_never_trusted() {
    let router = Router::new().route("/", post(custom));
    let response = router.oneshot(post_request("/", SMILE.sign(SMILE.body().as_bytes()), SMILE.body())).await.unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(&response.into_body().collect().await.unwrap().to_bytes()[..], b"refused: verifier_not_configured");
}

#[tokio::test]
async fn the_rejection_response_is_the_core_mapping() {
    let rejection = WebhookRejection::from(VerifyError::TimestampInFuture);
    assert_eq!((rejection.status(), rejection.code()), (StatusCode::UNAUTHORIZED, "timestamp_in_future"));
    assert_eq!(rejection.to_string(), VerifyError::TimestampInFuture.to_string());
    let expected_body = VerifyError::TimestampInFuture.json_body();

    let response = rejection.into_response();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["content-type"], JSON_CONTENT_TYPE);
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, expected_body.as_bytes());

    let inner = WebhookRejection::from(VerifyError::BodyTooLarge { limit: 5 }).into_inner();
    assert!(matches!(inner, VerifyError::BodyTooLarge { limit: 5 }));
}

/// Twilio's documented example: the URL it called, the form, the signature.
const TWILIO_URL: &str = "https://example.com/myapp.php?foo=1&bar=2";
const TWILIO_FORM: &str =
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";

fn twilio(signature: &str, host: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-twilio-signature", signature.parse().unwrap());
    headers.insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
    headers.insert("host", host.parse().unwrap());
    headers
}

#[tokio::test]
async fn alone_the_extractor_verifies_url_signed_twilio_forms() {
    let verifier = |url: &str| Verifier::builder(presets::twilio()).secret("12345").public_url(url).build().unwrap();
    let headers = twilio("L/OH5YylLD5NRKLltdqwSvS0BnU=", "10.0.0.7:8080");
    let (status, body) =
        send(raw_router(verifier(TWILIO_URL)), post_request("/raw", headers.clone(), TWILIO_FORM)).await;
    assert_eq!((status, body["body"].as_str()), (StatusCode::OK, Some(TWILIO_FORM)));
    let tampered = TWILIO_FORM.replace("Digits=1234", "Digits=1235");
    let answer = send(raw_router(verifier(TWILIO_URL)), post_request("/raw", headers.clone(), tampered)).await;
    assert_rejected(&answer, 401, "signature_mismatch");
    let elsewhere = verifier("https://example.com/myapp.php?foo=1&bar=3");
    assert_rejected(
        &send(raw_router(elsewhere), post_request("/raw", headers, TWILIO_FORM)).await,
        401,
        "signature_mismatch",
    );

    // No public URL: `http://` + Host + the path and query received.
    let target = hookproof_core::RequestTarget::new("POST", "http://hooks.example/raw?account=7");
    let signed = hookproof_core::Signer::new(presets::twilio(), "12345").unwrap().sign_request_at(
        target,
        TWILIO_FORM.as_bytes(),
        SystemTime::now(),
        None,
    );
    let headers = twilio(signed["x-twilio-signature"].to_str().unwrap(), "hooks.example");
    let received = || raw_router(Verifier::builder(presets::twilio()).secret("12345").build().unwrap());
    let (status, _) = send(received(), post_request("/raw?account=7", headers.clone(), TWILIO_FORM)).await;
    assert_eq!(status, StatusCode::OK);
    let answer = send(received(), post_request("/raw?account=8", headers, TWILIO_FORM)).await;
    assert_rejected(&answer, 401, "signature_mismatch");
}
