//! Public-key signatures: ed25519 (`ed25519-dalek`) and ECDSA P-256 with
//! SHA-256 (`p256`). Keys are parsed once, when a verifier or signer is
//! built, in the forms providers' dashboards show them; nothing is fetched
//! over the network.

use base64::Engine as _;
use p256::ecdsa::signature::DigestVerifier as _;
use p256::pkcs8::DecodePublicKey as _;
use sha2::Digest as _;
use zeroize::Zeroizing;

use crate::mac::{Content, BASE64};
use crate::{Algorithm, ConfigError, Part, Secret};

/// DER prefix of an ed25519 SubjectPublicKeyInfo (RFC 8410), before the 32
/// key bytes.
const ED25519_SPKI_PREFIX: [u8; 12] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];

/// A provider's public key.
#[derive(Clone)]
pub(crate) enum PublicKey {
    Ed25519(ed25519_dalek::VerifyingKey),
    P256(p256::ecdsa::VerifyingKey),
}

/// Decodes text that is `whpk_`/`whsk_` + base64, hex or base64.
fn decode_text(raw: &[u8], prefix: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let raw = raw.trim_ascii();
    if let Some(encoded) = raw.strip_prefix(prefix).filter(|_| !prefix.is_empty()) {
        return BASE64.decode(encoded).ok().map(Zeroizing::new);
    }
    if raw.len() % 2 == 0 && raw.iter().all(u8::is_ascii_hexdigit) {
        if let Ok(bytes) = hex::decode(raw) {
            return Some(Zeroizing::new(bytes));
        }
    }
    BASE64.decode(raw).ok().map(Zeroizing::new)
}

impl PublicKey {
    /// Parses the public key for `algorithm` from what the provider shows.
    pub(crate) fn parse(algorithm: Algorithm, secret: &Secret, index: usize) -> Result<Self, ConfigError> {
        match algorithm {
            Algorithm::Ed25519 => {
                let invalid = ConfigError::InvalidSecret {
                    index,
                    expected: "ed25519 public key (hex, base64, base64 DER or whpk_)",
                };
                let bytes = decode_text(secret.expose(), b"whpk_").ok_or(invalid.clone())?;
                let raw = match bytes.len() {
                    32 => &bytes[..],
                    44 if bytes.starts_with(&ED25519_SPKI_PREFIX) => &bytes[12..],
                    _ => return Err(invalid),
                };
                let array: [u8; 32] = raw.try_into().map_err(|_| invalid.clone())?;
                ed25519_dalek::VerifyingKey::from_bytes(&array).map(Self::Ed25519).map_err(|_| invalid)
            }
            Algorithm::EcdsaP256Sha256 => {
                let invalid = ConfigError::InvalidSecret {
                    index,
                    expected: "P-256 public key (base64 DER, PEM, or SEC1 hex/base64)",
                };
                let text = secret.expose().trim_ascii();
                // PEM: the base64 between the armour lines.
                let text: Zeroizing<Vec<u8>> = if text.starts_with(b"-----BEGIN") {
                    let lines = text.split(|b| *b == b'\n').filter(|line| !line.starts_with(b"-----"));
                    Zeroizing::new(lines.flat_map(|line| line.trim_ascii().iter().copied()).collect())
                } else {
                    Zeroizing::new(text.to_vec())
                };
                let bytes = decode_text(&text, b"").ok_or(invalid.clone())?;
                p256::ecdsa::VerifyingKey::from_public_key_der(&bytes)
                    .or_else(|_| p256::ecdsa::VerifyingKey::from_sec1_bytes(&bytes))
                    .map(Self::P256)
                    .map_err(|_| invalid)
            }
            _ => Err(ConfigError::InvalidScheme("not an asymmetric algorithm")),
        }
    }

    /// Whether `signature` is a valid signature of the signed content.
    pub(crate) fn verify(&self, parts: &[Part], content: Content<'_>, signature: &[u8]) -> bool {
        match self {
            Self::Ed25519(key) => {
                let Ok(signature) = ed25519_dalek::Signature::from_slice(signature) else { return false };
                key.verify_strict(&content.message(parts), &signature).is_ok()
            }
            Self::P256(key) => {
                let signature = match signature.len() {
                    64 => p256::ecdsa::Signature::from_slice(signature),
                    _ => p256::ecdsa::Signature::from_der(signature),
                };
                let Ok(signature) = signature else { return false };
                let mut digest = sha2::Sha256::new();
                content.feed(parts, |bytes| digest.update(bytes));
                key.verify_digest(digest, &signature).is_ok()
            }
        }
    }
}

/// An ed25519 private key, for [`Signer`](crate::Signer): `whsk_` + base64,
/// hex or base64 of the 32-byte seed (or of seed + public key, 64 bytes).
pub(crate) fn ed25519_signing_key(secret: &Secret, index: usize) -> Result<ed25519_dalek::SigningKey, ConfigError> {
    let invalid = ConfigError::InvalidSecret { index, expected: "ed25519 private key (whsk_, hex or base64)" };
    let bytes = decode_text(secret.expose(), b"whsk_").ok_or(invalid.clone())?;
    let seed: [u8; 32] = match bytes.len() {
        32 | 64 => bytes[..32].try_into().map_err(|_| invalid.clone())?,
        _ => return Err(invalid),
    };
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    if bytes.len() == 64 && key.verifying_key().as_bytes()[..] != bytes[32..] {
        return Err(invalid);
    }
    Ok(key)
}

/// Signs the signed content with ed25519.
pub(crate) fn ed25519_sign(key: &ed25519_dalek::SigningKey, parts: &[Part], content: Content<'_>) -> [u8; 64] {
    use ed25519_dalek::Signer as _;
    key.sign(&content.message(parts)).to_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_keys_in_the_forms_dashboards_show() {
        let der = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
        let pem = format!("-----BEGIN PUBLIC KEY-----\n{}\n{}\n-----END PUBLIC KEY-----\n", &der[..64], &der[64..]);
        let generator = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
        for key in [der, pem.as_str(), generator] {
            let parsed = PublicKey::parse(Algorithm::EcdsaP256Sha256, &Secret::from(key), 0);
            assert!(parsed.is_ok(), "{key}: {:?}", parsed.err());
        }
        let seed = [7u8; 32];
        let public = ed25519_dalek::SigningKey::from_bytes(&seed).verifying_key().to_bytes();
        let mut spki = ED25519_SPKI_PREFIX.to_vec();
        spki.extend_from_slice(&public);
        for key in [
            hex::encode(public),
            BASE64.encode(public),
            format!("whpk_{}", BASE64.encode(public)),
            BASE64.encode(&spki),
        ] {
            assert!(PublicKey::parse(Algorithm::Ed25519, &Secret::from(key.as_str()), 0).is_ok(), "{key}");
        }
        for bad in ["", "00", "not a key", "whpk_AAAA"] {
            assert!(PublicKey::parse(Algorithm::Ed25519, &Secret::from(bad), 0).is_err(), "{bad}");
            assert!(PublicKey::parse(Algorithm::EcdsaP256Sha256, &Secret::from(bad), 0).is_err(), "{bad}");
        }
    }

    #[test]
    fn signing_keys_must_match_their_public_half() {
        let seed = [9u8; 32];
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let mut pair = seed.to_vec();
        pair.extend_from_slice(key.verifying_key().as_bytes());
        assert!(ed25519_signing_key(&Secret::from(format!("whsk_{}", BASE64.encode(&pair))), 0).is_ok());
        assert!(ed25519_signing_key(&Secret::from(hex::encode(seed)), 0).is_ok());
        pair[40] ^= 1;
        assert!(ed25519_signing_key(&Secret::from(BASE64.encode(&pair)), 0).is_err());
    }
}
