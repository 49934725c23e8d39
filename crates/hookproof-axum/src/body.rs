//! Reading the request body under the verifier's limit, frame by frame.

use axum_core::body::Body;
use bytes::Bytes;
use hookproof_core::{parse_content_length, BodyCollector, VerifyError};
use http::header::CONTENT_LENGTH;
use http::HeaderMap;
use http_body_util::BodyExt as _;

/// A collector for a body a layer already verified: only the size is checked
/// (the declared `Content-Length` up front, the bytes while they stream).
pub(crate) fn body_collector(headers: &HeaderMap, limit: usize) -> Result<BodyCollector, VerifyError> {
    BodyCollector::new(parse_content_length(headers.get(CONTENT_LENGTH).map(|value| value.as_bytes())), limit)
}

/// Reads `body` frame by frame into `push` (a [`BodyCollector`] or a
/// [`PendingDelivery`](hookproof_core::PendingDelivery)), which refuses it
/// as soon as the bytes received pass the limit (chunked bodies and lying
/// lengths): nothing past the limit is buffered.
pub(crate) async fn read_into(
    mut body: Body,
    mut push: impl FnMut(Bytes) -> Result<(), VerifyError>,
) -> Result<(), VerifyError> {
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| VerifyError::BodyRead(error.into_inner()))?;
        if let Ok(data) = frame.into_data() {
            push(data)?;
        }
    }
    Ok(())
}
