//! Routing by event type, the same in the three adapters and in an inbox
//! worker: a known type reaches its typed handler, an unknown type is
//! acknowledged 200 `ignored`, a known type whose body does not decode is
//! 422 `invalid_payload`.

#![cfg(all(feature = "axum", feature = "actix", feature = "tower", feature = "inbox"))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::body::Bytes;
use hookproof::route::{EventMeta, EventRouter, Routed};
use hookproof::{presets, Signer, Verifier};
use http_body_util::{BodyExt as _, Full};
use tower::{Layer as _, ServiceExt as _};

const SECRET: &str = "It's a Secret to Everybody";

#[derive(serde::Deserialize)]
struct Push {
    r#ref: String,
}

/// GitHub deliveries: the type is the `X-GitHub-Event` header.
fn delivery(event_type: &str, body: &'static str) -> (http::HeaderMap, &'static str) {
    let mut headers = Signer::new(presets::github(), SECRET).unwrap().sign(body.as_bytes());
    headers.insert("x-github-event", event_type.parse().unwrap());
    headers.insert("content-type", "application/json".parse().unwrap());
    (headers, body)
}

/// The three cases and the answer each must get.
fn cases() -> [((http::HeaderMap, &'static str), u16, &'static str); 3] {
    [
        (delivery("push", r#"{"ref":"refs/heads/main"}"#), 200, "pushed refs/heads/main"),
        (delivery("star", r#"{"action":"created"}"#), 200, r#"{"status":"ignored"}"#),
        (delivery("push", r#"{"ref":7}"#), 422, "invalid_payload"),
    ]
}

fn verifier() -> Arc<Verifier> {
    Arc::new(Verifier::builder(presets::github()).secret(SECRET).build().unwrap())
}

fn assert_answer(adapter: &str, status: u16, body: &[u8], expected: (u16, &str)) {
    let body = String::from_utf8_lossy(body);
    assert_eq!(status, expected.0, "{adapter}: {body}");
    assert!(body.contains(expected.1), "{adapter}: {body} lacks {}", expected.1);
}

#[tokio::test]
async fn axum_routes_by_event_type() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let events = Arc::new(EventRouter::new(&presets::github()).on("push", move |push: Push, _: EventMeta| {
        counter.fetch_add(1, Ordering::SeqCst);
        async move { format!("pushed {}", push.r#ref) }
    }));
    let app = axum::Router::new()
        .route(
            "/github",
            axum::routing::post(move |webhook: hookproof::integrations::axum::RawWebhook| async move {
                hookproof::integrations::axum::dispatch(&events, webhook).await
            }),
        )
        .route_layer(hookproof::integrations::tower::WebhookLayer::new(verifier()));
    for ((headers, body), status, text) in cases() {
        let mut request = http::Request::post("/github").body(axum::body::Body::from(body)).unwrap();
        *request.headers_mut() = headers;
        let response = app.clone().oneshot(request).await.unwrap();
        let status_code = response.status().as_u16();
        assert_answer("axum", status_code, &response.into_body().collect().await.unwrap().to_bytes(), (status, text));
    }
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn tower_routes_by_event_type() {
    let events = EventRouter::new(&presets::github())
        .on("push", |push: Push, _: EventMeta| async move { format!("pushed {}", push.r#ref) });
    let service = hookproof::integrations::tower::WebhookLayer::new(verifier())
        .layer(hookproof::integrations::tower::RouteEvents::new(events));
    for ((headers, body), status, text) in cases() {
        let mut request = http::Request::post("/github").body(Full::new(Bytes::from_static(body.as_bytes()))).unwrap();
        *request.headers_mut() = headers;
        let response = service.clone().oneshot(request).await.unwrap();
        let status_code = response.status().as_u16();
        assert_answer("tower", status_code, &response.into_body().collect().await.unwrap().to_bytes(), (status, text));
    }
}

#[actix_web::test]
async fn actix_routes_by_event_type() {
    use actix_web::{test, web, App, HttpRequest};

    let events = Arc::new(
        EventRouter::new(&presets::github())
            .on("push", |push: Push, _: EventMeta| async move { format!("pushed {}", push.r#ref) }),
    );
    let app = test::init_service(App::new().service(
        web::resource("/github").wrap(hookproof::integrations::actix::WebhookMiddleware::new(verifier())).route(
            web::post().to(move |request: HttpRequest, webhook: hookproof::integrations::actix::RawWebhook| {
                let events = Arc::clone(&events);
                async move { hookproof::integrations::actix::dispatch(&events, &request, webhook).await }
            }),
        ),
    ))
    .await;
    for ((headers, body), status, text) in cases() {
        let mut request = test::TestRequest::post().uri("/github").set_payload(body);
        for (name, value) in &headers {
            request = request.insert_header((name.as_str(), value.to_str().unwrap()));
        }
        let response = test::call_service(&app, request.to_request()).await;
        let status_code = response.status().as_u16();
        assert_answer("actix", status_code, &test::read_body(response).await, (status, text));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbox_worker_routes_stored_events_the_same_way() {
    use hookproof::inbox::{Event, Inbox, State, Worker};

    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::connect(&format!("sqlite:{}", dir.path().join("inbox.db").display())).await.unwrap();
    let verifier = verifier();
    for ((headers, body), _, _) in cases() {
        let verified = verifier.verify(&headers, body.as_bytes()).unwrap();
        let delivery = hookproof::Delivery::from_verified(&verified, &headers, Bytes::from_static(body.as_bytes()));
        inbox.store(delivery).await.unwrap();
    }
    let pushes = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&pushes);
    let router = EventRouter::new(&presets::github()).on("push", move |push: Push, meta: EventMeta| {
        seen.lock().unwrap().push((push.r#ref, meta.attempt));
        async {}
    });
    let scheme = presets::github();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(Worker::new(inbox.clone()).max_attempts(1).run(
        move |event: Event| {
            let routed = router.route(event.meta(&scheme), event.body().clone());
            async move { routed.await.map(|_: Routed<()>| ()) }
        },
        async move { stopped.await.unwrap_or(()) },
    ));
    let mut stats = inbox.stats().await.unwrap();
    for _ in 0..100 {
        if stats.get(State::Done) + stats.get(State::Dead) == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        stats = inbox.stats().await.unwrap();
    }
    let _ = stop.send(());
    worker.await.unwrap().unwrap();
    // The push ran, the unknown type was acknowledged (done), the undecodable push is dead.
    assert_eq!((stats.get(State::Done), stats.get(State::Dead)), (2, 1), "{stats:?}");
    assert_eq!(*pushes.lock().unwrap(), [("refs/heads/main".to_owned(), 1)]);
    let dead = inbox.list(Some(State::Dead), 10).await.unwrap();
    assert!(dead[0].last_error.as_deref().unwrap_or_default().contains("payload"), "{:?}", dead[0].last_error);
}
