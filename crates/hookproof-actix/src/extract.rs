//! [`Webhook<T>`] and [`RawWebhook`]: verified deliveries as handler arguments.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use bytes::Bytes;
use futures_util::future::LocalBoxFuture;
use hookproof_core::Verified;
use serde::de::DeserializeOwned;

use crate::delivery::delivery;
use crate::WebhookError;

/// A verified delivery whose JSON body decoded into `T`.
///
/// Works in two setups, with one code path:
///
/// - **behind [`WebhookMiddleware`](crate::WebhookMiddleware)**: the
///   middleware already read and verified the request; the extractor only
///   decodes its bytes (no second verification, no second read);
/// - **alone**: the extractor reads the payload under the limit and verifies
///   it itself, with the verifier found in `app_data`, looked up as
///   `web::Data<Verifier>` first, then as `Arc<Verifier>`. Register it on
///   the app, a scope or a resource:
///   `.app_data(web::Data::new(verifier))`.
///
/// Replay protection needs the middleware: used alone, the extractor
/// cannot see the handler's outcome (it runs before the handler and cannot
/// tell whether the handler then succeeded), so it cannot mark an event
/// processed, and does no replay protection. Wrap the route or scope with
/// `WebhookMiddleware::new(verifier).replay(protection)`
/// ([`WebhookMiddleware::replay`](crate::WebhookMiddleware::replay)); the
/// extractor then reuses the middleware's result.
///
/// The verified delivery is remembered in the request extensions, so a
/// second `Webhook<_>` or [`RawWebhook`] in the same handler reuses it. When
/// the extractor reads the payload itself, the payload is consumed: take
/// [`RawWebhook`] (or use the middleware) rather than `web::Bytes` to see the
/// raw bytes too.
///
/// # Rejections
///
/// The handler does not run; the answer is a [`WebhookError`] with the
/// status and JSON body `{"error": "<code>", "message": "..."}` of [the
/// contract](hookproof_core::VerifyError#the-answer-to-every-outcome): 400,
/// 401, 413, 422 `invalid_payload`, or 500 `verifier_not_configured` when no
/// middleware ran and no verifier is in `app_data`.
///
/// Behind the middleware, the 400/401/413 rows are answered by the
/// middleware itself and only 422 comes from the extractor; with
/// [replay protection](crate::WebhookMiddleware::replay) the middleware also
/// answers duplicates (200), 409 `in_flight`, 503
/// `replay_store_unavailable`, 500 `handler_panicked` and 503 `handler_timed_out`.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookproof_actix::Webhook;
/// use hookproof_core::events::SmileEnvelope;
/// use hookproof_core::{presets, Verifier};
///
/// async fn smile(hook: Webhook<SmileEnvelope>) -> HttpResponse {
///     let at = hook.verified().timestamp();
///     HttpResponse::Ok().body(format!("{} at {at:?}", hook.topic)) // derefs to the event
/// }
///
/// let verifier = Verifier::builder(presets::smile()).secret("s3cret").build()?;
/// let app = App::new()
///     .app_data(web::Data::new(verifier))
///     .route("/webhooks/smile", web::post().to(smile));
/// # drop(app);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Webhook<T> {
    /// The decoded event.
    pub event: T,
    /// What the verification established (scheme, id, timestamp).
    pub verified: Verified,
}

hookproof_core::__webhook_extractor_accessors!(Webhook, RawWebhook, WebhookError);

impl<T: DeserializeOwned + 'static> FromRequest for Webhook<T> {
    type Error = WebhookError;
    type Future = LocalBoxFuture<'static, Result<Self, WebhookError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        // The raw extractor's path, then decoding: one code path for both.
        let raw = RawWebhook::from_request(request, payload);
        Box::pin(async move {
            let RawWebhook { body, verified } = raw.await?;
            Ok(Self { event: verified.decode(&body)?, verified })
        })
    }
}

/// A verified delivery with its body as the exact bytes received, for
/// handlers that decode themselves or need the raw body.
///
/// Same setups and code path as [`Webhook<T>`]: reuses the result of
/// [`WebhookMiddleware`](crate::WebhookMiddleware), or verifies with the
/// `web::Data<Verifier>` (or `Arc<Verifier>`) from `app_data`. Like
/// [`Webhook<T>`], it does no replay protection alone: that needs
/// [`WebhookMiddleware::replay`](crate::WebhookMiddleware::replay).
///
/// # Rejections
///
/// Those of [`Webhook<T>`] except `422 invalid_payload` (nothing is decoded):
/// 400 `missing_header`, `malformed_header` or `body_read_failed`; 401
/// `signature_mismatch`, `timestamp_too_old` or `timestamp_in_future`; 413
/// `body_too_large`; 500 `verifier_not_configured`.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookproof_actix::RawWebhook;
/// use hookproof_core::{presets, Verifier};
///
/// async fn github(hook: RawWebhook) -> HttpResponse {
///     HttpResponse::Ok().body(format!("{} verified bytes, delivery {:?}", hook.body.len(), hook.verified.id()))
/// }
///
/// let verifier = std::sync::Arc::new(Verifier::builder(presets::github()).secret("s3cret").build()?);
/// let app = App::new().app_data(web::Data::from(verifier)).route("/webhooks/github", web::post().to(github));
/// # drop(app);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RawWebhook {
    /// The body exactly as received and verified.
    pub body: Bytes,
    /// What the verification established (scheme, id, timestamp).
    pub verified: Verified,
}

impl FromRequest for RawWebhook {
    type Error = WebhookError;
    type Future = LocalBoxFuture<'static, Result<Self, WebhookError>>;

    fn from_request(request: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let delivery = delivery(request, payload);
        Box::pin(async move {
            let delivery = delivery.await?;
            Ok(Self { body: delivery.body, verified: delivery.verified })
        })
    }
}
