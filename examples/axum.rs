//! A Smile webhook receiver on axum.
//!
//! ```text
//! HOOKPROOF_SECRET=<smile client secret> PORT=3000 cargo run --example axum --features axum
//! ```
//!
//! Listens on `127.0.0.1:$PORT` (default 3000) and accepts `POST /webhooks`.
//! The handler runs only for a delivery whose `Smile-Signature` and
//! `Smile-Timestamp` check out and whose body is a Smile envelope: `ping`
//! and `customer/updated` are handled, other topics acknowledged (2xx), a
//! verified body that is not an envelope gets 422 and a bad signature 401.
//! Each verified event is printed as one JSON line on stdout.

#[path = "support/smile_receiver.rs"]
mod smile_receiver;

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Extension, Router};
use hookproof::events::SmileEnvelope;
use hookproof::integrations::axum::Webhook;
use hookproof::JSON_CONTENT_TYPE;

/// Runs only for a verified Smile envelope (the extractor is the last argument).
async fn receive(Webhook { event, verified }: Webhook<SmileEnvelope>) -> impl IntoResponse {
    ([(CONTENT_TYPE, JSON_CONTENT_TYPE)], smile_receiver::handle(&verified, &event))
}

#[tokio::main]
async fn main() {
    let config = smile_receiver::Config::from_env();
    // The route names its provider once: the extractor finds the verifier in this layer.
    let app = Router::new().route("/webhooks", post(receive).layer(Extension(config.verifier)));

    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {}: {error}", config.addr);
            std::process::exit(1);
        }
    };
    eprintln!("listening on http://{}/webhooks", config.addr);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(error) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
        eprintln!("error: server failed: {error}");
        std::process::exit(1);
    }
}
