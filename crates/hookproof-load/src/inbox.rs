//! Inbox: how fast a receiver acknowledges deliveries when "acknowledged"
//! means "committed and fsynced", against the same receiver with in-memory
//! replay protection, and how fast workers drain what was stored.
//!
//! Run: `cargo run --release -p hookproof-load -- inbox` (PostgreSQL's
//! server binaries must be installed: `scripts/test.sh` installs them).
//!
//! One run, one machine, three receivers, each the tower `WebhookLayer` on
//! hyper 1 with one server thread, verifying Standard Webhooks deliveries:
//!
//! - **memory**: replay protection in memory, a handler that answers 200;
//! - **sqlite**: inbox mode on a SQLite file in a temp directory (WAL,
//!   `synchronous=FULL`): 202 once the delivery's transaction is fsynced;
//! - **postgres**: inbox mode on a PostgreSQL started here (`initdb` +
//!   `pg_ctl` on a free loopback port; `synchronous_commit=on`).
//!
//! The load generator is [`SENDERS`] concurrent HTTP/1.1 keep-alive
//! connections on one client thread, each sending its share of
//! [`DELIVERIES`] distinct, freshly signed 1 KiB deliveries (distinct ids, so
//! that none is a duplicate) and timing each answer. Every answer must be
//! 200 (memory) or 202 (inbox), or the bench fails. It prints throughput,
//! p50/p99 acknowledgement latency and the ratios against memory, measured
//! in the same run; then a worker with a no-op handler drains the SQLite
//! inbox; and the disk's fsync rate (a 1-byte write + `fsync`, for one
//! second, in the same temp directory), the physical limit that group commit
//! works around.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hookproof::inbox::{Inbox, Worker};
use hookproof::integrations::tower::{Accept, WebhookLayer};
use hookproof::{presets, ReplayProtection, Signer, Verifier};
use hookproof_test_support::Start;
use http_body_util::{BodyExt as _, Full};
use tower::Layer as _;

use crate::postgres_server;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SENDERS: usize = 64;
const DELIVERIES: usize = 12_800;
const BODY_SIZE: usize = 1024;

/// Runs the three receivers, the drain and the fsync probe; prints the table.
pub(crate) fn main() {
    let fsyncs = fsync_rate(Duration::from_secs(1));
    let dir = tempfile::tempdir().expect("a temp directory");
    let postgres = postgres_server::PostgresServer::start();
    let sqlite_url = format!("sqlite:{}", dir.path().join("inbox.db").display());

    let memory = run("memory", None);
    let sqlite = run("sqlite", Some(&sqlite_url));
    let postgres_result = run("postgres", Some(&postgres.url()));

    println!();
    println!("disk: {fsyncs:.0} fsyncs/s (1-byte write + fsync, temp dir)");
    println!("| receiver | deliveries/s | vs memory | p50 ack | p99 ack | CPU/delivery (bench process) | cores busy |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for result in [&memory, &sqlite, &postgres_result] {
        println!(
            "| {} | {:.0} | {:.0}% | {:.2} ms | {:.2} ms | {:.0} µs | {:.2} |",
            result.name,
            result.throughput,
            100.0 * result.throughput / memory.throughput,
            result.p50.as_secs_f64() * 1e3,
            result.p99.as_secs_f64() * 1e3,
            result.cpu_per_delivery.as_secs_f64() * 1e6,
            result.cores_busy
        );
    }
    let drained = drain(&sqlite_url);
    println!("workers (16 handlers, no-op) drained {DELIVERIES} SQLite events at {drained:.0} events/s");
}

struct Outcome {
    name: &'static str,
    throughput: f64,
    p50: Duration,
    p99: Duration,
    /// CPU of this process (client, server, SQLite threads) per delivery.
    cpu_per_delivery: Duration,
    /// This process's CPU time over the wall time: 2.0 is both cores.
    cores_busy: f64,
}

/// This process's user + system CPU time, from `/proc/self/stat`.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> = stat
        .rsplit_once(')')
        .map(|(_, rest)| rest.split_whitespace().skip(1).map(|f| f.parse().unwrap_or(0.0)).collect())
        .unwrap_or_default();
    // utime and stime, in clock ticks of 10 ms.
    (fields.get(10).unwrap_or(&0.0) + fields.get(11).unwrap_or(&0.0)) / 100.0
}

/// Serves a receiver on its own thread, loads it, stops it.
fn run(name: &'static str, inbox_url: Option<&str>) -> Outcome {
    let verifier = Arc::new(Verifier::builder(presets::standard_webhooks()).secret(SECRET).build().unwrap());
    let inbox_url = inbox_url.map(str::to_owned);
    let server_verifier = Arc::clone(&verifier);
    // Two worker threads, as `hookproof listen` runs: the inbox's group
    // commit task then never waits behind the HTTP connections.
    let server = Start::new(format!("inbox-{name}"))
        .workers(2)
        .hyper_with(move || service(server_verifier, inbox_url))
        .expect("the server starts");
    let addr = server.addr();
    let expected = if name == "memory" { 200 } else { 202 };

    let client = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // Warm-up: connections, the page cache, prepared statements.
    client.block_on(load(addr, name, "warm", 640, expected));
    let (started, cpu_before) = (Instant::now(), cpu_seconds());
    let mut latencies = client.block_on(load(addr, name, "run", DELIVERIES, expected));
    let (elapsed, cpu) = (started.elapsed(), cpu_seconds() - cpu_before);
    server.stop().expect("the server stops");

    latencies.sort();
    let outcome = Outcome {
        name,
        throughput: DELIVERIES as f64 / elapsed.as_secs_f64(),
        p50: latencies[latencies.len() / 2],
        p99: latencies[latencies.len() * 99 / 100],
        cpu_per_delivery: Duration::from_secs_f64(cpu / DELIVERIES as f64),
        cores_busy: cpu / elapsed.as_secs_f64(),
    };
    eprintln!("{name}: {DELIVERIES} deliveries in {elapsed:.2?}");
    outcome
}

/// What [`service`] makes: the same type with or without the inbox.
type Receiver = tower::util::BoxCloneService<
    http::Request<hyper::body::Incoming>,
    http::Response<hookproof::integrations::tower::ResponseBody<Full<Bytes>>>,
    Infallible,
>;

/// The receiver: the tower layer with in-memory replay protection and a
/// handler that answers 200, or in inbox mode on the inbox at `inbox_url`.
async fn service(verifier: Arc<Verifier>, inbox_url: Option<String>) -> std::io::Result<Receiver> {
    let layer = WebhookLayer::new(Arc::clone(&verifier));
    Ok(match inbox_url {
        Some(url) => {
            let inbox = Inbox::connect(&url).await.map_err(std::io::Error::other)?;
            tower::util::BoxCloneService::new(layer.inbox(inbox).layer(Accept))
        }
        None => {
            let handler = tower::service_fn(|_: http::Request<Full<Bytes>>| async {
                Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from_static(br#"{"status":"processed"}"#))))
            });
            tower::util::BoxCloneService::new(layer.replay(ReplayProtection::memory(&verifier)).layer(handler))
        }
    })
}

/// `count` distinct signed deliveries over [`SENDERS`] keep-alive
/// connections; every answer's latency. Panics on any other status than
/// `expected`.
async fn load(addr: SocketAddr, name: &str, phase: &str, count: usize, expected: u16) -> Vec<Duration> {
    let signer = Signer::new(presets::standard_webhooks(), SECRET).unwrap();
    let mut tasks = Vec::new();
    for sender in 0..SENDERS {
        // Signed up front (so signing is not timed), at the current time.
        let requests: Vec<_> = (sender..count)
            .step_by(SENDERS)
            .map(|n| {
                let mut body = format!(r#"{{"type":"bench","n":{n},"pad":""#).into_bytes();
                body.resize(BODY_SIZE - 2, b'x');
                body.extend_from_slice(b"\"}");
                let id = format!("msg_{name}_{phase}_{n}");
                (signer.sign_at(&body, SystemTime::now(), Some(&id)), Bytes::from(body))
            })
            .collect();
        tasks.push(tokio::spawn(async move {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            let (mut client, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await.unwrap();
            tokio::spawn(connection);
            let mut latencies = Vec::with_capacity(requests.len());
            for (headers, body) in requests {
                let mut request = http::Request::post("/webhooks").body(Full::new(body)).unwrap();
                *request.headers_mut() = headers;
                request.headers_mut().insert("host", http::HeaderValue::from_static("127.0.0.1"));
                let sent = Instant::now();
                let response = client.send_request(request).await.unwrap();
                let status = response.status().as_u16();
                let body = response.into_body().collect().await.unwrap().to_bytes();
                latencies.push(sent.elapsed());
                assert_eq!(status, expected, "{}", String::from_utf8_lossy(&body));
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    latencies
}

/// Events/s at which a worker with a no-op handler drains the inbox at `url`.
fn drain(url: &str) -> f64 {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let inbox = Inbox::connect(url).await.unwrap();
        let pending = inbox.stats().await.unwrap().pending;
        assert!(pending >= DELIVERIES as u64, "{pending} pending");
        let started = Instant::now();
        let watcher = inbox.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(
            Worker::new(inbox)
                .concurrency(16)
                .run(|_| async { Ok::<(), Infallible>(()) }, async move { stopped.await.unwrap_or(()) }),
        );
        let deadline = Instant::now() + Duration::from_secs(120);
        while watcher.stats().await.unwrap().done < pending && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed();
        let done = watcher.stats().await.unwrap().done;
        let _ = stop.send(());
        worker.await.unwrap().unwrap();
        assert_eq!(done, pending, "drained within two minutes");
        done as f64 / elapsed.as_secs_f64()
    })
}

/// 1-byte write + fsync, as many times as fit in `duration`, in a temp dir.
fn fsync_rate(duration: Duration) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let mut file = std::fs::File::create(dir.path().join("fsync")).unwrap();
    let started = Instant::now();
    let mut count = 0u32;
    while started.elapsed() < duration {
        file.write_all(b"x").unwrap();
        file.sync_all().unwrap();
        count += 1;
    }
    f64::from(count) / started.elapsed().as_secs_f64()
}
