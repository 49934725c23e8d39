//! hookproof: receive webhooks safely.
//!
//! Read the raw body under a limit, check the signature in constant time,
//! reject stale and replayed deliveries, answer with the right status, and
//! only then trust the payload. This facade re-exports
//! [`hookproof-core`](hookproof_core); framework adapters come behind
//! features.
//!
//! ```
//! use std::time::SystemTime;
//! use hookproof::{presets, Signer, Verifier};
//!
//! let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
//! let body = br#"{"zen":"Keep it logically awesome."}"#;
//! let headers = Signer::new(presets::github(), "s3cret")?.sign(body);
//! let verified = verifier.verify(&headers, body)?;
//! let event: serde_json::Value = verified.decode(body)?;
//! assert_eq!(event["zen"], "Keep it logically awesome.");
//! # let _ = SystemTime::now();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Feature badges on docs.rs ("Available on crate feature X only").
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use hookproof_core::*;

/// The framework adapters and the Redis store, each behind its feature.
///
/// They live here, not at the crate root, so that `use hookproof::*` does
/// not shadow the `axum`, `tower`, `actix` or `redis` crates themselves.
pub mod integrations {
    /// The axum extractor (feature `axum`).
    #[cfg(feature = "axum")]
    pub use hookproof_axum as axum;

    /// The tower `Layer` (feature `tower`).
    #[cfg(feature = "tower")]
    pub use hookproof_tower as tower;

    /// The actix-web middleware, extractor and guard (feature `actix`).
    #[cfg(feature = "actix")]
    pub use hookproof_actix as actix;

    /// The Redis replay store (feature `redis`).
    #[cfg(feature = "redis")]
    pub use hookproof_redis as redis;
}

/// The durable inbox on SQLite or PostgreSQL, and its workers (feature `inbox`).
#[cfg(feature = "inbox")]
pub use hookproof_inbox as inbox;

/// The README's examples, compiled and run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
