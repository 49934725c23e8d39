//! Metrics, through the `metrics` facade (feature `metrics`), so that any
//! exporter (Prometheus, StatsD, ...) can be plugged in. Without the feature
//! these calls compile to nothing.
//!
//! | metric | kind | labels |
//! |---|---|---|
//! | `hookproof_verified_total` | counter | `scheme` |
//! | `hookproof_rejected_total` | counter | `scheme`, `code` |
//! | `hookproof_duplicates_total` | counter | `scheme` |
//! | `hookproof_verify_seconds` | histogram (signature check) | `scheme` |

use std::borrow::Cow;
#[cfg(feature = "metrics")]
use std::time::Instant;

/// When a signature check started (nothing without the feature).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timer(#[cfg(feature = "metrics")] Instant);

impl Timer {
    pub(crate) fn start() -> Self {
        Self(
            #[cfg(feature = "metrics")]
            Instant::now(),
        )
    }
}

/// A delivery verified, and how long its signature check took. The scheme
/// stays a `Cow`: a preset's static name becomes a label without copying.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
#[allow(clippy::ptr_arg)]
pub(crate) fn verified(scheme: &Cow<'static, str>, timer: Timer) {
    #[cfg(feature = "metrics")]
    {
        metrics::counter!("hookproof_verified_total", "scheme" => scheme.clone()).increment(1);
        metrics::histogram!("hookproof_verify_seconds", "scheme" => scheme.clone()).record(timer.0.elapsed());
    }
}

/// A delivery refused, by code.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn rejected(scheme: &str, code: &'static str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("hookproof_rejected_total", "scheme" => scheme.to_owned(), "code" => code).increment(1);
}

/// A duplicate of a processed event, answered without running the handler.
#[cfg_attr(not(feature = "metrics"), allow(unused_variables))]
pub(crate) fn duplicate(scheme: &str) {
    #[cfg(feature = "metrics")]
    metrics::counter!("hookproof_duplicates_total", "scheme" => scheme.to_owned()).increment(1);
}
