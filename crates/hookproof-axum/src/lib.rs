//! hookproof for axum: the handler gets a verified, typed webhook event, or
//! never runs.
//!
//! [`Webhook<T>`] reads the request body under the verifier's limit, checks
//! the signature and freshness, decodes the JSON body into `T` and hands it
//! to the handler together with the event's id and timestamp. [`RawWebhook`]
//! does the same without decoding; [`dispatch`] routes by event type. Any
//! failure answers with a [`WebhookRejection`]: the status and JSON error
//! body of the hookproof behaviour contract.
//!
//! Each route names its provider once, with a layer: hookproof's tower
//! `WebhookLayer` (which verifies, and adds replay protection or the inbox
//! when asked) or an `axum::Extension(Arc<Verifier>)`. The router's state is
//! yours: many providers, one app, no `FromRef`.
//!
//! ```
//! use std::sync::Arc;
//!
//! use axum::{body::Body, http::Request, routing::post, Extension, Router};
//! use hookproof_axum::{RawWebhook, Webhook};
//! use hookproof_core::events::SmileEnvelope;
//! use hookproof_core::{presets, Signer, Verifier};
//! use tower::ServiceExt as _;
//!
//! // Runs only for a delivery that verified and decoded.
//! async fn smile(webhook: Webhook<SmileEnvelope>) -> String {
//!     format!("{} at {:?}", webhook.event.topic, webhook.timestamp())
//! }
//!
//! async fn github(webhook: RawWebhook) -> String {
//!     format!("{} bytes from GitHub", webhook.body.len())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let smile_verifier = Arc::new(Verifier::builder(presets::smile()).secret("s3cret").build()?);
//! let github_verifier = Arc::new(Verifier::builder(presets::github()).secret("g1thub").build()?);
//! let app = Router::new()
//!     .route("/webhooks/smile", post(smile).layer(Extension(smile_verifier)))
//!     .route("/webhooks/github", post(github).layer(Extension(github_verifier)));
//!
//! // A delivery as Smile sends it...
//! let body = r#"{"account_id":1,"topic":"ping","data":{}}"#;
//! let mut request = Request::post("/webhooks/smile").body(Body::from(body))?;
//! request.headers_mut().extend(Signer::new(presets::smile(), "s3cret")?.sign(body.as_bytes()));
//! let response = app.clone().oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//!
//! // ...and one signed with another secret: 401, the handler never ran.
//! let mut forged = Request::post("/webhooks/smile").body(Body::from(body))?;
//! forged.headers_mut().extend(Signer::new(presets::smile(), "guess")?.sign(body.as_bytes()));
//! let response = app.oneshot(forged).await?;
//! assert_eq!(response.status(), 401);
//! # Ok(())
//! # }
//! ```
//!
//! Replay protection and the inbox need hookproof's tower `WebhookLayer`
//! (`post(handler).layer(WebhookLayer::new(verifier).replay(protection))`):
//! an extractor runs before the handler and cannot see whether it
//! succeeded. A route with neither a layer nor an `Extension` verifier is
//! answered 500 `verifier_not_configured`, never trusted.
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
//! # Setup handshakes and URL-signed schemes
//!
//! The tower `WebhookLayer` answers [setup handshakes](hookproof_core::handshake),
//! the extractors do not; both verify URL-signed schemes (Twilio, Square,
//! HubSpot). See [the core](hookproof_core::handshake#in-the-adapters).
//!
//! [`Verifier`]: hookproof_core::Verifier
//! [`Verified`]: hookproof_core::Verified

mod extract;
mod rejection;
mod route;

pub use extract::{RawWebhook, Webhook};
pub use rejection::WebhookRejection;
pub use route::dispatch;
