//! The layer served by hyper 1 through `hyper-util`, on a real socket.

mod common;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use hookproof_tower::WebhookLayer;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tower::Layer;

use common::{code, recording_inner, Seen, GITHUB};

const BODY: &str = r#"{"zen":"Keep it logically awesome."}"#;

/// Sends one raw HTTP/1.1 request and returns the status and body.
async fn exchange(addr: std::net::SocketAddr, head: &str, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(format!("{head}\r\n{body}").as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

fn head(headers: &http::HeaderMap, content_length: usize) -> String {
    let mut head = format!(
        "POST /webhooks HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\ncontent-length: {content_length}\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    head
}

#[tokio::test]
async fn served_by_hyper() {
    const REQUESTS: usize = 3;
    let seen = Arc::new(Seen::default());
    let service = WebhookLayer::new(GITHUB.verifier(1024)).layer(recording_inner(Arc::clone(&seen)));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Serves exactly the connections this test opens, then stops.
    let server = tokio::spawn(async move {
        for _ in 0..REQUESTS {
            let (stream, _) = listener.accept().await.unwrap();
            let service = TowerToHyperService::new(service.clone());
            http1::Builder::new().serve_connection(TokioIo::new(stream), service).await.unwrap();
        }
    });

    let run = async {
        let signed = GITHUB.signer().sign(BODY.as_bytes());
        assert_eq!(exchange(addr, &head(&signed, BODY.len()), BODY).await, (200, "ok".to_owned()));

        let wrong = GITHUB.wrong_signer().sign(BODY.as_bytes());
        let (status, body) = exchange(addr, &head(&wrong, BODY.len()), BODY).await;
        assert_eq!((status, code(body.as_bytes()).as_str()), (401, "signature_mismatch"));

        // Refused from the header alone; the body is never sent.
        let (status, body) = exchange(addr, &head(&signed, 10 * 1024 * 1024), "").await;
        assert_eq!((status, code(body.as_bytes()).as_str()), (413, "body_too_large"));
    };
    tokio::time::timeout(Duration::from_secs(10), run).await.expect("requests timed out");
    tokio::time::timeout(Duration::from_secs(10), server).await.expect("server did not stop").unwrap();

    assert_eq!(seen.calls.load(Ordering::SeqCst), 1);
    let requests = seen.requests.lock().unwrap();
    assert_eq!(requests[0].0, BODY.as_bytes());
    assert_eq!(requests[0].1.as_ref().map(|verified| verified.scheme()), Some("github"));
}
