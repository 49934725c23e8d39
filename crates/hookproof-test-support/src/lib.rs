//! What hookproof's tests, examples and load generator share, written once:
//!
//! - [`client`]: a raw HTTP/1.1 client that sends exactly the bytes it is
//!   given to a loopback address and reads one response (status, headers,
//!   body) with bounded reads: a deadline and a size cap, never a hang;
//! - [`server`] (features `axum`, `actix`, `hyper`): an axum router, an
//!   actix-web app or a tower service on hyper 1 served for real on a free
//!   `127.0.0.1` port, on its own thread and runtime, stopped when dropped.
//!
//! Not published: it is a dev-dependency of the workspace's crates.

use std::net::{Ipv4Addr, TcpListener};

pub mod client;
#[cfg(any(feature = "axum", feature = "actix", feature = "hyper"))]
pub mod server;

pub use client::{Request, Response};
#[cfg(any(feature = "axum", feature = "actix", feature = "hyper"))]
pub use server::{Server, Start};

/// A loopback port nothing listens on right now (bound, then released), for
/// a server started as a child process (`hookproof listen`, Redis,
/// PostgreSQL, chromedriver) that takes its port as an argument.
///
/// # Panics
///
/// When no loopback port can be bound.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind 127.0.0.1:0");
    listener.local_addr().expect("local address").port()
}
