//! Setup handshakes through the verifier, and the request target adapters
//! build with `begin_received`.

use hookproof_core::handshake::Handshake;
use hookproof_core::{presets, Signer, Verifier};
use http::HeaderMap;

fn verified_reply(verifier: &Verifier, headers: &HeaderMap, body: &[u8]) -> Option<(u16, String, String)> {
    let (verified, body) = {
        let mut delivery = verifier.begin(headers).unwrap();
        delivery.push(body).unwrap();
        verifier.finish(delivery).unwrap()
    };
    verifier.answer_signed_handshake(&verified, &body).map(|reply| {
        (reply.status().as_u16(), reply.content_type().to_owned(), String::from_utf8(reply.body().to_vec()).unwrap())
    })
}

#[test]
fn slack_url_verification_is_answered_after_the_signature() {
    let verifier = Verifier::builder(presets::slack()).secret("slack-secret").build().unwrap();
    let body = br#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let headers = Signer::new(presets::slack(), "slack-secret").unwrap().sign(body);
    let reply = verified_reply(&verifier, &headers, body).unwrap();
    assert_eq!(reply.0, 200);
    assert!(reply.1.starts_with("text/plain"));
    assert_eq!(reply.2, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    // An event is not a handshake: the handler gets it.
    let event = br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}"#;
    let headers = Signer::new(presets::slack(), "slack-secret").unwrap().sign(event);
    assert_eq!(verified_reply(&verifier, &headers, event), None);
    // A hostile challenge is refused, never echoed.
    let hostile = br#"{"type":"url_verification","challenge":"<script>alert(1)</script> x"}"#;
    let headers = Signer::new(presets::slack(), "slack-secret").unwrap().sign(hostile);
    assert_eq!(verified_reply(&verifier, &headers, hostile).unwrap().0, 400);
}

#[test]
fn zoom_url_validation_encrypts_the_plain_token_with_the_secret() {
    let verifier = Verifier::builder(presets::zoom()).secret("zoom-secret-token").secret("old").build().unwrap();
    let body = br#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    let headers = Signer::new(presets::zoom(), "zoom-secret-token").unwrap().sign(body);
    let (status, content_type, reply) = verified_reply(&verifier, &headers, body).unwrap();
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
    // `printf qgg8vlvZRS6UYooatFL8Aw | openssl dgst -sha256 -hmac zoom-secret-token`
    assert_eq!(
        reply,
        serde_json::json!({
            "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
            "encryptedToken": "d9e0d764a78494688ba3f2d5c0ed4ca311394b4834d959759213424d2df961e3",
        })
    );
}

#[test]
fn get_handshakes_are_opt_in_and_verifier_debug_hides_their_secrets() {
    let plain = Verifier::builder(presets::github()).secret("s").build().unwrap();
    assert!(plain.answer_handshake("GET", Some("challenge=abc")).is_none());
    let verifier = Verifier::builder(presets::github())
        .secret("s")
        .handshake(Handshake::meta("verify-me-please"))
        .handshake(Handshake::x_crc("x-consumer-secret"))
        .handshake(Handshake::dropbox())
        .build()
        .unwrap();
    let printed = format!("{verifier:?}");
    assert!(!printed.contains("verify-me-please") && !printed.contains("x-consumer-secret"), "{printed}");
    let status = |query: &str| verifier.answer_handshake("GET", Some(query)).unwrap().status().as_u16();
    assert_eq!(status("hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=42"), 200);
    assert_eq!(status("hub.mode=subscribe&hub.verify_token=verify-me-pleasf&hub.challenge=42"), 403);
    assert_eq!(status("hub.mode=unsubscribe&hub.verify_token=verify-me-please&hub.challenge=42"), 403);
    assert_eq!(status("hub.mode=subscribe&hub.challenge=42"), 403);
    assert_eq!(status("hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=%00"), 400);
    assert_eq!(status("crc_token=abc"), 200);
    assert_eq!(status("challenge=abc"), 200);
    assert_eq!(status(""), 405);
    assert!(verifier.answer_handshake("POST", None).is_none());
}

/// Twilio's documented form body.
const TWILIO_BODY: &[u8] =
    b"CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";

fn receive(verifier: &Verifier, headers: &HeaderMap, uri: &str) -> Result<(), hookproof_core::VerifyError> {
    let mut delivery = verifier.begin_received(headers, "POST", uri)?;
    delivery.push(TWILIO_BODY)?;
    verifier.finish(delivery).map(drop)
}

#[test]
fn begin_received_signs_the_url_as_received_or_the_public_url() {
    // Twilio's documented example, received behind a proxy at another address.
    let mut headers = HeaderMap::new();
    headers.insert("x-twilio-signature", "L/OH5YylLD5NRKLltdqwSvS0BnU=".parse().unwrap());
    headers.insert("host", "10.0.0.7:8080".parse().unwrap());
    let public = Verifier::builder(presets::twilio())
        .secret("12345")
        .public_url("https://example.com/myapp.php?foo=1&bar=2")
        .build()
        .unwrap();
    assert!(receive(&public, &headers, "/anything").is_ok());
    let received = Verifier::builder(presets::twilio()).secret("12345").build().unwrap();
    assert_eq!(receive(&received, &headers, "/myapp.php?foo=1&bar=2").unwrap_err().code(), "signature_mismatch");
    // An absolute URI (HTTP/2, or a proxy's absolute-form) is the URL.
    assert!(receive(&received, &headers, "https://example.com/myapp.php?foo=1&bar=2").is_ok());

    // Without a public URL: `http://` + Host + path and query, as a sender calling it signed.
    let target = hookproof_core::RequestTarget::new("POST", "http://10.0.0.7:8080/hook?x=1");
    let signed = Signer::new(presets::twilio(), "12345").unwrap().sign_request_at(
        target,
        TWILIO_BODY,
        std::time::SystemTime::now(),
        None,
    );
    headers.insert("x-twilio-signature", signed["x-twilio-signature"].clone());
    assert!(receive(&received, &headers, "/hook?x=1").is_ok());
    assert_eq!(receive(&received, &headers, "/hook?x=2").unwrap_err().code(), "signature_mismatch");
    headers.remove("host");
    assert_eq!(receive(&received, &headers, "/hook?x=1").unwrap_err().code(), "signature_mismatch");
}

proptest::proptest! {
    /// Hostile queries and signed bodies never panic, and an answer is
    /// always a bounded, non-HTML reply.
    #[test]
    fn hostile_queries_and_bodies_never_panic(query in ".{0,300}", body in proptest::collection::vec(proptest::num::u8::ANY, 0..300)) {
        let verifier = Verifier::builder(presets::slack())
            .secret("s")
            .handshake(Handshake::zoom())
            .handshake(Handshake::meta("t"))
            .handshake(Handshake::x_crc("x"))
            .handshake(Handshake::dropbox())
            .build()
            .unwrap();
        for method in ["GET", "POST", "get", ""] {
            if let Some(reply) = verifier.answer_handshake(method, Some(&query)) {
                proptest::prop_assert!(reply.body().len() <= 2 * hookproof_core::handshake::MAX_CHALLENGE_LEN);
                proptest::prop_assert!(reply.content_type() != "text/html");
            }
        }
        let headers = Signer::new(presets::slack(), "s").unwrap().sign(&body);
        let mut delivery = verifier.begin(&headers).unwrap();
        delivery.push(&body[..]).unwrap();
        let (verified, body) = verifier.finish(delivery).unwrap();
        let _ = verifier.answer_signed_handshake(&verified, &body);
        let wrapped = serde_json::json!({"type": "url_verification", "challenge": String::from_utf8_lossy(&body)}).to_string();
        let headers = Signer::new(presets::slack(), "s").unwrap().sign(wrapped.as_bytes());
        let mut delivery = verifier.begin(&headers).unwrap();
        delivery.push(wrapped.as_bytes()).unwrap();
        let (verified, wrapped) = verifier.finish(delivery).unwrap();
        if let Some(reply) = verifier.answer_signed_handshake(&verified, &wrapped) {
            proptest::prop_assert!(reply.status() == 400 || reply.body().iter().all(u8::is_ascii_graphic));
        }
    }
}
