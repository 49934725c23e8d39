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

#[path = "support/smile_receiver.rs"]
mod smile_receiver;

use actix_web::{web, App, HttpResponse, HttpServer};
use hookproof::actix::{Webhook, WebhookMiddleware};
use hookproof::events::SmileEnvelope;
use hookproof::JSON_CONTENT_TYPE;

async fn receive(hook: Webhook<SmileEnvelope>) -> HttpResponse {
    let answer = smile_receiver::handle(hook.verified(), &hook.event);
    HttpResponse::Ok().content_type(JSON_CONTENT_TYPE).body(answer)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let config = smile_receiver::Config::from_env();
    let verifier = config.verifier;
    let server = HttpServer::new(move || {
        App::new().service(
            web::resource("/webhooks")
                .route(web::post().to(receive).wrap(WebhookMiddleware::new(std::sync::Arc::clone(&verifier)))),
        )
    })
    .workers(2)
    .bind(config.addr)?;
    eprintln!("listening on http://{}/webhooks", config.addr);
    server.run().await
}
