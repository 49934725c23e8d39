//! `demo`: receivers for the three seed providers and Standard Webhooks,
//! each on a free loopback port (served by different adapters), and real
//! HTTP deliveries against them, valid and hostile. Prints a table and fails
//! if any answer differs from the behaviour contract.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hookproof::replay::ReplayProtection;
use hookproof::{presets, Scheme, Signer, Verifier};

use crate::listen::{Adapter, Endpoint, Server};
use crate::receiver::Receiver;
use crate::Failure;

/// Receivers in the demo refuse bodies over this, so the oversized case is quick.
const DEMO_BODY_LIMIT: usize = 64 * 1024;

/// One delivery to send, and the answer the contract promises.
struct Case {
    name: &'static str,
    expected: &'static str,
}

/// One provider's receiver and the secrets in play.
struct Provider {
    scheme: Scheme,
    adapter: Adapter,
    current: String,
    previous: String,
    stranger: String,
}

impl Provider {
    fn new(scheme: Scheme, adapter: Adapter) -> Self {
        let secret = |label: &str| match scheme.key_format() {
            // whsec_ + base64 of a readable key
            hookproof::KeyFormat::WhsecBase64 => {
                format!("whsec_{}", base64_of(format!("demo-{}-{label}-key", scheme.name()).as_bytes()))
            }
            _ => format!("demo-{}-{label}-secret", scheme.name()),
        };
        Self { current: secret("current"), previous: secret("previous"), stranger: secret("stranger"), scheme, adapter }
    }
}

fn base64_of(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub(crate) fn run() -> Result<(), Failure> {
    let providers = [
        Provider::new(presets::smake(), Adapter::Axum),
        Provider::new(presets::smarter_launch(), Adapter::Actix),
        Provider::new(presets::smile(), Adapter::Tower),
        Provider::new(presets::standard_webhooks(), Adapter::Axum),
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("error: {e}")))?;
    let mut rows = Vec::new();
    for provider in &providers {
        let server = start(provider).map_err(|e| Failure::failed(format!("error: cannot start a receiver: {e}")))?;
        let url: http::Uri = format!("http://{}/webhooks", server.addr).parse().expect("a socket address makes a URI");
        for case in cases(&provider.scheme) {
            let got = runtime.block_on(send_case(provider, &url, case.name));
            rows.push(Row { provider: provider.scheme.name().to_owned(), adapter: provider.adapter, case, got });
        }
        server.stop().map_err(|e| Failure::failed(format!("error: stopping a receiver: {e}")))?;
    }
    rows.extend(inbox_rows()?);
    let failures = print_table(&rows);
    if failures == 0 {
        println!("\n{} deliveries, every answer as the contract says.", rows.len());
        Ok(())
    } else {
        Err(Failure::failed(format!("{failures} of {} answers differ from the contract", rows.len())))
    }
}

fn start(provider: &Provider) -> std::io::Result<Server> {
    let verifier = Verifier::builder(provider.scheme.clone())
        .secret(provider.current.as_str())
        .secret(provider.previous.as_str())
        .body_limit(DEMO_BODY_LIMIT)
        .build()
        .map_err(std::io::Error::other)?;
    let endpoint = Endpoint {
        inbox: None,
        path: "/webhooks".to_owned(),
        replay: Some(ReplayProtection::memory(&verifier)),
        verifier: Arc::new(verifier),
        receiver: Arc::new(Receiver { exec: None, print_events: false }),
    };
    Server::start(provider.adapter, SocketAddr::from(([127, 0, 0, 1], 0)), endpoint)
}

fn cases(scheme: &Scheme) -> Vec<Case> {
    let mut cases = vec![
        Case { name: "valid", expected: "200 processed" },
        Case { name: "tampered body", expected: "401 signature_mismatch" },
        Case { name: "wrong secret", expected: "401 signature_mismatch" },
        Case { name: "rotated secret", expected: "200 processed" },
    ];
    if scheme.has_timestamp() {
        cases.push(Case { name: "stale", expected: "401 timestamp_too_old" });
        cases.push(Case { name: "future", expected: "401 timestamp_in_future" });
    }
    cases.extend([
        Case { name: "duplicate", expected: "200 duplicate" },
        Case { name: "oversized", expected: "413 body_too_large" },
        Case { name: "malformed header", expected: "400 malformed_header" },
    ]);
    cases
}

fn body(scheme: &Scheme, case: &str) -> Vec<u8> {
    let payload = match scheme.name() {
        "smile" => serde_json::json!({"account_id": 42, "topic": "customer/updated", "data": {"case": case}}),
        "standard-webhooks" => {
            serde_json::json!({"type": "invoice.paid", "timestamp": "2026-11-22T00:00:00Z", "data": {"case": case}})
        }
        _ => serde_json::json!({"type": "demo", "data": {"case": case}}),
    };
    payload.to_string().into_bytes()
}

/// Sends one case's delivery (for `duplicate`, the `valid` delivery again)
/// and describes the answer as `<status> <error code | status field>`.
async fn send_case(provider: &Provider, url: &http::Uri, case: &str) -> String {
    let scheme = &provider.scheme;
    let now = SystemTime::now();
    let sign = |secret: &str, body: &[u8], at: SystemTime, id: &str| {
        Signer::new(scheme.clone(), secret).map(|signer| signer.sign_at(body, at, Some(id)))
    };
    let ten_minutes = Duration::from_secs(600);
    let prepared = match case {
        "valid" | "duplicate" => {
            // The same bytes, headers and id both times: the second is a replay.
            let body = body(scheme, "valid");
            sign(&provider.current, &body, now, "evt_demo_valid").map(|h| (h, body))
        }
        "tampered body" => {
            let body = body(scheme, case);
            let tampered = String::from_utf8_lossy(&body).replace("tampered body", "tampered BODY").into_bytes();
            sign(&provider.current, &body, now, "evt_demo_tampered").map(|h| (h, tampered))
        }
        "wrong secret" => {
            let body = body(scheme, case);
            sign(&provider.stranger, &body, now, "evt_demo_wrong").map(|h| (h, body))
        }
        "rotated secret" => {
            let body = body(scheme, case);
            sign(&provider.previous, &body, now, "evt_demo_rotated").map(|h| (h, body))
        }
        "stale" => {
            let body = body(scheme, case);
            sign(&provider.current, &body, now - ten_minutes, "evt_demo_stale").map(|h| (h, body))
        }
        "future" => {
            let body = body(scheme, case);
            sign(&provider.current, &body, now + ten_minutes, "evt_demo_future").map(|h| (h, body))
        }
        "oversized" => {
            let mut body = body(scheme, case);
            body.extend(std::iter::repeat_n(b' ', DEMO_BODY_LIMIT));
            sign(&provider.current, &body, now, "evt_demo_big").map(|h| (h, body))
        }
        _ => {
            // "malformed header": a signature that is not in the scheme's encoding.
            let body = body(scheme, case);
            sign(&provider.current, &body, now, "evt_demo_malformed").map(|mut headers| {
                let name = http::HeaderName::from_bytes(scheme.signature_headers()[0].as_bytes())
                    .expect("scheme header names are valid");
                headers.insert(name, http::HeaderValue::from_static("sha1=v1,!!not-a-signature!!"));
                (headers, body)
            })
        }
    };
    let (headers, body) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return format!("signer error: {error}"),
    };
    match crate::client::post(url, headers, body).await {
        Ok(answer) => {
            let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            let detail = json["error"].as_str().or(json["status"].as_str()).unwrap_or("?");
            format!("{} {detail}", answer.status.as_u16())
        }
        Err(error) => format!("no answer: {error}"),
    }
}

/// The inbox rows: a receiver in inbox mode on a SQLite file in a temp
/// directory, and workers in this process whose handler is slow, fails
/// twice, or fails until an operator's `hookproof inbox retry`.
fn inbox_rows() -> Result<Vec<Row>, Failure> {
    let dir = std::env::temp_dir().join(format!("hookproof-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure::failed(format!("error: {}: {e}", dir.display())))?;
    let db = format!("sqlite:{}", dir.join("inbox.db").display());
    let runtime = crate::inbox::runtime()?;
    let rows = runtime.block_on(inbox_cases(&db));
    let _ = std::fs::remove_dir_all(&dir);
    rows
}

async fn inbox_cases(db: &str) -> Result<Vec<Row>, Failure> {
    use std::sync::atomic::{AtomicBool, Ordering};

    use hookproof::inbox::{Event, Inbox, State, Worker};

    let provider = Provider::new(presets::standard_webhooks(), Adapter::Actix);
    let inbox = crate::inbox::connect(db, "the demo inbox").await?;
    let verifier = Verifier::builder(provider.scheme.clone())
        .secret(provider.current.as_str())
        .build()
        .map_err(|e| Failure::failed(format!("error: {e}")))?;
    let endpoint = Endpoint {
        inbox: Some(inbox.clone()),
        path: "/webhooks".to_owned(),
        replay: None,
        verifier: Arc::new(verifier),
        receiver: Arc::new(Receiver::default()),
    };
    let server = Server::start(provider.adapter, SocketAddr::from(([127, 0, 0, 1], 0)), endpoint)
        .map_err(|e| Failure::failed(format!("error: cannot start a receiver: {e}")))?;
    let url: http::Uri = format!("http://{}/webhooks", server.addr).parse().expect("a socket address makes a URI");

    // The handler: what each case's event does when a worker runs it.
    let healed = Arc::new(AtomicBool::new(false));
    let handler_healed = Arc::clone(&healed);
    let handler = move |event: Event| {
        let healed = Arc::clone(&handler_healed);
        async move {
            let payload: serde_json::Value = event.decode().map_err(|e| e.to_string())?;
            match payload["data"]["case"].as_str().unwrap_or_default() {
                "slow handler" => tokio::time::sleep(Duration::from_secs(2)).await,
                "fails twice" if event.attempt() <= 2 => return Err("failing on purpose".to_owned()),
                "always fails" if !healed.load(Ordering::SeqCst) => return Err("failing until fixed".to_owned()),
                _ => {}
            }
            Ok::<(), String>(())
        }
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = Worker::new(inbox.clone()).concurrency(4).max_attempts(3).backoff(Duration::from_millis(100));
    let workers = tokio::spawn(worker.run(handler, async move { stopped.await.unwrap_or(()) }));

    let send = |case: &'static str| {
        let (provider, url) = (&provider, url.clone());
        async move {
            let body = body(&provider.scheme, case);
            let id = format!("evt_demo_{}", case.replace(' ', "_"));
            let headers = Signer::new(provider.scheme.clone(), provider.current.as_str())
                .map(|signer| signer.sign_at(&body, SystemTime::now(), Some(&id)))
                .map_err(|e| Failure::failed(format!("error: {e}")))?;
            let started = std::time::Instant::now();
            let answer =
                crate::client::post(&url, headers, body).await.map_err(|e| Failure::failed(format!("error: {e}")))?;
            let json: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
            let detail = json["error"].as_str().or(json["status"].as_str()).unwrap_or("?");
            Ok::<_, Failure>((format!("{} {detail}", answer.status.as_u16()), started.elapsed(), id))
        }
    };
    // Waits (up to 20 s) until the event `id` is in `state`; its attempts.
    let settled = |id: String, state: State| {
        let inbox: Inbox = inbox.clone();
        async move {
            for _ in 0..200 {
                let events = inbox.list(Some(state), 1000).await.unwrap_or_default();
                if let Some(event) = events.iter().find(|event| event.provider_id.as_deref() == Some(id.as_str())) {
                    return Some((event.id, event.attempts));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            None
        }
    };

    let mut rows = Vec::new();
    let mut row = |case: &'static str, expected: &'static str, got: String| {
        rows.push(Row {
            provider: "inbox (sqlite)".to_owned(),
            adapter: provider.adapter,
            case: Case { name: case, expected },
            got,
        });
    };

    let (answer, took, id) = send("slow handler").await?;
    let at_once = if took < Duration::from_secs(1) { "at once" } else { "late" };
    let done = settled(id, State::Done).await.map_or("not done", |_| "then done");
    row("slow handler", "202 accepted at once, then done", format!("{answer} {at_once}, {done}"));

    let (answer, _, id) = send("slow handler").await?;
    row("duplicate", "200 duplicate", answer);
    drop(id);

    let (answer, _, id) = send("fails twice").await?;
    let done = settled(id, State::Done)
        .await
        .map_or("not done".to_owned(), |(_, attempts)| format!("done on attempt {attempts}"));
    row("fails twice", "202 accepted, done on attempt 3", format!("{answer}, {done}"));

    let (answer, _, id) = send("always fails").await?;
    let dead = settled(id.clone(), State::Dead).await;
    let mut got =
        format!("{answer}, {}", dead.map_or("not dead".to_owned(), |(_, attempts)| format!("dead after {attempts}")));
    if let Some((row_id, _)) = dead {
        // The operator fixes the cause, then re-runs it with the real command.
        healed.store(true, Ordering::SeqCst);
        let retried =
            std::process::Command::new(std::env::current_exe().map_err(|e| Failure::failed(format!("error: {e}")))?)
                .args(["inbox", "retry", "--db", db, &row_id.to_string()])
                .output()
                .map_err(|e| Failure::failed(format!("error: hookproof inbox retry: {e}")))?;
        let done = settled(id, State::Done).await.is_some() && retried.status.success();
        got.push_str(if done { ", done after inbox retry" } else { ", still dead after inbox retry" });
    }
    row("always fails", "202 accepted, dead after 3, done after inbox retry", got);

    let _ = stop.send(());
    let _ = workers.await;
    inbox.close().await;
    server.stop().map_err(|e| Failure::failed(format!("error: stopping a receiver: {e}")))?;
    Ok(rows)
}

struct Row {
    provider: String,
    adapter: Adapter,
    case: Case,
    got: String,
}

/// Prints the table (coloured on a terminal) and returns how many rows failed.
fn print_table(rows: &[Row]) -> usize {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let paint = |text: &str, code: &str| if colour { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_owned() };
    // Columns as wide as their longest cell, so the long inbox rows line up.
    let width = |cell: &dyn Fn(&Row) -> usize, header: &str| rows.iter().map(cell).max().unwrap_or(0).max(header.len());
    let (w_case, w_expected, w_got) = (
        width(&|row| row.case.name.len(), "case"),
        width(&|row| row.case.expected.len(), "expected"),
        width(&|row| row.got.len(), "got"),
    );
    println!(
        "{:<18} {:<8} {:<w_case$} {:<w_expected$} {:<w_got$} ok",
        "provider", "adapter", "case", "expected", "got"
    );
    let mut failures = 0;
    for row in rows {
        let ok = row.got == row.case.expected;
        failures += usize::from(!ok);
        let mark = if ok { paint("yes", "32") } else { paint("NO", "31;1") };
        println!(
            "{:<18} {:<8} {:<w_case$} {:<w_expected$} {:<w_got$} {mark}",
            row.provider,
            format!("{:?}", row.adapter).to_lowercase(),
            row.case.name,
            row.case.expected,
            row.got
        );
    }
    failures
}
