//! [`Signer`]: the sending side, for tests, tools and services that emit webhooks.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue};
use zeroize::Zeroizing;

use crate::mac::{self, Content};
use crate::{ConfigError, Scheme, Secret, SignatureFormat};

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
    key: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer").field("scheme", &self.scheme.name()).field("secret", &"***").finish()
    }
}

impl Signer {
    /// A signer for `scheme`; the secret must fit the scheme's key format.
    pub fn new(scheme: Scheme, secret: impl Into<Secret>) -> Result<Self, ConfigError> {
        let key = mac::derive_key(&secret.into(), scheme.key_format, 0)?;
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
        let scheme = &self.scheme;
        let mut headers = HeaderMap::new();
        let timestamp = unix_seconds(at).to_string();
        let id = match id {
            Some(id) if !id.is_empty() => id.chars().map(|c| if c.is_ascii_graphic() { c } else { '_' }).collect(),
            // No id, or an empty one (which no receiver accepts): a fresh one.
            _ => random_id(),
        };
        let content = Content { id: id.as_bytes(), timestamp: timestamp.as_bytes(), body };
        let encoded = mac::compute(scheme.algorithm, &self.key, &scheme.signed, content).encode(scheme.encoding);
        let signature = match &scheme.format {
            SignatureFormat::Plain => encoded,
            SignatureFormat::Prefixed(prefix) => format!("{prefix}{encoded}"),
            SignatureFormat::VersionedList { version } => format!("{version},{encoded}"),
            SignatureFormat::KeyValue { timestamp_key, signature_key } => {
                format!("{timestamp_key}={timestamp},{signature_key}={encoded}")
            }
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

fn unix_seconds(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs),
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
