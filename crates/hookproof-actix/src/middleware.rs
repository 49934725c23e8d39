//! [`WebhookMiddleware`]: verify every request of a scope before its handler runs.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpMessage as _};
use futures_util::future::LocalBoxFuture;
use hookproof_core::Verifier;

use crate::delivery::{read_and_verify, store};
use crate::WebhookError;

/// Verifies each request before the wrapped service sees it.
///
/// For every request it
///
/// 1. refuses a `Content-Length` over the verifier's
///    [body limit](Verifier::body_limit) before reading anything (413),
/// 2. reads the payload chunk by chunk, refusing it as soon as it passes the
///    limit (413, also when the body is chunked or its length lies),
/// 3. verifies the signature and freshness (400 / 401),
/// 4. stores the result in the request extensions (so
///    [`Webhook<T>`](crate::Webhook) and [`RawWebhook`](crate::RawWebhook)
///    use it without verifying again, and `web::ReqData<Verified>` can read
///    the [`Verified`](hookproof_core::Verified)), and
/// 5. puts the exact bytes back as the payload, so handlers taking
///    `web::Bytes`, `String` or `web::Json<T>` see the body intact.
///
/// A refused request never reaches the wrapped service: it is answered by
/// [`WebhookError`]'s [`ResponseError`](actix_web::ResponseError)
/// implementation with the status and JSON body of the behaviour contract.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookproof_actix::{Webhook, WebhookMiddleware};
/// use hookproof_core::{presets, Verifier};
///
/// let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
/// let app = App::new().service(
///     web::resource("/webhooks/github")
///         .wrap(WebhookMiddleware::new(verifier))
///         .route(web::post().to(|hook: Webhook<serde_json::Value>| async move {
///             HttpResponse::Ok().body(hook.event["zen"].to_string())
///         })),
/// );
/// # drop(app);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WebhookMiddleware {
    verifier: Arc<Verifier>,
}

impl WebhookMiddleware {
    /// Verifies with `verifier` (a [`Verifier`] or an `Arc<Verifier>` shared
    /// with other routes).
    pub fn new(verifier: impl Into<Arc<Verifier>>) -> Self {
        Self { verifier: verifier.into() }
    }

    /// The verifier in use.
    pub fn verifier(&self) -> &Arc<Verifier> {
        &self.verifier
    }
}

impl<S, B> Transform<S, ServiceRequest> for WebhookMiddleware
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = WebhookService<S>;
    type InitError = ();
    type Future = Ready<Result<Self::Transform, Self::InitError>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(WebhookService { service: Rc::new(service), verifier: Arc::clone(&self.verifier) }))
    }
}

/// The service [`WebhookMiddleware`] wraps around the inner one; not used
/// directly.
#[derive(Debug)]
pub struct WebhookService<S> {
    service: Rc<S>,
    verifier: Arc<Verifier>,
}

impl<S, B> Service<ServiceRequest> for WebhookService<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error> + 'static,
    B: MessageBody + 'static,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = LocalBoxFuture<'static, Result<Self::Response, Self::Error>>;

    forward_ready!(service);

    fn call(&self, mut request: ServiceRequest) -> Self::Future {
        let service = Rc::clone(&self.service);
        let verifier = Arc::clone(&self.verifier);
        Box::pin(async move {
            let payload = request.take_payload();
            let delivery = match read_and_verify(request.request(), payload, &verifier).await {
                Ok(delivery) => delivery,
                Err(error) => return Ok(request.error_response(WebhookError::from(error)).map_into_right_body()),
            };
            // Steps that need the verified delivery before the handler (a
            // replay check) go here, answering early like the error above.
            request.set_payload(Payload::from(delivery.body.clone()));
            store(&mut request.extensions_mut(), delivery);
            let response = service.call(request).await?;
            // Steps that depend on the handler's outcome (marking the event
            // processed only on 2xx) go here.
            Ok(response.map_into_left_body())
        })
    }
}
