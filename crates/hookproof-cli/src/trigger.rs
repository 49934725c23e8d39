//! `hookproof trigger`: send a realistic example event for a preset, signed
//! now, to a receiver (`stripe trigger` for every preset). The payloads are
//! fixtures embedded in the binary (`crates/hookproof-cli/fixtures/`), with
//! fresh ids and times filled in at each send, so two triggers are two
//! events (and pass dedupe keyed by the body's digest).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Failure, SecretArgs};

/// An example event.
#[derive(Debug)]
pub(crate) struct Fixture {
    pub(crate) preset: &'static str,
    pub(crate) event: &'static str,
    /// Headers the provider sends beside the signature (the event type).
    pub(crate) headers: &'static [(&'static str, &'static str)],
    body: &'static str,
}

macro_rules! fixture {
    ($preset:literal, $event:literal, $file:literal $(, $name:literal => $value:literal)*) => {
        Fixture {
            preset: $preset,
            event: $event,
            headers: &[$(($name, $value)),*],
            body: include_str!(concat!("../fixtures/", $preset, "/", $file)),
        }
    };
}

/// Every fixture, by preset.
pub(crate) const FIXTURES: &[Fixture] = &[
    fixture!("smake", "order.created", "order.created.json"),
    fixture!("smake", "customer.updated", "customer.updated.json"),
    fixture!("smarter-launch", "contact.created", "contact.created.json"),
    fixture!("smarter-launch", "deal.won", "deal.won.json"),
    fixture!("smile", "ping", "ping.json"),
    fixture!("smile", "customer/updated", "customer.updated.json"),
    fixture!("standard-webhooks", "invoice.paid", "invoice.paid.json"),
    fixture!("standard-webhooks", "user.created", "user.created.json"),
    fixture!("github", "ping", "ping.json", "X-GitHub-Event" => "ping", "X-GitHub-Hook-ID" => "1"),
    fixture!("github", "push", "push.json", "X-GitHub-Event" => "push", "X-GitHub-Hook-ID" => "1"),
    fixture!("github", "pull_request", "pull_request.json", "X-GitHub-Event" => "pull_request", "X-GitHub-Hook-ID" => "1"),
    fixture!("stripe", "payment_intent.succeeded", "payment_intent.succeeded.json"),
    fixture!("stripe", "invoice.paid", "invoice.paid.json"),
    fixture!("stripe", "customer.created", "customer.created.json"),
    fixture!("slack", "app_mention", "app_mention.json"),
    fixture!("slack", "message.channels", "message.channels.json"),
    fixture!("shopify", "orders/create", "orders.create.json",
        "X-Shopify-Topic" => "orders/create", "X-Shopify-Shop-Domain" => "example.myshopify.com", "X-Shopify-API-Version" => "2024-07"),
    fixture!("shopify", "products/update", "products.update.json",
        "X-Shopify-Topic" => "products/update", "X-Shopify-Shop-Domain" => "example.myshopify.com", "X-Shopify-API-Version" => "2024-07"),
];

impl Fixture {
    /// The body with fresh values: `{{id}}` (unique hex), `{{num}}` (unique
    /// number), `{{sha}}` (40 hex digits), `{{now}}` (unix seconds) and
    /// `{{now_iso}}` (RFC 3339, UTC).
    pub(crate) fn render(&self, now: SystemTime) -> String {
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let since = now.duration_since(UNIX_EPOCH).unwrap_or_default();
        let unique = since.as_nanos() as u64
            ^ (u64::from(std::process::id()) << 40)
            ^ COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let num = unique % 9_000_000_000 + 1_000_000_000;
        self.body
            .trim_end()
            .replace("{{id}}", &format!("{unique:016x}"))
            .replace("{{num}}", &num.to_string())
            .replace("{{sha}}", &format!("{unique:016x}{:016x}{:08x}", unique.rotate_left(17), num as u32))
            .replace("{{now_iso}}", &rfc3339(since.as_secs()))
            .replace("{{now}}", &since.as_secs().to_string())
    }
}

/// `2026-11-30T10:00:00Z` for unix seconds (civil-from-days, proleptic Gregorian).
fn rfc3339(seconds: u64) -> String {
    let days = (seconds / 86_400) as i64;
    let rest = seconds % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rest / 3600, rest / 60 % 60, rest % 60)
}

/// `hookproof trigger`.
#[derive(clap::Args, Debug)]
pub(crate) struct TriggerArgs {
    /// List the example events, one `preset event` per line, and exit.
    #[arg(long)]
    list: bool,
    /// Preset name (see `hookproof presets`).
    #[arg(long, required_unless_present = "list")]
    preset: Option<String>,
    /// The example event (see `--list`).
    #[arg(long, required_unless_present = "list")]
    event: Option<String>,
    #[command(flatten)]
    secret: SecretArgs,
    /// Where to POST (http:// only).
    #[arg(required_unless_present = "list")]
    url: Option<String>,
}

/// `hookproof trigger`.
pub(crate) fn trigger_command(args: TriggerArgs) -> Result<(), Failure> {
    if args.list {
        for fixture in FIXTURES {
            println!("{:<18} {}", fixture.preset, fixture.event);
        }
        return Ok(());
    }
    let (Some(preset), Some(event), Some(url)) = (args.preset, args.event, args.url) else {
        return Err(Failure::usage("error: trigger needs --preset, --event and URL (or --list)"));
    };
    let scheme = crate::preset(&preset)?;
    let fixture = FIXTURES.iter().find(|f| f.preset == preset && f.event == event).ok_or_else(|| {
        let known: Vec<&str> = FIXTURES.iter().filter(|f| f.preset == preset).map(|f| f.event).collect();
        Failure::usage(format!("error: no `{event}` example for `{preset}` (known: {})", known.join(", ")))
    })?;
    let signer =
        hookproof::Signer::new(scheme, args.secret.first()?).map_err(|e| Failure::usage(format!("error: {e}")))?;
    let url: http::Uri = url.parse().map_err(|_| Failure::usage(format!("error: `{url}` is not a URL")))?;
    let now = SystemTime::now();
    let body = fixture.render(now);
    let mut headers = http::HeaderMap::new();
    for (name, value) in fixture.headers {
        headers.insert(*name, http::HeaderValue::from_static(value));
    }
    headers.extend(signer.sign_at(body.as_bytes(), now, None));
    let runtime = crate::inbox::runtime()?;
    let answer = runtime
        .block_on(crate::client::post(&url, headers, body))
        .map_err(|e| Failure::failed(format!("error: {e}")))?;
    answer.report()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_has_fixtures_that_render_to_json() {
        let seeds = ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"];
        for name in seeds {
            assert!(FIXTURES.iter().any(|f| f.preset == name), "no fixture for {name}");
        }
        for fixture in FIXTURES {
            assert!(hookproof::presets::by_name(fixture.preset).is_some(), "{} is not a preset", fixture.preset);
        }
        for fixture in FIXTURES {
            let body = fixture.render(SystemTime::now());
            assert!(!body.contains("{{"), "{} {}: a placeholder is left", fixture.preset, fixture.event);
            let json: serde_json::Value = serde_json::from_str(&body)
                .unwrap_or_else(|e| panic!("{} {}: not JSON: {e}", fixture.preset, fixture.event));
            assert!(json.is_object());
        }
        let fixture = &FIXTURES[0];
        assert_ne!(fixture.render(SystemTime::now()), fixture.render(SystemTime::now()), "two triggers, two events");
    }

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }
}
