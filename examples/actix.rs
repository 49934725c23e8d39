//! Smile receiver on actix-web.
//!
//! ```text
//! HOOKPROOF_SECRET=... PORT=3000 cargo run --example actix --features actix
//! ```
//!
//! POST `/webhooks` takes Smile deliveries: [`WebhookMiddleware`] reads the
//! body under the limit and verifies `Smile-Signature` / `Smile-Timestamp`
//! (400, 401, 413 otherwise), then the [`Webhook`] extractor reuses that
//! result and decodes the envelope (422 when it is not one). Each verified
//! event is printed as one JSON line on stdout; `ping` and unknown topics are
//! acknowledged. A missing `HOOKPROOF_SECRET` exits with code 2.
//!
//! Replay protection is on, in this process's memory: a delivery already
//! processed is answered 200 `{"status":"duplicate"}` without running the
//! handler (so it prints no second line), one being processed right now 409
//! `in_flight`. An event is remembered only once the handler answered 2xx.

#[path = "support/smile_receiver.rs"]
mod smile_receiver;

use actix_web::{web, App, HttpResponse, HttpServer};
use hookproof::events::SmileEnvelope;
use hookproof::integrations::actix::{Webhook, WebhookMiddleware};
use hookproof::{ReplayProtection, JSON_CONTENT_TYPE};

async fn receive(hook: Webhook<SmileEnvelope>) -> HttpResponse {
    let answer = smile_receiver::handle(hook.verified(), &hook.event);
    HttpResponse::Ok().content_type(JSON_CONTENT_TYPE).body(answer)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let config = smile_receiver::Config::from_env();
    let verifier = config.verifier;
    // Built once, outside the factory: both workers share one store.
    let replay = ReplayProtection::memory(&verifier);
    let server = HttpServer::new(move || {
        let webhooks = WebhookMiddleware::new(std::sync::Arc::clone(&verifier)).replay(replay.clone());
        App::new().service(web::resource("/webhooks").route(web::post().to(receive).wrap(webhooks)))
    })
    .workers(2)
    .bind(config.addr)?;
    eprintln!("listening on http://{}/webhooks", config.addr);
    server.run().await
}
