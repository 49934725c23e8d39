//! A Standard Webhooks receiver on axum whose replay protection lives in
//! Redis, so that several copies behind a load balancer process each event
//! once between them.
//!
//! ```text
//! HOOKPROOF_SECRET=whsec_... REDIS_URL=redis://127.0.0.1:6379 PORT=3000 \
//!     cargo run --example redis --features redis,tower,axum
//! ```
//!
//! - `HOOKPROOF_SECRET` (required): the endpoint's `whsec_` signing secret.
//!   Missing or unusable: one line on stderr, exit code 2.
//! - `REDIS_URL` (default `redis://127.0.0.1:6379`): where the claims and
//!   processed ids live. Every copy must use the same Redis.
//! - `PORT` (default 3000): listens on `127.0.0.1:$PORT`, `POST /webhooks`.
//!
//! hookproof's tower layer, put in front of the route with `route_layer`,
//! verifies the signature and freshness, then claims the event id in Redis:
//! a copy of an event already processed (by this copy or any other) is
//! answered 200 `{"status":"duplicate"}` without running the handler, one
//! being processed right now by another copy 409 `in_flight`, and while
//! Redis is unreachable every delivery gets 503 `replay_store_unavailable`
//! (nothing is acknowledged that was not processed; the sender retries). The
//! axum `Webhook<T>` extractor then decodes the verified body (422 if it is
//! not a Standard Webhooks event). Each processed event is printed as one
//! JSON line on stdout.
//!
//! # Two copies, one duplicate
//!
//! ```text
//! redis-server --port 6379 --save '' &
//! export HOOKPROOF_SECRET=whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
//! cargo build --example redis --features redis,tower,axum
//! PORT=3001 target/debug/examples/redis &
//! PORT=3002 target/debug/examples/redis &
//!
//! # Sign one delivery (event id msg_1) and send the same bytes to both copies.
//! body='{"type":"invoice.paid","timestamp":"2024-05-01T12:00:00Z","data":{"amount":42}}'
//! headers=()
//! while IFS= read -r line; do headers+=(-H "$line"); done < <(printf %s "$body" |
//!     cargo run -q -p hookproof-cli -- sign --preset standard-webhooks --secret "$HOOKPROOF_SECRET" --id msg_1)
//! curl -s -H 'content-type: application/json' "${headers[@]}" -d "$body" http://127.0.0.1:3001/webhooks
//! # {"status":"processed"}   (and copy 3001 prints the event's JSON line)
//! curl -s -H 'content-type: application/json' "${headers[@]}" -d "$body" http://127.0.0.1:3002/webhooks
//! # {"status":"duplicate"}   (copy 3002 prints nothing: the handler did not run)
//! ```

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use hookproof::events::StandardWebhooksEvent;
use hookproof::integrations::axum::Webhook;
use hookproof::integrations::redis::RedisStore;
use hookproof::integrations::tower::WebhookLayer;
use hookproof::{presets, ReplayProtection, Verifier, JSON_CONTENT_TYPE};

const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

/// The application state: this copy's port for the log lines (the layer
/// carries the verifier to the extractor).
#[derive(Clone)]
struct AppState {
    port: u16,
}

/// Runs once per event across all copies: verified, claimed in Redis, decoded.
async fn receive(State(state): State<AppState>, webhook: Webhook<StandardWebhooksEvent>) -> impl IntoResponse {
    let line = serde_json::json!({
        "port": state.port,
        "id": webhook.id(),
        "timestamp": webhook.timestamp(),
        "type": webhook.event.event_type,
        "data": webhook.event.data,
    });
    println!("{line}");
    // A real receiver would do its work here; a non-2xx answer (or a panic)
    // releases the claim, so the sender's retry is processed again.
    ([(CONTENT_TYPE, JSON_CONTENT_TYPE)], r#"{"status":"processed"}"#)
}

fn exit_usage(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

#[tokio::main]
async fn main() {
    let Ok(secret) = std::env::var("HOOKPROOF_SECRET") else {
        exit_usage("HOOKPROOF_SECRET is not set: export the endpoint's whsec_ signing secret");
    };
    let port = match std::env::var("PORT") {
        Ok(port) => port.parse::<u16>().unwrap_or_else(|_| exit_usage("PORT must be a number from 0 to 65535")),
        Err(_) => 3000,
    };
    let redis_url = std::env::var("REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
    let verifier = Verifier::builder(presets::standard_webhooks())
        .secret(secret)
        .build()
        .unwrap_or_else(|error| exit_usage(&format!("HOOKPROOF_SECRET is unusable: {error}")));
    let verifier = Arc::new(verifier);

    // Fails only on an unusable URL; an unreachable Redis is retried on each delivery.
    let store = RedisStore::connect(&redis_url)
        .await
        .unwrap_or_else(|error| exit_usage(&format!("REDIS_URL is unusable: {error}")));
    if let Err(error) = store.ping().await {
        eprintln!("warning: Redis is not reachable yet ({error}); deliveries get 503 until it is");
    }
    let replay = ReplayProtection::new(store, &verifier);

    let app = Router::new()
        .route("/webhooks", post(receive))
        // The layer verifies and does the replay bookkeeping around the handler;
        // the extractor reuses its result.
        .route_layer(WebhookLayer::new(Arc::clone(&verifier)).replay(replay))
        .with_state(AppState { port });

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {addr}: {error}");
            std::process::exit(1);
        }
    };
    let addr = listener.local_addr().unwrap_or(addr);
    eprintln!("listening on http://{addr}/webhooks, replay state in Redis");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("error: server failed: {error}");
        std::process::exit(1);
    }
}
