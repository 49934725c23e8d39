//! hookproof for tower: a [`Layer`](tower_layer::Layer) that verifies
//! webhook deliveries in front of any http service (hyper 1 through
//! `hyper-util`, axum's `Router::layer` / `route_layer`, or any other tower
//! stack).
//!
//! [`WebhookLayer`] reads the request body under the verifier's limit while
//! it streams (a `Content-Length` over the limit is refused before reading
//! anything), verifies the delivery with a [`Verifier`], and calls the inner
//! service with a request carrying the same bytes as a
//! [`Full<Bytes>`](http_body_util::Full) body and the [`Verified`] result in
//! its extensions. A refused delivery never reaches the inner service: it is
//! answered with the status and JSON body of hookproof's behaviour contract
//! ([`VerifyError::status`], [`VerifyError::json_body`]).
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
//! | outcome | status | `error` code |
//! |---|---|---|
//! | verified | the inner service's response | — |
//! | a required header missing | 400 | `missing_header` |
//! | a header present but unusable | 400 | `malformed_header` |
//! | no secret matches | 401 | `signature_mismatch` |
//! | timestamp too old / too far ahead | 401 | `timestamp_too_old` / `timestamp_in_future` |
//! | `Content-Length` or streamed body over [`Verifier::body_limit`] | 413 | `body_too_large` |
//! | the body failed while being read | 400 | `body_read_failed` |
//!
//! Every refusal has `Content-Type: application/json` and the body
//! `{"error": "<code>", "message": "<short text>"}`; see [`error_response`].
//!
//! # With axum
//!
//! Add the layer with `Router::route_layer` (only matched routes are
//! verified) or `Router::layer` (every request, fallback included). The
//! hookproof axum extractor finds the [`Verified`] the layer inserted and
//! does not verify twice.

mod future;
mod layer;
mod response;
mod service;

pub use future::ResponseFuture;
pub use layer::WebhookLayer;
pub use response::{error_response, ResponseBody};
pub use service::Webhook;

#[doc(no_inline)]
pub use hookproof_core::{Verified, Verifier, VerifyError};

/// The error type a request body may fail with.
type BoxError = Box<dyn std::error::Error + Send + Sync>;
