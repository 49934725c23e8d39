//! Presets against their providers' official SDKs (issue 12), for the
//! providers that publish no vector (and a few that do, as a second check).
//!
//! For each provider, deliveries with random JSON (or form) bodies, non-ASCII
//! text included: hookproof signs and the SDK must accept the body and
//! refuse a tampered copy; where the SDK signs (Twilio, WorkOS, Finch,
//! Modern Treasury, Orb, Pusher, Coinbase Commerce, Sanity, Retell,
//! Kontent.ai; SendGrid's ECDSA with a key made by Node, as only SendGrid
//! holds its own; Standard Webhooks `v1a` with Node's ed25519), hookproof
//! must accept what it signed and refuse the tampered copy with
//! `signature_mismatch`.
//!
//! The peer is `tests/interop/providers_peer.mjs`; the SDKs are pinned in
//! `tests/interop/package-lock.json` and installed by
//! `scripts/install-interop.sh`. Without them this test fails, never skips.

use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hookproof::{presets, RequestTarget, Signer, Verifier};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};

const CASES: usize = 24;

/// An ed25519 key pair (seed of 32 bytes 0x05) for Discord and Telnyx.
const ED25519_SEED: &str = "0505050505050505050505050505050505050505050505050505050505050505";
const ED25519_PUBLIC: &str = "6e7a1cdd29b0b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1";

const TWILIO_URL: &str = "https://example.com/hooks/twilio?account=1&x=%C3%A9";
const SIGNALWIRE_URL: &str = "https://example.com/hooks/signalwire?space=interop&x=%C3%A9";
const SQUARE_URL: &str = "https://example.com/hooks/square";

/// (provider, pinned package) checked here.
const PROVIDERS: &[(&str, &str)] = &[
    ("discord", "discord-interactions"),
    ("telnyx", "telnyx"),
    ("sendgrid", "@sendgrid/eventwebhook"),
    ("twilio", "twilio"),
    ("workos", "@workos-inc/node"),
    ("gocardless", "gocardless-nodejs"),
    ("paddle", "@paddle/paddle-node-sdk"),
    ("mux", "@mux/mux-node"),
    ("line", "@line/bot-sdk"),
    ("razorpay", "razorpay"),
    ("square", "square"),
    ("linear", "@linear/sdk"),
    ("elevenlabs", "@elevenlabs/elevenlabs-js"),
    ("cashfree", "cashfree-pg"),
    ("zoom", "@zoom/rivet"),
    ("polar", "@polar-sh/sdk"),
    ("replicate", "replicate"),
    ("finch", "@tryfinch/finch-api"),
    ("modern-treasury", "modern-treasury"),
    ("orb", "orb-billing"),
    ("webflow", "webflow-api"),
    ("pusher", "pusher"),
    ("coinbase-commerce", "coinbase-commerce-node"),
    ("onfido", "@onfido/api"),
    ("sanity", "@sanity/webhook"),
    ("easypost", "@easypost/api"),
    ("chargily", "@chargily/chargily-pay"),
    ("retell", "retell-sdk"),
    ("hookdeck", "@hookdeck/sdk"),
    ("signalwire", "@signalwire/compatibility-api"),
    ("customerio", "customerio-node"),
    ("getstream", "stream-chat"),
    ("mailersend", "mailersend"),
    ("worldline", "onlinepayments-sdk-nodejs"),
    ("liveblocks", "@liveblocks/node"),
    ("clerk", "@clerk/backend"),
    ("resend", "resend"),
    ("openai", "openai"),
    ("terra", "terra-api"),
    ("kontent-ai", "@kontent-ai/webhook-helper"),
    ("nango", "@nangohq/node"),
    ("shopify", "@shopify/shopify-api"),
    ("gr4vy", "@gr4vy/sdk"),
    // No library implements `v1a`: Node's own ed25519 is the independent check.
    ("standard-webhooks-v1a", "node:crypto"),
];

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn text(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| match self.below(6) {
                0 => char::from_u32(0x00E0 + self.below(0x20) as u32).unwrap(),
                1 => char::from_u32(0x1F600 + self.below(0x40) as u32).unwrap(),
                2 => char::from_u32(0x4E00 + self.below(0x100) as u32).unwrap(),
                3 => [' ', '"', '\\', '/', '&', '=', '+', '%'][self.below(8) as usize],
                _ => char::from(b'a' + self.below(26) as u8),
            })
            .collect()
    }

    fn secret(&mut self) -> String {
        (0..32)
            .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"[self.below(46) as usize]))
            .collect()
    }
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

struct Case {
    provider: &'static str,
    body: String,
    tampered: String,
    secret: String,
    key: Option<String>,
    url: Option<&'static str>,
    timestamp: u64,
    headers: Option<HeaderMap>,
}

fn body_for(rng: &mut Rng, provider: &str, index: usize, now: u64) -> String {
    let len = 1 + rng.below(if index == 0 { 4000 } else { 120 }) as usize;
    let text = rng.text(len);
    match provider {
        "twilio" | "signalwire" => format!(
            "Body={}&From=%2B1415555{:04}&MessageSid=SM{}&To=%2B18005551212",
            percent(&text),
            rng.below(10_000),
            rng.secret()
        ),
        "linear" => {
            json!({"action": "create", "type": "Issue", "data": {"title": text}, "webhookTimestamp": now * 1000})
                .to_string()
        }
        "gocardless" => json!({"events": [{"id": format!("EV{index}"), "details": {"description": text}}]}).to_string(),
        "coinbase-commerce" => json!({"id": format!("e{index}"), "event": {"id": format!("evt{index}"), "type": "charge:created", "data": {"name": text}}}).to_string(),
        "liveblocks" => json!({"type": "roomCreated", "data": {"projectId": "p1", "roomId": text, "createdAt": "2026-01-01T00:00:00Z"}}).to_string(),
        "onfido" => json!({"payload": {"resource_type": "check", "action": "check.completed", "object": {"id": format!("chk{index}"), "note": text}}}).to_string(),
        // Zoom's SDK checks `JSON.stringify(JSON.parse(body))`: compact JSON,
        // as Zoom sends (serde_json writes it the same way for these bodies).
        "zoom" => json!({"event": "meeting.started", "payload": {"object": {"topic": text}}, "event_ts": now * 1000})
            .to_string(),
        _ => {
            json!({"id": format!("evt_{index}"), "type": "test.event", "data": {"text": text, "n": index}}).to_string()
        }
    }
}

fn tamper(body: &str) -> String {
    // Change the last value character before the closing braces (or the
    // form's last byte): same shape, different content.
    let mut bytes = body.as_bytes().to_vec();
    let at = bytes.iter().rposition(u8::is_ascii_alphanumeric).unwrap();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    String::from_utf8(bytes).unwrap()
}

fn generate(now: u64) -> Vec<Case> {
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let mut cases = Vec::new();
    for (provider, _) in PROVIDERS {
        for index in 0..CASES {
            let body = body_for(&mut rng, provider, index, now);
            let tampered = tamper(&body);
            // Paddle's SDK allows 5 s after the timestamp, Node's start-up
            // included: sign a little ahead (hookproof allows minutes).
            let timestamp = if *provider == "paddle" { now + 20 } else { now };
            let (secret, key) = match *provider {
                "discord" => (ED25519_SEED.to_owned(), Some(ED25519_PUBLIC.to_owned())),
                "standard-webhooks-v1a" => (
                    format!("whsk_{}", BASE64.encode(hex::decode(ED25519_SEED).unwrap())),
                    Some(format!("whpk_{}", BASE64.encode(hex::decode(ED25519_PUBLIC).unwrap()))),
                ),
                "telnyx" => (ED25519_SEED.to_owned(), Some(BASE64.encode(hex::decode(ED25519_PUBLIC).unwrap()))),
                // The `standard-webhooks` aliases' secrets are `whsec_` +
                // base64; Finch's are plain base64.
                "replicate" | "liveblocks" | "clerk" | "resend" | "openai" => {
                    (format!("whsec_{}", BASE64.encode(rng.secret())), None)
                }
                "finch" => (BASE64.encode(rng.secret()), None),
                _ => (rng.secret(), None),
            };
            let url = match *provider {
                "twilio" => Some(TWILIO_URL),
                "signalwire" => Some(SIGNALWIRE_URL),
                "square" => Some(SQUARE_URL),
                _ => None,
            };
            let headers = (*provider != "sendgrid").then(|| {
                let signer = Signer::new(scheme_of(provider), secret.as_str()).unwrap();
                let at = UNIX_EPOCH + Duration::from_secs(timestamp);
                signer.sign_request_at(RequestTarget::new("POST", url.unwrap_or_default()), body.as_bytes(), at, None)
            });
            cases.push(Case { provider, body, tampered, secret, key, url, timestamp, headers });
        }
    }
    cases
}

/// The preset checked for `provider` (`standard-webhooks-v1a` is the
/// `standard-webhooks` preset with ed25519 keys).
fn scheme_of(provider: &str) -> hookproof::Scheme {
    presets::by_name(provider.trim_end_matches("-v1a")).unwrap()
}

fn headers_json(headers: &HeaderMap) -> Value {
    headers.iter().map(|(name, value)| (name.to_string(), Value::from(value.to_str().unwrap()))).collect()
}

fn headers_from(value: &Value) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in value.as_object().unwrap() {
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value.as_str().unwrap()).unwrap(),
        );
    }
    map
}

/// hookproof's verdict on `headers` over `body`.
fn hookproof_verdict(case: &Case, verifying_key: &str, headers: &HeaderMap, body: &str) -> Result<(), String> {
    let mut builder = Verifier::builder(scheme_of(case.provider)).secret(verifying_key);
    if case.provider == "square" {
        builder = builder.public_url(SQUARE_URL);
    }
    let verifier = builder.build().unwrap();
    let target = RequestTarget::new("POST", case.url.unwrap_or_default());
    let now = UNIX_EPOCH + Duration::from_secs(unix_now());
    verifier.verify_request_at(headers, target, body.as_bytes(), now).map(drop).map_err(|error| error.code().to_owned())
}

#[test]
fn presets_agree_with_the_official_sdks() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop");
    let now = unix_now();
    let cases = generate(now);
    let input = json!({"cases": cases.iter().map(|c| json!({
        "provider": c.provider,
        "body": c.body,
        "tampered": c.tampered,
        "secret": c.secret,
        "key": c.key,
        "url": c.url,
        "timestamp": c.timestamp,
        "hookproof": c.headers.as_ref().map(headers_json),
    })).collect::<Vec<_>>()});
    let mut file = tempfile::NamedTempFile::new().unwrap();
    file.write_all(input.to_string().as_bytes()).unwrap();
    let output = Command::new("node")
        .arg(dir.join("providers_peer.mjs"))
        .arg(file.path())
        .output()
        .unwrap_or_else(|error| panic!("cannot run node ({error}); run scripts/install-interop.sh first"));
    assert!(
        output.status.success(),
        "the SDK peer failed; run scripts/install-interop.sh first\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let answer: Value = serde_json::from_slice(&output.stdout).expect("the peer prints JSON");

    // The pinned versions are the ones installed.
    let package: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("package.json")).unwrap()).unwrap();
    for (_, name) in PROVIDERS.iter().filter(|(_, name)| !name.starts_with("node:")) {
        assert_eq!(answer["versions"][name], package["dependencies"][name], "{name} is not the pinned version");
    }
    let sendgrid_key = answer["sendgrid_public_key"].as_str().unwrap().to_owned();
    let results = answer["results"].as_array().unwrap();
    assert_eq!(results.len(), cases.len());

    let mut disagreements = Vec::new();
    let mut checked = std::collections::BTreeMap::<&str, usize>::new();
    for (case, result) in cases.iter().zip(results) {
        let verifying_key = match case.provider {
            "sendgrid" => sendgrid_key.clone(),
            _ => case.key.clone().unwrap_or_else(|| case.secret.clone()),
        };
        let mut expect = |what: &str, got: &Value, want: &str| {
            if got.as_str() != Some(want) {
                disagreements.push(format!("{}: {what}: got {got}, want {want}", case.provider));
            }
        };
        if let Some(headers) = &case.headers {
            // The SDK on hookproof's deliveries.
            expect("SDK on hookproof's delivery", &result["ours"], "accept");
            expect("SDK on hookproof's tampered delivery", &result["ours_tampered"], "reject");
            // hookproof on its own, as a control.
            assert_eq!(hookproof_verdict(case, &verifying_key, headers, &case.body), Ok(()), "{}", case.provider);
        }
        if !result["headers"].is_null() {
            // hookproof on the SDK's deliveries.
            expect("SDK on its own delivery", &result["own"], "accept");
            let headers = headers_from(&result["headers"]);
            if let Err(code) = hookproof_verdict(case, &verifying_key, &headers, &case.body) {
                disagreements.push(format!("{}: hookproof refused the SDK's delivery: {code}", case.provider));
            }
            let tampered = hookproof_verdict(case, &verifying_key, &headers, &case.tampered);
            if tampered != Err("signature_mismatch".to_owned()) {
                disagreements
                    .push(format!("{}: hookproof on the SDK's tampered delivery: {tampered:?}", case.provider));
            }
        }
        *checked.entry(case.provider).or_default() += 1;
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    for (provider, _) in PROVIDERS {
        assert_eq!(checked.get(provider), Some(&CASES), "{provider}");
    }
}
