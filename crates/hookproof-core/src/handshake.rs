//! Setup handshakes: the requests some providers send when an endpoint is
//! registered, to check that it is the receiver's before sending events.
//!
//! | provider | request | answer |
//! |---|---|---|
//! | Slack ([`Handshake::slack`], on by default with [`presets::slack`](crate::presets::slack)) | signed POST, JSON `"type":"url_verification"` | 200 `text/plain`, the `challenge` |
//! | Zoom ([`Handshake::zoom`], on by default with [`presets::zoom`](crate::presets::zoom)) | signed POST, JSON `"event":"endpoint.url_validation"` | 200 JSON `{"plainToken":P,"encryptedToken":hex(HMAC-SHA256(secret, P))}` |
//! | Meta ([`Handshake::meta`]) | GET `?hub.mode=subscribe&hub.verify_token=T&hub.challenge=C` | 200 `text/plain` C when T is the configured token, else 403 |
//! | X ([`Handshake::x_crc`]) | GET `?crc_token=T` | 200 JSON `{"response_token":"sha256=" + base64(HMAC-SHA256(consumer secret, T))}` |
//! | Dropbox ([`Handshake::dropbox`]) | GET `?challenge=C` | 200 `text/plain` C |
//!
//! A handshake is configured on the [`Verifier`](crate::Verifier)
//! ([`VerifierBuilder::handshake`](crate::VerifierBuilder::handshake)), and
//! the adapters' layer and middleware answer it: the signed (POST) ones
//! once the signature checked out, instead of calling the handler; the GET
//! ones before anything else, and only on a route wired for GET too (a
//! route that only accepts POST never sees them). With a GET handshake
//! configured, any other GET is answered 405: deliveries are POSTs.
//!
//! # In the adapters
//!
//! The tower `WebhookLayer` (also in front of axum routes) and the actix
//! `WebhookMiddleware` answer handshakes; the extractors alone do not (a
//! handler cannot reply for them). For the GET ones the route must take GET
//! too, and the handler never runs for a GET:
//!
//! - axum: `post(handler).get(handler)` under `route_layer(WebhookLayer::new(verifier))`;
//! - actix: `.route(web::get().to(handler))` on the wrapped resource.
//!
//! Schemes that sign the request URL (Twilio, Square, HubSpot) are verified
//! by every adapter against the URL [`Verifier::begin_received`](crate::Verifier::begin_received)
//! rebuilds: configure the [public URL](crate::VerifierBuilder::public_url)
//! behind TLS termination or under a path prefix (axum's `nest`).
//!
//! Echoed challenges are bounded ([`MAX_CHALLENGE_LEN`], visible ASCII,
//! otherwise 400 `invalid_challenge`) and answered as `text/plain` with
//! `X-Content-Type-Options: nosniff`, so a challenge can never be rendered
//! as HTML. Every answer carries `nosniff`. Tokens and secrets never appear
//! in `Debug` output, logs or errors.
//!
//! ```
//! use hookproof_core::handshake::Handshake;
//! use hookproof_core::{presets, Verifier};
//!
//! let verifier = Verifier::builder(presets::github())
//!     .secret("s3cret")
//!     .handshake(Handshake::meta("my-verify-token"))
//!     .build()?;
//! let query = "hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444";
//! let reply = verifier.answer_handshake("GET", Some(query)).expect("a Meta handshake");
//! assert_eq!((reply.status().as_u16(), &reply.body()[..]), (200, &b"1158201444"[..]));
//!
//! let wrong = verifier.answer_handshake("GET", Some("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1"));
//! assert_eq!(wrong.unwrap().status().as_u16(), 403);
//! // Deliveries (POST) are verified as usual.
//! assert!(verifier.answer_handshake("POST", Some(query)).is_none());
//! # Ok::<(), hookproof_core::ConfigError>(())
//! ```

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use http::StatusCode;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use crate::mac::{self, Content};
use crate::{Algorithm, Encoding, Part, Reply, Secret};

/// Longest challenge (or token) a handshake accepts, in bytes; longer is
/// 400 `invalid_challenge`. Providers send a few dozen characters.
pub const MAX_CHALLENGE_LEN: usize = 1024;

/// Signed handshake bodies are a few hundred bytes: a larger body is an
/// event, and is not looked at here.
const MAX_HANDSHAKE_BODY: usize = 4096;

/// A setup handshake the receiver answers; see the [module docs](self).
///
/// `Debug` never shows a token or a secret.
#[derive(Clone)]
pub struct Handshake(Kind);

#[derive(Clone)]
enum Kind {
    Signed(Signed),
    Meta(Secret),
    XCrc(Secret),
    Dropbox,
}

/// The handshakes that come as signed deliveries, which a scheme may turn on
/// by default (a plain value, so that [`Scheme`](crate::Scheme) stays `Eq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signed {
    Slack,
    Zoom,
}

impl Handshake {
    /// Slack's `url_verification`: a signed POST whose JSON body has
    /// `"type":"url_verification"` is answered 200 with its `challenge`.
    /// On by default with [`presets::slack`](crate::presets::slack).
    pub fn slack() -> Self {
        Self(Kind::Signed(Signed::Slack))
    }

    /// Zoom's `endpoint.url_validation`: a signed POST whose JSON body has
    /// `"event":"endpoint.url_validation"` is answered 200
    /// `{"plainToken":P,"encryptedToken":hex(HMAC-SHA256(secret, P))}`, with
    /// the verifier's first (newest) secret. On by default with
    /// [`presets::zoom`](crate::presets::zoom).
    pub fn zoom() -> Self {
        Self(Kind::Signed(Signed::Zoom))
    }

    /// Meta's (Facebook, Instagram, WhatsApp) subscription check: a GET with
    /// `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge` is
    /// answered 200 with the challenge when the token equals `verify_token`
    /// (compared in constant time), 403 `verify_token_mismatch` otherwise.
    pub fn meta(verify_token: impl Into<Secret>) -> Self {
        Self(Kind::Meta(verify_token.into()))
    }

    /// X's (Twitter's) challenge-response check: a GET with `crc_token=T` is
    /// answered 200 `{"response_token":"sha256=" + base64(HMAC-SHA256(consumer_secret, T))}`.
    pub fn x_crc(consumer_secret: impl Into<Secret>) -> Self {
        Self(Kind::XCrc(consumer_secret.into()))
    }

    /// Dropbox's verification: a GET with `challenge=C` is answered 200
    /// with C.
    pub fn dropbox() -> Self {
        Self(Kind::Dropbox)
    }

    /// The method the provider sends it with: `POST` (Slack, Zoom: signed
    /// deliveries) or `GET` (Meta, X, Dropbox: the route must accept GET).
    pub fn method(&self) -> &'static str {
        match self.0 {
            Kind::Signed(_) => "POST",
            Kind::Meta(_) | Kind::XCrc(_) | Kind::Dropbox => "GET",
        }
    }

    pub(crate) fn signed(kind: Signed) -> Self {
        Self(Kind::Signed(kind))
    }
}

impl fmt::Debug for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the kind: the token and the secret are `Secret(***)` anyway,
        // and naming them at all is noise.
        f.write_str(match self.0 {
            Kind::Signed(Signed::Slack) => "Handshake::slack",
            Kind::Signed(Signed::Zoom) => "Handshake::zoom",
            Kind::Meta(_) => "Handshake::meta(***)",
            Kind::XCrc(_) => "Handshake::x_crc(***)",
            Kind::Dropbox => "Handshake::dropbox",
        })
    }
}

/// 400 `invalid_challenge`.
fn invalid_challenge() -> Reply {
    Reply::error(
        StatusCode::BAD_REQUEST,
        "invalid_challenge",
        "the challenge is missing, repeated, too long or not printable",
    )
}

/// The answer to a GET handshake, when `method` is GET and a GET handshake
/// is configured; see [`Verifier::answer_handshake`](crate::Verifier::answer_handshake).
pub(crate) fn answer_request(handshakes: &[Handshake], method: &str, query: Option<&str>) -> Option<Reply> {
    if method != "GET" || !handshakes.iter().any(|handshake| handshake.method() == "GET") {
        return None;
    }
    let query = query.unwrap_or_default();
    let reply = handshakes.iter().find_map(|handshake| match &handshake.0 {
        Kind::Meta(token) => param(query, "hub.mode").map(|mode| meta(query, mode, token)),
        Kind::XCrc(secret) => param(query, "crc_token").map(|token| x_crc(token, secret)),
        Kind::Dropbox => param(query, "challenge").map(|challenge| echo(challenge.as_deref())),
        Kind::Signed(_) => None,
    });
    Some(
        reply.unwrap_or_else(|| {
            Reply::error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "deliveries are POSTs")
        }),
    )
}

/// The answer to a signed handshake, for a body that verified; see
/// [`Verifier::answer_signed_handshake`](crate::Verifier::answer_signed_handshake).
/// `key` is the HMAC key Zoom's token is encrypted with.
pub(crate) fn answer_delivery(handshakes: &[Handshake], key: Option<&[u8]>, body: &[u8]) -> Option<Reply> {
    let signed = |kind| handshakes.iter().any(|handshake| matches!(handshake.0, Kind::Signed(k) if k == kind));
    let (slack, zoom) = (signed(Signed::Slack), signed(Signed::Zoom));
    let mentions = |marker: &[u8]| body.windows(marker.len()).any(|window| window == marker);
    // Events are not parsed a second time: only a small body naming a handshake is.
    if body.len() > MAX_HANDSHAKE_BODY
        || !((slack && mentions(b"url_verification")) || (zoom && mentions(b"endpoint.url_validation")))
    {
        return None;
    }
    #[derive(Deserialize)]
    struct Envelope<'a> {
        #[serde(rename = "type", borrow)]
        kind: Option<Cow<'a, str>>,
        #[serde(borrow)]
        event: Option<Cow<'a, str>>,
        challenge: Option<serde_json::Value>,
        #[serde(default)]
        payload: Option<serde_json::Value>,
    }
    let envelope: Envelope<'_> = serde_json::from_slice(body).ok()?;
    if slack && envelope.kind.as_deref() == Some("url_verification") {
        return Some(echo(envelope.challenge.as_ref().and_then(serde_json::Value::as_str)));
    }
    if zoom && envelope.event.as_deref() == Some("endpoint.url_validation") {
        let plain = envelope.payload.as_ref().and_then(|payload| payload["plainToken"].as_str());
        let Some(plain) = plain.filter(|token| printable(token)) else {
            return Some(invalid_challenge());
        };
        let encrypted = hmac_sha256(key?, plain, Encoding::Hex);
        let body = serde_json::json!({ "plainToken": plain, "encryptedToken": encrypted }).to_string();
        return Some(Reply::json(StatusCode::OK, body));
    }
    None
}

fn meta(query: &str, mode: Option<Cow<'_, str>>, token: &Secret) -> Reply {
    let given = param(query, "hub.verify_token").flatten();
    // Digests first: equal lengths, so the comparison leaks neither the
    // token's bytes nor its length.
    let matches =
        given.is_some_and(|given| Sha256::digest(given.as_bytes()).ct_eq(&Sha256::digest(token.expose())).into());
    if mode.as_deref() != Some("subscribe") || !matches {
        return Reply::error(StatusCode::FORBIDDEN, "verify_token_mismatch", "the verify token is wrong");
    }
    echo(param(query, "hub.challenge").flatten().as_deref())
}

fn x_crc(token: Option<Cow<'_, str>>, secret: &Secret) -> Reply {
    let Some(token) = token.filter(|token| printable(token)) else { return invalid_challenge() };
    let response_token = format!("sha256={}", hmac_sha256(secret.expose(), &token, Encoding::Base64));
    Reply::json(StatusCode::OK, serde_json::json!({ "response_token": response_token }).to_string())
}

/// The challenge back, as plain text, when it is safe to echo.
fn echo(challenge: Option<&str>) -> Reply {
    match challenge.filter(|challenge| printable(challenge)) {
        Some(challenge) => Reply::text(StatusCode::OK, Bytes::copy_from_slice(challenge.as_bytes())),
        None => invalid_challenge(),
    }
}

/// Short visible ASCII: what providers send, and nothing a browser or a
/// log could be tricked with.
fn printable(text: &str) -> bool {
    !text.is_empty() && text.len() <= MAX_CHALLENGE_LEN && text.bytes().all(|byte| byte.is_ascii_graphic())
}

/// A query parameter: `None` when absent, `Some(None)` when repeated
/// (ambiguous: which one would the provider check?), else its decoded value.
fn param<'q>(query: &'q str, name: &str) -> Option<Option<Cow<'q, str>>> {
    let mut values = form_urlencoded::parse(query.as_bytes()).filter(|(key, _)| key == name).map(|(_, value)| value);
    let first = values.next()?;
    Some(values.next().is_none().then_some(first))
}

/// HMAC-SHA256 of `message`, through the same code that verifies signatures.
fn hmac_sha256(key: &[u8], message: &str, encoding: Encoding) -> String {
    mac::compute(Algorithm::HmacSha256, key, &[Part::Body], Content::new(b"", b"", message.as_bytes())).encode(encoding)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::TEXT_CONTENT_TYPE;

    #[test]
    fn debug_hides_tokens_and_secrets() {
        let all = [Handshake::meta("meta-token-123"), Handshake::x_crc("x-secret-456"), Handshake::dropbox()];
        let printed = format!("{all:?}");
        assert!(!printed.contains("meta-token-123") && !printed.contains("x-secret-456"), "{printed}");
    }

    #[test]
    fn challenges_are_bounded_printable_and_plain_text() {
        let dropbox = [Handshake::dropbox()];
        let answer = |query: &str| answer_request(&dropbox, "GET", Some(query)).unwrap();
        let ok = answer("challenge=abc123");
        assert_eq!(
            (ok.status(), ok.content_type(), &ok.body()[..]),
            (StatusCode::OK, TEXT_CONTENT_TYPE, &b"abc123"[..])
        );
        assert_eq!(ok.headers()[1], ("x-content-type-options", "nosniff"));
        let long = format!("challenge={}", "a".repeat(MAX_CHALLENGE_LEN + 1));
        for refused in ["challenge=%3Cscript%3E%0A", "challenge=a%20b", "challenge=", "challenge=a&challenge=b", &long]
        {
            assert_eq!(answer(refused).status(), StatusCode::BAD_REQUEST, "{refused}");
        }
        assert_eq!(answer(&format!("challenge={}", "a".repeat(MAX_CHALLENGE_LEN))).status(), StatusCode::OK);
        assert_eq!(answer("other=1").status(), StatusCode::METHOD_NOT_ALLOWED);
        assert!(answer_request(&dropbox, "POST", Some("challenge=a")).is_none());
        assert!(answer_request(&[Handshake::slack()], "GET", Some("challenge=a")).is_none());
    }

    #[test]
    fn x_crc_matches_the_documented_construction() {
        // base64(HMAC-SHA256("secret", "token")), computed with `openssl dgst -hmac`.
        let reply = answer_request(&[Handshake::x_crc("secret")], "GET", Some("crc_token=token")).unwrap();
        let json: serde_json::Value = serde_json::from_slice(reply.body()).unwrap();
        assert_eq!(json["response_token"], "sha256=6UERDj0r/oJiHw4+FDRzDXMF0QbF9oyHFl0LJ6RhGko=");
    }
}
