//! The whole verification path with arbitrary preset, secret, body, headers
//! and clock, plus a round trip through `Signer`: a delivery signed now
//! verifies now; one flipped body byte, another secret or a clock past the
//! tolerance is refused with the specific error.
//!
//! Input (see fuzz/README.md): preset index, flags, body limit, time (i64
//! LE seconds), secret (u8 length), body (u16 BE length), id (u8 length),
//! then header records as in `header_parsing`.
#![no_main]

use std::time::Duration;

use hookproof_core::{ConfigError, Signer, Verifier, VerifyError};
use hookproof_fuzz::{
    assert_header_refusal, assert_streamed_agrees, time_at, usable_secret, VerifyPathInput, HEADER_NAMES,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let VerifyPathInput { scheme, flags, seconds, secret: secret_bytes, body, id: id_bytes, headers } =
        VerifyPathInput::decode(data);
    let Some(now) = time_at(seconds) else { return };
    let limit = scheme.body_limit();
    let tolerance = scheme.tolerance();
    let has_id = !scheme.id_headers().is_empty();
    let key_format = scheme.key_format();

    // The raw bytes as a secret: accepted, or refused at build time as invalid.
    match Verifier::builder(scheme.clone()).secret(secret_bytes).build() {
        Ok(_) | Err(ConfigError::InvalidSecret { index: 0, .. }) => {}
        Err(other) => panic!("unexpected config error {other:?}"),
    }
    let secret = usable_secret(key_format, secret_bytes);
    let verifier = Verifier::builder(scheme.clone()).secret(secret.clone()).build().expect("usable secret");

    // 1. Whatever the headers say: a verdict from the contract, precheck
    // agrees, and so does the streaming path the adapters take.
    let whole = verifier.verify_at(&headers, body, now);
    assert_streamed_agrees(&verifier, &headers, body, now, usize::from(flags >> 2), &whole);
    match whole {
        Ok(_) => {}
        Err(VerifyError::BodyTooLarge { limit: reported }) => {
            assert!(body.len() > limit && reported == limit);
        }
        Err(error) => {
            assert!(body.len() <= limit);
            assert_header_refusal(&error, &HEADER_NAMES);
            if let Err(early) = verifier.precheck_at(&headers, now) {
                assert_eq!(early.code(), error.code(), "precheck and verify disagree");
            } else {
                assert!(matches!(error, VerifyError::SignatureMismatch), "{error}");
            }
        }
    }

    // 2. Round trip.
    let signer = Signer::new(scheme.clone(), secret.clone()).expect("the verifier accepted this secret");
    let id = String::from_utf8_lossy(id_bytes);
    // An empty id is refused by the verifier (`malformed_header`), so the
    // round trip lets the signer make one up instead.
    let id = (!id.is_empty()).then_some(id.as_ref());
    let signed = signer.sign_at(body, now, id);
    let result = verifier.verify_at(&signed, body, now);
    assert_streamed_agrees(&verifier, &signed, body, now, usize::from(flags >> 2), &result);
    if body.len() > limit {
        assert!(matches!(result, Err(VerifyError::BodyTooLarge { .. })), "{result:?}");
        return;
    }
    let verified = result.unwrap_or_else(|error| panic!("own signature refused: {error}"));
    assert_eq!(verified.timestamp(), tolerance.map(|_| seconds));
    if let (true, Some(id)) = (has_id, id) {
        let sent: String = id.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect();
        assert_eq!(verified.id(), Some(sent.as_str()));
    }

    // One flipped body byte.
    if !body.is_empty() {
        let mut tampered = body.to_vec();
        let at = usize::from(flags) % tampered.len();
        tampered[at] ^= 1 << (flags % 8);
        let result = verifier.verify_at(&signed, &tampered, now);
        assert!(matches!(result, Err(VerifyError::SignatureMismatch)), "flipped byte {at}: {result:?}");
    }

    // Another secret (a trailing 1 byte: HMAC pads short keys with zeros only).
    let mut other = secret_bytes.to_vec();
    other.push(1);
    let other = Verifier::builder(scheme).secret(usable_secret(key_format, &other)).build().expect("usable secret");
    let result = other.verify_at(&signed, body, now);
    assert!(matches!(result, Err(VerifyError::SignatureMismatch)), "other secret: {result:?}");

    // Past the tolerance.
    if let Some(tolerance) = tolerance {
        if let Some(late) = now.checked_add(tolerance + Duration::from_secs(1)) {
            let result = verifier.verify_at(&signed, body, late);
            assert!(matches!(result, Err(VerifyError::TimestampTooOld)), "late: {result:?}");
        }
    }
});
