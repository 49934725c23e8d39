//! The behaviour contract (DESIGN.md) through actix-web, for smile,
//! standard-webhooks and github, behind the middleware and with the
//! extractor alone: exact status and `error` code for every row, the handler
//! sees exactly the bytes sent, and never runs on a refusal.

use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, Service, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use actix_web::{test, web, App, HttpResponse};
use bytes::Bytes;
use futures_util::Stream;
use hookproof_actix::{RawWebhook, Webhook, WebhookMiddleware};
use hookproof_core::{presets, Scheme, Signer, Verifier};
use serde_json::{json, Value};

/// Small, so oversize bodies are cheap.
const LIMIT: usize = 256;

struct Provider {
    scheme: fn() -> Scheme,
    secret: &'static str,
    wrong_secret: &'static str,
    /// A signature header value that cannot be decoded.
    malformed: &'static str,
}

fn providers() -> [Provider; 3] {
    [
        Provider { scheme: presets::smile, secret: "smile-secret", wrong_secret: "not-the-secret", malformed: "%%%" },
        Provider {
            scheme: presets::standard_webhooks,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            wrong_secret: "whsec_YW5vdGhlci1zZWNyZXQta2V5LTMyLWJ5dGVzLWxvbmc=",
            malformed: "v1,%%%",
        },
        Provider {
            scheme: presets::github,
            secret: "gh-secret",
            wrong_secret: "not-the-secret",
            malformed: "sha256=zz",
        },
    ]
}

fn verifier(provider: &Provider, secret: &str) -> Verifier {
    Verifier::builder((provider.scheme)()).secret(secret).body_limit(LIMIT).build().unwrap()
}

fn sign(provider: &Provider, secret: &str, body: &[u8], at: SystemTime) -> Vec<(String, String)> {
    let headers = Signer::new((provider.scheme)(), secret).unwrap().sign_at(body, at, None);
    headers.iter().map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned())).collect()
}

#[derive(Debug, Clone, Copy)]
enum Length {
    /// `Content-Length` is the body's length.
    Exact,
    /// `Content-Length` says this, whatever the body is.
    Declared(u64),
    /// No `Content-Length`, one chunk.
    Absent,
    /// A `Content-Length` of 10, the body streamed in 32-byte chunks.
    LyingStream,
}

struct Case {
    label: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    length: Length,
    status: u16,
    code: Option<&'static str>,
}

const EVENT: &str = r#"{"type":"thing.happened","data":{"n":1}}"#;

fn cases(provider: &Provider) -> Vec<Case> {
    let scheme = (provider.scheme)();
    let now = SystemTime::now();
    let event = EVENT.as_bytes().to_vec();
    let signed = sign(provider, provider.secret, &event, now);
    let signature_header = scheme.signature_headers()[0].to_string();
    let with_signature = |value: Option<&str>| {
        let mut headers: Vec<_> = signed.iter().filter(|(name, _)| *name != signature_header).cloned().collect();
        if let Some(value) = value {
            headers.push((signature_header.clone(), value.to_owned()));
        }
        headers
    };
    let big = format!(r#"{{"pad":"{}"}}"#, "x".repeat(LIMIT)).into_bytes();
    let big_signed = sign(provider, provider.secret, &big, now);
    let case = |label: &str, headers: Vec<(String, String)>, body: &[u8], length, status, code| Case {
        label: format!("{}: {label}", scheme.name()),
        headers,
        body: body.to_vec(),
        length,
        status,
        code,
    };
    let mut tampered = event.clone();
    tampered[EVENT.find('1').unwrap()] = b'2';
    let mut cases = vec![
        case("valid", signed.clone(), &event, Length::Exact, 200, None),
        case("missing signature", with_signature(None), &event, Length::Exact, 400, Some("missing_header")),
        case(
            "malformed signature",
            with_signature(Some(provider.malformed)),
            &event,
            Length::Exact,
            400,
            Some("malformed_header"),
        ),
        case(
            "wrong secret",
            sign(provider, provider.wrong_secret, &event, now),
            &event,
            Length::Exact,
            401,
            Some("signature_mismatch"),
        ),
        case("tampered body", signed.clone(), &tampered, Length::Exact, 401, Some("signature_mismatch")),
        case(
            "declared length over limit",
            signed.clone(),
            &event,
            Length::Declared(LIMIT as u64 + 1),
            413,
            Some("body_too_large"),
        ),
        case("body over limit", big_signed.clone(), &big, Length::Exact, 413, Some("body_too_large")),
        case("body over limit, no length", big_signed.clone(), &big, Length::Absent, 413, Some("body_too_large")),
        case("body over limit, lying length", big_signed, &big, Length::LyingStream, 413, Some("body_too_large")),
        case(
            "verified but not JSON",
            sign(provider, provider.secret, b"not json", now),
            b"not json",
            Length::Exact,
            422,
            Some("invalid_payload"),
        ),
    ];
    if scheme.has_timestamp() {
        let ten_minutes = Duration::from_secs(600);
        cases.push(case(
            "stale",
            sign(provider, provider.secret, &event, now - ten_minutes),
            &event,
            Length::Exact,
            401,
            Some("timestamp_too_old"),
        ));
        cases.push(case(
            "future",
            sign(provider, provider.secret, &event, now + ten_minutes),
            &event,
            Length::Exact,
            401,
            Some("timestamp_in_future"),
        ));
        let mut missing_timestamp = signed.clone();
        missing_timestamp.retain(|(name, _)| !scheme.timestamp_headers().contains(&name.as_str().into()));
        cases.push(case("missing timestamp", missing_timestamp, &event, Length::Exact, 400, Some("missing_header")));
    }
    cases
}

fn request(case: &Case) -> actix_http::Request {
    let mut request = test::TestRequest::post().uri("/hook");
    for (name, value) in &case.headers {
        request = request.insert_header((name.as_str(), value.as_str()));
    }
    request = request.set_payload(case.body.clone());
    if let Length::Declared(length) = case.length {
        request = request.insert_header((CONTENT_LENGTH, length.to_string()));
    }
    let mut request = request.to_request();
    match case.length {
        Length::Exact | Length::Declared(_) => {}
        Length::Absent => {
            request.headers_mut().remove(CONTENT_LENGTH);
        }
        Length::LyingStream => {
            request.headers_mut().insert(CONTENT_LENGTH, "10".parse().unwrap());
            let chunks: Vec<Result<Bytes, PayloadError>> =
                case.body.chunks(32).map(|chunk| Ok(Bytes::copy_from_slice(chunk))).collect();
            let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
                Box::pin(futures_util::stream::iter(chunks));
            let (with_stream, _) = request.replace_payload(Payload::from(stream));
            request = with_stream;
        }
    }
    request
}

/// Runs every case of `provider` against `app`; `payload_seen` says whether
/// the handler also reports the payload it read through `web::Bytes`.
async fn check_cases<S, B>(app: &S, provider: &Provider, runs: &AtomicUsize, payload_seen: bool)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let scheme = (provider.scheme)();
    for case in cases(provider) {
        let before = runs.load(Ordering::SeqCst);
        let response = test::call_service(app, request(&case)).await;
        let status = response.status().as_u16();
        let content_type = response.headers().get(CONTENT_TYPE).cloned();
        let body = test::read_body(response).await;
        assert_eq!(status, case.status, "{}: {}", case.label, String::from_utf8_lossy(&body));
        let after = runs.load(Ordering::SeqCst);
        let Some(code) = case.code else {
            assert_eq!(after, before + 1, "{}: handler ran once", case.label);
            let seen: Value = serde_json::from_slice(&body).unwrap();
            let header = |names: &[std::borrow::Cow<'static, str>]| {
                case.headers.iter().find(|(name, _)| names.first().is_some_and(|first| first == name)).map(|h| &h.1)
            };
            assert_eq!(seen["body"], String::from_utf8(case.body.clone()).unwrap(), "{}", case.label);
            assert_eq!(seen["event"], serde_json::from_slice::<Value>(&case.body).unwrap(), "{}", case.label);
            if payload_seen {
                assert_eq!(seen["payload"], seen["body"], "{}: web::Bytes sees the same bytes", case.label);
            }
            assert_eq!(seen["id"].as_str(), header(scheme.id_headers()).map(String::as_str), "{}", case.label);
            let timestamp = header(scheme.timestamp_headers()).map(|t| t.parse::<i64>().unwrap());
            assert_eq!(seen["timestamp"].as_i64(), timestamp, "{}", case.label);
            assert_eq!(seen["scheme"], scheme.name(), "{}", case.label);
            continue;
        };
        assert_eq!(after, before, "{}: handler must not run", case.label);
        assert_eq!(content_type.unwrap(), "application/json", "{}", case.label);
        let error: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(error["error"], code, "{}", case.label);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", case.label);
    }
}

fn answer(hook: &Webhook<Value>, raw: &RawWebhook, payload: Option<&Bytes>) -> HttpResponse {
    assert_eq!(hook.verified, raw.verified);
    HttpResponse::Ok().json(json!({
        "event": hook.event,
        "body": std::str::from_utf8(&raw.body).unwrap(),
        "payload": payload.map(|p| std::str::from_utf8(p).unwrap().to_owned()),
        "id": hook.verified().id(),
        "timestamp": hook.verified().timestamp(),
        "scheme": hook.verified().scheme(),
    }))
}

async fn behind_middleware(
    hook: Webhook<Value>,
    raw: RawWebhook,
    payload: web::Bytes,
    runs: web::Data<AtomicUsize>,
) -> HttpResponse {
    runs.fetch_add(1, Ordering::SeqCst);
    answer(&hook, &raw, Some(&payload))
}

async fn alone(hook: Webhook<Value>, raw: RawWebhook, runs: web::Data<AtomicUsize>) -> HttpResponse {
    runs.fetch_add(1, Ordering::SeqCst);
    answer(&hook, &raw, None)
}

#[actix_web::test]
async fn middleware_follows_the_contract() {
    for provider in providers() {
        let runs = web::Data::new(AtomicUsize::new(0));
        let app = test::init_service(
            App::new().app_data(runs.clone()).service(
                web::resource("/hook")
                    .wrap(WebhookMiddleware::new(verifier(&provider, provider.secret)))
                    .route(web::post().to(behind_middleware)),
            ),
        )
        .await;
        check_cases(&app, &provider, &runs, true).await;
    }
}

#[actix_web::test]
async fn extractor_alone_follows_the_contract() {
    for provider in providers() {
        let runs = web::Data::new(AtomicUsize::new(0));
        let app = test::init_service(
            App::new()
                .app_data(runs.clone())
                .app_data(web::Data::new(verifier(&provider, provider.secret)))
                .route("/hook", web::post().to(alone)),
        )
        .await;
        check_cases(&app, &provider, &runs, false).await;
    }
}

#[actix_web::test]
async fn extractor_alone_accepts_an_arc_verifier() {
    let provider = &providers()[2];
    let runs = web::Data::new(AtomicUsize::new(0));
    let verifier = std::sync::Arc::new(verifier(provider, provider.secret));
    let app =
        test::init_service(App::new().app_data(runs.clone()).app_data(verifier).route("/hook", web::post().to(alone)))
            .await;
    check_cases(&app, provider, &runs, false).await;
}
