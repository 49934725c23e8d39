//! `listen`: a receiver that follows the behaviour contract through the
//! chosen adapter. Each server runs on its own thread and runtime (actix
//! brings its own), so `demo` can start several in one process.

use std::convert::Infallible;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::thread::JoinHandle;

use bytes::Bytes;
use hookproof::replay::ReplayProtection;
use hookproof::Verifier;
use http_body_util::Full;
use tokio::sync::oneshot;

use crate::receiver::Receiver;

/// Which framework serves the receiver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Adapter {
    /// axum router, tower layer (replay) and the axum extractor.
    Axum,
    /// actix-web middleware and extractor.
    Actix,
    /// tower layer on a bare hyper 1 server.
    Tower,
}

/// Everything a receiver needs, whichever adapter serves it.
#[derive(Debug, Clone)]
pub(crate) struct Endpoint {
    pub(crate) path: String,
    pub(crate) verifier: Arc<Verifier>,
    pub(crate) replay: Option<ReplayProtection>,
    /// Inbox mode: store and answer 202; the receiver is not used.
    pub(crate) inbox: Option<hookproof::inbox::Inbox>,
    pub(crate) receiver: Arc<Receiver>,
}

/// A receiver running on its own thread until [`Server::stop`].
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    /// Binds `addr` (port 0 picks a free one) and serves `endpoint` through `adapter`.
    pub(crate) fn start(adapter: Adapter, addr: SocketAddr, endpoint: Endpoint) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let thread =
            std::thread::Builder::new().name(format!("hookproof-{adapter:?}")).spawn(move || match adapter {
                Adapter::Actix => actix_web::rt::System::new().block_on(serve_actix(listener, endpoint, stopped)),
                Adapter::Axum | Adapter::Tower => {
                    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
                    runtime.block_on(async move {
                        let listener = tokio::net::TcpListener::from_std(listener)?;
                        if adapter == Adapter::Axum {
                            serve_axum(listener, endpoint, stopped).await
                        } else {
                            serve_tower(listener, endpoint, stopped).await
                        }
                    })
                }
            })?;
        Ok(Self { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// Binds `addr` and serves an axum `app` built around the receiver
    /// ([`axum_app`] with the console and the refusals log).
    pub(crate) fn start_axum_app(addr: SocketAddr, app: axum::Router) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new().name("hookproof-Axum".to_owned()).spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
            runtime.block_on(
                async move { serve_axum_app(tokio::net::TcpListener::from_std(listener)?, app, stopped).await },
            )
        })?;
        Ok(Self { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// Waits until the server ends (it only ends on error or [`stop`](Self::stop)).
    pub(crate) fn wait(mut self) -> std::io::Result<()> {
        self.thread.take().map_or(Ok(()), |thread| thread.join().unwrap_or_else(|_| Err(panicked())))
    }

    /// Stops accepting, lets in-flight requests finish, and joins the thread.
    pub(crate) fn stop(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.wait()
    }
}

fn panicked() -> std::io::Error {
    std::io::Error::other("the server thread panicked")
}

fn layer(endpoint: &Endpoint) -> hookproof::integrations::tower::WebhookLayer {
    let mut layer = hookproof::integrations::tower::WebhookLayer::new(Arc::clone(&endpoint.verifier));
    if let Some(replay) = &endpoint.replay {
        layer = layer.replay(replay.clone());
    }
    if let Some(inbox) = &endpoint.inbox {
        layer = layer.inbox(inbox.clone());
    }
    layer
}

/// Whether the path is served on GET too: only for a GET setup handshake
/// (the layer answers it, and 405 to any other GET).
fn serves_get(endpoint: &Endpoint) -> bool {
    endpoint.verifier.handshakes().iter().any(|handshake| handshake.method() == "GET")
}

fn respond<B: From<Bytes>>(reply: impl Into<hookproof::Reply>) -> http::Response<B> {
    reply.into().into_response().map(B::from)
}

/// The receiver's JSON answer as a [`hookproof::Reply`].
fn json((status, body): crate::receiver::Answer) -> hookproof::Reply {
    hookproof::Reply::json(status, body)
}

// --- axum: the router, the tower layer for replay protection (an extractor
// cannot see the handler's outcome), and the extractor reusing its result.

#[derive(Clone)]
struct AxumState(Endpoint);

impl axum::extract::FromRef<AxumState> for Arc<Verifier> {
    fn from_ref(state: &AxumState) -> Self {
        Arc::clone(&state.0.verifier)
    }
}

async fn axum_handler(
    axum::extract::State(state): axum::extract::State<AxumState>,
    webhook: hookproof::integrations::axum::RawWebhook,
) -> http::Response<axum::body::Body> {
    respond(json(state.0.receiver.handle(&webhook.verified, &webhook.body).await))
}

/// The axum receiver's router (`listen --console` adds routes and layers around it).
pub(crate) fn axum_app(endpoint: Endpoint) -> axum::Router {
    if endpoint.inbox.is_some() {
        let accept = tower::Layer::layer(&layer(&endpoint), hookproof::integrations::tower::Accept);
        let route = axum::routing::post_service(accept.clone());
        let route = if serves_get(&endpoint) { route.get_service(accept) } else { route };
        axum::Router::new().route_service(&endpoint.path, route)
    } else {
        // The layer wraps the POST route only (and GET for a handshake), so
        // another method on the path is axum's 405, not a refused delivery.
        let route = axum::routing::post(axum_handler);
        let route = if serves_get(&endpoint) { route.get(axum_handler) } else { route };
        let route = route.route_layer(layer(&endpoint));
        axum::Router::new().route(&endpoint.path, route).with_state(AxumState(endpoint))
    }
}

async fn serve_axum(
    listener: tokio::net::TcpListener,
    endpoint: Endpoint,
    stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    serve_axum_app(listener, axum_app(endpoint), stopped).await
}

async fn serve_axum_app(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    axum::serve(listener, app).with_graceful_shutdown(async move { stopped.await.unwrap_or(()) }).await
}

// --- tower: the layer in front of a plain service on hyper 1.

async fn serve_tower(
    listener: tokio::net::TcpListener,
    endpoint: Endpoint,
    mut stopped: oneshot::Receiver<()>,
) -> std::io::Result<()> {
    use tower::Service as _;

    let receiver = Arc::clone(&endpoint.receiver);
    let inbox_mode = endpoint.inbox.is_some();
    let verified_service =
        tower::ServiceBuilder::new().layer(layer(&endpoint)).service_fn(move |request: http::Request<Full<Bytes>>| {
            let receiver = Arc::clone(&receiver);
            async move {
                if inbox_mode {
                    // The layer stored the delivery: acknowledge, as `hookproof::integrations::tower::Accept` does.
                    return Ok(respond::<Full<Bytes>>(hookproof::Reply::accepted()));
                }
                let verified = request.extensions().get::<hookproof::Verified>().cloned();
                let body = http_body_util::BodyExt::collect(request.into_body()).await.map(|b| b.to_bytes());
                let answer = match (verified, body) {
                    (Some(verified), Ok(body)) => json(receiver.handle(&verified, &body).await),
                    // The layer always inserts the result; without it nothing is trusted.
                    _ => hookproof::VerifyError::VerifierNotConfigured.into(),
                };
                Ok::<_, Infallible>(respond::<Full<Bytes>>(answer))
            }
        });
    let path = endpoint.path.clone();
    let get_handshake = serves_get(&endpoint);
    // Routing first: only POST (and GET for a handshake) on the path reaches the layer.
    let routed = tower::service_fn(move |request: http::Request<hyper::body::Incoming>| {
        let mut verified_service = verified_service.clone();
        let path_matches = request.uri().path() == path;
        async move {
            let refuse = |status| {
                let mut response =
                    http::Response::new(hookproof::integrations::tower::ResponseBody::new(Full::new(Bytes::new())));
                *response.status_mut() = status;
                Ok(response)
            };
            if !path_matches {
                return refuse(http::StatusCode::NOT_FOUND);
            }
            let get = get_handshake && request.method() == http::Method::GET;
            if request.method() != http::Method::POST && !get {
                return refuse(http::StatusCode::METHOD_NOT_ALLOWED);
            }
            let ready = tower::ServiceExt::<http::Request<hyper::body::Incoming>>::ready(&mut verified_service).await?;
            ready.call(request).await
        }
    });
    loop {
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => accepted?,
            _ = &mut stopped => return Ok(()),
        };
        let service = hyper_util::service::TowerToHyperService::new(routed.clone());
        tokio::spawn(async move {
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(error) = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await {
                eprintln!("hookproof: connection error: {error}");
            }
        });
    }
}

// --- actix: the middleware (verification and replay) and the extractor reusing its result.

async fn actix_handler(
    webhook: hookproof::integrations::actix::RawWebhook,
    receiver: actix_web::web::Data<Receiver>,
) -> actix_web::HttpResponse {
    let (status, body) = receiver.handle(&webhook.verified, &webhook.body).await;
    actix_web::HttpResponse::build(actix_web::http::StatusCode::from_u16(status.as_u16()).unwrap_or_default())
        .content_type("application/json")
        .body(body)
}

async fn serve_actix(listener: TcpListener, endpoint: Endpoint, stopped: oneshot::Receiver<()>) -> std::io::Result<()> {
    let receiver = actix_web::web::Data::from(Arc::clone(&endpoint.receiver));
    let server = actix_web::HttpServer::new(move || {
        let mut middleware = hookproof::integrations::actix::WebhookMiddleware::new(Arc::clone(&endpoint.verifier));
        if let Some(replay) = &endpoint.replay {
            middleware = middleware.replay(replay.clone());
        }
        if let Some(inbox) = &endpoint.inbox {
            middleware = middleware.inbox(inbox.clone());
        }
        let route = |method: actix_web::Route| match &endpoint.inbox {
            Some(_) => method.to(hookproof::integrations::actix::accepted).wrap(middleware.clone()),
            None => method.to(actix_handler).wrap(middleware.clone()),
        };
        // The middleware wraps the POST route only (and GET for a handshake),
        // so another method on the path is actix's 405, not a refused delivery.
        let mut resource = actix_web::web::resource(endpoint.path.as_str()).route(route(actix_web::web::post()));
        if serves_get(&endpoint) {
            resource = resource.route(route(actix_web::web::get()));
        }
        actix_web::App::new().app_data(receiver.clone()).service(resource)
    })
    .workers(2)
    .disable_signals()
    .listen(listener)?
    .run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        let _ = stopped.await;
        handle.stop(true).await;
    });
    server.await
}
