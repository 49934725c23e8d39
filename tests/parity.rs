//! Cross-adapter parity: the same deliveries, sent over real sockets to axum
//! (tower layer + the axum `Webhook<T>` extractor), actix-web (middleware +
//! the actix `Webhook<T>` extractor) and tower (the layer on bare hyper),
//! each served on `127.0.0.1:0` with in-memory replay protection, get the
//! same answers, and those answers are the behaviour contract's.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use hookproof::ReplayProtection;
use http::HeaderValue;
use support::{body, head, post, signed, signed_at, Adapter, Answer, Reply, Server, SECRET};

/// The receivers' body limit.
const LIMIT: usize = 4096;

/// One request of the set: a name and how to send it.
struct Case {
    name: &'static str,
    send: Delivery,
}

enum Delivery {
    /// Headers and body, with the body's real `Content-Length`.
    Post(http::HeaderMap, String),
    /// A head declaring `Content-Length` over the limit, and no body at all:
    /// only an up-front check can answer it.
    DeclaredTooLarge(http::HeaderMap),
}

/// The request set, signed once so every adapter receives identical bytes.
fn cases() -> Vec<Case> {
    let now = SystemTime::now();
    let hour = Duration::from_secs(3600);
    let valid_body = body("invoice.paid");
    let valid = signed(&valid_body, "msg_valid");

    let mut missing_signature = signed(&valid_body, "msg_missing_signature");
    missing_signature.remove("webhook-signature");
    let mut missing_timestamp = signed(&valid_body, "msg_missing_timestamp");
    missing_timestamp.remove("webhook-timestamp");
    let mut unparsable_timestamp = signed(&valid_body, "msg_bad_timestamp");
    unparsable_timestamp.insert("webhook-timestamp", HeaderValue::from_static("yesterday"));
    let mut wrong_version = signed(&valid_body, "msg_wrong_version");
    let signature = wrong_version["webhook-signature"].to_str().unwrap().replacen("v1,", "v9,", 1);
    wrong_version.insert("webhook-signature", signature.parse().unwrap());

    let big_body = body(&"x".repeat(LIMIT));
    vec![
        Case { name: "valid", send: Delivery::Post(valid.clone(), valid_body.clone()) },
        Case { name: "duplicate of valid", send: Delivery::Post(valid, valid_body.clone()) },
        Case { name: "missing signature header", send: Delivery::Post(missing_signature, valid_body.clone()) },
        Case { name: "missing timestamp header", send: Delivery::Post(missing_timestamp, valid_body.clone()) },
        Case { name: "unparsable timestamp", send: Delivery::Post(unparsable_timestamp, valid_body.clone()) },
        Case { name: "wrong signature version tag", send: Delivery::Post(wrong_version, valid_body.clone()) },
        Case {
            name: "wrong secret",
            send: Delivery::Post(
                signed_at("whsec_c2VjcmV0LWd1ZXNzZWQtYnktYW4tYXR0YWNrZXI=", &valid_body, "msg_wrong_secret", now),
                valid_body.clone(),
            ),
        },
        Case {
            name: "tampered body",
            send: Delivery::Post(signed(&valid_body, "msg_tampered"), valid_body.replace("42", "43")),
        },
        Case {
            name: "stale (1 h old)",
            send: Delivery::Post(signed_at(SECRET, &valid_body, "msg_stale", now - hour), valid_body.clone()),
        },
        Case {
            name: "future (1 h ahead)",
            send: Delivery::Post(signed_at(SECRET, &valid_body, "msg_future", now + hour), valid_body.clone()),
        },
        Case { name: "oversized by Content-Length", send: Delivery::DeclaredTooLarge(signed(&big_body, "msg_big")) },
        Case {
            name: "oversized body sent in full",
            send: Delivery::Post(signed(&big_body, "msg_big_sent"), big_body.clone()),
        },
        Case {
            name: "verified but not the event type",
            send: Delivery::Post(
                signed(r#"{"unexpected":true}"#, "msg_wrong_shape"),
                r#"{"unexpected":true}"#.to_owned(),
            ),
        },
        Case {
            name: "verified but not JSON",
            send: Delivery::Post(signed("not json", "msg_not_json"), "not json".to_owned()),
        },
        Case {
            name: "valid, second event",
            send: Delivery::Post(signed(&body("invoice.voided"), "msg_second"), body("invoice.voided")),
        },
    ]
}

/// The behaviour contract's answer to each case, in order.
const EXPECTED: &[(&str, u16, &str)] = &[
    ("valid", 200, "processed"),
    ("duplicate of valid", 200, "duplicate"),
    ("missing signature header", 400, "missing_header"),
    ("missing timestamp header", 400, "missing_header"),
    ("unparsable timestamp", 400, "malformed_header"),
    ("wrong signature version tag", 400, "malformed_header"),
    ("wrong secret", 401, "signature_mismatch"),
    ("tampered body", 401, "signature_mismatch"),
    ("stale (1 h old)", 401, "timestamp_too_old"),
    ("future (1 h ahead)", 401, "timestamp_in_future"),
    ("oversized by Content-Length", 413, "body_too_large"),
    ("oversized body sent in full", 413, "body_too_large"),
    ("verified but not the event type", 422, "invalid_payload"),
    ("verified but not JSON", 422, "invalid_payload"),
    ("valid, second event", 200, "processed"),
];

async fn send(server: &Server, case: &Case) -> Answer {
    match &case.send {
        Delivery::Post(headers, body) => post(server.addr, headers, body).await,
        Delivery::DeclaredTooLarge(headers) => {
            let request = head(headers, &[("content-length", (LIMIT + 1).to_string())]);
            support::exchange(server.addr, &request).await
        }
    }
}

/// Sends every case to a fresh receiver served by `adapter`; returns each
/// case's `(name, status, code)` and how many times the handler ran.
async fn run(adapter: Adapter, cases: &[Case]) -> (Vec<(&'static str, u16, String)>, usize) {
    let verifier = support::verifier(LIMIT);
    let replay = ReplayProtection::memory(&verifier);
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let handler: support::Handler = Arc::new(move |_, event| {
        counter.fetch_add(1, Ordering::SeqCst);
        Reply::processed(event)
    });
    let server = Server::start(adapter, verifier, Some(replay), handler);
    let mut seen = Vec::new();
    for case in cases {
        let answer = send(&server, case).await;
        // Every answer is JSON with the contract's content type, and never echoes the secret.
        assert_eq!(answer.content_type.as_deref(), Some("application/json"), "{adapter:?} {}: {answer:?}", case.name);
        assert!(!answer.body.contains(SECRET) && !answer.body.contains(&SECRET[6..]), "{adapter:?}: {answer:?}");
        if answer.status >= 400 {
            let message = answer.json()["message"].as_str().map(str::len);
            assert!(message.is_some_and(|len| len > 0), "{adapter:?} {}: no message in {answer:?}", case.name);
        }
        let (status, code) = answer.outcome();
        // The adapters' own answers (every one but the handler's) come from
        // the core's Reply, which forbids sniffing.
        assert!(code == "processed" || answer.nosniff, "{adapter:?} {}: {answer:?}", case.name);
        seen.push((case.name, status, code));
    }
    drop(server);
    (seen, runs.load(Ordering::SeqCst))
}

#[tokio::test]
async fn every_adapter_answers_the_same_requests_with_the_contracts_answers() {
    let cases = cases();
    let expected: Vec<_> = EXPECTED.iter().map(|&(name, status, code)| (name, status, code.to_owned())).collect();
    assert_eq!(
        cases.iter().map(|case| case.name).collect::<Vec<_>>(),
        EXPECTED.iter().map(|e| e.0).collect::<Vec<_>>()
    );

    let mut answers = Vec::new();
    for adapter in [Adapter::Axum, Adapter::Actix, Adapter::Tower] {
        let (seen, runs) = run(adapter, &cases).await;
        answers.push((adapter, seen, runs));
    }
    // Each adapter's answers, against the contract's table...
    for (adapter, seen, runs) in &answers {
        assert_eq!(seen, &expected, "{adapter:?} differs from the behaviour contract");
        // ...and the handler ran for the two valid events only (not for the duplicate).
        assert_eq!(*runs, 2, "{adapter:?} handler runs");
    }
    // ...and against each other.
    assert_eq!(answers[0].1, answers[1].1, "axum vs actix");
    assert_eq!(answers[0].1, answers[2].1, "axum vs tower");
}
