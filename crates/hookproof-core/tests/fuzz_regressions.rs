//! Replays the committed fuzz inputs (`fuzz/seeds/<target>/`) without
//! libFuzzer and asserts each one's exact outcome. A crash found by
//! `scripts/fuzz.sh` is copied into the seeds directory and given its
//! expected outcome here; `every_seed_has_an_expected_outcome` fails until it is.
//!
//! The inputs are decoded by the fuzz crate's own decoder (`fuzz/src/lib.rs`,
//! compiled in here), so a seed means here exactly what it meant to the fuzzer.

// The fuzz crate's library, without libFuzzer; this file uses part of it.
#[allow(dead_code, unreachable_pub)]
#[path = "../../../fuzz/src/lib.rs"]
mod fuzz_input;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use fuzz_input::{
    assert_streamed_agrees, fuzzed_presets, usable_secret, FuzzHeaders, Reader, VerifyPathInput, HEADER_NAMES,
};
use hookproof_core::{Signer, Verifier, VerifyError};

/// The header_parsing target's clock.
const NOW: u64 = 1_700_000_000;

const MISSING: &str = "missing_header";
const MALFORMED: &str = "malformed_header";
const MISMATCH: &str = "signature_mismatch";
const OLD: &str = "timestamp_too_old";
const FUTURE: &str = "timestamp_in_future";
const TOO_LARGE: &str = "body_too_large";
const VERIFIED: &str = "verified";

/// header_parsing seeds: the code for each preset, in `FUZZED_PRESETS` order
/// (smake, smarter-launch, smile, standard-webhooks, github, stripe, slack, shopify).
const HEADER_PARSING: &[(&str, [&str; 8])] = &[
    ("empty", [MISSING; 8]),
    ("duplicate_webhook_signature", [MISSING, MISSING, MISSING, MALFORMED, MISSING, MISSING, MISSING, MISSING]),
    ("forged_fresh_signatures", [MISMATCH, MALFORMED, MISMATCH, MISMATCH, MISMATCH, MISMATCH, MISMATCH, MISMATCH]),
    ("stale_and_future", [MISSING, MISSING, OLD, FUTURE, MISSING, OLD, FUTURE, MISSING]),
    ("hostile_bytes", [MALFORMED, MALFORMED, MISSING, MALFORMED, MALFORMED, MALFORMED, MISSING, MALFORMED]),
    ("too_many_signatures", [MISSING, MISSING, MISSING, MALFORMED, MISSING, MALFORMED, MISSING, MISSING]),
    ("svix_aliases", [MISSING, MISSING, MISSING, MISMATCH, MISSING, MISSING, MISSING, MISSING]),
    ("extreme_timestamps", [MISSING, MISSING, OLD, MALFORMED, MISSING, FUTURE, MALFORMED, MISSING]),
];

/// verify_path seeds: the outcome of verifying the seed's own headers.
const VERIFY_PATH: &[(&str, &str)] = &[
    ("github_valid", VERIFIED),
    ("standard_webhooks_public_vector", VERIFIED),
    ("stripe_valid_second_v1", VERIFIED),
    ("smile_stale", OLD),
    ("smake_tampered", MISMATCH),
    ("slack_small_limit", TOO_LARGE),
    ("smarter_launch_pretty_fallback", VERIFIED),
    ("smarter_launch_pretty_no_fallback", MISMATCH),
    ("shopify_duplicate_ids", MALFORMED),
    ("empty_secret_and_body", MISSING),
];

fn seed_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds").join(target)
}

fn seed(target: &str, name: &str) -> Vec<u8> {
    let path = seed_dir(target).join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn code(result: &Result<hookproof_core::Verified, VerifyError>) -> &'static str {
    match result {
        Ok(_) => VERIFIED,
        Err(error) => error.code(),
    }
}

#[test]
fn header_table_covers_every_preset_header() {
    for scheme in fuzzed_presets() {
        let names = scheme.signature_headers().iter().chain(scheme.timestamp_headers()).chain(scheme.id_headers());
        for name in names {
            assert!(HEADER_NAMES.contains(&name.as_ref()), "{}: {name} missing from the fuzz table", scheme.name());
        }
    }
}

#[test]
fn every_seed_has_an_expected_outcome() {
    for (target, known) in [
        ("header_parsing", HEADER_PARSING.iter().map(|(name, _)| *name).collect::<Vec<_>>()),
        ("verify_path", VERIFY_PATH.iter().map(|(name, _)| *name).collect()),
    ] {
        let mut files: Vec<String> = std::fs::read_dir(seed_dir(target))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let mut expected: Vec<String> = known.iter().map(|name| name.to_string()).collect();
        expected.sort();
        assert_eq!(files, expected, "fuzz/seeds/{target} and this file's table differ");
    }
}

#[test]
fn header_parsing_seeds_get_their_exact_refusals() {
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    for (name, expected) in HEADER_PARSING {
        let headers = FuzzHeaders::decode(&mut Reader::new(&seed("header_parsing", name)));
        for (scheme, expected) in fuzzed_presets().into_iter().zip(expected) {
            let preset = scheme.name().to_owned();
            let secret = usable_secret(scheme.key_format(), b"fuzz-secret");
            let verifier = Verifier::builder(scheme).secret(secret).build().unwrap();
            let result = verifier.verify_at(&headers, b"{}", now);
            assert_eq!(code(&result), *expected, "{name} / {preset}: {result:?}");
            // The pre-body checks refuse the same way, or leave only the HMAC.
            match verifier.precheck_at(&headers, now) {
                Ok(()) => assert_eq!(*expected, MISMATCH, "{name} / {preset}"),
                Err(error) => assert_eq!(error.code(), *expected, "{name} / {preset}"),
            }
        }
    }
}

#[test]
fn verify_path_seeds_get_their_exact_outcomes_and_round_trip() {
    for (name, expected) in VERIFY_PATH {
        let data = seed("verify_path", name);
        let VerifyPathInput { scheme, seconds, secret: secret_bytes, body, id, headers, .. } =
            VerifyPathInput::decode(&data);
        let id = String::from_utf8_lossy(id).into_owned();
        let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap());
        let secret = usable_secret(scheme.key_format(), secret_bytes);
        let verifier = Verifier::builder(scheme.clone()).secret(secret.clone()).build().unwrap();
        let result = verifier.verify_at(&headers, body, now);
        assert_eq!(code(&result), *expected, "{name}: {result:?}");
        for chunk in [1, 7, body.len()] {
            assert_streamed_agrees(&verifier, &headers, body, now, chunk, &result);
        }
        if let Ok(verified) = &result {
            if !scheme.id_headers().is_empty() {
                assert_eq!(verified.id(), Some(id.as_str()), "{name}");
            }
        }

        // The round trip the target checks after the seed's own headers.
        let signed = Signer::new(scheme, secret).unwrap().sign_at(body, now, (!id.is_empty()).then_some(&id));
        let own = verifier.verify_at(&signed, body, now);
        assert_streamed_agrees(&verifier, &signed, body, now, 3, &own);
        if body.len() > verifier.body_limit() {
            assert_eq!(code(&own), TOO_LARGE, "{name}");
            continue;
        }
        assert_eq!(code(&own), VERIFIED, "{name}: {own:?}");
        if let Some(first) = body.first() {
            let mut tampered = body.to_vec();
            tampered[0] = first ^ 1;
            assert_eq!(code(&verifier.verify_at(&signed, &tampered, now)), MISMATCH, "{name}");
        }
        if let Some(tolerance) = verifier.tolerance() {
            let late: SystemTime = now + tolerance + Duration::from_secs(1);
            assert_eq!(code(&verifier.verify_at(&signed, body, late)), OLD, "{name}");
        }
    }
}
