//! Framework-free webhook verification.
//!
//! A [`Scheme`] describes how a provider signs (algorithm, key format, signed
//! content, headers, encoding, timestamp rule); [`presets`] has the real
//! ones. A [`Verifier`] checks a delivery's signature in constant time and
//! its freshness, against one or more secrets (rotation). A [`Signer`] does
//! the other direction. Failures are [`VerifyError`]s that carry the HTTP
//! status and error code every adapter answers with.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use hookproof_core::{presets, Verifier, VerifyError};
//!
//! let verifier = Verifier::builder(presets::standard_webhooks())
//!     .secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
//!     .build()?;
//!
//! let mut headers = http::HeaderMap::new();
//! headers.insert("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek".parse()?);
//! headers.insert("webhook-timestamp", "1614265330".parse()?);
//! headers.insert("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=".parse()?);
//! let body = br#"{"test": 2432232314}"#;
//!
//! let sent = UNIX_EPOCH + Duration::from_secs(1614265330);
//! let verified = verifier.verify_at(&headers, body, sent)?;
//! assert_eq!(verified.id(), Some("msg_p5jXN8AQM9LWM0D4loKWxJek"));
//!
//! // An hour later the same delivery is stale: 401 timestamp_too_old.
//! let error = verifier.verify_at(&headers, body, sent + Duration::from_secs(3600)).unwrap_err();
//! assert_eq!((error.status().as_u16(), error.code()), (401, "timestamp_too_old"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

// Feature badges on docs.rs ("Available on crate feature X only").
#![cfg_attr(docsrs, feature(doc_cfg))]

mod asym;
mod body;
mod error;
pub mod events;
mod extractor;
pub mod handshake;
mod headers;
pub mod identity;
pub mod intake;
mod mac;
pub mod observe;
pub mod presets;
mod redact;
pub mod replay;
pub mod reply;
pub mod route;
mod scheme;
mod secret;
mod sign;
pub mod sink;
mod timestamp;
mod verify;

pub use body::{check_content_length, parse_content_length, poll_read_body, read_body, BodyCollector, BodySink};
pub use error::{ConfigError, ErrorChain, VerifyError, DUPLICATE_BODY, JSON_CONTENT_TYPE};
pub use headers::HeaderLookup;
pub use identity::{EventKey, Identity, IdentitySource};
pub use intake::{Intake, Pass};
pub use redact::redact_url;
pub use replay::{Admission, Claim, Guarded, MemoryStore, ReplayProtection, ReplayStore, Settled};
pub use reply::Reply;
pub use scheme::{
    Algorithm, Encoding, KeyFormat, Part, Scheme, SchemeBuilder, SignatureFormat, TimestampFormat, DEFAULT_BODY_LIMIT,
    DEFAULT_TOLERANCE, MAX_RETRY_WINDOW, MAX_SIGNATURES, MAX_TOLERANCE,
};
pub use secret::Secret;
pub use sign::Signer;
pub use sink::{Acceptance, Delivery, DeliverySink, ACCEPTED_BODY};
pub use verify::{PendingDelivery, RequestTarget, Verified, Verifier, VerifierBuilder, MAX_HEADER_LEN};
