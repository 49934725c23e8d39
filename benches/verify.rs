//! hookproof against the `svix` and `standardwebhooks` crates on the same
//! Standard Webhooks delivery, and against bare `hmac` + `sha2` over the
//! same bytes (the floor: no verifier can do less work).
//!
//! Run: `cargo bench --bench verify`, then `python3 scripts/bench_table.py`
//! prints the table with ratios measured in the same run.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";

/// An ASCII JSON body of exactly `size` bytes (the peers require UTF-8).
fn body(size: usize) -> Vec<u8> {
    let mut body = br#"{"type":"invoice.paid","data":{"pad":""#.to_vec();
    body.resize(size - 3, b'x');
    body.extend_from_slice(br#""}}"#);
    body
}

fn verify(c: &mut Criterion) {
    let key = base64::engine::general_purpose::STANDARD.decode(&SECRET[6..]).unwrap();
    for (label, size) in [("1KiB", 1024), ("64KiB", 64 * 1024), ("1MiB", 1024 * 1024)] {
        let body = body(size);
        // Signed now, per size: every verifier below checks freshness against the clock.
        let timestamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        let peer = standardwebhooks::Webhook::new(SECRET).unwrap();
        let signature = peer.sign(MSG_ID, timestamp as i64, &body).unwrap();
        let mut headers = http::HeaderMap::new();
        headers.insert("webhook-id", MSG_ID.parse().unwrap());
        headers.insert("webhook-timestamp", timestamp.to_string().parse().unwrap());
        headers.insert("webhook-signature", signature.parse().unwrap());

        let hookproof =
            hookproof::Verifier::builder(hookproof::presets::standard_webhooks()).secret(SECRET).build().unwrap();
        let svix = svix::webhooks::Webhook::new(SECRET).unwrap();
        let expected = base64::engine::general_purpose::STANDARD.decode(signature.trim_start_matches("v1,")).unwrap();
        let timestamp = timestamp.to_string();

        let mut group = c.benchmark_group(format!("verify/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter("hookproof"), |b| {
            b.iter(|| hookproof.verify(black_box(&headers), black_box(&body)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("svix"), |b| {
            b.iter(|| svix.verify(black_box(&body), black_box(&headers)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("standardwebhooks"), |b| {
            b.iter(|| peer.verify(black_box(&body), black_box(&headers)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("bare-hmac"), |b| {
            b.iter(|| {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
                for part in [MSG_ID.as_bytes(), b".", timestamp.as_bytes(), b".", black_box(&body)] {
                    mac.update(part);
                }
                mac.verify_slice(&expected).unwrap()
            })
        });
        group.finish();
    }
}

/// GitHub's identity is a SHA-256 digest of the body (its id header is not
/// signed), so its verify hashes the body twice: the HMAC and the digest.
/// This group shows that cost against a bare HMAC over the same bytes.
fn verify_content_digest(c: &mut Criterion) {
    const GITHUB_SECRET: &str = "It's a Secret to Everybody";
    for (label, size) in [("1KiB", 1024), ("64KiB", 64 * 1024), ("1MiB", 1024 * 1024)] {
        let body = body(size);
        let headers = hookproof::Signer::new(hookproof::presets::github(), GITHUB_SECRET).unwrap().sign(&body);
        let verifier =
            hookproof::Verifier::builder(hookproof::presets::github()).secret(GITHUB_SECRET).build().unwrap();
        let expected = hex::decode(&headers["x-hub-signature-256"].to_str().unwrap()[7..]).unwrap();

        let mut group = c.benchmark_group(format!("verify-github/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter("hookproof"), |b| {
            b.iter(|| verifier.verify(black_box(&headers), black_box(&body)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("bare-hmac"), |b| {
            b.iter(|| {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(GITHUB_SECRET.as_bytes()).unwrap();
                mac.update(black_box(&body));
                mac.verify_slice(&expected).unwrap()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, verify, verify_content_digest);
criterion_main!(benches);
