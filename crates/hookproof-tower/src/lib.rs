//! hookproof for tower: a [`Layer`](tower_layer::Layer) that verifies
//! webhook deliveries in front of any http service (hyper 1 through
//! `hyper-util`, axum's `Router::layer` / `route_layer`, or any other tower
//! stack).
//!
//! [`WebhookLayer`] refuses an unsigned, malformed, stale or oversized
//! delivery before reading its body ([`Verifier::begin_received`]), reads
//! the body under the verifier's limit as it streams, verifies it with a
//! [`Verifier`], and calls the inner service with the same bytes as a
//! [`Full<Bytes>`](http_body_util::Full) body and the [`Verified`] result in
//! its extensions. A refused delivery never reaches the inner service.
//!
//! ```
//! use std::convert::Infallible;
//! use std::sync::Arc;
//!
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use hookproof_core::{presets, Signer, Verified, Verifier};
//! use hookproof_tower::WebhookLayer;
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let verifier = Arc::new(Verifier::builder(presets::github()).secret("s3cret").build()?);
//! let service = ServiceBuilder::new().layer(WebhookLayer::new(verifier)).service_fn(
//!     |request: Request<Full<Bytes>>| async move {
//!         // Only verified deliveries get here, with the result beside the body.
//!         assert_eq!(request.extensions().get::<Verified>().map(Verified::scheme), Some("github"));
//!         Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"thanks"))))
//!     },
//! );
//!
//! // A delivery signed the way GitHub signs it is handed to the service.
//! let body = r#"{"zen":"Keep it logically awesome."}"#;
//! let mut request = Request::post("/webhooks").body(Full::new(Bytes::from(body)))?;
//! request.headers_mut().extend(Signer::new(presets::github(), "s3cret")?.sign(body.as_bytes()));
//! let response = service.clone().oneshot(request).await?;
//! assert_eq!(response.status(), 200);
//! assert_eq!(response.into_body().collect().await?.to_bytes(), "thanks");
//!
//! // An unsigned one is answered by the layer: 400 missing_header.
//! let request = Request::post("/webhooks").body(Full::new(Bytes::from(body)))?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.status(), 400);
//! let error: serde_json::Value = serde_json::from_slice(&response.into_body().collect().await?.to_bytes())?;
//! assert_eq!(error["error"], "missing_header");
//! # Ok(())
//! # }
//! ```
//!
//! # Answers
//!
//! Refusals, duplicates and handler failures are answered as [the
//! contract](hookproof_core::VerifyError#the-answer-to-every-outcome) says,
//! the same in every adapter (JSON, see [`error_response`]); the duplicate,
//! `in_flight`, replay store and handler rows need [replay
//! protection](#replay-protection), without which a panic goes to the server.
//!
//! # Replay protection
//!
//! Providers deliver at least once: the same event can arrive twice, or
//! twice at the same moment. [`WebhookLayer::replay`] runs the inner service
//! once per event with a [`ReplayProtection`] (in memory for one process,
//! `hookproof-redis` across several): what is answered before the service
//! runs, and how its outcome settles the claim (a dropped response future
//! releases it), is the core's [intake table](hookproof_core::intake) and
//! [`Claim::run`](hookproof_core::Claim::run); which deliveries are the same
//! event, its [identity](hookproof_core::identity) rule.
//!
//! ```
//! use std::convert::Infallible;
//!
//! use bytes::Bytes;
//! use http::{Request, Response};
//! use http_body_util::{BodyExt, Full};
//! use hookproof_core::{presets, ReplayProtection, Signer, Verifier};
//! use hookproof_tower::WebhookLayer;
//! use tower::{Layer, ServiceExt};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
//! let verifier = Verifier::builder(presets::standard_webhooks()).secret("whsec_c2VjcmV0").build()?;
//! let replay = ReplayProtection::memory(&verifier);
//! let service = WebhookLayer::new(verifier).replay(replay).layer(tower::service_fn(
//!     |_: Request<Full<Bytes>>| async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("processed")))) },
//! ));
//!
//! // The same delivery twice: processed once, then acknowledged as a duplicate.
//! let body = r#"{"type":"invoice.paid"}"#;
//! let headers = Signer::new(presets::standard_webhooks(), "whsec_c2VjcmV0")?.sign(body.as_bytes());
//! for expected in ["processed", r#"{"status":"duplicate"}"#] {
//!     let mut request = Request::post("/webhooks").body(Full::new(Bytes::from(body)))?;
//!     *request.headers_mut() = headers.clone();
//!     let response = service.clone().oneshot(request).await?;
//!     assert_eq!(response.status(), 200);
//!     assert_eq!(response.into_body().collect().await?.to_bytes(), expected);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Inbox mode
//!
//! Providers want a 2xx within seconds and retry what they do not get;
//! handlers are slow and fail. [`WebhookLayer::inbox`] stores each verified
//! delivery in an inbox (the `hookproof-inbox` crate: SQLite or PostgreSQL)
//! and acknowledges it only once it is on disk; the handler runs in the
//! inbox's workers. See [`hookproof_core::sink`] for the answers.
//!
//! ```
//! use hookproof_core::{presets, Verifier};
//! use hookproof_tower::{Accept, WebhookLayer};
//! use tower::Layer;
//!
//! # fn app(inbox: impl hookproof_core::DeliverySink + 'static) -> Result<(), hookproof_core::ConfigError> {
//! let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
//! // 202 once stored, 200 duplicate, 503 inbox_unavailable; with axum:
//! // Router::new().route_service("/webhooks", service)
//! let service = WebhookLayer::new(verifier).inbox(inbox).layer(Accept);
//! # drop(service);
//! # Ok(())
//! # }
//! ```
//!
//! # Setup handshakes and URL-signed schemes
//!
//! The layer answers its verifier's [setup handshakes](hookproof_core::handshake)
//! and verifies URL-signed schemes (Twilio, Square, HubSpot), as [the core
//! says](hookproof_core::handshake#in-the-adapters).
//!
//! # With axum
//!
//! Add the layer with `Router::route_layer` (only matched routes are
//! verified) or `Router::layer` (every request, fallback included). The
//! hookproof axum extractor finds the [`Verified`] the layer inserted and
//! does not verify twice. Replay protection and the inbox need this layer:
//! an extractor runs before the handler and cannot see its outcome.

mod future;
mod layer;
mod response;
mod route;
mod service;

pub use future::ResponseFuture;
pub use layer::WebhookLayer;
pub use response::{error_response, Accept, ResponseBody};
pub use route::RouteEvents;
pub use service::VerifyWebhook;

#[doc(no_inline)]
pub use hookproof_core::{ReplayProtection, Verified, Verifier, VerifyError};

/// The error type a request body may fail with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;
