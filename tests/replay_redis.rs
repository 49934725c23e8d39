//! Replay protection end to end (issue 6): real receivers on `127.0.0.1:0`
//! (axum, actix-web and tower on hyper), each with its own `RedisStore` on
//! one real `redis-server` started by the test, spoken to over real sockets
//! with Standard Webhooks deliveries signed by hookproof's `Signer`.
//!
//! The tests need the `redis-server` binary (`apt-get install redis-server`),
//! found on `PATH` or named by `HOOKPROOF_REDIS_SERVER`. Without it they
//! fail, they do not skip.

mod support;

// The Redis harness of the hookproof-redis tests: a real `redis-server` on a
// free loopback port, killed on drop. This file uses a part of it.
#[allow(dead_code)]
#[path = "../crates/hookproof-redis/tests/server/mod.rs"]
mod redis_server;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hookproof::integrations::redis::RedisStore;
use hookproof::replay::{ClaimOutcome, ReplayError, ReplayStore};
use hookproof::{EventKey, MemoryStore, ReplayProtection};
use redis_server::RedisServer;
use support::{body, post, signed, Adapter, Answer, Handler, Reply, Server};

const LIMIT: usize = 64 * 1024;
/// Each store call's timeout: generous, so that a loaded CI machine does not
/// turn a slow answer into a 503 (the outage tests fail fast anyway: a
/// stopped server refuses connections).
const STORE_TIMEOUT: Duration = Duration::from_secs(5);

/// A receiver and the shared count of handler runs.
struct Receivers {
    servers: Vec<Server>,
    runs: Arc<AtomicUsize>,
}

/// One receiver per adapter in `adapters`, each with its own `RedisStore`
/// (own connection) on `redis`, all sharing one key prefix, so they share
/// one replay memory. `handler` is told the run number (1, 2, ...).
async fn receivers(
    redis: &RedisServer,
    adapters: &[Adapter],
    handler: fn(usize, &support::Event) -> Reply,
) -> Receivers {
    let runs = Arc::new(AtomicUsize::new(0));
    let mut servers = Vec::new();
    for &adapter in adapters {
        let verifier = support::verifier(LIMIT);
        let store = RedisStore::connect(&redis.url()).await.expect("a valid URL").timeout(STORE_TIMEOUT);
        store.ping().await.expect("redis answers");
        let replay = ReplayProtection::new(store, &verifier);
        let counter = Arc::clone(&runs);
        let handler: Handler = Arc::new(move |_, event| handler(counter.fetch_add(1, Ordering::SeqCst) + 1, event));
        servers.push(Server::start(adapter, verifier, Some(replay), handler));
    }
    Receivers { servers, runs }
}

impl Receivers {
    fn runs(&self) -> usize {
        self.runs.load(Ordering::SeqCst)
    }
}

fn processed(_run: usize, event: &support::Event) -> Reply {
    Reply::processed(event)
}

#[tokio::test]
async fn one_delivery_to_two_receivers_runs_the_handler_once() {
    let redis = RedisServer::start();
    let receivers = receivers(&redis, &[Adapter::Axum, Adapter::Actix], processed).await;
    let [axum, actix] = &receivers.servers[..] else { unreachable!() };

    let body = body("invoice.paid");
    let headers = signed(&body, "msg_two_receivers");
    let first = post(axum.addr, &headers, &body).await;
    assert_eq!(first.outcome(), (200, "processed".to_owned()), "{first:?}");
    let second = post(actix.addr, &headers, &body).await;
    assert_eq!((second.status, second.body.as_str()), (200, r#"{"status":"duplicate"}"#), "{second:?}");
    assert_eq!(second.content_type.as_deref(), Some("application/json"));
    // And back to the first receiver: still a duplicate.
    assert_eq!(post(axum.addr, &headers, &body).await.outcome(), (200, "duplicate".to_owned()));
    assert_eq!(receivers.runs(), 1);

    // Another event is not a duplicate of this one.
    let other = signed(&body, "msg_two_receivers_other");
    assert_eq!(post(actix.addr, &other, &body).await.outcome(), (200, "processed".to_owned()));
    assert_eq!(receivers.runs(), 2);
}

#[tokio::test]
async fn fifty_concurrent_identical_deliveries_across_two_receivers_run_once() {
    let redis = RedisServer::start();
    // The handler works for a while, so most copies arrive while it runs.
    let receivers = receivers(&redis, &[Adapter::Tower, Adapter::Actix], |_, event| {
        Reply::processed(event).after(Duration::from_millis(400))
    })
    .await;

    let body = body("invoice.paid");
    let headers = signed(&body, "msg_fifty");
    let start = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let addr = receivers.servers[i % 2].addr;
            let (headers, body, start) = (headers.clone(), body.clone(), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                post(addr, &headers, &body).await
            })
        })
        .collect();
    let mut answers: Vec<Answer> = Vec::new();
    for task in tasks {
        answers.push(task.await.expect("client task"));
    }

    let mut tally = BTreeMap::<(u16, String), usize>::new();
    for answer in &answers {
        *tally.entry(answer.outcome()).or_default() += 1;
    }
    eprintln!("50 concurrent copies answered: {tally:?}");
    assert_eq!(receivers.runs(), 1, "handler runs; answers: {tally:?}");
    assert_eq!(tally.get(&(200, "processed".to_owned())), Some(&1), "{tally:?}");
    for outcome in tally.keys() {
        let allowed = [(200, "processed"), (200, "duplicate"), (409, "in_flight")];
        assert!(
            allowed.iter().any(|&(status, code)| *outcome == (status, code.to_owned())),
            "unexpected {outcome:?} in {tally:?}"
        );
    }
    assert!(answers.iter().all(|answer| answer.status < 500), "{tally:?}");
    assert_eq!(tally.values().sum::<usize>(), 50);

    // Once it is processed, a late copy to either receiver is a duplicate.
    for server in &receivers.servers {
        assert_eq!(post(server.addr, &headers, &body).await.outcome(), (200, "duplicate".to_owned()));
    }
    assert_eq!(receivers.runs(), 1);
}

#[tokio::test]
async fn a_failed_handler_runs_again_on_retry_and_is_acknowledged_once() {
    let redis = RedisServer::start();
    // The first run fails (500), later runs succeed.
    let receivers = receivers(&redis, &[Adapter::Tower, Adapter::Axum], |run, event| {
        if run == 1 {
            Reply::failed()
        } else {
            Reply::processed(event)
        }
    })
    .await;
    let [tower, axum] = &receivers.servers[..] else { unreachable!() };

    let body = body("invoice.paid");
    let first = post(tower.addr, &signed(&body, "msg_retry"), &body).await;
    assert_eq!(first.outcome(), (500, "handler_failed".to_owned()), "the handler's own failure: {first:?}");
    assert_eq!(receivers.runs(), 1);

    // The sender retries: same id, new timestamp and signature, to the other receiver.
    let retry = signed(&body, "msg_retry");
    let second = post(axum.addr, &retry, &body).await;
    assert_eq!(second.outcome(), (200, "processed".to_owned()), "the retry is processed: {second:?}");
    assert_eq!(receivers.runs(), 2);

    // Any later copy, to either receiver, is acknowledged without running.
    for server in [tower, axum] {
        let again = post(server.addr, &retry, &body).await;
        assert_eq!((again.status, again.body.as_str()), (200, r#"{"status":"duplicate"}"#));
    }
    assert_eq!(receivers.runs(), 2, "ran twice: once failed, once succeeded");
}

#[tokio::test]
async fn redis_down_refuses_new_deliveries_and_recovers_when_it_is_back() {
    let mut redis = RedisServer::start();
    let receivers = receivers(&redis, &[Adapter::Axum, Adapter::Actix], processed).await;
    let [axum, actix] = &receivers.servers[..] else { unreachable!() };
    let body = body("invoice.paid");

    let before = signed(&body, "msg_before_outage");
    assert_eq!(post(axum.addr, &before, &body).await.outcome(), (200, "processed".to_owned()));
    assert_eq!(receivers.runs(), 1);

    redis.stop();
    // New deliveries, to both receivers: 503, the handler does not run, nothing is acknowledged.
    let mut refused = Vec::new();
    for (i, server) in [axum, actix, axum, actix].into_iter().enumerate() {
        let id = format!("msg_during_outage_{i}");
        let started = Instant::now();
        let answer = post(server.addr, &signed(&body, &id), &body).await;
        assert_eq!(answer.outcome(), (503, "replay_store_unavailable".to_owned()), "{:?}: {answer:?}", server.adapter);
        assert!(started.elapsed() < STORE_TIMEOUT + Duration::from_secs(1), "a refused connection fails fast");
        refused.push(id);
    }
    assert_eq!(receivers.runs(), 1, "no handler ran during the outage");

    redis.restart();
    // A new delivery is processed...
    let after = signed(&body, "msg_after_outage");
    assert_eq!(post(actix.addr, &after, &body).await.outcome(), (200, "processed".to_owned()), "actix after restart");
    assert_eq!(receivers.runs(), 2);
    // ...and so are the retries of the ones refused during the outage, on either receiver.
    for (id, server) in refused.iter().zip([axum, actix, actix, axum]) {
        let answer = post(server.addr, &signed(&body, id), &body).await;
        assert_eq!(answer.outcome(), (200, "processed".to_owned()), "retry of {id} to {:?}", server.adapter);
    }
    assert_eq!(receivers.runs(), 2 + refused.len());
    // And replay protection works again.
    assert_eq!(post(axum.addr, &after, &body).await.outcome(), (200, "duplicate".to_owned()));
    assert_eq!(receivers.runs(), 2 + refused.len());
}

#[test]
fn the_memory_store_stays_within_its_bound_under_a_million_distinct_ids() {
    const CAPACITY: usize = 10_000;
    const CLAIMS: usize = 1_000_000;
    const BATCH: usize = 10_000;
    let store = MemoryStore::new(CAPACITY);
    let lease = Duration::from_millis(5);
    let started = Instant::now();
    let (mut claimed, mut full) = (0usize, 0usize);
    for batch in 0..CLAIMS / BATCH {
        for i in 0..BATCH {
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&((batch * BATCH + i) as u64).to_be_bytes());
            match poll_once(store.claim(&EventKey::from_bytes(key), "owner", lease)) {
                Ok(ClaimOutcome::Claimed) => claimed += 1,
                Err(ReplayError::Full) => full += 1,
                other => panic!("claim {batch}/{i}: unexpected {other:?}"),
            }
        }
        assert!(store.len() <= CAPACITY, "batch {batch}: {} entries > capacity {CAPACITY}", store.len());
    }
    eprintln!("{CLAIMS} distinct ids: {claimed} claimed, {full} refused (full), in {:?}", started.elapsed());
    assert_eq!(claimed + full, CLAIMS);
    // Expired claims were evicted to make room: far more than one store's worth
    // was claimed over the run. (Whether some claims meet a store full of live
    // entries, and are refused with `Full`, depends on the machine's speed;
    // any refusal is `Full`, checked above.)
    assert!(claimed > 2 * CAPACITY, "claimed {claimed}, refused {full}");
    assert!(started.elapsed() < Duration::from_secs(60), "took {:?}", started.elapsed());
}

/// The memory store never waits: one poll completes any of its futures.
fn poll_once<F: std::future::Future>(future: F) -> F::Output {
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(future).poll(&mut context) {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => panic!("the memory store never waits"),
    }
}
