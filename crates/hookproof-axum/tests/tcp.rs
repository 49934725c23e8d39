//! The extractor behind a real HTTP/1.1 server on 127.0.0.1, spoken to over
//! a raw TCP socket: a chunked body over the limit is refused before it
//! ends, and the server shuts itself down at the end of the test.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use hookproof_core::{presets, Verifier};
use support::Provider;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const LIMIT: usize = 1024;
const PATIENCE: Duration = Duration::from_secs(10);

/// Writes `request` and reads the response head and whatever body follows
/// until the server closes or the head says it is complete.
async fn exchange(addr: SocketAddr, request: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.expect("server is listening");
    stream.write_all(request).await.expect("request written");
    read_response(&mut stream).await
}

async fn read_response(stream: &mut TcpStream) -> (u16, String) {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let read = timeout(PATIENCE, stream.read(&mut buffer)).await.expect("server answers in time").unwrap_or(0);
        received.extend_from_slice(&buffer[..read]);
        let text = String::from_utf8_lossy(&received);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|line| line.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
                .and_then(|value| value.parse::<usize>().ok());
            if read == 0 || length.is_some_and(|length| body.len() >= length) {
                let status = head.split(' ').nth(1).and_then(|code| code.parse().ok()).expect("a status line");
                return (status, body.to_owned());
            }
        }
        assert!(read > 0, "connection closed before a full response: {text}");
    }
}

fn request_head(provider: Provider, body: &[u8], framing: &str) -> Vec<u8> {
    let mut head = format!("POST /webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n{framing}");
    for (name, value) in &provider.sign(body) {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

#[tokio::test]
async fn over_a_real_socket() {
    let provider = Provider::Smile;
    let verifier = Verifier::builder(presets::smile()).secret(provider.secret()).body_limit(LIMIT).build().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, provider.router(verifier))
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });

    // A valid delivery with a Content-Length: 200 and the typed event.
    let body = provider.body().as_bytes();
    let mut request = request_head(provider, body, &format!("content-length: {}\r\nconnection: close\r\n", body.len()));
    request.extend_from_slice(body);
    let (status, answer) = exchange(addr, &request).await;
    assert_eq!(status, 200, "{answer}");
    let seen: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(seen["event"]["account_id"], 42);

    // Tampered: 401 signature_mismatch.
    let tampered = provider.tampered_body();
    let mut request =
        request_head(provider, body, &format!("content-length: {}\r\nconnection: close\r\n", tampered.len()));
    request.extend_from_slice(tampered.as_bytes());
    let (status, answer) = exchange(addr, &request).await;
    assert_eq!(
        (status, serde_json::from_str::<serde_json::Value>(&answer).unwrap()["error"].clone()),
        (401, "signature_mismatch".into())
    );

    // A declared length over the limit: refused from the head alone (no body sent).
    let request = request_head(provider, body, &format!("content-length: {}\r\n", LIMIT + 1));
    let (status, answer) = exchange(addr, &request).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains(r#""error":"body_too_large""#), "{answer}");

    // Chunked, no length: two chunks pass the limit and the 413 arrives while
    // the body is still open (no terminating chunk is ever sent).
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(&request_head(provider, body, "transfer-encoding: chunked\r\n")).await.unwrap();
    let chunk = vec![b' '; LIMIT / 2 + 1];
    for _ in 0..2 {
        stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.unwrap();
        stream.write_all(&chunk).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
    }
    let (status, answer) = read_response(&mut stream).await;
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains(r#""error":"body_too_large""#), "{answer}");
    drop(stream);

    stop.send(()).expect("server still running");
    timeout(PATIENCE, server).await.expect("server stops").expect("server task").expect("server ran cleanly");
}
