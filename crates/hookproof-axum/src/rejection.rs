//! [`WebhookRejection`]: why a handler did not run, as an HTTP answer.

use std::fmt;

use axum_core::body::Body;
use axum_core::response::{IntoResponse, Response};
use hookproof_core::{Reply, VerifyError};
use http::StatusCode;

/// The rejection of [`Webhook`](crate::Webhook) and
/// [`RawWebhook`](crate::RawWebhook).
///
/// As a response it is the status of the hookproof behaviour contract with
/// the body `{"error": "<code>", "message": "<short text>"}`
/// (`Content-Type: application/json`); the message never contains a secret
/// or a signature. To render your own answer, match on
/// [`status`](Self::status) and [`code`](Self::code), or take the
/// [`VerifyError`] with [`into_inner`](Self::into_inner) (for example with
/// `Result<Webhook<T>, WebhookRejection>` as the handler's argument).
///
/// The extractors' rejections are the 400, 401, 413, 422 and 500
/// `verifier_not_configured` rows of [the
/// contract](hookproof_core::VerifyError#the-answer-to-every-outcome), with
/// the status and code of [`VerifyError::status`] and [`VerifyError::code`],
/// shared by every hookproof adapter.
#[derive(Debug)]
pub struct WebhookRejection(VerifyError);

impl WebhookRejection {
    /// The HTTP status answered.
    pub fn status(&self) -> StatusCode {
        self.0.status()
    }

    /// The stable machine-readable code sent as `error` in the JSON body.
    pub fn code(&self) -> &'static str {
        self.0.code()
    }

    /// The underlying verification error.
    pub fn error(&self) -> &VerifyError {
        &self.0
    }

    /// The underlying verification error, by value.
    pub fn into_inner(self) -> VerifyError {
        self.0
    }
}

impl From<VerifyError> for WebhookRejection {
    fn from(error: VerifyError) -> Self {
        Self(error)
    }
}

impl fmt::Display for WebhookRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Transparent: prints as the core's error and has its source, so an error
/// chain names each cause once.
impl std::error::Error for WebhookRejection {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

impl IntoResponse for WebhookRejection {
    fn into_response(self) -> Response {
        reply(Reply::refusal(&self.0))
    }
}

/// A core [`Reply`] as a response: the one place this crate writes one.
pub(crate) fn reply(reply: Reply) -> Response {
    reply.into_response().map(Body::from)
}
