//! Properties over random deliveries, for every preset: what the Signer
//! signs, the Verifier accepts; changing any byte of the body, the
//! signature, the (signed) id or the timestamp is rejected.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hookproof_core::{
    presets, KeyFormat, Part, Scheme, SignatureFormat, Signer, TimestampFormat, Verifier, VerifyError,
};
use proptest::prelude::*;

const NOW: u64 = 1_750_000_000;

fn header(name: &str) -> http::HeaderName {
    http::HeaderName::from_bytes(name.as_bytes()).unwrap()
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW)
}

/// The presets signed with a shared secret (the asymmetric ones are proven
/// by their vectors and the official SDKs instead).
fn shared_secret_presets() -> Vec<&'static str> {
    presets::NAMES
        .iter()
        .copied()
        // Random bodies carry no body timestamp (Linear: tested by its vectors).
        .filter(|name| {
            let scheme = presets::by_name(name).unwrap();
            !scheme.algorithm().is_asymmetric() && scheme.timestamp_field().is_none()
        })
        .collect()
}

fn secret_for(scheme: &Scheme, key: &[u8]) -> String {
    match scheme.key_format() {
        KeyFormat::WhsecBase64 => format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(key)),
        KeyFormat::Base64 => base64::engine::general_purpose::STANDARD.encode(key),
        _ => hex::encode(key),
    }
}

/// Where the encoded signature starts and ends in the signature header
/// (padding excluded: changing `=` is a format error, tested elsewhere).
fn signature_span(scheme: &Scheme, value: &str) -> (usize, usize) {
    let start = match scheme.format() {
        SignatureFormat::Prefixed(prefix) => prefix.len(),
        SignatureFormat::VersionedList { version } => version.len() + 1,
        SignatureFormat::KeyValue { signature_key, .. } | SignatureFormat::KeyValueList { signature_key, .. } => {
            value.rfind(&format!("{signature_key}=")).unwrap() + signature_key.len() + 1
        }
        _ => 0,
    };
    (start, value.trim_end_matches('=').len())
}

/// A different character of the same alphabet (hex compares case-insensitively).
fn other_char(original: u8, pick: u8) -> u8 {
    let alphabet: &[u8] = if original.is_ascii_hexdigit() && !original.is_ascii_uppercase() {
        b"0123456789abcdef"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let candidates: Vec<u8> = alphabet.iter().copied().filter(|c| !c.eq_ignore_ascii_case(&original)).collect();
    candidates[usize::from(pick) % candidates.len()]
}

fn delivery(min_body: usize) -> impl Strategy<Value = (usize, Vec<u8>, Vec<u8>, String, i64)> {
    (
        0..shared_secret_presets().len(),
        prop::collection::vec(any::<u8>(), 1..48),
        prop::collection::vec(any::<u8>(), min_body..2048),
        "[A-Za-z0-9_-]{1,40}",
        -300i64..=300,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn signed_deliveries_verify((preset, key, body, id, skew) in delivery(0)) {
        let scheme = presets::by_name(shared_secret_presets()[preset]).unwrap();
        let secret = secret_for(&scheme, &key);
        // Anywhere inside the scheme's window (WorkOS allows 180 s).
        let window = scheme.tolerance().map_or(300, |tolerance| tolerance.as_secs() as i64);
        let skew = skew.clamp(-window, window);
        let sent_at = UNIX_EPOCH + Duration::from_secs(NOW.checked_add_signed(skew).unwrap());
        let headers = Signer::new(scheme.clone(), secret.as_str()).unwrap().sign_at(&body, sent_at, Some(&id));
        let verifier = Verifier::builder(scheme.clone()).secret(secret.as_str()).build().unwrap();
        let verified = verifier.verify_at(&headers, &body, now()).unwrap();
        prop_assert_eq!(verified.id(), (!scheme.id_headers().is_empty()).then_some(id.as_str()));
        if scheme.has_timestamp() {
            prop_assert_eq!(verified.timestamp(), Some(NOW as i64 + skew));
        }
    }

    #[test]
    fn any_changed_byte_is_rejected(
        (preset, key, body, id, _skew) in delivery(1),
        position in any::<prop::sample::Index>(),
        pick in any::<u8>(),
        flip in 1u8..=255,
    ) {
        let scheme = presets::by_name(shared_secret_presets()[preset]).unwrap();
        let secret = secret_for(&scheme, &key);
        let headers = Signer::new(scheme.clone(), secret.as_str()).unwrap().sign_at(&body, now(), Some(&id));
        let verifier = Verifier::builder(scheme.clone()).secret(secret.as_str()).build().unwrap();

        // The body (form-signed schemes sign the decoded parameters, where
        // `+` and ` `, or two invalid UTF-8 bytes, are the same: their
        // vectors test changed fields instead).
        if !scheme.signed_content().contains(&Part::FormParams) {
            let mut tampered = body.clone();
            let at = position.index(tampered.len());
            tampered[at] ^= flip;
            prop_assert!(matches!(verifier.verify_at(&headers, &tampered, now()), Err(VerifyError::SignatureMismatch)));
        }

        // The signature.
        let name = scheme.signature_headers()[0].as_ref();
        let value = headers[name].to_str().unwrap().to_owned();
        let (start, end) = signature_span(&scheme, &value);
        let mut forged = value.into_bytes();
        let at = start + position.index(end - start);
        forged[at] = other_char(forged[at], pick);
        let mut changed = headers.clone();
        changed.insert(header(name), http::HeaderValue::from_bytes(&forged).unwrap());
        let result = verifier.verify_at(&changed, &body, now());
        prop_assert!(
            matches!(result, Err(VerifyError::SignatureMismatch | VerifyError::MalformedHeader { .. })),
            "{:?}", result
        );

        // The id, where the signature covers it.
        if scheme.id_is_signed() {
            let mut changed = headers.clone();
            changed.insert(header(&scheme.id_headers()[0]), format!("{id}x").parse().unwrap());
            prop_assert!(matches!(verifier.verify_at(&changed, &body, now()), Err(VerifyError::SignatureMismatch)));
        }

        // The timestamp, one second either way.
        if let Some(name) = scheme.timestamp_headers().first() {
            for other in [NOW - 1, NOW + 1] {
                let text = match scheme.timestamp_format() {
                    TimestampFormat::UnixMillis => (other * 1000).to_string(),
                    TimestampFormat::UnixSeconds => other.to_string(),
                    // Dates: their vectors test them.
                    _ => continue,
                };
                let mut changed = headers.clone();
                changed.insert(header(name), text.parse().unwrap());
                prop_assert!(matches!(verifier.verify_at(&changed, &body, now()), Err(VerifyError::SignatureMismatch)));
            }
        }
        if let SignatureFormat::KeyValue { timestamp_key, .. } = scheme.format() {
            // `t=` (Stripe, Mux), `v=` (Retell); seconds or milliseconds.
            let value = headers[name].to_str().unwrap().to_owned();
            let earlier = value.replacen(&format!("{timestamp_key}={NOW}"), &format!("{timestamp_key}={}", NOW - 1), 1);
            prop_assert_ne!(&earlier, &value);
            let value = earlier;
            let mut changed = headers.clone();
            changed.insert(header(name), value.parse().unwrap());
            prop_assert!(matches!(verifier.verify_at(&changed, &body, now()), Err(VerifyError::SignatureMismatch)));
        }
    }

    #[test]
    fn arbitrary_header_bytes_never_panic(
        preset in 0..shared_secret_presets().len(),
        values in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 3),
        body in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        let scheme = presets::by_name(shared_secret_presets()[preset]).unwrap();
        let verifier = Verifier::builder(scheme.clone()).secret(secret_for(&scheme, b"key").as_str()).build().unwrap();
        let names = scheme.signature_headers().iter().chain(scheme.timestamp_headers()).chain(scheme.id_headers());
        let mut headers = http::HeaderMap::new();
        for (name, value) in names.zip(values.iter().cycle()) {
            if let Ok(value) = http::HeaderValue::from_bytes(value) {
                headers.append(header(name), value);
            }
        }
        let result = verifier.verify_at(&headers, &body, now());
        // Random bytes are never a valid signature; whatever the failure, it is a 400 or a 401.
        let error = result.unwrap_err();
        prop_assert!(matches!(error.status().as_u16(), 400 | 401), "{:?}", error);
    }
}

#[test]
fn rotation_accepts_any_configured_secret_and_only_those() {
    for scheme in shared_secret_presets().into_iter().map(|name| presets::by_name(name).unwrap()) {
        let (old, new, stranger) =
            (secret_for(&scheme, b"old-key"), secret_for(&scheme, b"new-key"), secret_for(&scheme, b"nope"));
        let verifier = Verifier::builder(scheme.clone()).secret(new.as_str()).secret(old.as_str()).build().unwrap();
        for (secret, accepted) in [(&old, true), (&new, true), (&stranger, false)] {
            let headers = Signer::new(scheme.clone(), secret.as_str()).unwrap().sign_at(b"{}", now(), Some("evt_1"));
            let result = verifier.verify_at(&headers, b"{}", now());
            assert_eq!(result.is_ok(), accepted, "{}: {result:?}", scheme.name());
            if !accepted {
                assert!(matches!(result, Err(VerifyError::SignatureMismatch)));
            }
        }
    }
}
