//! A [`ReplayStore`] on Redis, so that every receiver behind a load balancer
//! shares one memory of claimed and processed webhook events.
//!
//! ```no_run
//! use std::time::Duration;
//! use hookproof_core::replay::{Admission, ReplayProtection};
//! use hookproof_core::{presets, HeaderLookup, Verifier};
//! use hookproof_redis::RedisStore;
//!
//! # async fn run(headers: &impl HeaderLookup, body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = Verifier::builder(presets::github()).secret("s3cret").build()?;
//! let store = RedisStore::connect("redis://127.0.0.1:6379/0")
//!     .await?
//!     .timeout(Duration::from_millis(500))
//!     .key_prefix("billing:webhooks:");
//! let replay = ReplayProtection::new(store, &verifier);
//!
//! let verified = verifier.verify(headers, body)?;
//! match replay.claim(&verified, body).await? {
//!     Admission::Process(claim) => {
//!         // ... run the handler, then on success:
//!         claim.commit().await;
//!     }
//!     Admission::Duplicate => { /* answer 200 {"status":"duplicate"} */ }
//!     Admission::Unprotected => { /* only with `.fail_open(true)` */ }
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # How keys are stored
//!
//! Each event becomes one Redis string, `<prefix><64 hex digits>` (default
//! prefix [`DEFAULT_KEY_PREFIX`]): the [`EventKey`] digest, so keys have a
//! fixed size and hold no id, signature or other secret-derived value:
//!
//! - a claim is `claim:<owner>` with the lease as its expiry, written with
//!   `SET NX PX` inside a Lua script, so two concurrent claims of one key can
//!   never both succeed, whichever receiver sends them;
//! - a processed event is `done` with the retention as its expiry, written by
//!   a script that first checks that the committing owner still holds the claim;
//! - a renewal (while the handler runs) extends the claim's expiry, and a
//!   release deletes the key, only if that owner still holds the claim.
//!
//! The outcomes are those of [`MemoryStore`](hookproof_core::MemoryStore):
//! a live claim by anyone is [`ClaimOutcome::InFlight`], a processed key is
//! [`ClaimOutcome::Processed`], and commit and release by anyone but the
//! current owner do nothing. Expired claims and processed ids simply vanish
//! with their Redis expiry. Run the Redis that holds them with
//! `maxmemory-policy noeviction` (or without `maxmemory`): an evicting policy
//! may forget processed ids early, and a duplicate would then run again.
//!
//! # Failures
//!
//! Every call is bounded by the store's [timeout](RedisStore::timeout)
//! (default [`DEFAULT_TIMEOUT`]). A timeout, a connection failure or any error
//! Redis answers becomes [`ReplayError::Unavailable`], which the adapters
//! answer with 503 `replay_store_unavailable` (or which
//! [`ReplayProtection::fail_open`](hookproof_core::ReplayProtection::fail_open)
//! turns into unprotected processing).
//!
//! The connection is a `redis` [`ConnectionManager`]: when Redis goes away,
//! calls fail fast with `Unavailable`, and when it comes back the next call
//! reconnects. A call that times out also drops the connection it used, so
//! a connection that hangs (a paused server, a network that drops packets
//! silently) is replaced rather than waited on forever.
//!
//! # Start-up
//!
//! [`RedisStore::connect`] fails only on an unusable URL. If Redis cannot be
//! reached at start-up it logs a warning and returns the store anyway: the
//! receiver starts, answers 503 (or runs unprotected with fail-open) while
//! Redis is down, and protects deliveries as soon as Redis is reachable. A
//! receiver that would rather refuse to start calls [`RedisStore::ping`]
//! after connecting.

// Feature badges on docs.rs ("Available on crate feature X only").
#![cfg_attr(docsrs, feature(doc_cfg))]

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hookproof_core::replay::{ClaimOutcome, ReplayError, ReplayStore};
use hookproof_core::{ErrorChain, EventKey};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{ConnectionAddr, ConnectionInfo, RedisError, RedisResult, Script};

/// The `redis` crate this store is built on, for naming its types.
pub use redis;

/// How long one store call may take before it fails with
/// [`ReplayError::Unavailable`]: 1 second.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

/// What every key this store writes starts with: `hookproof:replay:`.
pub const DEFAULT_KEY_PREFIX: &str = "hookproof:replay:";

/// Longest expiry sent to Redis (about 100 years): Redis refuses an expiry
/// that overflows when added to its clock.
const MAX_EXPIRY_MS: u64 = 100 * 365 * 24 * 60 * 60 * 1000;

/// Claims `KEYS[1]` for the claim value `ARGV[1]` for `ARGV[2]` ms.
/// Returns 0 (claimed), 1 (processed) or 2 (in flight). `ARGV[3]` is `1`
/// when the caller is retrying the same claim after a lost answer, in which
/// case finding its own claim means the first attempt took it.
const CLAIM_SCRIPT: &str = r"
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
local held = redis.call('GET', KEYS[1])
if not held then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 0
end
if held == 'done' then
  return 1
end
if held == ARGV[1] and ARGV[3] == '1' then
  return 0
end
return 2
";

/// Marks `KEYS[1]` processed for `ARGV[2]` ms if `ARGV[1]` still holds it.
const COMMIT_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
  return 1
end
return 0
";

/// Extends `KEYS[1]` to `ARGV[2]` ms if `ARGV[1]` still holds it; 1 if so.
const RENEW_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Deletes `KEYS[1]` if `ARGV[1]` still holds it.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`ReplayStore`] on Redis; see the [crate docs](crate).
///
/// Cheap to clone: clones share one connection. Its `Debug` output shows the
/// server without the password.
#[derive(Clone)]
pub struct RedisStore {
    shared: Arc<Shared>,
    key_prefix: Arc<str>,
    timeout: Duration,
}

/// What the clones of one store share: the client, the current connection
/// and the scripts.
struct Shared {
    client: redis::Client,
    /// The connection in use, with a generation number so that a call that
    /// timed out drops only the connection it used.
    current: Mutex<Option<(u64, ConnectionManager)>>,
    /// Held while a connection is being made, so concurrent calls wait for
    /// one attempt instead of each making their own.
    connecting: tokio::sync::Mutex<u64>,
    claim: Script,
    commit: Script,
    renew: Script,
    release: Script,
}

impl Shared {
    fn current(&self) -> Option<(u64, ConnectionManager)> {
        // The guarded value is replaced whole, so a poisoned lock still holds a consistent one.
        self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The current connection, made now if there is none.
    async fn manager(&self, connect_timeout: Duration) -> RedisResult<(u64, ConnectionManager)> {
        if let Some(current) = self.current() {
            return Ok(current);
        }
        let mut generation = self.connecting.lock().await;
        if let Some(current) = self.current() {
            return Ok(current);
        }
        // One attempt per (re)connection: while Redis is down, calls fail at
        // once instead of waiting out a backoff, and the next call tries again.
        let config = ConnectionManagerConfig::new().set_number_of_retries(0).set_connection_timeout(connect_timeout);
        let manager = ConnectionManager::new_with_config(self.client.clone(), config).await?;
        *generation += 1;
        let current = (*generation, manager);
        *self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(current.clone());
        Ok(current)
    }

    /// Drops connection `generation` if it is still the current one.
    fn discard(&self, generation: u64) {
        let mut current = self.current.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if current.as_ref().is_some_and(|(held, _)| *held == generation) {
            *current = None;
        }
    }
}

impl RedisStore {
    /// A store for the Redis at `url` (`redis://[[user]:password@]host[:port][/db]`
    /// or `redis+unix:///path`), which connects on first use. Fails only if
    /// the URL is unusable.
    ///
    /// `rediss://` URLs (with the default `tls` feature) connect over TLS and
    /// trust the system's root certificates; see
    /// [`with_root_certificates`](Self::with_root_certificates) for a private CA.
    pub fn new(url: &str) -> Result<Self, RedisError> {
        #[cfg(feature = "tls")]
        if url.starts_with("rediss://") {
            install_tls_provider();
        }
        Ok(Self::from_client(redis::Client::open(url)?))
    }

    /// A store for the `rediss://` server at `url` whose certificate is
    /// signed by one of the PEM certificates in `root_pem` (a private CA),
    /// instead of by a root the system trusts.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let ca = std::fs::read("/etc/redis/ca.crt")?;
    /// let store = hookproof_redis::RedisStore::with_root_certificates("rediss://redis.internal:6380/0", &ca)?;
    /// # Ok(())
    /// # }
    /// ```
    #[cfg(feature = "tls")]
    pub fn with_root_certificates(url: &str, root_pem: &[u8]) -> Result<Self, RedisError> {
        install_tls_provider();
        let certificates = redis::TlsCertificates { client_tls: None, root_cert: Some(root_pem.to_vec()) };
        Ok(Self::from_client(redis::Client::build_with_tls(url, certificates)?))
    }

    fn from_client(client: redis::Client) -> Self {
        Self {
            shared: Arc::new(Shared {
                client,
                current: Mutex::new(None),
                connecting: tokio::sync::Mutex::new(0),
                claim: Script::new(CLAIM_SCRIPT),
                commit: Script::new(COMMIT_SCRIPT),
                renew: Script::new(RENEW_SCRIPT),
                release: Script::new(RELEASE_SCRIPT),
            }),
            key_prefix: Arc::from(DEFAULT_KEY_PREFIX),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Like [`new`](Self::new), and connects now, waiting at most
    /// [`DEFAULT_TIMEOUT`], so the first delivery finds the connection ready.
    ///
    /// Fails only if the URL is unusable. If Redis cannot be reached, a
    /// warning is logged and the store is returned anyway: its calls answer
    /// [`ReplayError::Unavailable`] until Redis is reachable, then work
    /// without a restart. Call [`ping`](Self::ping) to refuse to start instead.
    pub async fn connect(url: &str) -> Result<Self, RedisError> {
        let store = Self::new(url)?;
        if let Err(error) = store.ping().await {
            tracing::warn!(
                server = %store.server(),
                error = %ErrorChain(&error),
                "redis replay store not reachable yet; deliveries are refused (or unprotected) until it is"
            );
        }
        Ok(store)
    }

    /// How long one call may take, connecting included, before it fails
    /// with [`ReplayError::Unavailable`] (default [`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// What every key this store writes starts with (default
    /// [`DEFAULT_KEY_PREFIX`]). Receivers that must share replay memory use
    /// the same prefix; unrelated ones sharing a Redis use different ones.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = Arc::from(prefix.into());
        self
    }

    /// The configured call timeout.
    pub fn timeout_period(&self) -> Duration {
        self.timeout
    }

    /// The configured key prefix.
    pub fn prefix(&self) -> &str {
        &self.key_prefix
    }

    /// Checks that Redis answers, within the timeout: for readiness probes,
    /// or to refuse to start while Redis is down.
    pub async fn ping(&self) -> Result<(), ReplayError> {
        self.call(|mut connection, _retry| async move {
            redis::cmd("PING").query_async::<String>(&mut connection).await.map(drop)
        })
        .await
    }

    fn key(&self, key: &EventKey) -> String {
        let mut full = String::with_capacity(self.key_prefix.len() + 2 * EventKey::LEN);
        full.push_str(&self.key_prefix);
        full.push_str(&key.to_hex());
        full
    }

    /// The server, with any password replaced by `***`.
    fn server(&self) -> String {
        redacted(self.shared.client.get_connection_info())
    }

    /// Runs `operation` within the timeout, retrying it once on a fresh
    /// connection if the first attempt failed at the connection level (the
    /// `bool` tells the operation it is the retry). Every failure is
    /// [`ReplayError::Unavailable`].
    async fn call<T, F, Fut>(&self, operation: F) -> Result<T, ReplayError>
    where
        F: Fn(ConnectionManager, bool) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let mut used = None;
        let attempts = async {
            let mut retry = false;
            loop {
                let result = match self.shared.manager(self.timeout).await {
                    Ok((generation, manager)) => {
                        used = Some(generation);
                        operation(manager, retry).await
                    }
                    Err(error) => Err(error),
                };
                match result {
                    Err(error) if !retry && is_connection_error(&error) => retry = true,
                    other => return other,
                }
            }
        };
        match tokio::time::timeout(self.timeout, attempts).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(ReplayError::Unavailable(Box::new(error))),
            Err(_) => {
                // The connection may hang for good (paused server, silent
                // network): make the next call start a new one.
                if let Some(generation) = used {
                    self.shared.discard(generation);
                }
                Err(ReplayError::Unavailable(Box::new(TimedOut { after: self.timeout })))
            }
        }
    }
}

/// Errors after which the command may not have reached Redis, or the
/// connection must be replaced: worth one more attempt.
fn is_connection_error(error: &RedisError) -> bool {
    error.is_io_error() || error.is_unrecoverable_error()
}

/// Milliseconds for `PX`: at least 1 (Redis refuses 0; a zero lease or
/// retention expires at once, as in the memory store) and at most
/// [`MAX_EXPIRY_MS`].
fn expiry_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).clamp(1, MAX_EXPIRY_MS)
}

fn claim_value(owner: &str) -> String {
    format!("claim:{owner}")
}

#[async_trait::async_trait]
impl ReplayStore for RedisStore {
    async fn claim(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<ClaimOutcome, ReplayError> {
        let (key, value, lease) = (self.key(key), claim_value(owner), expiry_ms(lease));
        let outcome = self
            .call(|mut connection, retry| {
                let (script, key, value) = (&self.shared.claim, &key, &value);
                async move {
                    let mut invocation = script.key(key);
                    invocation.arg(value).arg(lease).arg(u8::from(retry));
                    invocation.invoke_async::<i64>(&mut connection).await
                }
            })
            .await?;
        match outcome {
            0 => Ok(ClaimOutcome::Claimed),
            1 => Ok(ClaimOutcome::Processed),
            _ => Ok(ClaimOutcome::InFlight),
        }
    }

    async fn renew(&self, key: &EventKey, owner: &str, lease: Duration) -> Result<bool, ReplayError> {
        let (key, value, lease) = (self.key(key), claim_value(owner), expiry_ms(lease));
        let renewed = self
            .call(|mut connection, _retry| {
                let (script, key, value) = (&self.shared.renew, &key, &value);
                async move { script.key(key).arg(value).arg(lease).invoke_async::<i64>(&mut connection).await }
            })
            .await?;
        Ok(renewed == 1)
    }

    async fn commit(&self, key: &EventKey, owner: &str, retention: Duration) -> Result<(), ReplayError> {
        let (key, value, retention) = (self.key(key), claim_value(owner), expiry_ms(retention));
        self.call(|mut connection, _retry| {
            let (script, key, value) = (&self.shared.commit, &key, &value);
            async move { script.key(key).arg(value).arg(retention).invoke_async::<i64>(&mut connection).await.map(drop) }
        })
        .await
    }

    async fn release(&self, key: &EventKey, owner: &str) -> Result<(), ReplayError> {
        let (key, value) = (self.key(key), claim_value(owner));
        self.call(|mut connection, _retry| {
            let (script, key, value) = (&self.shared.release, &key, &value);
            async move { script.key(key).arg(value).invoke_async::<i64>(&mut connection).await.map(drop) }
        })
        .await
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.server())
            .field("key_prefix", &self.key_prefix)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// redis-rs builds its TLS config from rustls's process-wide provider, which
/// rustls cannot pick by itself when a program links two (ring here, aws-lc
/// elsewhere). Installing ring is a no-op if the program chose one already.
#[cfg(feature = "tls")]
fn install_tls_provider() {
    let _already_installed = rustls::crypto::ring::default_provider().install_default();
}

/// `redis://[user:***@]host:port/db`: the server without its password.
fn redacted(info: &ConnectionInfo) -> String {
    let redis = &info.redis;
    let credentials = match (&redis.username, &redis.password) {
        (Some(user), Some(_)) => format!("{user}:***@"),
        (None, Some(_)) => ":***@".to_owned(),
        (Some(user), None) => format!("{user}@"),
        (None, None) => String::new(),
    };
    match &info.addr {
        ConnectionAddr::Unix(path) => format!("redis+unix://{credentials}{}?db={}", path.display(), redis.db),
        addr @ ConnectionAddr::TcpTls { .. } => format!("rediss://{credentials}{addr}/{}", redis.db),
        addr => format!("redis://{credentials}{addr}/{}", redis.db),
    }
}

/// A store call did not finish within the store's timeout; the source of
/// [`ReplayError::Unavailable`] in that case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimedOut {
    after: Duration,
}

impl TimedOut {
    /// The timeout that elapsed.
    pub fn after(&self) -> Duration {
        self.after
    }
}

impl fmt::Display for TimedOut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redis did not answer within {:?}", self.after)
    }
}

impl StdError for TimedOut {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password() {
        for url in ["redis://alice:hunter2@127.0.0.1:6390/3", "redis://:hunter2@localhost/0"] {
            let debug = format!("{:?}", RedisStore::new(url).unwrap());
            assert!(!debug.contains("hunter2"), "{debug}");
            assert!(debug.contains(":***@"), "{debug}");
        }
        let debug = format!("{:?}", RedisStore::new("redis://alice:hunter2@127.0.0.1:6390/3").unwrap());
        assert!(debug.contains("redis://alice:***@127.0.0.1:6390/3"), "{debug}");
        let plain = format!("{:?}", RedisStore::new("redis://127.0.0.1").unwrap().key_prefix("p:"));
        assert!(plain.contains("redis://127.0.0.1:6379/0") && plain.contains("\"p:\""), "{plain}");
    }

    #[test]
    fn a_bad_url_is_refused() {
        assert!(RedisStore::new("http://127.0.0.1:6379").is_err());
        assert!(RedisStore::new("not a url").is_err());
    }

    #[test]
    fn expiries_are_clamped_to_what_redis_accepts() {
        assert_eq!(expiry_ms(Duration::ZERO), 1);
        assert_eq!(expiry_ms(Duration::from_millis(1500)), 1500);
        assert_eq!(expiry_ms(Duration::MAX), MAX_EXPIRY_MS);
    }

    #[test]
    fn keys_carry_the_prefix() {
        let store = RedisStore::new("redis://127.0.0.1").unwrap();
        let key = EventKey::from_bytes([0xab; 32]);
        assert_eq!(store.key(&key), format!("hookproof:replay:{}", "ab".repeat(32)));
        assert_eq!(store.key_prefix("x:").key(&key), format!("x:{}", "ab".repeat(32)));
    }
}
