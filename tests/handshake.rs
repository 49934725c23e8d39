//! Setup handshakes and URL-signed deliveries, sent over real sockets to
//! every adapter (axum with the tower layer, actix-web's middleware, the
//! tower layer on bare hyper), each wired on POST and GET as the docs say.

mod support;

use std::sync::Arc;
use std::time::SystemTime;

use hookproof::handshake::Handshake;
use hookproof::{presets, RequestTarget, Scheme, Signer, Verifier};
use http::HeaderMap;
use support::{send, Adapter, Answer, Server, PATH};

const ADAPTERS: [Adapter; 3] = [Adapter::Axum, Adapter::Actix, Adapter::Tower];

/// Twilio's documented example: the URL it called, the form it posted, the signature.
const TWILIO_URL: &str = "https://example.com/myapp.php?foo=1&bar=2";
const TWILIO_FORM: &str =
    "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
const TWILIO_SIGNATURE: &str = "L/OH5YylLD5NRKLltdqwSvS0BnU=";

fn server(adapter: Adapter, verifier: Verifier) -> Server {
    Server::start_raw(adapter, Arc::new(verifier))
}

fn twilio_headers(signature: &str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-twilio-signature", signature.parse().unwrap());
    headers.insert("content-type", "application/x-www-form-urlencoded".parse().unwrap());
    headers
}

fn signed(scheme: Scheme, secret: &str, body: &str) -> HeaderMap {
    Signer::new(scheme, secret).unwrap().sign(body.as_bytes())
}

async fn get(server: &Server, query: &str) -> Answer {
    send(server.addr, "GET", &format!("{PATH}?{query}"), &HeaderMap::new(), b"").await
}

async fn post(server: &Server, headers: &HeaderMap, body: &str) -> Answer {
    send(server.addr, "POST", PATH, headers, body.as_bytes()).await
}

/// A challenge echoed as the handshake wants it: 200, the exact text, plain text, nosniff.
fn assert_echoed(answer: &Answer, challenge: &str, context: &str) {
    assert_eq!((answer.status, answer.body.as_str()), (200, challenge), "{context}: {answer:?}");
    assert!(answer.content_type.as_deref().is_some_and(|kind| kind.starts_with("text/plain")), "{context}: {answer:?}");
    assert!(answer.nosniff, "{context}: {answer:?}");
}

#[tokio::test]
async fn twilio_form_deliveries_verify_against_the_public_url_on_every_adapter() {
    for adapter in ADAPTERS {
        let public = Verifier::builder(presets::twilio()).secret("12345").public_url(TWILIO_URL).build().unwrap();
        let server = server(adapter, public);
        let accepted = post(&server, &twilio_headers(TWILIO_SIGNATURE), TWILIO_FORM).await;
        assert_eq!(accepted.outcome(), (200, "processed".to_owned()), "{adapter:?}");
        let tampered = TWILIO_FORM.replace("Digits=1234", "Digits=1235");
        let refused = post(&server, &twilio_headers(TWILIO_SIGNATURE), &tampered).await;
        assert_eq!(refused.outcome(), (401, "signature_mismatch".to_owned()), "{adapter:?} tampered form field");

        let elsewhere = Verifier::builder(presets::twilio())
            .secret("12345")
            .public_url("https://example.com/myapp.php?foo=1&bar=3")
            .build()
            .unwrap();
        let server = self::server(adapter, elsewhere);
        let refused = post(&server, &twilio_headers(TWILIO_SIGNATURE), TWILIO_FORM).await;
        assert_eq!(refused.outcome(), (401, "signature_mismatch".to_owned()), "{adapter:?} tampered URL");
    }
}

#[tokio::test]
async fn without_a_public_url_the_url_is_the_host_path_and_query_received() {
    // The support client sends `host: 127.0.0.1`.
    let url = format!("http://127.0.0.1{PATH}?account=7");
    let signed = Signer::new(presets::twilio(), "12345").unwrap().sign_request_at(
        RequestTarget::new("POST", &url),
        TWILIO_FORM.as_bytes(),
        SystemTime::now(),
        None,
    );
    let headers = twilio_headers(signed["x-twilio-signature"].to_str().unwrap());
    for adapter in ADAPTERS {
        let server = server(adapter, Verifier::builder(presets::twilio()).secret("12345").build().unwrap());
        let accepted = send(server.addr, "POST", &format!("{PATH}?account=7"), &headers, TWILIO_FORM.as_bytes()).await;
        assert_eq!(accepted.outcome(), (200, "processed".to_owned()), "{adapter:?}");
        let moved = send(server.addr, "POST", &format!("{PATH}?account=8"), &headers, TWILIO_FORM.as_bytes()).await;
        assert_eq!(moved.outcome(), (401, "signature_mismatch".to_owned()), "{adapter:?} another query");
    }
}

#[tokio::test]
async fn slack_url_verification_is_answered_only_when_signed() {
    let challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P";
    let body = format!(r#"{{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"{challenge}","type":"url_verification"}}"#);
    let event = r#"{"type":"event_callback","event_id":"Ev08MFMKH6","event":{"type":"app_mention"}}"#;
    for adapter in ADAPTERS {
        let server = server(adapter, Verifier::builder(presets::slack()).secret("slack-secret").build().unwrap());
        let answer = post(&server, &signed(presets::slack(), "slack-secret", &body), &body).await;
        assert_echoed(&answer, challenge, &format!("{adapter:?} slack"));
        let forged = post(&server, &signed(presets::slack(), "guess", &body), &body).await;
        assert_eq!(forged.outcome(), (401, "signature_mismatch".to_owned()), "{adapter:?} forged");
        let unsigned = post(&server, &HeaderMap::new(), &body).await;
        assert_eq!(unsigned.outcome(), (400, "missing_header".to_owned()), "{adapter:?} unsigned");
        // Events still reach the handler.
        let answer = post(&server, &signed(presets::slack(), "slack-secret", event), event).await;
        assert_eq!(answer.outcome(), (200, "processed".to_owned()), "{adapter:?} event");
        // A signed but hostile challenge is refused, never echoed.
        let hostile = r#"{"type":"url_verification","challenge":"<img src=x onerror=alert(1)>"}"#;
        let answer = post(&server, &signed(presets::slack(), "slack-secret", hostile), hostile).await;
        assert_eq!(answer.outcome(), (400, "invalid_challenge".to_owned()), "{adapter:?} hostile");
    }
}

#[tokio::test]
async fn zoom_url_validation_answers_the_encrypted_token_only_when_signed() {
    let body = r#"{"payload":{"plainToken":"qgg8vlvZRS6UYooatFL8Aw"},"event_ts":1654503849680,"event":"endpoint.url_validation"}"#;
    // `printf qgg8vlvZRS6UYooatFL8Aw | openssl dgst -sha256 -hmac zoom-secret-token`
    let expected = serde_json::json!({
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": "d9e0d764a78494688ba3f2d5c0ed4ca311394b4834d959759213424d2df961e3",
    });
    for adapter in ADAPTERS {
        let verifier = Verifier::builder(presets::zoom()).secret("zoom-secret-token").build().unwrap();
        let server = server(adapter, verifier);
        let answer = post(&server, &signed(presets::zoom(), "zoom-secret-token", body), body).await;
        assert_eq!((answer.status, answer.json()), (200, expected.clone()), "{adapter:?}");
        assert!(answer.nosniff, "{adapter:?}");
        let forged = post(&server, &signed(presets::zoom(), "guess", body), body).await;
        assert_eq!(forged.outcome(), (401, "signature_mismatch".to_owned()), "{adapter:?} forged");
        let unsigned = post(&server, &HeaderMap::new(), body).await;
        assert_eq!(unsigned.outcome(), (400, "missing_header".to_owned()), "{adapter:?} unsigned");
    }
}

#[tokio::test]
async fn get_handshakes_meta_x_and_dropbox_on_every_adapter() {
    for adapter in ADAPTERS {
        let verifier = Verifier::builder(presets::github())
            .secret("It's a Secret to Everybody")
            .handshake(Handshake::meta("meta-verify-token"))
            .handshake(Handshake::x_crc("x-consumer-secret"))
            .handshake(Handshake::dropbox())
            .build()
            .unwrap();
        let server = server(adapter, verifier);
        let context = format!("{adapter:?}");

        let meta = get(&server, "hub.mode=subscribe&hub.verify_token=meta-verify-token&hub.challenge=1158201444").await;
        assert_echoed(&meta, "1158201444", &context);
        let wrong =
            get(&server, "hub.mode=subscribe&hub.verify_token=meta-verify-tokem&hub.challenge=1158201444").await;
        assert_eq!(wrong.outcome(), (403, "verify_token_mismatch".to_owned()), "{context}");
        assert!(!wrong.body.contains("meta-verify-token"), "{context}: {wrong:?}");

        // `printf crc-123 | openssl dgst -sha256 -hmac x-consumer-secret -binary | base64`
        let x = get(&server, "crc_token=crc-123").await;
        let expected = serde_json::json!({"response_token": "sha256=4mKrLfKI8f5phKFQ5iAWFyWLoRTEL4ov5ecy8kIJU9Y="});
        assert_eq!((x.status, x.json()), (200, expected), "{context}");

        let dropbox = get(&server, "challenge=uD6bfRhuvKXSBfQIH9Yi").await;
        assert_echoed(&dropbox, "uD6bfRhuvKXSBfQIH9Yi", &context);
        let html = get(&server, "challenge=%3Cscript%3Ealert(1)%3C/script%3E%20").await;
        assert_eq!(html.outcome(), (400, "invalid_challenge".to_owned()), "{context}");
        let long = get(&server, &format!("challenge={}", "a".repeat(1025))).await;
        assert_eq!(long.outcome(), (400, "invalid_challenge".to_owned()), "{context}");

        // Any other GET is not a delivery.
        let other = get(&server, "page=1").await;
        assert_eq!(other.outcome(), (405, "method_not_allowed".to_owned()), "{context}");
    }
}
