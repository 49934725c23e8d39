//! The durable inbox from the command line: `listen --inbox`, `work`, and the
//! operator's `inbox stats|list|show|retry|purge`.

use std::error::Error as StdError;
use std::future::Future;
use std::time::Duration;

use clap::{Args, Subcommand};
use hookproof::inbox::{Event, Inbox, InboxError, State, Worker, WorkerReport};

use crate::receiver::{body_json, run_exec};
use crate::Failure;

/// How workers process the inbox; shared by `listen --inbox` and `work`.
#[derive(Args, Debug, Clone)]
pub(crate) struct WorkerArgs {
    /// Concurrent handlers (0 = receive only, process elsewhere with `work`).
    #[arg(long, default_value_t = 4)]
    pub(crate) workers: usize,
    /// Attempts before an event is dead.
    #[arg(long, default_value_t = 10)]
    pub(crate) max_attempts: u32,
    /// Delay before the first retry, in seconds; it doubles each attempt (with jitter).
    #[arg(long, default_value_t = 1.0)]
    pub(crate) backoff: f64,
}

impl WorkerArgs {
    fn backoff(&self) -> Result<Duration, Failure> {
        Duration::try_from_secs_f64(self.backoff)
            .ok()
            .filter(|backoff| *backoff <= Duration::from_secs(24 * 60 * 60))
            .ok_or_else(|| Failure::usage(format!("error: --backoff {} is not 0 to 86400 seconds", self.backoff)))
    }

    fn max_attempts(&self) -> Result<u32, Failure> {
        match self.max_attempts {
            0 => Err(Failure::usage("error: --max-attempts must be at least 1")),
            attempts => Ok(attempts),
        }
    }
}

/// `hookproof work`: workers only.
#[derive(Args, Debug)]
pub(crate) struct WorkArgs {
    /// The inbox: `sqlite:PATH` or `postgres://...`.
    #[arg(long)]
    inbox: String,
    /// Command run once per event: body on stdin; HOOKPROOF_EVENT_ID, HOOKPROOF_EVENT_KEY,
    /// HOOKPROOF_TIMESTAMP, HOOKPROOF_ATTEMPT, HOOKPROOF_SCHEME and HOOKPROOF_EVENT_TYPE in its
    /// environment. Exit 0 marks the event done; anything else retries it.
    #[arg(long)]
    exec: String,
    #[command(flatten)]
    workers: WorkerArgs,
}

/// `hookproof inbox ...`: look at and act on stored events.
#[derive(Args, Debug)]
pub(crate) struct InboxArgs {
    #[command(subcommand)]
    command: InboxCommand,
}

#[derive(Subcommand, Debug)]
enum InboxCommand {
    /// One JSON object with the count of events per state.
    Stats(DbArgs),
    /// One JSON line per event, newest first.
    List {
        #[command(flatten)]
        db: DbArgs,
        /// Only events in this state: pending, processing, done or dead.
        #[arg(long)]
        state: Option<String>,
        /// At most this many lines.
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
    /// One event, with its headers and body, as JSON.
    Show {
        #[command(flatten)]
        db: DbArgs,
        /// The event's id (from `list`).
        id: i64,
    },
    /// Puts dead (or done) events back to pending, attempts reset.
    Retry {
        #[command(flatten)]
        db: DbArgs,
        /// Event ids (from `list`).
        #[arg(required = true)]
        ids: Vec<i64>,
    },
    /// Deletes events in a state that were received more than SECONDS ago.
    Purge {
        #[command(flatten)]
        db: DbArgs,
        /// pending, processing, done or dead.
        #[arg(long)]
        state: String,
        /// Age in seconds.
        #[arg(long)]
        older_than: u64,
    },
}

#[derive(Args, Debug)]
struct DbArgs {
    /// The inbox: `sqlite:PATH` or `postgres://...`.
    #[arg(long)]
    db: String,
}

/// A runtime for one command's async work.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("error: cannot start the runtime: {e}")))
}

/// The error and its causes, `: `-separated (the inbox's errors keep the
/// database's reason as their source).
pub(crate) fn chain(error: &dyn StdError) -> String {
    hookproof::ErrorChain(error).to_string()
}

/// Opens the inbox at `url`; a bad URL is a usage error, an unreachable
/// database a failure. The URL's password never appears in the message.
pub(crate) async fn connect(url: &str, flag: &str) -> Result<Inbox, Failure> {
    let redacted = crate::redact_url(url);
    Inbox::connect(url).await.map_err(|error| {
        let message = format!("error: {flag} `{redacted}`: {}", chain(&error));
        match error {
            InboxError::InvalidUrl { .. } => Failure::usage(message),
            _ => Failure::failed(message),
        }
    })
}

fn state(name: &str) -> Result<State, Failure> {
    name.parse()
        .map_err(|_| Failure::usage(format!("error: `{name}` is not a state: pending, processing, done or dead")))
}

/// Runs workers on `inbox` with `exec` until `shutdown` completes.
pub(crate) async fn work(
    inbox: Inbox,
    exec: Option<String>,
    args: &WorkerArgs,
    shutdown: impl Future<Output = ()>,
) -> Result<WorkerReport, Failure> {
    let worker =
        Worker::new(inbox).concurrency(args.workers.max(1)).max_attempts(args.max_attempts()?).backoff(args.backoff()?);
    let exec = std::sync::Arc::new(exec);
    worker
        .run(
            move |event: Event| {
                let exec = std::sync::Arc::clone(&exec);
                async move { process(exec.as_deref(), &event).await }
            },
            shutdown,
        )
        .await
        .map_err(|e| Failure::failed(format!("error: the workers stopped: {}", chain(&e))))
}

/// One attempt at one event: the command (when there is one), then its JSON
/// line on stdout.
async fn process(exec: Option<&str>, event: &Event) -> Result<(), String> {
    let event_type = hookproof::sink::EVENT_TYPE_HEADERS.iter().find_map(|name| event.header(name)).unwrap_or_default();
    let env = [
        ("HOOKPROOF_EVENT_ID", event.provider_id().map_or_else(|| event.key_hex(), str::to_owned)),
        ("HOOKPROOF_EVENT_KEY", event.key_hex()),
        ("HOOKPROOF_TIMESTAMP", event.timestamp().map(|t| t.to_string()).unwrap_or_default()),
        ("HOOKPROOF_ATTEMPT", event.attempt().to_string()),
        ("HOOKPROOF_SCHEME", event.scheme().to_owned()),
        ("HOOKPROOF_EVENT_TYPE", event_type.to_owned()),
    ];
    let succeeded = match exec {
        Some(exec) => run_exec(exec, &env, event.body()).await,
        None => Ok(true),
    };
    match succeeded {
        Ok(true) => {
            let line = serde_json::json!({
                "id": event.provider_id(),
                "event_key": event.key_hex(),
                "scheme": event.scheme(),
                "timestamp": event.timestamp(),
                "attempt": event.attempt(),
                "body": body_json(event.body()),
            });
            println!("{line}");
            Ok(())
        }
        Ok(false) => Err("--exec exited with a failure status".to_owned()),
        Err(error) => Err(format!("--exec could not run: {error}")),
    }
}

/// `hookproof work`.
pub(crate) fn work_command(args: WorkArgs) -> Result<(), Failure> {
    if args.workers.workers == 0 {
        return Err(Failure::usage("error: `work` needs --workers 1 or more"));
    }
    let runtime = runtime()?;
    runtime.block_on(async {
        let inbox = connect(&args.inbox, "--inbox").await?;
        eprintln!("working on {} with {} workers", crate::redact_url(&args.inbox), args.workers.workers);
        let report = work(inbox, Some(args.exec), &args.workers, shutdown_signal()).await?;
        eprintln!(
            "stopped: {} succeeded, {} retried, {} dead, {} released",
            report.succeeded, report.retried, report.dead, report.released
        );
        Ok(())
    })
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn shutdown_signal() {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match terminate.as_mut() { Some(signal) => { signal.recv().await; } None => std::future::pending().await } } => {}
    }
}

/// `hookproof inbox ...`.
pub(crate) fn inbox_command(args: InboxArgs) -> Result<(), Failure> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let operation = |e: InboxError| Failure::failed(format!("error: {}", chain(&e)));
        match args.command {
            InboxCommand::Stats(db) => {
                let stats = connect(&db.db, "--db").await?.stats().await.map_err(operation)?;
                println!("{}", serde_json::to_string(&stats).unwrap_or_default());
            }
            InboxCommand::List { db, state: filter, limit } => {
                let filter = filter.as_deref().map(state).transpose()?;
                let events = connect(&db.db, "--db").await?.list(filter, limit).await.map_err(operation)?;
                for event in events {
                    println!("{}", serde_json::to_string(&event).unwrap_or_default());
                }
            }
            InboxCommand::Show { db, id } => {
                let record = connect(&db.db, "--db").await?.get(id).await.map_err(operation)?;
                let record = record.ok_or_else(|| Failure::failed(format!("error: no event {id} in the inbox")))?;
                let mut json = serde_json::to_value(&record.summary).unwrap_or_default();
                json["timestamp"] = record.timestamp.into();
                json["headers"] = serde_json::to_value(&record.headers).unwrap_or_default();
                json["body"] = body_json(&record.body);
                json["lease_owner"] = record.lease_owner.into();
                println!("{json}");
            }
            InboxCommand::Retry { db, ids } => {
                let retried = connect(&db.db, "--db").await?.retry(&ids).await.map_err(operation)?;
                println!("{}", serde_json::json!({ "retried": retried }));
                if retried < ids.len() as u64 {
                    return Err(Failure::failed(format!(
                        "error: {} of {} events were not retried (unknown ids, or pending or processing)",
                        ids.len() as u64 - retried,
                        ids.len()
                    )));
                }
            }
            InboxCommand::Purge { db, state: name, older_than } => {
                let state = state(&name)?;
                let inbox = connect(&db.db, "--db").await?;
                let purged = inbox.purge(state, Duration::from_secs(older_than)).await.map_err(operation)?;
                println!("{}", serde_json::json!({ "purged": purged }));
            }
        }
        Ok(())
    })
}
