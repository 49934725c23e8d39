//! What the integration tests share: the three providers of the contract
//! matrix, a real router per provider, and request/response helpers.

#![allow(dead_code)] // each test file uses the part it needs

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use hookproof_axum::{RawWebhook, Webhook};
use hookproof_core::events::{SmileEnvelope, StandardWebhooksEvent};
use hookproof_core::{presets, Scheme, Signer, Verifier, JSON_CONTENT_TYPE};
use http_body_util::BodyExt as _;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tower::ServiceExt as _;

/// GitHub's `ping` event, the part the handler reads.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct GithubPing {
    pub(crate) zen: String,
    pub(crate) hook_id: u64,
}

/// What every handler answers: what it was given.
fn seen<T: Serialize>(webhook: Webhook<T>) -> Json<Value> {
    Json(json!({
        "scheme": webhook.verified.scheme(),
        "id": webhook.id(),
        "timestamp": webhook.timestamp(),
        "event": webhook.event,
    }))
}

async fn smile(webhook: Webhook<SmileEnvelope>) -> Json<Value> {
    seen(webhook)
}

async fn standard(webhook: Webhook<StandardWebhooksEvent>) -> Json<Value> {
    seen(webhook)
}

async fn github(webhook: Webhook<GithubPing>) -> Json<Value> {
    seen(webhook)
}

async fn raw(webhook: RawWebhook) -> Json<Value> {
    Json(json!({
        "id": webhook.id(),
        "timestamp": webhook.timestamp(),
        "body": String::from_utf8_lossy(&webhook.body),
    }))
}

pub(crate) const EVENT_ID: &str = "evt_0001";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    Smile,
    StandardWebhooks,
    Github,
}

impl Provider {
    pub(crate) fn scheme(self) -> Scheme {
        match self {
            Self::Smile => presets::smile(),
            Self::StandardWebhooks => presets::standard_webhooks(),
            Self::Github => presets::github(),
        }
    }

    /// The secret the receiver is configured with.
    pub(crate) fn secret(self) -> &'static str {
        match self {
            Self::StandardWebhooks => "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            _ => "It's a Secret to Everybody",
        }
    }

    /// A second secret, for rotation.
    pub(crate) fn old_secret(self) -> &'static str {
        match self {
            Self::StandardWebhooks => "whsec_c2Vjb25kLXNlY3JldC1mb3ItaG9va3Byb29mLXRlc3Rz",
            _ => "the previous secret",
        }
    }

    /// A secret the receiver does not know.
    pub(crate) fn wrong_secret(self) -> &'static str {
        match self {
            Self::StandardWebhooks => "whsec_dGhpcmQtc2VjcmV0LW5ldmVyLWNvbmZpZ3VyZWQhIQ==",
            _ => "a guessed secret",
        }
    }

    /// A body that decodes into the handler's type.
    pub(crate) fn body(self) -> &'static str {
        match self {
            Self::Smile => r#"{"account_id":42,"topic":"customer/updated","data":{"customer":{"id":7}}}"#,
            Self::StandardWebhooks => {
                r#"{"type":"user.created","timestamp":"2024-01-01T00:00:00Z","data":{"user_id":"u_1"}}"#
            }
            Self::Github => r#"{"zen":"Keep it logically awesome.","hook_id":123}"#,
        }
    }

    /// The same body with one value changed (still decodable).
    pub(crate) fn tampered_body(self) -> String {
        match self {
            Self::Smile => self.body().replace("42", "43"),
            Self::StandardWebhooks => self.body().replace("u_1", "u_2"),
            Self::Github => self.body().replace("123", "124"),
        }
    }

    /// Valid JSON that is not the handler's type.
    pub(crate) fn undecodable_body(self) -> &'static str {
        match self {
            Self::Smile => r#"{"hello":"world"}"#,
            Self::StandardWebhooks => r#"{"type":"user.created"}"#,
            Self::Github => r#"{"zen":"no hook id"}"#,
        }
    }

    pub(crate) fn signature_header(self) -> &'static str {
        match self {
            Self::Smile => "smile-signature",
            Self::StandardWebhooks => "webhook-signature",
            Self::Github => "x-hub-signature-256",
        }
    }

    pub(crate) fn has_timestamp(self) -> bool {
        self != Self::Github
    }

    /// Makes one header present but unusable.
    pub(crate) fn break_header(self, headers: &mut HeaderMap) {
        let (name, value) = match self {
            Self::Smile => ("smile-timestamp", "yesterday"),
            Self::StandardWebhooks => ("webhook-signature", "v1,***not-base64***"),
            Self::Github => ("x-hub-signature-256", "sha1=0123abcd"),
        };
        headers.insert(name, HeaderValue::from_static(value));
    }

    pub(crate) fn verifier(self) -> Verifier {
        Verifier::builder(self.scheme()).secret(self.secret()).build().expect("valid test secret")
    }

    /// Headers as the provider sends them, signed with `secret` at `at`.
    pub(crate) fn sign_with(self, secret: &str, body: &[u8], at: SystemTime) -> HeaderMap {
        Signer::new(self.scheme(), secret).expect("valid test secret").sign_at(body, at, Some(EVENT_ID))
    }

    /// Headers signed now with the configured secret.
    pub(crate) fn sign(self, body: &[u8]) -> HeaderMap {
        self.sign_with(self.secret(), body, SystemTime::now())
    }

    /// A real router with this provider's typed handler on `POST /webhooks`
    /// and a raw one on `POST /raw`.
    pub(crate) fn router(self, verifier: Verifier) -> Router {
        let typed = match self {
            Self::Smile => post(smile),
            Self::StandardWebhooks => post(standard),
            Self::Github => post(github),
        };
        Router::new()
            .route("/webhooks", typed)
            .route("/raw", post(raw))
            // The routes name their provider with a layer; no state needed.
            .layer(axum::Extension(Arc::new(verifier)))
    }
}

/// A real router with the raw handler on `POST /raw`, for any verifier
/// (form bodies, URL-signed schemes).
pub(crate) fn raw_router(verifier: Verifier) -> Router {
    Router::new().route("/raw", post(raw)).layer(axum::Extension(Arc::new(verifier)))
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
}

pub(crate) fn ten_minutes() -> Duration {
    Duration::from_secs(600)
}

/// `POST path` with `headers` and `body`.
pub(crate) fn post_request(path: &str, headers: HeaderMap, body: impl Into<Body>) -> Request<Body> {
    let mut request = Request::post(path).body(body.into()).expect("valid request");
    request.headers_mut().extend(headers);
    request
}

/// Sends `request` through `router` and returns the status and the JSON body.
pub(crate) async fn send(router: Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = router.oneshot(request).await.expect("routers are infallible");
    let status = response.status();
    if !status.is_success() {
        assert_eq!(response.headers()["content-type"], JSON_CONTENT_TYPE, "rejections are JSON");
    }
    let bytes = response.into_body().collect().await.expect("in-memory body").to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|error| panic!("response body is not JSON ({error}): {}", String::from_utf8_lossy(&bytes)));
    (status, body)
}

/// Asserts a rejection: exact status, exact `error` code, a message, and
/// nothing else in the body.
pub(crate) fn assert_rejected(answer: &(StatusCode, Value), status: u16, code: &str) {
    let (actual, body) = answer;
    assert_eq!((actual.as_u16(), body["error"].as_str()), (status, Some(code)), "body: {body}");
    assert!(body["message"].as_str().is_some_and(|message| !message.is_empty()), "body: {body}");
    assert_eq!(body.as_object().map(|fields| fields.len()), Some(2), "body: {body}");
}
