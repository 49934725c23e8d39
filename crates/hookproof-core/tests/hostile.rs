//! Hostile headers get the contract's error, never a panic, never a partial
//! comparison; and tolerance edges are exact.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hookproof_core::{presets, Scheme, Signer, Verifier, VerifyError};

const NOW: u64 = 1_750_000_000;
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

fn verifier(scheme: Scheme) -> Verifier {
    Verifier::builder(scheme).secret(SECRET).build().unwrap()
}

/// A valid Standard Webhooks delivery, with one header replaced by raw bytes.
fn standard_with(name: &'static str, value: &[u8]) -> Result<hookproof_core::Verified, VerifyError> {
    let mut headers = Signer::new(presets::standard_webhooks(), SECRET).unwrap().sign_at(b"{}", now(), Some("msg_1"));
    headers.insert(name, http::HeaderValue::from_bytes(value).unwrap());
    verifier(presets::standard_webhooks()).verify_at(&headers, b"{}", now())
}

fn code(result: Result<hookproof_core::Verified, VerifyError>) -> &'static str {
    result.map(|_| "verified").unwrap_or_else(|error| error.code())
}

#[test]
fn non_ascii_values_are_malformed() {
    assert_eq!(code(standard_with("webhook-signature", "v1,é".as_bytes())), "malformed_header");
    assert_eq!(code(standard_with("webhook-id", b"msg_\xff")), "malformed_header");
    assert_eq!(code(standard_with("webhook-timestamp", b"\x80")), "malformed_header");
}

#[test]
fn truncated_empty_and_wrongly_tagged_signatures_are_malformed() {
    for value in ["v1,", "", "   ", "v1", "v2,abcd", "v1,not base64!", "v1a,not base64!"] {
        assert_eq!(code(standard_with("webhook-signature", value.as_bytes())), "malformed_header", "{value:?}");
    }
    // `v1a` (ed25519) is a version the scheme knows: well formed, and no
    // shared secret matches it.
    assert_eq!(code(standard_with("webhook-signature", b"v1a,AAAA")), "signature_mismatch");
    let github = verifier(presets::github());
    for value in ["sha256=", "sha1=abcd", "sha256=zz", "sha256"] {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-hub-signature-256", value.parse().unwrap());
        assert_eq!(code(github.verify_at(&headers, b"{}", now())), "malformed_header", "{value:?}");
    }
}

#[test]
fn wrong_length_signatures_never_match() {
    // A valid prefix of the right signature, or the right one with extra bytes.
    let headers = Signer::new(presets::github(), SECRET).unwrap().sign_at(b"{}", now(), None);
    let right = headers["x-hub-signature-256"].to_str().unwrap().to_owned();
    for value in [&right[..right.len() - 2], &format!("{right}00")] {
        let mut forged = headers.clone();
        forged.insert("x-hub-signature-256", value.parse().unwrap());
        assert_eq!(code(verifier(presets::github()).verify_at(&forged, b"{}", now())), "signature_mismatch");
    }
}

#[test]
fn duplicate_headers_are_refused_not_guessed() {
    let mut headers = Signer::new(presets::standard_webhooks(), SECRET).unwrap().sign_at(b"{}", now(), Some("msg_1"));
    let good = headers["webhook-signature"].clone();
    headers.append("webhook-signature", good);
    assert_eq!(code(verifier(presets::standard_webhooks()).verify_at(&headers, b"{}", now())), "malformed_header");

    let mut headers = Signer::new(presets::smile(), SECRET).unwrap().sign_at(b"{}", now(), None);
    headers.append("smile-timestamp", NOW.to_string().parse().unwrap());
    assert_eq!(code(verifier(presets::smile()).verify_at(&headers, b"{}", now())), "malformed_header");
}

#[test]
fn more_than_sixteen_signatures_is_malformed_and_sixteen_is_fine() {
    let headers = Signer::new(presets::standard_webhooks(), SECRET).unwrap().sign_at(b"{}", now(), Some("msg_1"));
    let good = headers["webhook-signature"].to_str().unwrap().to_owned();
    let decoy = format!("v1,{}", "A".repeat(43) + "=");
    let sixteen = format!("{} {good}", vec![decoy.as_str(); 15].join(" "));
    assert_eq!(code(standard_with("webhook-signature", sixteen.as_bytes())), "verified");
    let hundred = format!("{} {good}", vec![decoy.as_str(); 99].join(" "));
    assert_eq!(code(standard_with("webhook-signature", hundred.as_bytes())), "malformed_header");

    let stripe = Signer::new(presets::stripe(), SECRET).unwrap().sign_at(b"{}", now(), None);
    let value = stripe["stripe-signature"].to_str().unwrap().to_owned();
    let many = format!("{value}{}", ",v1=00".repeat(100));
    let mut headers = http::HeaderMap::new();
    headers.insert("stripe-signature", many.parse().unwrap());
    assert_eq!(code(verifier(presets::stripe()).verify_at(&headers, b"{}", now())), "malformed_header");
}

#[test]
fn ten_kilobyte_values_are_refused_before_any_work() {
    let huge = "A".repeat(10 * 1024);
    for name in ["webhook-signature", "webhook-id", "webhook-timestamp"] {
        assert_eq!(code(standard_with(name, huge.as_bytes())), "malformed_header", "{name}");
    }
}

#[test]
fn extreme_timestamps_get_freshness_errors_or_malformed_never_a_panic() {
    let cases = [
        (i64::MIN.to_string(), "timestamp_too_old"),
        ("-1".to_owned(), "timestamp_too_old"),
        ("0".to_owned(), "timestamp_too_old"),
        (i64::MAX.to_string(), "timestamp_in_future"),
        ("99999999999999999999".to_owned(), "malformed_header"),
        ("-9223372036854775809".to_owned(), "malformed_header"),
        ("+1750000000".to_owned(), "malformed_header"),
        ("1750000000.5".to_owned(), "malformed_header"),
        ("1e9".to_owned(), "malformed_header"),
        ("".to_owned(), "malformed_header"),
    ];
    for (value, expected) in cases {
        assert_eq!(code(standard_with("webhook-timestamp", value.as_bytes())), expected, "{value:?}");
    }
}

#[test]
fn tolerance_edges_are_exact_in_both_directions() {
    let verifier = verifier(presets::smile());
    let signer = Signer::new(presets::smile(), SECRET).unwrap();
    let cases = [
        (-300, "verified"),
        (-301, "timestamp_too_old"),
        (300, "verified"),
        (301, "timestamp_in_future"),
        (10 * 365 * 24 * 3600, "timestamp_in_future"),
    ];
    for (offset, expected) in cases {
        let sent = UNIX_EPOCH + Duration::from_secs(NOW.checked_add_signed(offset).unwrap());
        let headers = signer.sign_at(b"{}", sent, None);
        assert_eq!(code(verifier.verify_at(&headers, b"{}", now())), expected, "offset {offset}");
    }
    let strict = Verifier::builder(presets::smile()).secret(SECRET).tolerance(Duration::from_secs(10)).build().unwrap();
    let headers = signer.sign_at(b"{}", now() - Duration::from_secs(11), None);
    assert_eq!(code(strict.verify_at(&headers, b"{}", now())), "timestamp_too_old");
}

#[test]
fn bodies_over_the_limit_are_refused_before_hashing() {
    let verifier = Verifier::builder(presets::github()).secret(SECRET).body_limit(8).build().unwrap();
    let headers = Signer::new(presets::github(), SECRET).unwrap().sign_at(b"123456789", now(), None);
    let error = verifier.verify_at(&headers, b"123456789", now()).unwrap_err();
    assert_eq!((error.status().as_u16(), error.code()), (413, "body_too_large"));
}

#[test]
fn configuration_mistakes_fail_at_build_time() {
    use hookproof_core::ConfigError;
    assert_eq!(Verifier::builder(presets::smile()).build().unwrap_err(), ConfigError::NoSecret);
    let bad_whsec = Verifier::builder(presets::standard_webhooks()).secret("whsec_%%%").build().unwrap_err();
    assert_eq!(bad_whsec, ConfigError::InvalidSecret { index: 0, expected: "whsec_ + base64" });
    let empty = Verifier::builder(presets::github()).secret("ok").secret("").build().unwrap_err();
    assert_eq!(empty, ConfigError::InvalidSecret { index: 1, expected: "non-empty" });
    // People count from 1: the second secret is "#2" in the message.
    assert_eq!(empty.to_string(), "secret #2 (in the order configured) is not a valid non-empty key");
    assert!(Signer::new(presets::standard_webhooks(), "whsec_!").is_err());
}

#[test]
fn secrets_never_show_in_debug_or_errors() {
    let secret = "super-secret-value-123";
    let verifier = Verifier::builder(presets::github()).secret(secret).build().unwrap();
    let signer = Signer::new(presets::github(), secret).unwrap();
    let headers = signer.sign_at(b"{}", now(), None);
    let error = verifier.verify_at(&headers, b"{ }", now()).unwrap_err();
    let signature = headers["x-hub-signature-256"].to_str().unwrap();
    for shown in [format!("{verifier:?}"), format!("{signer:?}"), format!("{error:?}"), error.json_body()] {
        assert!(!shown.contains(secret), "{shown}");
        assert!(!shown.contains(&signature[7..]), "{shown}");
    }
}

#[test]
fn precheck_refuses_unsigned_and_stale_deliveries_without_a_body() {
    let verifier = verifier(presets::smile());
    let unsigned = http::HeaderMap::new();
    assert_eq!(verifier.precheck_at(&unsigned, now()).unwrap_err().code(), "missing_header");
    let stale = Signer::new(presets::smile(), SECRET).unwrap().sign_at(b"{}", now() - Duration::from_secs(301), None);
    assert_eq!(verifier.precheck_at(&stale, now()).unwrap_err().code(), "timestamp_too_old");
    let fresh = Signer::new(presets::smile(), SECRET).unwrap().sign_at(b"{}", now(), None);
    assert!(verifier.precheck_at(&fresh, now()).is_ok());
}

#[test]
fn an_empty_signer_id_becomes_a_fresh_one_that_verifies() {
    let headers = Signer::new(presets::standard_webhooks(), SECRET).unwrap().sign_at(b"{}", now(), Some(""));
    assert_eq!(headers["webhook-id"].len(), 36);
    let verified = verifier(presets::standard_webhooks()).verify_at(&headers, b"{}", now()).unwrap();
    assert_eq!(verified.id().map(str::len), Some(36));
}

#[test]
fn signatures_longer_than_any_tag_mismatch_unless_their_encoding_is_broken() {
    let long = format!("v1,{}", "A".repeat(200)); // valid base64, 150 bytes
    assert_eq!(code(standard_with("webhook-signature", long.as_bytes())), "signature_mismatch");
    let broken = format!("v1,{}!", "A".repeat(200));
    assert_eq!(code(standard_with("webhook-signature", broken.as_bytes())), "malformed_header");
    // Hex (GitHub): 65 bytes (130 digits) is one byte too long for SHA-512, and far too long for SHA-256.
    let github = verifier(presets::github());
    let mut headers = Signer::new(presets::github(), SECRET).unwrap().sign_at(b"{}", now(), None);
    for (value, expected) in [
        (format!("sha256={}", "ab".repeat(65)), "signature_mismatch"),
        (format!("sha256={}", "AB".repeat(64)), "signature_mismatch"),
        (format!("sha256={}g", "ab".repeat(65)), "malformed_header"),
        (format!("sha256={}", "a".repeat(131)), "malformed_header"),
    ] {
        headers.insert("x-hub-signature-256", value.parse().unwrap());
        assert_eq!(code(github.verify_at(&headers, b"{}", now())), expected, "{value}");
    }
}

#[test]
fn begin_then_finish_checks_size_headers_and_freshness_again() {
    let verifier = Verifier::builder(presets::smile()).secret(SECRET).body_limit(8).build().unwrap();
    let mut headers = Signer::new(presets::smile(), SECRET).unwrap().sign_at(b"{\"a\":1}", now(), None);

    let mut delivery = verifier.begin_at(&headers, now()).unwrap();
    for chunk in [&b"{\"a\""[..], b"", b":1}"] {
        delivery.push(chunk).unwrap();
    }
    assert_eq!(delivery.len(), 7);
    let (verified, body) = verifier.finish_at(delivery, now()).unwrap();
    assert_eq!((verified.timestamp(), &body[..]), (Some(NOW as i64), &b"{\"a\":1}"[..]));

    // Fresh when the headers came, stale when the body had been read.
    let delivery = verifier.begin_at(&headers, now()).unwrap();
    let late = now() + Duration::from_secs(301);
    assert_eq!(verifier.finish_at(delivery, late).unwrap_err().code(), "timestamp_too_old");

    // Tampered body: 401; one byte past the limit: 413 before it is kept.
    let mut delivery = verifier.begin_at(&headers, now()).unwrap();
    delivery.push(&b"{\"a\":2}"[..]).unwrap();
    assert_eq!(verifier.finish_at(delivery, now()).unwrap_err().code(), "signature_mismatch");
    let mut delivery = verifier.begin_at(&headers, now()).unwrap();
    assert_eq!(delivery.push(&b"123456789"[..]).unwrap_err().code(), "body_too_large");
    assert!(delivery.is_empty());

    // A declared length over the limit, then missing headers: refused before any body.
    headers.insert("content-length", "9".parse().unwrap());
    assert_eq!(verifier.begin_at(&headers, now()).unwrap_err().code(), "body_too_large");
    assert_eq!(verifier.begin_at(&http::HeaderMap::new(), now()).unwrap_err().code(), "missing_header");
}
