//! Ready [`Scheme`]s for real providers, following their documents.
//!
//! | preset | signature header | signed content | encoding | timestamp | body limit |
//! |---|---|---|---|---|---|
//! | [`smake`] | `X-Signature: sha1=<hex>` (HMAC-SHA1) | body | hex | none | 2 MiB |
//! | [`smarter_launch`] | `X-Signature: <hex>` (configurable) | body (`JSON.stringify(payload)`) | hex | none | 2 MiB |
//! | [`smile`] | `Smile-Signature: <b64>` | `{ts}.{body}` | base64 | `Smile-Timestamp`, 5 min | 2 MiB |
//! | [`standard_webhooks`] | `webhook-signature: v1,<b64> ...` (or `svix-*`) | `{id}.{ts}.{body}` | base64 | `webhook-timestamp`, 5 min | 2 MiB |
//! | [`github`] | `X-Hub-Signature-256: sha256=<hex>` | body | hex | none | 25 MiB |
//! | [`stripe`] | `Stripe-Signature: t=<ts>,v1=<hex>,...` | `{ts}.{body}` | hex | in the header, 300 s | 2 MiB |
//! | [`slack`] | `X-Slack-Signature: v0=<hex>` | `v0:{ts}:{body}` | hex | `X-Slack-Request-Timestamp`, 5 min | 2 MiB |
//! | [`shopify`] | `X-Shopify-Hmac-Sha256: <b64>` | body | base64 | none | 2 MiB |
//!
//! Each preset also says what identifies an event (what replay protection
//! dedupes on, see [`identity`](crate::identity)) and how long the provider
//! retries one event:
//!
//! | preset | identity | retry window |
//! |---|---|---|
//! | [`smake`] | digest of the body | 1 day |
//! | [`smarter_launch`] | digest of the body | 110 s (3 attempts) |
//! | [`smile`] | digest of the body (the timestamp left out) | 24 h |
//! | [`standard_webhooks`] | `webhook-id` (signed) | 28 h (the Svix schedule) |
//! | [`github`] | digest of the body (`X-GitHub-Delivery` is not signed) | 3 days (redeliveries) |
//! | [`stripe`] | the body's `/id` (`evt_...`) | 3 days |
//! | [`slack`] | the body's `/event_id`, else digest of the body | 1 h |
//! | [`shopify`] | digest of the body (`X-Shopify-Webhook-Id` is not signed) | 4 h |
//!
//! All use HMAC-SHA256 except Smake (HMAC-SHA1). Standard Webhooks secrets
//! are `whsec_` + base64 (or a `whpk_` public key for its ed25519 `v1a`
//! signatures); every other preset uses the secret's bytes as the key
//! (Stripe's `whsec_...` included).
//!
//! The other providers' presets follow: [`twilio`], [`square`] and
//! [`hubspot`] sign the request URL (verify with
//! [`Verifier::verify_request`](crate::Verifier::verify_request));
//! [`discord`], [`telnyx`] (ed25519) and [`sendgrid`] (ECDSA P-256) take
//! the provider's public key; [`paddle`], [`adyen`], [`line()`], [`notion`],
//! `r#box`, [`pagerduty`], [`mux`], [`bitbucket`], [`circleci`],
//! [`razorpay`], [`coinify`], [`workos`], [`gocardless`], [`linear`],
//! [`elevenlabs`], [`cashfree`], [`zoom`], [`polar`], [`finch`],
//! [`modern_treasury`], [`orb`], [`webflow`], [`pusher`],
//! [`coinbase_commerce`], [`onfido`], [`sanity`], [`easypost`],
//! [`chargily`], [`retell`], [`hookdeck`], [`customerio`], [`getstream`],
//! [`mailersend`], [`worldline`], [`terra`], [`kontent_ai`], [`nango`] and
//! [`gr4vy`] are HMACs; [`signalwire`] signs the URL
//! as Twilio does. Each function's
//! documentation gives its header, signed content, key and freshness; the
//! README's preset table gives the vector that proves each one.

use std::time::Duration;

use crate::route::EventTypeSource;
use crate::{Algorithm, Encoding, Identity, KeyFormat, Part, Scheme, SignatureFormat};

const HOUR: Duration = Duration::from_secs(60 * 60);
const DAY: Duration = Duration::from_secs(24 * 60 * 60);

/// GitHub's documented cap on webhook payloads.
pub const GITHUB_BODY_LIMIT: usize = 25 * 1024 * 1024;

mod providers;
pub use providers::*;

/// Names accepted by [`by_name`]: the eight above, then the other
/// providers (each proven by a vector, see the README's preset table).
pub const NAMES: [&str; 53] = [
    "smake",
    "smarter-launch",
    "smile",
    "standard-webhooks",
    "github",
    "stripe",
    "slack",
    "shopify",
    "twilio",
    "square",
    "hubspot",
    "sendgrid",
    "discord",
    "telnyx",
    "paddle",
    "adyen",
    "line",
    "notion",
    "box",
    "pagerduty",
    "mux",
    "bitbucket",
    "circleci",
    "razorpay",
    "coinify",
    "workos",
    "gocardless",
    "linear",
    "elevenlabs",
    "cashfree",
    "zoom",
    "polar",
    "finch",
    "modern-treasury",
    "orb",
    "webflow",
    "pusher",
    "coinbase-commerce",
    "onfido",
    "sanity",
    "easypost",
    "chargily",
    "retell",
    "hookdeck",
    "signalwire",
    "customerio",
    "getstream",
    "mailersend",
    "worldline",
    "terra",
    "kontent-ai",
    "nango",
    "gr4vy",
];

/// Other names for presets: brands that send Standard Webhooks, and
/// providers' older names.
pub const ALIASES: &[(&str, &str)] = &[
    ("svix", "standard-webhooks"),
    ("clerk", "standard-webhooks"),
    ("resend", "standard-webhooks"),
    ("openai", "standard-webhooks"),
    ("brex", "standard-webhooks"),
    ("replicate", "standard-webhooks"),
    ("liveblocks", "standard-webhooks"),
];

/// The preset called `name` (one of [`NAMES`] or [`ALIASES`]), ignoring
/// case.
///
/// ```
/// assert_eq!(hookproof_core::presets::by_name("smile").unwrap().name(), "smile");
/// assert_eq!(hookproof_core::presets::by_name("Svix").unwrap().name(), "standard-webhooks");
/// assert!(hookproof_core::presets::by_name("nope").is_none());
/// ```
pub fn by_name(name: &str) -> Option<Scheme> {
    let lower = name.trim().to_ascii_lowercase();
    if SVIX_NAMED.contains(&lower.as_str()) {
        return Some(svix_named());
    }
    let name = ALIASES.iter().find(|(alias, _)| *alias == lower).map_or(lower.as_str(), |(_, target)| target);
    Some(match name {
        "smake" => smake(),
        "smarter-launch" => smarter_launch(),
        "smile" => smile(),
        "standard-webhooks" => standard_webhooks(),
        "github" => github(),
        "stripe" => stripe(),
        "slack" => slack(),
        "shopify" => shopify(),
        other => return providers::PROVIDERS.iter().find(|(name, _)| *name == other).map(|(_, preset)| preset()),
    })
}

/// Every preset, in the order of [`NAMES`].
pub fn all() -> Vec<Scheme> {
    NAMES.iter().filter_map(|name| by_name(name)).collect()
}

fn build(builder: crate::SchemeBuilder) -> Scheme {
    // Presets are constants in code; the unit test below builds each one.
    builder.build().expect("presets are valid schemes")
}

/// Smake: `X-Signature: sha1=` + hex HMAC-SHA1 of the raw body. No timestamp.
pub fn smake() -> Scheme {
    build(
        Scheme::builder("smake")
            .algorithm(Algorithm::HmacSha1)
            .signature_header("X-Signature")
            .format(SignatureFormat::Prefixed("sha1=".into()))
            .encoding(Encoding::Hex)
            .retry_window(DAY)
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Smarter Launch: hex HMAC-SHA256 of the JSON body as sent
/// (`JSON.stringify(payload)`). The provider does not name the header:
/// `X-Signature` by default, change it with
/// [`Scheme::with_signature_header`]. For senders that pretty-print what
/// they send, opt in to [`Scheme::with_compact_json_fallback`].
pub fn smarter_launch() -> Scheme {
    build(
        Scheme::builder("smarter-launch")
            .algorithm(Algorithm::HmacSha256)
            .signature_header("X-Signature")
            .format(SignatureFormat::Plain)
            .encoding(Encoding::Hex)
            .retry_window(Duration::from_secs(110))
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Smile: `Smile-Signature` = base64 HMAC-SHA256 of
/// `{Smile-Timestamp}.{body}`; the timestamp must be within 5 minutes.
pub fn smile() -> Scheme {
    build(
        Scheme::builder("smile")
            .algorithm(Algorithm::HmacSha256)
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("Smile-Signature")
            .format(SignatureFormat::Plain)
            .encoding(Encoding::Base64)
            .timestamp_header("Smile-Timestamp")
            .tolerance(Duration::from_secs(5 * 60))
            .retry_window(DAY)
            .event_type(EventTypeSource::json_field("/topic")),
    )
}

/// Standard Webhooks (and Svix): `webhook-signature: v1,<b64> [v1,<b64> ...]`
/// over `{webhook-id}.{webhook-timestamp}.{body}`, `whsec_` + base64
/// secrets, 5 minutes. The `svix-id`, `svix-timestamp` and `svix-signature`
/// headers are accepted too.
pub fn standard_webhooks() -> Scheme {
    standard_webhooks_named(["webhook", "svix"])
}

/// The aliases whose senders name the headers `svix-*` (and whose official
/// receivers, such as `@clerk/backend`, read only those names).
const SVIX_NAMED: &[&str] = &["svix", "clerk"];

/// [`standard_webhooks`] with the `svix-*` names first, so that a
/// [`Signer`](crate::Signer) writes them; it verifies exactly the same
/// deliveries, under the same name (and so the same event keys).
fn svix_named() -> Scheme {
    standard_webhooks_named(["svix", "webhook"])
}

/// Standard Webhooks with its headers under `prefixes` (`<prefix>-signature`,
/// `-timestamp`, `-id`), in order: the first is what a signer writes.
fn standard_webhooks_named(prefixes: [&str; 2]) -> Scheme {
    let mut builder = Scheme::builder("standard-webhooks");
    for prefix in prefixes {
        builder = builder
            .signature_header(format!("{prefix}-signature"))
            .timestamp_header(format!("{prefix}-timestamp"))
            .id_header(format!("{prefix}-id"));
    }
    build(
        builder
            .algorithm(Algorithm::HmacSha256)
            .key_format(KeyFormat::WhsecBase64)
            .signed_content([Part::Id, Part::literal("."), Part::Timestamp, Part::literal("."), Part::Body])
            .format(SignatureFormat::VersionedList { version: "v1".into() })
            .encoding(Encoding::Base64)
            .alternative("v1a", Algorithm::Ed25519)
            .tolerance(Duration::from_secs(5 * 60))
            .retry_window(28 * HOUR)
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// GitHub: `X-Hub-Signature-256: sha256=` + hex HMAC-SHA256 of the body;
/// `X-GitHub-Delivery` is the event id (not signed); 25 MiB bodies.
pub fn github() -> Scheme {
    build(
        Scheme::builder("github")
            .algorithm(Algorithm::HmacSha256)
            .signature_header("X-Hub-Signature-256")
            .format(SignatureFormat::Prefixed("sha256=".into()))
            .encoding(Encoding::Hex)
            .id_header("X-GitHub-Delivery")
            .body_limit(GITHUB_BODY_LIMIT)
            .retry_window(3 * DAY)
            .event_type(EventTypeSource::header("X-GitHub-Event")),
    )
}

/// Stripe: `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>][,v0=...]` over
/// `{t}.{body}`; the `whsec_...` secret is used as is; every `v1` is checked,
/// `v0` is ignored; 300 seconds.
pub fn stripe() -> Scheme {
    build(
        Scheme::builder("stripe")
            .algorithm(Algorithm::HmacSha256)
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("Stripe-Signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v1".into() })
            .encoding(Encoding::Hex)
            .tolerance(Duration::from_secs(300))
            .identity(Identity::json_field("/id"))
            .retry_window(3 * DAY)
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Slack: `X-Slack-Signature: v0=` + hex HMAC-SHA256 of
/// `v0:{X-Slack-Request-Timestamp}:{body}`; 5 minutes. Answers Slack's
/// signed `url_verification` [handshake](crate::handshake).
pub fn slack() -> Scheme {
    build(
        Scheme::builder("slack")
            .algorithm(Algorithm::HmacSha256)
            .signed_content([Part::literal("v0:"), Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("X-Slack-Signature")
            .format(SignatureFormat::Prefixed("v0=".into()))
            .encoding(Encoding::Hex)
            .timestamp_header("X-Slack-Request-Timestamp")
            .tolerance(Duration::from_secs(5 * 60))
            .identity(Identity::json_field("/event_id"))
            .retry_window(HOUR)
            .event_type(EventTypeSource::json_field("/type"))
            .handshake(crate::handshake::Signed::Slack),
    )
}

/// Shopify: `X-Shopify-Hmac-Sha256` = base64 HMAC-SHA256 of the raw body;
/// `X-Shopify-Webhook-Id` is the event id (not signed).
pub fn shopify() -> Scheme {
    build(
        Scheme::builder("shopify")
            .algorithm(Algorithm::HmacSha256)
            .signature_header("X-Shopify-Hmac-Sha256")
            .format(SignatureFormat::Plain)
            .encoding(Encoding::Base64)
            .id_header("X-Shopify-Webhook-Id")
            .retry_window(4 * HOUR)
            .event_type(EventTypeSource::header("X-Shopify-Topic")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_resolves_to_its_own_preset() {
        assert_eq!(all().len(), NAMES.len());
        for name in NAMES {
            assert_eq!(by_name(name).map(|scheme| scheme.name().to_owned()).as_deref(), Some(name));
        }
        assert_eq!(github().body_limit(), 25 * 1024 * 1024);
        assert_eq!(smile().body_limit(), 2 * 1024 * 1024);
        assert_eq!(stripe().tolerance(), Some(Duration::from_secs(300)));
        assert_eq!(smake().tolerance(), None);
    }
}
