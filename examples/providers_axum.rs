//! One axum app receiving GitHub, Stripe and Smile: each route names its
//! provider once (a layer), and events are routed to typed handlers by type.
//!
//! Run: `cargo run --example providers_axum --features axum,tower`, then POST
//! deliveries to http://127.0.0.1:3000/webhooks/{github,stripe,smile}.
//! Secrets come from GITHUB_SECRET, STRIPE_SECRET and SMILE_SECRET.

use std::sync::Arc;

use axum::routing::{post, MethodRouter};
use axum::Router;
use hookproof::integrations::axum::{dispatch, RawWebhook};
use hookproof::integrations::tower::WebhookLayer;
use hookproof::route::{EventMeta, EventRouter};
use hookproof::{presets, ReplayProtection, Scheme, Verifier};
use serde::Deserialize;

#[derive(Deserialize)]
struct Push {
    r#ref: String,
}
#[derive(Deserialize)]
struct Invoice {
    id: String,
}
#[derive(Deserialize)]
struct Customer {
    data: serde_json::Value,
}

/// A route for one provider: verified, deduplicated, routed by event type.
fn provider(scheme: Scheme, secret: &str, events: EventRouter<String>) -> MethodRouter {
    let verifier = Verifier::builder(scheme).secret(secret).build().expect("a valid secret");
    let replay = ReplayProtection::memory(&verifier);
    let events = Arc::new(events);
    post(move |webhook: RawWebhook| async move { dispatch(&events, webhook).await })
        .layer(WebhookLayer::new(verifier).replay(replay))
}

fn app(github: &str, stripe: &str, smile: &str) -> Router {
    let github_events = EventRouter::new(&presets::github())
        .on("push", |push: Push, _: EventMeta| async move { format!("push to {}", push.r#ref) });
    let stripe_events = EventRouter::new(&presets::stripe())
        .on("invoice.paid", |invoice: Invoice, _: EventMeta| async move { format!("paid {}", invoice.id) });
    let smile_events =
        EventRouter::new(&presets::smile()).on("customer/updated", |customer: Customer, _: EventMeta| async move {
            format!("customer {}", customer.data)
        });
    Router::new()
        .route("/webhooks/github", provider(presets::github(), github, github_events))
        .route("/webhooks/stripe", provider(presets::stripe(), stripe, stripe_events))
        .route("/webhooks/smile", provider(presets::smile(), smile, smile_events))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = |name: &str| std::env::var(name).unwrap_or_else(|_| format!("demo-{name}"));
    let app = app(&secret("GITHUB_SECRET"), &secret("STRIPE_SECRET"), &secret("SMILE_SECRET"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    axum::serve(listener, app).await
}

#[cfg(test)]
mod tests {
    use hookproof::{presets, Signer};
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    async fn send(path: &str, headers: http::HeaderMap, body: &'static str) -> (u16, String) {
        let mut request = http::Request::post(path).body(axum::body::Body::from(body)).unwrap();
        *request.headers_mut() = headers;
        let response = super::app("g", "s", "m").oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        (status, String::from_utf8_lossy(&response.into_body().collect().await.unwrap().to_bytes()).into_owned())
    }

    #[tokio::test]
    async fn three_providers_one_app() {
        let body = r#"{"ref":"refs/heads/main"}"#;
        let mut github = Signer::new(presets::github(), "g").unwrap().sign(body.as_bytes());
        github.insert("x-github-event", "push".parse().unwrap());
        assert_eq!(send("/webhooks/github", github, body).await, (200, "push to refs/heads/main".to_owned()));
        let invoice = r#"{"id":"evt_1","type":"invoice.paid"}"#;
        let stripe = Signer::new(presets::stripe(), "s").unwrap().sign(invoice.as_bytes());
        assert_eq!(send("/webhooks/stripe", stripe, invoice).await, (200, "paid evt_1".to_owned()));
        let update = r#"{"account_id":1,"topic":"customer/updated","data":{"id":7}}"#;
        let smile = Signer::new(presets::smile(), "m").unwrap().sign(update.as_bytes());
        assert_eq!(send("/webhooks/smile", smile.clone(), update).await, (200, r#"customer {"id":7}"#.to_owned()));
        // Another provider's secret is refused; an unknown type is acknowledged.
        let wrong = Signer::new(presets::smile(), "g").unwrap().sign(update.as_bytes());
        assert_eq!(send("/webhooks/smile", wrong, update).await.0, 401);
        let ping = r#"{"account_id":1,"topic":"ping","data":{}}"#;
        let headers = Signer::new(presets::smile(), "m").unwrap().sign(ping.as_bytes());
        assert_eq!(send("/webhooks/smile", headers, ping).await, (200, r#"{"status":"ignored"}"#.to_owned()));
    }
}
