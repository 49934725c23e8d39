//! [`WebhookError`]: a refused delivery as an actix-web [`ResponseError`].

use std::error::Error as StdError;
use std::fmt;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use hookproof_core::{Reply, VerifyError};

/// The `error` code answered (500) when no [`Verifier`](hookproof_core::Verifier)
/// is configured for an extractor (the core's
/// [`VerifierNotConfigured`](VerifyError::VerifierNotConfigured)).
pub const MISSING_VERIFIER_CODE: &str = "verifier_not_configured";

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
        self.reply_to(VerifyError::code)
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
        self.reply_to(VerifyError::json_body)
    }

    /// `answer` applied to the core's error for this refusal.
    fn reply_to<T>(&self, answer: impl FnOnce(&VerifyError) -> T) -> T {
        match self {
            Self::Rejected(error) => answer(error),
            Self::MissingVerifier => answer(&VerifyError::VerifierNotConfigured),
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
        status(self.reply_to(VerifyError::status).as_u16())
    }

    fn error_response(&self) -> HttpResponse {
        reply(self.reply_to(Reply::refusal))
    }
}

/// A core [`Reply`] as a response: the one place this crate writes one.
pub(crate) fn reply(reply: Reply) -> HttpResponse {
    let mut response = HttpResponse::build(status(reply.status().as_u16()));
    for header in reply.headers() {
        response.insert_header(header);
    }
    response.body(reply.body().clone())
}

/// The core speaks http 1.x, actix-web 4 http 0.2: same numbers.
fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;
    use actix_web::http::header::CONTENT_TYPE;
    use hookproof_core::JSON_CONTENT_TYPE;

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
