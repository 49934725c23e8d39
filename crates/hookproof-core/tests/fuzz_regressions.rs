//! Replays the committed fuzz inputs (`fuzz/seeds/<target>/`) without
//! libFuzzer and asserts each one's exact outcome. A crash found by
//! `scripts/fuzz.sh` is copied into the seeds directory and given its
//! expected outcome here; `every_seed_has_an_expected_outcome` fails until it is.
//!
//! The decoding mirrors `fuzz/src/lib.rs`; the formats are in `fuzz/README.md`.

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hookproof_core::{presets, HeaderLookup, KeyFormat, Signer, Verifier, VerifyError};

/// Same table, same order as `fuzz/src/lib.rs`.
const HEADER_NAMES: [&str; 16] = [
    "x-signature",
    "smile-signature",
    "smile-timestamp",
    "webhook-signature",
    "svix-signature",
    "webhook-timestamp",
    "svix-timestamp",
    "webhook-id",
    "svix-id",
    "x-hub-signature-256",
    "x-github-delivery",
    "stripe-signature",
    "x-slack-signature",
    "x-slack-request-timestamp",
    "x-shopify-hmac-sha256",
    "x-shopify-webhook-id",
];

/// The header_parsing target's clock.
const NOW: u64 = 1_700_000_000;

const MISSING: &str = "missing_header";
const MALFORMED: &str = "malformed_header";
const MISMATCH: &str = "signature_mismatch";
const OLD: &str = "timestamp_too_old";
const FUTURE: &str = "timestamp_in_future";
const TOO_LARGE: &str = "body_too_large";
const VERIFIED: &str = "verified";

/// header_parsing seeds: the code for each preset, in `presets::NAMES` order
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

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, tail) = self.0.split_at(len.min(self.0.len()));
        self.0 = tail;
        head
    }
    fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }
    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }
    fn i64(&mut self) -> i64 {
        let mut bytes = [0u8; 8];
        let taken = self.take(8);
        bytes[..taken.len()].copy_from_slice(taken);
        i64::from_le_bytes(bytes)
    }
}

/// Raw header records, repeats kept, values byte for byte.
struct Headers(Vec<(&'static str, Vec<u8>)>);

impl Headers {
    fn decode(reader: &mut Reader<'_>) -> Self {
        let mut entries = Vec::new();
        while !reader.0.is_empty() {
            let name = HEADER_NAMES[usize::from(reader.u8()) % HEADER_NAMES.len()];
            let len = usize::from(reader.u16());
            entries.push((name, reader.take(len).to_vec()));
        }
        Self(entries)
    }
}

impl HeaderLookup for Headers {
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        let name = name.to_owned();
        self.0.iter().filter(move |(key, _)| *key == name).map(|(_, value)| value.as_slice())
    }
}

fn usable_secret(format: KeyFormat, bytes: &[u8]) -> Vec<u8> {
    let bytes = if bytes.is_empty() { &[0u8][..] } else { bytes };
    match format {
        KeyFormat::WhsecBase64 => {
            format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)).into_bytes()
        }
        _ => bytes.to_vec(),
    }
}

fn code(result: &Result<hookproof_core::Verified, VerifyError>) -> &'static str {
    match result {
        Ok(_) => VERIFIED,
        Err(error) => error.code(),
    }
}

#[test]
fn header_table_covers_every_preset_header() {
    for scheme in presets::all() {
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
        let headers = Headers::decode(&mut Reader(&seed("header_parsing", name)));
        for (scheme, expected) in presets::all().into_iter().zip(expected) {
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
        let mut input = Reader(&data);
        let scheme = presets::all().swap_remove(usize::from(input.u8()) % presets::NAMES.len());
        let flags = input.u8();
        let small_limit = usize::from(input.u8());
        let seconds = input.i64();
        let secret_len = usize::from(input.u8());
        let secret_bytes = input.take(secret_len);
        let body_len = usize::from(input.u16());
        let body = input.take(body_len);
        let id_len = usize::from(input.u8());
        let id = String::from_utf8_lossy(input.take(id_len)).into_owned();
        let headers = Headers::decode(&mut input);

        let mut scheme = scheme.with_compact_json_fallback(flags & 1 != 0);
        if flags & 2 != 0 {
            scheme = scheme.with_body_limit(small_limit);
        }
        let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).unwrap());
        let secret = usable_secret(scheme.key_format(), secret_bytes);
        let verifier = Verifier::builder(scheme.clone()).secret(secret.clone()).build().unwrap();
        let result = verifier.verify_at(&headers, body, now);
        assert_eq!(code(&result), *expected, "{name}: {result:?}");
        if let Ok(verified) = &result {
            if !scheme.id_headers().is_empty() {
                assert_eq!(verified.id(), Some(id.as_str()), "{name}");
            }
        }

        // The round trip the target checks after the seed's own headers.
        let signed = Signer::new(scheme, secret).unwrap().sign_at(body, now, (!id.is_empty()).then_some(&id));
        let own = verifier.verify_at(&signed, body, now);
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
