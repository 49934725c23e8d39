//! [`Webhook`] and [`RawWebhook`]: the extractors.

use std::sync::Arc;

use axum_core::extract::{FromRequest, Request};
use bytes::Bytes;
use hookproof_core::{read_body, BodyCollector, Verified, Verifier, VerifyError};
use serde::de::DeserializeOwned;

use crate::WebhookRejection;

/// A verified webhook whose JSON body decoded into `T`.
///
/// The route names its provider once, with a layer: put hookproof's tower
/// `WebhookLayer` in front of it (it verifies, and this extractor takes its
/// [`Verified`] result), or an `axum::Extension(Arc<Verifier>)` layer (this
/// extractor verifies). The router's state is not used, so one app can
/// serve many providers whatever its state is. Extraction:
///
/// 1. refuses a `Content-Length` over [`Verifier::body_limit`], then reads
///    the body frame by frame and stops as soon as it passes the limit;
/// 2. verifies signature and freshness against the system clock, unless a
///    layer in front already did (a [`Verified`] in the request extensions
///    is used as is, see the [crate docs](crate#with-a-hookproof-tower-layer-in-front));
/// 3. decodes the body as JSON into `T`.
///
/// It consumes the body: it must be the **last** extractor of the handler.
///
/// # Rejections
///
/// Every failure is a [`WebhookRejection`] (it lists them all); 422
/// `invalid_payload` means verified, but not a `T`.
///
/// ```
/// use hookproof_axum::Webhook;
/// use hookproof_core::events::SmileEnvelope;
///
/// async fn handler(Webhook { event, verified }: Webhook<SmileEnvelope>) -> &'static str {
///     println!("{} from account {} at {:?}", event.topic, event.account_id, verified.timestamp());
///     "ok"
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Webhook<T> {
    /// The decoded body.
    pub event: T,
    /// What verification established: id, timestamp, scheme.
    pub verified: Verified,
}

hookproof_core::__webhook_extractor_accessors!(Webhook, RawWebhook, WebhookRejection);

impl<S, T> FromRequest<S> for Webhook<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let RawWebhook { body, verified } = RawWebhook::from_request(request, state).await?;
        let event = verified.decode(&body)?;
        Ok(Self { event, verified })
    }
}

/// A verified webhook with its body as raw bytes, for payloads that are not
/// JSON or that you decode yourself.
///
/// Same steps and same [rejections](WebhookRejection) as [`Webhook`], minus
/// the decoding (so never 422). It consumes the body: it must be the
/// **last** extractor of the handler.
///
/// ```
/// use hookproof_axum::RawWebhook;
///
/// async fn handler(webhook: RawWebhook) -> String {
///     format!("{} verified bytes, id {:?}", webhook.body.len(), webhook.id())
/// }
/// ```
#[derive(Debug, Clone)]
pub struct RawWebhook {
    /// The body exactly as received (and verified).
    pub body: Bytes,
    /// What verification established: id, timestamp, scheme.
    pub verified: Verified,
}

impl<S> FromRequest<S> for RawWebhook
where
    S: Send + Sync,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let verifier = parts.extensions.get::<Arc<Verifier>>().cloned();
        // A layer in front may have verified this delivery already (and
        // bounded its body); a verifier alongside keeps its limit.
        if let Some(verified) = parts.extensions.remove::<Verified>() {
            let limit = verifier.as_ref().map_or(usize::MAX, |verifier| verifier.body_limit());
            let mut collector = BodyCollector::for_headers(&parts.headers, limit)?;
            read_body(body, &mut collector).await?;
            return Ok(Self { body: collector.finish(), verified });
        }
        let verifier = verifier.ok_or(VerifyError::VerifierNotConfigured)?;
        // Refuses oversized, unsigned or stale deliveries before reading their bodies.
        let mut delivery = verifier.begin_received(&parts.headers, parts.method.as_str(), &parts.uri)?;
        read_body(body, &mut delivery).await?;
        let (verified, body) = verifier.finish(delivery)?;
        Ok(Self { body, verified })
    }
}
