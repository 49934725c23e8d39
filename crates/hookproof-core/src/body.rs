//! Reading a body under a limit: the rule every adapter applies, written once.

use std::fmt;

use bytes::{Buf, BufMut as _, Bytes, BytesMut};

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
/// `push`: nothing past the limit is ever buffered. A body that arrives in
/// one [`Bytes`] chunk (the usual case for a small delivery) is kept as it
/// is, not copied.
///
/// To read a body *and* verify it, use [`Verifier::begin`](crate::Verifier::begin),
/// which wraps one of these.
///
/// ```
/// use hookproof_core::BodyCollector;
///
/// let mut body = BodyCollector::new(Some(5), 8)?;
/// body.push(&b"hello"[..])?;
/// assert!(body.push(&b", world"[..]).is_err()); // 12 bytes > 8
/// # Ok::<(), hookproof_core::VerifyError>(())
/// ```
pub struct BodyCollector {
    buffer: Buffer,
    limit: usize,
    /// What to reserve once a second chunk makes a copy necessary.
    initial_capacity: usize,
}

enum Buffer {
    Empty,
    /// The first chunk, as received.
    One(Bytes),
    /// Several chunks, copied together.
    Many(BytesMut),
}

/// Sizes only: a body can be megabytes, and it is the sender's data.
impl fmt::Debug for BodyCollector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BodyCollector").field("len", &self.len()).field("limit", &self.limit).finish()
    }
}

impl BodyCollector {
    /// Starts collecting; `content_length` is the request's declared length, if any.
    pub fn new(content_length: Option<u64>, limit: usize) -> Result<Self, VerifyError> {
        check_content_length(content_length, limit)?;
        let declared = content_length.map_or(0, |len| usize::try_from(len).unwrap_or(usize::MAX));
        Ok(Self { buffer: Buffer::Empty, limit, initial_capacity: declared.min(limit).min(INITIAL_CAPACITY_CAP) })
    }

    /// Appends a chunk (any [`Buf`]: `Bytes`, `&[u8]`, a framework's frame
    /// data), or refuses the body if it would pass the limit. The size is
    /// checked before anything is copied.
    pub fn push(&mut self, mut chunk: impl Buf) -> Result<(), VerifyError> {
        let len = chunk.remaining();
        if len > self.limit - self.len() {
            return Err(VerifyError::BodyTooLarge { limit: self.limit });
        }
        if len == 0 {
            return Ok(());
        }
        match &mut self.buffer {
            // `Bytes::copy_to_bytes` takes the chunk without copying.
            Buffer::Empty => self.buffer = Buffer::One(chunk.copy_to_bytes(len)),
            Buffer::One(first) => {
                let mut all = BytesMut::with_capacity(self.initial_capacity.max(first.len() + len));
                all.extend_from_slice(first);
                all.put(chunk);
                self.buffer = Buffer::Many(all);
            }
            Buffer::Many(all) => all.put(chunk),
        }
        Ok(())
    }

    /// Bytes collected so far.
    pub fn len(&self) -> usize {
        match &self.buffer {
            Buffer::Empty => 0,
            Buffer::One(bytes) => bytes.len(),
            Buffer::Many(bytes) => bytes.len(),
        }
    }

    /// Whether nothing has been collected.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body.
    pub fn finish(self) -> Bytes {
        match self.buffer {
            Buffer::Empty => Bytes::new(),
            Buffer::One(bytes) => bytes,
            Buffer::Many(bytes) => bytes.freeze(),
        }
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
        body.push(&b"12345"[..]).unwrap();
        body.push(&b"67890"[..]).unwrap();
        assert!(matches!(body.push(&b"x"[..]), Err(VerifyError::BodyTooLarge { limit: 10 })));
        assert_eq!(body.len(), 10);
        assert_eq!(&body.finish()[..], b"1234567890");
    }

    #[test]
    fn one_chunk_is_kept_and_more_are_joined_in_order() {
        let chunk = Bytes::from_static(b"{\"a\":1}");
        let mut one = BodyCollector::new(Some(7), 10).unwrap();
        one.push(chunk.clone()).unwrap();
        one.push(Bytes::new()).unwrap();
        let body = one.finish();
        assert_eq!(body.as_ptr(), chunk.as_ptr(), "a single chunk is not copied");

        let mut many = BodyCollector::new(None, 10).unwrap();
        for part in ["ab", "", "cde", "f"] {
            many.push(Bytes::from_static(part.as_bytes())).unwrap();
        }
        assert_eq!(format!("{many:?}"), "BodyCollector { len: 6, limit: 10 }");
        assert_eq!((many.len(), &many.finish()[..]), (6, &b"abcdef"[..]));
        assert!(BodyCollector::new(None, 0).unwrap().finish().is_empty());
    }

    #[test]
    fn lying_content_length_does_not_preallocate_the_limit() {
        let mut body = BodyCollector::new(Some(1 << 30), usize::MAX).unwrap();
        body.push(&b"a"[..]).unwrap();
        body.push(&b"b"[..]).unwrap();
        let Buffer::Many(joined) = &body.buffer else { panic!("two chunks are joined") };
        assert!(joined.capacity() <= INITIAL_CAPACITY_CAP);
        assert_eq!(parse_content_length(Some(b" 42 ")), Some(42));
        assert_eq!(parse_content_length(Some(b"-1")), None);
        assert_eq!(parse_content_length(None), None);
    }
}
