//! The inbox against real databases: SQLite on a temp file, and a
//! PostgreSQL server that each test starts for itself on a free loopback
//! port. Every scenario runs on both backends unless it is about one.

mod postgres_server;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use hookproof_inbox::{
    Event, Inbox, InboxError, InboxOptions, NewDelivery, State, Stats, Stored, Worker, WorkerReport,
};
use postgres_server::PostgresServer;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

/// How long any wait in these tests may take before it is a failure.
const PATIENCE: Duration = Duration::from_secs(30);

/// The database behind a test's inbox, deleted or stopped when dropped
/// (after the inbox: fields drop in order).
struct Fixture {
    inbox: Inbox,
    url: String,
    _database: TestDatabase,
}

/// Held for its `Drop`: deletes the file or stops the server.
enum TestDatabase {
    Sqlite { _dir: tempfile::TempDir },
    Postgres { _server: PostgresServer },
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("inbox.db").display());
    let inbox = Inbox::connect(&url).await.expect("connect to SQLite");
    Fixture { inbox, url, _database: TestDatabase::Sqlite { _dir: dir } }
}

async fn postgres() -> Fixture {
    let server = tokio::task::spawn_blocking(PostgresServer::start).await.expect("start PostgreSQL");
    let url = server.url();
    let inbox = Inbox::connect(&url).await.expect("connect to PostgreSQL");
    Fixture { inbox, url, _database: TestDatabase::Postgres { _server: server } }
}

fn key(n: u32) -> [u8; 32] {
    let mut key = [0xab; 32];
    key[..4].copy_from_slice(&n.to_be_bytes());
    key
}

fn delivery(n: u32) -> NewDelivery {
    NewDelivery::new(key(n), "github", Bytes::from(format!(r#"{{"n":{n}}}"#)))
        .with_provider_id(format!("delivery-{n}"))
        .with_timestamp(1_700_000_000 + i64::from(n))
        .with_header("Content-Type", "application/json")
        .with_header("X-GitHub-Event", "push")
}

fn body_number(event: &Event) -> u32 {
    let body: serde_json::Value = event.decode().expect("JSON body");
    u32::try_from(body["n"].as_u64().expect("n")).expect("small n")
}

async fn accepted_id(inbox: &Inbox, n: u32) -> i64 {
    match inbox.store(delivery(n)).await.expect("store") {
        Stored::Accepted { id } => id,
        Stored::Duplicate => panic!("delivery {n} was a duplicate"),
    }
}

fn stats(pending: u64, processing: u64, done: u64, dead: u64) -> Stats {
    Stats { pending, processing, done, dead }
}

/// Waits until `check` holds, polling; fails the test after [`PATIENCE`].
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + PATIENCE;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn wait_for_stats(inbox: &Inbox, expected: Stats) {
    let mut last = None;
    let deadline = Instant::now() + PATIENCE;
    loop {
        let now = inbox.stats().await.expect("stats");
        if now == expected {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {expected:?}; last {last:?}");
        last = Some(now);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A worker tuned for tests: fast retries and polling, no retention purge.
fn test_worker(inbox: &Inbox) -> Worker {
    Worker::new(inbox.clone())
        .backoff(Duration::from_millis(10))
        .max_backoff(Duration::from_millis(40))
        .poll_interval(Duration::from_millis(20))
        .lease(Duration::from_secs(2))
        .shutdown_grace(Duration::from_secs(5))
        .retention(None)
}

struct RunningWorker {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<WorkerReport, InboxError>>,
}

impl RunningWorker {
    fn spawn<H, F>(worker: Worker, handler: H) -> Self
    where
        H: Fn(Event) -> F + Send + Sync + 'static,
        F: Future<Output = Result<(), String>> + Send + 'static,
    {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(worker.run(handler, async move {
            let _ = stopped.await;
        }));
        Self { stop, task }
    }

    async fn finish(self) -> WorkerReport {
        let _ = self.stop.send(());
        tokio::time::timeout(PATIENCE, self.task)
            .await
            .expect("worker stops in time")
            .expect("worker task")
            .expect("worker ran")
    }
}

macro_rules! on_both_backends {
    ($flavor:literal: $($scenario:ident),* $(,)?) => {
        $(
            mod $scenario {
                #[tokio::test(flavor = $flavor)]
                async fn sqlite() {
                    let fixture = super::sqlite().await;
                    super::scenarios::$scenario(&fixture).await;
                }

                #[tokio::test(flavor = $flavor)]
                async fn postgres() {
                    let fixture = super::postgres().await;
                    super::scenarios::$scenario(&fixture).await;
                }
            }
        )*
    };
}

on_both_backends!("multi_thread":
    duplicates_in_any_state_store_nothing,
    failed_attempts_are_retried_until_success,
    panics_and_timeouts_are_failed_attempts,
    exhausted_attempts_go_dead_and_retry_revives_them,
    expired_lease_is_run_again_by_another_worker,
    event_whose_last_lease_expired_goes_dead_without_running,
    shutdown_finishes_running_handlers_within_grace,
    shutdown_releases_handlers_past_grace,
    operator_lists_gets_and_purges,
    worker_purges_done_events_past_retention,
    renewed_lease_keeps_a_slow_handler_from_running_twice,
    events_claimed_ahead_keep_their_leases_while_they_wait,
    exact_body_bytes_round_trip,
);

// One thread: the 200 stores are all queued before the commit task runs,
// so the grouping is deterministic rather than timing-dependent.
on_both_backends!("current_thread":
    concurrent_stores_are_grouped_and_durable,
    a_group_larger_than_one_statement_keeps_every_outcome,
);

mod scenarios {
    use super::*;

    pub(super) async fn duplicates_in_any_state_store_nothing(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let first = accepted_id(inbox, 1).await;
        let mut altered = delivery(1);
        altered.body = Bytes::from_static(b"another body, same event");
        assert_eq!(inbox.store(altered.clone()).await.unwrap(), Stored::Duplicate, "pending");
        assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 0, 0));

        let claimed = inbox.claim_due("worker-a", Duration::from_secs(30), 10).await.unwrap();
        assert_eq!(claimed.len(), 1);
        let event = &claimed[0];
        assert_eq!(
            (event.id(), event.key(), event.scheme(), event.provider_id(), event.timestamp(), event.attempt()),
            (first, &key(1), "github", Some("delivery-1"), Some(1_700_000_001), 1)
        );
        assert_eq!(event.header("content-type"), Some("application/json"));
        assert_eq!(event.header("X-GitHub-Event"), Some("push"));
        assert_eq!(event.event_type(), Some("push"));
        assert_eq!(&event.body()[..], br#"{"n":1}"#);
        assert_eq!(body_number(event), 1);
        assert_eq!(event.lease_owner(), "worker-a");
        assert_eq!(inbox.store(altered.clone()).await.unwrap(), Stored::Duplicate, "processing");

        inbox.complete(event).await.unwrap();
        assert_eq!(inbox.store(altered).await.unwrap(), Stored::Duplicate, "done");

        let second = accepted_id(inbox, 2).await;
        let claimed = inbox.claim_due("worker-a", Duration::from_secs(30), 10).await.unwrap();
        assert_eq!(claimed.iter().map(Event::id).collect::<Vec<_>>(), vec![second]);
        inbox.mark_dead(&claimed[0], "gave up").await.unwrap();
        assert_eq!(inbox.store(delivery(2)).await.unwrap(), Stored::Duplicate, "dead");

        assert_eq!(inbox.stats().await.unwrap(), stats(0, 0, 1, 1));
        assert_eq!(inbox.list(None, 100).await.unwrap().len(), 2);
        let record = inbox.get(first).await.unwrap().expect("first event");
        assert_eq!(&record.body[..], br#"{"n":1}"#, "a duplicate never overwrites the stored body");
        assert_eq!(record.summary.state, State::Done);
    }

    pub(super) async fn concurrent_stores_are_grouped_and_durable(fixture: &Fixture) {
        let stores: Vec<_> = (0..200u32)
            .map(|n| {
                let inbox = fixture.inbox.clone();
                // 40 of the 200 repeat an earlier event.
                tokio::spawn(async move { inbox.store(delivery(n % 160)).await })
            })
            .collect();
        let (mut accepted, mut duplicates) = (0, 0);
        for store in stores {
            match store.await.unwrap().expect("stored") {
                Stored::Accepted { .. } => accepted += 1,
                Stored::Duplicate => duplicates += 1,
            }
        }
        assert_eq!((accepted, duplicates), (160, 40));
        let commits = fixture.inbox.group_commit_stats();
        assert_eq!(commits.deliveries, 200);
        assert!(commits.transactions <= 10, "200 concurrent stores should share transactions: {commits:?}");

        // Committed: a fresh connection (another process, after a restart) sees every one.
        let reopened = Inbox::connect(&fixture.url).await.unwrap();
        assert_eq!(reopened.stats().await.unwrap(), stats(160, 0, 0, 0));
        let keys: std::collections::HashSet<String> =
            reopened.list(None, 1000).await.unwrap().into_iter().map(|summary| summary.key).collect();
        assert_eq!(keys.len(), 160);
        assert!(keys.contains(&hex::encode(key(159))));
    }

    pub(super) async fn a_group_larger_than_one_statement_keeps_every_outcome(fixture: &Fixture) {
        // 600 stores in one group: more rows than one INSERT takes, with
        // repeats that land in another statement of the same transaction.
        let inbox = Inbox::connect_with(&fixture.url, InboxOptions::default().max_batch(1000)).await.unwrap();
        let stores: Vec<_> = (0..600u32)
            .map(|i| {
                let inbox = inbox.clone();
                let n = if i >= 500 { i - 300 } else { i };
                tokio::spawn(async move { (n, inbox.store(delivery(n)).await) })
            })
            .collect();
        let mut accepted = HashMap::new();
        let mut duplicates = Vec::new();
        for store in stores {
            match store.await.unwrap() {
                (n, Ok(Stored::Accepted { id })) => assert!(accepted.insert(n, id).is_none(), "{n} accepted twice"),
                (n, Ok(Stored::Duplicate)) => duplicates.push(n),
                (n, Err(error)) => panic!("delivery {n}: {error:?}"),
            }
        }
        assert_eq!(inbox.group_commit_stats().transactions, 1, "{:?}", inbox.group_commit_stats());
        assert_eq!((accepted.len(), duplicates.len()), (500, 100));
        duplicates.sort_unstable();
        assert_eq!(duplicates, (200..300).collect::<Vec<_>>());
        // Each accepted id is the row of that delivery.
        for n in [0, 255, 256, 299, 499] {
            let record = inbox.get(accepted[&n]).await.unwrap().expect("stored");
            assert_eq!(record.summary.key, hex::encode(key(n)), "delivery {n}");
            assert_eq!(&record.body[..], format!(r#"{{"n":{n}}}"#).as_bytes());
        }
        assert_eq!(inbox.stats().await.unwrap(), stats(500, 0, 0, 0));
    }

    pub(super) async fn exact_body_bytes_round_trip(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        // Every byte value (not UTF-8), then a MiB of it.
        let body: Vec<u8> = (0..=255u8).cycle().take(1 << 20).collect();
        let mut binary = delivery(30);
        binary.body = Bytes::from(body.clone());
        let Stored::Accepted { id } = inbox.store(binary).await.unwrap() else { panic!("duplicate") };
        assert_eq!(inbox.get(id).await.unwrap().unwrap().body, body);
        let claimed = inbox.claim_due("worker", Duration::from_secs(30), 1).await.unwrap();
        assert_eq!(claimed[0].body(), &body);
        assert!(claimed[0].decode::<serde_json::Value>().is_err());
    }

    pub(super) async fn failed_attempts_are_retried_until_success(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 7).await;
        let attempts_seen = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&attempts_seen);
        let worker = RunningWorker::spawn(test_worker(inbox), move |event: Event| {
            let seen = Arc::clone(&seen);
            async move {
                seen.lock().unwrap().push(event.attempt());
                if event.attempt() < 3 {
                    Err(format!("attempt {} failed", event.attempt()))
                } else {
                    Ok(())
                }
            }
        });
        wait_for_stats(inbox, stats(0, 0, 1, 0)).await;
        let report = worker.finish().await;

        assert_eq!(report, WorkerReport { succeeded: 1, retried: 2, ..WorkerReport::default() });
        assert_eq!(*attempts_seen.lock().unwrap(), vec![1, 2, 3]);
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!(record.summary.state, State::Done);
        assert_eq!(record.summary.attempts, 3);
        assert_eq!(record.summary.last_error.as_deref(), Some("attempt 2 failed"));
        assert!(record.summary.processed_at_ms.is_some());
        assert_eq!(record.lease_owner, None);
    }

    pub(super) async fn panics_and_timeouts_are_failed_attempts(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 8).await;
        let errors_seen = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&errors_seen);
        let reader = inbox.clone();
        let worker = test_worker(inbox).handler_timeout(Duration::from_millis(300));
        let worker = RunningWorker::spawn(worker, move |event: Event| {
            let (seen, reader) = (Arc::clone(&seen), reader.clone());
            async move {
                // What the previous attempt left as its error.
                let record = reader.get(event.id()).await.unwrap().unwrap();
                seen.lock().unwrap().push(record.summary.last_error);
                match event.attempt() {
                    1 => panic!("deliberate panic in attempt 1"),
                    2 => {
                        tokio::time::sleep(PATIENCE).await;
                        Ok(())
                    }
                    _ => Ok(()),
                }
            }
        });
        wait_for_stats(inbox, stats(0, 0, 1, 0)).await;
        let report = worker.finish().await;

        assert_eq!(report, WorkerReport { succeeded: 1, retried: 2, ..WorkerReport::default() });
        assert_eq!(
            *errors_seen.lock().unwrap(),
            vec![
                None,
                Some("handler panicked: deliberate panic in attempt 1".to_owned()),
                Some("handler timed out after 300 ms".to_owned()),
            ]
        );
        assert_eq!(inbox.get(id).await.unwrap().unwrap().summary.attempts, 3);
    }

    pub(super) async fn exhausted_attempts_go_dead_and_retry_revives_them(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 9).await;
        let fixed = Arc::new(AtomicBool::new(false));
        let handler = {
            let fixed = Arc::clone(&fixed);
            move |event: Event| {
                let fixed = fixed.load(Ordering::SeqCst);
                async move {
                    if fixed {
                        Ok(())
                    } else {
                        Err(format!("boom {}", event.attempt()))
                    }
                }
            }
        };
        let worker = RunningWorker::spawn(test_worker(inbox).max_attempts(3), handler.clone());
        wait_for_stats(inbox, stats(0, 0, 0, 1)).await;
        let report = worker.finish().await;
        assert_eq!(report, WorkerReport { retried: 2, dead: 1, ..WorkerReport::default() });
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!(
            (record.summary.state, record.summary.attempts, record.summary.last_error.as_deref()),
            (State::Dead, 3, Some("boom 3"))
        );
        assert!(record.summary.processed_at_ms.is_some());
        let dead = inbox.list(Some(State::Dead), 10).await.unwrap();
        assert_eq!(dead.iter().map(|summary| summary.id).collect::<Vec<_>>(), vec![id]);

        // The operator fixes the cause and re-runs it; unknown ids are ignored.
        fixed.store(true, Ordering::SeqCst);
        assert_eq!(inbox.retry(&[id, id + 1000]).await.unwrap(), 1);
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!(
            (record.summary.state, record.summary.attempts, record.summary.last_error, record.summary.processed_at_ms),
            (State::Pending, 0, None, None)
        );
        assert_eq!(inbox.retry(&[id]).await.unwrap(), 0, "a pending event is not retried again");

        let worker = RunningWorker::spawn(test_worker(inbox).max_attempts(3), handler);
        wait_for_stats(inbox, stats(0, 0, 1, 0)).await;
        let report = worker.finish().await;
        assert_eq!(report, WorkerReport { succeeded: 1, ..WorkerReport::default() });
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!((record.summary.state, record.summary.attempts), (State::Done, 1));

        // A done event can be re-run too.
        assert_eq!(inbox.retry(&[id]).await.unwrap(), 1);
        assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 0, 0));
    }

    pub(super) async fn expired_lease_is_run_again_by_another_worker(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 3).await;
        // A worker claims it and is killed: it never completes nor renews.
        let stale = inbox.claim_due("killed-worker", Duration::from_secs(1), 10).await.unwrap();
        assert_eq!(stale.len(), 1);
        assert!(
            inbox.claim_due("other-worker", Duration::from_secs(30), 10).await.unwrap().is_empty(),
            "a live lease is not claimed twice"
        );

        let runs = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&runs);
        let worker = RunningWorker::spawn(test_worker(inbox).owner("survivor"), move |event: Event| {
            seen.lock().unwrap().push((event.attempt(), event.lease_owner().to_owned()));
            async { Ok(()) }
        });
        wait_for_stats(inbox, stats(0, 0, 1, 0)).await;
        let report = worker.finish().await;

        assert_eq!(report, WorkerReport { succeeded: 1, ..WorkerReport::default() });
        assert_eq!(*runs.lock().unwrap(), vec![(2, "survivor".to_owned())]);
        // The killed worker's late outcome is refused: the claim is no longer its.
        assert!(matches!(inbox.complete(&stale[0]).await, Err(InboxError::LeaseLost { id: lost }) if lost == id));
        assert!(matches!(inbox.fail(&stale[0], "late", SystemTime::now()).await, Err(InboxError::LeaseLost { .. })));
        assert!(matches!(inbox.renew(&stale[0], Duration::from_secs(5)).await, Err(InboxError::LeaseLost { .. })));
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!((record.summary.state, record.summary.attempts), (State::Done, 2));
    }

    pub(super) async fn event_whose_last_lease_expired_goes_dead_without_running(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 5).await;
        // Its only allowed attempt dies with its worker (a poison event that crashes the process).
        let stale = inbox.claim_due("crashed-worker", Duration::from_millis(200), 10).await.unwrap();
        assert_eq!(stale.len(), 1);

        let runs = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&runs);
        let worker = RunningWorker::spawn(test_worker(inbox).max_attempts(1), move |_event: Event| {
            counter.fetch_add(1, Ordering::SeqCst);
            async { Ok(()) }
        });
        wait_for_stats(inbox, stats(0, 0, 0, 1)).await;
        let report = worker.finish().await;

        assert_eq!(report, WorkerReport { dead: 1, ..WorkerReport::default() });
        assert_eq!(runs.load(Ordering::SeqCst), 0);
        let record = inbox.get(id).await.unwrap().unwrap();
        assert!(
            record.summary.last_error.as_deref().is_some_and(|error| error.contains("lease of the last one expired")),
            "{:?}",
            record.summary.last_error
        );
    }

    pub(super) async fn shutdown_finishes_running_handlers_within_grace(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 4).await;
        let (started, mut handler_started) = mpsc::channel(1);
        let worker = RunningWorker::spawn(test_worker(inbox), move |_event: Event| {
            let started = started.clone();
            async move {
                let _ = started.send(()).await;
                tokio::time::sleep(Duration::from_millis(200)).await;
                Ok(())
            }
        });
        tokio::time::timeout(PATIENCE, handler_started.recv()).await.expect("handler starts");
        // Asked to stop while the handler runs: it is allowed to finish.
        let report = worker.finish().await;
        assert_eq!(report, WorkerReport { succeeded: 1, ..WorkerReport::default() });
        assert_eq!(inbox.get(id).await.unwrap().unwrap().summary.state, State::Done);
    }

    pub(super) async fn shutdown_releases_handlers_past_grace(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 6).await;
        let waiting = accepted_id(inbox, 7).await;
        let (started, mut handler_started) = mpsc::channel(1);
        let worker = test_worker(inbox).concurrency(1).shutdown_grace(Duration::from_millis(100));
        let worker = RunningWorker::spawn(worker, move |_event: Event| {
            let started = started.clone();
            async move {
                let _ = started.send(()).await;
                std::future::pending::<Result<(), String>>().await
            }
        });
        tokio::time::timeout(PATIENCE, handler_started.recv()).await.expect("handler starts");
        let report = worker.finish().await;

        // The running one after the grace; the one claimed ahead at once.
        assert_eq!(report, WorkerReport { released: 2, ..WorkerReport::default() });
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!(
            (record.summary.state, record.summary.attempts, record.lease_owner),
            (State::Pending, 0, None),
            "given back without counting the attempt"
        );
        let record = inbox.get(waiting).await.unwrap().unwrap();
        assert_eq!((record.summary.state, record.summary.attempts), (State::Pending, 0), "never started");
    }

    pub(super) async fn events_claimed_ahead_keep_their_leases_while_they_wait(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let ids = [accepted_id(inbox, 21).await, accepted_id(inbox, 22).await, accepted_id(inbox, 23).await];
        let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
        let handler = {
            let runs = Arc::clone(&runs);
            move |event: Event| {
                *runs.lock().unwrap().entry(event.id()).or_default() += 1;
                async {
                    tokio::time::sleep(Duration::from_millis(1500)).await;
                    Ok::<(), String>(())
                }
            }
        };
        // One handler each: an event claimed ahead waits 1.5 s, 2.5 leases,
        // while the other worker looks for expired leases to take over.
        let lease = Duration::from_millis(600);
        let first =
            RunningWorker::spawn(test_worker(inbox).owner("first").concurrency(1).lease(lease), handler.clone());
        let second = RunningWorker::spawn(test_worker(inbox).owner("second").concurrency(1).lease(lease), handler);
        wait_for_stats(inbox, stats(0, 0, 3, 0)).await;
        let (first, second) = (first.finish().await, second.finish().await);

        assert_eq!(first.succeeded + second.succeeded, 3);
        assert_eq!((first.unrecorded, second.unrecorded), (0, 0), "no lease was lost");
        assert!(runs.lock().unwrap().values().all(|&count| count == 1), "{runs:?}");
        for id in ids {
            assert_eq!(inbox.get(id).await.unwrap().unwrap().summary.attempts, 1, "event {id}");
        }
    }

    pub(super) async fn renewed_lease_keeps_a_slow_handler_from_running_twice(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let id = accepted_id(inbox, 11).await;
        let runs = Arc::new(AtomicU32::new(0));
        let handler = {
            let runs = Arc::clone(&runs);
            move |_event: Event| {
                runs.fetch_add(1, Ordering::SeqCst);
                // Four leases long: only renewal keeps the other worker off it.
                async {
                    tokio::time::sleep(Duration::from_millis(1200)).await;
                    Ok::<(), String>(())
                }
            }
        };
        let lease = Duration::from_millis(300);
        let first = RunningWorker::spawn(test_worker(inbox).owner("first").lease(lease), handler.clone());
        let second = RunningWorker::spawn(test_worker(inbox).owner("second").lease(lease), handler);
        wait_for_stats(inbox, stats(0, 0, 1, 0)).await;
        let (first, second) = (first.finish().await, second.finish().await);

        assert_eq!(runs.load(Ordering::SeqCst), 1);
        assert_eq!(first.succeeded + second.succeeded, 1);
        assert_eq!((first.unrecorded, second.unrecorded), (0, 0));
        assert_eq!(inbox.get(id).await.unwrap().unwrap().summary.attempts, 1);
    }

    pub(super) async fn worker_purges_done_events_past_retention(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        for n in 1..=3 {
            accepted_id(inbox, n).await;
        }
        let claimed = inbox.claim_due("worker-a", Duration::from_secs(30), 10).await.unwrap();
        inbox.complete(&claimed[0]).await.unwrap();
        inbox.mark_dead(&claimed[1], "broken").await.unwrap();
        inbox.fail(&claimed[2], "later", SystemTime::now() + Duration::from_secs(3600)).await.unwrap();

        // A week's retention keeps what was done a moment ago.
        let worker =
            RunningWorker::spawn(test_worker(inbox).retention(Some(Duration::from_secs(7 * 24 * 3600))), |_| async {
                Ok(())
            });
        assert_eq!(worker.finish().await, WorkerReport::default());
        assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 1, 1));

        // No retention: done rows go when the worker starts; dead and pending stay.
        let worker = RunningWorker::spawn(test_worker(inbox).retention(Some(Duration::ZERO)), |_| async { Ok(()) });
        wait_for_stats(inbox, stats(1, 0, 0, 1)).await;
        assert_eq!(worker.finish().await, WorkerReport::default());
    }

    pub(super) async fn operator_lists_gets_and_purges(fixture: &Fixture) {
        let inbox = &fixture.inbox;
        let ids = [accepted_id(inbox, 1).await, accepted_id(inbox, 2).await, accepted_id(inbox, 3).await];
        let claimed = inbox.claim_due("worker-a", Duration::from_secs(30), 10).await.unwrap();
        assert_eq!(claimed.iter().map(Event::id).collect::<Vec<_>>(), ids);
        inbox.complete(&claimed[0]).await.unwrap();
        inbox.mark_dead(&claimed[1], "broken").await.unwrap();
        inbox.fail(&claimed[2], "later", SystemTime::now() + Duration::from_secs(3600)).await.unwrap();
        assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 1, 1));
        assert!(
            inbox.claim_due("worker-a", Duration::from_secs(30), 10).await.unwrap().is_empty(),
            "a retry scheduled in an hour is not due"
        );

        let newest_first: Vec<i64> = inbox.list(None, 10).await.unwrap().iter().map(|summary| summary.id).collect();
        assert_eq!(newest_first, vec![ids[2], ids[1], ids[0]]);
        assert_eq!(inbox.list(None, 2).await.unwrap().len(), 2);
        let dead = inbox.list(Some(State::Dead), 10).await.unwrap();
        assert_eq!(dead.len(), 1);
        assert_eq!((dead[0].id, dead[0].last_error.as_deref(), dead[0].attempts), (ids[1], Some("broken"), 1));
        assert_eq!(dead[0].key, hex::encode(key(2)));
        let pending = inbox.list(Some(State::Pending), 10).await.unwrap();
        assert_eq!((pending[0].id, pending[0].last_error.as_deref()), (ids[2], Some("later")));

        let record = inbox.get(ids[0]).await.unwrap().expect("stored");
        assert_eq!(record.headers.get("content-type").map(String::as_str), Some("application/json"));
        assert_eq!(record.headers.get("x-github-event").map(String::as_str), Some("push"));
        assert_eq!((record.timestamp, &record.body[..]), (Some(1_700_000_001), &br#"{"n":1}"#[..]));
        assert_eq!(inbox.get(ids[2] + 1000).await.unwrap(), None);

        assert_eq!(inbox.purge(State::Done, Duration::from_secs(3600)).await.unwrap(), 0, "done a moment ago");
        assert_eq!(inbox.purge_done(Duration::ZERO).await.unwrap(), 1);
        assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 0, 1), "dead rows stay until purged by name");
        // A purged event is forgotten: delivered again, it is new.
        let again = accepted_id(inbox, 1).await;
        assert!(again > ids[2], "ids are not reused");
        assert_eq!(inbox.purge(State::Dead, Duration::ZERO).await.unwrap(), 1);
        assert_eq!(inbox.stats().await.unwrap(), stats(2, 0, 0, 0));
    }
}

#[tokio::test]
async fn sqlite_file_is_created_in_wal_mode() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.db");
    let inbox = Inbox::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert_eq!(inbox.backend_name(), "sqlite");
    assert!(path.is_file());
    accepted_id(&inbox, 1).await;

    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode").fetch_one(&pool).await.unwrap();
    assert_eq!(mode, "wal");
    let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hookproof_inbox").fetch_one(&pool).await.unwrap();
    assert_eq!(rows, 1);

    // Reconnecting does not re-run the schema.
    let again = Inbox::connect(&format!("sqlite:{}", path.display())).await.unwrap();
    assert_eq!(again.stats().await.unwrap(), stats(1, 0, 0, 0));
}

#[tokio::test]
async fn transactional_handler_needs_postgres() {
    let fixture = sqlite().await;
    let result = Worker::new(fixture.inbox.clone())
        .run_in_transaction(|_event, _transaction| Box::pin(async { Ok::<(), String>(()) }), std::future::ready(()))
        .await;
    assert!(matches!(result, Err(InboxError::PostgresOnly { .. })), "{result:?}");
}

#[tokio::test]
async fn unknown_url_scheme_is_refused() {
    let error = Inbox::connect("mysql://root:hunter2@localhost/db").await.unwrap_err();
    assert!(matches!(error, InboxError::InvalidUrl { .. }), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("hunter2"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_postgres_workers_process_each_event_exactly_once() {
    let fixture = postgres().await;
    // Two receivers and two workers, each with its own connection pool, as
    // separate processes would have.
    let receiver_b = Inbox::connect(&fixture.url).await.unwrap();
    let worker_b_inbox = Inbox::connect(&fixture.url).await.unwrap();
    let stores: Vec<_> = (0..300u32)
        .map(|n| {
            let inbox = if n % 2 == 0 { fixture.inbox.clone() } else { receiver_b.clone() };
            tokio::spawn(async move { inbox.store(delivery(n)).await })
        })
        .collect();
    for store in stores {
        assert!(matches!(store.await.unwrap(), Ok(Stored::Accepted { .. })));
    }

    let runs: Arc<Mutex<HashMap<i64, Vec<String>>>> = Arc::default();
    let handler = {
        let runs = Arc::clone(&runs);
        move |event: Event| {
            let runs = Arc::clone(&runs);
            async move {
                tokio::task::yield_now().await;
                runs.lock().unwrap().entry(event.id()).or_default().push(event.lease_owner().to_owned());
                Ok(())
            }
        }
    };
    let worker_a = RunningWorker::spawn(test_worker(&fixture.inbox).owner("a"), handler.clone());
    let worker_b = RunningWorker::spawn(test_worker(&worker_b_inbox).owner("b"), handler);
    wait_for_stats(&fixture.inbox, stats(0, 0, 300, 0)).await;
    let (report_a, report_b) = (worker_a.finish().await, worker_b.finish().await);

    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 300);
    let twice: Vec<_> = runs.iter().filter(|(_, owners)| owners.len() != 1).collect();
    assert!(twice.is_empty(), "events run more than once: {twice:?}");
    assert_eq!(report_a.succeeded + report_b.succeeded, 300);
    assert_eq!((report_a.retried, report_a.unrecorded, report_b.retried, report_b.unrecorded), (0, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn stopped_postgres_is_unavailable_within_the_bound_then_accepts_again() {
    let mut server = tokio::task::spawn_blocking(PostgresServer::start).await.unwrap();
    let bound = Duration::from_secs(2);
    let options = InboxOptions::default().store_timeout(bound).operation_timeout(bound);
    let inbox = Inbox::connect_with(&server.url(), options).await.unwrap();
    accepted_id(&inbox, 1).await;

    let mut server = tokio::task::spawn_blocking(move || {
        server.stop();
        server
    })
    .await
    .unwrap();

    // One at a time, then a burst: every store fails within the bound, none is acknowledged.
    for n in 2..4 {
        let started = Instant::now();
        let error = inbox.store(delivery(n)).await.unwrap_err();
        assert!(error.is_unavailable(), "{error:?}");
        assert!(started.elapsed() < bound + Duration::from_secs(1), "took {:?}", started.elapsed());
    }
    let started = Instant::now();
    let burst: Vec<_> = (10..30u32)
        .map(|n| {
            let inbox = inbox.clone();
            tokio::spawn(async move { inbox.store(delivery(n)).await })
        })
        .collect();
    for store in burst {
        assert!(store.await.unwrap().unwrap_err().is_unavailable());
    }
    assert!(started.elapsed() < bound + Duration::from_secs(1), "burst took {:?}", started.elapsed());
    assert!(inbox.stats().await.unwrap_err().is_unavailable());

    let server = tokio::task::spawn_blocking(move || {
        server.restart();
        server
    })
    .await
    .unwrap();
    // The pool reconnects by itself; the first store after the restart may
    // still race the server's start-up.
    eventually("a store accepted after the restart", || async { inbox.store(delivery(2)).await.is_ok() }).await;
    assert_eq!(inbox.store(delivery(1)).await.unwrap(), Stored::Duplicate, "committed before the stop: kept");
    assert!(matches!(inbox.store(delivery(3)).await.unwrap(), Stored::Accepted { .. }));
    assert_eq!(inbox.stats().await.unwrap(), stats(3, 0, 0, 0), "nothing from the outage was stored");
    drop(inbox);
    drop(server);
}

#[tokio::test(flavor = "multi_thread")]
async fn transactional_handler_writes_commit_with_the_done_mark() {
    let fixture = postgres().await;
    let inbox = &fixture.inbox;
    let pool = inbox.postgres_pool().expect("a PostgreSQL inbox").clone();
    sqlx::query("CREATE TABLE effects (event_key TEXT PRIMARY KEY, attempt BIGINT NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();
    let ids = [
        accepted_id(inbox, 1).await,
        accepted_id(inbox, 2).await,
        accepted_id(inbox, 3).await,
        accepted_id(inbox, 4).await,
    ];

    let (stop, stopped) = oneshot::channel::<()>();
    let thief = pool.clone();
    let worker = test_worker(inbox).run_in_transaction(
        move |event, transaction| {
            let thief = thief.clone();
            Box::pin(async move {
                sqlx::query("INSERT INTO effects (event_key, attempt) VALUES ($1, $2)")
                    .bind(event.key_hex())
                    .bind(i64::from(event.attempt()))
                    .execute(&mut **transaction)
                    .await
                    .map_err(|error| error.to_string())?;
                match (body_number(&event), event.attempt()) {
                    (2, 1) => Err("fails after its write".to_owned()),
                    (3, 1) => panic!("panics after its write"),
                    (4, 1) => {
                        // Another worker takes the event over meanwhile (as after an expired lease).
                        sqlx::query(
                            "UPDATE hookproof_inbox SET lease_owner = 'thief', next_attempt_at = 0 WHERE id = $1",
                        )
                        .bind(event.id())
                        .execute(&thief)
                        .await
                        .map_err(|error| error.to_string())?;
                        Ok(())
                    }
                    _ => Ok(()),
                }
            })
        },
        async move {
            let _ = stopped.await;
        },
    );
    let task = tokio::spawn(worker);
    wait_for_stats(inbox, stats(0, 0, 4, 0)).await;
    let _ = stop.send(());
    let report = tokio::time::timeout(PATIENCE, task).await.unwrap().unwrap().unwrap();

    assert_eq!(report, WorkerReport { succeeded: 4, retried: 2, unrecorded: 1, ..WorkerReport::default() });
    let effects: Vec<(String, i64)> =
        sqlx::query_as("SELECT event_key, attempt FROM effects ORDER BY event_key").fetch_all(&pool).await.unwrap();
    // One write per event, from the attempt that was marked done; the
    // failed, panicked and superseded attempts' writes were rolled back.
    let mut expected =
        vec![(hex::encode(key(1)), 1), (hex::encode(key(2)), 2), (hex::encode(key(3)), 2), (hex::encode(key(4)), 2)];
    expected.sort();
    assert_eq!(effects, expected);
    for (id, attempts) in ids.into_iter().zip([1, 2, 2, 2]) {
        let record = inbox.get(id).await.unwrap().unwrap();
        assert_eq!((record.summary.state, record.summary.attempts), (State::Done, attempts), "event {id}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_passwords_stay_out_of_debug_output_and_errors() {
    let server = tokio::task::spawn_blocking(PostgresServer::start).await.unwrap();
    let inbox = Inbox::connect(&server.url_with_password("pg-secret-pw")).await.unwrap();
    let debug = format!("{inbox:?}");
    assert!(debug.contains("hookproof:***@127.0.0.1"), "{debug}");
    assert!(!debug.contains("pg-secret-pw"), "{debug}");

    let unreachable = format!("postgres://hookproof:pg-secret-pw@127.0.0.1:{}/postgres", postgres_server::free_port());
    let options = InboxOptions::default().store_timeout(Duration::from_secs(1));
    let error = Inbox::connect_with(&unreachable, options).await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(!describe(&error).contains("pg-secret-pw"), "{}", describe(&error));

    let error = Inbox::connect("postgres://hookproof:pg-secret-pw@127.0.0.1:notaport/postgres").await.unwrap_err();
    assert!(matches!(error, InboxError::InvalidUrl { .. }), "{error:?}");
    assert!(describe(&error).contains("hookproof:***@"), "{}", describe(&error));
    assert!(!describe(&error).contains("pg-secret-pw"), "{}", describe(&error));
}

/// Display, every source and Debug: everything a log line could show.
fn describe(error: &InboxError) -> String {
    let mut text = format!("{error:?} {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn verified_deliveries_are_keyed_by_their_signed_identity() {
    use hookproof_core::{presets, Signer, Verifier};

    let fixture = sqlite().await;
    let verifier = Verifier::builder(presets::github()).secret("s3cret").build().unwrap();
    let signer = Signer::new(presets::github(), "s3cret").unwrap();
    let body = Bytes::from_static(br#"{"action":"opened","number":7}"#);
    let receive = |delivery_id: &str| {
        let mut headers = signer.sign_at(&body, SystemTime::now(), Some(delivery_id));
        headers.insert("x-github-event", "pull_request".parse().unwrap());
        headers.insert("content-type", "application/json".parse().unwrap());
        let verified = verifier.verify(&headers, &body).expect("verified");
        NewDelivery::from_verified(&verified, &headers, body.clone())
    };

    let first = receive("delivery-1");
    let Stored::Accepted { id } = fixture.inbox.store(first.clone()).await.unwrap() else { panic!("duplicate") };
    // GitHub's delivery id is unsigned: the same event re-sent under another
    // id is still the same event.
    assert_eq!(fixture.inbox.store(receive("forged-2")).await.unwrap(), Stored::Duplicate);

    let claimed = fixture.inbox.claim_due("worker", Duration::from_secs(30), 1).await.unwrap();
    let event = &claimed[0];
    assert_eq!(event.id(), id);
    assert_eq!(event.event_key(), first.key);
    assert_eq!((event.scheme(), event.provider_id()), ("github", Some("delivery-1")));
    assert_eq!(event.header("X-GitHub-Event"), Some("pull_request"));
    assert_eq!(event.header("content-type"), Some("application/json"));
    assert_eq!(event.headers().len(), 2, "only the content type and the event type are kept");
    assert_eq!(event.event_type(), Some("pull_request"));
    assert_eq!(event.body(), &body);
}

// One thread, so the good and the bad deliveries land in the same group.
#[tokio::test(flavor = "current_thread")]
async fn one_refused_delivery_does_not_fail_its_group() {
    let fixture = postgres().await;
    let mut refused = delivery(1000);
    refused.scheme = "nul\0byte".to_owned(); // PostgreSQL text cannot hold NUL
    let mut stores: Vec<_> = (0..10u32)
        .map(|n| {
            let inbox = fixture.inbox.clone();
            tokio::spawn(async move { inbox.store(delivery(n)).await })
        })
        .collect();
    let inbox = fixture.inbox.clone();
    stores.insert(5, tokio::spawn(async move { inbox.store(refused).await }));

    let outcomes: Vec<_> = futures_util::future::join_all(stores).await.into_iter().map(Result::unwrap).collect();
    assert!(outcomes[5].as_ref().unwrap_err().is_unavailable(), "{:?}", outcomes[5]);
    for (index, outcome) in outcomes.iter().enumerate().filter(|(index, _)| *index != 5) {
        assert!(matches!(outcome, Ok(Stored::Accepted { .. })), "delivery {index}: {outcome:?}");
    }
    assert_eq!(fixture.inbox.stats().await.unwrap(), stats(10, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn hung_postgres_is_unavailable_within_the_bound_then_recovers() {
    let mut server = tokio::task::spawn_blocking(PostgresServer::start).await.unwrap();
    let bound = Duration::from_secs(1);
    let options = InboxOptions::default().store_timeout(bound).operation_timeout(bound);
    let inbox = Inbox::connect_with(&server.url(), options).await.unwrap();
    accepted_id(&inbox, 1).await;

    server.pause();
    let started = Instant::now();
    let error = inbox.store(delivery(2)).await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(started.elapsed() < bound + Duration::from_secs(1), "took {:?}", started.elapsed());
    let started = Instant::now();
    assert!(inbox.stats().await.unwrap_err().is_unavailable());
    assert!(started.elapsed() < bound + Duration::from_secs(1), "took {:?}", started.elapsed());

    server.resume();
    eventually("a store accepted after the server wakes up", || async { inbox.store(delivery(3)).await.is_ok() }).await;
    assert_eq!(inbox.store(delivery(1)).await.unwrap(), Stored::Duplicate);
    // Delivery 2 was answered 503 but its INSERT may have run once the
    // server woke: the provider's retry is stored either way, once.
    assert!(inbox.store(delivery(2)).await.is_ok());
    assert_eq!(inbox.stats().await.unwrap(), stats(3, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn locked_sqlite_file_is_unavailable_within_the_bound() {
    use sqlx::Connection as _;

    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("inbox.db").display());
    let bound = Duration::from_secs(1);
    let options = InboxOptions::default().store_timeout(bound).operation_timeout(bound);
    let inbox = Inbox::connect_with(&url, options).await.unwrap();
    accepted_id(&inbox, 1).await;

    // Another process holds the write lock and does not let go.
    let mut other_process = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN EXCLUSIVE").execute(&mut other_process).await.unwrap();
    let started = Instant::now();
    let error = inbox.store(delivery(2)).await.unwrap_err();
    assert!(error.is_unavailable(), "{error:?}");
    assert!(started.elapsed() < bound + Duration::from_secs(1), "took {:?}", started.elapsed());
    assert_eq!(inbox.stats().await.unwrap(), stats(1, 0, 0, 0), "readers are not blocked by the writer");

    sqlx::query("ROLLBACK").execute(&mut other_process).await.unwrap();
    assert!(matches!(inbox.store(delivery(2)).await.unwrap(), Stored::Accepted { .. }));
    assert_eq!(inbox.stats().await.unwrap(), stats(2, 0, 0, 0));
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_shared_by_a_receiver_and_two_worker_processes() {
    let fixture = sqlite().await;
    // Separate inboxes have separate connections and writer queues, as
    // separate processes on one file would: they meet at SQLite's file lock.
    let worker_inboxes = [Inbox::connect(&fixture.url).await.unwrap(), Inbox::connect(&fixture.url).await.unwrap()];
    let runs: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let handler = {
        let runs = Arc::clone(&runs);
        move |event: Event| {
            *runs.lock().unwrap().entry(event.id()).or_default() += 1;
            async { Ok::<(), String>(()) }
        }
    };
    let workers: Vec<_> = worker_inboxes
        .iter()
        .enumerate()
        .map(|(index, inbox)| {
            RunningWorker::spawn(test_worker(inbox).owner(format!("process-{index}")), handler.clone())
        })
        .collect();

    // Stores race the workers' claims and settles for the write lock.
    let stores: Vec<_> = (0..16u32)
        .map(|sender| {
            let inbox = fixture.inbox.clone();
            tokio::spawn(async move {
                for n in (sender..300).step_by(16) {
                    assert!(matches!(inbox.store(delivery(n)).await, Ok(Stored::Accepted { .. })), "delivery {n}");
                }
            })
        })
        .collect();
    for store in stores {
        store.await.unwrap();
    }
    wait_for_stats(&fixture.inbox, stats(0, 0, 300, 0)).await;
    let mut succeeded = 0;
    for worker in workers {
        let report = worker.finish().await;
        assert_eq!((report.retried, report.unrecorded), (0, 0), "{report:?}");
        succeeded += report.succeeded;
    }
    assert_eq!(succeeded, 300);
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 300);
    assert!(runs.values().all(|&count| count == 1), "an event ran twice");
}

/// Environment variable that turns [`crash_child_process`] into the child
/// of the kill -9 tests; without it that test does nothing.
const CRASH_CHILD_URL: &str = "HOOKPROOF_INBOX_CRASH_CHILD_URL";

/// The process the kill -9 tests kill: 16 senders store deliveries (a fifth
/// of them repeats) and print `acked N` after each store returns, while a
/// worker with a slow handler runs; until it is killed.
#[tokio::test(flavor = "multi_thread")]
async fn crash_child_process() {
    let Ok(url) = std::env::var(CRASH_CHILD_URL) else { return };
    let inbox = Inbox::connect(&url).await.expect("child connects");
    let worker = test_worker(&inbox).lease(Duration::from_secs(1));
    let _worker = RunningWorker::spawn(worker, |_event| async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(())
    });
    let senders: Vec<_> = (0..16u32)
        .map(|sender| {
            let inbox = inbox.clone();
            tokio::spawn(async move {
                for i in (sender..1_000_000).step_by(16) {
                    let n = if i % 5 == 4 { i - 4 } else { i };
                    if inbox.store(delivery(n)).await.is_ok() {
                        println!("acked {n}");
                    }
                }
            })
        })
        .collect();
    for sender in senders {
        let _ = sender.await;
    }
}

/// Runs [`crash_child_process`] against `url`, kills it (SIGKILL) once it
/// acknowledged `acks` deliveries, and returns what it acknowledged.
fn run_and_kill_child(url: &str, acks: usize) -> std::collections::BTreeSet<u32> {
    use std::io::BufRead as _;
    use std::process::{Command, Stdio};

    /// Kills the child however this function ends, a failed assertion included.
    struct KillOnDrop(std::process::Child);
    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let mut child = KillOnDrop(
        Command::new(std::env::current_exe().expect("test binary"))
            .args(["crash_child_process", "--exact", "--nocapture", "--test-threads=1"])
            .env(CRASH_CHILD_URL, url)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the child"),
    );
    // Read on a thread, so that a child that hangs silently cannot hang the test.
    let stdout = child.0.stdout.take().expect("stdout");
    let (lines, acknowledgements) = std::sync::mpsc::channel::<u32>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(n) = line.strip_prefix("acked ").and_then(|n| n.parse().ok()) {
                if lines.send(n).is_err() {
                    return;
                }
            }
        }
    });
    let mut acked = std::collections::BTreeSet::new();
    let deadline = Instant::now() + PATIENCE;
    while acked.len() < acks {
        match acknowledgements.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(n) => {
                acked.insert(n);
            }
            Err(_) => break, // timed out, or the child exited: the assertion below reports it
        }
    }
    // std's kill is SIGKILL on Unix: no chance to flush or commit anything.
    drop(child);
    assert!(acked.len() >= acks, "the child acknowledged only {} deliveries", acked.len());
    acked
}

/// After the kill: every acknowledged delivery is stored (a re-send is a
/// duplicate), and a worker drains everything stored to done, including
/// what the killed worker held.
async fn check_nothing_acknowledged_was_lost(url: &str, acked: &std::collections::BTreeSet<u32>) {
    let inbox = Inbox::connect(url).await.unwrap();
    let before = inbox.stats().await.unwrap();
    let stored = before.pending + before.processing + before.done + before.dead;
    assert!(stored >= acked.len() as u64, "{stored} rows for {} acknowledged events", acked.len());
    for &n in acked {
        assert_eq!(inbox.store(delivery(n)).await.unwrap(), Stored::Duplicate, "acknowledged delivery {n} was lost");
    }

    let worker = RunningWorker::spawn(test_worker(&inbox), |_event| async { Ok(()) });
    wait_for_stats(&inbox, stats(0, 0, stored, 0)).await;
    worker.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_acknowledged_deliveries_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("inbox.db").display());
    let acked = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run_and_kill_child(&url, 400)
    })
    .await
    .unwrap();
    check_nothing_acknowledged_was_lost(&url, &acked).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn postgres_acknowledged_deliveries_survive_kill_9() {
    let server = tokio::task::spawn_blocking(PostgresServer::start).await.unwrap();
    let url = server.url();
    let acked = tokio::task::spawn_blocking({
        let url = url.clone();
        move || run_and_kill_child(&url, 400)
    })
    .await
    .unwrap();
    check_nothing_acknowledged_was_lost(&url, &acked).await;
}
