//! One event, one key: every preset's event key is stable across retries,
//! re-signing, rotation and unsigned id headers, and differs between events.

use std::time::{Duration, SystemTime};

use hookproof_core::{presets, Algorithm, Identity, IdentitySource, KeyFormat, Scheme, Signer, Verifier};

const SECRETS: [&str; 2] = ["whsec_bmV3LXNlY3JldC0wMDAwMDAwMA==", "whsec_b2xkLXNlY3JldC0wMDAwMDAwMA=="];

fn body(id: &str) -> String {
    format!(
        r#"{{"id":"{id}","event_id":"{id}","type":"invoice.paid","event":{{"id":"{id}"}},"data":{{"id":"{id}","n":1}}}}"#
    )
}

/// The signing secrets and the verifier's keys for `scheme`: shared
/// secrets in its key format, or ed25519 private and public keys.
fn keys(scheme: &Scheme) -> ([String; 2], [String; 2]) {
    match (scheme.algorithm(), scheme.key_format()) {
        (Algorithm::Ed25519, _) => {
            let seeds = [[1u8; 32], [2u8; 32]];
            let public =
                seeds.map(|seed| hex::encode(ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().as_bytes()));
            (seeds.map(hex::encode), public)
        }
        (_, KeyFormat::Hex) => {
            let hex = SECRETS.map(|secret| hex::encode(secret.as_bytes()));
            (hex.clone(), hex)
        }
        (_, KeyFormat::Base64) => {
            let plain = SECRETS.map(|secret| secret.trim_start_matches("whsec_").to_owned());
            (plain.clone(), plain)
        }
        _ => (SECRETS.map(str::to_owned), SECRETS.map(str::to_owned)),
    }
}

/// The key of `body` signed with secret number `which` at `at` under event id `id`.
fn key_of(scheme: &Scheme, which: usize, at: SystemTime, id: &str, body: &str) -> (String, IdentitySource) {
    let (signing, verifying) = keys(scheme);
    let headers = Signer::new(scheme.clone(), signing[which].as_str()).unwrap().sign_at(body.as_bytes(), at, Some(id));
    let verifier =
        Verifier::builder(scheme.clone()).secret(verifying[0].as_str()).secret(verifying[1].as_str()).build().unwrap();
    let verified = verifier.verify_at(&headers, body.as_bytes(), at + Duration::from_secs(1)).unwrap();
    let (key, source) = verified.identify(body.as_bytes());
    (key.to_hex(), source)
}

#[test]
fn every_preset_keys_one_event_once_and_two_events_twice() {
    let t0 = SystemTime::now();
    for scheme in presets::all() {
        let name = scheme.name().to_owned();
        if scheme.algorithm() == Algorithm::EcdsaP256Sha256 || scheme.timestamp_field().is_some() {
            // Only the provider can sign (SendGrid), or the timestamp is in
            // the body (Linear, whose retries are new bodies): the identity
            // is the body's digest.
            assert_eq!(scheme.identity(), &Identity::ContentDigest, "{name}");
            continue;
        }
        let first = key_of(&scheme, 0, t0, "msg_1", &body("evt_1"));
        // A retry an hour later, signed with the other secret (rotation);
        // where the id is not signed, a forged id too.
        let retry_id = if scheme.id_is_signed() { "msg_1" } else { "forged-id" };
        let retry = key_of(&scheme, 1, t0 + Duration::from_secs(3600), retry_id, &body("evt_1"));
        assert_eq!(first, retry, "{name}: one event, one key");
        assert_eq!(first.0.len(), 64, "{name}: a 32-byte digest");

        let other = key_of(&scheme, 0, t0, "msg_2", &body("evt_2"));
        assert_ne!(first.0, other.0, "{name}: two events, two keys");

        let expected = match scheme.identity() {
            Identity::SignedIdHeader => IdentitySource::SignedIdHeader,
            Identity::JsonField(_) => IdentitySource::JsonField,
            _ => IdentitySource::ContentDigest,
        };
        match name.as_str() {
            "standard-webhooks" => assert_eq!(expected, IdentitySource::SignedIdHeader),
            "stripe" | "slack" => assert_eq!(expected, IdentitySource::JsonField),
            "github" | "shopify" | "smile" | "smake" | "smarter-launch" => {
                assert_eq!(expected, IdentitySource::ContentDigest)
            }
            _ => {}
        }
        assert_eq!(first.1, expected, "{name}");
    }
}

#[test]
fn keys_are_32_bytes_whatever_the_id_and_debug_shows_no_signature() {
    let id = "x".repeat(4000);
    let scheme = presets::standard_webhooks();
    let body = body("evt_1");
    let headers = Signer::new(scheme.clone(), SECRETS[0]).unwrap().sign(body.as_bytes());
    let long = Signer::new(scheme.clone(), SECRETS[0]).unwrap().sign_at(body.as_bytes(), SystemTime::now(), Some(&id));
    let verifier = Verifier::builder(scheme).secret(SECRETS[0]).build().unwrap();
    let verified = verifier.verify(&long, body.as_bytes()).unwrap();
    // A 4,000-byte id still makes a 32-byte key.
    assert_eq!(verified.event_key(body.as_bytes()).as_bytes().len(), 32);
    let signature = long["webhook-signature"].to_str().unwrap().trim_start_matches("v1,").to_owned();
    let debug = format!("{verified:?}");
    assert!(!debug.contains(&signature), "{debug}");
    let short = verifier.verify(&headers, body.as_bytes()).unwrap();
    assert_ne!(short.event_key(body.as_bytes()), verified.event_key(body.as_bytes()));
}
