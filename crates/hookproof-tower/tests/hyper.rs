//! The layer served by hyper 1 through `hyper-util`, on a real socket.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use hookproof_test_support::{Request, Server};
use hookproof_tower::WebhookLayer;
use tower::Layer;

use common::{code, recording_inner, Seen, GITHUB};

const BODY: &str = r#"{"zen":"Keep it logically awesome."}"#;

/// Sends one raw HTTP/1.1 request, declaring `content_length` whatever
/// `body` is sent, and returns the status and body.
fn exchange(addr: std::net::SocketAddr, headers: &http::HeaderMap, content_length: usize, body: &str) -> (u16, String) {
    let request = Request::post("/webhooks")
        .header("host", "localhost")
        .header("content-length", content_length)
        .headers(headers)
        .body(body)
        .unframed();
    let response = request.send_to(addr).expect("an answer in time");
    (response.status, response.text())
}

#[test]
fn served_by_hyper() {
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(GITHUB.verifier(1024)).layer(recording_inner(Arc::clone(&seen)));
    let server = Server::hyper(service);
    let addr = server.addr();

    let signed = GITHUB.signer().sign(BODY.as_bytes());
    assert_eq!(exchange(addr, &signed, BODY.len(), BODY), (200, "ok".to_owned()));

    let wrong = GITHUB.wrong_signer().sign(BODY.as_bytes());
    let (status, body) = exchange(addr, &wrong, BODY.len(), BODY);
    assert_eq!((status, code(body.as_bytes()).as_str()), (401, "signature_mismatch"));

    // Refused from the header alone; the body is never sent.
    let (status, body) = exchange(addr, &signed, 10 * 1024 * 1024, "");
    assert_eq!((status, code(body.as_bytes()).as_str()), (413, "body_too_large"));
    server.stop().expect("the server stops cleanly");

    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    let requests = seen.requests.lock().unwrap();
    assert_eq!(requests[0].0, BODY.as_bytes());
    assert_eq!(requests[0].1.as_ref().map(|verified| verified.scheme()), Some("github"));
}
