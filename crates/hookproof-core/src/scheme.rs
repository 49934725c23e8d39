//! [`Scheme`]: a provider's signing rules, as data.

use std::borrow::Cow;
use std::time::Duration;

use crate::route::EventTypeSource;
use crate::{ConfigError, Identity};

/// Tolerance applied to schemes that carry a timestamp, unless they say otherwise.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// Body limit of schemes that do not set their own (2 MiB).
pub const DEFAULT_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Most candidate signatures read from one header; more is `malformed_header`.
pub const MAX_SIGNATURES: usize = 16;

/// Longest tolerance a scheme or verifier accepts (30 days). A longer window
/// is a configuration mistake, refused with [`ConfigError::DurationTooLong`]
/// rather than left to overflow clock arithmetic later.
pub const MAX_TOLERANCE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Longest retry window a scheme may declare (30 days); see [`MAX_TOLERANCE`].
pub const MAX_RETRY_WINDOW: Duration = MAX_TOLERANCE;

/// How the signature is made: an HMAC under a shared secret, or a
/// public-key signature checked with the provider's public key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC-SHA1 (20-byte tags).
    HmacSha1,
    /// HMAC-SHA256 (32-byte tags).
    HmacSha256,
    /// HMAC-SHA512 (64-byte tags).
    HmacSha512,
    /// Ed25519 (64-byte signatures; Discord, Telnyx, Standard Webhooks
    /// `v1a`). The verifier is given the provider's public key: hex,
    /// base64 (raw 32 bytes or DER), or `whpk_` + base64.
    Ed25519,
    /// ECDSA over P-256 with SHA-256, DER or raw 64-byte signatures
    /// (SendGrid). The public key is base64 DER (SubjectPublicKeyInfo), as
    /// providers' dashboards show it, or a hex/base64 SEC1 point.
    EcdsaP256Sha256,
}

impl Algorithm {
    /// Length of the tag (HMAC) or of the raw signature (ed25519, ECDSA
    /// `r || s`) in bytes.
    pub fn output_len(self) -> usize {
        match self {
            Self::HmacSha1 => 20,
            Self::HmacSha256 => 32,
            Self::HmacSha512 | Self::Ed25519 | Self::EcdsaP256Sha256 => 64,
        }
    }

    /// Human name, e.g. `HMAC-SHA256`.
    pub fn name(self) -> &'static str {
        match self {
            Self::HmacSha1 => "HMAC-SHA1",
            Self::HmacSha256 => "HMAC-SHA256",
            Self::HmacSha512 => "HMAC-SHA512",
            Self::Ed25519 => "Ed25519",
            Self::EcdsaP256Sha256 => "ECDSA-P256-SHA256",
        }
    }

    /// Whether verifying needs only a public key (ed25519, ECDSA).
    pub fn is_asymmetric(self) -> bool {
        matches!(self, Self::Ed25519 | Self::EcdsaP256Sha256)
    }
}

/// How a timestamp is written (in a header or a signature list). The text
/// as received is what gets signed; the parsed value decides freshness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum TimestampFormat {
    /// Unix seconds (`1700000000`).
    #[default]
    UnixSeconds,
    /// Unix milliseconds (`1700000000000`: WorkOS, Webflow, HubSpot, Recurly).
    UnixMillis,
    /// RFC 3339 (`2021-03-25T05:09:27Z`, fractions and offsets allowed:
    /// Zendesk, Twitch, Box).
    Rfc3339,
    /// HTTP-date, IMF-fixdate (`Thu, 04 Jan 2024 18:05:25 GMT`: Klaviyo).
    HttpDate,
    /// ISO 8601 whose offset may be left out, meaning UTC
    /// (`2024-03-20T10:07:35.590857`: Orb); offsets as in RFC 3339 are
    /// accepted too. A [`Signer`](crate::Signer) writes no offset.
    Iso8601Utc,
}

/// How a configured [`Secret`](crate::Secret) becomes the HMAC key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyFormat {
    /// The secret's bytes are the key (GitHub, Stripe, Slack, Shopify, the seed providers).
    Raw,
    /// `whsec_` followed by base64; the key is the decoded bytes (Standard
    /// Webhooks, Svix). The prefix is optional on input.
    WhsecBase64,
    /// Plain base64; the key is the decoded bytes (Airtable, Microsoft Teams).
    Base64,
    /// Hexadecimal; the key is the decoded bytes (Adyen).
    Hex,
}

/// One piece of the signed content, fed to the HMAC in order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The event id, exactly as received in the id header.
    Id,
    /// The timestamp, exactly as received (the text, not a reformatted number).
    Timestamp,
    /// The raw request body.
    Body,
    /// Fixed text such as `.` or `v0:`.
    Literal(Cow<'static, str>),
    /// The request method as received (`POST`). Needs the request, see
    /// [`RequestTarget`](crate::RequestTarget).
    Method,
    /// The request URL: scheme, host, path and query as received, or the
    /// verifier's configured public URL
    /// ([`VerifierBuilder::public_url`](crate::VerifierBuilder::public_url)),
    /// for providers that sign the URL they called (Twilio, Square, HubSpot).
    Url,
    /// The `application/x-www-form-urlencoded` body's parameters, decoded,
    /// sorted by name (then value, byte order) and concatenated as
    /// `name` + `value` with no delimiter (Twilio, Mandrill). Stands for the
    /// body: a scheme signs either [`Part::Body`] or this.
    FormParams,
    /// A field of the JSON body, named by a JSON pointer (`/a/0/b`; array
    /// indexes allowed): a string as is, a number or boolean as its JSON
    /// text, absent or `null` as nothing. For providers that sign chosen
    /// fields rather than the body (Adyen's payment notifications).
    BodyField(Cow<'static, str>),
    /// [`Part::BodyField`] with `\` and `:` escaped by a backslash, as
    /// Adyen joins its fields with `:`.
    EscapedBodyField(Cow<'static, str>),
}

impl Part {
    /// A [`Part::Literal`].
    pub fn literal(text: impl Into<Cow<'static, str>>) -> Self {
        Self::Literal(text.into())
    }
}

/// How signatures are written in the signature header.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureFormat {
    /// The header is the encoded signature (Shopify, Smile).
    Plain,
    /// A fixed prefix, then the encoded signature: `sha256=<hex>` (GitHub, Smake, Slack).
    Prefixed(Cow<'static, str>),
    /// Space-separated `version,signature` entries; entries of other versions
    /// are ignored (Standard Webhooks: `v1,<b64> v1,<b64>`).
    VersionedList {
        /// The version tag that is checked, e.g. `v1`.
        version: Cow<'static, str>,
    },
    /// Comma-separated `key=value` pairs that also carry the timestamp
    /// (Stripe: `t=1492774577,v1=<hex>,v0=<hex>`); every signature under
    /// `signature_key` is checked, other keys are ignored.
    KeyValue {
        /// Key of the timestamp, e.g. `t`.
        timestamp_key: Cow<'static, str>,
        /// Key of the signatures, e.g. `v1`.
        signature_key: Cow<'static, str>,
    },
    /// `key=value` pairs with a configurable separator, with or without a
    /// timestamp: Paddle `ts=..;h1=..` (`;`), PagerDuty `v1=..,v1=..` and
    /// CircleCI `v1=..` (`,`, no timestamp). Every signature under
    /// `signature_key` is checked, other keys are ignored.
    KeyValueList {
        /// Separator between pairs (spaces around pairs are ignored).
        separator: char,
        /// Key of the timestamp, when the list carries one.
        timestamp_key: Option<Cow<'static, str>>,
        /// Key of the signatures.
        signature_key: Cow<'static, str>,
    },
    /// A positional list: the timestamp, then one or more signatures
    /// (Recurly: `1700000000000,<hex>,<hex>`).
    Positional {
        /// Separator between entries.
        separator: char,
    },
    /// One or more bare signatures, no keys, no timestamp (Gr4vy:
    /// `<hex>,<hex>` while a secret rotates); any may match.
    List {
        /// Separator between signatures (spaces around them are ignored).
        separator: char,
    },
}

/// Text encoding of a signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Encoding {
    /// Hexadecimal, either case.
    Hex,
    /// Standard base64 (padding optional).
    Base64,
    /// URL-safe base64 (`-` and `_`), written without padding, read with
    /// or without it (Sanity).
    Base64Url,
}

/// A provider's signing rules: algorithm, key format, signed content,
/// headers, signature format and encoding, timestamp rule and body limit.
///
/// Presets in [`presets`](crate::presets) are ready schemes; a custom provider
/// is a few builder calls:
///
/// ```
/// use std::time::Duration;
/// use hookproof_core::{Algorithm, Encoding, Part, Scheme, SignatureFormat};
///
/// // "X-Acme-Signature: sha512=<hex of HMAC-SHA512(timestamp + ':' + body)>"
/// let acme = Scheme::builder("acme")
///     .algorithm(Algorithm::HmacSha512)
///     .signed_content([Part::Timestamp, Part::literal(":"), Part::Body])
///     .signature_header("X-Acme-Signature")
///     .format(SignatureFormat::Prefixed("sha512=".into()))
///     .encoding(Encoding::Hex)
///     .timestamp_header("X-Acme-Timestamp")
///     .tolerance(Duration::from_secs(120))
///     .build()
///     .unwrap();
/// assert_eq!(acme.name(), "acme");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheme {
    pub(crate) name: Cow<'static, str>,
    pub(crate) algorithm: Algorithm,
    pub(crate) key_format: KeyFormat,
    pub(crate) signed: Vec<Part>,
    pub(crate) signature_headers: Vec<Cow<'static, str>>,
    pub(crate) format: SignatureFormat,
    pub(crate) encoding: Encoding,
    pub(crate) timestamp_headers: Vec<Cow<'static, str>>,
    pub(crate) id_headers: Vec<Cow<'static, str>>,
    pub(crate) tolerance: Option<Duration>,
    pub(crate) body_limit: usize,
    pub(crate) compact_json_fallback: bool,
    pub(crate) identity: Identity,
    pub(crate) retry_window: Option<Duration>,
    pub(crate) timestamp_format: TimestampFormat,
    pub(crate) every_signature_header: bool,
    pub(crate) alternative: Option<(Cow<'static, str>, Algorithm)>,
    pub(crate) timestamp_field: Option<(Cow<'static, str>, TimestampFormat)>,
    pub(crate) signature_field: Option<Cow<'static, str>>,
    pub(crate) event_type: Option<EventTypeSource>,
    pub(crate) handshake: Option<crate::handshake::Signed>,
}

impl Scheme {
    /// Starts a custom scheme. Defaults: HMAC-SHA256, raw key, signed content
    /// = the body, plain hex signature, no timestamp, 2 MiB body limit.
    pub fn builder(name: impl Into<Cow<'static, str>>) -> SchemeBuilder {
        SchemeBuilder {
            scheme: Scheme {
                name: name.into(),
                algorithm: Algorithm::HmacSha256,
                key_format: KeyFormat::Raw,
                signed: vec![Part::Body],
                signature_headers: Vec::new(),
                format: SignatureFormat::Plain,
                encoding: Encoding::Hex,
                timestamp_headers: Vec::new(),
                id_headers: Vec::new(),
                tolerance: None,
                body_limit: DEFAULT_BODY_LIMIT,
                compact_json_fallback: false,
                identity: Identity::ContentDigest,
                retry_window: None,
                timestamp_format: TimestampFormat::UnixSeconds,
                every_signature_header: false,
                alternative: None,
                timestamp_field: None,
                signature_field: None,
                event_type: None,
                handshake: None,
            },
            tolerance_set: false,
            identity_set: false,
        }
    }

    /// The scheme's name (`smile`, `standard-webhooks`, ...), also the
    /// namespace of its replay keys.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The HMAC algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// How secrets become keys.
    pub fn key_format(&self) -> KeyFormat {
        self.key_format
    }

    /// The signed content, in order.
    pub fn signed_content(&self) -> &[Part] {
        &self.signed
    }

    /// Signature header names, lowercase; the first is the one a
    /// [`Signer`](crate::Signer) writes, the others are accepted aliases.
    pub fn signature_headers(&self) -> &[Cow<'static, str>] {
        &self.signature_headers
    }

    /// Timestamp header names (empty when the timestamp travels in the
    /// signature header, or when the scheme has none).
    pub fn timestamp_headers(&self) -> &[Cow<'static, str>] {
        &self.timestamp_headers
    }

    /// Event id header names.
    pub fn id_headers(&self) -> &[Cow<'static, str>] {
        &self.id_headers
    }

    /// Signature format.
    pub fn format(&self) -> &SignatureFormat {
        &self.format
    }

    /// Signature encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }

    /// How far a timestamp may be from now, in either direction; `None` when
    /// the scheme has no timestamp.
    pub fn tolerance(&self) -> Option<Duration> {
        self.tolerance
    }

    /// Largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.body_limit
    }

    /// Whether the scheme carries a timestamp (in a header, in the
    /// signature header, or in a field of the body).
    pub fn has_timestamp(&self) -> bool {
        !self.timestamp_headers.is_empty() || self.timestamp_in_signature() || self.timestamp_field.is_some()
    }

    /// The body field that carries the signature (a JSON pointer), for
    /// providers that put it inside the body rather than in a header.
    pub fn signature_field(&self) -> Option<&str> {
        self.signature_field.as_deref()
    }

    /// The body field that carries the timestamp (a JSON pointer) and how it
    /// is written, for providers that put it inside the signed body
    /// (Linear's `/webhookTimestamp`); checked once the signature matched.
    pub fn timestamp_field(&self) -> Option<(&str, TimestampFormat)> {
        self.timestamp_field.as_ref().map(|(pointer, format)| (pointer.as_ref(), *format))
    }

    /// Whether the timestamp travels in the signature header itself.
    pub(crate) fn timestamp_in_signature(&self) -> bool {
        match &self.format {
            SignatureFormat::KeyValue { .. } | SignatureFormat::Positional { .. } => true,
            SignatureFormat::KeyValueList { timestamp_key, .. } => timestamp_key.is_some(),
            _ => false,
        }
    }

    /// How the timestamp is written.
    pub fn timestamp_format(&self) -> TimestampFormat {
        self.timestamp_format
    }

    /// Whether signatures are read from every signature header present and
    /// every repeated line of them (Box's primary and secondary headers,
    /// Mollie's two lines during rotation), instead of the first one.
    pub fn every_signature_header(&self) -> bool {
        self.every_signature_header
    }

    /// A second, asymmetric signature version accepted beside the main one
    /// in a versioned list (Standard Webhooks: `v1a` ed25519 beside `v1`).
    pub fn alternative(&self) -> Option<(&str, Algorithm)> {
        self.alternative.as_ref().map(|(version, algorithm)| (version.as_ref(), *algorithm))
    }

    /// Whether the signed content refers to the request (method or URL):
    /// such schemes are verified with
    /// [`Verifier::verify_request`](crate::Verifier::verify_request).
    pub fn signs_request(&self) -> bool {
        self.signed.iter().any(|part| matches!(part, Part::Method | Part::Url))
    }

    /// The setup handshake this provider sends as a signed delivery (Slack's
    /// `url_verification`, Zoom's `endpoint.url_validation`), which every
    /// [`Verifier`](crate::Verifier) of this scheme answers; see
    /// [`handshake`](crate::handshake).
    pub fn handshake(&self) -> Option<crate::handshake::Handshake> {
        self.handshake.map(crate::handshake::Handshake::signed)
    }

    /// Whether the event id is part of the signed content (and so cannot be
    /// changed by whoever replays a delivery).
    pub fn id_is_signed(&self) -> bool {
        self.signed.contains(&Part::Id)
    }

    /// Where an event's identity comes from (what replay protection
    /// dedupes on); see [`identity`](crate::identity).
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// Where deliveries name their event type, for
    /// [routing](crate::route::EventRouter).
    pub fn event_type(&self) -> Option<&EventTypeSource> {
        self.event_type.as_ref()
    }

    /// Changes where deliveries name their event type.
    pub fn with_event_type(mut self, source: EventTypeSource) -> Self {
        self.event_type = Some(source);
        self
    }

    /// How long the provider keeps retrying (or redelivering) one event,
    /// when its documents say; replay protection remembers events at least
    /// that long.
    pub fn retry_window(&self) -> Option<Duration> {
        self.retry_window
    }

    /// Whether the opt-in compact-JSON fallback is on; see
    /// [`with_compact_json_fallback`](Self::with_compact_json_fallback).
    pub fn compact_json_fallback(&self) -> bool {
        self.compact_json_fallback
    }

    /// Replaces the signature header (for providers that let the user pick
    /// it, such as Smarter Launch). Aliases are dropped.
    pub fn with_signature_header(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.signature_headers = vec![lowercase(name.into())];
        self
    }

    /// Changes the tolerance. Ignored by schemes without a timestamp.
    /// Clamped to [`MAX_TOLERANCE`] (a verifier built with a longer one
    /// through [`VerifierBuilder::tolerance`](crate::VerifierBuilder::tolerance)
    /// is refused instead).
    pub fn with_tolerance(mut self, tolerance: Duration) -> Self {
        if self.has_timestamp() {
            self.tolerance = Some(tolerance.min(MAX_TOLERANCE));
        }
        self
    }

    /// Changes the body limit.
    pub fn with_body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// Opt-in: when the raw body does not match, also try the body's JSON
    /// with insignificant whitespace removed (keys keep their order, strings
    /// and numbers keep their exact text).
    ///
    /// For senders that sign `JSON.stringify(payload)` but put a
    /// pretty-printed rendering of the same JSON on the wire. The raw body is
    /// always tried first; the fallback costs one extra HMAC and a copy of
    /// the body, only for bodies that fail the first check and parse as JSON.
    pub fn with_compact_json_fallback(mut self, enabled: bool) -> Self {
        self.compact_json_fallback = enabled;
        self
    }
}

/// Builds a [`Scheme`]; see [`Scheme::builder`].
#[derive(Debug, Clone)]
pub struct SchemeBuilder {
    scheme: Scheme,
    tolerance_set: bool,
    identity_set: bool,
}

impl SchemeBuilder {
    /// The HMAC algorithm.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Self {
        self.scheme.algorithm = algorithm;
        self
    }

    /// How secrets become keys.
    pub fn key_format(mut self, key_format: KeyFormat) -> Self {
        self.scheme.key_format = key_format;
        self
    }

    /// The signed content, in order. Must contain [`Part::Body`] once.
    pub fn signed_content(mut self, parts: impl IntoIterator<Item = Part>) -> Self {
        self.scheme.signed = parts.into_iter().collect();
        self
    }

    /// Adds a signature header name; the first is canonical, later ones are aliases.
    pub fn signature_header(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.scheme.signature_headers.push(lowercase(name.into()));
        self
    }

    /// How signatures are written.
    pub fn format(mut self, format: SignatureFormat) -> Self {
        self.scheme.format = format;
        self
    }

    /// Signature encoding.
    pub fn encoding(mut self, encoding: Encoding) -> Self {
        self.scheme.encoding = encoding;
        self
    }

    /// Adds a timestamp header name (unix seconds); later ones are aliases.
    pub fn timestamp_header(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.scheme.timestamp_headers.push(lowercase(name.into()));
        self
    }

    /// Adds an event id header name; later ones are aliases.
    pub fn id_header(mut self, name: impl Into<Cow<'static, str>>) -> Self {
        self.scheme.id_headers.push(lowercase(name.into()));
        self
    }

    /// Freshness window in both directions (default 5 minutes when the
    /// scheme has a timestamp).
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.scheme.tolerance = Some(tolerance);
        self.tolerance_set = true;
        self
    }

    /// Largest body accepted (default 2 MiB).
    pub fn body_limit(mut self, limit: usize) -> Self {
        self.scheme.body_limit = limit;
        self
    }

    /// Where an event's identity comes from. Default: the id header when
    /// it is signed ([`Identity::SignedIdHeader`]), otherwise
    /// [`Identity::ContentDigest`]. An unsigned id header cannot be chosen.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.scheme.identity = identity;
        self.identity_set = true;
        self
    }

    /// How long the provider retries one event (at most
    /// [`MAX_RETRY_WINDOW`]); replay protection remembers events at least
    /// that long.
    pub fn retry_window(mut self, window: Duration) -> Self {
        self.scheme.retry_window = Some(window);
        self
    }

    /// Where deliveries name their event type (a header, or a JSON field of
    /// the body), for [routing](crate::route::EventRouter).
    pub fn event_type(mut self, source: EventTypeSource) -> Self {
        self.scheme.event_type = Some(source);
        self
    }

    /// Reads the signature from a field of the JSON body (a JSON pointer,
    /// array indexes allowed) instead of a header; the scheme then has no
    /// signature header, and signs fields of the body
    /// ([`Part::BodyField`]). A body without it is refused
    /// (`malformed_header`, naming the field). [`Signer`](crate::Signer)
    /// cannot produce such deliveries.
    pub fn signature_field(mut self, pointer: impl Into<Cow<'static, str>>) -> Self {
        self.scheme.signature_field = Some(pointer.into());
        self
    }

    /// Takes the timestamp from a field of the (signed) JSON body, named by
    /// a JSON pointer of object keys, written as `format`; see
    /// [`Scheme::timestamp_field`]. Freshness is then checked once the
    /// signature matched; a body without a usable value is refused
    /// (`malformed_header`, naming the field).
    pub fn timestamp_field(mut self, pointer: impl Into<Cow<'static, str>>, format: TimestampFormat) -> Self {
        self.scheme.timestamp_field = Some((pointer.into(), format));
        self
    }

    /// The provider's signed setup handshake, answered by default (presets).
    pub(crate) fn handshake(mut self, handshake: crate::handshake::Signed) -> Self {
        self.scheme.handshake = Some(handshake);
        self
    }

    /// How the timestamp is written (default unix seconds).
    pub fn timestamp_format(mut self, format: TimestampFormat) -> Self {
        self.scheme.timestamp_format = format;
        self
    }

    /// Reads signatures from every signature header present and every
    /// repeated line, instead of refusing a repeated header; see
    /// [`Scheme::every_signature_header`].
    pub fn every_signature_header(mut self, enabled: bool) -> Self {
        self.scheme.every_signature_header = enabled;
        self
    }

    /// Accepts a second signature version in a
    /// [`SignatureFormat::VersionedList`], made with an asymmetric
    /// `algorithm` (Standard Webhooks: `v1a`, [`Algorithm::Ed25519`]). A
    /// verifier configured with a public key (`whpk_...`) checks those
    /// entries; one configured with a shared secret checks the main ones.
    pub fn alternative(mut self, version: impl Into<Cow<'static, str>>, algorithm: Algorithm) -> Self {
        self.scheme.alternative = Some((version.into(), algorithm));
        self
    }

    /// See [`Scheme::with_compact_json_fallback`].
    pub fn compact_json_fallback(mut self, enabled: bool) -> Self {
        self.scheme.compact_json_fallback = enabled;
        self
    }

    /// Checks the scheme is consistent.
    pub fn build(self) -> Result<Scheme, ConfigError> {
        let mut scheme = self.scheme;
        match (&scheme.signature_field, scheme.signature_headers.is_empty()) {
            (None, true) => return Err(ConfigError::InvalidScheme("no signature header")),
            (Some(_), false) => {
                return Err(ConfigError::InvalidScheme("the signature is in a header or in the body, not both"))
            }
            (Some(pointer), true) if !pointer.starts_with('/') => {
                return Err(ConfigError::InvalidScheme("a signature field is a JSON pointer starting with `/`"))
            }
            _ => {}
        }
        let all_headers = scheme.signature_headers.iter().chain(&scheme.timestamp_headers).chain(&scheme.id_headers);
        for name in all_headers {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(ConfigError::InvalidScheme("invalid header name"));
            }
        }
        let bodies = scheme.signed.iter().filter(|part| matches!(part, Part::Body | Part::FormParams)).count();
        let fields = scheme.signed.iter().any(|part| matches!(part, Part::BodyField(_) | Part::EscapedBodyField(_)));
        if bodies > 1 || (bodies == 0 && !fields) {
            return Err(ConfigError::InvalidScheme(
                "signed content must contain the body (or its form parameters) exactly once, or fields of it",
            ));
        }
        if let Some((pointer, _)) = &scheme.timestamp_field {
            if !pointer.starts_with('/') {
                return Err(ConfigError::InvalidScheme("a timestamp field is a JSON pointer starting with `/`"));
            }
            if !scheme.timestamp_headers.is_empty() || scheme.timestamp_in_signature() {
                return Err(ConfigError::InvalidScheme("the timestamp is in a header or in the body, not both"));
            }
            if scheme.signed.contains(&Part::Timestamp) {
                return Err(ConfigError::InvalidScheme("a body timestamp is signed as part of the body"));
            }
        }
        if scheme.signed.contains(&Part::Timestamp) && !scheme.has_timestamp() {
            return Err(ConfigError::InvalidScheme("timestamp is signed but the scheme has no timestamp header"));
        }
        if scheme.signed.contains(&Part::Id) && scheme.id_headers.is_empty() {
            return Err(ConfigError::InvalidScheme("id is signed but the scheme has no id header"));
        }
        if scheme.timestamp_in_signature() && !scheme.timestamp_headers.is_empty() {
            return Err(ConfigError::InvalidScheme("a key-value signature header carries the timestamp itself"));
        }
        if let Some((_, algorithm)) = &scheme.alternative {
            if !matches!(scheme.format, SignatureFormat::VersionedList { .. }) {
                return Err(ConfigError::InvalidScheme("an alternative signature version needs a versioned list"));
            }
            if !algorithm.is_asymmetric() || scheme.algorithm.is_asymmetric() {
                return Err(ConfigError::InvalidScheme("the alternative version is the asymmetric one"));
            }
        }
        if !self.identity_set && scheme.id_is_signed() {
            scheme.identity = Identity::SignedIdHeader;
        }
        match &scheme.identity {
            Identity::SignedIdHeader if !scheme.id_is_signed() => {
                return Err(ConfigError::InvalidScheme("the identity is the id header, but the id is not signed"));
            }
            Identity::JsonField(pointer) if !pointer.starts_with('/') => {
                return Err(ConfigError::InvalidScheme("a JSON field identity is a JSON pointer starting with `/`"));
            }
            _ => {}
        }
        if scheme.tolerance.is_some_and(|tolerance| tolerance > MAX_TOLERANCE) {
            return Err(ConfigError::DurationTooLong { setting: "tolerance", max: MAX_TOLERANCE });
        }
        if scheme.retry_window.is_some_and(|window| window > MAX_RETRY_WINDOW) {
            return Err(ConfigError::DurationTooLong { setting: "retry window", max: MAX_RETRY_WINDOW });
        }
        if scheme.has_timestamp() {
            if !self.tolerance_set {
                scheme.tolerance = Some(DEFAULT_TOLERANCE);
            }
        } else if self.tolerance_set {
            return Err(ConfigError::InvalidScheme("a tolerance needs a timestamp header"));
        }
        Ok(scheme)
    }
}

fn lowercase(name: Cow<'static, str>) -> Cow<'static, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_inconsistent_schemes() {
        let no_header = Scheme::builder("x").build();
        assert_eq!(no_header, Err(ConfigError::InvalidScheme("no signature header")));

        let no_body = Scheme::builder("x")
            .signature_header("x-sig")
            .signed_content([Part::Timestamp])
            .timestamp_header("x-ts")
            .build();
        assert!(matches!(no_body, Err(ConfigError::InvalidScheme(_))));

        let signed_id_without_header =
            Scheme::builder("x").signature_header("x-sig").signed_content([Part::Id, Part::Body]).build();
        assert!(matches!(signed_id_without_header, Err(ConfigError::InvalidScheme(_))));

        let tolerance_without_timestamp =
            Scheme::builder("x").signature_header("x-sig").tolerance(Duration::from_secs(1)).build();
        assert!(matches!(tolerance_without_timestamp, Err(ConfigError::InvalidScheme(_))));

        let bad_name = Scheme::builder("x").signature_header("x sig").build();
        assert_eq!(bad_name, Err(ConfigError::InvalidScheme("invalid header name")));

        let unsigned_id =
            Scheme::builder("x").signature_header("x-sig").id_header("x-id").identity(Identity::SignedIdHeader);
        assert!(matches!(unsigned_id.build(), Err(ConfigError::InvalidScheme(_))));

        let huge = Scheme::builder("x").signature_header("x-sig").timestamp_header("x-ts").tolerance(Duration::MAX);
        assert_eq!(huge.build(), Err(ConfigError::DurationTooLong { setting: "tolerance", max: MAX_TOLERANCE }));
    }

    #[test]
    fn the_identity_defaults_to_the_id_only_when_it_is_signed() {
        let signed = Scheme::builder("x")
            .signature_header("x-sig")
            .id_header("x-id")
            .signed_content([Part::Id, Part::literal("."), Part::Body])
            .build()
            .unwrap();
        assert_eq!(signed.identity(), &Identity::SignedIdHeader);
        let unsigned = Scheme::builder("x").signature_header("x-sig").id_header("x-id").build().unwrap();
        assert_eq!(unsigned.identity(), &Identity::ContentDigest);
    }

    #[test]
    fn header_names_are_lowercased_and_timestamps_default_to_five_minutes() {
        let scheme = Scheme::builder("x").signature_header("X-Sig").timestamp_header("X-Ts").build().unwrap();
        assert_eq!(scheme.signature_headers(), ["x-sig"]);
        assert_eq!(scheme.timestamp_headers(), ["x-ts"]);
        assert_eq!(scheme.tolerance(), Some(DEFAULT_TOLERANCE));
    }
}
