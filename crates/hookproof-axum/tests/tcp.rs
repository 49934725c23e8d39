//! The extractor behind a real HTTP/1.1 server on 127.0.0.1, spoken to over
//! a raw TCP socket: a chunked body over the limit is refused before it
//! ends, and the server shuts itself down at the end of the test.

mod support;

use std::io::Write as _;

use hookproof_core::{presets, Verifier};
use hookproof_test_support::{client, Request, Server};
use support::Provider;

const LIMIT: usize = 1024;

/// Writes `request` and reads the response head and whatever body follows
/// until the server closes or the head says it is complete.
fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> (u16, String) {
    let response = client::exchange(addr, request).expect("server answers in time");
    (response.status, response.text())
}

/// The head of a delivery of `body` signed by `provider`, framed by the
/// header `framing` (`connection: close` is always sent).
fn request_head(provider: Provider, body: &[u8], framing: (&str, String)) -> Vec<u8> {
    Request::post("/webhooks")
        .header("content-type", "application/json")
        .header(framing.0, framing.1)
        .headers(&provider.sign(body))
        .to_bytes("127.0.0.1")
}

#[test]
fn over_a_real_socket() {
    let provider = Provider::Smile;
    let verifier = Verifier::builder(presets::smile()).secret(provider.secret()).body_limit(LIMIT).build().unwrap();
    let server = Server::axum(provider.router(verifier));
    let addr = server.addr();

    // A valid delivery with a Content-Length: 200 and the typed event.
    let body = provider.body().as_bytes();
    let mut request = request_head(provider, body, ("content-length", body.len().to_string()));
    request.extend_from_slice(body);
    let (status, answer) = exchange(addr, &request);
    assert_eq!(status, 200, "{answer}");
    let seen: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(seen["event"]["account_id"], 42);

    // Tampered: 401 signature_mismatch.
    let tampered = provider.tampered_body();
    let mut request = request_head(provider, body, ("content-length", tampered.len().to_string()));
    request.extend_from_slice(tampered.as_bytes());
    let (status, answer) = exchange(addr, &request);
    assert_eq!(
        (status, serde_json::from_str::<serde_json::Value>(&answer).unwrap()["error"].clone()),
        (401, "signature_mismatch".into())
    );

    // A declared length over the limit: refused from the head alone (no body sent).
    let request = request_head(provider, body, ("content-length", (LIMIT + 1).to_string()));
    let (status, answer) = exchange(addr, &request);
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains(r#""error":"body_too_large""#), "{answer}");

    // Chunked, no length: two chunks pass the limit and the 413 arrives while
    // the body is still open (no terminating chunk is ever sent).
    let mut stream = client::connect(addr).unwrap();
    stream.write_all(&request_head(provider, body, ("transfer-encoding", "chunked".to_owned()))).unwrap();
    let chunk = vec![b' '; LIMIT / 2 + 1];
    for _ in 0..2 {
        stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).unwrap();
        stream.write_all(&chunk).unwrap();
        stream.write_all(b"\r\n").unwrap();
    }
    let response = client::read_response(&mut stream).expect("server answers in time");
    let (status, answer) = (response.status, response.text());
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains(r#""error":"body_too_large""#), "{answer}");
    drop(stream);

    server.stop().expect("server stops and ran cleanly");
}
