//! One hyper server (tower) receiving GitHub, Stripe and Smile: each path
//! names its provider once (the layer), and events are routed to typed
//! handlers by type.
//!
//! Run: `cargo run --example providers_tower --features tower`, then POST
//! deliveries to http://127.0.0.1:3000/webhooks/{github,stripe,smile}.
//! Secrets come from GITHUB_SECRET, STRIPE_SECRET and SMILE_SECRET.

use std::collections::HashMap;
use std::convert::Infallible;

use bytes::Bytes;
use hookproof::integrations::tower::{ResponseBody, RouteEvents, WebhookLayer};
use hookproof::route::{EventMeta, EventRouter};
use hookproof::{presets, ReplayProtection, Scheme, Verifier};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tower::util::BoxCloneSyncService;
use tower::{Layer as _, ServiceExt as _};

type Endpoint = BoxCloneSyncService<http::Request<Incoming>, http::Response<ResponseBody<Full<Bytes>>>, Infallible>;

#[derive(Deserialize)]
struct Push {
    r#ref: String,
}

/// One provider's endpoint: verified, deduplicated, routed by event type.
fn endpoint(scheme: Scheme, secret: &str, events: EventRouter<String>) -> Endpoint {
    let verifier = Verifier::builder(scheme).secret(secret).build().expect("a valid secret");
    let replay = ReplayProtection::memory(&verifier);
    BoxCloneSyncService::new(WebhookLayer::new(verifier).replay(replay).layer(RouteEvents::new(events)))
}

fn endpoints(github: &str, stripe: &str, smile: &str) -> HashMap<&'static str, Endpoint> {
    let github_events = EventRouter::new(&presets::github())
        .on("push", |push: Push, _: EventMeta| async move { format!("push to {}", push.r#ref) });
    let stripe_events = EventRouter::new(&presets::stripe()).on(
        "invoice.paid",
        |invoice: serde_json::Value, _: EventMeta| async move { format!("paid {}", invoice["id"]) },
    );
    let smile_events = EventRouter::new(&presets::smile())
        .on("customer/updated", |_: serde_json::Value, _: EventMeta| async move { "customer".to_owned() });
    HashMap::from([
        ("/webhooks/github", endpoint(presets::github(), github, github_events)),
        ("/webhooks/stripe", endpoint(presets::stripe(), stripe, stripe_events)),
        ("/webhooks/smile", endpoint(presets::smile(), smile, smile_events)),
    ])
}

/// Serves the endpoints by path; any other path is 404.
async fn serve(listener: tokio::net::TcpListener, endpoints: HashMap<&'static str, Endpoint>) -> std::io::Result<()> {
    loop {
        let (stream, _) = listener.accept().await?;
        let endpoints = endpoints.clone();
        let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
            let endpoint = endpoints.get(request.uri().path()).cloned();
            async move {
                match endpoint {
                    Some(endpoint) => endpoint.oneshot(request).await,
                    None => Ok(http::Response::builder().status(404).body(ResponseBody::new(Full::default())).unwrap()),
                }
            }
        });
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let secret = |name: &str| std::env::var(name).unwrap_or_else(|_| format!("demo-{name}"));
    let endpoints = endpoints(&secret("GITHUB_SECRET"), &secret("STRIPE_SECRET"), &secret("SMILE_SECRET"));
    serve(tokio::net::TcpListener::bind("127.0.0.1:3000").await?, endpoints).await
}

#[cfg(test)]
mod tests {
    use hookproof::{presets, Signer};
    use hookproof_test_support::Request;

    /// POSTs over a real connection; the status line and body.
    async fn send(addr: std::net::SocketAddr, path: &str, headers: http::HeaderMap, body: &str) -> String {
        let request = Request::post(path).header("host", "x").headers(&headers).body(body);
        let answer = request.send_async(addr).await.unwrap();
        format!("{} {}", answer.status_line(), answer.text())
    }

    #[tokio::test]
    async fn three_providers_one_server() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(super::serve(listener, super::endpoints("g", "s", "m")));
        let body = r#"{"ref":"refs/heads/main"}"#;
        let mut github = Signer::new(presets::github(), "g").unwrap().sign(body.as_bytes());
        github.insert("x-github-event", "push".parse().unwrap());
        assert_eq!(send(addr, "/webhooks/github", github, body).await, "HTTP/1.1 200 OK push to refs/heads/main");
        let invoice = r#"{"id":"evt_1","type":"invoice.paid"}"#;
        let stripe = Signer::new(presets::stripe(), "s").unwrap().sign(invoice.as_bytes());
        assert_eq!(send(addr, "/webhooks/stripe", stripe, invoice).await, r#"HTTP/1.1 200 OK paid "evt_1""#);
        let update = r#"{"account_id":1,"topic":"customer/updated","data":{}}"#;
        let wrong = Signer::new(presets::smile(), "g").unwrap().sign(update.as_bytes());
        assert!(send(addr, "/webhooks/smile", wrong, update).await.starts_with("HTTP/1.1 401"));
        let smile = Signer::new(presets::smile(), "m").unwrap().sign(update.as_bytes());
        assert_eq!(send(addr, "/webhooks/smile", smile, update).await, "HTTP/1.1 200 OK customer");
        assert!(send(addr, "/elsewhere", http::HeaderMap::new(), "").await.starts_with("HTTP/1.1 404"));
        server.abort();
    }
}
