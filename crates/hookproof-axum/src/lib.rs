//! hookproof for axum: the handler gets a verified, typed webhook event, or
//! never runs.
//!
//! [`Webhook<T>`] reads the request body under the verifier's limit, checks
//! the signature and freshness with the [`Verifier`] found in your state
//! (through [`FromRef`]), decodes the JSON body into `T` and hands it to the
//! handler together with the event's id and timestamp. [`RawWebhook`] does
//! the same without decoding. Any failure answers with a
//! [`WebhookRejection`]: the status and JSON error body of the hookproof
//! behaviour contract.
//!
//! ```
//! use std::sync::Arc;
//!
//! use axum::{body::Body, extract::FromRef, http::Request, routing::post, Router};
//! use hookproof_axum::Webhook;
//! use hookproof_core::events::SmileEnvelope;
//! use hookproof_core::{presets, Signer, Verifier};
//! use tower::ServiceExt as _;
//!
//! #[derive(Clone)]
//! struct AppState {
//!     verifier: Arc<Verifier>,
//! }
//!
//! impl FromRef<AppState> for Arc<Verifier> {
//!     fn from_ref(state: &AppState) -> Self {
//!         state.verifier.clone()
//!     }
//! }
//!
//! // Runs only for a delivery that verified and decoded.
//! async fn smile(webhook: Webhook<SmileEnvelope>) -> String {
//!     format!("{} at {:?}", webhook.event.topic, webhook.timestamp())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::builder(presets::smile()).secret("s3cret").build()?;
//! let app = Router::new().route("/webhooks", post(smile)).with_state(AppState { verifier: Arc::new(verifier) });
//!
//! // A delivery as Smile sends it...
//! let body = r#"{"account_id":1,"topic":"ping","data":{}}"#;
//! let mut request = Request::post("/webhooks").body(Body::from(body))?;
//! request.headers_mut().extend(Signer::new(presets::smile(), "s3cret")?.sign(body.as_bytes()));
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//!
//! // ...and one signed with another secret: 401, the handler never ran.
//! let mut forged = Request::post("/webhooks").body(Body::from(body))?;
//! forged.headers_mut().extend(Signer::new(presets::smile(), "guess")?.sign(body.as_bytes()));
//! let response = app.oneshot(forged).await?;
//! assert_eq!(response.status(), 401);
//! # Ok(())
//! # }
//! ```
//!
//! # Last extractor
//!
//! Both extractors consume the request body, so they must be the **last**
//! argument of the handler (axum refuses to compile a handler with a body
//! extractor anywhere else, and with two of them). Extractors that only read
//! headers, the path or the state go before it.
//!
//! # With a hookproof tower layer in front
//!
//! When a layer in front of the router has already verified the delivery, it
//! puts the [`Verified`] into the request extensions and the verified bytes
//! back into the body. The extractors then use that [`Verified`] as is and
//! do not verify a second time: they only read the body (still under the
//! verifier's limit) and decode it.
//!
//! # Rejections
//!
//! See [`WebhookRejection`] for the full list: 400 `missing_header`,
//! `malformed_header` or `body_read_failed`, 401 `signature_mismatch`,
//! `timestamp_too_old` or `timestamp_in_future`, 413 `body_too_large`, 422
//! `invalid_payload`.
//!
//! [`FromRef`]: axum_core::extract::FromRef
//! [`Verifier`]: hookproof_core::Verifier
//! [`Verified`]: hookproof_core::Verified

mod body;
mod extract;
mod rejection;
mod route;

pub use extract::{RawWebhook, Webhook};
pub use rejection::WebhookRejection;
pub use route::dispatch;
