//! What the three Smile receiver examples share, so each example shows only
//! its framework's wiring: configuration from the environment and the
//! handling of a verified Smile event.

#![allow(dead_code)] // each example uses the part its framework needs

use std::sync::Arc;

use hookproof::events::{SmileEnvelope, SmileTopic};
use hookproof::{presets, Verified, Verifier};

/// Where to listen and how to verify, read from `PORT` (default 3000) and
/// `HOOKPROOF_SECRET` (required).
pub(crate) struct Config {
    /// `127.0.0.1:PORT`.
    pub(crate) addr: std::net::SocketAddr,
    /// A Smile verifier with the configured secret.
    pub(crate) verifier: Arc<Verifier>,
}

impl Config {
    /// Reads the environment; on a missing secret or a bad port prints one
    /// line on stderr and exits with code 2.
    pub(crate) fn from_env() -> Self {
        let Ok(secret) = std::env::var("HOOKPROOF_SECRET") else {
            exit_usage("HOOKPROOF_SECRET is not set: export the Smile client secret to verify deliveries");
        };
        let port = match std::env::var("PORT") {
            Ok(port) => port.parse::<u16>().unwrap_or_else(|_| exit_usage("PORT must be a number from 0 to 65535")),
            Err(_) => 3000,
        };
        let verifier = Verifier::builder(presets::smile())
            .secret(secret)
            .build()
            .unwrap_or_else(|error| exit_usage(&format!("HOOKPROOF_SECRET is unusable: {error}")));
        Self { addr: std::net::SocketAddr::from(([127, 0, 0, 1], port)), verifier: Arc::new(verifier) }
    }
}

fn exit_usage(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(2)
}

/// Handles a verified Smile event: prints one JSON line on stdout and
/// returns the JSON answer (always 2xx: unknown topics are acknowledged so
/// Smile does not retry them).
pub(crate) fn handle(verified: &Verified, event: &SmileEnvelope) -> &'static str {
    let line = serde_json::json!({
        "timestamp": verified.timestamp(),
        "account_id": event.account_id,
        "topic": event.topic.to_string(),
        "data": event.data,
    });
    println!("{line}");
    match &event.topic {
        SmileTopic::Ping => r#"{"status":"pong"}"#,
        SmileTopic::Event { subject, verb } if subject == "customer" && verb == "updated" => {
            // A real receiver would enqueue the customer update here.
            r#"{"status":"processed"}"#
        }
        SmileTopic::Event { .. } => r#"{"status":"ignored"}"#,
    }
}
