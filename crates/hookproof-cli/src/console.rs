//! The web console over the inbox: `hookproof console`, and
//! `listen --inbox URL --console` (under `/_hookproof/`); `replay`; the
//! refusals log (`listen --record-rejected`).
//!
//! Safe by default: loopback unless told otherwise, a token required when
//! bound elsewhere, the page's assets embedded in the binary, every byte of
//! a delivery shown as text (the page only ever sets `textContent`), and a
//! Content-Security-Policy that allows no inline script anyway.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq as _;

use axum::extract::{Path, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use bytes::Bytes;
use hookproof::inbox::{Inbox, NewRejection, State as EventState, DEFAULT_REJECTED_ROWS};
use hookproof::{Signer, Verifier, VerifyError};
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::{json, Value};

use crate::inbox::{chain, connect, runtime};
use crate::{Failure, SecretArgs};

const INDEX_HTML: &str = include_str!("../assets/console/index.html");
const APP_JS: &str = include_str!("../assets/console/app.js");
const APP_CSS: &str = include_str!("../assets/console/app.css");

/// Where the console lives on a listener's port.
pub(crate) const LISTEN_PREFIX: &str = "/_hookproof";

/// The environment variable holding the console's token.
const TOKEN_ENV: &str = "HOOKPROOF_CONSOLE_TOKEN";

/// The header the page sends the token in (and, token or not, that marks
/// a request as the page's own: a cross-site form cannot set it).
const TOKEN_HEADER: &str = "x-hookproof-token";

/// Events shown per page of the list.
const LIST_LIMIT: usize = 50;

/// `hookproof console`.
#[derive(clap::Args, Debug)]
pub(crate) struct ConsoleArgs {
    /// The inbox: `sqlite:PATH` or `postgres://...`.
    #[arg(long)]
    db: String,
    /// Address to bind. Anything but loopback needs a token.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Port to bind; 0 picks a free one.
    #[arg(long, default_value_t = 8025)]
    port: u16,
    /// A file whose first line is the token the page must present (also
    /// read from HOOKPROOF_CONSOLE_TOKEN); required unless bound to loopback.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Preset the console's "replay" action signs with (with --secret,
    /// --secret-file or HOOKPROOF_SECRET); replay is off without it.
    #[arg(long)]
    preset: Option<String>,
    #[command(flatten)]
    secrets: SecretArgs,
}

/// `hookproof replay`.
#[derive(clap::Args, Debug)]
pub(crate) struct ReplayArgs {
    /// The inbox: `sqlite:PATH` or `postgres://...`.
    #[arg(long)]
    db: String,
    /// The event's id (from `inbox list` or the console).
    id: i64,
    /// Where to POST the re-signed delivery (http:// only).
    #[arg(long)]
    to: String,
    /// Preset to sign with (see `hookproof presets`).
    #[arg(long)]
    preset: String,
    #[command(flatten)]
    secret: SecretArgs,
}

/// What the console's handlers share.
#[derive(Clone)]
pub(crate) struct Console {
    inbox: Inbox,
    token: Option<Arc<str>>,
    signer: Option<Arc<Signer>>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Console")
            .field("inbox", &self.inbox)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("signer", &self.signer)
            .finish()
    }
}

impl Console {
    pub(crate) fn new(inbox: Inbox, token: Option<String>, signer: Option<Signer>) -> Self {
        Self { inbox, token: token.map(Arc::from), signer: signer.map(Arc::new) }
    }
}

/// The token from --token-file or the environment; none is fine on loopback only.
pub(crate) fn token(file: Option<&PathBuf>, host: IpAddr) -> Result<Option<String>, Failure> {
    let token = match file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::usage(format!("error: --token-file {}: {e}", path.display())))?;
            Some(text.lines().next().unwrap_or_default().trim().to_owned())
        }
        None => std::env::var(TOKEN_ENV).ok().map(|t| t.trim().to_owned()),
    }
    .filter(|token| !token.is_empty());
    if token.is_none() && !host.is_loopback() {
        return Err(Failure::usage(format!(
            "error: the console on {host} would be open to the network: pass --token-file PATH or set {TOKEN_ENV}, \
             or bind 127.0.0.1"
        )));
    }
    if token.as_ref().is_some_and(|t| t.len() < 16) {
        return Err(Failure::usage("error: the console token must be at least 16 characters"));
    }
    Ok(token)
}

/// The console's routes under `prefix` (`""` or [`LISTEN_PREFIX`]).
pub(crate) fn router(console: Console, prefix: &str) -> Router {
    let at = |path: &str| format!("{prefix}{path}");
    let api = Router::new()
        .route(&at("/api/events"), get(list_events))
        .route(&at("/api/events/{id}"), get(show_event))
        .route(&at("/api/events/{id}/retry"), post(retry_event))
        .route(&at("/api/events/{id}/replay"), post(replay_event))
        .route(&at("/api/purge"), post(purge_events))
        .route(&at("/api/rejected"), get(list_rejected))
        .route_layer(axum::middleware::from_fn_with_state(console.clone(), guard))
        .with_state(console);
    let mut pages = Router::new()
        .route(&at("/"), get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }))
        .route(&at("/app.js"), get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }))
        .route(&at("/app.css"), get(|| async { asset("text/css; charset=utf-8", APP_CSS) }));
    if !prefix.is_empty() {
        let target = at("/");
        pages = pages.route(prefix, get(move || async move { axum::response::Redirect::to(&target) }));
    }
    pages.merge(api).layer(axum::middleware::from_fn(security_headers))
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// No inline script, nothing from elsewhere, no framing, no sniffing.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        ),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Every API call: the page's own header (a cross-site form cannot send
/// it), the token when one is set, and without a token a loopback `Host`
/// (a DNS-rebound name pointing at 127.0.0.1 is refused).
async fn guard(State(console): State<Console>, request: Request, next: Next) -> Response {
    let presented = request.headers().get(TOKEN_HEADER).map(HeaderValue::as_bytes);
    let allowed = match (&console.token, presented) {
        (Some(token), Some(presented)) => token.as_bytes().ct_eq(presented).into(),
        (Some(_), None) => false,
        (None, Some(_)) => request.headers().get(header::HOST).and_then(|h| h.to_str().ok()).is_some_and(loopback_host),
        (None, None) => false,
    };
    if !allowed {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "console_token_required" }))).into_response();
    }
    next.run(request).await
}

fn loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _port)| name),
    };
    name.eq_ignore_ascii_case("localhost") || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn failed(error: impl std::fmt::Display) -> Response {
    (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "error": "inbox_unavailable", "message": error.to_string() })))
        .into_response()
}

fn bad_request(message: impl Into<String>) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": "bad_request", "message": message.into() }))).into_response()
}

/// The event type: the provider's header, else the body's usual field.
pub(crate) fn event_type(headers: &BTreeMap<String, String>, body: &[u8]) -> Option<String> {
    if let Some(value) = hookproof::sink::EVENT_TYPE_HEADERS.iter().find_map(|name| headers.get(*name)) {
        return Some(value.clone());
    }
    let json: Value = serde_json::from_slice(body).ok()?;
    ["/type", "/topic", "/event_type", "/event/type", "/event"]
        .iter()
        .find_map(|pointer| json.pointer(pointer).and_then(Value::as_str).map(str::to_owned))
}

#[derive(serde::Deserialize)]
struct ListQuery {
    state: Option<String>,
    provider: Option<String>,
}

async fn list_events(State(console): State<Console>, Query(query): Query<ListQuery>) -> Response {
    let state = match query.state.as_deref().filter(|s| !s.is_empty()).map(str::parse::<EventState>).transpose() {
        Ok(state) => state,
        Err(_) => return bad_request("state is pending, processing, done or dead"),
    };
    let provider = query.provider.filter(|p| !p.is_empty());
    let stats = match console.inbox.stats().await {
        Ok(stats) => stats,
        Err(error) => return failed(chain(&error)),
    };
    // A provider filter looks further back, then keeps a page of matches.
    let fetch = if provider.is_some() { LIST_LIMIT * 10 } else { LIST_LIMIT };
    let summaries = match console.inbox.list(state, fetch).await {
        Ok(summaries) => summaries,
        Err(error) => return failed(chain(&error)),
    };
    let mut events = Vec::new();
    for summary in summaries.into_iter().filter(|s| provider.as_ref().is_none_or(|p| &s.scheme == p)).take(LIST_LIMIT) {
        let event_type = match console.inbox.get(summary.id).await {
            Ok(Some(record)) => event_type(&record.headers, &record.body),
            _ => None,
        };
        let mut row = serde_json::to_value(&summary).unwrap_or_default();
        row["event_type"] = event_type.into();
        events.push(row);
    }
    let providers: Vec<&str> = hookproof::presets::NAMES.to_vec();
    Json(json!({
        "stats": stats,
        "events": events,
        "providers": providers,
        "replay": console.signer.as_ref().map(|s| s.scheme().name().to_owned()),
    }))
    .into_response()
}

/// The body as text (bytes that are not UTF-8 shown as U+FFFD) and, when it
/// is JSON, pretty-printed.
fn body_views(body: &[u8]) -> (String, Option<String>) {
    let text = String::from_utf8_lossy(body).into_owned();
    let pretty = serde_json::from_slice::<Value>(body).ok().and_then(|json| serde_json::to_string_pretty(&json).ok());
    (text, pretty)
}

async fn show_event(State(console): State<Console>, Path(id): Path<i64>) -> Response {
    let record = match console.inbox.get(id).await {
        Ok(Some(record)) => record,
        Ok(None) => return (StatusCode::NOT_FOUND, Json(json!({ "error": "not_found" }))).into_response(),
        Err(error) => return failed(chain(&error)),
    };
    let (body, pretty) = body_views(&record.body);
    let mut json = serde_json::to_value(&record.summary).unwrap_or_default();
    json["event_type"] = event_type(&record.headers, &record.body).into();
    json["timestamp"] = record.timestamp.into();
    json["headers"] = serde_json::to_value(&record.headers).unwrap_or_default();
    json["body"] = body.into();
    json["body_pretty"] = pretty.into();
    json["body_size"] = record.body.len().into();
    Json(json).into_response()
}

async fn retry_event(State(console): State<Console>, Path(id): Path<i64>) -> Response {
    match console.inbox.retry(&[id]).await {
        Ok(retried) => Json(json!({ "retried": retried })).into_response(),
        Err(error) => failed(chain(&error)),
    }
}

#[derive(serde::Deserialize)]
struct PurgeQuery {
    state: String,
}

async fn purge_events(State(console): State<Console>, Query(query): Query<PurgeQuery>) -> Response {
    let state = match query.state.parse::<EventState>() {
        Ok(state @ (EventState::Done | EventState::Dead)) => state,
        _ => return bad_request("only done or dead events are purged from the console"),
    };
    match console.inbox.purge(state, Duration::ZERO).await {
        Ok(purged) => Json(json!({ "purged": purged })).into_response(),
        Err(error) => failed(chain(&error)),
    }
}

#[derive(serde::Deserialize)]
struct ReplayRequest {
    to: String,
}

async fn replay_event(
    State(console): State<Console>,
    Path(id): Path<i64>,
    Json(request): Json<ReplayRequest>,
) -> Response {
    let Some(signer) = console.signer.clone() else {
        return bad_request("replay is off: start the console with --preset and a secret");
    };
    let to: http::Uri = match request.to.parse() {
        Ok(to) => to,
        Err(_) => return bad_request("`to` is not a URL"),
    };
    match replay(&console.inbox, id, &to, &signer).await {
        Ok(answer) => Json(json!({
            "status": answer.status.as_u16(),
            "body": String::from_utf8_lossy(&answer.body),
        }))
        .into_response(),
        Err(message) => {
            (StatusCode::BAD_GATEWAY, Json(json!({ "error": "replay_failed", "message": message }))).into_response()
        }
    }
}

async fn list_rejected(State(console): State<Console>) -> Response {
    match console.inbox.rejected(LIST_LIMIT).await {
        Ok(rows) => {
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|row| {
                    let (body, pretty) = body_views(&row.body);
                    let mut json = serde_json::to_value(&row).unwrap_or_default();
                    json["body"] = body.into();
                    json["body_pretty"] = pretty.into();
                    json
                })
                .collect();
            Json(json!({ "rejected": rows })).into_response()
        }
        Err(error) => failed(chain(&error)),
    }
}

/// Re-signs event `id`'s stored body at the current time (same provider
/// id, same kept headers) and POSTs it to `to`.
pub(crate) async fn replay(
    inbox: &Inbox,
    id: i64,
    to: &http::Uri,
    signer: &Signer,
) -> Result<crate::client::Answer, String> {
    let record = inbox
        .get(id)
        .await
        .map_err(|e| format!("cannot read event {id}: {}", chain(&e)))?
        .ok_or_else(|| format!("no event {id} in the inbox"))?;
    let scheme = signer.scheme();
    let signed: Vec<String> = scheme
        .signature_headers()
        .iter()
        .chain(scheme.timestamp_headers())
        .chain(scheme.id_headers())
        .map(|name| name.to_ascii_lowercase())
        .collect();
    let mut headers = HeaderMap::new();
    for (name, value) in &record.headers {
        if signed.contains(&name.to_ascii_lowercase()) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (header::HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            headers.insert(name, value);
        }
    }
    let id_header = record.summary.provider_id.as_deref().filter(|_| !scheme.id_headers().is_empty());
    headers.extend(signer.sign_at(&record.body, SystemTime::now(), id_header));
    crate::client::post(to, headers, record.body.clone()).await.map_err(|e| format!("cannot send to {to}: {e}"))
}

/// `hookproof console`.
pub(crate) fn console_command(args: ConsoleArgs) -> Result<(), Failure> {
    let token = token(args.token_file.as_ref(), args.host)?;
    let signer = match &args.preset {
        Some(name) => Some(
            Signer::new(crate::preset(name)?, args.secrets.first()?)
                .map_err(|e| Failure::usage(format!("error: {e}")))?,
        ),
        None => None,
    };
    let runtime = runtime()?;
    runtime.block_on(async {
        let inbox = connect(&args.db, "--db").await?;
        let app = router(Console::new(inbox, token, signer), "");
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port))
            .await
            .map_err(|e| Failure::failed(format!("error: cannot listen on {}:{}: {e}", args.host, args.port)))?;
        let addr = listener.local_addr().map_err(|e| Failure::failed(format!("error: {e}")))?;
        eprintln!("console on http://{addr}/");
        axum::serve(listener, app)
            .with_graceful_shutdown(crate::inbox::shutdown_signal())
            .await
            .map_err(|e| Failure::failed(format!("error: {e}")))
    })
}

/// `hookproof replay`.
pub(crate) fn replay_command(args: ReplayArgs) -> Result<(), Failure> {
    let signer = Signer::new(crate::preset(&args.preset)?, args.secret.first()?)
        .map_err(|e| Failure::usage(format!("error: {e}")))?;
    let to: http::Uri = args.to.parse().map_err(|_| Failure::usage(format!("error: `{}` is not a URL", args.to)))?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let inbox = connect(&args.db, "--db").await?;
        let answer = replay(&inbox, args.id, &to, &signer).await.map_err(|m| Failure::failed(format!("error: {m}")))?;
        answer.report()
    })
}

// --- the refusals log: a middleware around the verifying receiver.

/// What the recorder needs to say why a delivery was refused.
#[derive(Debug)]
pub(crate) struct Recorder {
    pub(crate) inbox: Inbox,
    pub(crate) path: String,
    pub(crate) verifier: Arc<Verifier>,
    /// The same scheme and secrets with the widest tolerance: tells how old
    /// a stale timestamp was.
    pub(crate) lenient: Verifier,
    pub(crate) secrets: usize,
}

/// Headers never recorded: credentials of the request, not of the delivery.
const UNRECORDED: &[&str] = &["authorization", "cookie", "proxy-authorization"];

/// Records every delivery the receiver refused (4xx) with its reason.
pub(crate) async fn record_refusals(State(recorder): State<Arc<Recorder>>, request: Request, next: Next) -> Response {
    if request.uri().path() != recorder.path || request.method() != http::Method::POST {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let headers = parts.headers.clone();
    let limit = recorder.verifier.body_limit();
    let body = match axum::body::to_bytes(body, limit).await {
        Ok(body) => body,
        Err(_) => {
            let error = VerifyError::BodyTooLarge { limit };
            let reason = format!("the body is over the {limit} byte limit (--max-body); it was not read further");
            record(&recorder, &headers, Bytes::new(), &error, reason);
            return hookproof::integrations::tower::error_response(&error).map(axum::body::Body::new);
        }
    };
    let response = next.run(Request::from_parts(parts, axum::body::Body::from(body.clone()))).await;
    let status = response.status();
    if !status.is_client_error() || status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    // Say why from the verifier's own answer, checked again here.
    if let Err(error) = recorder.verifier.verify(&headers, &body) {
        let reason = explain(&recorder, &headers, &body, &error);
        record(&recorder, &headers, body, &error, reason);
    }
    response
}

fn record(recorder: &Arc<Recorder>, headers: &HeaderMap, body: Bytes, error: &VerifyError, reason: String) {
    // Signatures are derived from the secret (a stale delivery's is even
    // valid): kept out like the secrets, with their length for debugging.
    let scheme = recorder.verifier.scheme();
    let signature = |name: &str| scheme.signature_headers().iter().any(|h| h.eq_ignore_ascii_case(name));
    let kept = headers
        .iter()
        .filter(|(name, _)| !UNRECORDED.contains(&name.as_str()))
        .map(|(name, value)| {
            let shown = if signature(name.as_str()) {
                format!("(signature, {} bytes, not kept)", value.len())
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_owned(), shown)
        })
        .collect();
    let rejection = NewRejection {
        scheme: recorder.verifier.scheme().name().to_owned(),
        status: error.status().as_u16(),
        code: error.code().to_owned(),
        reason,
        headers: kept,
        body,
    };
    let inbox = recorder.inbox.clone();
    tokio::spawn(async move {
        if let Err(error) = inbox.record_rejected(rejection, DEFAULT_REJECTED_ROWS).await {
            eprintln!("hookproof: cannot record a refused delivery: {}", chain(&error));
        }
    });
}

fn human(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} seconds"),
        120..=7199 => format!("{} minutes", seconds / 60),
        7200..=172_799 => format!("{} hours", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

/// What a person can act on, never a secret or a signature.
pub(crate) fn explain(recorder: &Recorder, headers: &HeaderMap, body: &[u8], error: &VerifyError) -> String {
    let tolerance = recorder.verifier.tolerance().map_or(0, |t| t.as_secs());
    let tried = (1..=recorder.secrets).map(|i| format!("#{i}")).collect::<Vec<_>>().join(", ");
    match error {
        VerifyError::MissingHeader { header } => format!(
            "the `{header}` header is missing: the sender does not sign for the `{}` preset, or a proxy dropped it",
            recorder.verifier.scheme().name()
        ),
        VerifyError::TimestampTooOld | VerifyError::TimestampInFuture => {
            let now = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let age = recorder.lenient.verify(headers, body).ok().and_then(|v| v.timestamp()).map(|ts| {
                let now = i64::try_from(now).unwrap_or(i64::MAX);
                now.saturating_sub(ts)
            });
            match (error, age) {
                (VerifyError::TimestampTooOld, Some(age)) => format!(
                    "the timestamp is {} old; the tolerance is {}: a captured delivery resent later, or the sender's clock is behind",
                    human(age.unsigned_abs()),
                    human(tolerance)
                ),
                (_, Some(age)) => format!(
                    "the timestamp is {} in the future; the tolerance is {}: the sender's clock is ahead",
                    human(age.unsigned_abs()),
                    human(tolerance)
                ),
                _ => format!("{error} ({}s tolerance)", tolerance),
            }
        }
        VerifyError::SignatureMismatch => format!(
            "no configured secret matched: tried secret {tried} of {} (by position, values never shown); \
             the sender signs with another secret, or the body was changed on the way",
            recorder.secrets
        ),
        VerifyError::BodyTooLarge { limit } => format!("the body is over the {limit} byte limit (--max-body)"),
        other => other.to_string(),
    }
}

/// The receiver's axum app with the console and the refusals log around it
/// (`listen --console`, `listen --record-rejected`).
pub(crate) fn wrap_listener(app: Router, console: Option<Console>, recorder: Option<Recorder>) -> Router {
    let mut app = app;
    if let Some(recorder) = recorder {
        app = app.layer(axum::middleware::from_fn_with_state(Arc::new(recorder), record_refusals));
    }
    if let Some(console) = console {
        app = app.merge(router(console, LISTEN_PREFIX));
    }
    app
}

/// `listen --console` / `--record-rejected`: the axum receiver with them.
pub(crate) fn listen_extras(
    args: &crate::ListenArgs,
    endpoint: &crate::listen::Endpoint,
) -> Result<Option<Router>, Failure> {
    if !args.console && !args.record_rejected {
        return Ok(None);
    }
    let Some(inbox) = endpoint.inbox.clone() else {
        return Err(Failure::usage(
            "error: --console and --record-rejected need --inbox (they show and keep rows there)",
        ));
    };
    if args.adapter != crate::listen::Adapter::Axum {
        return Err(Failure::usage("error: --console and --record-rejected are served by --adapter axum"));
    }
    let console = if args.console {
        let token = token(args.console_token_file.as_ref(), args.host)?;
        // The page's replay action signs as this listener's senders do (the first secret).
        let signer = Signer::new(crate::preset(&args.preset)?, args.secrets.first()?)
            .map_err(|e| Failure::usage(format!("error: {e}")))?;
        Some(Console::new(inbox.clone(), token, Some(signer)))
    } else {
        None
    };
    let recorder = if args.record_rejected {
        let lenient = crate::build_verifier(&args.preset, &args.secrets, Some(29 * 24 * 60 * 60), args.max_body)?;
        Some(Recorder {
            inbox,
            path: endpoint.path.clone(),
            verifier: Arc::clone(&endpoint.verifier),
            lenient,
            secrets: args.secrets.resolve()?.len(),
        })
    } else {
        None
    };
    let app = crate::listen::axum_app(endpoint.clone());
    Ok(Some(wrap_listener(app, console, recorder)))
}

/// Runs the console's runtime-free checks that do not need a server.
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_hosts_pass_without_a_token() {
        for host in ["127.0.0.1:8025", "localhost:1", "[::1]:80", "127.0.0.1", "LOCALHOST:2"] {
            assert!(loopback_host(host), "{host}");
        }
        for host in ["evil.example:8025", "10.0.0.1:80", "127.0.0.1.evil.example", "[2001:db8::1]:80"] {
            assert!(!loopback_host(host), "{host}");
        }
    }

    #[tokio::test]
    async fn debug_output_hides_the_token() {
        let dir = tempfile::tempdir().unwrap();
        let inbox = Inbox::connect(&format!("sqlite:{}", dir.path().join("inbox.db").display())).await.unwrap();
        let console = Console::new(inbox, Some("a-very-secret-console-token".to_owned()), None);
        let debug = format!("{console:?}");
        assert!(debug.contains("***") && !debug.contains("a-very-secret-console-token"), "{debug}");
    }

    #[test]
    fn a_network_bind_needs_a_token() {
        let open = token(None, "0.0.0.0".parse().unwrap());
        assert!(open.is_err() || std::env::var(TOKEN_ENV).is_ok());
        assert!(token(None, "127.0.0.1".parse().unwrap()).is_ok());
    }

    #[test]
    fn event_types_come_from_the_header_or_the_body() {
        let mut headers = BTreeMap::new();
        assert_eq!(event_type(&headers, br#"{"type":"invoice.paid"}"#).as_deref(), Some("invoice.paid"));
        assert_eq!(event_type(&headers, br#"{"topic":"customer/updated"}"#).as_deref(), Some("customer/updated"));
        assert_eq!(event_type(&headers, b"not json"), None);
        headers.insert("x-github-event".to_owned(), "push".to_owned());
        assert_eq!(event_type(&headers, br#"{"type":"x"}"#).as_deref(), Some("push"));
    }
}
