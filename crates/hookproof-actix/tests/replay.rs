//! Replay protection through `WebhookMiddleware::replay`: each event's
//! handler runs once, duplicates are answered 200 `{"status":"duplicate"}`
//! without running it, concurrent copies 409 `in_flight`, and a handler that
//! failed (non-2xx, error, panic, dropped request) leaves the event to be
//! processed again on retry. Deliveries are signed with `Signer` for
//! standard-webhooks (event ids), github (delivery ids) and smile (no id:
//! the signature is the key).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::{test, web, App, HttpResponse, Route};
use futures_util::future::join_all;
use hookproof_actix::{RawWebhook, Webhook, WebhookMiddleware};
use hookproof_core::replay::{ClaimOutcome, ReplayError, ReplayStore};
use hookproof_core::{presets, EventKey, ReplayProtection, Scheme, Signer, Verifier, DUPLICATE_BODY};
use hookproof_test_support::{Request, Start};
use serde_json::Value;

const STANDARD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const GITHUB: &str = "gh-secret";
const SMILE: &str = "smile-secret";

const BODY: &str = r#"{"type":"order.paid","data":{"n":1}}"#;

fn verifier(scheme: Scheme, secret: &str) -> Arc<Verifier> {
    Arc::new(Verifier::builder(scheme).secret(secret).build().unwrap())
}

/// One signed delivery, sent as many times as a test needs.
#[derive(Clone)]
struct Delivery {
    headers: Vec<(String, String)>,
    body: &'static str,
}

fn delivery(scheme: Scheme, secret: &str, id: Option<&str>) -> Delivery {
    let headers = Signer::new(scheme, secret).unwrap().sign_at(BODY.as_bytes(), SystemTime::now(), id);
    let headers =
        headers.iter().map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned())).collect();
    Delivery { headers, body: BODY }
}

impl Delivery {
    fn request(&self, uri: &str) -> actix_http::Request {
        let mut request = test::TestRequest::post().uri(uri).set_payload(self.body);
        for (name, value) in &self.headers {
            request = request.insert_header((name.as_str(), value.as_str()));
        }
        request.to_request()
    }
}

/// What the handler does on each run, in order; `Ok` once the plan is used up.
#[derive(Debug, Clone, Copy)]
enum Step {
    Ok,
    Fail,
    Panic,
    /// Answers 200 after `ms` milliseconds.
    Slow(u64),
}

#[derive(Debug)]
struct Script {
    runs: AtomicUsize,
    plan: Mutex<VecDeque<Step>>,
}

impl Script {
    fn new(plan: impl IntoIterator<Item = Step>) -> Arc<Self> {
        Arc::new(Self { runs: AtomicUsize::new(0), plan: Mutex::new(plan.into_iter().collect()) })
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    async fn run(&self, body: &[u8]) -> HttpResponse {
        assert_eq!(body, BODY.as_bytes(), "the handler sees the verified bytes");
        self.runs.fetch_add(1, Ordering::SeqCst);
        let step = self.plan.lock().unwrap().pop_front().unwrap_or(Step::Ok);
        match step {
            Step::Ok => HttpResponse::Ok().body("handled"),
            Step::Fail => HttpResponse::InternalServerError().body("database down"),
            Step::Panic => panic!("the handler blew up"),
            Step::Slow(ms) => {
                actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
                HttpResponse::Ok().body("handled")
            }
        }
    }
}

/// A route whose handler follows `script`, taking the delivery through the
/// `RawWebhook` extractor (which reuses the middleware's result).
fn raw_route(script: &Arc<Script>) -> Route {
    let script = Arc::clone(script);
    web::post().to(move |hook: RawWebhook| {
        let script = Arc::clone(&script);
        async move { script.run(&hook.body).await }
    })
}

/// The same through `Webhook<Value>`.
fn typed_route(script: &Arc<Script>) -> Route {
    let script = Arc::clone(script);
    web::post().to(move |hook: Webhook<Value>| {
        let script = Arc::clone(&script);
        async move {
            assert_eq!(hook.event, serde_json::from_str::<Value>(BODY).unwrap(), "the handler sees the event");
            script.run(BODY.as_bytes()).await
        }
    })
}

/// Sends `request` and returns the status and body. An error from the
/// service (a panic caught by the middleware) is turned into its response,
/// as actix-web's dispatcher does.
async fn send<S, B>(app: &S, request: actix_http::Request) -> (u16, String)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    match app.call(request).await {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = test::read_body(response).await;
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
        Err(error) => {
            let response = error.error_response();
            let status = response.status().as_u16();
            let body = response.into_body().try_into_bytes().unwrap();
            (status, String::from_utf8(body.to_vec()).unwrap())
        }
    }
}

fn code(body: &str) -> String {
    serde_json::from_str::<Value>(body).ok().and_then(|v| v["error"].as_str().map(str::to_owned)).unwrap_or_default()
}

#[actix_web::test]
async fn the_same_delivery_twice_is_processed_once() {
    let cases = [
        (
            "standard-webhooks",
            verifier(presets::standard_webhooks(), STANDARD),
            delivery(presets::standard_webhooks(), STANDARD, Some("msg_1")),
        ),
        ("github", verifier(presets::github(), GITHUB), delivery(presets::github(), GITHUB, Some("d-1"))),
        ("smile", verifier(presets::smile(), SMILE), delivery(presets::smile(), SMILE, None)),
    ];
    for (label, verifier, delivery) in cases {
        let script = Script::new([]);
        let replay = ReplayProtection::memory(&verifier);
        let app = test::init_service(App::new().service(
            web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(replay)).route(typed_route(&script)),
        ))
        .await;

        assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()), "{label}");

        let response = test::call_service(&app, delivery.request("/hook")).await;
        assert_eq!(response.status(), 200, "{label}");
        assert_eq!(response.headers().get(CONTENT_TYPE).unwrap(), "application/json", "{label}");
        assert_eq!(test::read_body(response).await, DUPLICATE_BODY, "{label}");
        assert_eq!(script.runs(), 1, "{label}: the handler ran once");
    }
}

#[actix_web::test]
async fn fifty_concurrent_copies_run_the_handler_once() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let script = Script::new([Step::Slow(50)]);
    let replay = ReplayProtection::memory(&verifier);
    let app = test::init_service(App::new().service(
        web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(replay)).route(raw_route(&script)),
    ))
    .await;
    let delivery = delivery(presets::standard_webhooks(), STANDARD, Some("msg_concurrent"));

    let answers = join_all((0..50).map(|_| send(&app, delivery.request("/hook")))).await;

    assert_eq!(script.runs(), 1, "exactly one handler run");
    let handled = answers.iter().filter(|answer| **answer == (200, "handled".to_owned())).count();
    let duplicates = answers.iter().filter(|answer| **answer == (200, DUPLICATE_BODY.to_owned())).count();
    let in_flight = answers.iter().filter(|(status, body)| *status == 409 && code(body) == "in_flight").count();
    assert_eq!(handled, 1, "{answers:?}");
    assert_eq!(duplicates + in_flight, 49, "{answers:?}");
    assert!(answers.iter().all(|(status, _)| *status < 500), "no 5xx: {answers:?}");

    // Once processed, a late copy is a duplicate.
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 1);
}

#[actix_web::test]
async fn a_failed_handler_is_run_again_on_retry() {
    let verifier = verifier(presets::github(), GITHUB);
    let script = Script::new([Step::Fail]);
    let replay = ReplayProtection::memory(&verifier);
    let app = test::init_service(App::new().service(
        web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(replay)).route(raw_route(&script)),
    ))
    .await;
    let delivery = delivery(presets::github(), GITHUB, Some("d-retry"));

    assert_eq!(send(&app, delivery.request("/hook")).await, (500, "database down".to_owned()));
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 2);
}

#[actix_web::test]
async fn a_panicking_handler_is_answered_500_and_run_again_on_retry() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let script = Script::new([Step::Panic]);
    let replay = ReplayProtection::memory(&verifier);
    // Behind a scope: the middleware must not hold the request while the
    // scope routes it.
    let app = test::init_service(
        App::new().service(
            web::scope("/webhooks")
                .wrap(WebhookMiddleware::new(verifier).replay(replay))
                .route("/hook", raw_route(&script)),
        ),
    )
    .await;
    let delivery = delivery(presets::standard_webhooks(), STANDARD, Some("msg_panic"));

    let (status, body) = send(&app, delivery.request("/webhooks/hook")).await;
    assert_eq!((status, code(&body).as_str()), (500, "handler_panicked"), "{body}");
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["message"], "the handler failed");
    assert!(!body.contains("blew up"), "the panic message is not sent: {body}");

    assert_eq!(send(&app, delivery.request("/webhooks/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, delivery.request("/webhooks/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 2);
}

#[actix_web::test]
async fn an_error_from_the_wrapped_service_releases_the_claim() {
    let verifier = verifier(presets::github(), GITHUB);
    let script = Script::new([]);
    let replay = ReplayProtection::memory(&verifier);
    let failures = Arc::new(AtomicUsize::new(1));
    let inner_failures = Arc::clone(&failures);
    // An inner middleware whose future fails once with `Err`, as a service
    // (not a handler) error does.
    let app = test::init_service(
        App::new().service(
            web::resource("/hook")
                .wrap_fn(move |request, service| {
                    let fail = inner_failures
                        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| left.checked_sub(1))
                        .is_ok();
                    let call = service.call(request);
                    async move {
                        if fail {
                            drop(call);
                            return Err(actix_web::error::ErrorBadGateway("upstream gone"));
                        }
                        call.await
                    }
                })
                .wrap(WebhookMiddleware::new(verifier).replay(replay))
                .route(raw_route(&script)),
        ),
    )
    .await;
    let delivery = delivery(presets::github(), GITHUB, Some("d-error"));

    assert_eq!(send(&app, delivery.request("/hook")).await.0, 502);
    assert_eq!(script.runs(), 0);
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 1);
}

#[actix_web::test]
async fn a_request_dropped_mid_handler_releases_the_claim() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let script = Script::new([Step::Slow(500)]);
    let replay = ReplayProtection::memory(&verifier);
    let app = test::init_service(App::new().service(
        web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(replay)).route(raw_route(&script)),
    ))
    .await;
    let delivery = delivery(presets::standard_webhooks(), STANDARD, Some("msg_dropped"));

    // The client goes away while the handler runs: the future is dropped.
    let cut = actix_web::rt::time::timeout(Duration::from_millis(20), app.call(delivery.request("/hook"))).await;
    assert!(cut.is_err(), "the first request must still be running when dropped");
    assert_eq!(script.runs(), 1);

    // The retry is processed, not answered 409 until the lease ends.
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(script.runs(), 2);
}

/// A replay store that cannot be reached.
#[derive(Debug)]
struct DownStore;

type StoreFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ReplayError>> + Send + 'a>>;

fn down() -> ReplayError {
    ReplayError::Unavailable("connection refused".into())
}

impl ReplayStore for DownStore {
    fn claim<'s, 'k, 'o, 'f>(&'s self, _: &'k EventKey, _: &'o str, _: Duration) -> StoreFuture<'f, ClaimOutcome>
    where
        's: 'f,
        'k: 'f,
        'o: 'f,
        Self: 'f,
    {
        Box::pin(async { Err(down()) })
    }

    fn renew<'s, 'k, 'o, 'f>(&'s self, _: &'k EventKey, _: &'o str, _: Duration) -> StoreFuture<'f, bool>
    where
        's: 'f,
        'k: 'f,
        'o: 'f,
        Self: 'f,
    {
        Box::pin(async { Err(down()) })
    }

    fn commit<'s, 'k, 'o, 'f>(&'s self, _: &'k EventKey, _: &'o str, _: Duration) -> StoreFuture<'f, ()>
    where
        's: 'f,
        'k: 'f,
        'o: 'f,
        Self: 'f,
    {
        Box::pin(async { Err(down()) })
    }

    fn release<'s, 'k, 'o, 'f>(&'s self, _: &'k EventKey, _: &'o str) -> StoreFuture<'f, ()>
    where
        's: 'f,
        'k: 'f,
        'o: 'f,
        Self: 'f,
    {
        Box::pin(async { Err(down()) })
    }
}

#[actix_web::test]
async fn an_unreachable_store_refuses_unless_fail_open() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let delivery = delivery(presets::standard_webhooks(), STANDARD, Some("msg_down"));

    let script = Script::new([]);
    let closed = ReplayProtection::new(DownStore, &verifier);
    let app = test::init_service(
        App::new().service(
            web::resource("/hook")
                .wrap(WebhookMiddleware::new(Arc::clone(&verifier)).replay(closed))
                .route(raw_route(&script)),
        ),
    )
    .await;
    let (status, body) = send(&app, delivery.request("/hook")).await;
    assert_eq!((status, code(&body).as_str()), (503, "replay_store_unavailable"), "{body}");
    assert_eq!(script.runs(), 0, "the handler does not run");

    let script = Script::new([]);
    let open = ReplayProtection::new(DownStore, &verifier).fail_open(true);
    let app =
        test::init_service(App::new().service(
            web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(open)).route(raw_route(&script)),
        ))
        .await;
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    // Unprotected: nothing is remembered, so a copy runs again.
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(script.runs(), 2);
}

#[actix_web::test]
async fn different_event_ids_are_processed_independently() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let script = Script::new([]);
    let replay = ReplayProtection::memory(&verifier);
    let app = test::init_service(App::new().service(
        web::resource("/hook").wrap(WebhookMiddleware::new(verifier).replay(replay)).route(raw_route(&script)),
    ))
    .await;
    // Same body, different events.
    let first = delivery(presets::standard_webhooks(), STANDARD, Some("msg_a"));
    let second = delivery(presets::standard_webhooks(), STANDARD, Some("msg_b"));

    assert_eq!(send(&app, first.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, second.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, first.request("/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(send(&app, second.request("/hook")).await, (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 2);
}

#[actix_web::test]
async fn without_replay_protection_every_copy_runs() {
    let verifier = verifier(presets::standard_webhooks(), STANDARD);
    let script = Script::new([]);
    let app = test::init_service(
        App::new().service(web::resource("/hook").wrap(WebhookMiddleware::new(verifier)).route(raw_route(&script))),
    )
    .await;
    let delivery = delivery(presets::standard_webhooks(), STANDARD, Some("msg_plain"));
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(send(&app, delivery.request("/hook")).await, (200, "handled".to_owned()));
    assert_eq!(script.runs(), 2);
}

/// Sends raw HTTP/1.1 to `addr`; returns the status and the body.
fn http_post(addr: std::net::SocketAddr, path: &str, delivery: &Delivery) -> (u16, String) {
    let request =
        delivery.headers.iter().fold(Request::post(path), |request, (name, value)| request.header(name, value));
    let response = request.body(delivery.body).send_to(addr).expect("an answer in time");
    assert!(
        response.status != 500
            || response.header("content-type").is_some_and(|value| value.starts_with("application/json")),
        "the panic answer is JSON: {}",
        response.head
    );
    (response.status, response.text())
}

// The server has its own thread and runtime: the blocking client cannot stall it.
#[actix_web::test]
async fn on_a_real_server_a_panic_is_answered_with_the_json_body() {
    let verifier = verifier(presets::github(), GITHUB);
    let replay = ReplayProtection::memory(&verifier);
    let script = Script::new([Step::Panic]);
    let factory_script = Arc::clone(&script);
    let server = Start::new("actix")
        .workers(1)
        .actix(move |config| {
            config.service(
                web::scope("/webhooks")
                    .wrap(WebhookMiddleware::new(Arc::clone(&verifier)).replay(replay.clone()))
                    .route("/github", raw_route(&factory_script)),
            );
        })
        .expect("a server on 127.0.0.1");
    let addr = server.addr();
    let delivery = delivery(presets::github(), GITHUB, Some("d-server"));

    let (status, body) = http_post(addr, "/webhooks/github", &delivery);
    assert_eq!(status, 500, "{body}");
    assert_eq!(body, r#"{"error":"handler_panicked","message":"the handler failed"}"#);
    assert_eq!(http_post(addr, "/webhooks/github", &delivery), (200, "handled".to_owned()));
    assert_eq!(http_post(addr, "/webhooks/github", &delivery), (200, DUPLICATE_BODY.to_owned()));
    assert_eq!(script.runs(), 2);
    server.stop().expect("the server stops cleanly");
}
