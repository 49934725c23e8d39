//! An event's identity: what makes two deliveries "the same event", taken
//! only from what the sender signed.
//!
//! Replay protection (and the durable inbox) dedupe on an [`EventKey`]: a
//! SHA-256 digest of the scheme's name and the event's identity. The
//! identity comes from the scheme's [`Identity`] rule:
//!
//! | rule | identity | presets |
//! |---|---|---|
//! | [`Identity::SignedIdHeader`] | the id header, covered by the signature | standard-webhooks |
//! | [`Identity::JsonField`] | a field of the verified JSON body (JSON pointer) | stripe (`/id`), slack (`/event_id`) |
//! | [`Identity::ContentDigest`] | the signed content without the timestamp | github, shopify, smake, smarter-launch, smile |
//!
//! An id header that is *not* signed (`X-GitHub-Delivery`,
//! `X-Shopify-Webhook-Id`) never decides dedupe: whoever captured one
//! delivery could resend it under any id. A signature never does either: a
//! provider's retry is re-signed with a new timestamp, and during rotation
//! a header carries several. The timestamp is left out of the digest for the
//! same reason. So one event has one key across retries, re-signing and
//! rotation, and the key is 32 bytes whatever the headers' sizes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use sha2::{Digest, Sha256};

/// Where a scheme takes an event's identity from; see the
/// [module documentation](self).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Identity {
    /// The event id header, which the scheme signs ([`Part::Id`](crate::Part::Id) in the
    /// signed content).
    SignedIdHeader,
    /// A string or integer field of the verified JSON body, named by a JSON
    /// pointer of object keys (`/id`, `/event/id`). A body without it (not
    /// JSON, or another kind of payload) falls back to
    /// [`ContentDigest`](Self::ContentDigest).
    JsonField(Cow<'static, str>),
    /// A SHA-256 digest of the signed content without the timestamp: the
    /// body, and the id when it is signed. Two deliveries with the same
    /// body are the same event.
    ContentDigest,
}

impl Identity {
    /// A [`JsonField`](Self::JsonField) rule.
    pub fn json_field(pointer: impl Into<Cow<'static, str>>) -> Self {
        Self::JsonField(pointer.into())
    }
}

/// Which rule produced a [`Verified`](crate::Verified) delivery's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentitySource {
    /// The signed id header.
    SignedIdHeader,
    /// The JSON field the scheme names.
    JsonField,
    /// The digest of the signed content.
    ContentDigest,
}

impl IdentitySource {
    /// `signed_id_header`, `json_field` or `content_digest`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIdHeader => "signed_id_header",
            Self::JsonField => "json_field",
            Self::ContentDigest => "content_digest",
        }
    }

    fn tag(self) -> u8 {
        match self {
            Self::SignedIdHeader => 1,
            Self::JsonField => 2,
            Self::ContentDigest => 3,
        }
    }
}

/// The fixed-size key under which an event is deduplicated: SHA-256 of the
/// scheme's name, the identity rule and the identity. Holds no secret and no
/// signature; prints as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventKey([u8; 32]);

impl EventKey {
    /// Length in bytes.
    pub const LEN: usize = 32;

    /// The key from its bytes (as a store read it back).
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The digest's bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses [`to_hex`](Self::to_hex)'s output.
    pub fn from_hex(text: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(text, &mut bytes).ok()?;
        Some(Self(bytes))
    }
}

impl From<[u8; 32]> for EventKey {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for EventKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventKey({})", self.to_hex())
    }
}

/// The key of a verified delivery, following `rule`. `signed_id` is the id
/// header's value when the scheme signs it.
pub(crate) fn event_key(
    scheme: &str,
    rule: &Identity,
    signed_id: Option<&str>,
    body: &[u8],
) -> (EventKey, IdentitySource) {
    let field = match (rule, signed_id) {
        (Identity::SignedIdHeader, Some(id)) => {
            return (key_of(scheme, IdentitySource::SignedIdHeader, &[id.as_bytes()]), IdentitySource::SignedIdHeader)
        }
        (Identity::JsonField(pointer), _) => json_field(body, pointer),
        _ => None,
    };
    if let Some(value) = field {
        return (key_of(scheme, IdentitySource::JsonField, &[value.as_bytes()]), IdentitySource::JsonField);
    }
    // The signed content less the timestamp (it changes on every retry) and
    // the literals (the same for every event of the scheme).
    let id = signed_id.unwrap_or_default().as_bytes();
    (key_of(scheme, IdentitySource::ContentDigest, &[id, body]), IdentitySource::ContentDigest)
}

fn key_of(scheme: &str, source: IdentitySource, material: &[&[u8]]) -> EventKey {
    let mut hasher = Sha256::new();
    hasher.update(b"hookproof event key v1\0");
    hasher.update(scheme.as_bytes());
    hasher.update([0, source.tag()]);
    for piece in material {
        // Length-prefixed, so that no two splits of the same bytes collide.
        hasher.update((piece.len() as u64).to_be_bytes());
        hasher.update(piece);
    }
    EventKey(hasher.finalize().into())
}

/// The string or integer at `pointer` (object keys only) in the JSON
/// `body`, or `None`. Parsing stops as soon as the field is read, so a
/// field near the start of a large body costs little.
pub(crate) fn json_field(body: &[u8], pointer: &str) -> Option<String> {
    let segments: Vec<Cow<'_, str>> = pointer.strip_prefix('/')?.split('/').map(unescape_segment).collect();
    let mut found = None;
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    // Finding the field ends the parse with an error on purpose (the rest of
    // the body is not read), so the result comes from `found`.
    let _ = FindField { path: &segments, found: &mut found }.deserialize(&mut deserializer);
    found
}

fn unescape_segment(segment: &str) -> Cow<'_, str> {
    if segment.contains('~') {
        Cow::Owned(segment.replace("~1", "/").replace("~0", "~"))
    } else {
        Cow::Borrowed(segment)
    }
}

/// Walks objects along `path`, skipping every other value unread.
struct FindField<'p, 'f> {
    path: &'p [Cow<'p, str>],
    found: &'f mut Option<String>,
}

/// Ends the parse once the field is found (or known absent).
fn stop<E: de::Error>() -> E {
    E::custom("hookproof: field search done")
}

impl<'de> DeserializeSeed<'de> for FindField<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FindField<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<(), E> {
        if self.path.is_empty() {
            *self.found = Some(value.to_owned());
        }
        Err(stop())
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<(), E> {
        if self.path.is_empty() {
            *self.found = Some(value.to_string());
        }
        Err(stop())
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<(), E> {
        if self.path.is_empty() {
            *self.found = Some(value.to_string());
        }
        Err(stop())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some((wanted, rest)) = self.path.split_first() else { return Err(stop()) };
        while let Some(matches) = map.next_key_seed(KeyIs(wanted))? {
            if matches {
                return map.next_value_seed(FindField { path: rest, found: self.found });
            }
            map.next_value::<IgnoredAny>()?;
        }
        Err(stop())
    }
}

/// Compares an object key with the wanted one without allocating.
struct KeyIs<'a>(&'a str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_field_reads_strings_and_integers_along_object_keys() {
        let body = br#"{"object":"event","id":"evt_1","data":{"n":7,"a/b":"x","s":{"t":1.5}}}"#;
        assert_eq!(json_field(body, "/id").as_deref(), Some("evt_1"));
        assert_eq!(json_field(body, "/data/n").as_deref(), Some("7"));
        assert_eq!(json_field(body, "/data/a~1b").as_deref(), Some("x"));
        // Not a string or integer, absent, or not JSON: no field.
        assert_eq!(json_field(body, "/data"), None);
        assert_eq!(json_field(body, "/data/s/t"), None);
        assert_eq!(json_field(body, "/missing"), None);
        assert_eq!(json_field(b"token=abc&event_id=1", "/event_id"), None);
        assert_eq!(json_field(b"[1,2]", "/0"), None);
        assert_eq!(json_field(br#"{"id":"a\"b"}"#, "/id").as_deref(), Some("a\"b"));
    }

    #[test]
    fn json_field_stops_reading_once_found() {
        // Everything after the field is garbage: found all the same.
        assert_eq!(json_field(br#"{"id":"evt_2", garbage"#, "/id").as_deref(), Some("evt_2"));
    }

    #[test]
    fn keys_depend_on_scheme_source_and_identity_only() {
        let digest = |scheme, body: &[u8]| event_key(scheme, &Identity::ContentDigest, None, body).0;
        assert_ne!(digest("smile", b"{}"), digest("smile", b"{ }"));
        // The same identity under another scheme is another key.
        assert_ne!(digest("smile", b"{}"), digest("smake", b"{}"));
        // A signed id is part of the digest.
        let with_id = event_key("x", &Identity::ContentDigest, Some("a"), b"{}").0;
        assert_ne!(with_id, digest("x", b"{}"));
        // A JSON field falls back to the digest when the body has none.
        let stripe = Identity::json_field("/id");
        assert_eq!(event_key("stripe", &stripe, None, b"not json").1, IdentitySource::ContentDigest);
        let (a, source) = event_key("stripe", &stripe, None, br#"{"id":"evt_1","n":1}"#);
        let (b, _) = event_key("stripe", &stripe, None, br#"{"id":"evt_1","n":2}"#);
        assert_eq!((source, a), (IdentitySource::JsonField, b));
        assert_eq!(EventKey::from_hex(&a.to_hex()), Some(a));
    }
}
