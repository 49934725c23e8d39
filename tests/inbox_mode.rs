//! Inbox mode in the three adapters, on a real SQLite inbox: a verified
//! delivery is stored and answered 202, its copy 200 duplicate, a refused
//! one stores nothing; the stored row is what a worker then processes.

#![cfg(all(feature = "axum", feature = "actix", feature = "tower", feature = "inbox"))]

mod support;

use std::sync::Arc;

use hookproof::inbox::{Inbox, State};
use support::{post, Adapter, Server};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_adapter_stores_then_acknowledges() {
    let dir = tempfile::tempdir().unwrap();
    let verifier = support::verifier(64 * 1024);
    for (n, adapter) in [Adapter::Axum, Adapter::Actix, Adapter::Tower].into_iter().enumerate() {
        let inbox = Inbox::connect(&format!("sqlite:{}", dir.path().join(format!("{n}.db")).display())).await.unwrap();
        let server = Server::start_inbox(adapter, Arc::clone(&verifier), inbox.clone());
        let body = support::body("invoice.paid");
        let headers = support::signed(&body, "msg_inbox_1");

        let first = post(server.addr, &headers, &body).await;
        assert_eq!((first.status, first.body.as_str()), (202, r#"{"status":"accepted"}"#), "{adapter:?}");
        assert_eq!(first.content_type.as_deref(), Some("application/json"), "{adapter:?}");
        let copy = post(server.addr, &headers, &body).await;
        assert_eq!(copy.outcome(), (200, "duplicate".to_owned()), "{adapter:?}");
        let mut tampered = headers.clone();
        tampered.insert("webhook-id", "msg_inbox_2".parse().unwrap());
        assert_eq!(post(server.addr, &tampered, &body).await.outcome(), (401, "signature_mismatch".to_owned()));

        let stats = inbox.stats().await.unwrap();
        assert_eq!((stats.pending, stats.get(State::Done)), (1, 0), "{adapter:?}: one row, waiting for a worker");
        let stored = inbox.list(None, 10).await.unwrap();
        assert_eq!(stored.len(), 1);
        let record = inbox.get(stored[0].id).await.unwrap().unwrap();
        assert_eq!(record.body, body.as_bytes(), "{adapter:?}: the exact bytes");
        assert_eq!(record.summary.provider_id.as_deref(), Some("msg_inbox_1"));
        assert_eq!(record.headers.get("content-type").map(String::as_str), Some("application/json"));
    }
}
