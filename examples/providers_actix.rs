//! One actix-web app receiving GitHub, Stripe and Smile: each resource names
//! its provider once (the middleware), and events are routed to typed
//! handlers by type.
//!
//! Run: `cargo run --example providers_actix --features actix`, then POST
//! deliveries to http://127.0.0.1:3000/webhooks/{github,stripe,smile}.
//! Secrets come from GITHUB_SECRET, STRIPE_SECRET and SMILE_SECRET.

use std::sync::Arc;

use actix_web::dev::HttpServiceFactory;
use actix_web::{web, App, HttpRequest, HttpServer};
use hookproof::integrations::actix::{dispatch, RawWebhook, WebhookMiddleware};
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

/// One provider's verifier, replay protection and event routes, built once
/// and shared by every worker.
#[derive(Clone)]
struct Provider(Arc<Verifier>, ReplayProtection, Arc<EventRouter<String>>);

fn provider(scheme: Scheme, secret: &str, events: EventRouter<String>) -> Provider {
    let verifier = Verifier::builder(scheme).secret(secret).build().expect("a valid secret");
    let replay = ReplayProtection::memory(&verifier);
    Provider(Arc::new(verifier), replay, Arc::new(events))
}

fn resource(path: &str, Provider(verifier, replay, events): Provider) -> impl HttpServiceFactory {
    web::resource(path).wrap(WebhookMiddleware::new(verifier).replay(replay)).route(web::post().to(
        move |request: HttpRequest, webhook: RawWebhook| {
            let events = Arc::clone(&events);
            async move { dispatch(&events, &request, webhook).await }
        },
    ))
}

fn providers(github: &str, stripe: &str, smile: &str) -> [(&'static str, Provider); 3] {
    let github_events = EventRouter::new(&presets::github())
        .on("push", |push: Push, _: EventMeta| async move { format!("push to {}", push.r#ref) });
    let stripe_events = EventRouter::new(&presets::stripe())
        .on("invoice.paid", |invoice: Invoice, _: EventMeta| async move { format!("paid {}", invoice.id) });
    let smile_events =
        EventRouter::new(&presets::smile()).on("customer/updated", |customer: Customer, _: EventMeta| async move {
            format!("customer {}", customer.data)
        });
    [
        ("/webhooks/github", provider(presets::github(), github, github_events)),
        ("/webhooks/stripe", provider(presets::stripe(), stripe, stripe_events)),
        ("/webhooks/smile", provider(presets::smile(), smile, smile_events)),
    ]
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let secret = |name: &str| std::env::var(name).unwrap_or_else(|_| format!("demo-{name}"));
    let providers = providers(&secret("GITHUB_SECRET"), &secret("STRIPE_SECRET"), &secret("SMILE_SECRET"));
    HttpServer::new(move || {
        providers.iter().fold(App::new(), |app, (path, provider)| app.service(resource(path, provider.clone())))
    })
    .bind("127.0.0.1:3000")?
    .run()
    .await
}

#[cfg(test)]
mod tests {
    use actix_web::{test, App};
    use hookproof::{presets, Signer};

    #[actix_web::test]
    async fn three_providers_one_app() {
        let providers = super::providers("g", "s", "m");
        let app = test::init_service(
            providers
                .iter()
                .fold(App::new(), |app, (path, provider)| app.service(super::resource(path, provider.clone()))),
        )
        .await;
        let send = |path: &'static str, headers: http::HeaderMap, body: &'static str| {
            let mut request = test::TestRequest::post().uri(path).set_payload(body);
            for (name, value) in &headers {
                request = request.insert_header((name.as_str(), value.to_str().unwrap()));
            }
            request.to_request()
        };
        let body = r#"{"ref":"refs/heads/main"}"#;
        let mut github = Signer::new(presets::github(), "g").unwrap().sign(body.as_bytes());
        github.insert("x-github-event", "push".parse().unwrap());
        let response = test::call_service(&app, send("/webhooks/github", github, body)).await;
        assert_eq!(test::read_body(response).await, "push to refs/heads/main");
        let invoice = r#"{"id":"evt_1","type":"invoice.paid"}"#;
        let stripe = Signer::new(presets::stripe(), "s").unwrap().sign(invoice.as_bytes());
        let response = test::call_service(&app, send("/webhooks/stripe", stripe, invoice)).await;
        assert_eq!(test::read_body(response).await, "paid evt_1");
        let update = r#"{"account_id":1,"topic":"customer/updated","data":{"id":7}}"#;
        let wrong = Signer::new(presets::smile(), "g").unwrap().sign(update.as_bytes());
        let response = test::call_service(&app, send("/webhooks/smile", wrong, update)).await;
        assert_eq!(response.status().as_u16(), 401);
        let smile = Signer::new(presets::smile(), "m").unwrap().sign(update.as_bytes());
        let response = test::call_service(&app, send("/webhooks/smile", smile, update)).await;
        assert_eq!(test::read_body(response).await, r#"customer {"id":7}"#);
    }
}
