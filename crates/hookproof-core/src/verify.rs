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

use crate::identity::{self, EventKey, Identity, IdentitySource};
use crate::mac::{self, Content, BASE64, MAX_TAG};
use crate::{
    parse_content_length, BodyCollector, ConfigError, Encoding, HeaderLookup, Scheme, Secret, SignatureFormat,
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
    keys: Vec<Zeroizing<Vec<u8>>>,
    tolerance: Option<Duration>,
    body_limit: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("scheme", &self.scheme.name())
            .field("secrets", &self.keys.len())
            .field("tolerance", &self.tolerance)
            .field("body_limit", &self.body_limit)
            .finish()
    }
}

/// Configures a [`Verifier`]; see [`Verifier::builder`].
#[derive(Debug)]
pub struct VerifierBuilder {
    scheme: Scheme,
    secrets: Vec<Secret>,
    tolerance: Option<Duration>,
    body_limit: Option<usize>,
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

    /// Checks every secret against the scheme's key format.
    pub fn build(self) -> Result<Verifier, ConfigError> {
        if self.secrets.is_empty() {
            return Err(ConfigError::NoSecret);
        }
        let keys = self
            .secrets
            .iter()
            .enumerate()
            .map(|(index, secret)| mac::derive_key(secret, self.scheme.key_format, index))
            .collect::<Result<Vec<_>, _>>()?;
        let tolerance = match (self.scheme.tolerance, self.tolerance) {
            (Some(_), Some(custom)) => Some(custom),
            (scheme_default, _) => scheme_default,
        };
        if tolerance.is_some_and(|tolerance| tolerance > MAX_TOLERANCE) {
            return Err(ConfigError::DurationTooLong { setting: "tolerance", max: MAX_TOLERANCE });
        }
        Ok(Verifier {
            body_limit: self.body_limit.unwrap_or(self.scheme.body_limit),
            scheme: self.scheme,
            keys,
            tolerance,
        })
    }
}

impl Verifier {
    /// Starts configuring a verifier for `scheme`.
    pub fn builder(scheme: Scheme) -> VerifierBuilder {
        VerifierBuilder { scheme, secrets: Vec::new(), tolerance: None, body_limit: None }
    }

    /// The scheme this verifier checks.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Largest body accepted; adapters stop reading past it.
    pub fn body_limit(&self) -> usize {
        self.body_limit
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
        let body = BodyCollector::new(content_length, self.body_limit)?;
        let signed = self.parse_fresh(headers, now)?;
        Ok(PendingDelivery { signed, body })
    }

    /// Checks the signature over the body read into `delivery` (and the
    /// freshness again: reading took time). Returns the result and the body.
    pub fn finish(&self, delivery: PendingDelivery) -> Result<(Verified, Bytes), VerifyError> {
        self.finish_at(delivery, SystemTime::now())
    }

    /// [`finish`](Self::finish) as if the time were `now`.
    pub fn finish_at(&self, delivery: PendingDelivery, now: SystemTime) -> Result<(Verified, Bytes), VerifyError> {
        let body = delivery.body.finish();
        self.check_fresh(&delivery.signed, now)?;
        let verified = self.check_signature(delivery.signed, &body)?;
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
        if body.len() > self.body_limit {
            return Err(VerifyError::BodyTooLarge { limit: self.body_limit });
        }
        let signed = self.parse_fresh(headers, now)?;
        self.check_signature(signed, body)
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

    fn check_signature(&self, signed: SignedHeaders, body: &[u8]) -> Result<Verified, VerifyError> {
        let content = Content {
            id: signed.id.as_deref().unwrap_or_default().as_bytes(),
            timestamp: signed.timestamp.as_ref().map(Timestamp::text).unwrap_or_default(),
            body,
        };
        let mut matched = self.find_match(&signed.candidates, content);
        if matched.is_none() && self.scheme.compact_json_fallback {
            if let Some(compact) = compact_json(body) {
                matched = self.find_match(&signed.candidates, Content { body: &compact, ..content });
            }
        }
        if matched.is_none() {
            tracing::debug!(scheme = %self.scheme.name(), "webhook signature mismatch");
            return Err(VerifyError::SignatureMismatch);
        }
        Ok(Verified {
            scheme: self.scheme.name.clone(),
            id_is_signed: self.scheme.id_is_signed(),
            timestamp: signed.timestamp.map(|t| t.value),
            identity: self.scheme.identity.clone(),
            body_len: body.len(),
            id: signed.id,
        })
    }

    /// Index of a candidate that some key produced. Every key and every
    /// candidate is compared in constant time, with no early exit.
    fn find_match(&self, candidates: &[Signature], content: Content<'_>) -> Option<usize> {
        let mut found: Option<usize> = None;
        for key in &self.keys {
            let tag = mac::compute(self.scheme.algorithm, key, &self.scheme.signed, content);
            for (index, candidate) in candidates.iter().enumerate() {
                // Length is public (fixed by the algorithm); contents are not.
                let equal: Choice = if candidate.as_bytes().len() == tag.as_bytes().len() {
                    tag.as_bytes().ct_eq(candidate.as_bytes())
                } else {
                    Choice::from(0)
                };
                if bool::from(equal) && found.is_none() {
                    found = Some(index);
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

/// A delivery whose headers passed [`Verifier::begin`]: its body is read
/// into it with [`push`](Self::push), then [`Verifier::finish`] checks the
/// signature.
#[derive(Debug)]
pub struct PendingDelivery {
    signed: SignedHeaders,
    body: BodyCollector,
}

impl PendingDelivery {
    /// Appends a chunk of the body, or refuses the delivery (413) if it
    /// would pass the limit; see [`BodyCollector::push`].
    pub fn push(&mut self, chunk: impl Buf) -> Result<(), VerifyError> {
        self.body.push(chunk)
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

/// A decoded signature from the headers. Never longer than the longest tag
/// (SHA-512), so it lives inline: parsing allocates nothing per signature.
/// One that decodes to more is kept empty, which no tag matches.
#[derive(Clone)]
struct Signature {
    bytes: [u8; MAX_TAG],
    len: u8,
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

const TIMESTAMP_MAX_LEN: usize = 20;

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
    timestamp: Option<Timestamp>,
    candidates: Vec<Signature>,
}

impl SignedHeaders {
    fn parse<H: HeaderLookup + ?Sized>(scheme: &Scheme, headers: &H) -> Result<Self, VerifyError> {
        let (signature_header, signature) = required(headers, &scheme.signature_headers)?;
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
                Some(parse_timestamp(name, text)?)
            }
        };
        let candidates = match &scheme.format {
            SignatureFormat::Plain => vec![decode(signature_header, scheme.encoding, signature)?],
            SignatureFormat::Prefixed(prefix) => {
                let encoded = signature
                    .strip_prefix(prefix.as_ref())
                    .ok_or_else(|| malformed(signature_header, "wrong signature prefix"))?;
                vec![decode(signature_header, scheme.encoding, encoded)?]
            }
            SignatureFormat::VersionedList { version } => {
                parse_versioned_list(signature_header, scheme.encoding, version, signature)?
            }
            SignatureFormat::KeyValue { timestamp_key, signature_key } => {
                let (text, candidates) =
                    parse_key_value(signature_header, scheme.encoding, timestamp_key, signature_key, signature)?;
                timestamp = Some(parse_timestamp(signature_header, text)?);
                candidates
            }
        };
        Ok(Self { id: id.map(str::to_owned), timestamp, candidates })
    }
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
        if value.len() > MAX_HEADER_LEN {
            return Err(malformed(name, "header value is too long"));
        }
        // Visible ASCII and spaces only: a signature, an id or a number.
        let text = std::str::from_utf8(value)
            .ok()
            .filter(|text| text.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()))
            .ok_or_else(|| malformed(name, "header value is not ASCII"))?;
        return Ok(Some((name, text.trim_matches([' ', '\t']))));
    }
    Ok(None)
}

fn parse_timestamp(header: &Cow<'static, str>, text: &str) -> Result<Timestamp, VerifyError> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || digits.len() > 19 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(malformed(header, "timestamp is not unix seconds"));
    }
    let value = text.parse::<i64>().map_err(|_| malformed(header, "timestamp is out of range"))?;
    // A sign and at most 19 digits: it fits.
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
    let mut signature = Signature { bytes: [0; MAX_TAG], len: 0 };
    // Longer than any tag: checked for its encoding (malformed or not), then
    // kept empty, so it can only mismatch, as any wrong signature does.
    let decoded = match encoding {
        Encoding::Hex if encoded.len() <= 2 * MAX_TAG && encoded.len() % 2 == 0 => {
            let len = encoded.len() / 2;
            hex::decode_to_slice(encoded, &mut signature.bytes[..len]).ok().map(|()| len)
        }
        Encoding::Hex => hex::decode(encoded).ok().map(|_| 0),
        Encoding::Base64 => match BASE64.decode_slice(encoded, &mut signature.bytes) {
            Ok(len) => Some(len),
            Err(base64::DecodeSliceError::OutputSliceTooSmall) => BASE64.decode(encoded).ok().map(|_| 0),
            Err(base64::DecodeSliceError::DecodeError(_)) => None,
        },
    };
    let len = decoded.ok_or_else(|| malformed(header, "signature is not valid for its encoding"))?;
    // At most MAX_TAG (64): it fits.
    signature.len = len as u8;
    Ok(signature)
}

fn parse_versioned_list(
    header: &Cow<'static, str>,
    encoding: Encoding,
    version: &str,
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
    timestamp_key: &str,
    signature_key: &str,
    value: &'a str,
) -> Result<(&'a str, Vec<Signature>), VerifyError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    let mut entries = 0;
    for pair in value.split(',') {
        let (key, item) = pair.trim().split_once('=').ok_or_else(|| malformed(header, "entry is not `key=value`"))?;
        if key == timestamp_key {
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
    let timestamp = timestamp.ok_or_else(|| malformed(header, "no timestamp"))?;
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
