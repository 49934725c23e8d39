//! `hookproof`: sign, verify, send and receive webhooks from the command line,
//! and a `demo` that shows the whole thing working end to end.
//!
//! Exit codes: 0 success, 1 the delivery (or the check) failed, 2 usage error.

mod client;
mod console;
mod demo;
mod inbox;
mod listen;
mod receiver;
mod trigger;

use std::io::Read as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use hookproof::handshake::Handshake;
use hookproof::replay::ReplayProtection;
use hookproof::{presets, RequestTarget, Scheme, Signer, Verifier};

#[derive(Parser, Debug)]
#[command(name = "hookproof", version, about = "Receive webhooks safely: sign, verify, send and listen.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List every preset: name, algorithm, headers and tolerance.
    Presets,
    /// Print the headers a provider would send for a body, one `Name: value` per line.
    Sign(SignArgs),
    /// Verify a delivery: exit 0 and `verified`, or exit 1 with the error code.
    Verify(VerifyArgs),
    /// Sign a body and POST it to URL; exit 0 only on a 2xx answer.
    Send(SendArgs),
    /// Run a receiver that verifies deliveries and prints one JSON line per processed event.
    Listen(ListenArgs),
    /// Run inbox workers only: process stored events with --exec.
    Work(inbox::WorkArgs),
    /// Look at and act on the inbox: stats, list, show, retry, purge.
    Inbox(inbox::InboxArgs),
    /// Start receivers for four providers, send them real deliveries, print what happened.
    Demo,
    /// Serve the web console over an inbox: live list, details, retry, purge, refusals.
    Console(console::ConsoleArgs),
    /// Re-sign a stored event's body at the current time and POST it.
    Replay(console::ReplayArgs),
    /// Send a realistic example event for a preset (`--list` shows them).
    Trigger(trigger::TriggerArgs),
}

#[derive(Args, Debug)]
struct ListenArgs {
    /// Preset name (see `hookproof presets`).
    #[arg(long)]
    preset: String,
    #[command(flatten)]
    secrets: SecretArgs,
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// Path that receives deliveries (POST).
    #[arg(long, default_value = "/webhooks")]
    path: String,
    /// Framework that serves the receiver.
    #[arg(long, value_enum, default_value = "axum")]
    adapter: listen::Adapter,
    /// Freshness window in seconds (the preset's when omitted).
    #[arg(long)]
    tolerance: Option<u64>,
    /// Largest body accepted, in bytes (the preset's when omitted).
    #[arg(long)]
    max_body: Option<usize>,
    /// Replay protection: `memory` (this process), or `redis://HOST:PORT`
    /// or `rediss://HOST:PORT` (TLS), shared by every receiver using it.
    #[arg(long, default_value = "memory")]
    replay: String,
    /// PEM file of the CA that signed a `rediss://` server's certificate,
    /// when it is not one the system trusts.
    #[arg(long, value_name = "PEM")]
    redis_ca_file: Option<PathBuf>,
    /// Command run once per verified event (body on stdin, HOOKPROOF_EVENT_ID,
    /// HOOKPROOF_EVENT_KEY, HOOKPROOF_TIMESTAMP and HOOKPROOF_SCHEME in its environment);
    /// the answer is 2xx only if it exits 0. With --inbox it runs in the workers instead.
    #[arg(long)]
    exec: Option<String>,
    /// Store deliveries durably and answer 202 once stored (`sqlite:PATH` or
    /// `postgres://...`); --exec then runs in the workers, with retries.
    #[arg(long)]
    inbox: Option<String>,
    #[command(flatten)]
    workers: inbox::WorkerArgs,
    /// Serve Prometheus metrics (verified, rejected by code, duplicates,
    /// verify latency) on http://ADDR/metrics, e.g. 127.0.0.1:9090.
    #[arg(long, value_name = "ADDR")]
    metrics: Option<std::net::SocketAddr>,
    /// Refuse to start when the replay store cannot be reached (without it, a
    /// warning, and deliveries are answered 503 until the store is back).
    #[arg(long)]
    strict: bool,
    /// Serve the web console under /_hookproof/ on this port (needs --inbox and the axum adapter).
    #[arg(long)]
    console: bool,
    /// A file whose first line is the console's token (or HOOKPROOF_CONSOLE_TOKEN);
    /// required when --host is not loopback.
    #[arg(long)]
    console_token_file: Option<PathBuf>,
    /// Keep refused deliveries, with the reason, in the inbox's refusals log
    /// (the newest 1000; never processed).
    #[arg(long)]
    record_rejected: bool,
    /// The URL the provider calls, for presets that sign it (twilio, square,
    /// hubspot) when it differs from what reaches this server (TLS
    /// termination, a proxy). Without it: http:// + Host + path and query.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,
    /// Answer a provider's GET setup handshake on the path (repeatable):
    /// `meta` (needs --verify-token), `x` (CRC, with the first secret as the
    /// consumer secret), `dropbox`. Slack's and Zoom's are always answered.
    #[arg(long, value_enum, value_name = "PROVIDER")]
    handshake: Vec<HandshakeArg>,
    /// The verify token of Meta's `hub.verify_token` check (implies `--handshake meta`).
    #[arg(long, value_name = "TOKEN")]
    verify_token: Option<String>,
}

/// A GET setup handshake `listen` can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum HandshakeArg {
    /// Meta (Facebook, Instagram, WhatsApp): `hub.challenge` for the right `hub.verify_token`.
    Meta,
    /// X (Twitter): the CRC `response_token`.
    X,
    /// Dropbox: the `challenge` echoed.
    Dropbox,
}

#[derive(Args, Debug)]
struct SignArgs {
    /// Preset name (see `hookproof presets`).
    #[arg(long)]
    preset: String,
    #[command(flatten)]
    secret: SecretArgs,
    /// Event id, for schemes that carry one (random when omitted).
    #[arg(long)]
    id: Option<String>,
    /// Timestamp in unix seconds (now when omitted).
    #[arg(long, allow_hyphen_values = true)]
    timestamp: Option<i64>,
    /// The full URL the provider would call, for URL-signed presets
    /// (twilio, square, hubspot).
    #[arg(long)]
    url: Option<String>,
    /// The request method, for presets that sign it (hubspot).
    #[arg(long, default_value = "POST")]
    method: String,
    /// File holding the body; stdin when omitted.
    file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct VerifyArgs {
    /// Preset name (see `hookproof presets`).
    #[arg(long)]
    preset: String,
    #[command(flatten)]
    secrets: SecretArgs,
    /// Freshness window in seconds (the preset's when omitted).
    #[arg(long)]
    tolerance: Option<u64>,
    /// Verify as if the time were this unix second.
    #[arg(long, allow_hyphen_values = true)]
    now: Option<i64>,
    /// A request header, `Name: value`; repeat for each.
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// The full URL the provider called (scheme, host, path, query), for
    /// URL-signed presets (twilio, square, hubspot).
    #[arg(long)]
    url: Option<String>,
    /// The request method, for presets that sign it (hubspot).
    #[arg(long, default_value = "POST")]
    method: String,
    /// File holding the body; stdin when omitted.
    file: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct SendArgs {
    /// Preset name (see `hookproof presets`).
    #[arg(long)]
    preset: String,
    #[command(flatten)]
    secret: SecretArgs,
    /// Event id, for schemes that carry one (random when omitted); the same
    /// id and body again is a real duplicate.
    #[arg(long)]
    id: Option<String>,
    /// Timestamp in unix seconds (now when omitted).
    #[arg(long, allow_hyphen_values = true)]
    timestamp: Option<i64>,
    /// An extra request header, `Name: value`, e.g. `X-GitHub-Event: push`; repeat for each.
    #[arg(short = 'H', long = "header")]
    headers: Vec<String>,
    /// Where to POST (http:// only).
    url: String,
    /// File holding the body; stdin when omitted.
    file: Option<PathBuf>,
}

/// Where the secrets come from. `--secret` is visible to every user of the
/// machine (`ps`), so a file or the environment is offered too.
#[derive(Args, Debug)]
struct SecretArgs {
    /// A secret; repeat for rotation (any may match). Other users can read it
    /// in `ps`: prefer --secret-file or HOOKPROOF_SECRET.
    #[arg(long = "secret")]
    secrets: Vec<String>,
    /// A file of secrets, one per line (rotation: any may match; signing uses
    /// the first). Blank lines and lines starting with `#` are skipped.
    #[arg(long)]
    secret_file: Option<PathBuf>,
}

/// The environment variable read when neither --secret nor --secret-file is given.
const SECRET_ENV: &str = "HOOKPROOF_SECRET";

impl SecretArgs {
    /// The secrets, in order: --secret, then --secret-file's lines; else
    /// `HOOKPROOF_SECRET`. None at all is a usage error.
    fn resolve(&self) -> Result<Vec<String>, Failure> {
        let mut secrets = self.secrets.clone();
        if let Some(path) = &self.secret_file {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("error: --secret-file {}: {e}", path.display())))?;
            let lines = text.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#'));
            let before = secrets.len();
            secrets.extend(lines.map(str::to_owned));
            if secrets.len() == before {
                return Err(Failure::usage(format!("error: --secret-file {} holds no secret", path.display())));
            }
        }
        if secrets.is_empty() {
            if let Ok(secret) = std::env::var(SECRET_ENV) {
                secrets.push(secret);
            }
        }
        if secrets.is_empty() {
            return Err(Failure::usage(format!(
                "error: no secret: pass --secret-file PATH, set {SECRET_ENV}, or pass --secret"
            )));
        }
        Ok(secrets)
    }

    /// The signing secret: the first one.
    fn first(&self) -> Result<String, Failure> {
        Ok(self.resolve()?.swap_remove(0))
    }
}

pub(crate) use hookproof::redact_url;

/// A failure and the exit code it earns.
pub(crate) struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Presets => {
            print_presets();
            Ok(())
        }
        Command::Sign(args) => sign(args),
        Command::Verify(args) => verify(args),
        Command::Send(args) => send(args),
        Command::Listen(args) => listen(args),
        Command::Work(args) => inbox::work_command(args),
        Command::Inbox(args) => inbox::inbox_command(args),
        Command::Demo => demo::run(),
        Command::Console(args) => console::console_command(args),
        Command::Replay(args) => console::replay_command(args),
        Command::Trigger(args) => trigger::trigger_command(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}

fn preset(name: &str) -> Result<Scheme, Failure> {
    presets::by_name(name)
        .ok_or_else(|| Failure::usage(format!("error: unknown preset `{name}` (known: {})", presets::NAMES.join(", "))))
}

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    match file {
        Some(path) => {
            body = std::fs::read(path).map_err(|e| Failure::usage(format!("error: {}: {e}", path.display())))?
        }
        None => {
            std::io::stdin().read_to_end(&mut body).map_err(|e| Failure::usage(format!("error: stdin: {e}")))?;
        }
    }
    Ok(body)
}

fn unix(seconds: i64) -> SystemTime {
    if seconds >= 0 {
        UNIX_EPOCH + Duration::from_secs(seconds.unsigned_abs())
    } else {
        UNIX_EPOCH - Duration::from_secs(seconds.unsigned_abs())
    }
}

fn print_presets() {
    // One row per preset; the header column is as wide as its longest list.
    let rows: Vec<[String; 4]> = presets::all()
        .iter()
        .map(|scheme| {
            let headers: Vec<&str> = scheme
                .signature_headers()
                .iter()
                .chain(scheme.timestamp_headers())
                .chain(scheme.id_headers())
                .map(|name| name.as_ref())
                .collect();
            let tolerance = scheme.tolerance().map_or("none".to_owned(), |t| format!("{}s", t.as_secs()));
            [scheme.name().to_owned(), scheme.algorithm().name().to_owned(), headers.join(","), tolerance]
        })
        .collect();
    let width = |column: usize, title: &str| rows.iter().map(|row| row[column].len()).chain([title.len()]).max();
    let (name, algorithm, headers) =
        (width(0, "name").unwrap_or(4), width(1, "algorithm").unwrap_or(9), width(2, "headers").unwrap_or(7));
    println!("{:<name$} {:<algorithm$} {:<headers$} tolerance", "name", "algorithm", "headers");
    for [scheme, algo, header_list, tolerance] in &rows {
        println!("{scheme:<name$} {algo:<algorithm$} {header_list:<headers$} {tolerance}");
    }
    let aliases: Vec<String> = presets::ALIASES.iter().map(|(alias, preset)| format!("{alias} = {preset}")).collect();
    println!("aliases: {}", aliases.join(", "));
}

fn sign(args: SignArgs) -> Result<(), Failure> {
    let scheme = preset(&args.preset)?;
    let signer = Signer::new(scheme, args.secret.first()?).map_err(|e| Failure::usage(format!("error: {e}")))?;
    let body = read_body(args.file.as_ref())?;
    let at = args.timestamp.map_or_else(SystemTime::now, unix);
    if signer.scheme().signs_request() && args.url.is_none() {
        return Err(Failure::usage(format!("error: `{}` signs the request URL: pass --url", args.preset)));
    }
    let target = RequestTarget::new(&args.method, args.url.as_deref().unwrap_or_default());
    for (name, value) in &signer.sign_request_at(target, &body, at, args.id.as_deref()) {
        println!("{}: {}", name, value.to_str().unwrap_or_default());
    }
    Ok(())
}

fn parse_headers(lines: &[String]) -> Result<http::HeaderMap, Failure> {
    let mut headers = http::HeaderMap::new();
    for line in lines {
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| Failure::usage(format!("error: header `{line}` is not `Name: value`")))?;
        let name = http::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Failure::usage(format!("error: `{}` is not a header name", name.trim())))?;
        let value = http::HeaderValue::from_str(value.trim())
            .map_err(|_| Failure::usage(format!("error: the value of `{name}` is not a header value")))?;
        headers.append(name, value);
    }
    Ok(headers)
}

fn build_verifier(
    preset_name: &str,
    secrets: &SecretArgs,
    tolerance: Option<u64>,
    max_body: Option<usize>,
) -> Result<Verifier, Failure> {
    verifier_builder(preset_name, secrets, tolerance, max_body)?
        .build()
        .map_err(|e| Failure::usage(format!("error: {e}")))
}

fn verifier_builder(
    preset_name: &str,
    secrets: &SecretArgs,
    tolerance: Option<u64>,
    max_body: Option<usize>,
) -> Result<hookproof::VerifierBuilder, Failure> {
    let mut builder = Verifier::builder(preset(preset_name)?);
    for secret in secrets.resolve()? {
        builder = builder.secret(secret);
    }
    if let Some(seconds) = tolerance {
        builder = builder.tolerance(Duration::from_secs(seconds));
    }
    if let Some(limit) = max_body {
        builder = builder.body_limit(limit);
    }
    Ok(builder)
}

/// `listen`'s verifier: the common options, the public URL and the handshakes.
fn listen_verifier(args: &ListenArgs) -> Result<Verifier, Failure> {
    let mut builder = verifier_builder(&args.preset, &args.secrets, args.tolerance, args.max_body)?;
    if let Some(url) = &args.public_url {
        builder = builder.public_url(url.as_str());
    }
    let meta = args.verify_token.is_some() || args.handshake.contains(&HandshakeArg::Meta);
    if meta {
        let token = args.verify_token.as_deref().filter(|token| !token.is_empty());
        let token = token.ok_or_else(|| Failure::usage("error: --handshake meta needs --verify-token TOKEN"))?;
        builder = builder.handshake(Handshake::meta(token));
    }
    if args.handshake.contains(&HandshakeArg::X) {
        // X signs deliveries and answers CRC checks with the same consumer secret.
        builder = builder.handshake(Handshake::x_crc(args.secrets.first()?));
    }
    if args.handshake.contains(&HandshakeArg::Dropbox) {
        builder = builder.handshake(Handshake::dropbox());
    }
    builder.build().map_err(|e| Failure::usage(format!("error: {e}")))
}

fn verify(args: VerifyArgs) -> Result<(), Failure> {
    let verifier = build_verifier(&args.preset, &args.secrets, args.tolerance, None)?;
    let headers = parse_headers(&args.headers)?;
    let body = read_body(args.file.as_ref())?;
    let now = args.now.map_or_else(SystemTime::now, unix);
    let verified = match &args.url {
        Some(url) => verifier.verify_request_at(&headers, RequestTarget::new(&args.method, url), &body, now),
        None if verifier.scheme().signs_request() => {
            return Err(Failure::usage(format!("error: `{}` signs the request URL: pass --url", args.preset)))
        }
        None => verifier.verify_at(&headers, &body, now),
    }
    .map_err(|error| Failure::failed(format!("{}: {error}", error.code())))?;
    let mut line = String::from("verified");
    if let Some(id) = verified.id() {
        line.push_str(&format!(" id={id}"));
    }
    if let Some(timestamp) = verified.timestamp() {
        line.push_str(&format!(" timestamp={timestamp}"));
    }
    println!("{line}");
    Ok(())
}

fn send(args: SendArgs) -> Result<(), Failure> {
    let scheme = preset(&args.preset)?;
    let signer = Signer::new(scheme, args.secret.first()?).map_err(|e| Failure::usage(format!("error: {e}")))?;
    let body = read_body(args.file.as_ref())?;
    let url: http::Uri = args.url.parse().map_err(|_| Failure::usage(format!("error: `{}` is not a URL", args.url)))?;
    let at = args.timestamp.map_or_else(SystemTime::now, unix);
    let mut headers = signer.sign_at(&body, at, args.id.as_deref());
    headers.extend(parse_headers(&args.headers)?);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("error: {e}")))?;
    let response = runtime.block_on(client::post(&url, headers, body)).map_err(|e| {
        Failure::failed(format!(
            "error: cannot deliver to {}: {e} (is a receiver listening there?)",
            redact_url(&args.url)
        ))
    })?;
    response.report()
}

fn listen(args: ListenArgs) -> Result<(), Failure> {
    let verifier = listen_verifier(&args)?;
    if !args.path.starts_with('/') {
        return Err(Failure::usage(format!("error: --path `{}` must start with `/`", args.path)));
    }
    if args.redis_ca_file.is_some() && !args.replay.starts_with("rediss://") {
        return Err(Failure::usage("error: --redis-ca-file needs --replay rediss://HOST:PORT"));
    }
    let replay = match args.replay.as_str() {
        "memory" => ReplayProtection::memory(&verifier),
        url if url.starts_with("redis://") || url.starts_with("rediss://") => {
            check_replay_store(url, args.redis_ca_file.as_deref(), args.strict)?;
            ReplayProtection::new(redis_store(url, args.redis_ca_file.as_deref())?, &verifier)
        }
        other => {
            return Err(Failure::usage(format!(
                "error: --replay must be `memory`, `redis://HOST:PORT` or `rediss://HOST:PORT`, not `{}`",
                redact_url(other)
            )))
        }
    };
    let Some(inbox_url) = args.inbox.clone() else {
        let endpoint = listen::Endpoint {
            path: args.path.clone(),
            verifier: std::sync::Arc::new(verifier),
            replay: Some(replay),
            inbox: None,
            receiver: std::sync::Arc::new(receiver::Receiver { exec: args.exec.clone(), print_events: true }),
        };
        let server = start_listening(&args, endpoint)?;
        return server.wait().map_err(|e| Failure::failed(format!("error: {e}")));
    };
    // Inbox mode: store, answer 202, and process in this process's workers
    // (none with --workers 0: `hookproof work` processes elsewhere).
    let runtime = inbox::runtime()?;
    let inbox = runtime.block_on(inbox::connect(&inbox_url, "--inbox"))?;
    let endpoint = listen::Endpoint {
        path: args.path.clone(),
        verifier: std::sync::Arc::new(verifier),
        replay: None,
        inbox: Some(inbox.clone()),
        receiver: std::sync::Arc::new(receiver::Receiver::default()),
    };
    let server = start_listening(&args, endpoint)?;
    if args.workers.workers == 0 {
        return server.wait().map_err(|e| Failure::failed(format!("error: {e}")));
    }
    let exec = args.exec.clone();
    let report = runtime.block_on(inbox::work(inbox, exec, &args.workers, inbox::shutdown_signal()))?;
    eprintln!(
        "stopped: {} succeeded, {} retried, {} dead, {} released",
        report.succeeded, report.retried, report.dead, report.released
    );
    server.stop().map_err(|e| Failure::failed(format!("error: {e}")))
}

/// Pings the Redis at `url` once before listening (with a store of its own,
/// so the receiver's store connects on its own runtime): a warning when it
/// cannot be reached, or, with `--strict`, a refusal to start.
fn check_replay_store(url: &str, ca_file: Option<&Path>, strict: bool) -> Result<(), Failure> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("error: cannot start the runtime: {e}")))?;
    let store = redis_store(url, ca_file)?;
    let Err(error) = runtime.block_on(store.ping()) else { return Ok(()) };
    let problem = format!("the replay store `{}` cannot be reached ({})", redact_url(url), inbox::chain(&error));
    if strict {
        return Err(Failure::failed(format!("error: {problem}; start it, or drop --strict to start anyway")));
    }
    eprintln!("warning: {problem}; deliveries are answered 503 replay_store_unavailable until it is back (--strict refuses to start)");
    Ok(())
}

/// The Redis store `--replay URL` names, trusting `--redis-ca-file` if given.
fn redis_store(url: &str, ca_file: Option<&Path>) -> Result<hookproof::integrations::redis::RedisStore, Failure> {
    let unusable = |e: &dyn std::fmt::Display| Failure::usage(format!("error: --replay `{}`: {e}", redact_url(url)));
    match ca_file {
        None => hookproof::integrations::redis::RedisStore::new(url).map_err(|e| unusable(&e)),
        Some(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| Failure::usage(format!("error: cannot read --redis-ca-file `{}`: {e}", path.display())))?;
            hookproof::integrations::redis::RedisStore::with_root_certificates(url, &pem).map_err(|e| unusable(&e))
        }
    }
}

/// Starts `endpoint` on `--host`/`--port` and says where on stderr, after
/// the metrics endpoint when asked: the recorder is installed before the
/// first delivery can arrive, so none goes uncounted.
fn start_listening(args: &ListenArgs, endpoint: listen::Endpoint) -> Result<listen::Server, Failure> {
    if let Some(addr) = args.metrics {
        metrics_exporter_prometheus::PrometheusBuilder::new().with_http_listener(addr).install().map_err(|e| {
            Failure::failed(format!("error: cannot serve --metrics on {addr}: {e} (is the port free?)"))
        })?;
    }
    let addr = std::net::SocketAddr::new(args.host, args.port);
    let server = match console::listen_extras(args, &endpoint)? {
        Some(app) => listen::Server::start_axum_app(addr, app),
        None => listen::Server::start(args.adapter, addr, endpoint),
    }
    .map_err(|e| Failure::failed(format!("error: cannot listen on {}:{}: {e}", args.host, args.port)))?;
    eprintln!("listening on http://{}{}", server.addr, args.path);
    if args.console {
        eprintln!("console on http://{}{}/", server.addr, console::LISTEN_PREFIX);
    }
    if let Some(addr) = args.metrics {
        // Not eprintln!: a closed stderr must not stop a running receiver.
        let _ = writeln!(std::io::stderr(), "metrics on http://{addr}/metrics");
    }
    Ok(server)
}
