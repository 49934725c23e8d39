//! Library-level throughput of the inbox, without HTTP: how fast concurrent
//! senders get deliveries acknowledged (stored and fsynced), and how fast a
//! worker with a no-op handler drains them, beside the disk's fsync rate.
//!
//! ```text
//! cargo run --release -p hookproof-inbox --example throughput -- sqlite:/tmp/inbox.db [EVENTS] [SENDERS] [HANDLERS]
//! cargo run --release -p hookproof-inbox --example throughput -- postgres://USER@HOST/DB 5000 64 16
//! ```
//!
//! Each run stores fresh keys; the rows stay in the database (done).

use std::io::Write as _;
use std::time::{Duration, Instant};

use hookproof_inbox::{Inbox, NewDelivery, Stored, Worker};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: throughput URL [EVENTS] [SENDERS] [HANDLERS]")?;
    let events: u32 = args.next().map_or(Ok(5000), |value| value.parse())?;
    let senders: u32 = args.next().map_or(Ok(64), |value| value.parse())?;
    let handlers: usize = args.next().map_or(Ok(16), |value| value.parse())?;

    println!("disk fsyncs/s (temp dir): {:.0}", fsync_rate(Duration::from_secs(1))?);
    let inbox = Inbox::connect(&url).await?;
    // Keys unique to this run, so that a reused database stores them all.
    let run = u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_nanos())?;

    let started = Instant::now();
    let mut tasks = Vec::new();
    for sender in 0..senders {
        let inbox = inbox.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for n in (sender..events).step_by(senders as usize) {
                let mut key = [0u8; 32];
                key[..8].copy_from_slice(&run.to_be_bytes());
                key[8..12].copy_from_slice(&n.to_be_bytes());
                let sent = Instant::now();
                let stored = inbox.store(NewDelivery::new(key, "throughput", vec![b'x'; 1024])).await;
                assert!(matches!(stored, Ok(Stored::Accepted { .. })), "{stored:?}");
                latencies.push(sent.elapsed());
            }
            latencies
        }));
    }
    let mut latencies = Vec::new();
    for task in tasks {
        latencies.extend(task.await?);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let p99 = latencies.get(latencies.len() * 99 / 100).copied().unwrap_or_default();
    let commits = inbox.group_commit_stats();
    println!(
        "stored {events} x 1 KiB from {senders} senders in {elapsed:.2?}: {:.0}/s, p99 {p99:.2?}, {:.1} per commit",
        f64::from(events) / elapsed.as_secs_f64(),
        commits.deliveries as f64 / commits.transactions.max(1) as f64
    );

    let started = Instant::now();
    let watcher = inbox.clone();
    let drained = async move {
        loop {
            match watcher.stats().await {
                Ok(stats) if stats.pending == 0 && stats.processing == 0 => return,
                _ => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    };
    let report = Worker::new(inbox)
        .concurrency(handlers)
        .retention(None)
        .poll_interval(Duration::from_millis(10))
        .run(|_event| async { Ok::<(), String>(()) }, drained)
        .await?;
    let elapsed = started.elapsed();
    println!(
        "drained {} with {handlers} handlers in {elapsed:.2?}: {:.0}/s",
        report.succeeded,
        report.succeeded as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}

/// Small writes each followed by fdatasync, for `window`: the physical limit
/// that group commit works around.
fn fsync_rate(window: Duration) -> std::io::Result<f64> {
    let mut file = tempfile::tempfile()?;
    let started = Instant::now();
    let mut syncs = 0u32;
    while started.elapsed() < window {
        file.write_all(&[0u8; 512])?;
        file.sync_data()?;
        syncs += 1;
    }
    Ok(f64::from(syncs) / started.elapsed().as_secs_f64())
}
