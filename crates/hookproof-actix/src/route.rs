//! [`dispatch`]: an [`EventRouter`] as an actix-web handler's body.

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, Responder};
use hookproof_core::route::{EventMeta, EventRouter, Routed, IGNORED_BODY};
use hookproof_core::JSON_CONTENT_TYPE;

use crate::{RawWebhook, WebhookError};

/// Routes a verified delivery to `router`'s handler for its event type and
/// answers: the handler's response, 200 `{"status":"ignored"}` for a type
/// without a handler, 422 `invalid_payload` for a body that does not decode
/// into the handler's type. See [`hookproof_core::route`].
///
/// Handlers return any `Responder` that is `Send` (a `String`, a
/// `(String, StatusCode)`, `web::Json<T>`).
///
/// ```
/// use std::sync::Arc;
/// use actix_web::{web, HttpRequest};
/// use hookproof_actix::{dispatch, RawWebhook};
/// use hookproof_core::route::{EventMeta, EventRouter};
/// use hookproof_core::presets;
///
/// #[derive(serde::Deserialize)]
/// struct Push { r#ref: String }
///
/// let events = Arc::new(
///     EventRouter::new(&presets::github())
///         .on("push", |push: Push, _: EventMeta| async move { format!("pushed {}", push.r#ref) }),
/// );
/// let route = web::post().to(move |request: HttpRequest, webhook: RawWebhook| {
///     let events = Arc::clone(&events);
///     async move { dispatch(&events, &request, webhook).await }
/// });
/// # drop(route);
/// ```
pub async fn dispatch<R>(router: &EventRouter<R>, request: &HttpRequest, webhook: RawWebhook) -> HttpResponse
where
    R: Responder + Send + 'static,
{
    let meta = EventMeta::new(&webhook.verified, &webhook.body);
    match router.route(meta, webhook.body).await {
        Ok(Routed::Handled(response)) => response.respond_to(request).map_into_boxed_body(),
        Ok(Routed::Ignored { .. }) => HttpResponse::Ok()
            .insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE)))
            .body(IGNORED_BODY),
        Err(error) => actix_web::ResponseError::error_response(&WebhookError::from(error)),
    }
}
