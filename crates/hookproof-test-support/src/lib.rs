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

pub mod client;
#[cfg(any(feature = "axum", feature = "actix", feature = "hyper"))]
pub mod server;

pub use client::{Request, Response};
#[cfg(any(feature = "axum", feature = "actix", feature = "hyper"))]
pub use server::{Server, Start};
