//! [`WebhookMiddleware`]: verify every request of a scope before its handler runs.

use std::future::{ready, Ready};
use std::rc::Rc;
use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{forward_ready, Payload, Service, ServiceRequest, ServiceResponse, Transform};
use actix_web::{Error, HttpMessage as _, HttpResponse};
use futures_util::future::LocalBoxFuture;
use hookproof_core::{Intake, Pass, Reply, Verifier};

use crate::delivery::{read_and_verify, store};
use crate::error::reply;
use crate::{ActixHeaders, WebhookError};

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
/// # Replay protection
///
/// Opt in with [`replay`](Self::replay): each verified event is then
/// processed once. Between verifying and calling the wrapped service the
/// middleware claims the event ([`ReplayProtection::claim`](hookproof_core::ReplayProtection::claim)) and answers
/// without running the handler when it cannot:
///
/// | outcome | status | body |
/// |---|---|---|
/// | already processed successfully | 200 | `{"status":"duplicate"}` (`application/json`) |
/// | being processed right now by another request | 409 | `in_flight` |
/// | replay store unreachable (unless [fail-open](hookproof_core::ReplayProtection::fail_open)) | 503 | `replay_store_unavailable` |
/// | the handler panicked (the claim is released) | 500 | `handler_panicked` |
/// | the handler passed the [timeout](hookproof_core::ReplayProtection::handler_timeout) | 503 | `handler_timed_out` |
///
/// The claim follows the core's one policy ([`hookproof_core::replay`]):
/// its lease is renewed while the handler runs; the event is marked
/// processed only when the response is 2xx; a non-2xx response, an error
/// from the wrapped service, a panic, a timeout, or a request dropped
/// before it was answered (the client went away) releases the claim, so the
/// sender's retry is processed again. A claim whose release cannot finish
/// expires with its [lease](hookproof_core::ReplayProtection::lease).
///
/// A panic or timeout is returned as a [`WebhookError`], which actix-web
/// answers with that status and body (a panic has consumed the request, so
/// there is no [`ServiceResponse`] to return). Without replay protection a
/// panic is not caught and reaches actix-web as before.
///
/// Replay protection needs this middleware: an extractor used alone cannot
/// see the handler's outcome, so it cannot decide whether to commit. The
/// extractors behind the middleware reuse its result as usual.
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookproof_actix::{RawWebhook, WebhookMiddleware};
/// use hookproof_core::{presets, ReplayProtection, Verifier};
///
/// let verifier = std::sync::Arc::new(Verifier::builder(presets::standard_webhooks()).secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").build()?);
/// // Created once, outside the `HttpServer::new` factory, so every worker shares the store.
/// let replay = ReplayProtection::memory(&verifier);
/// let app = App::new().service(
///     web::scope("/webhooks")
///         .wrap(WebhookMiddleware::new(verifier).replay(replay))
///         .route("/orders", web::post().to(|hook: RawWebhook| async move {
///             HttpResponse::Ok().body(format!("processed {:?}", hook.verified.id()))
///         })),
/// );
/// # drop(app);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
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
/// # Setup handshakes and URL-signed schemes
///
/// The middleware answers its verifier's [setup handshakes](hookproof_core::handshake)
/// (the extractors alone do not); both verify URL-signed schemes (Twilio,
/// Square, HubSpot). See [the core](hookproof_core::handshake#in-the-adapters).
///
/// # Inbox mode
///
/// With [`inbox`](Self::inbox) each verified delivery is stored in an inbox
/// (the `hookproof-inbox` crate: SQLite or PostgreSQL) before the wrapped
/// service runs, and the wrapped service only acknowledges it: route it to
/// [`accepted`](crate::accepted) (202 `{"status":"accepted"}`). A delivery
/// already stored is answered 200 `{"status":"duplicate"}`, an inbox that
/// cannot store 503 `inbox_unavailable`. The handler runs in the inbox's
/// workers. See [`hookproof_core::sink`].
///
/// ```
/// use actix_web::{web, App};
/// use hookproof_actix::{accepted, WebhookMiddleware};
/// use hookproof_core::{presets, DeliverySink, Verifier};
///
/// # fn app(inbox: impl DeliverySink + Clone + 'static) -> Result<(), hookproof_core::ConfigError> {
/// let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
/// let app = App::new().service(
///     web::resource("/webhooks/github")
///         .wrap(WebhookMiddleware::new(verifier).inbox(inbox))
///         .route(web::post().to(accepted)),
/// );
/// # drop(app);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct WebhookMiddleware {
    verifier: Arc<Verifier>,
    intake: Intake,
}

hookproof_core::__webhook_builder_methods!(WebhookMiddleware);

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
        ready(Ok(WebhookService {
            service: Rc::new(service),
            verifier: Arc::clone(&self.verifier),
            intake: Rc::new(self.intake.clone()),
        }))
    }
}

/// The service [`WebhookMiddleware`] wraps around the inner one; not used
/// directly.
#[derive(Debug)]
pub struct WebhookService<S> {
    service: Rc<S>,
    verifier: Arc<Verifier>,
    intake: Rc<Intake>,
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
        let intake = Rc::clone(&self.intake);
        Box::pin(async move {
            if let Some(handshake) = verifier.answer_handshake(request.method().as_str(), request.uri().query()) {
                return Ok(request.into_response(reply(handshake)).map_into_right_body());
            }
            let payload = request.take_payload();
            let delivery = match read_and_verify(request.request(), payload, &verifier).await {
                Ok(delivery) => delivery,
                Err(error) => return Ok(request.error_response(WebhookError::from(error)).map_into_right_body()),
            };
            // A setup handshake is answered here; the handler sees events only.
            if let Some(handshake) = verifier.answer_signed_handshake(&delivery.verified, &delivery.body) {
                return Ok(request.into_response(reply(handshake)).map_into_right_body());
            }
            let admission = intake.admit(&delivery.verified, &ActixHeaders(request.headers()), &delivery.body);
            let claim = match admission.await {
                Ok(Pass::Handle(claim)) => claim,
                Ok(Pass::Duplicate) => {
                    return Ok(request.into_response(reply(Reply::duplicate())).map_into_right_body())
                }
                Err(error) => return Ok(request.error_response(WebhookError::from(error)).map_into_right_body()),
            };
            request.set_payload(Payload::from(delivery.body.clone()));
            store(&mut request.extensions_mut(), delivery);
            let Some(claim) = claim else {
                return Ok(service.call(request).await?.map_into_left_body());
            };
            // The core's claim policy: a panic in `call` or the handler is
            // caught, only a 2xx commits, a dropped future releases.
            match claim.run(|| service.call(request), succeeded::<B>).await {
                Ok(result) => Ok(result?.map_into_left_body()),
                Err(error) => Err(WebhookError::from(error).into()),
            }
        })
    }
}

/// The acknowledgement of [inbox mode](WebhookMiddleware#inbox-mode): 202
/// `{"status":"accepted"}`, as a handler for the route the middleware wraps.
pub async fn accepted() -> HttpResponse {
    reply(Reply::accepted())
}

fn succeeded<B>(outcome: &Result<ServiceResponse<B>, Error>) -> bool {
    matches!(outcome, Ok(response) if response.status().is_success())
}
