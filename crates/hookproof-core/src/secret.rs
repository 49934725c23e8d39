//! [`Secret`]: key material that never prints and is wiped on drop.

use std::fmt;

use zeroize::Zeroizing;

/// A signing secret as configured by the user (a provider's "webhook secret",
/// "client secret" or `whsec_...` string).
///
/// The bytes are zeroized when the `Secret` is dropped and never appear in
/// `Debug` output, errors or logs: `Debug` prints `Secret(***)`.
///
/// ```
/// use hookproof_core::Secret;
///
/// let secret = Secret::from("my-webhook-secret");
/// assert_eq!(format!("{secret:?}"), "Secret(***)");
/// ```
#[derive(Clone)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    /// Wraps raw secret bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(Zeroizing::new(bytes.into()))
    }

    /// The secret exactly as configured. How it becomes an HMAC key depends on
    /// the scheme's [`KeyFormat`](crate::KeyFormat).
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value.into_bytes())
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self::from(value.as_str())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(value: Vec<u8>) -> Self {
        Self::new(value)
    }
}

impl From<&[u8]> for Secret {
    fn from(value: &[u8]) -> Self {
        Self::new(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let secret = Secret::from("hunter2");
        let shown = format!("{secret:?} {:#?}", secret);
        assert_eq!(shown, "Secret(***) Secret(***)");
        assert_eq!(secret.expose(), b"hunter2");
    }
}
