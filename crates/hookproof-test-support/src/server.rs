//! A server on a free `127.0.0.1` port, on its own thread and runtime (as
//! `hookproof listen` runs each adapter; actix-web brings its own runtime),
//! stopped when dropped.
//!
//! ```no_run
//! # #[cfg(feature = "axum")] {
//! use hookproof_test_support::{Request, Server};
//!
//! let server = Server::axum(axum::Router::new().route("/", axum::routing::get(|| async { "hi" })));
//! let answer = Request::get("/").send_to(server.addr()).unwrap();
//! assert_eq!((answer.status, answer.text().as_str()), (200, "hi"));
//! # }
//! ```

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

/// How long a stopped server may take to finish its thread.
pub const STOP_PATIENCE: Duration = Duration::from_secs(15);

/// How a [`Server`] starts: its thread's name and how many worker threads it
/// gets (one: a current-thread runtime, or one actix worker).
#[derive(Debug, Clone)]
pub struct Start {
    name: String,
    workers: usize,
}

impl Default for Start {
    fn default() -> Self {
        Self { name: "server".to_owned(), workers: 2 }
    }
}

impl Start {
    /// A server named `name` (its thread's name and in messages), with 2 workers.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }

    /// `workers` worker threads (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.max(1);
        self
    }

    /// Serves `router` with `axum::serve`.
    #[cfg(feature = "axum")]
    pub fn axum(self, router: axum::Router) -> io::Result<Server> {
        let workers = self.workers;
        self.spawn(move |listener, stopped| {
            on_tokio(workers, async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                axum::serve(listener, router).with_graceful_shutdown(async move { stopped.await.unwrap_or(()) }).await
            })
        })
    }

    /// Serves an actix-web `App` that `configure` sets up (services, routes,
    /// app data), on actix's own runtime.
    #[cfg(feature = "actix")]
    pub fn actix<F>(self, configure: F) -> io::Result<Server>
    where
        F: Fn(&mut actix_web::web::ServiceConfig) + Send + Clone + 'static,
    {
        let workers = self.workers;
        self.spawn(move |listener, stopped| {
            actix_web::rt::System::new().block_on(async move {
                let server =
                    actix_web::HttpServer::new(move || actix_web::App::new().configure(|config| configure(config)))
                        .workers(workers)
                        .shutdown_timeout(5)
                        .disable_signals()
                        .listen(listener)?
                        .run();
                let handle = server.handle();
                actix_web::rt::spawn(async move {
                    let _ = stopped.await;
                    handle.stop(true).await;
                });
                server.await
            })
        })
    }

    /// Serves a tower `service` on hyper 1's HTTP/1.1 server, one task per
    /// connection.
    #[cfg(feature = "hyper")]
    pub fn hyper<S, B>(self, service: S) -> io::Result<Server>
    where
        S: HyperService<B>,
        B: HyperBody,
    {
        self.hyper_with(move || async move { Ok(service) })
    }

    /// Like [`Start::hyper`], with the service made by `make` on the
    /// server's own runtime (for one that holds connections or tasks of
    /// that runtime, such as a database pool).
    #[cfg(feature = "hyper")]
    pub fn hyper_with<M, F, S, B>(self, make: M) -> io::Result<Server>
    where
        M: FnOnce() -> F + Send + 'static,
        F: std::future::Future<Output = io::Result<S>>,
        S: HyperService<B>,
        B: HyperBody,
    {
        let workers = self.workers;
        self.spawn(move |listener, mut stopped| {
            on_tokio(workers, async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let service = make().await?;
                loop {
                    let (stream, _) = tokio::select! {
                        accepted = listener.accept() => accepted?,
                        _ = &mut stopped => return Ok(()),
                    };
                    let service = hyper_util::service::TowerToHyperService::new(service.clone());
                    tokio::spawn(async move {
                        let io = hyper_util::rt::TokioIo::new(stream);
                        // A client closing its connection is not an error worth reporting.
                        let _ = hyper::server::conn::http1::Builder::new().serve_connection(io, service).await;
                    });
                }
            })
        })
    }

    /// Binds `127.0.0.1:0` and runs `serve` on a thread of its own.
    fn spawn<F>(self, serve: F) -> io::Result<Server>
    where
        F: FnOnce(TcpListener, oneshot::Receiver<()>) -> io::Result<()> + Send + 'static,
    {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name(format!("{}-{}", self.name, addr.port()))
            .spawn(move || serve(listener, stopped))?;
        Ok(Server { name: self.name, addr, stop: Some(stop), thread: Some(thread) })
    }
}

/// What hyper's errors are boxed into.
#[cfg(feature = "hyper")]
type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A tower service that [`Start::hyper`] can serve: it answers hyper 1's
/// requests, can be cloned per connection and sent to the server's tasks.
#[cfg(feature = "hyper")]
pub trait HyperService<B>:
    tower_service::Service<
        http::Request<hyper::body::Incoming>,
        Response = http::Response<B>,
        Future: Send + 'static,
        Error: Into<BoxError>,
    > + Clone
    + Send
    + 'static
{
}

#[cfg(feature = "hyper")]
impl<S, B> HyperService<B> for S
where
    S: tower_service::Service<http::Request<hyper::body::Incoming>, Response = http::Response<B>>,
    S: Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
{
}

/// A response body that [`Start::hyper`] can send.
#[cfg(feature = "hyper")]
pub trait HyperBody: hyper::body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static {}

#[cfg(feature = "hyper")]
impl<B> HyperBody for B where B: hyper::body::Body<Data: Send, Error: Into<BoxError>> + Send + 'static {}

/// Runs `future` on a tokio runtime with `workers` threads (one: current-thread).
#[cfg(any(feature = "axum", feature = "hyper"))]
fn on_tokio(workers: usize, future: impl std::future::Future<Output = io::Result<()>>) -> io::Result<()> {
    let runtime = if workers <= 1 {
        tokio::runtime::Builder::new_current_thread().enable_all().build()?
    } else {
        tokio::runtime::Builder::new_multi_thread().worker_threads(workers).enable_all().build()?
    };
    runtime.block_on(future)
}

/// A running server; dropping it (or [`Server::stop`]) stops it.
#[derive(Debug)]
pub struct Server {
    name: String,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl Server {
    /// `router` served by [`Start::axum`] with the defaults.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    #[cfg(feature = "axum")]
    pub fn axum(router: axum::Router) -> Self {
        Start::new("axum").axum(router).expect("start an axum server on 127.0.0.1")
    }

    /// `configure`'s app served by [`Start::actix`] with the defaults.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    #[cfg(feature = "actix")]
    pub fn actix<F>(configure: F) -> Self
    where
        F: Fn(&mut actix_web::web::ServiceConfig) + Send + Clone + 'static,
    {
        Start::new("actix").actix(configure).expect("start an actix-web server on 127.0.0.1")
    }

    /// `service` served by [`Start::hyper`] with the defaults.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound.
    #[cfg(feature = "hyper")]
    pub fn hyper<S, B>(service: S) -> Self
    where
        S: HyperService<B>,
        B: HyperBody,
    {
        Start::new("hyper").hyper(service).expect("start a hyper server on 127.0.0.1")
    }

    /// Where it listens (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops accepting, lets requests in flight finish, and waits (at most
    /// [`STOP_PATIENCE`]) for the thread: what the server returned.
    pub fn stop(mut self) -> io::Result<()> {
        self.finish().unwrap_or(Ok(()))
    }

    /// Signals the stop and waits for the thread; `None` when already done.
    fn finish(&mut self) -> Option<io::Result<()>> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let thread = self.thread.take()?;
        let deadline = Instant::now() + STOP_PATIENCE;
        while !thread.is_finished() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        if !thread.is_finished() {
            // Left behind rather than hang the run; it ends with the process.
            return Some(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("{} server on {} did not stop within {STOP_PATIENCE:?}", self.name, self.addr),
            )));
        }
        Some(thread.join().unwrap_or_else(|_| Err(io::Error::other(format!("{} server panicked", self.name)))))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        match self.finish() {
            Some(Err(error)) if error.kind() == io::ErrorKind::TimedOut => eprintln!("{error}"),
            Some(Err(error)) if !std::thread::panicking() => panic!("{} server failed: {error}", self.name),
            _ => {}
        }
    }
}
