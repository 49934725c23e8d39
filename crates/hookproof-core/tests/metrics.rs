//! The `metrics` feature: verified, rejected (by code) and duplicate
//! counters and the verify-latency histogram reach whatever recorder the
//! application installed.

#![cfg(feature = "metrics")]

use hookproof_core::replay::{Admission, ReplayProtection};
use hookproof_core::{presets, Signer, Verifier};
use metrics_util::debugging::{DebugValue, DebuggingRecorder};

#[test]
fn counters_and_latency_reach_the_recorder() {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    metrics::with_local_recorder(&recorder, || {
        let verifier = Verifier::builder(presets::github()).secret("s").build().unwrap();
        let headers = Signer::new(presets::github(), "s").unwrap().sign(b"{}");
        let verified = verifier.verify(&headers, b"{}").unwrap();
        let forged = Signer::new(presets::github(), "guess").unwrap().sign(b"{}");
        assert!(verifier.verify(&forged, b"{}").is_err());
        assert!(verifier.verify(&http::HeaderMap::new(), b"{}").is_err());

        let replay = ReplayProtection::memory(&verifier);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let Admission::Process(claim) = replay.claim(&verified, b"{}").await.unwrap() else { panic!("new event") };
            claim.settle(true).await;
            assert!(matches!(replay.claim(&verified, b"{}").await.unwrap(), Admission::Duplicate));
        });
    });
    let mut counters = std::collections::BTreeMap::new();
    let mut latencies = 0;
    for (key, _, _, value) in snapshotter.snapshot().into_vec() {
        let labels: Vec<String> =
            key.key().labels().map(|label| format!("{}={}", label.key(), label.value())).collect();
        match value {
            DebugValue::Counter(count) => {
                counters.insert(format!("{} {}", key.key().name(), labels.join(",")), count);
            }
            DebugValue::Histogram(samples) => latencies += samples.len(),
            DebugValue::Gauge(_) => {}
        }
    }
    assert_eq!(counters.get("hookproof_verified_total scheme=github"), Some(&1), "{counters:?}");
    assert_eq!(
        counters.get("hookproof_rejected_total scheme=github,code=signature_mismatch"),
        Some(&1),
        "{counters:?}"
    );
    assert_eq!(counters.get("hookproof_rejected_total scheme=github,code=missing_header"), Some(&1), "{counters:?}");
    assert_eq!(counters.get("hookproof_duplicates_total scheme=github"), Some(&1), "{counters:?}");
    assert_eq!(latencies, 1, "one signature check succeeded");
}
