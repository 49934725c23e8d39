//! [`dispatch`]: an [`EventRouter`] as an actix-web handler's body.

use actix_web::{HttpRequest, HttpResponse, Responder};
use hookproof_core::route::EventRouter;

use crate::error::reply;
use crate::RawWebhook;

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
    match router.dispatch(&webhook.verified, webhook.body).await {
        Ok(handled) => handled.respond_to(request).map_into_boxed_body(),
        Err(own) => reply(own),
    }
}
