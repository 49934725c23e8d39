//! The refusals log: a fixed number of rows, oldest dropped, bodies cut to
//! the limit, and nothing in it ever reaches a worker. On SQLite and on a
//! PostgreSQL server the test starts for itself.

// Shared with tests/inbox.rs; this test only starts and reaches a server.
#[allow(dead_code)]
mod postgres_server;

use std::collections::BTreeMap;

use bytes::Bytes;
use hookproof_inbox::{Inbox, NewRejection, REJECTED_BODY_LIMIT};

fn rejection(n: usize, body: Bytes) -> NewRejection {
    let mut headers = BTreeMap::new();
    headers.insert("webhook-id".to_owned(), format!("msg_{n}"));
    NewRejection {
        scheme: "standard-webhooks".to_owned(),
        status: 401,
        code: "signature_mismatch".to_owned(),
        reason: format!("refusal {n}"),
        headers,
        body,
    }
}

#[tokio::test]
async fn sqlite_keeps_the_newest_rows_and_never_processes_them() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = Inbox::connect(&format!("sqlite:{}", dir.path().join("inbox.db").display())).await.unwrap();
    the_log_keeps_the_newest_rows_and_is_never_processed(&inbox).await;
}

#[tokio::test]
async fn postgres_keeps_the_newest_rows_and_never_processes_them() {
    let server = tokio::task::spawn_blocking(postgres_server::PostgresServer::start).await.unwrap();
    let inbox = Inbox::connect(&server.url()).await.unwrap();
    the_log_keeps_the_newest_rows_and_is_never_processed(&inbox).await;
    inbox.close().await;
}

async fn the_log_keeps_the_newest_rows_and_is_never_processed(inbox: &Inbox) {
    assert!(inbox.rejected(10).await.unwrap().is_empty(), "an empty log before any refusal");
    for n in 1..=7 {
        inbox.record_rejected(rejection(n, Bytes::from(format!("{{\"n\":{n}}}"))), 3).await.unwrap();
    }
    let rows = inbox.rejected(10).await.unwrap();
    let reasons: Vec<&str> = rows.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons, ["refusal 7", "refusal 6", "refusal 5"], "newest first, the oldest dropped");
    assert_eq!(rows[0].headers["webhook-id"], "msg_7");
    assert_eq!(rows[0].body, Bytes::from_static(br#"{"n":7}"#));
    assert_eq!((rows[0].status, rows[0].code.as_str()), (401, "signature_mismatch"));

    // A huge body is cut; its real size is kept.
    let huge = Bytes::from(vec![b'x'; REJECTED_BODY_LIMIT * 2]);
    inbox.record_rejected(rejection(8, huge), 3).await.unwrap();
    let newest = &inbox.rejected(1).await.unwrap()[0];
    assert_eq!((newest.body.len(), newest.body_size), (REJECTED_BODY_LIMIT, (REJECTED_BODY_LIMIT * 2) as u64));
    assert_eq!(inbox.rejected(10).await.unwrap().len(), 3);

    // Not events: nothing to claim, nothing counted.
    let stats = inbox.stats().await.unwrap();
    assert_eq!((stats.pending, stats.processing, stats.done, stats.dead), (0, 0, 0, 0));
    assert!(inbox.claim_due("worker", std::time::Duration::from_secs(30), 10).await.unwrap().is_empty());
}
