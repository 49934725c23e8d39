//! `Claim::run`, the one claim policy the adapters follow: only a success
//! commits; a failure, a panic (in starting the handler or while it runs),
//! a timeout or a dropped future releases the claim so the retry runs.

use std::future::{pending, ready};
use std::time::Duration;

use hookproof_core::replay::{Admission, ReplayProtection};
use hookproof_core::{presets, Claim, Signer, Verified, Verifier};

struct Fixture {
    replay: ReplayProtection,
    verified: Verified,
}

impl Fixture {
    fn new(timeout: Option<Duration>) -> Self {
        let verifier = Verifier::builder(presets::github()).secret("s").build().unwrap();
        let headers = Signer::new(presets::github(), "s").unwrap().sign(b"{}");
        let verified = verifier.verify(&headers, b"{}").unwrap();
        let replay = ReplayProtection::memory(&verifier);
        let replay = match timeout {
            Some(timeout) => replay.handler_timeout(timeout),
            None => replay,
        };
        Self { replay, verified }
    }

    async fn claim(&self) -> Claim {
        match self.replay.claim(&self.verified, b"{}").await.unwrap() {
            Admission::Process(claim) => claim,
            other => panic!("expected a new claim, got {other:?}"),
        }
    }

    async fn is_duplicate(&self) -> bool {
        matches!(self.replay.claim(&self.verified, b"{}").await.unwrap(), Admission::Duplicate)
    }
}

fn is_ok(status: &u16) -> bool {
    (200..300).contains(status)
}

#[tokio::test]
async fn a_success_commits_and_the_retry_is_a_duplicate() {
    let fixture = Fixture::new(None);
    let outcome = fixture.claim().await.run(|| ready(204_u16), is_ok).await;
    assert_eq!(outcome.unwrap(), 204);
    assert!(fixture.is_duplicate().await);
}

#[tokio::test]
async fn a_failure_is_returned_and_releases_so_the_retry_runs() {
    let fixture = Fixture::new(None);
    let outcome = fixture.claim().await.run(|| ready(500_u16), is_ok).await;
    assert_eq!(outcome.unwrap(), 500);
    assert!(!fixture.is_duplicate().await, "released, so the retry is processed");
}

#[tokio::test]
async fn a_panic_starting_or_running_the_handler_is_handler_panicked_and_releases() {
    let fixture = Fixture::new(None);
    let outcome = fixture.claim().await.run(|| -> std::future::Ready<u16> { panic!("starting (expected)") }, is_ok);
    assert_eq!(outcome.await.unwrap_err().code(), "handler_panicked");
    let outcome = fixture.claim().await.run(|| async { panic!("running (expected)") }, is_ok);
    assert_eq!(outcome.await.unwrap_err().code(), "handler_panicked");
    let outcome = fixture.claim().await.run(|| ready(200_u16), is_ok).await;
    assert_eq!(outcome.unwrap(), 200, "each panic released the claim");
}

#[tokio::test]
async fn a_handler_past_the_timeout_is_handler_timed_out_and_releases() {
    // The handler never answers, so the outcome does not depend on timing.
    let fixture = Fixture::new(Some(Duration::from_millis(20)));
    let outcome = fixture.claim().await.run(pending::<u16>, is_ok).await;
    assert_eq!(outcome.unwrap_err().code(), "handler_timed_out");
    assert!(!fixture.is_duplicate().await);
}

#[tokio::test]
async fn a_run_dropped_before_the_handler_answered_releases() {
    let fixture = Fixture::new(None);
    drop(fixture.claim().await.run(pending::<u16>, is_ok));
    assert!(!fixture.is_duplicate().await);
    let outcome = fixture.claim().await.run(|| ready(200_u16), is_ok).await;
    assert_eq!(outcome.unwrap(), 200);
}
