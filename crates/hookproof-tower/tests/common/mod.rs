//! Helpers shared by the integration tests: verifiers for three schemes, a
//! body that counts what was polled, and an inner service that records what
//! it was given.

#![allow(dead_code, unreachable_pub)] // each test file uses part of it

use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use hookproof_core::{presets, Scheme, Signer, Verified, Verifier};
use http::{Request, Response};
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};

/// A scheme under test, with a valid and a wrong secret.
pub struct Case {
    pub scheme: fn() -> Scheme,
    pub secret: &'static str,
    pub wrong_secret: &'static str,
    /// A signature header value that cannot be used.
    pub malformed: &'static str,
    pub has_timestamp: bool,
}

pub const SMILE: Case = Case {
    scheme: presets::smile,
    secret: "smile-client-secret",
    wrong_secret: "another-client-secret",
    malformed: "%%%not-base64%%%",
    has_timestamp: true,
};

pub const STANDARD_WEBHOOKS: Case = Case {
    scheme: presets::standard_webhooks,
    secret: "whsec_Zmlyc3Qtc3RhbmRhcmQtc2VjcmV0",
    wrong_secret: "whsec_c2VjcmV0LWtleS1udW1iZXItdHdv",
    malformed: "v1,%%%not-base64%%%",
    has_timestamp: true,
};

pub const GITHUB: Case = Case {
    scheme: presets::github,
    secret: "It's a Secret to Everybody",
    wrong_secret: "It's a Secret to Nobody",
    malformed: "sha256=not-hex",
    has_timestamp: false,
};

pub const CASES: [Case; 3] = [SMILE, STANDARD_WEBHOOKS, GITHUB];

impl Case {
    pub fn name(&self) -> String {
        (self.scheme)().name().to_owned()
    }

    pub fn verifier(&self, body_limit: usize) -> Arc<Verifier> {
        Arc::new(Verifier::builder((self.scheme)()).secret(self.secret).body_limit(body_limit).build().unwrap())
    }

    pub fn signer(&self) -> Signer {
        Signer::new((self.scheme)(), self.secret).unwrap()
    }

    pub fn wrong_signer(&self) -> Signer {
        Signer::new((self.scheme)(), self.wrong_secret).unwrap()
    }

    /// The header holding the signature.
    pub fn signature_header(&self) -> String {
        (self.scheme)().signature_headers()[0].to_ascii_lowercase()
    }
}

/// A body yielding the given chunks (or error) one frame per poll, with no
/// size hint, counting the data bytes handed out.
pub struct TestBody {
    chunks: Box<dyn Iterator<Item = Result<Bytes, io::Error>> + Send>,
    polled: Arc<AtomicUsize>,
}

impl TestBody {
    pub fn new(chunks: impl IntoIterator<Item = Result<Bytes, io::Error>, IntoIter: Send + 'static>) -> Self {
        Self { chunks: Box::new(chunks.into_iter()), polled: Arc::default() }
    }

    /// The whole body as one chunk.
    pub fn full(bytes: impl Into<Bytes>) -> Self {
        Self::new([Ok(bytes.into())])
    }

    /// `count` chunks of `size` bytes each.
    pub fn repeat(size: usize, count: usize) -> Self {
        let chunk = Bytes::from(vec![b'x'; size]);
        Self::new(std::iter::repeat_n(chunk, count).map(Ok))
    }

    /// How many data bytes were polled out of this body so far.
    pub fn polled(&self) -> Arc<AtomicUsize> {
        Arc::clone(&self.polled)
    }
}

impl Body for TestBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        let this = self.get_mut();
        Poll::Ready(this.chunks.next().map(|chunk| {
            chunk.map(|bytes| {
                this.polled.fetch_add(bytes.len(), Ordering::SeqCst);
                Frame::data(bytes)
            })
        }))
    }
}

/// What the inner service saw.
#[derive(Default)]
pub struct Seen {
    pub calls: AtomicUsize,
    pub requests: Mutex<Vec<(Bytes, Option<Verified>)>>,
}

/// An inner service answering 200 `ok`, recording each request's bytes and
/// the [`Verified`] found in its extensions.
pub fn recording_inner(
    seen: Arc<Seen>,
) -> impl tower::Service<Request<Full<Bytes>>, Response = Response<Full<Bytes>>, Error = Infallible, Future = impl Send>
       + Clone {
    tower::service_fn(move |request: Request<Full<Bytes>>| {
        let seen = Arc::clone(&seen);
        async move {
            seen.calls.fetch_add(1, Ordering::SeqCst);
            let verified = request.extensions().get::<Verified>().cloned();
            let bytes = request.into_body().collect().await?.to_bytes();
            seen.requests.lock().unwrap().push((bytes, verified));
            Ok::<_, Infallible>(Response::new(Full::new(Bytes::from_static(b"ok"))))
        }
    })
}

/// Status, `Content-Type` and body of a response.
pub async fn read<B>(response: Response<B>) -> (u16, Option<String>, Bytes)
where
    B: Body,
    B::Error: std::fmt::Debug,
{
    let status = response.status().as_u16();
    let content_type = response.headers().get(http::header::CONTENT_TYPE).map(|v| v.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, content_type, body)
}

/// The `error` code of a JSON error body.
pub fn code(body: &[u8]) -> String {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    value["error"].as_str().unwrap().to_owned()
}
