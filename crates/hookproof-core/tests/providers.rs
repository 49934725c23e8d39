//! One valid delivery per preset, built by hand from the provider's own
//! description with bare RustCrypto HMAC (not with hookproof's Signer), then
//! the same delivery with one thing wrong.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use hookproof_core::{presets, Scheme, Verifier, VerifyError};

const NOW: u64 = 1_731_000_000;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

fn hmac256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn headers(pairs: &[(&str, String)]) -> http::HeaderMap {
    let mut map = http::HeaderMap::new();
    for (name, value) in pairs {
        map.append(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
    }
    map
}

fn verify(scheme: Scheme, secret: &str, headers: &http::HeaderMap, body: &[u8]) -> Result<(), VerifyError> {
    Verifier::builder(scheme).secret(secret).build().unwrap().verify_at(headers, body, at(NOW)).map(|_| ())
}

#[test]
fn smake_php_hash_hmac_sha1() {
    // PHP: 'sha1=' . hash_hmac('sha1', $payload, $token)
    let body = br#"{"type":"variant.designed","data":{"id":42}}"#;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(b"smake-token").unwrap();
    mac.update(body);
    let signature = format!("sha1={}", hex::encode(mac.finalize().into_bytes()));
    let good = headers(&[("X-Signature", signature.clone())]);
    assert!(verify(presets::smake(), "smake-token", &good, body).is_ok());
    assert!(matches!(verify(presets::smake(), "other", &good, body), Err(VerifyError::SignatureMismatch)));
    let unprefixed = headers(&[("X-Signature", signature[5..].to_owned())]);
    assert!(matches!(
        verify(presets::smake(), "smake-token", &unprefixed, body),
        Err(VerifyError::MalformedHeader { .. })
    ));
}

#[test]
fn smarter_launch_json_stringify_and_opt_in_pretty_fallback() {
    // Node: crypto.createHmac('sha256', secret).update(JSON.stringify(payload)).digest('hex')
    let stringified = r#"{"event":"proposal.accepted","proposal":{"id":"p_1","total":1250.5,"client":"Zoë"}}"#;
    let signature = hex::encode(hmac256(b"sl-key", stringified.as_bytes()));
    let sent = headers(&[("X-Signature", signature.to_uppercase())]); // hex in either case
    assert!(verify(presets::smarter_launch(), "sl-key", &sent, stringified.as_bytes()).is_ok());

    // The same payload pretty-printed on the wire: only the opt-in fallback accepts it.
    let pretty = "{\n  \"event\": \"proposal.accepted\",\n  \"proposal\": {\n    \"id\": \"p_1\",\n    \"total\": 1250.5,\n    \"client\": \"Zoë\"\n  }\n}";
    assert!(matches!(
        verify(presets::smarter_launch(), "sl-key", &sent, pretty.as_bytes()),
        Err(VerifyError::SignatureMismatch)
    ));
    let lenient = presets::smarter_launch().with_compact_json_fallback(true);
    assert!(verify(lenient.clone(), "sl-key", &sent, pretty.as_bytes()).is_ok());
    // The fallback does not make a changed value pass.
    let changed = pretty.replace("1250.5", "1250.6");
    assert!(matches!(verify(lenient, "sl-key", &sent, changed.as_bytes()), Err(VerifyError::SignatureMismatch)));

    // A header name chosen by the user.
    let custom = presets::smarter_launch().with_signature_header("X-SL-Signature");
    let renamed = headers(&[("x-sl-signature", signature)]);
    assert!(verify(custom, "sl-key", &renamed, stringified.as_bytes()).is_ok());
}

#[test]
fn smile_ruby_snippet() {
    // Ruby: Base64.encode64(OpenSSL::HMAC.digest('sha256', secret, "#{timestamp}.#{body}")).strip
    let body = br#"{"account_id":0,"data":{},"topic":"ping"}"#;
    let timestamp = (NOW - 60).to_string();
    let mut prepared = format!("{timestamp}.").into_bytes();
    prepared.extend_from_slice(body);
    let signature = b64(&hmac256(b"client-secret", &prepared));
    let good = headers(&[("Smile-Signature", signature.clone()), ("Smile-Timestamp", timestamp.clone())]);
    assert!(verify(presets::smile(), "client-secret", &good, body).is_ok());
    let no_timestamp = headers(&[("Smile-Signature", signature)]);
    assert!(matches!(
        verify(presets::smile(), "client-secret", &no_timestamp, body),
        Err(VerifyError::MissingHeader { ref header }) if header == "smile-timestamp"
    ));
}

#[test]
fn standard_webhooks_spec_and_svix_headers() {
    let key = b"0123456789abcdef0123456789abcdef";
    let secret = format!("whsec_{}", b64(key));
    let body = "{\"type\":\"user.created\",\"data\":{\"name\":\"Ünïcødé 🚀\"}}".as_bytes();
    let (id, timestamp) = ("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", NOW.to_string());
    let signed = [id.as_bytes(), b".", timestamp.as_bytes(), b".", body].concat();
    let signature = b64(&hmac256(key, &signed));
    // Several signatures, the right one last, and a v1a entry that is ignored.
    let list = format!("v1,{} v1a,abcd v1,{}", b64(&[0u8; 32]), signature);
    let good = headers(&[
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.clone()),
        ("webhook-signature", list),
    ]);
    let verified = Verifier::builder(presets::standard_webhooks())
        .secret(secret.as_str())
        .build()
        .unwrap()
        .verify_at(&good, body, at(NOW))
        .unwrap();
    assert_eq!(verified.id(), Some(id));
    assert_eq!(verified.identify(body).1, hookproof_core::IdentitySource::SignedIdHeader);

    let svix = headers(&[
        ("svix-id", id.to_owned()),
        ("svix-timestamp", timestamp.clone()),
        ("svix-signature", format!("v1,{signature}")),
    ]);
    assert!(verify(presets::standard_webhooks(), &secret, &svix, body).is_ok());
    // The secret without its prefix is the same key.
    assert!(verify(presets::standard_webhooks(), &b64(key), &svix, body).is_ok());
    let other_id = headers(&[
        ("webhook-id", "msg_other".to_owned()),
        ("webhook-timestamp", timestamp),
        ("webhook-signature", format!("v1,{signature}")),
    ]);
    assert!(matches!(
        verify(presets::standard_webhooks(), &secret, &other_id, body),
        Err(VerifyError::SignatureMismatch)
    ));
}

#[test]
fn svix_and_clerk_sign_with_svix_names_and_verify_like_standard_webhooks() {
    let secret = format!("whsec_{}", b64(b"0123456789abcdef0123456789abcdef"));
    let body = br#"{"type":"user.created"}"#;
    let names = |headers: &http::HeaderMap| {
        let mut names: Vec<String> = headers.keys().map(|name| name.to_string()).collect();
        names.sort();
        names
    };
    let sign = |preset: &str| {
        hookproof_core::Signer::new(presets::by_name(preset).unwrap(), secret.as_str()).unwrap().sign_at(
            body,
            at(NOW),
            Some("msg_1"),
        )
    };
    // Clerk's own receiver (`@clerk/backend`) reads only the `svix-*` names.
    for alias in ["svix", "Clerk"] {
        let headers = sign(alias);
        assert_eq!(names(&headers), ["svix-id", "svix-signature", "svix-timestamp"], "{alias}");
        let scheme = presets::by_name(alias).unwrap();
        assert_eq!(scheme.name(), "standard-webhooks");
        // The same deliveries verify either way, with the same event key.
        let verified = verify(presets::standard_webhooks(), &secret, &headers, body);
        assert!(verified.is_ok(), "{alias}: {verified:?}");
        let by_alias = Verifier::builder(scheme).secret(secret.as_str()).build().unwrap();
        let plain = by_alias.verify_at(&sign("standard-webhooks"), body, at(NOW)).unwrap();
        let svix = by_alias.verify_at(&headers, body, at(NOW)).unwrap();
        assert_eq!(plain.event_key(body), svix.event_key(body), "{alias}");
    }
    assert_eq!(names(&sign("resend")), ["webhook-id", "webhook-signature", "webhook-timestamp"]);
}

#[test]
fn github_x_hub_signature_256() {
    let body = br#"{"zen":"Design for failure."}"#;
    let signature = format!("sha256={}", hex::encode(hmac256(b"gh-secret", body)));
    let good = headers(&[("X-Hub-Signature-256", signature), ("X-GitHub-Delivery", "72d3162e-cc78".to_owned())]);
    let verified = Verifier::builder(presets::github())
        .secret("gh-secret")
        .build()
        .unwrap()
        .verify_at(&good, body, at(NOW))
        .unwrap();
    assert_eq!(verified.id(), Some("72d3162e-cc78"));
    assert_eq!(verified.timestamp(), None);
    // The legacy SHA-1 header alone is not accepted.
    let legacy = headers(&[("X-Hub-Signature", "sha1=0000".to_owned())]);
    assert!(matches!(
        verify(presets::github(), "gh-secret", &legacy, body),
        Err(VerifyError::MissingHeader { ref header }) if header == "x-hub-signature-256"
    ));
}

#[test]
fn stripe_checks_every_v1_and_ignores_v0() {
    let secret = "whsec_test_secret_used_raw";
    let body = br#"{"id":"evt_1","object":"event","type":"charge.succeeded"}"#;
    let timestamp = (NOW - 5).to_string();
    let signed = [timestamp.as_bytes(), b".", body].concat();
    let signature = hex::encode(hmac256(secret.as_bytes(), &signed));
    let header = format!("t={timestamp},v1={},v1={signature},v0={}", "0".repeat(64), "f".repeat(64));
    let good = headers(&[("Stripe-Signature", header)]);
    assert!(verify(presets::stripe(), secret, &good, body).is_ok());
    // Only v0 matches: not accepted.
    let v0_only = headers(&[("Stripe-Signature", format!("t={timestamp},v0={signature}"))]);
    assert!(matches!(verify(presets::stripe(), secret, &v0_only, body), Err(VerifyError::MalformedHeader { .. })));
    // 301 seconds old: too old for Stripe's 300.
    let old_ts = (NOW - 301).to_string();
    let old_signed = [old_ts.as_bytes(), b".", body].concat();
    let old = headers(&[(
        "Stripe-Signature",
        format!("t={old_ts},v1={}", hex::encode(hmac256(secret.as_bytes(), &old_signed))),
    )]);
    assert!(matches!(verify(presets::stripe(), secret, &old, body), Err(VerifyError::TimestampTooOld)));
}

#[test]
fn slack_v0_basestring() {
    let body = b"token=x&team_id=T1&text=hello%20world";
    let timestamp = NOW.to_string();
    let basestring = [b"v0:", timestamp.as_bytes(), b":", body].concat();
    let signature = format!("v0={}", hex::encode(hmac256(b"slack-signing", &basestring)));
    let good = headers(&[("X-Slack-Signature", signature), ("X-Slack-Request-Timestamp", timestamp)]);
    assert!(verify(presets::slack(), "slack-signing", &good, body).is_ok());
    assert!(matches!(
        verify(presets::slack(), "slack-signing", &good, b"token=x&team_id=T2&text=hello%20world"),
        Err(VerifyError::SignatureMismatch)
    ));
}

#[test]
fn shopify_base64_of_raw_body() {
    let body = br#"{"id":820982911946154508,"email":"jon@example.com"}"#;
    let signature = b64(&hmac256(b"shpss_secret", body));
    let good = headers(&[
        ("X-Shopify-Hmac-Sha256", signature),
        ("X-Shopify-Webhook-Id", "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043".to_owned()),
    ]);
    let verified =
        Verifier::builder(presets::shopify()).secret("shpss_secret").build().unwrap().verify_at(&good, body, at(NOW));
    assert_eq!(verified.unwrap().id(), Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
}

#[test]
fn custom_sha512_scheme_from_builder_calls() {
    use hookproof_core::{Algorithm, Encoding, Part, SignatureFormat};
    let scheme = Scheme::builder("acme")
        .algorithm(Algorithm::HmacSha512)
        .signed_content([Part::Timestamp, Part::literal(":"), Part::Body])
        .signature_header("X-Acme-Signature")
        .format(SignatureFormat::Prefixed("sha512=".into()))
        .encoding(Encoding::Hex)
        .timestamp_header("X-Acme-Timestamp")
        .build()
        .unwrap();
    let body = b"\x00\xffnot utf-8\x80";
    let timestamp = NOW.to_string();
    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(b"acme").unwrap();
    mac.update(&[timestamp.as_bytes(), b":", body].concat());
    let good = headers(&[
        ("X-Acme-Signature", format!("sha512={}", hex::encode(mac.finalize().into_bytes()))),
        ("X-Acme-Timestamp", timestamp),
    ]);
    assert!(verify(scheme, "acme", &good, body).is_ok());
}
