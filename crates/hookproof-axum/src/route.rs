//! [`dispatch`]: an [`EventRouter`] as an axum handler's body.

use axum_core::response::{IntoResponse, Response};
use hookproof_core::route::EventRouter;

use crate::rejection::reply;
use crate::RawWebhook;

/// Routes a verified delivery to `router`'s handler for its event type and
/// answers: the handler's response, 200 `{"status":"ignored"}` for a type
/// without a handler, 422 `invalid_payload` for a body that does not decode
/// into the handler's type. See [`hookproof_core::route`].
///
/// ```
/// use std::sync::Arc;
/// use axum::routing::post;
/// use hookproof_axum::{dispatch, RawWebhook};
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
/// let route = post(move |webhook: RawWebhook| async move { dispatch(&events, webhook).await });
/// # let _: axum::routing::MethodRouter = route;
/// ```
pub async fn dispatch<R: IntoResponse + Send + 'static>(router: &EventRouter<R>, webhook: RawWebhook) -> Response {
    match router.dispatch(&webhook.verified, webhook.body).await {
        Ok(handled) => handled.into_response(),
        Err(own) => reply(own),
    }
}
