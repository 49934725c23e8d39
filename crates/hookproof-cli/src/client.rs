//! A minimal HTTP/1.1 client for `send` and `demo`: plain http on hyper 1,
//! no TLS (webhook senders in tests and demos talk to local receivers).

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::TokioIo;

/// What the receiver answered.
pub(crate) struct Answer {
    pub(crate) status: http::StatusCode,
    pub(crate) body: Bytes,
}

impl Answer {
    /// Prints the status and the body on stdout, as `send`, `trigger` and
    /// `replay` do; a non-2xx answer is a failure.
    pub(crate) fn report(&self) -> Result<(), crate::Failure> {
        println!("{}", self.status.as_u16());
        println!("{}", String::from_utf8_lossy(&self.body));
        if self.status.is_success() {
            Ok(())
        } else {
            Err(crate::Failure::failed(format!("error: the receiver answered {}", self.status)))
        }
    }
}

/// POSTs `body` with `headers` (plus `Content-Type: application/json`) to `url`.
pub(crate) async fn post(
    url: &http::Uri,
    headers: http::HeaderMap,
    body: impl Into<Bytes>,
) -> Result<Answer, Box<dyn std::error::Error + Send + Sync>> {
    if url.scheme_str() != Some("http") {
        return Err("only http:// URLs are supported".into());
    }
    let host = url.host().ok_or("the URL has no host")?;
    let port = url.port_u16().unwrap_or(80);
    let stream = tokio::net::TcpStream::connect((host, port)).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    let driver = tokio::spawn(connection);
    let mut request = http::Request::post(url.path_and_query().map_or("/", |p| p.as_str()))
        .header(http::header::HOST, url.authority().map_or(host, |a| a.as_str()))
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(body.into()))?;
    request.headers_mut().extend(headers);
    let response = sender.send_request(request).await?;
    let status = response.status();
    let body = response.into_body().collect().await?.to_bytes();
    driver.abort();
    Ok(Answer { status, body })
}
