//! What `listen` does with a verified event, whichever adapter served it:
//! print one JSON line, and run `--exec` when given. Framework-free, so the
//! three adapters share it.

use std::os::fd::AsFd as _;
use std::process::Stdio;

use bytes::Bytes;
use hookproof::Verified;
use http::StatusCode;
use tokio::io::AsyncWriteExt as _;

/// The handler behind every adapter.
#[derive(Debug, Clone, Default)]
pub(crate) struct Receiver {
    /// Shell command run once per verified event, body on stdin.
    pub(crate) exec: Option<String>,
    /// Print one JSON line per processed event on stdout (`listen`; the demo prints a table instead).
    pub(crate) print_events: bool,
}

/// The answer when `--exec` failed: the sender retries (details on stderr).
const EXEC_FAILED: &str = r#"{"error":"exec_failed","message":"the --exec command failed; see the receiver's log"}"#;

/// What the handler answers: status and JSON body.
pub(crate) type Answer = (StatusCode, &'static str);

impl Receiver {
    /// Processes one verified event. 2xx only when it was processed: with
    /// `--exec`, only when the command exited 0, so a failure makes the
    /// sender retry (and replay protection lets the retry through).
    pub(crate) async fn handle(&self, verified: &Verified, body: &Bytes) -> Answer {
        if let Some(command) = &self.exec {
            match run(command, verified, body).await {
                Ok(true) => {}
                Ok(false) => return (StatusCode::INTERNAL_SERVER_ERROR, EXEC_FAILED),
                Err(error) => {
                    eprintln!("hookproof: --exec could not run: {error}");
                    return (StatusCode::INTERNAL_SERVER_ERROR, EXEC_FAILED);
                }
            }
        }
        if self.print_events {
            println!("{}", event_line(verified, body));
        }
        (StatusCode::OK, r#"{"status":"processed"}"#)
    }
}

/// `{"id": ..., "event_key": ..., "timestamp": ..., "body": <JSON, or the text when not JSON>}`.
/// `id` is the id header as received (unsigned for some providers);
/// `event_key` is what dedupe uses.
pub(crate) fn event_line(verified: &Verified, body: &[u8]) -> String {
    let key = verified.event_key(body).to_hex();
    serde_json::json!({
        "id": verified.id(),
        "event_key": key,
        "event_type": verified.event_type(body),
        "timestamp": verified.timestamp(),
        "body": body_json(body),
    })
    .to_string()
}

/// The body as JSON, or as a JSON string when it is not JSON.
pub(crate) fn body_json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice::<serde_json::Value>(body)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// The environment `--exec` gets for a verified event, inline.
fn inline_env(verified: &Verified, body: &[u8]) -> Vec<(&'static str, String)> {
    vec![
        ("HOOKPROOF_EVENT_ID", verified.id().unwrap_or_default().to_owned()),
        ("HOOKPROOF_EVENT_KEY", verified.event_key(body).to_hex()),
        ("HOOKPROOF_TIMESTAMP", verified.timestamp().map(|t| t.to_string()).unwrap_or_default()),
        ("HOOKPROOF_SCHEME", verified.scheme().to_owned()),
        ("HOOKPROOF_EVENT_TYPE", verified.event_type(body).unwrap_or_default()),
    ]
}

async fn run(command: &str, verified: &Verified, body: &Bytes) -> std::io::Result<bool> {
    run_exec(command, &inline_env(verified, body), body).await
}

/// Runs `command` with `sh -c`, `body` on stdin and `env` set; whether it
/// exited 0. Shared by `listen` (inline) and the inbox workers.
pub(crate) async fn run_exec(command: &str, env: &[(&str, String)], body: &[u8]) -> std::io::Result<bool> {
    let mut child = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .envs(env.iter().map(|(name, value)| (*name, value.as_str())))
        // The handler needs the event, not the receiver's secret.
        .env_remove(crate::SECRET_ENV)
        .stdin(Stdio::piped())
        // Our stdout carries one JSON line per event; the command's output goes to stderr.
        .stdout(Stdio::from(std::io::stderr().as_fd().try_clone_to_owned()?))
        .kill_on_drop(true)
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its stdin closes the pipe early; that is not a failure.
        let _ = stdin.write_all(body).await;
    }
    let status = child.wait().await?;
    if !status.success() {
        // The exit code (or signal) is what the operator needs to act on.
        eprintln!("hookproof: --exec failed: {status}");
    }
    Ok(status.success())
}
