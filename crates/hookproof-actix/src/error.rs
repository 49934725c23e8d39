//! [`WebhookError`]: a refused delivery as an actix-web [`ResponseError`].

use std::error::Error as StdError;
use std::fmt;

use actix_web::http::header::{HeaderValue, CONTENT_TYPE};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hookproof_core::{VerifyError, JSON_CONTENT_TYPE};

/// The `error` code answered (500) when no [`Verifier`](hookproof_core::Verifier)
/// is configured for an extractor.
pub const MISSING_VERIFIER_CODE: &str = "verifier_not_configured";

const MISSING_VERIFIER_BODY: &str = concat!(
    r#"{"error":"verifier_not_configured","message":"#,
    r#""no hookproof Verifier is configured for this route (app_data or WebhookMiddleware)"}"#
);

/// Why the middleware or an extractor refused a request.
///
/// Answered through [`ResponseError`] with the status and JSON body of the
/// behaviour contract, decided once in the core
/// ([`VerifyError::status`], [`VerifyError::json_body`]):
/// `{"error": "<code>", "message": "<short text>"}` with
/// `Content-Type: application/json`.
#[derive(Debug)]
#[non_exhaustive]
pub enum WebhookError {
    /// The delivery was refused (400, 401, 413, 422, ... as in the contract),
    /// or, behind a [`WebhookMiddleware`](crate::WebhookMiddleware) with
    /// replay protection, its handler panicked (500 `handler_panicked`) or
    /// timed out (503 `handler_timed_out`).
    Rejected(VerifyError),
    /// An extractor found neither the middleware's result nor a
    /// [`Verifier`](hookproof_core::Verifier) in `app_data`: a server
    /// configuration mistake, answered 500 with code
    /// [`verifier_not_configured`](MISSING_VERIFIER_CODE), never a panic.
    MissingVerifier,
}

impl WebhookError {
    /// The stable `error` code sent in the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(error) => error.code(),
            Self::MissingVerifier => MISSING_VERIFIER_CODE,
        }
    }

    /// The core's reason, when the delivery itself was refused.
    pub fn verify_error(&self) -> Option<&VerifyError> {
        match self {
            Self::Rejected(error) => Some(error),
            Self::MissingVerifier => None,
        }
    }

    /// The JSON body answered.
    pub fn json_body(&self) -> String {
        match self {
            Self::Rejected(error) => error.json_body(),
            Self::MissingVerifier => MISSING_VERIFIER_BODY.to_owned(),
        }
    }
}

impl From<VerifyError> for WebhookError {
    fn from(error: VerifyError) -> Self {
        Self::Rejected(error)
    }
}

impl fmt::Display for WebhookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(error) => fmt::Display::fmt(error, f),
            Self::MissingVerifier => f.write_str("no hookproof Verifier is configured for this route"),
        }
    }
}

impl StdError for WebhookError {
    // Transparent: `Rejected` prints as the core's error and has its
    // source, so an error chain names each cause once.
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            Self::Rejected(error) => error.source(),
            Self::MissingVerifier => None,
        }
    }
}

impl ResponseError for WebhookError {
    fn status_code(&self) -> StatusCode {
        match self {
            // The core speaks http 1.x, actix-web 4 http 0.2: same numbers.
            Self::Rejected(error) => {
                StatusCode::from_u16(error.status().as_u16()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            }
            Self::MissingVerifier => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        HttpResponse::build(self.status_code())
            .insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE)))
            .body(self.json_body())
    }
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    #[test]
    fn answers_with_the_core_contract() {
        let cases = [
            (WebhookError::from(VerifyError::MissingHeader { header: "x".into() }), 400, "missing_header"),
            (VerifyError::SignatureMismatch.into(), 401, "signature_mismatch"),
            (VerifyError::BodyTooLarge { limit: 1 }.into(), 413, "body_too_large"),
            (WebhookError::MissingVerifier, 500, MISSING_VERIFIER_CODE),
            (VerifyError::HandlerPanicked.into(), 500, "handler_panicked"),
            (VerifyError::InFlight.into(), 409, "in_flight"),
            (VerifyError::ReplayStoreUnavailable(None).into(), 503, "replay_store_unavailable"),
        ];
        for (error, status, code) in cases {
            let response = error.error_response();
            assert_eq!(response.status().as_u16(), status);
            assert_eq!(response.headers().get(CONTENT_TYPE).unwrap(), JSON_CONTENT_TYPE);
            let body = response.into_body().try_into_bytes().unwrap();
            let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"], code);
            assert_eq!(body["message"].as_str().map(str::is_empty), Some(false));
        }
    }
}
