//! A raw HTTP/1.1 client for loopback servers: one request per connection,
//! exactly the bytes given (so a test can send what no well-behaved client
//! would), and one response read back with bounded reads.
//!
//! Every read is bounded twice: by a deadline ([`PATIENCE`] unless
//! [`Request::patience`] says otherwise) and by [`MAX_RESPONSE`] bytes. A
//! response ends at its `Content-Length`, at the last chunk of a chunked
//! body, or when the server closes the connection.
//!
//! ```no_run
//! use hookproof_test_support::Request;
//!
//! let answer = Request::post("/webhooks")
//!     .header("content-type", "application/json")
//!     .body(r#"{"type":"ping"}"#)
//!     .send_to("127.0.0.1:3000")
//!     .unwrap();
//! assert_eq!(answer.status, 401);
//! ```

use std::fmt::Display;
use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// How long one exchange may take, connecting to the end of the response.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The largest response read (head and body); more is an error.
pub const MAX_RESPONSE: usize = 16 * 1024 * 1024;

/// What a server answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The response head as received (status line and header lines, without
    /// the blank line that ends it).
    pub head: String,
    /// The header fields, names lowercased, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked when it came chunked.
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(key, _)| key.eq_ignore_ascii_case(name)).map(|(_, value)| value.as_str())
    }

    /// The status line, e.g. `HTTP/1.1 200 OK`.
    pub fn status_line(&self) -> &str {
        self.head.lines().next().unwrap_or_default()
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request, written by hand: `host` (the address it is sent to,
/// unless set), `connection: close`, the headers in the order added, and
/// `content-length` when it has a body (unless [`Request::unframed`]).
#[derive(Debug, Clone)]
pub struct Request {
    method: String,
    target: String,
    authority: Option<String>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    framed: bool,
    patience: Duration,
}

impl Request {
    /// A `method` request for `target`: a path, or a whole
    /// `http://host:port/path` URL, which also says where [`Request::send`] goes.
    pub fn new(method: &str, target: &str) -> Self {
        let (authority, target) = match target.strip_prefix("http://") {
            Some(rest) => {
                let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
                (Some(authority.to_owned()), if path.is_empty() { "/" } else { path }.to_owned())
            }
            None => (None, target.to_owned()),
        };
        Self {
            method: method.to_owned(),
            target,
            authority,
            headers: Vec::new(),
            body: Vec::new(),
            framed: false,
            patience: PATIENCE,
        }
    }

    /// A `POST` for `target` (a path or a URL).
    pub fn post(target: &str) -> Self {
        Self::new("POST", target)
    }

    /// A `GET` for `target` (a path or a URL).
    pub fn get(target: &str) -> Self {
        Self::new("GET", target)
    }

    /// Adds a header line `name: value`.
    pub fn header(mut self, name: impl Display, value: impl Display) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Adds every header of `headers` (values must be visible ASCII, as
    /// signatures are).
    pub fn headers(mut self, headers: &http::HeaderMap) -> Self {
        for (name, value) in headers {
            let value = value.to_str().unwrap_or_else(|_| panic!("header {name} is not visible ASCII: {value:?}"));
            self.headers.push((name.as_str().to_owned(), value.to_owned()));
        }
        self
    }

    /// The body; `content-length` is its length.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self.framed = true;
        self
    }

    /// No `content-length` of its own: the caller frames the body (or
    /// declares a length it never sends) with its own headers.
    pub fn unframed(mut self) -> Self {
        self.framed = false;
        self
    }

    /// How long the exchange may take (default [`PATIENCE`]).
    pub fn patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// The bytes on the wire, with `host` as the `host` header unless one was added.
    pub fn to_bytes(&self, host: &str) -> Vec<u8> {
        let mut head = format!("{} {} HTTP/1.1\r\n", self.method, self.target);
        if !self.headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("host: {host}\r\n"));
        }
        head.push_str("connection: close\r\n");
        if self.framed {
            head.push_str(&format!("content-length: {}\r\n", self.body.len()));
        }
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// Sends the request to `addr` and reads the response.
    pub fn send_to<A: ToSocketAddrs + Display>(&self, addr: A) -> io::Result<Response> {
        let deadline = Instant::now() + self.patience;
        let mut stream = connect_within(&addr, self.patience)?;
        stream.write_all(&self.to_bytes(&addr.to_string()))?;
        read_until(&mut stream, deadline)
    }

    /// Sends the request to the URL it was made with.
    ///
    /// # Panics
    ///
    /// When it was made with a path, not a URL.
    pub fn send(&self) -> io::Result<Response> {
        let authority = self.authority.as_deref().expect("Request::send needs an http:// URL; use send_to");
        self.send_to(authority)
    }

    /// [`Request::send_to`] on tokio's blocking pool, so that a server on
    /// the caller's own runtime keeps running.
    #[cfg(feature = "tokio")]
    pub async fn send_async(self, addr: SocketAddr) -> io::Result<Response> {
        tokio::task::spawn_blocking(move || self.send_to(addr)).await.map_err(io::Error::other)?
    }
}

/// Connects to `addr` (a loopback address) with read and write timeouts of [`PATIENCE`].
pub fn connect<A: ToSocketAddrs + Display>(addr: A) -> io::Result<TcpStream> {
    connect_within(&addr, PATIENCE)
}

fn connect_within<A: ToSocketAddrs + Display>(addr: &A, patience: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, format!("{addr} resolves to no address"));
    for candidate in addr.to_socket_addrs()? {
        match TcpStream::connect_timeout(&candidate, patience) {
            Ok(stream) => {
                stream.set_read_timeout(Some(patience))?;
                stream.set_write_timeout(Some(patience))?;
                return Ok(stream);
            }
            Err(error) => last = error,
        }
    }
    Err(last)
}

/// Writes `request` as it is to `addr` and reads the response within [`PATIENCE`].
pub fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Response> {
    let deadline = Instant::now() + PATIENCE;
    let mut stream = connect(addr)?;
    stream.write_all(request)?;
    read_until(&mut stream, deadline)
}

/// [`exchange`] on tokio's blocking pool.
#[cfg(feature = "tokio")]
pub async fn exchange_async(addr: SocketAddr, request: Vec<u8>) -> io::Result<Response> {
    tokio::task::spawn_blocking(move || exchange(addr, &request)).await.map_err(io::Error::other)?
}

/// Reads one response from `stream` within [`PATIENCE`] (for a test that
/// wrote its request by hand, perhaps in parts, on a [`connect`]ed stream).
pub fn read_response(stream: &mut TcpStream) -> io::Result<Response> {
    read_until(stream, Instant::now() + PATIENCE)
}

fn read_until(stream: &mut TcpStream, deadline: Instant) -> io::Result<Response> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 16 * 1024];
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(incomplete(io::ErrorKind::TimedOut, "no full response in time", &received));
        }
        stream.set_read_timeout(Some(remaining))?;
        let read = match stream.read(&mut buffer) {
            Ok(read) => read,
            Err(error) if matches!(error.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                return Err(incomplete(io::ErrorKind::TimedOut, "no full response in time", &received));
            }
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            // A server that answers before reading the whole request may
            // reset the connection after its answer: that is its end.
            Err(_) => 0,
        };
        received.extend_from_slice(&buffer[..read]);
        if received.len() > MAX_RESPONSE {
            return Err(io::Error::other(format!("response over {MAX_RESPONSE} bytes")));
        }
        if let Some(response) = parse(&received, read == 0)? {
            return Ok(response);
        }
        if read == 0 {
            return Err(incomplete(
                io::ErrorKind::UnexpectedEof,
                "connection closed before a response head",
                &received,
            ));
        }
    }
}

/// The response in `received`, once complete (or `closed`, with a head).
fn parse(received: &[u8], closed: bool) -> io::Result<Option<Response>> {
    let Some(end) = received.windows(4).position(|window| window == b"\r\n\r\n") else {
        return Ok(None);
    };
    let head = String::from_utf8_lossy(&received[..end]).into_owned();
    let body = &received[end + 4..];
    let headers: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let header = |name: &str| headers.iter().find(|(key, _)| key == name).map(|(_, value)| value.as_str());
    let length = header("content-length").and_then(|value| value.parse::<usize>().ok());
    let chunked = header("transfer-encoding").is_some_and(|value| value.eq_ignore_ascii_case("chunked"));
    let body = match (length, chunked) {
        (Some(length), _) if body.len() >= length => body[..length].to_vec(),
        (None, true) => match dechunk(body) {
            Some(body) => body,
            None if closed => body.to_vec(),
            None => return Ok(None),
        },
        _ if closed => body.to_vec(),
        _ => return Ok(None),
    };
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("no status line: {head:?}")))?;
    Ok(Some(Response { status, head, headers, body }))
}

/// A chunked body's data, once its last chunk has arrived.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data.windows(2).position(|window| window == b"\r\n")?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        let rest = &data[line_end + 2..];
        if size == 0 {
            // Trailers, if any, end with an empty line.
            return rest.windows(2).any(|window| window == b"\r\n").then_some(out);
        }
        if rest.len() < size + 2 {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        data = &rest[size + 2..];
    }
}

/// The error for a response that did not complete, with what was received.
fn incomplete(kind: io::ErrorKind, what: &str, received: &[u8]) -> io::Error {
    io::Error::new(kind, format!("{what}; received {:?}", String::from_utf8_lossy(received)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_length_chunked_and_closed_bodies() {
        let framed = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA";
        let response = parse(framed, false).unwrap().unwrap();
        assert_eq!(
            (response.status, response.body.as_slice(), response.header("content-length")),
            (200, &b"ok"[..], Some("2"))
        );
        assert_eq!(response.status_line(), "HTTP/1.1 200 OK");

        let chunked = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n";
        assert_eq!(parse(&chunked[..chunked.len() - 4], false).unwrap(), None);
        assert_eq!(parse(chunked, false).unwrap().unwrap().body, b"abc");

        let unframed = b"HTTP/1.1 413 Payload Too Large\r\n\r\nbig";
        assert_eq!(parse(unframed, false).unwrap(), None);
        assert_eq!(parse(unframed, true).unwrap().unwrap().text(), "big");
    }

    #[test]
    fn writes_host_connection_length_then_headers() {
        let request = Request::post("http://127.0.0.1:9/hook").header("x-a", 1).body("hi");
        assert_eq!(request.authority.as_deref(), Some("127.0.0.1:9"));
        assert_eq!(
            String::from_utf8(request.to_bytes("127.0.0.1:9")).unwrap(),
            "POST /hook HTTP/1.1\r\nhost: 127.0.0.1:9\r\nconnection: close\r\ncontent-length: 2\r\nx-a: 1\r\n\r\nhi"
        );
        let unframed = Request::get("/").header("Host", "evil.example").to_bytes("127.0.0.1:9");
        assert_eq!(
            String::from_utf8(unframed).unwrap(),
            "GET / HTTP/1.1\r\nconnection: close\r\nHost: evil.example\r\n\r\n"
        );
    }
}
