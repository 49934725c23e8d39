//! [`Verifier`]: checks a delivery's signature and freshness.

// Header names travel as `&Cow<'static, str>` so that errors clone them for
// free (presets' names are static); `&str` would force an allocation.
#![allow(clippy::ptr_arg)]

use std::borrow::Cow;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use bytes::{Buf, Bytes};
use serde::de::DeserializeOwned;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::asym::PublicKey;
use crate::handshake::Handshake;
use crate::identity::{self, EventKey, Identity, IdentitySource};
use crate::mac::{self, Content, BASE64, BASE64_URL};
use crate::route::{EventTypeSource, MAX_EVENT_TYPE_LEN};
use crate::{
    parse_content_length, BodyCollector, ConfigError, Encoding, HeaderLookup, Part, Scheme, Secret, SignatureFormat,
    VerifyError, MAX_SIGNATURES, MAX_TOLERANCE,
};

/// Longest header value read; longer is `malformed_header`. Sixteen base64
/// SHA-512 signatures with their tags fit in well under half of it.
pub const MAX_HEADER_LEN: usize = 4096;

/// Checks deliveries of one scheme against one or more secrets.
///
/// Build it once at start-up and share it (`Arc<Verifier>`); verifying takes
/// `&self`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use hookproof_core::{presets, Signer, Verifier};
///
/// let verifier = Verifier::builder(presets::smile())
///     .secret("new-secret")
///     .secret("old-secret") // rotation: either may match
///     .build()?;
///
/// // What Smile would send (signed with the old secret).
/// let body = br#"{"account_id":1,"topic":"ping","data":{}}"#;
/// let sent_at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let headers = Signer::new(presets::smile(), "old-secret")?.sign_at(body, sent_at, None);
///
/// let verified = verifier.verify_at(&headers, body, sent_at + Duration::from_secs(30))?;
/// assert_eq!(verified.timestamp(), Some(1_700_000_000));
/// let event: hookproof_core::events::SmileEnvelope = verified.decode(body)?;
/// assert!(event.topic.is_ping());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Verifier {
    scheme: Scheme,
    keys: Vec<Key>,
    public_url: Option<String>,
    tolerance: Option<Duration>,
    body_limit: usize,
    handshakes: Vec<Handshake>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme.name())
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .field("body_limit", &self.body_limit)
            .field("handshakes", &self.handshakes)
            .finish()
    }
}

/// Configures a [`Verifier`]; see [`Verifier::builder`].
#[derive(Debug)]
pub struct VerifierBuilder {
    scheme: Scheme,
    secrets: Vec<Secret>,
    public_url: Option<String>,
    tolerance: Option<Duration>,
    body_limit: Option<usize>,
    handshakes: Vec<Handshake>,
}

impl VerifierBuilder {
    /// Adds a secret. Repeat for rotation: a delivery signed with any of
    /// them is accepted.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Overrides the scheme's freshness window (both directions). Has no
    /// effect on schemes without a timestamp. Longer than
    /// [`MAX_TOLERANCE`](crate::MAX_TOLERANCE) is refused by
    /// [`build`](Self::build).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = Some(tolerance);
        self
    }

    /// Overrides the scheme's body limit.
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = Some(limit);
        self
    }

    /// The public URL the provider calls (`https://example.com/webhooks`),
    /// for schemes that sign the URL ([`Part::Url`]: Twilio, Square and
    /// HubSpot). Behind a proxy the URL a server sees differs from
    /// the one the provider signed; this one is used instead of the request's.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.public_url = Some(url.into());
        self
    }

    /// Answers a provider's setup [handshake](crate::handshake) (Meta, X,
    /// Dropbox; Slack and Zoom presets answer theirs already). Repeat for
    /// several. GET handshakes need the route wired for GET too.
    pub fn handshake(mut self, handshake: Handshake) -> Self {
        self.handshakes.push(handshake);
        self
    }

    /// Checks every secret against the scheme's key format.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        let keys = self
            .secrets
            .iter()
            .enumerate()
            .map(|(index, secret)| Key::derive(&self.scheme, secret, index))
            .collect::<Result<Vec<_>, _>>()?;
        let tolerance = match (self.scheme.tolerance, self.tolerance) {
            (Some(_), Some(custom)) => Some(custom),
            (scheme_default, _) => scheme_default,
        };
        if tolerance.is_some_and(|tolerance| tolerance > MAX_TOLERANCE) {
            return Err(ConfigError::DurationTooLong { setting: "tolerance", max: MAX_TOLERANCE });
        }
        Ok(Verifier {
            handshakes: self.scheme.handshake().into_iter().chain(self.handshakes).collect(),
            body_limit: self.body_limit.unwrap_or(self.scheme.body_limit),
            scheme: self.scheme,
            keys,
            public_url: self.public_url,
            tolerance,
        })
    }
}

impl Verifier {
    /// Starts configuring a verifier for `scheme`.
    pub fn builder(scheme: Scheme) -> VerifierBuilder {
        VerifierBuilder {
            scheme,
            secrets: Vec::new(),
            public_url: None,
            tolerance: None,
            body_limit: None,
            handshakes: Vec::new(),
        }
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Largest body accepted; adapters stop reading past it.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// The setup [handshakes](crate::handshake) answered: the scheme's own
    /// (Slack, Zoom), then those configured. Wire the route for GET too when
    /// one of them is a GET ([`Handshake::method`]).
    pub fn handshakes(&self) -> &[Handshake] {
        &self.handshakes
    }

    /// The freshness window, when the scheme has a timestamp.
    pub fn tolerance(&self) -> Option<Duration> {
        self.tolerance
    }

    /// Verifies a delivery against the system clock.
    pub fn verify<H: HeaderLookup + ?Sized>(&self, headers: &H, body: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_at(headers, body, SystemTime::now())
    }

    /// Checks what can be checked before the body is read: required headers
    /// present and well formed, and freshness. [`begin`](Self::begin) does
    /// this (after the declared size) for adapters; this is the check alone.
    pub fn precheck<H: HeaderLookup + ?Sized>(&self, headers: &H) -> Result<(), VerifyError> {
        self.precheck_at(headers, SystemTime::now())
    }

    /// [`precheck`](Self::precheck) as if the time were `now`.
    pub fn precheck_at<H: HeaderLookup + ?Sized>(&self, headers: &H, now: SystemTime) -> Result<(), VerifyError> {
        self.parse_fresh(headers, now).map(drop)
    }

    /// Starts reading a delivery: refuses what can be refused before any
    /// byte of the body is read, in the order [`verify`](Self::verify)
    /// checks it (the declared `Content-Length` against the body limit, 413;
    /// then the headers and freshness, 400/401), and keeps the parsed
    /// headers so that [`finish`](Self::finish) does not parse them again.
    ///
    /// This is how the adapters read a body; a custom integration does the
    /// same:
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use hookproof_core::{presets, Signer, Verifier};
    ///
    /// let verifier = Verifier::builder(presets::github()).secret("It's a Secret to Everybody").build()?;
    /// let body = br#"{"zen":"Keep it logically awesome."}"#;
    /// let mut headers = Signer::new(presets::github(), "It's a Secret to Everybody")?.sign(body);
    /// headers.insert("content-length", body.len().into());
    ///
    /// let mut delivery = verifier.begin(&headers)?; // 400/401/413 before reading
    /// for chunk in body.chunks(8) {
    ///     delivery.push(chunk)?; // 413 as soon as the limit is passed
    /// }
    /// let (verified, bytes) = verifier.finish(delivery)?;
    /// assert_eq!((verified.scheme(), &bytes[..]), ("github", &body[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn begin<H: HeaderLookup + ?Sized>(&self, headers: &H) -> Result<PendingDelivery, VerifyError> {
        self.begin_at(headers, SystemTime::now())
    }

    /// [`begin`](Self::begin) as if the time were `now`.
    pub fn begin_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        now: SystemTime,
    ) -> Result<PendingDelivery, VerifyError> {
        let content_length = parse_content_length(headers.values("content-length").next());
        let body = BodyCollector::new(content_length, self.body_limit).inspect_err(|error| self.log_refusal(error))?;
        let signed = self.parse_fresh(headers, now).inspect_err(|error| self.log_refusal(error))?;
        Ok(PendingDelivery { target: None, signed, body, scheme: self.scheme.name.clone() })
    }

    /// Checks the signature over the body read into `delivery` (and the
    /// freshness again: reading took time). Returns the result and the body.
    pub fn finish(&self, delivery: PendingDelivery) -> Result<(Verified, Bytes), VerifyError> {
        self.finish_at(delivery, SystemTime::now())
    }

    /// [`finish`](Self::finish) as if the time were `now`.
    pub fn finish_at(&self, delivery: PendingDelivery, now: SystemTime) -> Result<(Verified, Bytes), VerifyError> {
        let body = delivery.body.finish();
        self.check_fresh(&delivery.signed, now).inspect_err(|error| self.log_refusal(error))?;
        let verified = self
            .check_signature(delivery.signed, &body, delivery.target.as_ref().map(RequestTarget::from_owned))
            .and_then(|verified| self.check_body_timestamp(verified, &body, now))
            .inspect_err(|error| self.log_refusal(error))?;
        Ok((verified, body))
    }

    /// Verifies a delivery as if the time were `now`.
    ///
    /// Order of checks: body size, headers (missing, then malformed),
    /// freshness (cheap, so stale floods cost no HMAC), then the signatures.
    pub fn verify_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        self.verify_with(headers, None, body, now)
    }

    /// The one-shot path of [`verify_at`](Self::verify_at) and
    /// [`verify_request_at`](Self::verify_request_at).
    #[inline]
    fn verify_with<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        target: Option<RequestTarget<'_>>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let verified = if body.len() > self.body_limit {
            Err(VerifyError::BodyTooLarge { limit: self.body_limit })
        } else {
            self.parse_fresh(headers, now)
                .and_then(|signed| self.check_signature(signed, body, target))
                .and_then(|verified| self.check_body_timestamp(verified, body, now))
        };
        verified.inspect_err(|error| self.log_refusal(error))
    }

    /// One `tracing` event per refused delivery: scheme, code and status,
    /// never a secret, a signature or the body.
    fn log_refusal(&self, error: &VerifyError) {
        log_refusal(&self.scheme.name, error);
    }

    /// Verifies a delivery with its request's method and URL, against the
    /// system clock. Schemes that sign the URL or the method
    /// ([`Scheme::signs_request`]: Twilio, Square, HubSpot) need
    /// them; for the others this is [`verify`](Self::verify).
    ///
    /// ```
    /// use std::time::UNIX_EPOCH;
    /// use hookproof_core::{presets, RequestTarget, Verifier};
    ///
    /// // Twilio's documented example: the URL it called and the form it posted.
    /// let verifier = Verifier::builder(presets::twilio()).secret("12345").build()?;
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("x-twilio-signature", "L/OH5YylLD5NRKLltdqwSvS0BnU=".parse()?);
    /// let body = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
    /// let target = RequestTarget::new("POST", "https://example.com/myapp.php?foo=1&bar=2");
    /// verifier.verify_request_at(&headers, target, body, UNIX_EPOCH)?;
    ///
    /// let elsewhere = RequestTarget::new("POST", "https://example.com/other.php?foo=1&bar=2");
    /// let error = verifier.verify_request_at(&headers, elsewhere, body, UNIX_EPOCH).unwrap_err();
    /// assert_eq!(error.code(), "signature_mismatch");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn verify_request<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        target: RequestTarget<'_>,
        body: &[u8],
    ) -> Result<Verified, VerifyError> {
        self.verify_request_at(headers, target, body, SystemTime::now())
    }

    /// [`verify_request`](Self::verify_request) as if the time were `now`.
    pub fn verify_request_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        target: RequestTarget<'_>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        self.verify_with(headers, Some(target), body, now)
    }

    /// [`begin`](Self::begin) with the request's method and URL, kept for
    /// [`finish`](Self::finish) when the scheme signs them.
    pub fn begin_request<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        target: RequestTarget<'_>,
    ) -> Result<PendingDelivery, VerifyError> {
        self.begin_request_at(headers, target, SystemTime::now())
    }

    /// [`begin_request`](Self::begin_request) as if the time were `now`.
    pub fn begin_request_at<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        target: RequestTarget<'_>,
        now: SystemTime,
    ) -> Result<PendingDelivery, VerifyError> {
        let mut delivery = self.begin_at(headers, now)?;
        if self.scheme.signs_request() {
            delivery.target = Some((target.method.to_owned(), target.url.to_owned()));
        }
        Ok(delivery)
    }

    /// [`begin`](Self::begin) for adapters, given the request as received:
    /// its method and its URI (what `http::Uri` displays: `/path?query`, or
    /// an absolute URI). For schemes that sign the request
    /// ([`Scheme::signs_request`]) this is [`begin_request`](Self::begin_request)
    /// with the URL the provider called: the [public
    /// URL](VerifierBuilder::public_url) when one is configured, otherwise
    /// `http://` + the `Host` header + the path and query as received (an
    /// absolute URI as is). Behind TLS termination or a proxy that rewrites
    /// the path, configure the public URL. For other schemes nothing is
    /// built: this is `begin`.
    pub fn begin_received<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        method: &str,
        uri: impl fmt::Display,
    ) -> Result<PendingDelivery, VerifyError> {
        if !self.scheme.signs_request() {
            return self.begin(headers);
        }
        // The configured public URL wins in `check_signature`: build nothing.
        let url = if self.public_url.is_some() { String::new() } else { received_url(headers, &uri.to_string()) };
        self.begin_request(headers, RequestTarget::new(method, &url))
    }

    /// The answer to a GET setup [handshake](crate::handshake) (Meta, X,
    /// Dropbox), given the request's method and query: `None` when the
    /// request is not a GET or no GET handshake is configured (verify it as
    /// a delivery); with one configured, every GET is answered (405 when
    /// it is none of them). Adapters call it before reading anything.
    pub fn answer_handshake(&self, method: &str, query: Option<&str>) -> Option<crate::Reply> {
        crate::handshake::answer_request(&self.handshakes, method, query)
    }

    /// The answer to a signed setup [handshake](crate::handshake) (Slack,
    /// Zoom) when `body`, which `verified` vouches for, is one; `None` for
    /// an event, which is not parsed again (only a body under 4 KiB naming
    /// a handshake is). Adapters answer it instead of calling the handler.
    pub fn answer_signed_handshake(&self, verified: &Verified, body: &[u8]) -> Option<crate::Reply> {
        debug_assert_eq!(body.len(), verified.body_len, "answer_signed_handshake needs the body that was verified");
        let key = self.keys.iter().find_map(|key| match key {
            Key::Hmac(key) => Some(key.as_slice()),
            Key::Public { .. } => None,
        });
        crate::handshake::answer_delivery(&self.handshakes, key, body)
    }

    /// The headers parsed, and the delivery fresh at `now`.
    fn parse_fresh<H: HeaderLookup + ?Sized>(
        &self,
        headers: &H,
        now: SystemTime,
    ) -> Result<SignedHeaders, VerifyError> {
        let signed = SignedHeaders::parse(&self.scheme, headers)?;
        self.check_fresh(&signed, now)?;
        Ok(signed)
    }

    fn check_fresh(&self, signed: &SignedHeaders, now: SystemTime) -> Result<(), VerifyError> {
        match (self.tolerance, &signed.timestamp) {
            (Some(tolerance), Some(timestamp)) => check_freshness(timestamp.value, now, tolerance),
            _ => Ok(()),
        }
    }

    /// For schemes whose timestamp is a field of the body (Linear): once the
    /// signature matched, the field's value, fresh at `now`.
    fn check_body_timestamp(
        &self,
        mut verified: Verified,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Verified, VerifyError> {
        let Some((pointer, format)) = &self.scheme.timestamp_field else { return Ok(verified) };
        let value = identity::json_field(body, pointer)
            .and_then(|text| crate::timestamp::parse(*format, &text).ok())
            .ok_or_else(|| malformed(pointer, "the body's timestamp field is missing or not a timestamp"))?;
        if let Some(tolerance) = self.tolerance {
            check_freshness(value, now, tolerance)?;
        }
        verified.timestamp = Some(value);
        Ok(verified)
    }

    fn check_signature(
        &self,
        signed: SignedHeaders,
        body: &[u8],
        target: Option<RequestTarget<'_>>,
    ) -> Result<Verified, VerifyError> {
        let form = if self.scheme.signed.contains(&Part::FormParams) { mac::form_params(body) } else { Vec::new() };
        let json = mac::body_json(&self.scheme.signed, self.scheme.signature_field.is_some(), body);
        let fields = mac::body_fields(&self.scheme.signed, json.as_ref());
        let in_body;
        let candidates = match &self.scheme.signature_field {
            Some(pointer) => {
                let text = mac::field_text(json.as_ref(), pointer)
                    .ok_or_else(|| malformed(pointer, "the body has no signature field"))?;
                in_body = [decode(pointer, self.scheme.encoding, &text)?];
                &in_body[..]
            }
            None => &signed.candidates[..],
        };
        let timer = crate::observe::Timer::start();
        let url = self.public_url.as_deref().or(target.map(|target| target.url)).unwrap_or_default();
        if url.is_empty() && self.scheme.signed.contains(&Part::Url) {
            tracing::warn!(
                scheme = %self.scheme.name(),
                "this scheme signs the request URL: verify with verify_request or configure a public URL"
            );
        }
        let content = Content {
            // Without the request (`verify`, the adapters), a webhook is a POST.
            method: target.map_or("POST", |target| target.method).as_bytes(),
            url: url.as_bytes(),
            form: &form,
            fields: &fields,
            ..Content::new(
                signed.id.as_deref().unwrap_or_default().as_bytes(),
                signed.timestamp.as_ref().map(Timestamp::text).unwrap_or_default(),
                body,
            )
        };
        let mut matched = self.find_match(candidates, content);
        if matched.is_none() && self.scheme.compact_json_fallback {
            if let Some(compact) = compact_json(body) {
                matched = self.find_match(candidates, Content { body: &compact, ..content });
            }
        }
        if matched.is_none() {
            tracing::debug!(scheme = %self.scheme.name(), "webhook signature mismatch");
            return Err(VerifyError::SignatureMismatch);
        }
        crate::observe::verified(&self.scheme.name, timer);
        Ok(Verified {
            scheme: self.scheme.name.clone(),
            id_is_signed: self.scheme.id_is_signed(),
            timestamp: signed.timestamp.map(|t| t.value),
            identity: self.scheme.identity.clone(),
            body_len: body.len(),
            id: signed.id,
            event_type: match &self.scheme.event_type {
                None => EventType::None,
                Some(EventTypeSource::Header(_)) => EventType::Header(signed.event_type),
                Some(EventTypeSource::JsonField(pointer)) => EventType::InBody(pointer.clone()),
            },
        })
    }

    /// Index of a candidate that some key produced. Every key and every
    /// candidate is compared in constant time, with no early exit.
    fn find_match(&self, candidates: &[Signature], content: Content<'_>) -> Option<usize> {
        let mut found: Option<usize> = None;
        for key in &self.keys {
            match key {
                Key::Hmac(key) => {
                    let tag = mac::compute(self.scheme.algorithm, key, &self.scheme.signed, content);
                    for (index, candidate) in candidates.iter().enumerate() {
                        // Length is public (fixed by the algorithm); contents are not.
                        let equal: Choice = if candidate.as_bytes().len() == tag.as_bytes().len() {
                            tag.as_bytes().ct_eq(candidate.as_bytes())
                        } else {
                            Choice::from(0)
                        };
                        if bool::from(equal & Choice::from(u8::from(!candidate.alternative))) && found.is_none() {
                            found = Some(index);
                        }
                    }
                }
                // Public keys and signatures are public: no secret to keep
                // out of timing.
                Key::Public { key, alternative } => {
                    for (index, candidate) in candidates.iter().enumerate() {
                        if candidate.alternative == *alternative
                            && found.is_none()
                            && key.verify(&self.scheme.signed, content, candidate.as_bytes())
                        {
                            found = Some(index);
                        }
                    }
                }
            }
        }
        found
    }
}

/// A delivery whose signature (and freshness, where the scheme has a
/// timestamp) checked out.
///
/// Its `Debug` output holds no signature and no secret-derived value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    scheme: Cow<'static, str>,
    id: Option<String>,
    id_is_signed: bool,
    timestamp: Option<i64>,
    identity: Identity,
    body_len: usize,
    event_type: EventType,
}

/// Where a verified delivery's event type is: read from its header while
/// verifying, or to be read from its body when asked.
#[derive(Debug, Clone, PartialEq, Eq)]
enum EventType {
    None,
    Header(Option<String>),
    InBody(Cow<'static, str>),
}

impl Verified {
    /// The id header's value, when the scheme has one (`webhook-id`,
    /// `X-GitHub-Delivery`, `X-Shopify-Webhook-Id`).
    ///
    /// Only trust it when [`id_is_signed`](Self::id_is_signed): GitHub's and
    /// Shopify's id headers are not signed, so whoever captured a delivery
    /// can resend it under any id. Good for logs; dedupe uses
    /// [`event_key`](Self::event_key).
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The key this event is deduplicated under: a digest of the scheme and
    /// of an identity the sender signed, the same for every retry,
    /// re-signing and rotation of the event; see [`identity`](crate::identity).
    ///
    /// `body` is the body that was verified. The key is computed here, not
    /// while verifying: for schemes whose identity is a digest of the body
    /// that is a second pass over it, paid only by those who dedupe (replay
    /// protection, the inbox).
    pub fn event_key(&self, body: &[u8]) -> EventKey {
        self.identify(body).0
    }

    /// The provider's event type (`push`, `invoice.paid`), from the header
    /// or the body field the scheme names ([`Scheme::event_type`]); `body`
    /// is the body that was verified. Not signed when it is a header (GitHub,
    /// Shopify sign only the body): route on it, do not trust it further.
    pub fn event_type(&self, body: &[u8]) -> Option<String> {
        match &self.event_type {
            EventType::None => None,
            EventType::Header(value) => value.clone(),
            EventType::InBody(pointer) => identity::json_field(body, pointer),
        }
    }

    /// [`event_key`](Self::event_key) and which of the scheme's identity
    /// rules produced it.
    pub fn identify(&self, body: &[u8]) -> (EventKey, IdentitySource) {
        debug_assert_eq!(body.len(), self.body_len, "event_key needs the body that was verified");
        let signed_id = self.id.as_deref().filter(|_| self.id_is_signed);
        identity::event_key(&self.scheme, &self.identity, signed_id, body)
    }

    /// The delivery's timestamp in unix seconds, when the scheme carries one.
    pub fn timestamp(&self) -> Option<i64> {
        self.timestamp
    }

    /// The name of the scheme that verified it.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// Decodes the (verified) JSON body into `T`; failure is
    /// [`VerifyError::InvalidPayload`] (422).
    pub fn decode<T: DeserializeOwned>(&self, body: &[u8]) -> Result<T, VerifyError> {
        serde_json::from_slice(body).map_err(VerifyError::InvalidPayload)
    }

    /// Whether the id is covered by the signature. When it is not (GitHub,
    /// Shopify), whoever captured a delivery can resend it under a new id.
    pub fn id_is_signed(&self) -> bool {
        self.id_is_signed
    }
}

/// The `tracing` event of a refused delivery (at `info`: a refusal is the
/// sender's problem, not the receiver's).
pub(crate) fn log_refusal(scheme: &str, error: &VerifyError) {
    crate::observe::rejected(scheme, error.code());
    tracing::info!(scheme, code = error.code(), status = error.status().as_u16(), reason = %error, "webhook refused");
}

/// The request a delivery came in: its method and URL as received
/// (`https://host/path?query`), for schemes that sign them; see
/// [`Verifier::verify_request`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestTarget<'a> {
    method: &'a str,
    url: &'a str,
}

impl<'a> RequestTarget<'a> {
    /// A request's method (`POST`) and full URL (scheme, host, path and
    /// query, as the provider called it).
    pub fn new(method: &'a str, url: &'a str) -> Self {
        Self { method, url }
    }

    /// The method.
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The URL.
    pub fn url(&self) -> &'a str {
        self.url
    }

    fn from_owned((method, url): &'a (String, String)) -> Self {
        Self { method, url }
    }
}

/// The URL a request was sent to, as this server received it: `http://` +
/// `Host` + the origin-form target, or an absolute target as is. A missing
/// or unusable `Host` leaves the path alone, which no signature matches.
fn received_url<H: HeaderLookup + ?Sized>(headers: &H, target: &str) -> String {
    let host = headers
        .values("host")
        .next()
        .filter(|host| host.len() <= MAX_HEADER_LEN && !host.is_empty() && host.iter().all(u8::is_ascii_graphic))
        .and_then(|host| std::str::from_utf8(host).ok());
    match host {
        Some(host) if target.starts_with('/') => format!("http://{host}{target}"),
        _ => target.to_owned(),
    }
}

/// A verifier's key: an HMAC key, or a provider's public key (for the
/// scheme's algorithm, or for its alternative version such as `v1a`).
enum Key {
    Hmac(Zeroizing<Vec<u8>>),
    Public { key: PublicKey, alternative: bool },
}

impl Key {
    fn derive(scheme: &Scheme, secret: &Secret, index: usize) -> Result<Self, ConfigError> {
        if scheme.algorithm.is_asymmetric() {
            let key = PublicKey::parse(scheme.algorithm, secret, index)?;
            return Ok(Self::Public { key, alternative: false });
        }
        if let Some((_, algorithm)) = &scheme.alternative {
            if secret.expose().starts_with(b"whpk_") {
                return Ok(Self::Public { key: PublicKey::parse(*algorithm, secret, index)?, alternative: true });
            }
        }
        mac::derive_key(secret, scheme.key_format, index).map(Self::Hmac)
    }
}

/// A delivery whose headers passed [`Verifier::begin`]: its body is read
/// into it with [`push`](Self::push), then [`Verifier::finish`] checks the
/// signature.
#[derive(Debug)]
pub struct PendingDelivery {
    signed: SignedHeaders,
    body: BodyCollector,
    /// Method and URL, kept only for schemes that sign them.
    target: Option<(String, String)>,
    scheme: Cow<'static, str>,
}

impl PendingDelivery {
    /// Appends a chunk of the body, or refuses the delivery (413) if it
    /// would pass the limit; see [`BodyCollector::push`].
    pub fn push(&mut self, chunk: impl Buf) -> Result<(), VerifyError> {
        self.body.push(chunk).inspect_err(|error| log_refusal(&self.scheme, error))
    }

    /// Body bytes read so far.
    pub fn len(&self) -> usize {
        self.body.len()
    }

    /// Whether no body byte has been read.
    pub fn is_empty(&self) -> bool {
        self.body.is_empty()
    }
}

/// Longest signature kept: a DER ECDSA P-256 signature (72 bytes); HMAC
/// tags are at most 64, ed25519 signatures 64.
const MAX_SIGNATURE: usize = 72;

/// A decoded signature from the headers. Never longer than the longest
/// signature, so it lives inline: parsing allocates nothing per signature.
/// One that decodes to more is kept empty, which nothing matches.
#[derive(Clone)]
struct Signature {
    bytes: [u8; MAX_SIGNATURE],
    len: u8,
    /// Made with the scheme's alternative (asymmetric) version, e.g. `v1a`.
    alternative: bool,
}

impl Signature {
    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature({})", hex::encode(self.as_bytes()))
    }
}

/// The timestamp header: its value, and its text as received (what is
/// signed). At most a sign and 19 digits, so the text lives inline too.
#[derive(Debug)]
struct Timestamp {
    value: i64,
    text: [u8; TIMESTAMP_MAX_LEN],
    len: u8,
}

/// Long enough for RFC 3339 with nanoseconds and an offset, and HTTP-dates.
const TIMESTAMP_MAX_LEN: usize = 40;

impl Timestamp {
    fn text(&self) -> &[u8] {
        &self.text[..usize::from(self.len)]
    }
}

/// What the headers say, parsed and bounded, before any cryptography.
/// Owned, so an adapter can keep it while the body is read.
#[derive(Debug)]
struct SignedHeaders {
    id: Option<String>,
    /// The event-type header's value, when the scheme names one and it is
    /// present and usable (never an error: it is not part of the signature).
    event_type: Option<String>,
    timestamp: Option<Timestamp>,
    candidates: Vec<Signature>,
}

impl SignedHeaders {
    fn parse<H: HeaderLookup + ?Sized>(scheme: &Scheme, headers: &H) -> Result<Self, VerifyError> {
        // One header (no allocation), or every header and line the scheme lists.
        let (single, every) = if scheme.signature_field.is_some() {
            // The signature is in the body: read once the body is.
            (None, Vec::new())
        } else if scheme.every_signature_header {
            (None, every_value(headers, &scheme.signature_headers)?)
        } else {
            (Some(required(headers, &scheme.signature_headers)?), Vec::new())
        };
        let id = if scheme.id_headers.is_empty() {
            None
        } else if scheme.id_is_signed() {
            Some(required(headers, &scheme.id_headers)?.1)
        } else {
            optional(headers, &scheme.id_headers)?.map(|(_, id)| id)
        };
        if let (Some(""), Some(name)) = (id, scheme.id_headers.first()) {
            return Err(malformed(name, "empty"));
        }
        let mut timestamp = match scheme.timestamp_headers.as_slice() {
            [] => None,
            names => {
                let (name, text) = required(headers, names)?;
                Some(parse_timestamp(name, scheme.timestamp_format, text)?)
            }
        };
        let mut candidates = Vec::new();
        for (signature_header, signature) in single.into_iter().chain(every) {
            let (text, found) = parse_signatures(scheme, signature_header, signature)?;
            if let Some(text) = text {
                if timestamp.is_some() {
                    return Err(malformed(signature_header, "timestamp is repeated"));
                }
                timestamp = Some(parse_timestamp(signature_header, scheme.timestamp_format, text)?);
            }
            if candidates.is_empty() {
                candidates = found;
            } else {
                candidates.extend(found);
            }
        }
        if candidates.len() > MAX_SIGNATURES {
            return Err(malformed(&scheme.signature_headers[0], "too many signatures"));
        }
        let event_type = match &scheme.event_type {
            Some(EventTypeSource::Header(name)) => headers
                .values(name)
                .next()
                .filter(|value| value.len() <= MAX_EVENT_TYPE_LEN)
                .and_then(|value| std::str::from_utf8(value).ok())
                .map(|value| value.trim().to_owned()),
            _ => None,
        };
        Ok(Self { id: id.map(str::to_owned), event_type, timestamp, candidates })
    }
}

/// The signatures in one signature header value, and the timestamp text
/// when the value carries it.
fn parse_signatures<'a>(
    scheme: &Scheme,
    header: &Cow<'static, str>,
    signature: &'a str,
) -> Result<(Option<&'a str>, Vec<Signature>), VerifyError> {
    let encoding = scheme.encoding;
    Ok(match &scheme.format {
        SignatureFormat::Plain => (None, vec![decode(header, encoding, signature)?]),
        SignatureFormat::Prefixed(prefix) => {
            let encoded =
                signature.strip_prefix(prefix.as_ref()).ok_or_else(|| malformed(header, "wrong signature prefix"))?;
            (None, vec![decode(header, encoding, encoded)?])
        }
        SignatureFormat::VersionedList { version } => {
            let alternative = scheme.alternative.as_ref().map(|(version, _)| version.as_ref());
            (None, parse_versioned_list(header, encoding, version, alternative, signature)?)
        }
        SignatureFormat::KeyValue { timestamp_key, signature_key } => {
            let (text, candidates) =
                parse_key_value(header, encoding, ',', Some(timestamp_key), signature_key, signature)?;
            (text, candidates)
        }
        SignatureFormat::KeyValueList { separator, timestamp_key, signature_key } => {
            parse_key_value(header, encoding, *separator, timestamp_key.as_deref(), signature_key, signature)?
        }
        SignatureFormat::List { separator } => {
            let mut candidates = Vec::new();
            for entry in signature.split(*separator).map(str::trim) {
                if candidates.len() == MAX_SIGNATURES {
                    return Err(malformed(header, "too many signatures"));
                }
                candidates.push(decode(header, encoding, entry)?);
            }
            (None, candidates)
        }
        SignatureFormat::Positional { separator } => {
            let mut entries = signature.split(*separator).map(str::trim);
            let timestamp = entries.next().filter(|text| !text.is_empty());
            let timestamp = timestamp.ok_or_else(|| malformed(header, "no timestamp"))?;
            let mut candidates = Vec::new();
            for entry in entries {
                if candidates.len() == MAX_SIGNATURES {
                    return Err(malformed(header, "too many signatures"));
                }
                candidates.push(decode(header, encoding, entry)?);
            }
            if candidates.is_empty() {
                return Err(malformed(header, "no signature"));
            }
            (Some(timestamp), candidates)
        }
    })
}

/// Every value of every one of `names`, each line on its own (schemes that
/// send signatures in several headers or repeated lines).
fn every_value<'a, 'n, H: HeaderLookup + ?Sized>(
    headers: &'a H,
    names: &'n [Cow<'static, str>],
) -> Result<Vec<(&'n Cow<'static, str>, &'a str)>, VerifyError> {
    let mut found = Vec::new();
    for name in names {
        for value in headers.values(name) {
            if found.len() == MAX_SIGNATURES {
                return Err(malformed(name, "too many signatures"));
            }
            found.push((name, header_text(name, value)?));
        }
    }
    if found.is_empty() {
        return Err(VerifyError::MissingHeader { header: names[0].clone() });
    }
    Ok(found)
}

fn malformed(header: &Cow<'static, str>, reason: &'static str) -> VerifyError {
    VerifyError::MalformedHeader { header: header.clone(), reason }
}

fn required<'a, 'n, H: HeaderLookup + ?Sized>(
    headers: &'a H,
    names: &'n [Cow<'static, str>],
) -> Result<(&'n Cow<'static, str>, &'a str), VerifyError> {
    optional(headers, names)?.ok_or_else(|| VerifyError::MissingHeader { header: names[0].clone() })
}

/// The value under the first of `names` that is present. A repeated header
/// is ambiguous (which copy was signed?) and refused.
fn optional<'a, 'n, H: HeaderLookup + ?Sized>(
    headers: &'a H,
    names: &'n [Cow<'static, str>],
) -> Result<Option<(&'n Cow<'static, str>, &'a str)>, VerifyError> {
    for name in names {
        let mut values = headers.values(name);
        let Some(value) = values.next() else { continue };
        if values.next().is_some() {
            return Err(malformed(name, "header is repeated"));
        }
        return Ok(Some((name, header_text(name, value)?)));
    }
    Ok(None)
}

/// A header value checked for length and characters, trimmed.
fn header_text<'a>(name: &Cow<'static, str>, value: &'a [u8]) -> Result<&'a str, VerifyError> {
    if value.len() > MAX_HEADER_LEN {
        return Err(malformed(name, "header value is too long"));
    }
    // Visible ASCII and spaces only: a signature, an id, a number or a date.
    let text = std::str::from_utf8(value)
        .ok()
        .filter(|text| text.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()))
        .ok_or_else(|| malformed(name, "header value is not ASCII"))?;
    Ok(text.trim_matches([' ', '\t']))
}

fn parse_timestamp(
    header: &Cow<'static, str>,
    format: crate::TimestampFormat,
    text: &str,
) -> Result<Timestamp, VerifyError> {
    if text.len() > TIMESTAMP_MAX_LEN {
        return Err(malformed(header, "timestamp is too long"));
    }
    let value = crate::timestamp::parse(format, text).map_err(|reason| malformed(header, reason))?;
    let mut timestamp = Timestamp { value, text: [0; TIMESTAMP_MAX_LEN], len: text.len() as u8 };
    timestamp.text[..text.len()].copy_from_slice(text.as_bytes());
    Ok(timestamp)
}

/// Both directions, inclusive at the limit, in i128 so that no timestamp
/// (`i64::MIN` included) and no clock can overflow.
fn check_freshness(timestamp: i64, now: SystemTime, tolerance: Duration) -> Result<(), VerifyError> {
    let now = match now.duration_since(UNIX_EPOCH) {
        Ok(after) => i128::from(after.as_secs()),
        Err(before) => -i128::from(before.duration().as_secs()),
    };
    let tolerance = i128::from(tolerance.as_secs());
    let age = now - i128::from(timestamp);
    if age > tolerance {
        Err(VerifyError::TimestampTooOld)
    } else if -age > tolerance {
        Err(VerifyError::TimestampInFuture)
    } else {
        Ok(())
    }
}

fn decode(header: &Cow<'static, str>, encoding: Encoding, encoded: &str) -> Result<Signature, VerifyError> {
    if encoded.is_empty() {
        return Err(malformed(header, "empty signature"));
    }
    let mut signature = Signature { bytes: [0; MAX_SIGNATURE], len: 0, alternative: false };
    // Longer than any tag: checked for its encoding (malformed or not), then
    // kept empty, so it can only mismatch, as any wrong signature does.
    let decoded = match encoding {
        Encoding::Hex if encoded.len() <= 2 * MAX_SIGNATURE && encoded.len() % 2 == 0 => {
            let len = encoded.len() / 2;
            hex::decode_to_slice(encoded, &mut signature.bytes[..len]).ok().map(|()| len)
        }
        Encoding::Hex => hex::decode(encoded).ok().map(|_| 0),
        Encoding::Base64 => decode_base64(&BASE64, encoded, &mut signature.bytes),
        Encoding::Base64Url => decode_base64(&BASE64_URL, encoded, &mut signature.bytes),
    };
    let len = decoded.ok_or_else(|| malformed(header, "signature is not valid for its encoding"))?;
    // At most MAX_SIGNATURE (72): it fits.
    signature.len = len as u8;
    Ok(signature)
}

/// Decodes into `out`; a signature longer than `out` is checked for its
/// encoding, then kept empty (length 0).
fn decode_base64(engine: &base64::engine::GeneralPurpose, encoded: &str, out: &mut [u8]) -> Option<usize> {
    match engine.decode_slice(encoded, out) {
        Ok(len) => Some(len),
        Err(base64::DecodeSliceError::OutputSliceTooSmall) => engine.decode(encoded).ok().map(|_| 0),
        Err(base64::DecodeSliceError::DecodeError(_)) => None,
    }
}

fn parse_versioned_list(
    header: &Cow<'static, str>,
    encoding: Encoding,
    version: &str,
    alternative: Option<&str>,
    value: &str,
) -> Result<Vec<Signature>, VerifyError> {
    let mut candidates = Vec::new();
    for (count, entry) in value.split([' ', '\t']).filter(|entry| !entry.is_empty()).enumerate() {
        if count == MAX_SIGNATURES {
            return Err(malformed(header, "too many signatures"));
        }
        let (tag, encoded) =
            entry.split_once(',').ok_or_else(|| malformed(header, "signature entry is not `version,signature`"))?;
        if tag == version {
            candidates.push(decode(header, encoding, encoded)?);
        } else if Some(tag) == alternative {
            // Asymmetric signatures are base64 (Standard Webhooks `v1a`).
            let mut signature = decode(header, Encoding::Base64, encoded)?;
            signature.alternative = true;
            candidates.push(signature);
        }
    }
    if candidates.is_empty() {
        return Err(malformed(header, "no signature with the expected version tag"));
    }
    Ok(candidates)
}

fn parse_key_value<'a>(
    header: &Cow<'static, str>,
    encoding: Encoding,
    separator: char,
    timestamp_key: Option<&str>,
    signature_key: &str,
    value: &'a str,
) -> Result<(Option<&'a str>, Vec<Signature>), VerifyError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    let mut entries = 0;
    for pair in value.split(separator) {
        let (key, item) = pair.trim().split_once('=').ok_or_else(|| malformed(header, "entry is not `key=value`"))?;
        if Some(key) == timestamp_key {
            if timestamp.replace(item).is_some() {
                return Err(malformed(header, "timestamp is repeated"));
            }
        } else {
            entries += 1;
            if entries > MAX_SIGNATURES {
                return Err(malformed(header, "too many signatures"));
            }
            if key == signature_key {
                candidates.push(decode(header, encoding, item)?);
            }
        }
    }
    if timestamp_key.is_some() && timestamp.is_none() {
        return Err(malformed(header, "no timestamp"));
    }
    if candidates.is_empty() {
        return Err(malformed(header, "no signature with the expected version tag"));
    }
    Ok((timestamp, candidates))
}

/// The JSON text with whitespace outside strings removed, or `None` when the
/// body is not JSON or is already compact.
fn compact_json(body: &[u8]) -> Option<Vec<u8>> {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).ok()?;
    let mut compact = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped) = (false, false);
    for &byte in body {
        if in_string {
            compact.push(byte);
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
        } else if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
            in_string = byte == b'"';
            compact.push(byte);
        }
    }
    (compact.len() != body.len()).then_some(compact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_json_keeps_strings_and_order() {
        let pretty = b"{\n  \"b\": \"x y\\\" z\",\n  \"a\": [1, 2.50]\n}";
        assert_eq!(compact_json(pretty).unwrap(), br#"{"b":"x y\" z","a":[1,2.50]}"#);
        assert_eq!(compact_json(br#"{"a":1}"#), None);
        assert_eq!(compact_json(b"not json"), None);
    }

    #[test]
    fn freshness_is_inclusive_at_the_limit_and_never_overflows() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        let tolerance = Duration::from_secs(300);
        assert!(check_freshness(1_000_000 - 300, now, tolerance).is_ok());
        assert!(check_freshness(1_000_000 + 300, now, tolerance).is_ok());
        assert!(matches!(check_freshness(1_000_000 - 301, now, tolerance), Err(VerifyError::TimestampTooOld)));
        assert!(matches!(check_freshness(1_000_000 + 301, now, tolerance), Err(VerifyError::TimestampInFuture)));
        assert!(matches!(check_freshness(i64::MIN, now, tolerance), Err(VerifyError::TimestampTooOld)));
        assert!(matches!(check_freshness(i64::MAX, now, tolerance), Err(VerifyError::TimestampInFuture)));
        let before_epoch = UNIX_EPOCH - Duration::from_secs(10);
        assert!(check_freshness(-10, before_epoch, tolerance).is_ok());
        assert!(matches!(check_freshness(0, now, Duration::MAX), Ok(())));
    }
}
