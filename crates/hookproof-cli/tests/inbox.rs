//! `listen --inbox`, `work` and `inbox ...` as a user runs them: real
//! processes, a SQLite file or a PostgreSQL server started here, real HTTP
//! on loopback, and `kill -9`.

// The inbox crate's PostgreSQL harness (initdb + pg_ctl on a free loopback
// port); this file uses part of it.
#[allow(dead_code)]
#[path = "../../hookproof-inbox/tests/postgres_server/mod.rs"]
mod postgres_server;

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use hookproof_test_support::Request;
use postgres_server::PostgresServer;
use support::{Running, TempDir, BIN};

const SECRET: &str = "It's a Secret to Everybody";

/// `hookproof listen --preset github --port 0 ARGS`, once it listens.
fn listen(args: &[&str]) -> Running {
    Running::start(
        &[&["listen", "--preset", "github", "--secret", SECRET, "--port", "0"], args].concat(),
        "listening on",
    )
}

/// `hookproof work ARGS`, once it works.
fn work(args: &[&str]) -> Running {
    Running::start(&[&["work"], args].concat(), "working on")
}

/// GitHub's headers for `body`, signed with [`SECRET`] (its identity is the body's digest).
fn github_headers(body: &[u8]) -> Vec<String> {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    let signature = hex::encode(mac.finalize().into_bytes());
    vec![
        format!("X-Hub-Signature-256: sha256={signature}"),
        "X-GitHub-Event: push".to_owned(),
        "Content-Type: application/json".to_owned(),
    ]
}

/// POSTs a signed GitHub `body` to `url`; the status and body, or `None` if the connection failed.
fn post(url: &str, body: &[u8]) -> Option<(u16, String)> {
    let request = github_headers(body).iter().fold(Request::post(url), |request, line| {
        let (name, value) = line.split_once(':').expect("a header line");
        request.header(name.trim(), value.trim())
    });
    let answer = request.body(body).send().ok()?;
    Some((answer.status, answer.text()))
}

fn event(n: usize) -> Vec<u8> {
    format!(r#"{{"ref":"refs/heads/main","n":{n}}}"#).into_bytes()
}

fn hookproof(args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(BIN).args(args).output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn stats(db: &str) -> BTreeMap<String, u64> {
    let (code, stdout, stderr) = hookproof(&["inbox", "stats", "--db", db]);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(stdout.trim()).unwrap()
}

/// Polls `stats` until `done(stats)` or `patience` runs out; the last stats.
fn wait_for(db: &str, patience: Duration, done: impl Fn(&BTreeMap<String, u64>) -> bool) -> BTreeMap<String, u64> {
    let deadline = Instant::now() + patience;
    loop {
        let now = stats(db);
        if done(&now) || Instant::now() > deadline {
            return now;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The lines of `path` (a handler's log), empty when it does not exist yet.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).map(|text| text.lines().map(str::to_owned).collect()).unwrap_or_default()
}

#[test]
fn retries_then_dead_then_an_operator_retry_brings_it_to_done() {
    let dir = TempDir::new("dead");
    let db = dir.sqlite();
    let log = dir.path().join("attempts");
    let healed = dir.path().join("healed");
    // Fails while `healed` is absent, logging each attempt with what it was told.
    let exec = format!(
        "echo \"$HOOKPROOF_ATTEMPT $HOOKPROOF_SCHEME $HOOKPROOF_EVENT_TYPE\" >> {}; test -f {}",
        log.display(),
        healed.display()
    );
    let listener = listen(&["--inbox", &db, "--exec", &exec, "--max-attempts", "3", "--backoff", "0.1"]);
    let body = event(1);
    assert_eq!(post(listener.url(), &body), Some((202, r#"{"status":"accepted"}"#.to_owned())));
    let after = wait_for(&db, Duration::from_secs(20), |stats| stats["dead"] == 1);
    assert_eq!(after["dead"], 1, "{after:?}");
    assert_eq!(lines(&log), ["1 github push", "2 github push", "3 github push"]);

    let (code, listed, _) = hookproof(&["inbox", "list", "--db", &db, "--state", "dead"]);
    assert_eq!(code, Some(0));
    let dead: serde_json::Value = serde_json::from_str(listed.lines().next().unwrap()).unwrap();
    assert_eq!((dead["state"].as_str(), dead["attempts"].as_u64()), (Some("dead"), Some(3)));
    assert_eq!(dead["last_error"], "--exec exited with a failure status");
    let id = dead["id"].to_string();
    let (code, shown, _) = hookproof(&["inbox", "show", "--db", &db, &id]);
    assert_eq!(code, Some(0));
    let shown: serde_json::Value = serde_json::from_str(shown.trim()).unwrap();
    assert_eq!((shown["body"]["n"].as_u64(), shown["headers"]["x-github-event"].as_str()), (Some(1), Some("push")));

    // Still dead after a retry that fails; done after a retry that works.
    std::fs::write(&healed, "").unwrap();
    let (code, retried, stderr) = hookproof(&["inbox", "retry", "--db", &db, &id]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(retried.trim(), r#"{"retried":1}"#);
    let after = wait_for(&db, Duration::from_secs(20), |stats| stats["done"] == 1);
    assert_eq!((after["done"], after["dead"], after["pending"]), (1, 0, 0), "{after:?}");
    assert_eq!(lines(&log).last().map(String::as_str), Some("1 github push"), "attempts restart at 1");
    let printed = listener.printed();
    assert_eq!(printed.len(), 1, "one line per event processed successfully: {printed:?}");
    assert_eq!(printed[0]["body"]["n"], 1);

    // A duplicate of a done event is acknowledged and not stored again.
    assert_eq!(post(listener.url(), &body), Some((200, r#"{"status":"duplicate"}"#.to_owned())));
    let (code, purged, _) = hookproof(&["inbox", "purge", "--db", &db, "--state", "done", "--older-than", "0"]);
    assert_eq!((code, purged.trim()), (Some(0), r#"{"purged":1}"#));
    assert_eq!(stats(&db).values().sum::<u64>(), 0);
}

#[test]
fn a_listener_killed_mid_handler_loses_no_acknowledged_event() {
    const EVENTS: usize = 250;
    let dir = TempDir::new("crash");
    let db = dir.sqlite();
    let log = dir.path().join("processed");
    // Slow handlers, so the kill lands while many are running or waiting.
    let exec = format!("sleep 0.05; echo \"$HOOKPROOF_EVENT_KEY\" >> {}", log.display());
    let first = listen(&["--inbox", &db, "--exec", &exec, "--workers", "2"]);

    // Every fifth delivery repeats an earlier event (a provider's retry).
    let mut acknowledged = BTreeSet::new();
    let (mut accepted, mut duplicates) = (0, 0);
    for n in 0..EVENTS {
        let event_number = if n % 5 == 4 { n - 3 } else { n };
        match post(first.url(), &event(event_number)) {
            Some((202, _)) => accepted += 1,
            Some((200, body)) if body.contains("duplicate") => duplicates += 1,
            other => panic!("delivery {n}: {other:?}"),
        }
        acknowledged.insert(event_number);
    }
    assert_eq!((accepted, duplicates), (EVENTS - EVENTS / 5, EVENTS / 5));
    let before_kill = stats(&db);
    drop(first); // SIGKILL: no shutdown, no release, leases left behind
    assert!(before_kill["pending"] + before_kill["processing"] > 0, "the kill must land mid-work: {before_kill:?}");

    // Restarted: the killed workers' leases expire and everything is drained.
    let _second = listen(&["--inbox", &db, "--exec", &exec, "--workers", "4"]);
    let drained = wait_for(&db, Duration::from_secs(150), |stats| stats["done"] == acknowledged.len() as u64);
    assert_eq!(drained["done"], acknowledged.len() as u64, "{drained:?}");
    let processed: BTreeSet<String> = lines(&log).into_iter().collect();
    assert_eq!(processed.len(), acknowledged.len(), "every acknowledged event ran (at least once)");
}

#[test]
fn two_receivers_and_two_workers_on_postgres_process_each_event_once() {
    let mut postgres = PostgresServer::start();
    let db = postgres.url();
    let dir = TempDir::new("postgres");
    let receivers = [listen(&["--inbox", &db, "--workers", "0"]), listen(&["--inbox", &db, "--workers", "0"])];
    let logging = |log: &Path| format!("echo \"$HOOKPROOF_EVENT_KEY\" >> {}", log.display());
    // Each event to both receivers: one stores it, the other answers duplicate.
    let deliver = |range: std::ops::Range<usize>| {
        for n in range {
            let answers = [post(receivers[0].url(), &event(n)), post(receivers[1].url(), &event(n))];
            let statuses: Vec<u16> = answers.iter().map(|answer| answer.as_ref().unwrap().0).collect();
            assert_eq!(statuses, [202, 200], "event {n}");
        }
    };

    // Two worker processes, no crash: every event exactly once.
    let log = dir.path().join("processed");
    let workers = [
        work(&["--inbox", &db, "--exec", &logging(&log), "--workers", "4"]),
        work(&["--inbox", &db, "--exec", &logging(&log), "--workers", "4"]),
    ];
    deliver(0..40);
    let done = wait_for(&db, Duration::from_secs(60), |stats| stats["done"] == 40);
    assert_eq!(done["done"], 40, "{done:?}");
    let processed = lines(&log);
    assert_eq!(processed.len(), 40, "each event processed once");
    assert_eq!(processed.iter().collect::<BTreeSet<_>>().len(), 40);
    drop(workers);

    // A worker killed while it holds events: the other worker finishes them
    // once their leases expire.
    let doomed = work(&["--inbox", &db, "--exec", "sleep 30", "--workers", "4"]);
    deliver(40..50);
    let held = wait_for(&db, Duration::from_secs(20), |stats| stats["processing"] >= 1);
    assert!(held["processing"] >= 1, "{held:?}");
    drop(doomed); // SIGKILL, as above
    let finished = dir.path().join("finished");
    let survivor = work(&["--inbox", &db, "--exec", &logging(&finished), "--workers", "4"]);
    let done = wait_for(&db, Duration::from_secs(120), |stats| stats["done"] == 50);
    assert_eq!(done["done"], 50, "{done:?}");
    assert_eq!(lines(&finished).iter().collect::<BTreeSet<_>>().len(), 10, "the killed worker's events were finished");
    drop(survivor);

    // PostgreSQL down: 503 inbox_unavailable, nothing acknowledged; back up: accepted again.
    postgres.stop();
    let started = Instant::now();
    let (status, body) = post(receivers[0].url(), &event(1000)).unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("inbox_unavailable"), "{body}");
    assert!(started.elapsed() < Duration::from_secs(10), "answered in {:?}", started.elapsed());
    postgres.restart();
    let deadline = Instant::now() + Duration::from_secs(30);
    let answer = loop {
        let answer = post(receivers[1].url(), &event(1000)).unwrap();
        if answer.0 != 503 || Instant::now() > deadline {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(answer.0, 202, "{answer:?}");
}
