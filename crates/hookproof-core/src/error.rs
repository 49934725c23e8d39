//! [`VerifyError`] and [`ConfigError`]: what can go wrong, and the one place
//! that decides which HTTP answer each failure gets.

use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use http::StatusCode;

/// Why a delivery was refused.
///
/// # The answer to every outcome
///
/// This table is the contract, and the one place it is written down: every
/// adapter (axum, actix-web, tower), the CLI's `listen` and the examples
/// answer a refusal with [`status`](Self::status) and the JSON body
/// `{"error": code, "message": ...}` from [`json_body`](Self::json_body), so
/// the same request gets the same answer whichever framework serves it. The
/// README and the adapters' docs link here.
///
/// | outcome | variant | status | `error` ([`code`](Self::code)) |
/// |---|---|---|---|
/// | verified, handler succeeded | — | the handler's 2xx | — |
/// | verified and stored, in [inbox mode](crate::sink) | — | 202 [`ACCEPTED_BODY`](crate::ACCEPTED_BODY) | — |
/// | duplicate of a processed event (replay protection on) | — | 200 [`DUPLICATE_BODY`](crate::DUPLICATE_BODY) | — |
/// | a header the scheme requires is missing | [`MissingHeader`](Self::MissingHeader) | 400 | `missing_header` |
/// | a header is unusable (encoding, timestamp, more than 16 signatures, wrong version tag, repeated, over 4 KiB) | [`MalformedHeader`](Self::MalformedHeader) | 400 | `malformed_header` |
/// | no configured secret matches any signature (wrong secret, tampered body) | [`SignatureMismatch`](Self::SignatureMismatch) | 401 | `signature_mismatch` |
/// | the timestamp is older than the tolerance | [`TimestampTooOld`](Self::TimestampTooOld) | 401 | `timestamp_too_old` |
/// | the timestamp is further ahead than the tolerance | [`TimestampInFuture`](Self::TimestampInFuture) | 401 | `timestamp_in_future` |
/// | the body is over the limit (a `Content-Length` up front, or while streaming) | [`BodyTooLarge`](Self::BodyTooLarge) | 413 | `body_too_large` |
/// | the verified body does not decode into the handler's type | [`InvalidPayload`](Self::InvalidPayload) | 422 | `invalid_payload` |
/// | the same event is in flight elsewhere | [`InFlight`](Self::InFlight) | 409 | `in_flight` |
/// | the replay store cannot be reached | [`ReplayStoreUnavailable`](Self::ReplayStoreUnavailable) | 503 | `replay_store_unavailable` |
/// | the body failed while being read (the connection broke) | [`BodyRead`](Self::BodyRead) | 400 | `body_read_failed` |
/// | the handler panicked (replay protection on; claim released) | [`HandlerPanicked`](Self::HandlerPanicked) | 500 | `handler_panicked` |
/// | the handler passed `handler_timeout` (replay protection on; claim released) | [`HandlerTimedOut`](Self::HandlerTimedOut) | 503 | `handler_timed_out` |
/// | the inbox cannot store the delivery (inbox mode) | [`InboxUnavailable`](Self::InboxUnavailable) | 503 | `inbox_unavailable` |
/// | an adapter found no verifier to use | [`VerifierNotConfigured`](Self::VerifierNotConfigured) | 500 | `verifier_not_configured` |
///
/// [Setup handshakes](crate::handshake), when configured, answer for
/// themselves: the challenge (200), and 400 `invalid_challenge`, 403
/// `verify_token_mismatch` or 405 `method_not_allowed` (a GET that is no
/// configured handshake).
///
/// The handler rows are answered only under replay protection, which runs
/// the handler inside a [`Claim`](crate::Claim) and so sees it fail; they
/// are decided here, so every adapter answers them alike. The inbox rows
/// apply only in [inbox mode](crate::sink).
///
/// Messages never contain a secret, a computed signature or an expected value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A header the scheme requires is absent.
    #[error("missing required header `{header}`")]
    MissingHeader {
        /// The (first) name the header was looked up under.
        header: Cow<'static, str>,
    },
    /// A header is present but cannot be used: not visible ASCII, repeated,
    /// too long, bad encoding, unparsable timestamp, too many signatures or a
    /// wrong version tag.
    #[error("header `{header}` is malformed: {reason}")]
    MalformedHeader {
        /// The header's name.
        header: Cow<'static, str>,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No configured secret produced any of the signatures in the request.
    #[error("no signature matches")]
    SignatureMismatch,
    /// The delivery's timestamp is older than the tolerance allows.
    #[error("timestamp is older than the allowed tolerance")]
    TimestampTooOld,
    /// The delivery's timestamp is further in the future than the tolerance allows.
    #[error("timestamp is too far in the future")]
    TimestampInFuture,
    /// The body is larger than the configured limit.
    #[error("body is larger than the {limit} byte limit")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The signature is valid but the body does not decode into the
    /// handler's type. The decoder's message is part of this error's
    /// text (it helps the sender), so it is not also its `source()`: an
    /// error chain prints it once.
    #[error("payload does not match the expected format: {0}")]
    InvalidPayload(serde_json::Error),
    /// The same event is being processed right now by another request.
    #[error("this event is being processed by another request")]
    InFlight,
    /// The replay store could not be reached; the delivery is refused so the
    /// sender retries (fail closed).
    #[error("replay protection is unavailable, retry later")]
    ReplayStoreUnavailable(#[source] Option<Box<dyn StdError + Send + Sync>>),
    /// The request body could not be read (the connection failed mid-body).
    /// Not a row of the contract: a transport failure, answered 400.
    #[error("request body could not be read")]
    BodyRead(#[source] Box<dyn StdError + Send + Sync>),
    /// The handler panicked while processing a claimed event; the claim was
    /// released so the sender's retry is processed.
    #[error("the handler failed")]
    HandlerPanicked,
    /// The handler ran longer than the configured
    /// [handler timeout](crate::ReplayProtection::handler_timeout); it was
    /// stopped and the claim released so the sender retries.
    #[error("the handler took too long")]
    HandlerTimedOut,
    /// In [inbox mode](crate::sink), the inbox could not store the delivery
    /// (its database is unreachable or too slow); nothing was acknowledged,
    /// so the sender retries.
    #[error("the inbox is unavailable, retry later")]
    InboxUnavailable(#[source] Option<Box<dyn StdError + Send + Sync>>),
    /// An extractor found no verifier for its route: a server configuration
    /// mistake (no hookproof layer or middleware in front, no verifier in the
    /// request extensions), answered 500 rather than trusted.
    #[error("no hookproof verifier is configured for this route")]
    VerifierNotConfigured,
}

impl VerifyError {
    /// The stable machine-readable code sent as `error` in the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingHeader { .. } => "missing_header",
            Self::MalformedHeader { .. } => "malformed_header",
            Self::SignatureMismatch => "signature_mismatch",
            Self::TimestampTooOld => "timestamp_too_old",
            Self::TimestampInFuture => "timestamp_in_future",
            Self::BodyTooLarge { .. } => "body_too_large",
            Self::InvalidPayload(_) => "invalid_payload",
            Self::InFlight => "in_flight",
            Self::ReplayStoreUnavailable(_) => "replay_store_unavailable",
            Self::BodyRead(_) => "body_read_failed",
            Self::HandlerPanicked => "handler_panicked",
            Self::HandlerTimedOut => "handler_timed_out",
            Self::InboxUnavailable(_) => "inbox_unavailable",
            Self::VerifierNotConfigured => "verifier_not_configured",
        }
    }

    /// The HTTP status of the behaviour contract.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MissingHeader { .. } | Self::MalformedHeader { .. } | Self::BodyRead(_) => StatusCode::BAD_REQUEST,
            Self::SignatureMismatch | Self::TimestampTooOld | Self::TimestampInFuture => StatusCode::UNAUTHORIZED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::InvalidPayload(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::InFlight => StatusCode::CONFLICT,
            Self::ReplayStoreUnavailable(_) | Self::HandlerTimedOut | Self::InboxUnavailable(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::HandlerPanicked | Self::VerifierNotConfigured => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The response body: `{"error": "<code>", "message": "<short text>"}`.
    pub fn json_body(&self) -> String {
        serde_json::json!({ "error": self.code(), "message": self.to_string() }).to_string()
    }
}

/// The body answered, with status 200, to a duplicate of an event that was
/// already processed successfully. The handler does not run again.
pub const DUPLICATE_BODY: &str = r#"{"status":"duplicate"}"#;

/// The `Content-Type` of every body hookproof writes.
pub const JSON_CONTENT_TYPE: &str = "application/json";

/// A verifier or signer that cannot work as configured.
///
/// Returned by [`VerifierBuilder::build`](crate::VerifierBuilder::build),
/// [`Signer::new`](crate::Signer::new) and
/// [`SchemeBuilder::build`](crate::SchemeBuilder::build), so mistakes surface at
/// start-up rather than on the first delivery. Never contains the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No secret was configured.
    #[error("no secret configured")]
    NoSecret,
    /// A secret does not fit the scheme's key format (for example a
    /// `whsec_` secret that is not valid base64), or is empty.
    #[error("secret #{} (in the order configured) is not a valid {expected} key", index + 1)]
    InvalidSecret {
        /// Position of the secret among those configured (0-based; the
        /// message counts from 1, as people do).
        index: usize,
        /// What the scheme expects.
        expected: &'static str,
    },
    /// The scheme itself is inconsistent.
    #[error("invalid scheme: {0}")]
    InvalidScheme(&'static str),
    /// A duration is longer than the setting allows (a tolerance of
    /// `Duration::MAX`, say), refused here so that no clock arithmetic can
    /// overflow on a delivery.
    #[error("{setting} is longer than the {} second maximum", max.as_secs())]
    DurationTooLong {
        /// Which setting.
        setting: &'static str,
        /// The longest accepted.
        max: Duration,
    },
}

/// An error and its sources on one line, `: `-separated, for logs and
/// messages (hookproof's wrappers are transparent, so each cause shows once).
///
/// ```
/// let error = std::io::Error::other("connection refused");
/// assert_eq!(hookproof_core::ErrorChain(&error).to_string(), "connection refused");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a dyn StdError);

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_follow_the_contract() {
        let cases: Vec<(VerifyError, u16, &str)> = vec![
            (VerifyError::MissingHeader { header: "x".into() }, 400, "missing_header"),
            (VerifyError::MalformedHeader { header: "x".into(), reason: "bad" }, 400, "malformed_header"),
            (VerifyError::SignatureMismatch, 401, "signature_mismatch"),
            (VerifyError::TimestampTooOld, 401, "timestamp_too_old"),
            (VerifyError::TimestampInFuture, 401, "timestamp_in_future"),
            (VerifyError::BodyTooLarge { limit: 1 }, 413, "body_too_large"),
            (VerifyError::InvalidPayload(serde_json::from_str::<u8>("x").unwrap_err()), 422, "invalid_payload"),
            (VerifyError::InFlight, 409, "in_flight"),
            (VerifyError::ReplayStoreUnavailable(None), 503, "replay_store_unavailable"),
            (VerifyError::HandlerPanicked, 500, "handler_panicked"),
            (VerifyError::HandlerTimedOut, 503, "handler_timed_out"),
            (VerifyError::InboxUnavailable(None), 503, "inbox_unavailable"),
            (VerifyError::VerifierNotConfigured, 500, "verifier_not_configured"),
        ];
        for (error, status, code) in cases {
            assert_eq!(error.status().as_u16(), status, "{error:?}");
            assert_eq!(error.code(), code);
            let body: serde_json::Value = serde_json::from_str(&error.json_body()).unwrap();
            assert_eq!(body["error"], code);
            assert_eq!(body["message"], error.to_string());
        }
    }
}
