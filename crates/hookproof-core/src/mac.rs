//! HMAC over a scheme's signed content, shared by [`Verifier`](crate::Verifier)
//! and [`Signer`](crate::Signer) so both sides feed exactly the same bytes.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use zeroize::Zeroizing;

use crate::{Algorithm, ConfigError, Encoding, KeyFormat, Part, Secret};

/// Largest tag of any supported algorithm (SHA-512).
pub(crate) const MAX_TAG: usize = 64;

/// Base64 as providers write it: standard alphabet, padding optional.
pub(crate) const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// URL-safe base64: written without padding, read with or without it.
pub(crate) const BASE64_URL: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    base64::engine::GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// A computed tag; compared only through `subtle`.
pub(crate) struct Tag {
    bytes: [u8; MAX_TAG],
    len: usize,
}

impl Tag {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }

    pub(crate) fn encode(&self, encoding: Encoding) -> String {
        match encoding {
            Encoding::Hex => hex::encode(self.as_bytes()),
            Encoding::Base64 => BASE64.encode(self.as_bytes()),
            Encoding::Base64Url => BASE64_URL.encode(self.as_bytes()),
        }
    }
}

impl Drop for Tag {
    fn drop(&mut self) {
        // A tag for a forged message is exactly what an attacker wants.
        zeroize::Zeroize::zeroize(&mut self.bytes);
    }
}

/// The values the signed content refers to, as received.
#[derive(Clone, Copy)]
pub(crate) struct Content<'a> {
    pub(crate) id: &'a [u8],
    pub(crate) timestamp: &'a [u8],
    pub(crate) body: &'a [u8],
    /// The request method ([`Part::Method`]); empty when not given.
    pub(crate) method: &'a [u8],
    /// The request URL ([`Part::Url`]); empty when not given.
    pub(crate) url: &'a [u8],
    /// The sorted, concatenated form parameters ([`Part::FormParams`]).
    pub(crate) form: &'a [u8],
    /// The body fields' values, in the order of the signed parts
    /// ([`Part::BodyField`], [`Part::EscapedBodyField`]).
    pub(crate) fields: &'a [Vec<u8>],
}

impl<'a> Content<'a> {
    /// Content with only the body and headers' values.
    pub(crate) fn new(id: &'a [u8], timestamp: &'a [u8], body: &'a [u8]) -> Self {
        Self { id, timestamp, body, method: b"", url: b"", form: b"", fields: &[] }
    }

    /// Feeds the signed content, part by part, to `update`.
    pub(crate) fn feed(&self, parts: &[Part], mut update: impl FnMut(&[u8])) {
        let mut fields = self.fields.iter();
        for part in parts {
            match part {
                Part::Id => update(self.id),
                Part::Timestamp => update(self.timestamp),
                Part::Body => update(self.body),
                Part::Literal(text) => update(text.as_bytes()),
                Part::Method => update(self.method),
                Part::Url => update(self.url),
                Part::FormParams => update(self.form),
                Part::BodyField(_) | Part::EscapedBodyField(_) => update(fields.next().map_or(&[][..], Vec::as_slice)),
            }
        }
    }

    /// The signed content in one buffer (ed25519 signs the whole message).
    pub(crate) fn message(&self, parts: &[Part]) -> Vec<u8> {
        let mut len = 0;
        self.feed(parts, |bytes| len += bytes.len());
        let mut message = Vec::with_capacity(len);
        self.feed(parts, |bytes| message.extend_from_slice(bytes));
        message
    }
}

/// The body as JSON, when the scheme reads fields of it (signed fields or
/// the signature); `None` otherwise or when the body is not JSON.
pub(crate) fn body_json(parts: &[Part], signature_field: bool, body: &[u8]) -> Option<serde_json::Value> {
    let reads_fields = parts.iter().any(|part| matches!(part, Part::BodyField(_) | Part::EscapedBodyField(_)));
    (reads_fields || signature_field).then(|| serde_json::from_slice(body).ok()).flatten()
}

/// A JSON value as signed text: a string as is, a number or boolean as its
/// JSON text; `None` for objects, arrays, `null` and absent fields.
pub(crate) fn field_text(json: Option<&serde_json::Value>, pointer: &str) -> Option<String> {
    match json?.pointer(pointer)? {
        serde_json::Value::String(text) => Some(text.clone()),
        value @ (serde_json::Value::Number(_) | serde_json::Value::Bool(_)) => Some(value.to_string()),
        _ => None,
    }
}

/// The signed body fields' values, in the order of the signed parts.
pub(crate) fn body_fields(parts: &[Part], json: Option<&serde_json::Value>) -> Vec<Vec<u8>> {
    parts
        .iter()
        .filter_map(|part| match part {
            Part::BodyField(pointer) => Some(field_text(json, pointer).unwrap_or_default().into_bytes()),
            Part::EscapedBodyField(pointer) => {
                let text = field_text(json, pointer).unwrap_or_default();
                Some(text.replace('\\', "\\\\").replace(':', "\\:").into_bytes())
            }
            _ => None,
        })
        .collect()
}

/// A form body's parameters, decoded, sorted by name then value, and
/// concatenated `name` + `value` (Twilio's and Mandrill's construction).
pub(crate) fn form_params(body: &[u8]) -> Vec<u8> {
    let mut pairs: Vec<(Vec<u8>, Vec<u8>)> = form_urlencoded::parse(body)
        .map(|(name, value)| (name.as_bytes().to_vec(), value.as_bytes().to_vec()))
        .collect();
    pairs.sort();
    let mut out = Vec::with_capacity(body.len());
    for (name, value) in pairs {
        out.extend_from_slice(&name);
        out.extend_from_slice(&value);
    }
    out
}

/// Turns a configured secret into the HMAC key the scheme asks for.
pub(crate) fn derive_key(secret: &Secret, format: KeyFormat, index: usize) -> Result<Zeroizing<Vec<u8>>, ConfigError> {
    let raw = secret.expose();
    let key = match format {
        KeyFormat::Raw => Zeroizing::new(raw.to_vec()),
        KeyFormat::WhsecBase64 => {
            let encoded = raw.strip_prefix(b"whsec_").unwrap_or(raw);
            let decoded = BASE64
                .decode(encoded)
                .map_err(|_| ConfigError::InvalidSecret { index, expected: "whsec_ + base64" })?;
            Zeroizing::new(decoded)
        }
        KeyFormat::Base64 => Zeroizing::new(
            BASE64.decode(raw.trim_ascii()).map_err(|_| ConfigError::InvalidSecret { index, expected: "base64" })?,
        ),
        KeyFormat::Hex => Zeroizing::new(
            hex::decode(raw.trim_ascii()).map_err(|_| ConfigError::InvalidSecret { index, expected: "hex" })?,
        ),
    };
    if key.is_empty() {
        return Err(ConfigError::InvalidSecret { index, expected: "non-empty" });
    }
    Ok(key)
}

/// HMAC of the signed content under `key`. The parts are fed in order; the
/// body is never copied.
///
/// Only called for HMAC algorithms; an asymmetric one (never given a shared
/// key) yields an empty tag, which no signature matches.
pub(crate) fn compute(algorithm: Algorithm, key: &[u8], parts: &[Part], content: Content<'_>) -> Tag {
    match algorithm {
        Algorithm::HmacSha1 => compute_with::<Hmac<sha1::Sha1>>(key, parts, content),
        Algorithm::HmacSha256 => compute_with::<Hmac<sha2::Sha256>>(key, parts, content),
        Algorithm::HmacSha512 => compute_with::<Hmac<sha2::Sha512>>(key, parts, content),
        Algorithm::Ed25519 | Algorithm::EcdsaP256Sha256 => Tag { bytes: [0; MAX_TAG], len: 0 },
    }
}

fn compute_with<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[Part], content: Content<'_>) -> Tag {
    // HMAC takes keys of any length, so this cannot fail.
    let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    content.feed(parts, |bytes| mac.update(bytes));
    let output = mac.finalize().into_bytes();
    let mut tag = Tag { bytes: [0; MAX_TAG], len: output.len() };
    tag.bytes[..output.len()].copy_from_slice(&output);
    tag
}
