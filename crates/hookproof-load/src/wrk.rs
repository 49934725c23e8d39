//! Load: each adapter (axum, actix-web, tower on hyper 1) serving a
//! hookproof-verified endpoint, against the same framework serving an
//! unverified baseline, under a real load generator (`wrk`).
//!
//! Run: `scripts/load.sh` (installs `wrk` if missing, then
//! `cargo run --release -p hookproof-load`).
//!
//! For each adapter the bench starts two servers in-process on
//! `127.0.0.1:0`, each on its own thread and runtime:
//!
//! - **verified**: the adapter as `hookproof listen` serves it. axum: a
//!   `Router` with hookproof's tower `WebhookLayer` as `route_layer` and the
//!   `RawWebhook` extractor; actix: `WebhookMiddleware` on the resource and
//!   the `RawWebhook` extractor; tower: `WebhookLayer` in front of a
//!   `service_fn` on hyper 1 through hyper-util. Standard Webhooks preset
//!   (HMAC-SHA256 over `{id}.{timestamp}.{body}`), **replay protection off**:
//!   wrk sends the same delivery over and over, and with replay protection
//!   every request after the first would be answered as a duplicate without
//!   reaching the handler, which measures something else.
//! - **unverified**: the same framework and handler shape (POST on the same
//!   path, the body read whole, the same small JSON answer), no hookproof.
//! - **hand-rolled**: the unverified server whose handler does the least any
//!   verification must: take `webhook-signature`, strip `v1,`, decode the
//!   base64, HMAC-SHA256 over `{id}.{timestamp}.{body}` with `hmac` + `sha2`
//!   and compare with `verify_slice` (constant time). No freshness, no limit,
//!   no rotation, no error contract: the ten lines teams write by hand. Its
//!   throughput is the ceiling for any verifier on this machine, so the
//!   table shows how much of the gap is the HMAC itself and how much is
//!   hookproof.
//!
//! `wrk` POSTs a fixed 1 KiB JSON body with the Standard Webhooks headers,
//! from a Lua script the bench writes to a temp file. The delivery is signed
//! with `hookproof::Signer` at the current time just before each wrk run
//! (the preset's tolerance is 5 minutes; every run lasts seconds). Before
//! loading, each server is checked by hand: the signed delivery gets 200 and,
//! on the verified server, a tampered body gets 401, so verification really
//! runs. After each run, wrk's `Non-2xx or 3xx responses` must be 0 and the
//! request count non-zero, or the bench fails: the numbers count verified
//! 2xx answers, not fast refusals.
//!
//! # Sharing two cores fairly
//!
//! The target machine has 2 cores, and wrk and the server run on the same
//! ones. Each server gets exactly **one** worker thread (a current-thread
//! tokio runtime for axum and tower, `workers(1)` for actix, whose workers
//! are single-threaded runtimes too), and wrk gets **one** thread (`-t1`,
//! 32 connections): one core each, so neither starves the other and all
//! nine servers are measured under the same shape. More server workers would
//! only steal CPU from wrk and measure the scheduler. The three servers of
//! an adapter take turns, in a rotated order each round, for [`ROUNDS`]
//! rounds after a short warm-up, and each keeps its best run:
//! other load on a shared machine only ever slows a run down. The 1-minute
//! load average is printed before and after; rerun when it is high.
//!
//! Throughput on a shared machine also depends on how much CPU the
//! scheduler happened to give the server, so the bench reads this process's
//! CPU time (`/proc/self/stat`, the servers; wrk is a child) around each run
//! and prints the server CPU per request too: the cost of a request whatever
//! share of a core it got, and the ratio the throughput would reach on a
//! dedicated core. When the best verified and unverified runs got unequal
//! CPU, a note says so.
//!
//! The target is verified throughput >= 90% of unverified throughput. About
//! 50 s per adapter, under 3 minutes in all; the servers stop at the end.
//! `cargo run --release -p hookproof-load -- tower` loads only the named
//! adapters.

use std::convert::Infallible;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use base64::Engine as _;
use hmac::{Hmac, Mac as _};
use hookproof::{presets, Signer, Verifier};
use hookproof_test_support::{Request, Server, Start};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Bytes;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const EVENT_ID: &str = "msg_load_2xx";
const PATH: &str = "/webhooks";
const BODY_SIZE: usize = 1024;
const ANSWER: &str = r#"{"status":"ok"}"#;
/// wrk settings: one thread, 32 keep-alive connections.
const WRK_THREADS: usize = 1;
const CONNECTIONS: usize = 32;
const RUN_SECS: u64 = 5;
const WARMUP_SECS: u64 = 1;
const ROUNDS: usize = 3;
/// Verified throughput must be at least this share of unverified throughput.
const TARGET: f64 = 0.90;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Adapter {
    Axum,
    Actix,
    Tower,
}

impl Adapter {
    fn name(self) -> &'static str {
        match self {
            Self::Axum => "axum",
            Self::Actix => "actix",
            Self::Tower => "tower",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Verified,
    Unverified,
    HandRolled,
}

/// The servers of one adapter, in table order.
const MODES: [Mode; 3] = [Mode::Verified, Mode::Unverified, Mode::HandRolled];

/// Loads the adapters named in `names` (all when empty).
pub(crate) fn main(names: &[String]) -> ExitCode {
    if let Err(version) = wrk_version() {
        eprintln!("error: `wrk` is not installed ({version}).");
        eprintln!("Run `scripts/load.sh`: it installs wrk (apt-get install -y wrk) and runs this load.");
        return ExitCode::from(2);
    }
    match run(&adapters(names)) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn wrk_version() -> Result<String, String> {
    // `wrk -v` prints its version and exits 1; only a missing binary is an error.
    match Command::new("wrk").arg("-v").output() {
        Ok(output) => {
            let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
            Ok(text.lines().next().unwrap_or("wrk").trim().to_owned())
        }
        Err(error) => Err(error.to_string()),
    }
}

/// The adapters in `named` (`hookproof-load tower`), or all.
fn adapters(named: &[String]) -> Vec<Adapter> {
    let all = [Adapter::Axum, Adapter::Actix, Adapter::Tower];
    all.into_iter().filter(|adapter| named.is_empty() || named.iter().any(|name| name == adapter.name())).collect()
}

/// One row of the table: the best run of each server, in [`MODES`] order.
#[derive(Debug)]
struct Row {
    adapter: Adapter,
    best: [WrkResult; 3],
    /// The lowest server CPU per request over the rounds, in µs, in [`MODES`] order.
    cpu: [f64; 3],
}

fn run(adapters: &[Adapter]) -> Result<bool, Box<dyn std::error::Error>> {
    let started = Instant::now();
    let verifier = Arc::new(Verifier::builder(presets::standard_webhooks()).secret(SECRET).build()?);
    let signer = Signer::new(presets::standard_webhooks(), SECRET)?;
    let body = body(BODY_SIZE);
    let script = std::env::temp_dir().join(format!("hookproof-load-{}.lua", std::process::id()));
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    println!("# hookproof load: verified vs unverified, per adapter\n");
    println!("- wrk: {}", wrk_version().unwrap_or_default());
    println!("- command: `{}`", wrk_args(RUN_SECS, &script, "URL").join(" "));
    println!(
        "- request: POST {PATH}, {BODY_SIZE}-byte JSON body, Standard Webhooks headers (HMAC-SHA256, signed at the \
         start of each run)"
    );
    println!(
        "- replay protection OFF on the verified servers: wrk repeats one delivery, which replay protection would \
         answer as a duplicate"
    );
    println!(
        "- {cores} cores; each server 1 worker thread, wrk {WRK_THREADS} thread; {ROUNDS} rounds of {RUN_SECS}s per \
         server after a {WARMUP_SECS}s warm-up, best run kept"
    );
    println!("- load average before: {}", load_average());
    println!();

    let mut rows = Vec::new();
    let mut all_ok = true;
    let outcome = (|| -> Result<(), Box<dyn std::error::Error>> {
        for &adapter in adapters {
            let mut servers = Vec::new();
            for mode in MODES {
                match start(adapter, mode, Arc::clone(&verifier)) {
                    Ok(server) => servers.push((mode, server)),
                    Err(error) => {
                        stop_all(servers)?;
                        return Err(error.into());
                    }
                }
            }
            let checked = (|| -> Result<Row, Box<dyn std::error::Error>> {
                for (mode, server) in &servers {
                    sanity_check(adapter, *mode, server.addr(), &signer, &body)?;
                }
                for (mode, server) in &servers {
                    write_script(&script, &signer, &body)?;
                    let warm = wrk(WARMUP_SECS, &script, server.addr())?;
                    check_run(adapter, *mode, &warm)?;
                }
                let mut best: [Option<WrkResult>; 3] = [None, None, None];
                let mut cpu = [f64::INFINITY; 3];
                for round in 0..ROUNDS {
                    for turn in 0..MODES.len() {
                        let index = (round + turn) % MODES.len();
                        let (mode, server) = &servers[index];
                        write_script(&script, &signer, &body)?;
                        let result = wrk(RUN_SECS, &script, server.addr())?;
                        check_run(adapter, *mode, &result)?;
                        eprintln!(
                            "  {} {:?} round {}: {:.0} req/s, p99 {}, server {:.1} µs CPU/request ({:.2} cores), \
                             wrk {:.2} cores",
                            adapter.name(),
                            mode,
                            round + 1,
                            result.requests_per_sec,
                            micros(result.p99_micros),
                            result.server_cpu_micros_per_request,
                            result.server_cores,
                            result.wrk_cores
                        );
                        let cheapest = &mut cpu[index];
                        *cheapest = cheapest.min(result.server_cpu_micros_per_request);
                        if best[index].as_ref().is_none_or(|b| result.requests_per_sec > b.requests_per_sec) {
                            best[index] = Some(result);
                        }
                    }
                }
                let [Some(verified), Some(unverified), Some(hand_rolled)] = best else {
                    return Err("no run completed".into());
                };
                Ok(Row { adapter, best: [verified, unverified, hand_rolled], cpu })
            })();
            let stopped = stop_all(servers);
            rows.push(checked?);
            stopped?;
        }
        Ok(())
    })();
    let _ = std::fs::remove_file(&script);
    if let Err(error) = outcome {
        eprintln!("error: {error}");
        all_ok = false;
    }

    println!(
        "| adapter | verified req/s | unverified req/s | ratio | >= 90% | hand-rolled HMAC req/s | ceiling (hand-rolled / \
         unverified) | verified / hand-rolled | p99 verified / unverified / hand-rolled |"
    );
    println!("|---|---:|---:|---:|:---:|---:|---:|---:|---:|");
    let mut all_pass = true;
    for row in &rows {
        let [verified, unverified, hand_rolled] = &row.best;
        let ratio = verified.requests_per_sec / unverified.requests_per_sec;
        let pass = ratio >= TARGET;
        all_pass &= pass;
        println!(
            "| {} | {:.0} | {:.0} | {:.1}% | {} | {:.0} | {:.1}% | {:.1}% | {} / {} / {} |",
            row.adapter.name(),
            verified.requests_per_sec,
            unverified.requests_per_sec,
            ratio * 100.0,
            if pass { "pass" } else { "FAIL" },
            hand_rolled.requests_per_sec,
            hand_rolled.requests_per_sec / unverified.requests_per_sec * 100.0,
            verified.requests_per_sec / hand_rolled.requests_per_sec * 100.0,
            micros(verified.p99_micros),
            micros(unverified.p99_micros),
            micros(hand_rolled.p99_micros),
        );
    }
    for row in &rows {
        let cores = row.best.each_ref().map(|result| result.server_cores);
        let (low, high) = cores.iter().fold((f64::INFINITY, 0.0_f64), |(low, high), &c| (low.min(c), high.max(c)));
        if high - low > 0.15 {
            println!(
                "\nNote: {}'s best runs got unequal CPU (verified, unverified, hand-rolled servers: {:.2}, {:.2}, \
                 {:.2} cores): other load decided those ratios; the CPU per request below does not depend on it.",
                row.adapter.name(),
                cores[0],
                cores[1],
                cores[2]
            );
        }
    }
    println!();
    println!("Server CPU per request (lowest of the rounds; what the ratios would be on a dedicated core):\n");
    println!(
        "| adapter | verified µs/req | unverified µs/req | hand-rolled µs/req | hookproof costs | the HMAC alone costs | \
         CPU-bound ratio | CPU-bound ceiling |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for row in &rows {
        let [verified, unverified, hand_rolled] = row.cpu;
        println!(
            "| {} | {verified:.1} | {unverified:.1} | {hand_rolled:.1} | +{:.1} µs | +{:.1} µs | {:.1}% | {:.1}% |",
            row.adapter.name(),
            verified - unverified,
            hand_rolled - unverified,
            unverified / verified * 100.0,
            unverified / hand_rolled * 100.0
        );
    }
    println!();
    println!(
        "Target: verified throughput >= {:.0}% of unverified, every adapter: {}",
        TARGET * 100.0,
        if all_ok && all_pass && rows.len() == adapters.len() { "pass" } else { "FAIL" }
    );
    println!(
        "Every verified run answered 2xx only (wrk `Non-2xx or 3xx responses` = 0): {}",
        if all_ok { "yes" } else { "NO, see the errors above" }
    );
    println!("Load average after: {}; total {:.0?}", load_average(), started.elapsed());
    Ok(all_ok)
}

/// An ASCII JSON body of exactly `size` bytes.
fn body(size: usize) -> Vec<u8> {
    let mut body = br#"{"type":"invoice.paid","data":{"pad":""#.to_vec();
    body.resize(size - 3, b'x');
    body.extend_from_slice(br#""}}"#);
    body
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn micros(value: f64) -> String {
    if value >= 1000.0 {
        format!("{:.2} ms", value / 1000.0)
    } else {
        format!("{value:.0} µs")
    }
}

// --- the load generator

/// A wrk script POSTing `body` with headers signed now.
fn write_script(path: &Path, signer: &Signer, body: &[u8]) -> std::io::Result<()> {
    let headers = signer.sign_at(body, SystemTime::now(), Some(EVENT_ID));
    let mut lua = String::from("-- written by hookproof-load\nwrk.method = \"POST\"\n");
    let _ = writeln!(lua, "wrk.path = \"{PATH}\"");
    // The body is ASCII JSON without `]==]`; header values are ids, digits and base64.
    let _ = writeln!(lua, "wrk.body = [==[{}]==]", String::from_utf8_lossy(body));
    lua.push_str("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
    for (name, value) in &headers {
        let value = value.to_str().map_err(std::io::Error::other)?;
        let _ = writeln!(lua, "wrk.headers[\"{name}\"] = [==[{value}]==]");
    }
    std::fs::write(path, lua)
}

fn wrk_args(secs: u64, script: &Path, url: &str) -> Vec<String> {
    vec![
        "wrk".to_owned(),
        format!("-t{WRK_THREADS}"),
        format!("-c{CONNECTIONS}"),
        format!("-d{secs}s"),
        "--latency".to_owned(),
        "--timeout".to_owned(),
        "2s".to_owned(),
        "-s".to_owned(),
        script.display().to_string(),
        url.to_owned(),
    ]
}

/// What one wrk run reported.
#[derive(Debug, Clone)]
struct WrkResult {
    requests: u64,
    requests_per_sec: f64,
    p99_micros: f64,
    non_2xx: u64,
    socket_errors: u64,
    /// CPU the servers (this process) used per request, in µs: the cost of
    /// one request, whatever share of a core other load left the server.
    server_cpu_micros_per_request: f64,
    /// CPU used by the servers and by wrk, in cores (1.0 = one core busy).
    server_cores: f64,
    wrk_cores: f64,
    output: String,
}

fn wrk(secs: u64, script: &Path, addr: SocketAddr) -> Result<WrkResult, Box<dyn std::error::Error>> {
    let args = wrk_args(secs, script, &format!("http://{addr}{PATH}"));
    let (before, started) = (cpu_times(), Instant::now());
    let output = Command::new(&args[0]).args(&args[1..]).output()?;
    let (after, elapsed) = (cpu_times(), started.elapsed().as_secs_f64());
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        return Err(format!("wrk failed ({}): {text}{}", output.status, String::from_utf8_lossy(&output.stderr)).into());
    }
    let mut result = parse_wrk(&text).ok_or_else(|| format!("cannot parse wrk's output:\n{text}"))?;
    if let (Some(before), Some(after)) = (before, after) {
        let server = after.0.saturating_sub(before.0) as f64 / CLOCK_TICKS;
        let wrk = after.1.saturating_sub(before.1) as f64 / CLOCK_TICKS;
        result.server_cpu_micros_per_request = server * 1e6 / result.requests.max(1) as f64;
        result.server_cores = server / elapsed;
        result.wrk_cores = wrk / elapsed;
    }
    Ok(result)
}

/// `/proc` counts CPU time in USER_HZ ticks, 100 per second on Linux.
const CLOCK_TICKS: f64 = 100.0;

/// CPU time of this process (the servers; the main thread only waits) and
/// of its reaped children (wrk), in ticks, from `/proc/self/stat`.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name: state is field 3, utime/stime 14/15, cutime/cstime 16/17.
    let fields: Vec<u64> =
        stat.rsplit_once(')')?.1.split_whitespace().skip(1).map(|f| f.parse().unwrap_or(0)).collect();
    Some((fields.get(10)? + fields.get(11)?, fields.get(12)? + fields.get(13)?))
}

fn parse_wrk(text: &str) -> Option<WrkResult> {
    let mut requests = None;
    let mut requests_per_sec = None;
    let mut p99_micros = None;
    let mut non_2xx = 0;
    let mut socket_errors = 0;
    for line in text.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Requests/sec:") {
            requests_per_sec = rest.trim().parse().ok();
        } else if let Some(rest) = line.strip_prefix("99%") {
            p99_micros = parse_latency(rest.trim());
        } else if let Some(rest) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx = rest.trim().parse().ok()?;
        } else if let Some(rest) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            socket_errors =
                rest.split(',').filter_map(|part| part.split_whitespace().nth(1)?.parse::<u64>().ok()).sum();
        } else if line.contains(" requests in ") {
            requests = line.split_whitespace().next()?.parse().ok();
        }
    }
    Some(WrkResult {
        requests: requests?,
        requests_per_sec: requests_per_sec?,
        p99_micros: p99_micros?,
        non_2xx,
        socket_errors,
        server_cpu_micros_per_request: f64::NAN,
        server_cores: f64::NAN,
        wrk_cores: f64::NAN,
        output: text.to_owned(),
    })
}

/// wrk's latencies: `812.00us`, `1.23ms`, `2.00s`, `1.00m`.
fn parse_latency(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit {
        "us" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "m" => 60e6,
        _ => return None,
    };
    Some(number * scale)
}

/// The numbers only count if every answer was 2xx.
fn check_run(adapter: Adapter, mode: Mode, result: &WrkResult) -> Result<(), String> {
    if result.requests == 0 || result.non_2xx > 0 {
        return Err(format!(
            "{} {mode:?}: {} of {} requests were not 2xx; the numbers would not be real:\n{}",
            adapter.name(),
            result.non_2xx,
            result.requests,
            result.output
        ));
    }
    if result.socket_errors > 0 {
        eprintln!("  warning: {} {mode:?}: {} socket errors in wrk's run", adapter.name(), result.socket_errors);
    }
    Ok(())
}

/// Before loading: the signed delivery is answered 200 and, when verifying,
/// a tampered one 401.
fn sanity_check(
    adapter: Adapter,
    mode: Mode,
    addr: SocketAddr,
    signer: &Signer,
    body: &[u8],
) -> Result<(), Box<dyn std::error::Error>> {
    let headers = signer.sign_at(body, SystemTime::now(), Some(EVENT_ID));
    let status = post(addr, &headers, body)?;
    if status != 200 {
        return Err(format!("{} {mode:?}: the signed delivery got {status}, not 200", adapter.name()).into());
    }
    if mode != Mode::Unverified {
        let mut tampered = body.to_vec();
        tampered[BODY_SIZE / 2] ^= 1;
        let status = post(addr, &headers, &tampered)?;
        if status != 401 {
            return Err(format!("{} {mode:?}: a tampered delivery got {status}, not 401", adapter.name()).into());
        }
    }
    Ok(())
}

/// One HTTP/1.1 POST over a fresh connection; the response's status.
fn post(addr: SocketAddr, headers: &http::HeaderMap, body: &[u8]) -> std::io::Result<u16> {
    let request = Request::post(PATH).header("content-type", "application/json").headers(headers).body(body);
    Ok(request.patience(Duration::from_secs(5)).send_to(addr)?.status)
}

// --- the servers: each on its own thread with one worker, `hookproof-test-support`'s.

/// Starts `adapter`'s server for `mode` on `127.0.0.1:0`.
fn start(adapter: Adapter, mode: Mode, verifier: Arc<Verifier>) -> std::io::Result<Server> {
    // One worker: a current-thread runtime (axum, tower) or one actix worker.
    let start = Start::new(format!("load-{}-{mode:?}", adapter.name())).workers(1);
    match adapter {
        Adapter::Axum => start.axum(axum_app(mode, verifier)),
        Adapter::Actix => start.actix(move |config| actix_app(mode, &verifier, config)),
        Adapter::Tower => start_tower(start, mode, verifier),
    }
}

/// Stops every server, then reports the first failure.
fn stop_all(servers: Vec<(Mode, Server)>) -> std::io::Result<()> {
    let stopped: Vec<_> = servers.into_iter().map(|(_, server)| server.stop()).collect();
    stopped.into_iter().collect()
}

/// The hand-rolled check: the least work any verification of this delivery
/// takes (one header decoded, one HMAC, one constant-time comparison).
/// `header` reads a header's value; each framework has its own map type.
fn hand_rolled_check<'a>(header: impl Fn(&str) -> Option<&'a [u8]>, body: &[u8]) -> bool {
    let (Some(id), Some(timestamp), Some(signature)) =
        (header("webhook-id"), header("webhook-timestamp"), header("webhook-signature"))
    else {
        return false;
    };
    let Some(Ok(expected)) =
        signature.strip_prefix(b"v1,").map(|encoded| base64::engine::general_purpose::STANDARD.decode(encoded))
    else {
        return false;
    };
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(hand_rolled_key()).expect("HMAC takes any key length");
    for part in [id, b".", timestamp, b".", body] {
        mac.update(part);
    }
    mac.verify_slice(&expected).is_ok()
}

/// The key a hand-rolled receiver decodes once at start-up.
fn hand_rolled_key() -> &'static [u8] {
    static KEY: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    KEY.get_or_init(|| {
        let encoded = SECRET.strip_prefix("whsec_").unwrap_or(SECRET);
        base64::engine::general_purpose::STANDARD.decode(encoded).expect("the bench's secret is valid base64")
    })
}

fn status_of(valid: bool) -> http::StatusCode {
    if valid {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNAUTHORIZED
    }
}

fn respond<B: From<Bytes>>(status: http::StatusCode) -> http::Response<B> {
    let mut response = http::Response::new(B::from(Bytes::from_static(ANSWER.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
    response
}

// axum: Router, hookproof's tower layer as route_layer, the RawWebhook extractor.

async fn axum_verified(webhook: hookproof::integrations::axum::RawWebhook) -> http::Response<axum::body::Body> {
    std::hint::black_box((&webhook.verified, &webhook.body));
    respond(http::StatusCode::OK)
}

async fn axum_unverified(body: axum::body::Bytes) -> http::Response<axum::body::Body> {
    std::hint::black_box(&body);
    respond(http::StatusCode::OK)
}

async fn axum_hand_rolled(headers: http::HeaderMap, body: axum::body::Bytes) -> http::Response<axum::body::Body> {
    respond(status_of(hand_rolled_check(|name| headers.get(name).map(|value| value.as_bytes()), &body)))
}

fn axum_app(mode: Mode, verifier: Arc<Verifier>) -> axum::Router {
    match mode {
        Mode::Verified => axum::Router::new()
            .route(PATH, axum::routing::post(axum_verified))
            .route_layer(hookproof::integrations::tower::WebhookLayer::new(Arc::clone(&verifier)))
            .with_state(verifier),
        Mode::Unverified => axum::Router::new().route(PATH, axum::routing::post(axum_unverified)),
        Mode::HandRolled => axum::Router::new().route(PATH, axum::routing::post(axum_hand_rolled)),
    }
}

// actix: WebhookMiddleware on the resource, the RawWebhook extractor.

async fn actix_verified(webhook: hookproof::integrations::actix::RawWebhook) -> actix_web::HttpResponse {
    std::hint::black_box((&webhook.verified, &webhook.body));
    actix_web::HttpResponse::Ok().content_type("application/json").body(ANSWER)
}

async fn actix_unverified(body: actix_web::web::Bytes) -> actix_web::HttpResponse {
    std::hint::black_box(&body);
    actix_web::HttpResponse::Ok().content_type("application/json").body(ANSWER)
}

async fn actix_hand_rolled(request: actix_web::HttpRequest, body: actix_web::web::Bytes) -> actix_web::HttpResponse {
    let valid = hand_rolled_check(|name| request.headers().get(name).map(|value| value.as_bytes()), &body);
    let status = actix_web::http::StatusCode::from_u16(status_of(valid).as_u16()).expect("a valid status");
    actix_web::HttpResponse::build(status).content_type("application/json").body(ANSWER)
}

fn actix_app(mode: Mode, verifier: &Arc<Verifier>, config: &mut actix_web::web::ServiceConfig) {
    use actix_web::web;

    match mode {
        Mode::Verified => config.service(
            web::resource(PATH)
                .wrap(hookproof::integrations::actix::WebhookMiddleware::new(Arc::clone(verifier)))
                .route(web::post().to(actix_verified)),
        ),
        Mode::Unverified => config.service(web::resource(PATH).route(web::post().to(actix_unverified))),
        Mode::HandRolled => config.service(web::resource(PATH).route(web::post().to(actix_hand_rolled))),
    };
}

// tower: WebhookLayer in front of a service_fn, on hyper 1 through hyper-util.

fn start_tower(start: Start, mode: Mode, verifier: Arc<Verifier>) -> std::io::Result<Server> {
    match mode {
        Mode::Verified => {
            let service = tower::ServiceBuilder::new()
                .layer(hookproof::integrations::tower::WebhookLayer::new(verifier))
                .service_fn(|request: http::Request<Full<Bytes>>| async move {
                    let verified = request.extensions().get::<hookproof::Verified>().cloned();
                    let body = request.into_body().collect().await.map(|body| body.to_bytes());
                    let status = match (verified, body) {
                        (Some(verified), Ok(body)) => {
                            std::hint::black_box((&verified, &body));
                            http::StatusCode::OK
                        }
                        _ => http::StatusCode::INTERNAL_SERVER_ERROR,
                    };
                    Ok::<_, Infallible>(respond::<Full<Bytes>>(status))
                });
            start.hyper(service)
        }
        Mode::Unverified => {
            start.hyper(tower::service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                let status = match request.into_body().collect().await.map(|body| body.to_bytes()) {
                    Ok(body) => {
                        std::hint::black_box(&body);
                        http::StatusCode::OK
                    }
                    Err(_) => http::StatusCode::BAD_REQUEST,
                };
                Ok::<_, Infallible>(respond::<Full<Bytes>>(status))
            }))
        }
        Mode::HandRolled => {
            start.hyper(tower::service_fn(|request: http::Request<hyper::body::Incoming>| async move {
                let (parts, body) = request.into_parts();
                let status = match body.collect().await.map(|body| body.to_bytes()) {
                    Ok(body) => status_of(hand_rolled_check(
                        |name| parts.headers.get(name).map(|value| value.as_bytes()),
                        &body,
                    )),
                    Err(_) => http::StatusCode::BAD_REQUEST,
                };
                Ok::<_, Infallible>(respond::<Full<Bytes>>(status))
            }))
        }
    }
}
