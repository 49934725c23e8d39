//! Replay protection through the layer, with the in-memory store: each
//! event is processed once, nothing is acknowledged that was not processed,
//! and a failed, erroring or panicking service lets the retry through.

mod common;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use hookproof_core::replay::{ClaimOutcome, ReplayError, ReplayStore};
use hookproof_core::{EventKey, ReplayProtection, Verified, Verifier};
use hookproof_tower::WebhookLayer;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::Full;
use tower::{Layer, Service, ServiceExt};

use common::{code, read, Case, GITHUB, STANDARD_WEBHOOKS};

const LIMIT: usize = 64 * 1024;
const BODY: &str = r#"{"type":"invoice.paid","data":{"id":"in_1"}}"#;
const DUPLICATE: &[u8] = br#"{"status":"duplicate"}"#;

/// What the scripted service does on one run.
#[derive(Debug, Clone, Copy)]
enum Step {
    /// 200 `handled`, after sleeping this long.
    Succeed(Duration),
    /// 500 `failed`.
    Fail,
    /// The service's error.
    Error,
    /// A panic inside the future.
    Panic,
}

const SUCCEED: Step = Step::Succeed(Duration::ZERO);

/// A service running a script of steps (then `SUCCEED`), counting its runs.
#[derive(Default)]
struct Script {
    steps: Mutex<VecDeque<Step>>,
    runs: AtomicUsize,
}

impl Script {
    fn new(steps: impl IntoIterator<Item = Step>) -> Arc<Self> {
        Arc::new(Self { steps: Mutex::new(steps.into_iter().collect()), runs: AtomicUsize::new(0) })
    }

    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }

    fn service(
        self: &Arc<Self>,
    ) -> impl Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = io::Error, Future = impl Send>
           + Clone
           + Send {
        let script = Arc::clone(self);
        tower::service_fn(move |request: Request<Full<Bytes>>| {
            let script = Arc::clone(&script);
            async move {
                assert!(request.extensions().get::<Verified>().is_some(), "only verified deliveries reach the service");
                script.runs.fetch_add(1, Ordering::SeqCst);
                let step = script.steps.lock().unwrap().pop_front().unwrap_or(SUCCEED);
                match step {
                    Step::Succeed(delay) => {
                        tokio::time::sleep(delay).await;
                        Ok(Response::new(Full::new(Bytes::from_static(b"handled"))))
                    }
                    Step::Fail => {
                        let mut response = Response::new(Full::new(Bytes::from_static(b"failed")));
                        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                        Ok(response)
                    }
                    Step::Error => Err(io::Error::other("database down")),
                    Step::Panic => panic!("the handler exploded (expected by this test)"),
                }
            }
        })
    }
}

fn verifier(case: &Case) -> Arc<Verifier> {
    case.verifier(LIMIT)
}

/// The layer with in-memory replay protection around `script`.
fn protected(
    case: &Case,
    script: &Arc<Script>,
) -> impl Service<
    Request<Full<Bytes>>,
    Response = Response<hookproof_tower::ResponseBody<Full<Bytes>>>,
    Error = io::Error,
    Future = impl Send,
> + Clone {
    let verifier = verifier(case);
    let replay = ReplayProtection::memory(&verifier);
    WebhookLayer::new(verifier).replay(replay).layer(script.service())
}

fn signed(case: &Case, body: &str, id: &str) -> HeaderMap {
    case.signer().sign_at(body.as_bytes(), SystemTime::now(), Some(id))
}

/// Sends one delivery; returns status and body, or the service's error.
/// Checks that the layer's own answers are JSON.
async fn send<S>(service: &S, headers: &HeaderMap, body: &str) -> Result<(u16, Bytes), io::Error>
where
    S: Service<
            Request<Full<Bytes>>,
            Response = Response<hookproof_tower::ResponseBody<Full<Bytes>>>,
            Error = io::Error,
        > + Clone,
{
    let mut request = Request::post("/webhooks").body(Full::new(Bytes::from(body.to_owned()))).unwrap();
    *request.headers_mut() = headers.clone();
    let response = service.clone().oneshot(request).await?;
    let (status, content_type, body) = read(response).await;
    // The layer's own answers (duplicate, refusals) are JSON.
    let layer_answer = body == DUPLICATE || (status != 200 && body != "failed");
    if layer_answer {
        assert_eq!(content_type.as_deref(), Some("application/json"), "{status} {body:?}");
    }
    Ok((status, body))
}

#[tokio::test]
async fn the_same_delivery_twice_is_processed_once() {
    for case in [&STANDARD_WEBHOOKS, &GITHUB] {
        let name = case.name();
        let script = Script::new([]);
        let service = protected(case, &script);
        let headers = signed(case, BODY, "evt_1");
        let first = send(&service, &headers, BODY).await.unwrap();
        assert_eq!((first.0, &first.1[..]), (200, &b"handled"[..]), "{name}");
        let second = send(&service, &headers, BODY).await.unwrap();
        assert_eq!((second.0, &second.1[..]), (200, DUPLICATE), "{name}");
        assert_eq!(script.runs(), 1, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_copies_run_the_service_once() {
    let script = Script::new([Step::Succeed(Duration::from_millis(300))]);
    let service = protected(&STANDARD_WEBHOOKS, &script);
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_concurrent");
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (service, headers) = (service.clone(), headers.clone());
            tokio::spawn(async move { send(&service, &headers, BODY).await.unwrap() })
        })
        .collect();
    let (mut handled, mut duplicate, mut in_flight) = (0, 0, 0);
    for task in tasks {
        match task.await.unwrap() {
            (200, body) if body == "handled" => handled += 1,
            (200, body) if body == DUPLICATE => duplicate += 1,
            (409, body) if code(&body) == "in_flight" => in_flight += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(handled, 1);
    assert_eq!(duplicate + in_flight, 49, "duplicate {duplicate}, in flight {in_flight}");
    assert!(in_flight > 0, "the service sleeps 300 ms: concurrent copies must meet the claim");
    assert_eq!(script.runs(), 1);
}

#[tokio::test]
async fn a_failed_run_is_not_acknowledged_and_its_retry_is_processed() {
    let script = Script::new([Step::Fail]);
    let service = protected(&STANDARD_WEBHOOKS, &script);
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_retry");
    let answers = [
        send(&service, &headers, BODY).await.unwrap(),
        send(&service, &headers, BODY).await.unwrap(),
        send(&service, &headers, BODY).await.unwrap(),
    ];
    assert_eq!(answers[0], (500, Bytes::from_static(b"failed")));
    assert_eq!(answers[1], (200, Bytes::from_static(b"handled")));
    assert_eq!(answers[2], (200, Bytes::from_static(DUPLICATE)));
    assert_eq!(script.runs(), 2);
}

#[tokio::test]
async fn a_panicking_run_is_answered_500_and_its_retry_is_processed() {
    let script = Script::new([Step::Panic]);
    let service = protected(&GITHUB, &script);
    let headers = signed(&GITHUB, BODY, "delivery-panic");
    let (status, body) = send(&service, &headers, BODY).await.unwrap();
    assert_eq!((status, code(&body).as_str()), (500, "handler_panicked"));
    let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(value["message"], "the handler failed");
    // The claim was released: the retry runs (no 409 for the lease).
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(DUPLICATE)));
    assert_eq!(script.runs(), 2);
}

#[tokio::test]
async fn a_service_error_is_returned_and_its_retry_is_processed() {
    let script = Script::new([Step::Error]);
    let service = protected(&STANDARD_WEBHOOKS, &script);
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_error");
    let error = send(&service, &headers, BODY).await.unwrap_err();
    assert_eq!(error.to_string(), "database down");
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(DUPLICATE)));
    assert_eq!(script.runs(), 2);
}

/// A service whose `call` itself panics the first time (before returning a
/// future).
#[derive(Clone)]
struct PanicsInCall(Arc<AtomicUsize>);

impl Service<Request<Full<Bytes>>> for PanicsInCall {
    type Response = Response<Full<Bytes>>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<Full<Bytes>>) -> Self::Future {
        if self.0.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("call exploded (expected by this test)");
        }
        Box::pin(async { Ok(Response::new(Full::new(Bytes::from_static(b"handled")))) })
    }
}

#[tokio::test]
async fn a_panic_in_call_releases_the_claim_too() {
    let calls = Arc::new(AtomicUsize::new(0));
    let verifier = verifier(&STANDARD_WEBHOOKS);
    let replay = ReplayProtection::memory(&verifier);
    let service = WebhookLayer::new(verifier).replay(replay).layer(PanicsInCall(Arc::clone(&calls)));
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_call_panic");
    let mut answers = Vec::new();
    for _ in 0..3 {
        let mut request = Request::post("/webhooks").body(Full::new(Bytes::from(BODY))).unwrap();
        *request.headers_mut() = headers.clone();
        let (status, _, body) = read(service.clone().oneshot(request).await.unwrap()).await;
        answers.push((status, body));
    }
    assert_eq!((answers[0].0, code(&answers[0].1).as_str()), (500, "handler_panicked"));
    assert_eq!(answers[1], (200, Bytes::from_static(b"handled")));
    assert_eq!(answers[2], (200, Bytes::from_static(DUPLICATE)));
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

/// A replay store that cannot be reached.
#[derive(Debug)]
struct DownStore;

#[async_trait::async_trait]
impl ReplayStore for DownStore {
    async fn claim(&self, _: &EventKey, _: &str, _: Duration) -> Result<ClaimOutcome, ReplayError> {
        Err(ReplayError::Unavailable("connection refused".into()))
    }

    async fn renew(&self, _: &EventKey, _: &str, _: Duration) -> Result<bool, ReplayError> {
        Err(ReplayError::Unavailable("connection refused".into()))
    }

    async fn commit(&self, _: &EventKey, _: &str, _: Duration) -> Result<(), ReplayError> {
        Err(ReplayError::Unavailable("connection refused".into()))
    }

    async fn release(&self, _: &EventKey, _: &str) -> Result<(), ReplayError> {
        Err(ReplayError::Unavailable("connection refused".into()))
    }
}

#[tokio::test]
async fn an_unreachable_store_is_503_unless_fail_open() {
    let verifier = verifier(&STANDARD_WEBHOOKS);
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_store_down");

    let script = Script::new([]);
    let replay = ReplayProtection::new(DownStore, &verifier);
    let service = WebhookLayer::new(Arc::clone(&verifier)).replay(replay).layer(script.service());
    let (status, body) = send(&service, &headers, BODY).await.unwrap();
    assert_eq!((status, code(&body).as_str()), (503, "replay_store_unavailable"));
    assert_eq!(script.runs(), 0);

    let replay = ReplayProtection::new(DownStore, &verifier).fail_open(true);
    let service = WebhookLayer::new(verifier).replay(replay).layer(script.service());
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    // Unprotected: the copy runs too.
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(script.runs(), 2);
}

#[tokio::test]
async fn different_events_are_processed_independently() {
    let script = Script::new([]);
    let service = protected(&STANDARD_WEBHOOKS, &script);
    let first = signed(&STANDARD_WEBHOOKS, BODY, "evt_a");
    let second = signed(&STANDARD_WEBHOOKS, BODY, "evt_b");
    assert_eq!(send(&service, &first, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(send(&service, &second, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(send(&service, &first, BODY).await.unwrap(), (200, Bytes::from_static(DUPLICATE)));
    assert_eq!(script.runs(), 2);
}

#[tokio::test]
async fn refused_deliveries_claim_nothing() {
    let script = Script::new([]);
    let service = protected(&STANDARD_WEBHOOKS, &script);
    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_tampered");
    let (status, body) = send(&service, &headers, r#"{"type":"invoice.paid","data":{"id":"in_2"}}"#).await.unwrap();
    assert_eq!((status, code(&body).as_str()), (401, "signature_mismatch"));
    // The genuine delivery with that id is still processed.
    assert_eq!(send(&service, &headers, BODY).await.unwrap(), (200, Bytes::from_static(b"handled")));
    assert_eq!(script.runs(), 1);
}

#[tokio::test]
async fn axum_route_layer_detects_duplicates() {
    use axum::routing::post;
    use axum::{Extension, Router};

    let runs = Arc::new(AtomicUsize::new(0));
    let verifier = verifier(&STANDARD_WEBHOOKS);
    let replay = ReplayProtection::memory(&verifier);
    let handler_runs = Arc::clone(&runs);
    let app = Router::new()
        .route(
            "/webhooks",
            post(move |Extension(verified): Extension<Verified>, body: axum::body::Bytes| async move {
                handler_runs.fetch_add(1, Ordering::SeqCst);
                assert_eq!(body, BODY.as_bytes());
                format!("handled {}", verified.id().unwrap_or_default())
            }),
        )
        .route_layer(WebhookLayer::new(verifier).replay(replay));

    let headers = signed(&STANDARD_WEBHOOKS, BODY, "evt_axum");
    let mut answers = Vec::new();
    for _ in 0..2 {
        let mut request = Request::post("/webhooks").body(axum::body::Body::from(BODY)).unwrap();
        *request.headers_mut() = headers.clone();
        let (status, content_type, body) = read(app.clone().oneshot(request).await.unwrap()).await;
        answers.push((status, content_type, body));
    }
    assert_eq!((answers[0].0, &answers[0].2[..]), (200, &b"handled evt_axum"[..]));
    assert_eq!((answers[1].0, answers[1].1.as_deref(), &answers[1].2[..]), (200, Some("application/json"), DUPLICATE));
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}
