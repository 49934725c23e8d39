//! What `tests/parity.rs` and `tests/replay_redis.rs` share: the three
//! adapters (axum, actix-web, tower on hyper) each served for real on
//! `127.0.0.1:0` with the same handler, and a raw HTTP/1.1 client.
//!
//! Every server runs on its own thread and runtime (actix-web brings its
//! own), like `hookproof listen`, and stops itself when dropped: the start,
//! the stop and the client are `hookproof-test-support`'s.

#![allow(dead_code)] // each test file uses the part it needs

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use hookproof::events::StandardWebhooksEvent;
use hookproof::{presets, ReplayProtection, Signer, Verified, Verifier};
use hookproof_test_support::{client, Request, Start};
use http::HeaderMap;
use http_body_util::{BodyExt as _, Full};

/// The Standard Webhooks secret every receiver is configured with.
pub(crate) const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/// The path every receiver serves (POST).
pub(crate) const PATH: &str = "/webhooks";

/// The handler's typed event (what the extractors decode into).
pub(crate) type Event = StandardWebhooksEvent;

/// A Standard Webhooks body of event type `kind`.
pub(crate) fn body(kind: &str) -> String {
    format!(r#"{{"type":"{kind}","timestamp":"2024-05-01T12:00:00Z","data":{{"amount":42}}}}"#)
}

/// The verifier every receiver uses: Standard Webhooks, [`SECRET`], 5 minutes, `limit` bytes.
pub(crate) fn verifier(limit: usize) -> Arc<Verifier> {
    Arc::new(Verifier::builder(presets::standard_webhooks()).secret(SECRET).body_limit(limit).build().unwrap())
}

/// The headers a Standard Webhooks sender sends for `body` with event id `id`, signed now.
pub(crate) fn signed(body: &str, id: &str) -> HeaderMap {
    signed_at(SECRET, body, id, SystemTime::now())
}

/// Like [`signed`] with another secret and send time.
pub(crate) fn signed_at(secret: &str, body: &str, id: &str, at: SystemTime) -> HeaderMap {
    Signer::new(presets::standard_webhooks(), secret).unwrap().sign_at(body.as_bytes(), at, Some(id))
}

/// What a handler answers: status, JSON body, and how long it works before answering.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) delay: Duration,
}

impl Reply {
    /// 200 `{"status":"processed","type":...}` at once.
    pub(crate) fn processed(event: &Event) -> Self {
        let body = serde_json::json!({"status": "processed", "type": event.event_type}).to_string();
        Self { status: 200, body, delay: Duration::ZERO }
    }

    /// 500 `{"error":"handler_failed"}` at once.
    pub(crate) fn failed() -> Self {
        Self {
            status: 500,
            body: r#"{"error":"handler_failed","message":"try again"}"#.to_owned(),
            delay: Duration::ZERO,
        }
    }

    /// The same answer after `delay` of work.
    pub(crate) fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// The application's handler; it runs only for verified, decoded events
/// that replay protection admitted.
pub(crate) type Handler = Arc<dyn Fn(&Verified, &Event) -> Reply + Send + Sync>;

/// Which framework serves a receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Adapter {
    /// axum router, `route_layer(WebhookLayer ... .replay(..))` and the axum `Webhook<T>` extractor.
    Axum,
    /// actix-web `WebhookMiddleware ... .replay(..)` and the actix `Webhook<T>` extractor.
    Actix,
    /// `WebhookLayer ... .replay(..)` in front of a `service_fn` on a bare hyper 1 server.
    Tower,
}

/// A receiver serving [`PATH`] on `127.0.0.1:<port>`; stopped when dropped.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) adapter: Adapter,
    pub(crate) addr: SocketAddr,
    _running: hookproof_test_support::Server,
}

impl Server {
    /// Binds `127.0.0.1:0` and serves `handler` through `adapter`, verifying
    /// with `verifier` and, with `replay`, running each event once.
    pub(crate) fn start(
        adapter: Adapter,
        verifier: Arc<Verifier>,
        replay: Option<ReplayProtection>,
        handler: Handler,
    ) -> Self {
        Self::serve(adapter, Endpoint { verifier, replay, handler, inbox: None, raw: false })
    }

    /// Binds `127.0.0.1:0` and serves `adapter` on POST and GET (as a route
    /// answering setup handshakes is wired), verifying with `verifier` and
    /// answering every verified delivery 200 `{"status":"processed"}`
    /// whatever its body: form posts, Slack and Zoom events.
    pub(crate) fn start_raw(adapter: Adapter, verifier: Arc<Verifier>) -> Self {
        let handler: Handler = Arc::new(|_, _| unreachable!("a raw endpoint decodes nothing"));
        Self::serve(adapter, Endpoint { verifier, replay: None, handler, inbox: None, raw: true })
    }

    /// Binds `127.0.0.1:0` and serves `adapter` in inbox mode: verify, store
    /// in `inbox`, answer 202 (the handler is never called).
    #[cfg(feature = "inbox")]
    pub(crate) fn start_inbox(adapter: Adapter, verifier: Arc<Verifier>, inbox: hookproof::inbox::Inbox) -> Self {
        let handler: Handler = Arc::new(|_, _| panic!("inbox mode never calls the handler"));
        Self::serve(adapter, Endpoint { verifier, replay: None, handler, inbox: Some(inbox), raw: false })
    }

    fn serve(adapter: Adapter, endpoint: Endpoint) -> Self {
        let start = Start::new(format!("{adapter:?}"));
        let running = match adapter {
            Adapter::Axum => start.axum(axum_app(endpoint)),
            Adapter::Actix => start.actix(move |config| actix_app(&endpoint, config)),
            Adapter::Tower => serve_tower(start, endpoint),
        }
        .expect("start a receiver on 127.0.0.1");
        Self { adapter, addr: running.addr(), _running: running }
    }
}

#[derive(Clone)]
struct Endpoint {
    verifier: Arc<Verifier>,
    replay: Option<ReplayProtection>,
    handler: Handler,
    #[cfg(feature = "inbox")]
    inbox: Option<hookproof::inbox::Inbox>,
    #[cfg(not(feature = "inbox"))]
    inbox: Option<std::convert::Infallible>,
    /// Serve POST and GET, and answer any verified delivery without decoding it.
    raw: bool,
}

/// What a raw endpoint answers to every verified delivery.
const PROCESSED: &str = r#"{"status":"processed"}"#;

impl Endpoint {
    fn layer(&self) -> hookproof::integrations::tower::WebhookLayer {
        let mut layer = hookproof::integrations::tower::WebhookLayer::new(Arc::clone(&self.verifier));
        if let Some(replay) = &self.replay {
            layer = layer.replay(replay.clone());
        }
        #[cfg(feature = "inbox")]
        if let Some(inbox) = &self.inbox {
            layer = layer.inbox(inbox.clone());
        }
        layer
    }
}

fn json_response<B: From<Bytes>>(status: u16, body: String) -> http::Response<B> {
    let mut response = http::Response::new(B::from(Bytes::from(body)));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

// --- axum: route_layer(WebhookLayer.replay) + the axum extractor.

#[derive(Clone)]
struct AxumState(Endpoint);

async fn axum_handler(
    axum::extract::State(AxumState(endpoint)): axum::extract::State<AxumState>,
    webhook: hookproof::integrations::axum::Webhook<Event>,
) -> http::Response<axum::body::Body> {
    let reply = (endpoint.handler)(&webhook.verified, &webhook.event);
    tokio::time::sleep(reply.delay).await;
    json_response(reply.status, reply.body)
}

async fn axum_raw_handler(_: hookproof::integrations::axum::RawWebhook) -> http::Response<axum::body::Body> {
    json_response(200, PROCESSED.to_owned())
}

fn axum_app(endpoint: Endpoint) -> axum::Router {
    if endpoint.inbox.is_some() {
        let accept = tower::Layer::layer(&endpoint.layer(), hookproof::integrations::tower::Accept);
        axum::Router::new().route_service(PATH, axum::routing::post_service(accept))
    } else if endpoint.raw {
        let route = axum::routing::post(axum_raw_handler).get(axum_raw_handler);
        axum::Router::new().route(PATH, route).route_layer(endpoint.layer())
    } else {
        axum::Router::new()
            .route(PATH, axum::routing::post(axum_handler))
            .route_layer(endpoint.layer())
            .with_state(AxumState(endpoint))
    }
}

// --- tower: the layer in front of a service_fn on hyper 1; the handler decodes
// with `Verified::decode` and answers a failure with `error_response` (422).

fn serve_tower(start: Start, endpoint: Endpoint) -> std::io::Result<hookproof_test_support::Server> {
    let handler = Arc::clone(&endpoint.handler);
    let inbox_mode = endpoint.inbox.is_some();
    let raw = endpoint.raw;
    let service =
        tower::ServiceBuilder::new().layer(endpoint.layer()).service_fn(move |request: http::Request<Full<Bytes>>| {
            let handler = Arc::clone(&handler);
            async move {
                if inbox_mode {
                    // The layer stored the delivery; acknowledge as `Accept` does.
                    return Ok(json_response::<Full<Bytes>>(202, hookproof::ACCEPTED_BODY.to_owned()));
                }
                if raw {
                    return Ok(json_response::<Full<Bytes>>(200, PROCESSED.to_owned()));
                }
                let verified = request.extensions().get::<Verified>().cloned().expect("the layer inserts Verified");
                let body = request.into_body().collect().await?.to_bytes();
                let event: Event = match verified.decode(&body) {
                    Ok(event) => event,
                    Err(error) => return Ok(hookproof::integrations::tower::error_response(&error)),
                };
                let reply = handler(&verified, &event);
                tokio::time::sleep(reply.delay).await;
                Ok::<_, Infallible>(json_response::<Full<Bytes>>(reply.status, reply.body))
            }
        });
    start.hyper(service)
}

// --- actix: WebhookMiddleware.replay + the actix extractor.

struct ActixHandler(Handler);

async fn actix_handler(
    webhook: hookproof::integrations::actix::Webhook<Event>,
    handler: actix_web::web::Data<ActixHandler>,
) -> actix_web::HttpResponse {
    let reply = (handler.0)(&webhook.verified, &webhook.event);
    tokio::time::sleep(reply.delay).await;
    actix_web::HttpResponse::build(actix_web::http::StatusCode::from_u16(reply.status).unwrap())
        .content_type("application/json")
        .body(reply.body)
}

async fn actix_raw_handler(_: hookproof::integrations::actix::RawWebhook) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().content_type("application/json").body(PROCESSED)
}

fn actix_app(endpoint: &Endpoint, config: &mut actix_web::web::ServiceConfig) {
    let handler = actix_web::web::Data::new(ActixHandler(Arc::clone(&endpoint.handler)));
    #[cfg_attr(not(feature = "inbox"), allow(unused_mut))]
    let mut middleware = hookproof::integrations::actix::WebhookMiddleware::new(Arc::clone(&endpoint.verifier));
    if let Some(replay) = &endpoint.replay {
        middleware = middleware.replay(replay.clone());
    }
    #[cfg_attr(not(feature = "inbox"), allow(unused_mut))]
    let mut route = actix_web::web::post().to(actix_handler);
    #[cfg(feature = "inbox")]
    if let Some(inbox) = &endpoint.inbox {
        middleware = middleware.inbox(inbox.clone());
        route = actix_web::web::post().to(hookproof::integrations::actix::accepted);
    }
    let mut resource = actix_web::web::resource(PATH).wrap(middleware);
    if endpoint.raw {
        route = actix_web::web::post().to(actix_raw_handler);
        resource = resource.route(actix_web::web::get().to(actix_raw_handler));
    }
    config.app_data(handler).service(resource.route(route));
}

// --- the client: HTTP/1.1 over a raw TCP socket, one connection per request.

/// What a receiver answered.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: Option<String>,
    /// Whether it came with `X-Content-Type-Options: nosniff`.
    pub(crate) nosniff: bool,
    pub(crate) body: String,
}

impl Answer {
    /// The body as JSON (panics with the answer when it is not JSON).
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not a JSON answer: {self:?}"))
    }

    /// `error` of an error body, otherwise `status` (`processed`, `duplicate`).
    pub(crate) fn code(&self) -> String {
        let json = self.json();
        json["error"]
            .as_str()
            .or_else(|| json["status"].as_str())
            .unwrap_or_else(|| panic!("no code: {self:?}"))
            .to_owned()
    }

    /// `(status, code)`.
    pub(crate) fn outcome(&self) -> (u16, String) {
        (self.status, self.code())
    }
}

/// POSTs `body` with `headers` to `addr`'s [`PATH`], with its real `Content-Length`.
pub(crate) async fn post(addr: SocketAddr, headers: &HeaderMap, body: &str) -> Answer {
    let request = Request::post(PATH).header("content-type", "application/json").headers(headers).body(body);
    exchange(addr, &request.to_bytes("127.0.0.1")).await
}

/// Sends `method` to `target` (path and query) with `headers` (a
/// `content-type` among them overrides JSON) and `body`.
pub(crate) async fn send(addr: SocketAddr, method: &str, target: &str, headers: &HeaderMap, body: &[u8]) -> Answer {
    let content_type = headers.get("content-type").map_or("application/json", |value| value.to_str().unwrap());
    let mut others = headers.clone();
    others.remove("content-type");
    let request = Request::new(method, target).header("content-type", content_type).headers(&others).body(body);
    exchange(addr, &request.to_bytes("127.0.0.1")).await
}

/// The request head for [`PATH`] with `headers` and `extra` ones, `Connection: close`.
pub(crate) fn head(headers: &HeaderMap, extra: &[(&str, String)]) -> Vec<u8> {
    let request = Request::post(PATH).header("content-type", "application/json").headers(headers);
    extra.iter().fold(request, |request, (name, value)| request.header(name, value)).to_bytes("127.0.0.1")
}

/// Writes `request` and reads one response (up to its `Content-Length`, or
/// to the end of the connection), within the client's patience.
pub(crate) async fn exchange(addr: SocketAddr, request: &[u8]) -> Answer {
    let response = client::exchange_async(addr, request.to_vec())
        .await
        .unwrap_or_else(|error| panic!("no answer from {addr}: {error}"));
    Answer {
        status: response.status,
        content_type: response.header("content-type").map(str::to_owned),
        nosniff: response.header("x-content-type-options") == Some("nosniff"),
        body: response.text(),
    }
}
