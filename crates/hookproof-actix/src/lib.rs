//! hookproof for actix-web: verified, typed webhooks.
//!
//! - [`WebhookMiddleware`] (a [`Transform`](actix_web::dev::Transform)) reads
//!   the body under the limit, verifies it, stores the result in the request
//!   extensions and hands the handler the payload intact;
//! - [`Webhook<T>`] and [`RawWebhook`] are extractors that reuse the
//!   middleware's result, or verify alone with the [`Verifier`](hookproof_core::Verifier) from
//!   `app_data` (`web::Data<Verifier>` or `Arc<Verifier>`) through the same
//!   code path;
//! - [`guard::scheme`] routes requests by which provider's signature header
//!   they carry. Guards cannot read bodies: a guard only routes, the
//!   middleware or an extractor verifies.
//!
//! Every refusal is a [`WebhookError`], answered through
//! [`ResponseError`](actix_web::ResponseError) with the status and
//! `{"error": "<code>", "message": "..."}` body that every hookproof adapter
//! uses (400 `missing_header` / `malformed_header`, 401
//! `signature_mismatch` / `timestamp_too_old` / `timestamp_in_future`, 413
//! `body_too_large`, 422 `invalid_payload`).
//!
//! # Replay protection
//!
//! [`WebhookMiddleware::replay`] runs each event's handler once: a
//! duplicate of an event already processed is answered 200
//! `{"status":"duplicate"}` without running the handler, the same event
//! arriving while it is being processed 409 `in_flight`, and an unreachable
//! replay store 503 `replay_store_unavailable`. The event is marked processed
//! only when the handler answers 2xx; a failed, erroring, panicking or timed
//! out handler (500 `handler_panicked`, 503 `handler_timed_out`, both rows of
//! the core's contract) leaves it to be processed again on the sender's retry.
//!
//! Replay protection needs the middleware. An extractor used alone, without
//! it, cannot see the handler's outcome, so it cannot do replay protection:
//! wrap the route or scope with
//! `WebhookMiddleware::new(verifier).replay(protection)` and let the
//! extractors reuse the middleware's result.
//!
//! ```
//! use actix_web::{test, web, App, HttpResponse};
//! use hookproof_actix::{Webhook, WebhookMiddleware};
//! use hookproof_core::{presets, ReplayProtection, Signer, Verifier};
//!
//! # actix_web::rt::System::new().block_on(async {
//! let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
//! let verifier = Verifier::builder(presets::standard_webhooks()).secret(secret).build()?;
//! let replay = ReplayProtection::memory(&verifier);
//! let app = test::init_service(App::new().service(
//!     web::resource("/webhooks")
//!         .wrap(WebhookMiddleware::new(verifier).replay(replay))
//!         .route(web::post().to(|_: Webhook<serde_json::Value>| async { HttpResponse::Ok().body("processed") })),
//! ))
//! .await;
//!
//! let body = r#"{"type":"order.paid"}"#;
//! let headers = Signer::new(presets::standard_webhooks(), secret)?.sign(body.as_bytes());
//! let send = || {
//!     let mut request = test::TestRequest::post().uri("/webhooks").set_payload(body);
//!     for (name, value) in &headers {
//!         request = request.insert_header((name.as_str(), value.to_str().unwrap()));
//!     }
//!     request.to_request()
//! };
//! assert_eq!(test::call_and_read_body(&app, send()).await, "processed");
//! // The sender retries the same event: acknowledged, not processed again.
//! assert_eq!(test::call_and_read_body(&app, send()).await, r#"{"status":"duplicate"}"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ```
//! use actix_web::{test, web, App, HttpResponse};
//! use hookproof_actix::{Webhook, WebhookMiddleware};
//! use hookproof_core::events::SmileEnvelope;
//! use hookproof_core::{presets, Signer, Verifier};
//!
//! async fn receive(hook: Webhook<SmileEnvelope>) -> HttpResponse {
//!     HttpResponse::Ok().body(format!("{} at {:?}", hook.topic, hook.verified().timestamp()))
//! }
//!
//! # actix_web::rt::System::new().block_on(async {
//! let verifier = Verifier::builder(presets::smile()).secret("s3cret").build()?;
//! let app = test::init_service(App::new().service(
//!     web::resource("/webhooks").wrap(WebhookMiddleware::new(verifier)).route(web::post().to(receive)),
//! ))
//! .await;
//!
//! // A delivery signed the way Smile signs it.
//! let body = r#"{"account_id":1,"topic":"ping","data":{}}"#;
//! let mut request = test::TestRequest::post().uri("/webhooks").set_payload(body);
//! for (name, value) in &Signer::new(presets::smile(), "s3cret")?.sign(body.as_bytes()) {
//!     request = request.insert_header((name.as_str(), value.to_str()?));
//! }
//! let response = test::call_service(&app, request.to_request()).await;
//! assert_eq!(response.status(), 200);
//!
//! // Unsigned: refused before the handler runs.
//! let request = test::TestRequest::post().uri("/webhooks").set_payload(body).to_request();
//! let response = test::call_service(&app, request).await;
//! assert_eq!(response.status(), 400);
//! let error: serde_json::Value = test::read_body_json(response).await;
//! assert_eq!(error["error"], "missing_header");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A server is the usual actix-web one:
//!
//! ```no_run
//! use std::sync::Arc;
//! use actix_web::{web, App, HttpResponse, HttpServer};
//! use hookproof_actix::RawWebhook;
//! use hookproof_core::{presets, Verifier};
//!
//! #[actix_web::main]
//! async fn main() -> std::io::Result<()> {
//!     let verifier = Arc::new(Verifier::builder(presets::github()).secret("s3cret").build().unwrap());
//!     HttpServer::new(move || {
//!         App::new()
//!             .app_data(web::Data::from(Arc::clone(&verifier)))
//!             .route("/webhooks", web::post().to(|hook: RawWebhook| async move {
//!                 HttpResponse::Ok().body(format!("{} bytes", hook.body.len()))
//!             }))
//!     })
//!     .bind(("127.0.0.1", 3000))?
//!     .run()
//!     .await
//! }
//! ```

mod delivery;
mod error;
mod extract;
pub mod guard;
mod headers;
mod middleware;
mod route;

pub use error::{WebhookError, MISSING_VERIFIER_CODE};
pub use extract::{RawWebhook, Webhook};
pub use guard::SignatureGuard;
pub use headers::ActixHeaders;
pub use middleware::{accepted, WebhookMiddleware, WebhookService};
pub use route::dispatch;
