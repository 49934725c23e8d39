//! Reading a body under a limit: the rule every adapter applies, written once.

use bytes::{Bytes, BytesMut};

use crate::VerifyError;

/// Up-front allocation cap, so a large (possibly lying) `Content-Length`
/// cannot reserve memory the client never sends.
const INITIAL_CAPACITY_CAP: usize = 64 * 1024;

/// Collects a request body chunk by chunk, refusing it as soon as it passes
/// the limit.
///
/// Adapters call [`BodyCollector::new`] with the request's `Content-Length`
/// (refused up front when it already exceeds the limit), then
/// [`push`](Self::push) each chunk as it arrives, then
/// [`finish`](Self::finish). Chunked bodies and lying lengths are caught by
/// `push`: nothing past the limit is ever buffered.
///
/// ```
/// use hookproof_core::BodyCollector;
///
/// let mut body = BodyCollector::new(Some(5), 8)?;
/// body.push(b"hello")?;
/// assert!(body.push(b", world").is_err()); // 12 bytes > 8
/// # Ok::<(), hookproof_core::VerifyError>(())
/// ```
#[derive(Debug)]
pub struct BodyCollector {
    buffer: BytesMut,
    limit: usize,
}

impl BodyCollector {
    /// Starts collecting; `content_length` is the request's declared length, if any.
    pub fn new(content_length: Option<u64>, limit: usize) -> Result<Self, VerifyError> {
        check_content_length(content_length, limit)?;
        let initial = content_length.map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX));
        Ok(Self { buffer: BytesMut::with_capacity(initial.min(limit).min(INITIAL_CAPACITY_CAP)), limit })
    }

    /// Appends a chunk, or refuses the body if it would pass the limit.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), VerifyError> {
        if chunk.len() > self.limit - self.buffer.len() {
            return Err(VerifyError::BodyTooLarge { limit: self.limit });
        }
        self.buffer.extend_from_slice(chunk);
        Ok(())
    }

    /// Bytes collected so far.
    pub fn len(&self) -> usize {
        self.buffer.len()
    }

    /// Whether nothing has been collected.
    pub fn is_empty(&self) -> bool {
        self.buffer.is_empty()
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        self.buffer.freeze()
    }
}

/// Refuses a declared `Content-Length` over the limit before reading anything.
pub fn check_content_length(content_length: Option<u64>, limit: usize) -> Result<(), VerifyError> {
    match content_length {
        Some(len) if len > limit as u64 => Err(VerifyError::BodyTooLarge { limit }),
        _ => Ok(()),
    }
}

/// Parses a `Content-Length` header value; `None` when absent or unusable
/// (the streaming cap still applies).
pub fn parse_content_length(value: Option<&[u8]>) -> Option<u64> {
    std::str::from_utf8(value?).ok()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_declared_and_streamed_excess() {
        assert!(matches!(BodyCollector::new(Some(11), 10), Err(VerifyError::BodyTooLarge { limit: 10 })));
        assert!(matches!(BodyCollector::new(Some(u64::MAX), 10), Err(VerifyError::BodyTooLarge { .. })));
        let mut body = BodyCollector::new(None, 10).unwrap();
        body.push(b"12345").unwrap();
        body.push(b"67890").unwrap();
        assert!(matches!(body.push(b"x"), Err(VerifyError::BodyTooLarge { limit: 10 })));
        assert_eq!(body.len(), 10);
        assert_eq!(&body.finish()[..], b"1234567890");
    }

    #[test]
    fn lying_content_length_does_not_preallocate_the_limit() {
        let body = BodyCollector::new(Some(1 << 30), usize::MAX).unwrap();
        assert!(body.buffer.capacity() <= INITIAL_CAPACITY_CAP);
        assert_eq!(parse_content_length(Some(b" 42 ")), Some(42));
        assert_eq!(parse_content_length(Some(b"-1")), None);
        assert_eq!(parse_content_length(None), None);
    }
}
