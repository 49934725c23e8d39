//! hookproof's ed25519 and ECDSA P-256 presets against the underlying
//! crates' own verify over the same message (the floor), in one run; and
//! one HMAC preset of the new family (Paddle) beside bare `hmac` + `sha2`.
//!
//! Run: `cargo bench --bench asymmetric`; then
//! `python3 scripts/bench_table.py target/criterion asymmetric` prints the table.

#![allow(missing_docs)] // criterion_group! generates undocumented items

use std::hint::black_box;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::{Signer as _, Verifier as _};

/// An ASCII JSON body of exactly `size` bytes.
fn body(size: usize) -> Vec<u8> {
    let mut body = br#"{"type":"invoice.paid","data":{"pad":""#.to_vec();
    body.resize(size - 3, b'x');
    body.extend_from_slice(br#""}}"#);
    body
}

fn now() -> (SystemTime, String) {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    (UNIX_EPOCH + Duration::from_secs(seconds), seconds.to_string())
}

fn asymmetric(c: &mut Criterion) {
    let b64 = base64::engine::general_purpose::STANDARD;
    for (label, size) in [("1KiB", 1024), ("64KiB", 64 * 1024)] {
        let body = body(size);

        // Discord: ed25519 over `{timestamp}{body}`, hex signature, hex public key.
        let signing = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
        let public = signing.verifying_key();
        let (sent, timestamp) = now();
        let signer = hookproof::Signer::new(hookproof::presets::discord(), hex::encode([5u8; 32])).unwrap();
        let headers = signer.sign_at(&body, sent, None);
        let verifier = hookproof::Verifier::builder(hookproof::presets::discord())
            .secret(hex::encode(public.as_bytes()))
            .build()
            .unwrap();
        let signature = ed25519_dalek::Signature::from_slice(
            &hex::decode(headers["x-signature-ed25519"].to_str().unwrap()).unwrap(),
        )
        .unwrap();

        let mut group = c.benchmark_group(format!("ed25519/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter("hookproof"), |b| {
            b.iter(|| verifier.verify(black_box(&headers), black_box(&body)).unwrap())
        });
        // The floor: the crate's own verify, message and signature ready.
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(&body);
        group.bench_function(BenchmarkId::from_parameter("ed25519-dalek"), |b| {
            b.iter(|| public.verify_strict(black_box(&message), black_box(&signature)).unwrap())
        });
        group.finish();

        // SendGrid: ECDSA P-256/SHA-256 over `{timestamp}{body}`, base64 DER.
        let secret = p256::ecdsa::SigningKey::from_slice(&[7u8; 32]).unwrap();
        let public = *secret.verifying_key();
        let (sent, timestamp) = now();
        let mut message = timestamp.as_bytes().to_vec();
        message.extend_from_slice(&body);
        let signature: p256::ecdsa::Signature = secret.sign(&message);
        let mut headers = http::HeaderMap::new();
        headers.insert("x-twilio-email-event-webhook-timestamp", timestamp.parse().unwrap());
        headers.insert(
            "x-twilio-email-event-webhook-signature",
            b64.encode(signature.to_der().as_bytes()).parse().unwrap(),
        );
        let key = hex::encode(public.to_encoded_point(false).as_bytes());
        let verifier = hookproof::Verifier::builder(hookproof::presets::sendgrid()).secret(key).build().unwrap();
        assert!(verifier.verify_at(&headers, &body, sent).is_ok());

        let mut group = c.benchmark_group(format!("ecdsa-p256/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter("hookproof"), |b| {
            b.iter(|| verifier.verify(black_box(&headers), black_box(&body)).unwrap())
        });
        // The floor: the crate's own verify, message and signature ready.
        group.bench_function(BenchmarkId::from_parameter("p256"), |b| {
            b.iter(|| public.verify(black_box(&message), black_box(&signature)).unwrap())
        });
        group.finish();

        // Paddle: HMAC-SHA256 over `{ts}:{body}`, `ts=..;h1=..`.
        let secret = "pdl_ntfset_01hsdn8d43dt7mezr1ef2jtbaw_hKkRiCGyyRhbFwIUuqiTBgI7gnWoV0Gr";
        let (sent, timestamp) = now();
        let headers = hookproof::Signer::new(hookproof::presets::paddle(), secret).unwrap().sign_at(&body, sent, None);
        let verifier = hookproof::Verifier::builder(hookproof::presets::paddle()).secret(secret).build().unwrap();
        let mut group = c.benchmark_group(format!("hmac-paddle/{label}"));
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_function(BenchmarkId::from_parameter("hookproof"), |b| {
            b.iter(|| verifier.verify(black_box(&headers), black_box(&body)).unwrap())
        });
        group.bench_function(BenchmarkId::from_parameter("bare-hmac"), |b| {
            b.iter(|| {
                let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                for part in [timestamp.as_bytes(), b":", black_box(&body)] {
                    mac.update(part);
                }
                black_box(mac.finalize().into_bytes())
            })
        });
        group.finish();
    }
}

criterion_group!(benches, asymmetric);
criterion_main!(benches);
