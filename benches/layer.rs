//! What verification adds to one request inside the process, without the
//! network: the per-request cost that decides the load bench's ratio
//! (`crates/hookproof-load`), split into its parts.
//!
//! For one 1 KiB Standard Webhooks delivery:
//!
//! - `tower/unverified`: a `service_fn` that collects the body, called with
//!   the request (the baseline: what any server does without hookproof);
//! - `tower/verified`: the same `service_fn` behind hookproof's
//!   `WebhookLayer` (read under the limit, precheck, verify, extensions);
//! - `axum/unverified` and `axum/verified`: a `Router` with a `Bytes`
//!   handler, and the `RawWebhook` extractor behind the layer;
//! - `actix/unverified` and `actix/verified`: an actix-web `App` with a
//!   `Bytes` handler, and the `RawWebhook` extractor behind
//!   `WebhookMiddleware` (through `actix_web::test::call_service`);
//! - `core/verify`: `Verifier::verify` alone on parsed headers;
//! - `core/bare-hmac`: HMAC-SHA256 over the signed content with `hmac` +
//!   `sha2`, no header parsing: the floor no verifier can go under.
//!
//! Run: `cargo bench --bench layer --features axum,actix,tower`. Every request
//! is checked to get 200, so a refusal can never pass for speed.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::convert::Infallible;
use std::hint::black_box;
use std::sync::Arc;
use std::time::SystemTime;

use base64::Engine as _;
use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use hmac::{Hmac, Mac};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;
use tower::ServiceExt as _;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EVENT_ID: &str = "msg_layer_bench";
const BODY_SIZE: usize = 1024;

/// An ASCII JSON body of exactly `size` bytes.
fn body(size: usize) -> Bytes {
    let mut body = br#"{"type":"invoice.paid","data":{"pad":""#.to_vec();
    body.resize(size - 3, b'x');
    body.extend_from_slice(br#""}}"#);
    Bytes::from(body)
}

/// The request as a server hands it over: headers parsed, body one frame.
fn request(headers: &http::HeaderMap, body: &Bytes) -> Request<Full<Bytes>> {
    let mut request = Request::post("/webhooks").body(Full::new(body.clone())).unwrap();
    *request.headers_mut() = headers.clone();
    request
}

fn ok(status: StatusCode) {
    assert_eq!(status, StatusCode::OK, "every benchmarked request must be accepted");
}

async fn collect_body(request: Request<Full<Bytes>>) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = request.into_body().collect().await.map(|body| body.to_bytes());
    black_box(&body);
    Ok(Response::new(Full::new(Bytes::from_static(b"{\"status\":\"ok\"}"))))
}

async fn axum_unverified(body: axum::body::Bytes) -> StatusCode {
    black_box(&body);
    StatusCode::OK
}

async fn axum_verified(webhook: hookproof::integrations::axum::RawWebhook) -> StatusCode {
    black_box((&webhook.verified, &webhook.body));
    StatusCode::OK
}

async fn actix_unverified(body: actix_web::web::Bytes) -> actix_web::HttpResponse {
    black_box(&body);
    actix_web::HttpResponse::Ok().finish()
}

async fn actix_verified(webhook: hookproof::integrations::actix::RawWebhook) -> actix_web::HttpResponse {
    black_box((&webhook.verified, &webhook.body));
    actix_web::HttpResponse::Ok().finish()
}

/// Benchmarks one actix-web app; `request` makes the request (actix-web's
/// own type, which this crate does not name).
fn bench_actix<R, S, B>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    system: &actix_web::rt::SystemRunner,
    name: &str,
    app: S,
    request: impl Fn() -> R,
) where
    S: actix_web::dev::Service<R, Response = actix_web::dev::ServiceResponse<B>, Error = actix_web::Error>,
{
    group.bench_function(name, |b| {
        b.iter(|| {
            let response = system.block_on(actix_web::test::call_service(&app, request()));
            assert_eq!(response.status().as_u16(), 200, "every benchmarked request must be accepted");
        })
    });
}

fn layer(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let verifier =
        Arc::new(hookproof::Verifier::builder(hookproof::presets::standard_webhooks()).secret(SECRET).build().unwrap());
    let signer = hookproof::Signer::new(hookproof::presets::standard_webhooks(), SECRET).unwrap();
    let body = body(BODY_SIZE);
    let mut headers = signer.sign_at(&body, SystemTime::now(), Some(EVENT_ID));
    headers.insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    headers.insert(http::header::CONTENT_LENGTH, http::HeaderValue::from(BODY_SIZE));

    let mut group = c.benchmark_group("layer/1KiB");
    let unverified = tower::service_fn(collect_body);
    group.bench_function("tower/unverified", |b| {
        b.iter(|| {
            let response = runtime.block_on(unverified.oneshot(request(&headers, &body))).unwrap();
            ok(response.status());
        })
    });
    let verified = tower::ServiceBuilder::new()
        .layer(hookproof::integrations::tower::WebhookLayer::new(Arc::clone(&verifier)))
        .service_fn(collect_body);
    group.bench_function("tower/verified", |b| {
        b.iter(|| {
            let response = runtime.block_on(verified.clone().oneshot(request(&headers, &body))).unwrap();
            ok(response.status());
        })
    });

    let unverified = axum::Router::new().route("/webhooks", axum::routing::post(axum_unverified));
    group.bench_function("axum/unverified", |b| {
        b.iter(|| {
            let response = runtime.block_on(unverified.clone().oneshot(request(&headers, &body))).unwrap();
            ok(response.status());
        })
    });
    let verified = axum::Router::new()
        .route("/webhooks", axum::routing::post(axum_verified))
        .route_layer(hookproof::integrations::tower::WebhookLayer::new(Arc::clone(&verifier)))
        .with_state(Arc::clone(&verifier));
    group.bench_function("axum/verified", |b| {
        b.iter(|| {
            let response = runtime.block_on(verified.clone().oneshot(request(&headers, &body))).unwrap();
            ok(response.status());
        })
    });

    let system = actix_web::rt::System::new();
    let actix_request = || {
        let mut request = actix_web::test::TestRequest::post().uri("/webhooks").set_payload(body.clone());
        for (name, value) in &headers {
            request = request.insert_header((name.as_str(), value.as_bytes()));
        }
        request.to_request()
    };
    let unverified = system.block_on(actix_web::test::init_service(
        actix_web::App::new()
            .service(actix_web::web::resource("/webhooks").route(actix_web::web::post().to(actix_unverified))),
    ));
    bench_actix(&mut group, &system, "actix/unverified", unverified, actix_request);
    let verified = system.block_on(actix_web::test::init_service(
        actix_web::App::new().service(
            actix_web::web::resource("/webhooks")
                .wrap(hookproof::integrations::actix::WebhookMiddleware::new(Arc::clone(&verifier)))
                .route(actix_web::web::post().to(actix_verified)),
        ),
    ));
    bench_actix(&mut group, &system, "actix/verified", verified, actix_request);

    group.bench_function("core/verify", |b| b.iter(|| verifier.verify(black_box(&headers), black_box(&body)).unwrap()));
    let key = base64::engine::general_purpose::STANDARD.decode(&SECRET[6..]).unwrap();
    let timestamp = headers["webhook-timestamp"].as_bytes().to_vec();
    let expected = base64::engine::general_purpose::STANDARD
        .decode(headers["webhook-signature"].as_bytes().strip_prefix(b"v1,").unwrap())
        .unwrap();
    group.bench_function("core/bare-hmac", |b| {
        b.iter(|| {
            let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
            for part in [EVENT_ID.as_bytes(), b".", &timestamp, b".", black_box(&body)] {
                mac.update(part);
            }
            mac.verify_slice(&expected).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, layer);
criterion_main!(benches);
