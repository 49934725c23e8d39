//! Reading a body under a limit: the rule every adapter applies, written once.

use std::error::Error as StdError;
use std::fmt;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, BufMut as _, Bytes, BytesMut};

use crate::{HeaderLookup, PendingDelivery, VerifyError};

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

    /// [`new`](Self::new) with the `Content-Length` of `headers`.
    pub fn for_headers(headers: &impl HeaderLookup, limit: usize) -> Result<Self, VerifyError> {
        Self::new(parse_content_length(headers.values("content-length").next()), limit)
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

/// Where a streamed body goes, chunk by chunk: a [`BodyCollector`] (only
/// bounded) or a [`PendingDelivery`] (bounded, then verified). Both refuse
/// a chunk that passes the limit (413 `body_too_large`).
pub trait BodySink {
    /// Adds the next chunk of the body.
    fn push(&mut self, chunk: impl Buf) -> Result<(), VerifyError>;
}

impl BodySink for BodyCollector {
    fn push(&mut self, chunk: impl Buf) -> Result<(), VerifyError> {
        BodyCollector::push(self, chunk)
    }
}

impl BodySink for PendingDelivery {
    fn push(&mut self, chunk: impl Buf) -> Result<(), VerifyError> {
        PendingDelivery::push(self, chunk)
    }
}

/// Reads an [`http_body::Body`] frame by frame into `sink` until it ends:
/// 400 `body_read_failed` if the stream fails, 413 as soon as it passes the
/// limit (chunked bodies and lying lengths: nothing past the limit is
/// buffered). Trailers are not part of what is signed. For hand-written
/// futures; [`read_body`] awaits it.
pub fn poll_read_body<B>(
    mut body: Pin<&mut B>,
    sink: &mut impl BodySink,
    cx: &mut Context<'_>,
) -> Poll<Result<(), VerifyError>>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    while let Some(frame) = ready!(body.as_mut().poll_frame(cx)) {
        let frame = frame.map_err(|error| VerifyError::BodyRead(error.into()))?;
        if let Ok(data) = frame.into_data() {
            sink.push(data)?;
        }
    }
    Poll::Ready(Ok(()))
}

/// [`poll_read_body`] as an `async fn`: reads all of `body` into `sink`.
pub async fn read_body<B>(body: B, sink: &mut impl BodySink) -> Result<(), VerifyError>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let mut body = std::pin::pin!(body);
    std::future::poll_fn(|cx| poll_read_body(body.as_mut(), sink, cx)).await
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

    /// A body that yields `frames` in order, then ends; counts what was polled.
    struct Frames {
        frames: std::collections::VecDeque<Result<&'static [u8], &'static str>>,
        polled: usize,
    }

    impl http_body::Body for Frames {
        type Data = Bytes;
        type Error = Box<dyn StdError + Send + Sync>;

        fn poll_frame(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            self.polled += 1;
            let frame = self.frames.pop_front();
            Poll::Ready(
                frame.map(|frame| {
                    frame.map(|data| http_body::Frame::data(Bytes::from_static(data))).map_err(Into::into)
                }),
            )
        }
    }

    fn read(frames: Vec<Result<&'static [u8], &'static str>>, limit: usize) -> (Result<Bytes, VerifyError>, usize) {
        let mut body = Frames { frames: frames.into(), polled: 0 };
        let mut collector = BodyCollector::new(None, limit).unwrap();
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let Poll::Ready(result) = poll_read_body(Pin::new(&mut body), &mut collector, &mut cx) else { panic!("ready") };
        (result.map(|()| collector.finish()), body.polled)
    }

    #[test]
    fn reading_a_body_collects_refuses_past_the_limit_and_reports_a_failed_stream() {
        let (read_all, polled) = read(vec![Ok(b"ab"), Ok(b""), Ok(b"cd")], 4);
        assert_eq!((read_all.unwrap(), polled), (Bytes::from_static(b"abcd"), 4));
        let (too_large, polled) = read(vec![Ok(b"abc"), Ok(b"de"), Ok(b"never read")], 4);
        assert_eq!((too_large.unwrap_err().code(), polled), ("body_too_large", 2));
        let (failed, _) = read(vec![Ok(b"ab"), Err("peer went away")], 4);
        assert_eq!(failed.unwrap_err().code(), "body_read_failed");
    }

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
