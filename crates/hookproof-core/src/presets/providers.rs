//! Presets beyond the first eight: one function per provider, each proven
//! by a vector: the provider's published example (`tests/provider_vectors.rs`),
//! or deliveries made or accepted by its official SDK (the workspace's
//! `tests/provider_sdks.rs` and `tests/interop.rs`; fixed ones that the SDK
//! signed are also in `tests/provider_vectors.rs`).

use std::time::Duration;

use crate::route::EventTypeSource;
use crate::{Algorithm, Encoding, Identity, KeyFormat, Part, Scheme, SignatureFormat, TimestampFormat};

use super::{build, DAY};

/// Twilio: `X-Twilio-Signature` = base64 HMAC-SHA1 (Auth Token) of the
/// full URL Twilio called, then every form parameter sorted by name,
/// `name` + `value`. Verify with
/// [`Verifier::verify_request`](crate::Verifier::verify_request) (or a
/// configured public URL). No timestamp.
pub fn twilio() -> Scheme {
    build(
        Scheme::builder("twilio")
            .algorithm(Algorithm::HmacSha1)
            .signed_content([Part::Url, Part::FormParams])
            .signature_header("X-Twilio-Signature")
            .encoding(Encoding::Base64)
            .id_header("I-Twilio-Idempotency-Token"),
    )
}

/// Square: `x-square-hmacsha256-signature` = base64 HMAC-SHA256 (signature
/// key, as text) of the notification URL then the body. The URL is the one
/// configured in Square's dashboard: set it with
/// [`VerifierBuilder::public_url`](crate::VerifierBuilder::public_url).
/// Identity: the body's `/event_id`.
pub fn square() -> Scheme {
    build(
        Scheme::builder("square")
            .signed_content([Part::Url, Part::Body])
            .signature_header("x-square-hmacsha256-signature")
            .encoding(Encoding::Base64)
            .identity(Identity::json_field("/event_id"))
            .retry_window(DAY),
    )
}

/// HubSpot (signature v3): `X-HubSpot-Signature-V3` = base64 HMAC-SHA256
/// (app client secret) of method, URL, body and
/// `X-HubSpot-Request-Timestamp` (unix milliseconds), 5 minutes.
pub fn hubspot() -> Scheme {
    build(
        Scheme::builder("hubspot")
            .signed_content([Part::Method, Part::Url, Part::Body, Part::Timestamp])
            .signature_header("X-HubSpot-Signature-V3")
            .encoding(Encoding::Base64)
            .timestamp_header("X-HubSpot-Request-Timestamp")
            .timestamp_format(TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(5 * 60)),
    )
}

/// SendGrid Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` =
/// base64 DER ECDSA P-256/SHA-256 signature of
/// `{X-Twilio-Email-Event-Webhook-Timestamp}{body}`. The secret is the
/// dashboard's "Verification Key" (base64 DER public key).
pub fn sendgrid() -> Scheme {
    build(
        Scheme::builder("sendgrid")
            .algorithm(Algorithm::EcdsaP256Sha256)
            .signed_content([Part::Timestamp, Part::Body])
            .signature_header("X-Twilio-Email-Event-Webhook-Signature")
            .encoding(Encoding::Base64)
            .timestamp_header("X-Twilio-Email-Event-Webhook-Timestamp"),
    )
}

/// Discord interactions: `X-Signature-Ed25519` = hex ed25519 signature of
/// `{X-Signature-Timestamp}{body}`; the secret is the application's public
/// key (hex). 5 minutes.
pub fn discord() -> Scheme {
    build(
        Scheme::builder("discord")
            .algorithm(Algorithm::Ed25519)
            .signed_content([Part::Timestamp, Part::Body])
            .signature_header("X-Signature-Ed25519")
            .encoding(Encoding::Hex)
            .timestamp_header("X-Signature-Timestamp")
            .identity(Identity::json_field("/id")),
    )
}

/// Telnyx (API v2): `telnyx-signature-ed25519` = base64 ed25519 signature
/// of `{telnyx-timestamp}|{body}`; the secret is the account's public key
/// (base64). 300 seconds, as Telnyx's SDKs.
pub fn telnyx() -> Scheme {
    build(
        Scheme::builder("telnyx")
            .algorithm(Algorithm::Ed25519)
            .signed_content([Part::Timestamp, Part::literal("|"), Part::Body])
            .signature_header("telnyx-signature-ed25519")
            .encoding(Encoding::Base64)
            .timestamp_header("telnyx-timestamp")
            .tolerance(Duration::from_secs(300))
            .identity(Identity::json_field("/data/id")),
    )
}

/// Paddle Billing: `Paddle-Signature: ts=<unix>;h1=<hex>[;h1=<hex>]` over
/// `{ts}:{body}`; the `pdl_ntfset_...` secret is used as is. Identity: the
/// body's `/event_id`. 5 minutes.
pub fn paddle() -> Scheme {
    build(
        Scheme::builder("paddle")
            .signed_content([Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("Paddle-Signature")
            .format(SignatureFormat::KeyValueList {
                separator: ';',
                timestamp_key: Some("ts".into()),
                signature_key: "h1".into(),
            })
            .identity(Identity::json_field("/event_id"))
            .retry_window(3 * DAY),
    )
}

/// Adyen (header-signed webhooks: Balance Platform, Management,
/// Recurring): `HmacSignature` = base64 HMAC-SHA256 of the body; the HMAC
/// key is the hex string Adyen's Customer Area shows.
pub fn adyen() -> Scheme {
    build(
        Scheme::builder("adyen")
            .key_format(KeyFormat::Hex)
            .signature_header("HmacSignature")
            .encoding(Encoding::Base64),
    )
}

/// LINE Messaging API: `x-line-signature` = base64 HMAC-SHA256 (channel
/// secret) of the body.
pub fn line() -> Scheme {
    build(Scheme::builder("line").signature_header("x-line-signature").encoding(Encoding::Base64))
}

/// Notion: `X-Notion-Signature: sha256=<hex>` of the body, keyed with the
/// `verification_token` of the subscription handshake.
pub fn notion() -> Scheme {
    build(
        Scheme::builder("notion")
            .signature_header("X-Notion-Signature")
            .format(SignatureFormat::Prefixed("sha256=".into()))
            .identity(Identity::json_field("/id")),
    )
}

/// Box: `BOX-SIGNATURE-PRIMARY` and `BOX-SIGNATURE-SECONDARY` = base64
/// HMAC-SHA256 of `{body}{BOX-DELIVERY-TIMESTAMP}` (RFC 3339) under the
/// primary and the secondary key (configure both); either may match.
/// 10 minutes, as Box's SDKs.
pub fn r#box() -> Scheme {
    build(
        Scheme::builder("box")
            .signed_content([Part::Body, Part::Timestamp])
            .signature_header("BOX-SIGNATURE-PRIMARY")
            .signature_header("BOX-SIGNATURE-SECONDARY")
            .every_signature_header(true)
            .encoding(Encoding::Base64)
            .timestamp_header("BOX-DELIVERY-TIMESTAMP")
            .timestamp_format(TimestampFormat::Rfc3339)
            .tolerance(Duration::from_secs(10 * 60)),
    )
}

/// PagerDuty (v3 webhooks): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>]`
/// of the body. Identity: the body's `/event/id`.
pub fn pagerduty() -> Scheme {
    build(
        Scheme::builder("pagerduty")
            .signature_header("X-PagerDuty-Signature")
            .format(SignatureFormat::KeyValueList { separator: ',', timestamp_key: None, signature_key: "v1".into() })
            .identity(Identity::json_field("/event/id")),
    )
}

/// Mux: `Mux-Signature: t=<unix>,v1=<hex>` over `{t}.{body}`, 300 seconds.
/// Identity: the body's `/id`.
pub fn mux() -> Scheme {
    build(
        Scheme::builder("mux")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("Mux-Signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v1".into() })
            .tolerance(Duration::from_secs(300))
            .identity(Identity::json_field("/id"))
            .retry_window(DAY),
    )
}

/// Bitbucket Cloud: `X-Hub-Signature: sha256=<hex>` of the body.
pub fn bitbucket() -> Scheme {
    build(
        Scheme::builder("bitbucket")
            .signature_header("X-Hub-Signature")
            .format(SignatureFormat::Prefixed("sha256=".into()))
            .id_header("X-Request-UUID"),
    )
}

/// CircleCI outbound webhooks: `circleci-signature: v1=<hex>[,...]` of the
/// body (other versions ignored). Identity: the body's `/id`.
pub fn circleci() -> Scheme {
    build(
        Scheme::builder("circleci")
            .signature_header("circleci-signature")
            .format(SignatureFormat::KeyValueList { separator: ',', timestamp_key: None, signature_key: "v1".into() })
            .identity(Identity::json_field("/id")),
    )
}

/// Razorpay: `X-Razorpay-Signature` = hex HMAC-SHA256 (webhook secret) of
/// the body. `x-razorpay-event-id` is not signed.
pub fn razorpay() -> Scheme {
    build(
        Scheme::builder("razorpay")
            .signature_header("X-Razorpay-Signature")
            .id_header("x-razorpay-event-id")
            .retry_window(DAY),
    )
}

/// Coinify: `X-Coinify-Webhook-Signature` = hex HMAC-SHA256 of the body.
pub fn coinify() -> Scheme {
    build(Scheme::builder("coinify").signature_header("X-Coinify-Webhook-Signature"))
}

/// WorkOS: `WorkOS-Signature: t=<unix ms>, v1=<hex>` over `{t}.{body}`;
/// 180 seconds, as WorkOS's SDKs. Identity: the body's `/id`.
pub fn workos() -> Scheme {
    build(
        Scheme::builder("workos")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("WorkOS-Signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v1".into() })
            .timestamp_format(TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(180))
            .identity(Identity::json_field("/id")),
    )
}

/// GoCardless: `Webhook-Signature` = hex HMAC-SHA256 (endpoint secret) of
/// the body.
pub fn gocardless() -> Scheme {
    build(Scheme::builder("gocardless").signature_header("Webhook-Signature"))
}

/// Linear: `linear-signature` = hex HMAC-SHA256 of the body
/// (`Linear-Delivery` is not signed); the timestamp is the signed body's
/// `webhookTimestamp` (unix milliseconds), within 60 seconds as Linear's SDK.
pub fn linear() -> Scheme {
    build(
        Scheme::builder("linear")
            .signature_header("linear-signature")
            .id_header("Linear-Delivery")
            .timestamp_field("/webhookTimestamp", TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(60)),
    )
}

/// ElevenLabs: `ElevenLabs-Signature: t=<unix>,v0=<hex>` over `{t}.{body}`;
/// 30 minutes, as ElevenLabs's SDKs.
pub fn elevenlabs() -> Scheme {
    build(
        Scheme::builder("elevenlabs")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("ElevenLabs-Signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v0".into() })
            .tolerance(Duration::from_secs(30 * 60)),
    )
}

/// Cashfree Payments: `x-webhook-signature` = base64 HMAC-SHA256 (client
/// secret) of `{x-webhook-timestamp}{body}`, the timestamp in unix
/// milliseconds; 5 minutes.
pub fn cashfree() -> Scheme {
    build(
        Scheme::builder("cashfree")
            .signed_content([Part::Timestamp, Part::Body])
            .signature_header("x-webhook-signature")
            .encoding(Encoding::Base64)
            .timestamp_header("x-webhook-timestamp")
            .timestamp_format(TimestampFormat::UnixMillis),
    )
}

/// Zoom: `x-zm-signature: v0=<hex>` = HMAC-SHA256 (secret token) of
/// `v0:{x-zm-request-timestamp}:{body}` (Slack's construction); 5 minutes.
/// Answers Zoom's signed `endpoint.url_validation` [handshake](crate::handshake).
pub fn zoom() -> Scheme {
    build(
        Scheme::builder("zoom")
            .signed_content([Part::literal("v0:"), Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("x-zm-signature")
            .format(SignatureFormat::Prefixed("v0=".into()))
            .timestamp_header("x-zm-request-timestamp")
            .handshake(crate::handshake::Signed::Zoom),
    )
}

/// Polar: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature: v1,<b64> ...`) over `{id}.{ts}.{body}`, but the
/// secret's text is the key (Polar's SDK base64-encodes it before handing
/// it to `standardwebhooks`); 5 minutes. Identity: the signed `webhook-id`.
pub fn polar() -> Scheme {
    build(
        Scheme::builder("polar")
            .signed_content([Part::Id, Part::literal("."), Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("webhook-signature")
            .format(SignatureFormat::VersionedList { version: "v1".into() })
            .encoding(Encoding::Base64)
            .timestamp_header("webhook-timestamp")
            .id_header("webhook-id")
            .tolerance(Duration::from_secs(5 * 60))
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Finch: `finch-signature: v1,<b64> ...` over
/// `{finch-event-id}.{finch-timestamp}.{body}`; the secret is base64 (its
/// decoded bytes are the key); 5 minutes, as Finch's SDK. Identity: the
/// signed `finch-event-id`.
pub fn finch() -> Scheme {
    build(
        Scheme::builder("finch")
            .key_format(KeyFormat::Base64)
            .signed_content([Part::Id, Part::literal("."), Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("finch-signature")
            .format(SignatureFormat::VersionedList { version: "v1".into() })
            .encoding(Encoding::Base64)
            .timestamp_header("finch-timestamp")
            .id_header("finch-event-id")
            .tolerance(Duration::from_secs(5 * 60)),
    )
}

/// Modern Treasury: `X-Signature` = hex HMAC-SHA256 (webhook key) of the
/// body.
pub fn modern_treasury() -> Scheme {
    build(Scheme::builder("modern-treasury").signature_header("X-Signature"))
}

/// Orb: `X-Orb-Signature: v1=<hex>` = HMAC-SHA256 (the secret's text) of
/// `v1:{X-Orb-Timestamp}:{body}`; the timestamp is ISO 8601 without an
/// offset (UTC); 5 minutes, as Orb's SDK.
pub fn orb() -> Scheme {
    build(
        Scheme::builder("orb")
            .signed_content([Part::literal("v1:"), Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("X-Orb-Signature")
            .format(SignatureFormat::KeyValueList { separator: ' ', timestamp_key: None, signature_key: "v1".into() })
            .timestamp_header("X-Orb-Timestamp")
            .timestamp_format(TimestampFormat::Iso8601Utc)
            .tolerance(Duration::from_secs(5 * 60))
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Webflow: `x-webflow-signature` = hex HMAC-SHA256 of
/// `{x-webflow-timestamp}:{body}`, the timestamp in unix milliseconds;
/// 5 minutes, as Webflow's documents.
pub fn webflow() -> Scheme {
    build(
        Scheme::builder("webflow")
            .signed_content([Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("x-webflow-signature")
            .timestamp_header("x-webflow-timestamp")
            .timestamp_format(TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(5 * 60))
            .event_type(EventTypeSource::json_field("/triggerType")),
    )
}

/// Pusher Channels: `X-Pusher-Signature` = hex HMAC-SHA256 (the app
/// secret) of the body; `X-Pusher-Key` names the app key (not signed:
/// configure the secret of that key).
pub fn pusher() -> Scheme {
    build(Scheme::builder("pusher").signature_header("X-Pusher-Signature"))
}

/// Coinbase Commerce: `X-CC-Webhook-Signature` = hex HMAC-SHA256 (the
/// endpoint's shared secret) of the body.
pub fn coinbase_commerce() -> Scheme {
    build(
        Scheme::builder("coinbase-commerce")
            .signature_header("X-CC-Webhook-Signature")
            .event_type(EventTypeSource::json_field("/event/type")),
    )
}

/// Onfido: `X-SHA2-Signature` = hex HMAC-SHA256 (the webhook token) of the
/// body.
pub fn onfido() -> Scheme {
    build(
        Scheme::builder("onfido")
            .signature_header("X-SHA2-Signature")
            .event_type(EventTypeSource::json_field("/payload/action")),
    )
}

/// Sanity: `sanity-webhook-signature: t=<unix ms>,v1=<base64url>` over
/// `{t}.{body}`, URL-safe base64 without padding; 5 minutes (Sanity's
/// toolkit checks no age).
pub fn sanity() -> Scheme {
    build(
        Scheme::builder("sanity")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("sanity-webhook-signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v1".into() })
            .encoding(Encoding::Base64Url)
            .timestamp_format(TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(5 * 60)),
    )
}

/// EasyPost: `X-Hmac-Signature: hmac-sha256-hex=<hex>` of the body, keyed
/// with the webhook secret (EasyPost's SDK NFKD-normalises it: give a
/// secret with non-ASCII characters in that form).
pub fn easypost() -> Scheme {
    build(
        Scheme::builder("easypost")
            .signature_header("X-Hmac-Signature")
            .format(SignatureFormat::Prefixed("hmac-sha256-hex=".into()))
            .identity(Identity::json_field("/id"))
            .event_type(EventTypeSource::json_field("/description")),
    )
}

/// Chargily Pay: `signature` = hex HMAC-SHA256 (the API secret key) of the
/// body.
pub fn chargily() -> Scheme {
    build(Scheme::builder("chargily").signature_header("signature"))
}

/// Retell AI: `x-retell-signature: v=<unix ms>,d=<hex>` = HMAC-SHA256 (the
/// API key) of `{body}{v}`; 5 minutes, as Retell's SDK.
pub fn retell() -> Scheme {
    build(
        Scheme::builder("retell")
            .signed_content([Part::Body, Part::Timestamp])
            .signature_header("x-retell-signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "v".into(), signature_key: "d".into() })
            .timestamp_format(TimestampFormat::UnixMillis)
            .tolerance(Duration::from_secs(5 * 60))
            .event_type(EventTypeSource::json_field("/event")),
    )
}

/// Hookdeck: `x-hookdeck-signature` (and `x-hookdeck-signature-2` while a
/// secret rotates) = base64 HMAC-SHA256 (the signing secret) of the body;
/// either may match.
pub fn hookdeck() -> Scheme {
    build(
        Scheme::builder("hookdeck")
            .signature_header("x-hookdeck-signature")
            .signature_header("x-hookdeck-signature-2")
            .every_signature_header(true)
            .encoding(Encoding::Base64),
    )
}

/// SignalWire (Compatibility API, LaML): Twilio's construction under
/// SignalWire's header: `X-SignalWire-Signature` (or `X-Twilio-Signature`)
/// = base64 HMAC-SHA1 (the project's signing key) of the URL, then every
/// form parameter sorted by name, `name` + `value`. Verify with
/// [`Verifier::verify_request`](crate::Verifier::verify_request).
pub fn signalwire() -> Scheme {
    build(
        Scheme::builder("signalwire")
            .algorithm(Algorithm::HmacSha1)
            .signed_content([Part::Url, Part::FormParams])
            .signature_header("X-SignalWire-Signature")
            .signature_header("X-Twilio-Signature")
            .encoding(Encoding::Base64),
    )
}

/// Customer.io (reporting webhooks): `X-CIO-Signature` = hex HMAC-SHA256
/// (the webhook signing secret) of `v0:{X-CIO-Timestamp}:{body}`;
/// 5 minutes.
pub fn customerio() -> Scheme {
    build(
        Scheme::builder("customerio")
            .signed_content([Part::literal("v0:"), Part::Timestamp, Part::literal(":"), Part::Body])
            .signature_header("X-CIO-Signature")
            .timestamp_header("X-CIO-Timestamp")
            .identity(Identity::json_field("/event_id"))
            .event_type(EventTypeSource::json_field("/metric")),
    )
}

/// Stream (GetStream Chat, Video, Feeds): `X-Signature` = hex HMAC-SHA256
/// (the app's API secret) of the body.
pub fn getstream() -> Scheme {
    build(Scheme::builder("getstream").signature_header("X-Signature").event_type(EventTypeSource::json_field("/type")))
}

/// MailerSend: `Signature` (as MailerSend's documents name it; its Node
/// SDK's README says `X-MailerSend-Signature`, accepted too) = hex
/// HMAC-SHA256 (the webhook signing secret) of the body.
pub fn mailersend() -> Scheme {
    build(Scheme::builder("mailersend").signature_header("Signature").signature_header("X-MailerSend-Signature"))
}

/// Worldline (Online Payments, Direct): `X-GCS-Signature` = base64
/// HMAC-SHA256 (the webhook secret key) of the body; `X-GCS-KeyId` names
/// the key (not signed: configure the secret of that key id).
pub fn worldline() -> Scheme {
    build(
        Scheme::builder("worldline")
            .signature_header("X-GCS-Signature")
            .encoding(Encoding::Base64)
            .identity(Identity::json_field("/id"))
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Terra: `terra-signature: t=<unix>,v1=<hex>` over `{t}.{body}`;
/// 300 seconds, as Terra's SDK.
pub fn terra() -> Scheme {
    build(
        Scheme::builder("terra")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("terra-signature")
            .format(SignatureFormat::KeyValue { timestamp_key: "t".into(), signature_key: "v1".into() })
            .tolerance(Duration::from_secs(300))
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Kontent.ai: `X-KC-Signature` = base64 HMAC-SHA256 (the webhook secret)
/// of the body.
pub fn kontent_ai() -> Scheme {
    build(Scheme::builder("kontent-ai").signature_header("X-KC-Signature").encoding(Encoding::Base64))
}

/// Nango: `X-Nango-Hmac-Sha256` = hex HMAC-SHA256 (the webhook signing
/// key, else the secret key) of the body. (The older `X-Nango-Signature`,
/// a plain SHA-256 of key and body, is not supported: Nango's SDK
/// deprecates it as open to length extension.)
pub fn nango() -> Scheme {
    build(
        Scheme::builder("nango")
            .signature_header("X-Nango-Hmac-Sha256")
            .event_type(EventTypeSource::json_field("/type")),
    )
}

/// Gr4vy: `X-Gr4vy-Signature` = hex HMAC-SHA256 (the webhook secret) of
/// `{X-Gr4vy-Timestamp}.{body}`, several comma-separated while a secret
/// rotates (any may match); 5 minutes.
pub fn gr4vy() -> Scheme {
    build(
        Scheme::builder("gr4vy")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("X-Gr4vy-Signature")
            .format(SignatureFormat::List { separator: ',' })
            .timestamp_header("X-Gr4vy-Timestamp")
            .tolerance(Duration::from_secs(5 * 60)),
    )
}

/// A preset's name and constructor.
type Entry = (&'static str, fn() -> Scheme);

/// The presets of this module, by name.
pub(super) const PROVIDERS: &[Entry] = &[
    ("twilio", twilio),
    ("square", square),
    ("hubspot", hubspot),
    ("sendgrid", sendgrid),
    ("discord", discord),
    ("telnyx", telnyx),
    ("paddle", paddle),
    ("adyen", adyen),
    ("line", line),
    ("notion", notion),
    ("box", r#box),
    ("pagerduty", pagerduty),
    ("mux", mux),
    ("bitbucket", bitbucket),
    ("circleci", circleci),
    ("razorpay", razorpay),
    ("coinify", coinify),
    ("workos", workos),
    ("gocardless", gocardless),
    ("linear", linear),
    ("elevenlabs", elevenlabs),
    ("cashfree", cashfree),
    ("zoom", zoom),
    ("polar", polar),
    ("finch", finch),
    ("modern-treasury", modern_treasury),
    ("orb", orb),
    ("webflow", webflow),
    ("pusher", pusher),
    ("coinbase-commerce", coinbase_commerce),
    ("onfido", onfido),
    ("sanity", sanity),
    ("easypost", easypost),
    ("chargily", chargily),
    ("retell", retell),
    ("hookdeck", hookdeck),
    ("signalwire", signalwire),
    ("customerio", customerio),
    ("getstream", getstream),
    ("mailersend", mailersend),
    ("worldline", worldline),
    ("terra", terra),
    ("kontent-ai", kontent_ai),
    ("nango", nango),
    ("gr4vy", gr4vy),
];
