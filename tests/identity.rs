//! Issue 15's attacks, replayed against the three real adapters: dedupe
//! holds on what the sender signed, and the one settle policy of the core
//! (lease renewal, release on drop, handler timeout) holds in each.

#![cfg(all(feature = "axum", feature = "actix", feature = "tower"))]

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hookproof::replay::ReplayProtection;
use hookproof::{presets, ConfigError, MemoryStore, Signer, Verifier};
use http::HeaderMap;
use support::{post, Adapter, Handler, Reply, Server};

const ADAPTERS: [Adapter; 3] = [Adapter::Axum, Adapter::Actix, Adapter::Tower];
const GITHUB_SECRET: &str = "It's a Secret to Everybody";

/// A body every adapter's handler decodes (the harness's typed event), with `id` as Stripe's `/id`.
fn event_body(id: &str) -> String {
    format!(r#"{{"id":"{id}","type":"invoice.paid","timestamp":"2024-05-01T12:00:00Z","data":{{"amount":42}}}}"#)
}

/// A handler that answers 200 `processed`, and counts its runs.
fn counting() -> (Arc<AtomicUsize>, Handler) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let handler: Handler = Arc::new(move |_, event| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::processed(event)
    });
    (runs, handler)
}

fn processed() -> (u16, String) {
    (200, "processed".to_owned())
}

fn duplicate() -> (u16, String) {
    (200, "duplicate".to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captured_github_delivery_resent_under_a_thousand_new_ids_runs_once() {
    let verifier = Arc::new(Verifier::builder(presets::github()).secret(GITHUB_SECRET).build().unwrap());
    let signer = Signer::new(presets::github(), GITHUB_SECRET).unwrap();
    for adapter in ADAPTERS {
        // A small store: before, each forged id took an entry until the store was full (503).
        let store = Arc::new(MemoryStore::new(64));
        let replay = ReplayProtection::from_arc(store.clone(), &verifier);
        let (runs, handler) = counting();
        let server = Server::start(adapter, Arc::clone(&verifier), Some(replay), handler);

        let body = event_body("push-1");
        let captured = signer.sign_at(body.as_bytes(), SystemTime::now(), Some("real-delivery-1"));
        assert_eq!(post(server.addr, &captured, &body).await.outcome(), processed(), "{adapter:?}");
        for forged in 0..1000 {
            let mut resent = captured.clone();
            resent.insert("x-github-delivery", format!("forged-{forged}").parse().unwrap());
            assert_eq!(post(server.addr, &resent, &body).await.outcome(), duplicate(), "{adapter:?} forged-{forged}");
        }
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{adapter:?}: the handler ran once");
        assert_eq!(store.len(), 1, "{adapter:?}: one entry for one event");

        // The next real delivery is processed, even under an id a forger used.
        let next = event_body("push-2");
        let real = signer.sign_at(next.as_bytes(), SystemTime::now(), Some("forged-7"));
        assert_eq!(post(server.addr, &real, &next).await.outcome(), processed(), "{adapter:?}");
        assert_eq!(runs.load(Ordering::SeqCst), 2, "{adapter:?}");
    }
}

/// `Stripe-Signature: t=<at>,v1=<sig under each secret>`.
fn stripe_header(body: &str, at: SystemTime, secrets: &[&str]) -> HeaderMap {
    let signatures: Vec<String> = secrets
        .iter()
        .map(|secret| {
            let headers = Signer::new(presets::stripe(), *secret).unwrap().sign_at(body.as_bytes(), at, None);
            let value = headers["stripe-signature"].to_str().unwrap().to_owned();
            value.split(',').find(|part| part.starts_with("v1=")).unwrap().to_owned()
        })
        .collect();
    let seconds = at.duration_since(SystemTime::UNIX_EPOCH).unwrap().as_secs();
    let mut headers = HeaderMap::new();
    headers.insert("stripe-signature", format!("t={seconds},{}", signatures.join(",")).parse().unwrap());
    headers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripe_retries_re_signed_later_and_trimmed_rotation_headers_are_duplicates() {
    let (new, old) = ("whsec_new", "whsec_old");
    let verifier = Arc::new(Verifier::builder(presets::stripe()).secret(new).secret(old).build().unwrap());
    for adapter in ADAPTERS {
        let (runs, handler) = counting();
        let replay = ReplayProtection::memory(&verifier);
        let server = Server::start(adapter, Arc::clone(&verifier), Some(replay), handler);
        let body = event_body("evt_1NG8Du2eZvKYlo2CUI79vXWy");
        let sent = SystemTime::now() - Duration::from_secs(120);

        let rotation = stripe_header(&body, sent, &[new, old]);
        assert_eq!(post(server.addr, &rotation, &body).await.outcome(), processed(), "{adapter:?}");
        // Stripe's retry: the same event re-signed two minutes later.
        let retry = stripe_header(&body, SystemTime::now(), &[new]);
        assert_eq!(post(server.addr, &retry, &body).await.outcome(), duplicate(), "{adapter:?} retry");
        // The captured rotation header with one v1 removed.
        let trimmed = stripe_header(&body, sent, &[old]);
        assert_eq!(post(server.addr, &trimmed, &body).await.outcome(), duplicate(), "{adapter:?} trimmed");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{adapter:?}");

        let other = event_body("evt_2");
        assert_eq!(post(server.addr, &stripe_header(&other, sent, &[new]), &other).await.outcome(), processed());
        assert_eq!(runs.load(Ordering::SeqCst), 2, "{adapter:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_slower_than_the_lease_is_not_run_twice() {
    let verifier = support::verifier(64 * 1024);
    for adapter in ADAPTERS {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        let handler: Handler = Arc::new(move |_, event| {
            counter.fetch_add(1, Ordering::SeqCst);
            Reply::processed(event).after(Duration::from_millis(1500))
        });
        // A 300 ms lease against a 1.5 s handler: without renewal the copy
        // sent 700 ms in would find the claim expired and run again.
        let replay = ReplayProtection::memory(&verifier).lease(Duration::from_millis(300));
        let server = Server::start(adapter, Arc::clone(&verifier), Some(replay), handler);
        let body = support::body("invoice.paid");
        let headers = support::signed(&body, "msg_slow");

        let addr = server.addr;
        let (first_headers, first_body) = (headers.clone(), body.clone());
        let first = tokio::spawn(async move { post(addr, &first_headers, &first_body).await });
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(post(addr, &headers, &body).await.outcome(), (409, "in_flight".to_owned()), "{adapter:?}");
        assert_eq!(first.await.unwrap().outcome(), processed(), "{adapter:?}");
        assert_eq!(post(addr, &headers, &body).await.outcome(), duplicate(), "{adapter:?}");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{adapter:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_past_its_timeout_is_503_and_its_retry_runs() {
    let verifier = support::verifier(64 * 1024);
    for adapter in ADAPTERS {
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&runs);
        // The first run hangs for 10 s; the retry answers at once.
        let handler: Handler = Arc::new(move |_, event| {
            let delay =
                if counter.fetch_add(1, Ordering::SeqCst) == 0 { Duration::from_secs(10) } else { Duration::ZERO };
            Reply::processed(event).after(delay)
        });
        let replay = ReplayProtection::memory(&verifier).handler_timeout(Duration::from_millis(200));
        let server = Server::start(adapter, Arc::clone(&verifier), Some(replay), handler);
        let body = support::body("invoice.paid");
        let headers = support::signed(&body, "msg_hangs");

        assert_eq!(post(server.addr, &headers, &body).await.outcome(), (503, "handler_timed_out".to_owned()));
        assert_eq!(post(server.addr, &headers, &body).await.outcome(), processed(), "{adapter:?}");
        assert_eq!(post(server.addr, &headers, &body).await.outcome(), duplicate(), "{adapter:?}");
        assert_eq!(runs.load(Ordering::SeqCst), 2, "{adapter:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duration_max_anywhere_is_no_panic() {
    let refused = Verifier::builder(presets::stripe()).secret("s").tolerance(Duration::MAX).build().unwrap_err();
    assert!(matches!(refused, ConfigError::DurationTooLong { setting: "tolerance", .. }), "{refused:?}");

    let verifier = support::verifier(64 * 1024);
    let replay = ReplayProtection::memory(&verifier)
        .lease(Duration::MAX)
        .retention(Duration::MAX)
        .handler_timeout(Duration::MAX);
    let body = support::body("invoice.paid");
    let headers = support::signed(&body, "msg_max");
    for adapter in ADAPTERS {
        let (runs, handler) = counting();
        let server = Server::start(adapter, Arc::clone(&verifier), Some(replay.clone()), handler);
        let expected = if adapter == Adapter::Axum { processed() } else { duplicate() };
        assert_eq!(post(server.addr, &headers, &body).await.outcome(), expected, "{adapter:?}");
        assert_eq!(runs.load(Ordering::SeqCst), usize::from(adapter == Adapter::Axum));
    }
}

/// A request whose future is dropped mid-handler (hyper drops it when the
/// client goes away) releases its claim: the retry runs, it is not 409.
mod dropped_requests {
    use std::convert::Infallible;

    use axum::body::Body;
    use axum::body::Bytes;
    use http::Request;
    use http_body_util::Full;
    use tower::{Layer as _, ServiceExt as _};

    use super::*;

    /// The first call hangs for 10 s; later ones answer at once.
    fn first_call_hangs(runs: &Arc<AtomicUsize>) -> impl Fn() -> Duration + Clone {
        let runs = Arc::clone(runs);
        move || if runs.fetch_add(1, Ordering::SeqCst) == 0 { Duration::from_secs(10) } else { Duration::ZERO }
    }

    fn request<B: From<String>>() -> Request<B> {
        let body = support::body("invoice.paid");
        let mut request = Request::post(support::PATH).body(B::from(body.clone())).unwrap();
        *request.headers_mut() = support::signed(&body, "msg_dropped");
        request
    }

    #[tokio::test]
    async fn tower() {
        let verifier = support::verifier(64 * 1024);
        let runs = Arc::new(AtomicUsize::new(0));
        let delay = first_call_hangs(&runs);
        let layer = hookproof::integrations::tower::WebhookLayer::new(verifier.clone())
            .replay(ReplayProtection::memory(&verifier));
        let service = layer.layer(tower::service_fn(move |_: Request<Full<Bytes>>| {
            let delay = delay();
            async move {
                tokio::time::sleep(delay).await;
                Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(b"handled"))))
            }
        }));
        let cut =
            tokio::time::timeout(Duration::from_millis(100), service.clone().oneshot(request::<Full<Bytes>>())).await;
        assert!(cut.is_err(), "the first request was still running when dropped");
        let retry = service.oneshot(request::<Full<Bytes>>()).await.unwrap();
        assert_eq!(retry.status(), 200);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn axum() {
        let verifier = support::verifier(64 * 1024);
        let runs = Arc::new(AtomicUsize::new(0));
        let delay = first_call_hangs(&runs);
        let layer = hookproof::integrations::tower::WebhookLayer::new(verifier.clone())
            .replay(ReplayProtection::memory(&verifier));
        let app = axum::Router::new()
            .route(
                support::PATH,
                axum::routing::post(move || {
                    let delay = delay();
                    async move {
                        tokio::time::sleep(delay).await;
                        "handled"
                    }
                }),
            )
            .route_layer(layer);
        let cut = tokio::time::timeout(Duration::from_millis(100), app.clone().oneshot(request::<Body>())).await;
        assert!(cut.is_err(), "the first request was still running when dropped");
        let retry = app.oneshot(request::<Body>()).await.unwrap();
        assert_eq!(retry.status(), 200);
        assert_eq!(runs.load(Ordering::SeqCst), 2);
    }
}
