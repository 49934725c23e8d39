//! Reading the request body under the verifier's limit, frame by frame.

use axum_core::body::Body;
use bytes::Bytes;
use hookproof_core::{parse_content_length, BodyCollector, VerifyError};
use http::header::CONTENT_LENGTH;
use http::HeaderMap;
use http_body_util::BodyExt as _;

/// Reads `body` into memory, refusing it up front when `Content-Length`
/// exceeds `limit` and as soon as the bytes received pass it (chunked bodies
/// and lying lengths): nothing past the limit is buffered.
pub(crate) async fn read_limited(headers: &HeaderMap, mut body: Body, limit: usize) -> Result<Bytes, VerifyError> {
    let content_length = parse_content_length(headers.get(CONTENT_LENGTH).map(|value| value.as_bytes()));
    let mut collector = BodyCollector::new(content_length, limit)?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| VerifyError::BodyRead(error.into_inner()))?;
        if let Ok(data) = frame.into_data() {
            collector.push(&data)?;
        }
    }
    Ok(collector.finish())
}
