//! `RedisStore` against a real `redis-server` started by each test.

mod server;

use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use hookproof_core::replay::{Admission, ClaimOutcome, ReplayError, ReplayProtection, ReplayStore};
use hookproof_core::{presets, EventKey, MemoryStore, Signer, Verified, Verifier, VerifyError};
use hookproof_redis::{RedisStore, TimedOut};
use server::RedisServer;

const LEASE: Duration = Duration::from_secs(60);
const RETENTION: Duration = Duration::from_secs(3600);
/// The call timeout of the outage tests, and how much later than it a failure may come.
const TIMEOUT: Duration = Duration::from_millis(500);
const MARGIN: Duration = Duration::from_millis(250);

/// A fixed-size key named for the test's reading.
fn key(name: &str) -> EventKey {
    let mut bytes = [0u8; 32];
    bytes[..name.len().min(32)].copy_from_slice(&name.as_bytes()[..name.len().min(32)]);
    EventKey::from_bytes(bytes)
}

async fn store(server: &RedisServer) -> RedisStore {
    let store = RedisStore::connect(&server.url()).await.expect("valid url");
    store.ping().await.expect("server answers");
    store
}

/// One sequence of claims, commits and releases; returns every claim's outcome.
async fn scenario(store: &dyn ReplayStore) -> Vec<ClaimOutcome> {
    let mut seen = Vec::new();
    seen.push(store.claim(&key("k"), "a", LEASE).await.unwrap()); // free
    seen.push(store.claim(&key("k"), "b", LEASE).await.unwrap()); // held by a
    seen.push(store.claim(&key("k"), "a", LEASE).await.unwrap()); // held, even by the same owner
    store.release(&key("k"), "b").await.unwrap(); // not b's
    seen.push(store.claim(&key("k"), "c", LEASE).await.unwrap());
    store.commit(&key("k"), "b", RETENTION).await.unwrap(); // not b's
    seen.push(store.claim(&key("k"), "c", LEASE).await.unwrap());
    store.release(&key("k"), "a").await.unwrap(); // a gives up
    seen.push(store.claim(&key("k"), "c", LEASE).await.unwrap());
    store.commit(&key("k"), "c", RETENTION).await.unwrap(); // c succeeds
    seen.push(store.claim(&key("k"), "d", LEASE).await.unwrap());
    store.release(&key("k"), "c").await.unwrap(); // too late: processed stays processed
    store.commit(&key("k"), "d", RETENTION).await.unwrap();
    seen.push(store.claim(&key("k"), "e", LEASE).await.unwrap());
    seen.push(store.claim(&key("other"), "a", LEASE).await.unwrap()); // keys are independent
    seen
}

#[tokio::test]
async fn claim_commit_release_match_the_memory_store() {
    use ClaimOutcome::{Claimed, InFlight, Processed};
    let server = RedisServer::start();
    let redis = scenario(&store(&server).await).await;
    let memory = scenario(&MemoryStore::new(100)).await;
    assert_eq!(redis, memory);
    assert_eq!(redis, [Claimed, InFlight, InFlight, InFlight, InFlight, Claimed, Processed, Processed, Claimed]);
}

#[tokio::test]
async fn release_by_a_non_owner_does_nothing() {
    let server = RedisServer::start();
    let store = store(&server).await;
    assert_eq!(store.claim(&key("k"), "owner", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    store.release(&key("k"), "intruder").await.unwrap();
    store.release(&key("missing"), "intruder").await.unwrap();
    assert_eq!(store.claim(&key("k"), "intruder", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    store.release(&key("k"), "owner").await.unwrap();
    assert_eq!(store.claim(&key("k"), "next", LEASE).await.unwrap(), ClaimOutcome::Claimed);
}

#[tokio::test]
async fn commit_by_a_non_owner_does_nothing() {
    let server = RedisServer::start();
    let store = store(&server).await;
    assert_eq!(store.claim(&key("k"), "owner", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    store.commit(&key("k"), "intruder", RETENTION).await.unwrap();
    assert_eq!(store.claim(&key("k"), "other", LEASE).await.unwrap(), ClaimOutcome::InFlight, "not processed");
    // Committing a key nobody claimed does not mark it processed either.
    store.commit(&key("never-claimed"), "intruder", RETENTION).await.unwrap();
    assert_eq!(store.claim(&key("never-claimed"), "x", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    // The owner's claim survived: releasing it frees the key.
    store.release(&key("k"), "owner").await.unwrap();
    assert_eq!(store.claim(&key("k"), "other", LEASE).await.unwrap(), ClaimOutcome::Claimed);
}

#[tokio::test]
async fn a_crashed_owners_claim_expires_with_its_lease() {
    let server = RedisServer::start();
    let store = store(&server).await;
    let lease = Duration::from_millis(200);
    assert_eq!(store.claim(&key("k"), "crashed", lease).await.unwrap(), ClaimOutcome::Claimed);
    assert_eq!(store.claim(&key("k"), "retry", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(store.claim(&key("k"), "retry", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    // The late owner's commit no longer counts: the retry holds the key.
    store.commit(&key("k"), "crashed", RETENTION).await.unwrap();
    assert_eq!(store.claim(&key("k"), "third", LEASE).await.unwrap(), ClaimOutcome::InFlight);
}

#[tokio::test]
async fn only_the_holder_renews_and_a_renewed_claim_outlives_its_first_lease() {
    let server = RedisServer::start();
    let store = store(&server).await;
    let lease = Duration::from_millis(300);
    assert_eq!(store.claim(&key("k"), "slow", lease).await.unwrap(), ClaimOutcome::Claimed);
    assert!(!store.renew(&key("k"), "intruder", LEASE).await.unwrap());
    assert!(store.renew(&key("k"), "slow", LEASE).await.unwrap());
    tokio::time::sleep(Duration::from_millis(450)).await;
    // Past the first lease, the renewed claim still holds.
    assert_eq!(store.claim(&key("k"), "retry", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    assert!(!store.renew(&key("missing"), "slow", LEASE).await.unwrap());
}

#[tokio::test]
async fn processed_ids_are_forgotten_after_the_retention() {
    let server = RedisServer::start();
    let store = store(&server).await;
    assert_eq!(store.claim(&key("k"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    store.commit(&key("k"), "a", Duration::from_millis(200)).await.unwrap();
    assert_eq!(store.claim(&key("k"), "b", LEASE).await.unwrap(), ClaimOutcome::Processed);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(store.claim(&key("k"), "b", LEASE).await.unwrap(), ClaimOutcome::Claimed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_claims_of_one_key_give_exactly_one_owner() {
    let server = RedisServer::start();
    // Two receivers, each with its own connection, racing for the same event.
    let receivers = [store(&server).await, store(&server).await];
    let start = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = receivers[i % 2].clone();
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                store.claim(&key("github:id:d-1"), &format!("owner-{i}"), LEASE).await.unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let claimed = outcomes.iter().filter(|outcome| **outcome == ClaimOutcome::Claimed).count();
    let in_flight = outcomes.iter().filter(|outcome| **outcome == ClaimOutcome::InFlight).count();
    assert_eq!((claimed, in_flight), (1, 49));
}

#[tokio::test]
async fn two_receivers_share_one_memory() {
    let server = RedisServer::start();
    let (first, second) = (store(&server).await, store(&server).await);
    assert_eq!(first.claim(&key("k"), "first", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    assert_eq!(second.claim(&key("k"), "second", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    first.commit(&key("k"), "first", RETENTION).await.unwrap();
    assert_eq!(second.claim(&key("k"), "second", LEASE).await.unwrap(), ClaimOutcome::Processed);

    // A different prefix is a different memory.
    let elsewhere = store(&server).await.key_prefix("other-app:");
    assert_eq!(elsewhere.claim(&key("k"), "x", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    let same = store(&server).await.key_prefix("other-app:");
    assert_eq!(same.claim(&key("k"), "y", LEASE).await.unwrap(), ClaimOutcome::InFlight);
}

/// Runs claim, renew, commit, release and ping against a store whose Redis is
/// unreachable; each must be `Unavailable` within the timeout plus a margin.
async fn assert_every_call_unavailable(store: &RedisStore, phase: &str) -> Vec<(&'static str, Duration)> {
    let mut times = Vec::new();
    for call in ["claim", "renew", "commit", "release", "ping"] {
        let started = Instant::now();
        let result = match call {
            "claim" => store.claim(&key("k"), "o", LEASE).await.map(drop),
            "renew" => store.renew(&key("k"), "o", LEASE).await.map(drop),
            "commit" => store.commit(&key("k"), "o", RETENTION).await,
            "release" => store.release(&key("k"), "o").await,
            _ => store.ping().await,
        };
        let elapsed = started.elapsed();
        assert!(matches!(result, Err(ReplayError::Unavailable(_))), "{phase}: {call} gave {result:?}");
        assert!(elapsed < TIMEOUT + MARGIN, "{phase}: {call} took {elapsed:?}");
        eprintln!("{phase}: {call} -> Unavailable in {elapsed:?}");
        times.push((call, elapsed));
    }
    times
}

#[tokio::test]
async fn a_redis_outage_is_unavailable_then_recovers() {
    let mut server = RedisServer::start();
    let store = store(&server).await.timeout(TIMEOUT);
    assert_eq!(store.claim(&key("before"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);

    server.stop();
    assert_every_call_unavailable(&store, "redis stopped").await;
    // Still unavailable on repeated calls, not stuck.
    assert_every_call_unavailable(&store, "redis still stopped").await;

    server.restart();
    // The first call after Redis is back succeeds (the store reconnects).
    let started = Instant::now();
    assert_eq!(store.claim(&key("after"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    eprintln!("redis restarted: first claim succeeded in {:?}", started.elapsed());
    store.commit(&key("after"), "a", RETENTION).await.unwrap();
    assert_eq!(store.claim(&key("after"), "b", LEASE).await.unwrap(), ClaimOutcome::Processed);
}

#[tokio::test]
async fn connecting_while_redis_is_down_neither_hangs_nor_fails_and_recovers() {
    let port = server::free_port();
    let started = Instant::now();
    let store = RedisStore::connect(&server::url(port)).await.expect("only a bad url fails").timeout(TIMEOUT);
    let elapsed = started.elapsed();
    eprintln!("connect with redis down returned in {elapsed:?}");
    assert!(elapsed < hookproof_redis::DEFAULT_TIMEOUT + MARGIN, "connect took {elapsed:?}");
    assert_every_call_unavailable(&store, "never started").await;

    let _server = RedisServer::on_port(port);
    let started = Instant::now();
    assert_eq!(store.claim(&key("k"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    eprintln!("redis started late: first claim succeeded in {:?}", started.elapsed());
}

#[tokio::test]
async fn a_hung_redis_times_out_then_recovers() {
    let server = RedisServer::start();
    let store = store(&server).await.timeout(TIMEOUT);
    assert_eq!(store.claim(&key("k"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);

    server.pause();
    let started = Instant::now();
    let result = store.claim(&key("k"), "b", LEASE).await;
    let elapsed = started.elapsed();
    server.resume();
    eprintln!("redis paused: claim -> {result:?} in {elapsed:?}");
    let Err(ReplayError::Unavailable(source)) = result else { panic!("expected Unavailable, got {result:?}") };
    assert_eq!(source.downcast_ref::<TimedOut>().map(TimedOut::after), Some(TIMEOUT));
    assert!(elapsed >= TIMEOUT && elapsed < TIMEOUT + MARGIN, "took {elapsed:?}");

    assert_eq!(store.claim(&key("k"), "b", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    store.commit(&key("k"), "a", RETENTION).await.unwrap();
    assert_eq!(store.claim(&key("k"), "b", LEASE).await.unwrap(), ClaimOutcome::Processed);
}

const BODY: &[u8] = br#"{"n":1}"#;
const OTHER_BODY: &[u8] = br#"{"n":2}"#;

/// A verified GitHub delivery; its identity is the body's digest.
fn verified(body: &[u8]) -> (Verifier, Verified) {
    let verifier = Verifier::builder(presets::github()).secret("s").build().unwrap();
    let headers = Signer::new(presets::github(), "s").unwrap().sign_at(body, SystemTime::now(), Some("d-1"));
    let verified = verifier.verify(&headers, body).unwrap();
    (verifier, verified)
}

#[tokio::test]
async fn replay_protection_round_trip() {
    let server = RedisServer::start();
    let (verifier, delivery) = verified(BODY);
    let replay = ReplayProtection::new(store(&server).await, &verifier);

    let Admission::Process(claim) = replay.claim(&delivery, BODY).await.unwrap() else { panic!("first delivery runs") };
    let concurrent = replay.claim(&delivery, BODY).await.unwrap_err();
    assert!(matches!(concurrent, VerifyError::InFlight));
    assert_eq!(concurrent.status().as_u16(), 409);
    claim.commit().await;
    assert!(matches!(replay.claim(&delivery, BODY).await.unwrap(), Admission::Duplicate));

    // A failed handler releases: the retry is processed.
    let (_, failing) = verified(OTHER_BODY);
    let Admission::Process(claim) = replay.claim(&failing, OTHER_BODY).await.unwrap() else {
        panic!("first delivery runs")
    };
    claim.release().await;
    assert!(matches!(replay.claim(&failing, OTHER_BODY).await.unwrap(), Admission::Process(_)));
}

#[tokio::test]
async fn replay_protection_with_redis_down_refuses_unless_fail_open() {
    let mut server = RedisServer::start();
    let (verifier, delivery) = verified(BODY);
    let store = store(&server).await.timeout(TIMEOUT);
    let closed = ReplayProtection::new(store.clone(), &verifier);
    let open = ReplayProtection::new(store, &verifier).fail_open(true);
    server.stop();

    let started = Instant::now();
    let error = closed.claim(&delivery, BODY).await.unwrap_err();
    assert!(started.elapsed() < TIMEOUT + MARGIN);
    assert!(matches!(error, VerifyError::ReplayStoreUnavailable(_)), "{error:?}");
    assert_eq!((error.status().as_u16(), error.code()), (503, "replay_store_unavailable"));
    assert!(error.source().is_some(), "the store's error is kept as the source");

    assert!(matches!(open.claim(&delivery, BODY).await.unwrap(), Admission::Unprotected));
}

#[tokio::test]
async fn redis_keys_have_a_fixed_size_and_hold_no_id_or_signature() {
    let server = RedisServer::start();
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let verifier = Verifier::builder(presets::standard_webhooks()).secret(secret).build().unwrap();
    let replay = ReplayProtection::new(store(&server).await, &verifier);
    let signer = Signer::new(presets::standard_webhooks(), secret).unwrap();
    let long_id = "i".repeat(4000);
    let mut signatures = Vec::new();
    for id in ["msg_short", long_id.as_str()] {
        let headers = signer.sign_at(b"{}", SystemTime::now(), Some(id));
        signatures.push(headers["webhook-signature"].to_str().unwrap().trim_start_matches("v1,").to_owned());
        let verified = verifier.verify(&headers, b"{}").unwrap();
        let Admission::Process(claim) = replay.claim(&verified, b"{}").await.unwrap() else { panic!("{id} is new") };
        claim.settle(true).await;
    }
    let mut connection = redis::Client::open(server.url()).unwrap().get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS").arg("*").query_async(&mut connection).await.unwrap();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in &keys {
        assert_eq!(key.len(), hookproof_redis::DEFAULT_KEY_PREFIX.len() + 64, "{key}");
        assert!(!key.contains("msg_short") && !key.contains("iiii"), "{key}");
        assert!(signatures.iter().all(|signature| !key.contains(signature.as_str())), "{key}");
    }
}

#[tokio::test]
async fn rediss_with_the_servers_ca_claims_and_without_it_is_unavailable() {
    let server = RedisServer::start_tls();
    let ca = std::fs::read(server.ca_file()).unwrap();
    let store = RedisStore::with_root_certificates(&server.tls_url(), &ca).expect("valid url and CA");
    store.ping().await.expect("TLS handshake with the private CA");
    assert_eq!(store.claim(&key("tls"), "a", LEASE).await.unwrap(), ClaimOutcome::Claimed);
    assert_eq!(store.claim(&key("tls"), "b", LEASE).await.unwrap(), ClaimOutcome::InFlight);
    assert!(format!("{store:?}").contains("rediss://127.0.0.1:"), "{store:?}");

    // The same server, trusting only the system's roots: the certificate is
    // refused, and the store answers Unavailable rather than talking in clear.
    let untrusting = RedisStore::new(&server.tls_url()).unwrap().timeout(TIMEOUT);
    assert!(matches!(untrusting.ping().await, Err(ReplayError::Unavailable(_))));
}
