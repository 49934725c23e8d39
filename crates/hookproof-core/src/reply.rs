//! [`Reply`]: an answer hookproof writes itself, before or instead of the
//! handler, the same in every framework.
//!
//! Refusals, duplicates, inbox acknowledgements, ignored event types and
//! setup handshakes are decided here once; each adapter turns a `Reply`
//! into its framework's response in one function, so no adapter writes a
//! status, a header or a body of its own.
//!
//! | reply | status | body |
//! |---|---|---|
//! | [`Reply::refusal`] | [`VerifyError::status`] | [`VerifyError::json_body`] |
//! | [`Reply::duplicate`] | 200 | [`DUPLICATE_BODY`] |
//! | [`Reply::accepted`] | 202 | [`ACCEPTED_BODY`] |
//! | [`Reply::ignored`] | 200 | [`IGNORED_BODY`] |
//! | a [handshake](crate::handshake) answer | 200, or 400 / 403 / 405 | the challenge or token |
//!
//! Every reply carries its `Content-Type` and `X-Content-Type-Options:
//! nosniff` ([`headers`](Reply::headers)).
//!
//! ```
//! use hookproof_core::{Reply, VerifyError};
//!
//! let reply = Reply::refusal(&VerifyError::SignatureMismatch);
//! assert_eq!((reply.status().as_u16(), reply.content_type()), (401, "application/json"));
//! let response = reply.into_response();
//! assert_eq!(response.headers()["x-content-type-options"], "nosniff");
//! ```

use bytes::Bytes;
use http::StatusCode;

use crate::route::IGNORED_BODY;
use crate::{VerifyError, ACCEPTED_BODY, DUPLICATE_BODY, JSON_CONTENT_TYPE};

/// The `Content-Type` of text replies: echoed challenges and text answers.
pub(crate) const TEXT_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

/// An answer: status, `Content-Type` and body; see the [module
/// documentation](self).
///
/// Handlers routed by the tower adapter's `RouteEvents` return anything
/// `Into<Reply>`: a `String` or `&'static str` (200 text), a status with
/// one, or a `Reply` built with [`new`](Self::new).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
}

impl Reply {
    /// A reply with this status, `Content-Type` and body.
    pub fn new(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        Self { status, content_type, body: body.into() }
    }

    /// A JSON reply.
    pub fn json(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self::new(status, JSON_CONTENT_TYPE, body)
    }

    /// A text reply (`text/plain; charset=utf-8`).
    pub fn text(status: StatusCode, body: impl Into<Bytes>) -> Self {
        Self::new(status, TEXT_CONTENT_TYPE, body)
    }

    /// The answer to a refused delivery, as the
    /// [contract](VerifyError#the-answer-to-every-outcome) says.
    pub fn refusal(error: &VerifyError) -> Self {
        Self::json(error.status(), error.json_body())
    }

    /// 200 [`DUPLICATE_BODY`]: the event was already processed or stored.
    pub fn duplicate() -> Self {
        Self::json(StatusCode::OK, DUPLICATE_BODY)
    }

    /// 202 [`ACCEPTED_BODY`]: the delivery is stored in an inbox.
    pub fn accepted() -> Self {
        Self::json(StatusCode::ACCEPTED, ACCEPTED_BODY)
    }

    /// 200 [`IGNORED_BODY`]: a verified event type with no handler.
    pub fn ignored() -> Self {
        Self::json(StatusCode::OK, IGNORED_BODY)
    }

    /// A refusal that has no [`VerifyError`] (handshakes), in the shape of
    /// every hookproof error body.
    pub(crate) fn error(status: StatusCode, code: &str, message: &str) -> Self {
        Self::json(status, serde_json::json!({ "error": code, "message": message }).to_string())
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    /// The body.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// The headers to send: `Content-Type` and `X-Content-Type-Options: nosniff`.
    pub fn headers(&self) -> [(&'static str, &'static str); 2] {
        [("content-type", self.content_type), ("x-content-type-options", "nosniff")]
    }

    /// The reply as an `http` response, for adapters on `http` 1.
    pub fn into_response(self) -> http::Response<Bytes> {
        let headers = self.headers();
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        for (name, value) in headers {
            response.headers_mut().insert(name, http::HeaderValue::from_static(value));
        }
        response
    }
}

impl From<&VerifyError> for Reply {
    fn from(error: &VerifyError) -> Self {
        Self::refusal(error)
    }
}

impl From<VerifyError> for Reply {
    fn from(error: VerifyError) -> Self {
        Self::refusal(&error)
    }
}

impl From<String> for Reply {
    fn from(text: String) -> Self {
        Self::text(StatusCode::OK, text)
    }
}

impl From<&'static str> for Reply {
    fn from(text: &'static str) -> Self {
        Self::text(StatusCode::OK, text)
    }
}

impl From<(StatusCode, String)> for Reply {
    fn from((status, text): (StatusCode, String)) -> Self {
        Self::text(status, text)
    }
}

impl From<(StatusCode, &'static str)> for Reply {
    fn from((status, text): (StatusCode, &'static str)) -> Self {
        Self::text(status, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_names_its_type_and_forbids_sniffing() {
        let replies = [
            (Reply::refusal(&VerifyError::BodyTooLarge { limit: 1 }), 413, JSON_CONTENT_TYPE),
            (Reply::duplicate(), 200, JSON_CONTENT_TYPE),
            (Reply::accepted(), 202, JSON_CONTENT_TYPE),
            (Reply::ignored(), 200, JSON_CONTENT_TYPE),
            (Reply::from((StatusCode::CREATED, "made")), 201, TEXT_CONTENT_TYPE),
        ];
        for (reply, status, content_type) in replies {
            let body = reply.body().clone();
            let response = reply.into_response();
            assert_eq!(
                (response.status().as_u16(), response.headers()["content-type"].to_str().unwrap()),
                (status, content_type)
            );
            assert_eq!(response.headers()["x-content-type-options"], "nosniff");
            assert_eq!(response.into_body(), body);
        }
        let refusal: serde_json::Value =
            serde_json::from_slice(Reply::from(VerifyError::InFlight).body()).expect("JSON");
        assert_eq!(refusal["error"], "in_flight");
    }
}
