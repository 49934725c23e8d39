//! [`Signer`]: the sending side, for tests, tools and services that emit webhooks.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use http::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::asym;
use crate::mac::{self, Content, BASE64};
use crate::{Algorithm, ConfigError, Encoding, Part, RequestTarget, Scheme, Secret, SignatureFormat};

/// Signs bodies the way a scheme's provider does, producing exactly the
/// headers it sends: signature, and timestamp and event id where the scheme
/// has them.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use hookproof_core::{presets, Signer};
///
/// let signer = Signer::new(presets::github(), "It's a Secret to Everybody")?;
/// let headers = signer.sign_at(b"Hello, World!", UNIX_EPOCH, Some("delivery-1"));
/// assert_eq!(
///     headers["x-hub-signature-256"],
///     "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
/// );
/// assert_eq!(headers["x-github-delivery"], "delivery-1");
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
pub struct Signer {
    scheme: Scheme,
    key: SigningKey,
}

/// What a [`Signer`] signs with.
enum SigningKey {
    Hmac(Zeroizing<Vec<u8>>),
    /// An ed25519 private key: for the scheme's algorithm, or for its
    /// alternative version (`v1a` with a `whsk_` key).
    Ed25519 {
        key: Box<ed25519_dalek::SigningKey>,
        alternative: bool,
    },
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("scheme", &self.scheme.name()).field("secret", &"***").finish()
    }
}

impl Signer {
    /// A signer for `scheme`; the secret must fit the scheme's key format.
    ///
    /// For ed25519 schemes (Discord, Telnyx) the secret is the private key
    /// (hex or base64 of the 32-byte seed, or of seed and public key); for
    /// Standard Webhooks a `whsk_` key signs `v1a` instead of `v1`. ECDSA
    /// schemes (SendGrid) cannot be signed: only the provider holds the key.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, ConfigError> {
        let secret = secret.into();
        if scheme.signature_field.is_some() {
            return Err(ConfigError::InvalidScheme("the signature travels in the body: only the provider places it"));
        }
        let key = match scheme.algorithm {
            Algorithm::Ed25519 => {
                SigningKey::Ed25519 { key: Box::new(asym::ed25519_signing_key(&secret, 0)?), alternative: false }
            }
            Algorithm::EcdsaP256Sha256 => {
                return Err(ConfigError::InvalidScheme("ECDSA schemes are verified only; the provider signs"))
            }
            _ if secret.expose().starts_with(b"whsk_")
                && matches!(scheme.alternative, Some((_, Algorithm::Ed25519))) =>
            {
                SigningKey::Ed25519 { key: Box::new(asym::ed25519_signing_key(&secret, 0)?), alternative: true }
            }
            _ => SigningKey::Hmac(mac::derive_key(&secret, scheme.key_format, 0)?),
        };
        Ok(Self { scheme, key })
    }

    /// The scheme being signed for.
    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }

    /// Signs `body` now, with a fresh random event id where the scheme has one.
    pub fn sign(&self, body: &[u8]) -> HeaderMap {
        self.sign_at(body, SystemTime::now(), None)
    }

    /// Signs `body` as sent at `at`. `id` is the event id for schemes that
    /// carry one (a random one is made when `None` or empty); it is ignored by schemes
    /// without an id. Characters that cannot appear in a header are replaced
    /// by `_`, and the signature covers the id as sent.
    pub fn sign_at(&self, body: &[u8], at: SystemTime, id: Option<&str>) -> HeaderMap {
        self.sign_request_at(RequestTarget::new("POST", ""), body, at, id)
    }

    /// [`sign_at`](Self::sign_at) for schemes that sign the request's method
    /// or URL (Twilio, Square, HubSpot): `target` is the request
    /// the provider would make.
    pub fn sign_request_at(
        &self,
        target: RequestTarget<'_>,
        body: &[u8],
        at: SystemTime,
        id: Option<&str>,
    ) -> HeaderMap {
        let scheme = &self.scheme;
        let mut headers = HeaderMap::new();
        let timestamp = crate::timestamp::format(scheme.timestamp_format, at);
        let id = match id {
            Some(id) if !id.is_empty() => id.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect(),
            // No id, or an empty one (which no receiver accepts): a fresh one.
            _ => random_id(),
        };
        let form = if scheme.signed.contains(&Part::FormParams) { mac::form_params(body) } else { Vec::new() };
        let fields = mac::body_fields(&scheme.signed, mac::body_json(&scheme.signed, false, body).as_ref());
        let content = Content {
            method: target.method().as_bytes(),
            url: target.url().as_bytes(),
            form: &form,
            fields: &fields,
            ..Content::new(id.as_bytes(), timestamp.as_bytes(), body)
        };
        let (encoded, alternative) = match &self.key {
            SigningKey::Hmac(key) => {
                (mac::compute(scheme.algorithm, key, &scheme.signed, content).encode(scheme.encoding), false)
            }
            SigningKey::Ed25519 { key, alternative } => {
                let signature = asym::ed25519_sign(key, &scheme.signed, content);
                let encoded = match scheme.encoding {
                    Encoding::Hex if !alternative => hex::encode(signature),
                    Encoding::Base64Url if !alternative => crate::mac::BASE64_URL.encode(signature),
                    _ => BASE64.encode(signature),
                };
                (encoded, *alternative)
            }
        };
        let signature = match &scheme.format {
            SignatureFormat::Plain => encoded,
            SignatureFormat::Prefixed(prefix) => format!("{prefix}{encoded}"),
            SignatureFormat::VersionedList { version } => match (&scheme.alternative, alternative) {
                (Some((alternative, _)), true) => format!("{alternative},{encoded}"),
                _ => format!("{version},{encoded}"),
            },
            SignatureFormat::KeyValue { timestamp_key, signature_key } => {
                format!("{timestamp_key}={timestamp},{signature_key}={encoded}")
            }
            SignatureFormat::KeyValueList { separator, timestamp_key: Some(timestamp_key), signature_key } => {
                format!("{timestamp_key}={timestamp}{separator}{signature_key}={encoded}")
            }
            SignatureFormat::KeyValueList { timestamp_key: None, signature_key, .. } => {
                format!("{signature_key}={encoded}")
            }
            SignatureFormat::Positional { separator } => format!("{timestamp}{separator}{encoded}"),
            SignatureFormat::List { .. } => encoded,
        };
        insert(&mut headers, &scheme.signature_headers[0], signature);
        if let Some(name) = scheme.id_headers.first() {
            insert(&mut headers, name, id);
        }
        if let Some(name) = scheme.timestamp_headers.first() {
            insert(&mut headers, name, timestamp);
        }
        headers
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: String) {
    // Names were validated when the scheme was built; values are ASCII by
    // construction (numbers, hex, base64, sanitized ids).
    if let (Ok(name), Ok(value)) = (HeaderName::from_bytes(name.as_bytes()), HeaderValue::try_from(value)) {
        headers.insert(name, value);
    }
}

/// A random UUID v4, the shape of `X-GitHub-Delivery`; receivers only rely
/// on ids being unique.
fn random_id() -> String {
    let mut bytes = random_bytes();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// 128 random bits as hex: owner tokens of replay claims.
pub(crate) fn random_token() -> String {
    hex::encode(random_bytes())
}

fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    // Without an OS random source there is no safe id to make; a
    // time-derived one still keeps ids distinct for tests and tools.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes
}
