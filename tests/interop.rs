//! Interop with the official implementations (issue 8): hookproof and each
//! provider's own library must never disagree.
//!
//! For every library, a few hundred pseudo-random cases (non-ASCII, emoji,
//! control characters, an empty body, a 1 MiB body; fixed seed) go both ways:
//! the official library signs and hookproof verifies, hookproof signs and the
//! official library verifies. Every delivery is also tried with a tampered
//! body, one case in eight carries a stale timestamp and, for the libraries
//! that check it, one in eight a timestamp from the future, so rejections are
//! compared as well as acceptances; the two signatures of a case must be
//! identical byte for byte.
//!
//! The peers are `tests/interop/peer.mjs` (Node: `standardwebhooks`, `svix`,
//! `@octokit/webhooks-methods`, `stripe`, pinned in `package-lock.json`) and
//! `tests/interop/slack_peer.py` (`slack_sdk`, pinned in `requirements.txt`).
//! `scripts/install-interop.sh` installs them; without them these tests fail,
//! they never skip.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hookproof::{presets, Scheme, Signer, Verifier};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};

/// Cases per library; the test asserts at least this many were compared.
const CASES: usize = 200;
const SEED: u64 = 0x9E37_79B9_7F4A_7C15;
const MIB: usize = 1024 * 1024;
const INSTALL_HINT: &str = "run `scripts/install-interop.sh` first (npm ci in tests/interop, \
     then a venv at tests/interop/.venv with tests/interop/requirements.txt)";

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `low..high` (close enough for test data).
    fn range(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low)
    }

    fn below(&mut self, high: usize) -> usize {
        self.range(0, high as u64) as usize
    }

    fn chance(&mut self, numerator: u64, denominator: u64) -> bool {
        self.next() % denominator < numerator
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn char_in(&mut self, low: u32, high: u32) -> char {
        // Ranges used below hold no surrogates, except the "anything" one.
        char::from_u32(self.range(u64::from(low), u64::from(high) + 1) as u32).unwrap_or('\u{FFFD}')
    }

    /// One character of payload text, from a weighted mix of scripts.
    fn text_char(&mut self) -> char {
        match self.below(100) {
            0..=44 => self.char_in(0x20, 0x7E),
            45..=47 => self.pick(&['\n', '\t', '\r']),
            48..=51 => self.pick(&['"', '\\', '{', '}', '[', ']', ':', ',', '/', '\'']),
            52..=61 => self.char_in(0xA0, 0x24F),
            62..=69 => self.char_in(0x4E00, 0x9FFF),
            70..=79 => self.char_in(0x1F300, 0x1FAFF),
            80..=82 => self.pick(&['\u{200D}', '\u{FE0F}', '\u{1F3FD}']),
            83..=86 => self.char_in(0x300, 0x36F),
            87..=88 => self.char_in(0x0, 0x1F),
            89..=91 => self.pick(&['\u{FEFF}', '\u{2028}', '\u{2029}', '\u{FFFD}', '\u{7F}', '\u{85}']),
            92..=94 => self.pick(&['Ω', 'Ж', 'ع', 'ה', 'ไ', 'ᚠ', '𝄞', '€']),
            _ => self.char_in(0, 0x10FFFF),
        }
    }

    /// Random text of about `target` bytes of UTF-8.
    fn text(&mut self, target: usize) -> String {
        let mut text = String::with_capacity(target + 4);
        while text.len() < target {
            text.push(self.text_char());
        }
        text
    }

    /// Visible ASCII, as ids travel in headers.
    fn ascii(&mut self, len: usize) -> String {
        (0..len).map(|_| self.char_in(0x21, 0x7E)).collect()
    }

    fn alphanumeric(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len).map(|_| char::from(self.pick(ALPHABET))).collect()
    }

    /// A key used as its UTF-8 bytes: starts with a letter or digit (Slack
    /// refuses blank ones), then anything, non-ASCII included.
    fn text_secret(&mut self) -> String {
        let mut secret = self.alphanumeric(1);
        let len = self.below(64);
        for _ in 0..len {
            let c = if self.chance(1, 5) { self.text_char() } else { self.char_in(0x20, 0x7E) };
            secret.push(c);
        }
        secret
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Body {
    /// Any UTF-8 text.
    Text,
    /// A JSON document (svix and stripe parse what they verified).
    Json,
}

#[derive(Clone, Copy)]
enum Peer {
    Node(&'static str),
    Python,
}

#[derive(Clone, Copy, PartialEq)]
enum SecretKind {
    /// `whsec_` + base64 of random key bytes.
    StandardWebhooks,
    /// Text used as its bytes.
    Text,
    /// `whsec_` + text, used as its bytes.
    Stripe,
}

struct Library {
    name: &'static str,
    peer: Peer,
    scheme: fn() -> Scheme,
    body: Body,
    secret: SecretKind,
    /// Whether deliveries carry a timestamp (so stale cases make sense).
    timestamped: bool,
    /// Whether the official library also refuses timestamps from the future
    /// (Stripe's does not; hookproof does, so those are not compared).
    refuses_future: bool,
    /// Where each side puts the signature (compared byte for byte).
    official_signature_header: &'static str,
    hookproof_signature_header: &'static str,
    /// The official library refuses an empty payload before any signature
    /// check: (when signing, when verifying).
    refuses_empty: (bool, bool),
    seed: u64,
}

const STANDARDWEBHOOKS: Library = Library {
    name: "standardwebhooks",
    peer: Peer::Node("standardwebhooks"),
    scheme: presets::standard_webhooks,
    body: Body::Text,
    secret: SecretKind::StandardWebhooks,
    timestamped: true,
    refuses_future: true,
    official_signature_header: "webhook-signature",
    hookproof_signature_header: "webhook-signature",
    refuses_empty: (false, false),
    seed: 1,
};

const SVIX: Library = Library {
    name: "svix",
    peer: Peer::Node("svix"),
    scheme: presets::standard_webhooks,
    body: Body::Json,
    secret: SecretKind::StandardWebhooks,
    timestamped: true,
    refuses_future: true,
    official_signature_header: "svix-signature",
    hookproof_signature_header: "webhook-signature",
    refuses_empty: (false, false),
    seed: 2,
};

const OCTOKIT: Library = Library {
    name: "@octokit/webhooks-methods",
    peer: Peer::Node("octokit"),
    scheme: presets::github,
    body: Body::Text,
    secret: SecretKind::Text,
    timestamped: false,
    refuses_future: false,
    official_signature_header: "x-hub-signature-256",
    hookproof_signature_header: "x-hub-signature-256",
    refuses_empty: (true, true),
    seed: 3,
};

const STRIPE: Library = Library {
    name: "stripe",
    peer: Peer::Node("stripe"),
    scheme: presets::stripe,
    body: Body::Json,
    secret: SecretKind::Stripe,
    timestamped: true,
    refuses_future: false,
    official_signature_header: "stripe-signature",
    hookproof_signature_header: "stripe-signature",
    refuses_empty: (false, true),
    seed: 4,
};

const SLACK_SDK: Library = Library {
    name: "slack_sdk",
    peer: Peer::Python,
    scheme: presets::slack,
    body: Body::Text,
    secret: SecretKind::Text,
    timestamped: true,
    refuses_future: true,
    official_signature_header: "x-slack-signature",
    hookproof_signature_header: "x-slack-signature",
    refuses_empty: (false, false),
    seed: 5,
};

#[test]
fn standard_webhooks_agrees_with_standardwebhooks() {
    run(&STANDARDWEBHOOKS);
}

#[test]
fn standard_webhooks_agrees_with_svix() {
    run(&SVIX);
}

#[test]
fn github_agrees_with_octokit_webhooks_methods() {
    run(&OCTOKIT);
}

#[test]
fn stripe_agrees_with_stripe_node() {
    run(&STRIPE);
}

#[test]
fn slack_agrees_with_slack_sdk() {
    run(&SLACK_SDK);
}

struct Case {
    body: Vec<u8>,
    tampered: Vec<u8>,
    secret: String,
    id: String,
    timestamp: i64,
    fresh: bool,
    hookproof_headers: HeaderMap,
}

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("interop")
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs() as i64
}

fn at(seconds: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).expect("timestamps after 1970"))
}

fn payload(rng: &mut Rng, kind: Body, target: usize, exact: bool) -> Vec<u8> {
    match kind {
        Body::Text => {
            let mut text = rng.text(if exact { target - 4 } else { target });
            if exact {
                while text.len() < target {
                    text.push('x');
                }
            }
            text.into_bytes()
        }
        Body::Json => {
            let mut text = rng.text(if exact { target * 3 / 4 } else { target });
            let event = |text: &str| {
                json!({
                    "id": "evt_interop",
                    "object": "event",
                    "type": "interop.payload",
                    "data": { "object": { "text": text, "amount": 4200, "nested": [null, true, 1.5] } },
                })
            };
            let mut encoded = serde_json::to_string(&event(&text)).expect("json");
            if exact {
                // Escapes can only grow the text; pad with plain ASCII, one byte each.
                assert!(encoded.len() <= target, "1 MiB JSON seed text came out too long");
                text.extend(std::iter::repeat_n('x', target - encoded.len()));
                encoded = serde_json::to_string(&event(&text)).expect("json");
                assert_eq!(encoded.len(), target);
            } else if rng.chance(1, 4) {
                encoded = serde_json::to_string_pretty(&event(&text)).expect("json");
            }
            encoded.into_bytes()
        }
    }
}

/// The body with one character replaced, one added or the last one removed;
/// still UTF-8, never equal.
fn tamper(rng: &mut Rng, body: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(body).expect("payloads are UTF-8");
    let mut chars: Vec<char> = text.chars().collect();
    match (chars.is_empty(), rng.below(3)) {
        (true, _) | (false, 0) => {
            let at = rng.below(chars.len() + 1);
            chars.insert(at, rng.text_char());
        }
        (false, 1) => {
            let at = rng.below(chars.len());
            chars[at] = if chars[at] == 'a' { 'b' } else { 'a' };
        }
        _ => {
            chars.pop();
        }
    }
    let tampered: String = chars.into_iter().collect();
    assert_ne!(tampered.as_bytes(), body);
    tampered.into_bytes()
}

fn generate(library: &Library, now: i64) -> Vec<Case> {
    let mut rng = Rng::new(SEED ^ library.seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let scheme = library.scheme;
    let cases = (0..CASES + 1)
        .map(|index| {
            let body = match index {
                0 => Vec::new(),
                1 => payload(&mut rng, library.body, MIB, true),
                _ => {
                    let target = match rng.below(10) {
                        0..=6 => rng.range(1, 256) as usize,
                        7..=8 => rng.range(256, 8 * 1024) as usize,
                        _ => rng.range(8 * 1024, 64 * 1024) as usize,
                    };
                    payload(&mut rng, library.body, target, false)
                }
            };
            let tampered = tamper(&mut rng, &body);
            let secret = match library.secret {
                SecretKind::StandardWebhooks => {
                    let len = rng.range(1, 65) as usize;
                    format!("whsec_{}", BASE64.encode(rng.bytes(len)))
                }
                SecretKind::Text => rng.text_secret(),
                SecretKind::Stripe => format!("whsec_{}", rng.text_secret()),
            };
            let id = if rng.chance(1, 2) {
                format!("msg_{}", rng.alphanumeric(27))
            } else {
                let len = rng.range(1, 49) as usize;
                rng.ascii(len)
            };
            // One in eight is stale (older than every tolerance here, 300 s),
            // one in eight from the future where the library checks that;
            // the rest are well inside the window, with room for the peers
            // that read their own clock (it only moves forward).
            let stale = library.timestamped && index % 8 == 7;
            let future = library.refuses_future && index % 8 == 3;
            let fresh = !(stale || future);
            let timestamp = if stale {
                now - rng.range(301, 86_400) as i64
            } else if future {
                now + rng.range(400, 86_400) as i64
            } else {
                now - rng.range(0, 121) as i64
            };
            let signer = Signer::new(scheme(), secret.as_str()).expect("valid secret");
            let hookproof_headers = signer.sign_at(&body, at(timestamp), Some(&id));
            Case { body, tampered, secret, id, timestamp, fresh, hookproof_headers }
        })
        .collect::<Vec<_>>();
    assert!(cases[0].body.is_empty() && cases[1].body.len() == MIB, "an empty and a 1 MiB body are cases 0 and 1");
    cases
}

fn headers_to_json(headers: &HeaderMap) -> Value {
    headers
        .iter()
        .map(|(name, value)| {
            (name.as_str().to_owned(), Value::from(value.to_str().expect("hookproof writes ASCII headers")))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

fn headers_from_json(value: &Value) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in value.as_object().expect("headers are an object") {
        let value = value.as_str().expect("header values are strings");
        headers.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("header name"),
            HeaderValue::from_str(value).expect("header value"),
        );
    }
    headers
}

/// The pinned version of `package` (package.json or requirements.txt).
fn pinned_version(library: &Library, package: &str) -> String {
    let dir = interop_dir();
    match library.peer {
        Peer::Node(_) => {
            let manifest = std::fs::read_to_string(dir.join("package.json")).expect("tests/interop/package.json");
            let manifest: Value = serde_json::from_str(&manifest).expect("package.json is JSON");
            manifest["dependencies"][package].as_str().unwrap_or_else(|| panic!("{package} not pinned")).to_owned()
        }
        Peer::Python => {
            let requirements =
                std::fs::read_to_string(dir.join("requirements.txt")).expect("tests/interop/requirements.txt");
            requirements
                .lines()
                .find_map(|line| line.trim().strip_prefix(&format!("{package}==")))
                .unwrap_or_else(|| panic!("{package} not pinned in requirements.txt"))
                .trim()
                .to_owned()
        }
    }
}

/// Runs the peer on the cases file; its JSON answer.
fn run_peer(library: &Library, cases_path: &Path) -> Value {
    let dir = interop_dir();
    let mut command = match library.peer {
        Peer::Node(name) => {
            let package = if name == "octokit" { "@octokit/webhooks-methods" } else { name };
            let installed = dir.join("node_modules").join(package).join("package.json");
            assert!(installed.is_file(), "interop: {} is missing; {INSTALL_HINT}", installed.display());
            let mut command = Command::new("node");
            command.arg(dir.join("peer.mjs")).arg(name);
            command
        }
        Peer::Python => {
            let python = dir.join(".venv").join("bin").join("python");
            assert!(python.is_file(), "interop: {} is missing; {INSTALL_HINT}", python.display());
            let mut command = Command::new(python);
            command.arg(dir.join("slack_peer.py"));
            command
        }
    };
    let output =
        command.arg(cases_path).current_dir(&dir).output().unwrap_or_else(|error| {
            panic!("interop: cannot start the {} peer ({error}); {INSTALL_HINT}", library.name)
        });
    assert!(
        output.status.success(),
        "interop: the {} peer failed ({}); {INSTALL_HINT}\n{}",
        library.name,
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "interop: the {} peer printed no JSON ({error}):\n{}",
            library.name,
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let short: String = text.chars().take(60).collect();
    format!("{} bytes, {:?}{}", body.len(), short, if short.len() < text.len() { "…" } else { "" })
}

fn run(library: &Library) {
    let now = unix_now();
    let cases = generate(library, now);
    let file = json!({
        "now": now,
        "cases": cases.iter().map(|case| json!({
            "body_b64": BASE64.encode(&case.body),
            "tampered_b64": BASE64.encode(&case.tampered),
            "secret": case.secret,
            "id": case.id,
            "timestamp": case.timestamp,
            "hookproof_headers": headers_to_json(&case.hookproof_headers),
        })).collect::<Vec<_>>(),
    });
    let cases_path =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("interop-{}.json", library.name.replace(['@', '/'], "_")));
    std::fs::write(&cases_path, serde_json::to_vec(&file).expect("json")).expect("write the cases file");

    let answer = run_peer(library, &cases_path);
    for (package, installed) in answer["versions"].as_object().expect("peer reports versions") {
        let pinned = pinned_version(library, package);
        assert_eq!(
            installed.as_str(),
            Some(pinned.as_str()),
            "interop: {package} {installed} is installed but {pinned} is pinned; {INSTALL_HINT}"
        );
    }
    let results = answer["results"].as_array().expect("peer reports results");
    assert_eq!(results.len(), cases.len(), "the peer answered for every case");

    let mut disagreements: Vec<String> = Vec::new();
    let mut compared_cases = 0;
    let mut identical_signatures = 0;
    let (mut agreed_accept, mut agreed_reject, mut refused_empty, mut accepted_not_json) = (0, 0, 0, 0);
    for (index, (case, result)) in cases.iter().zip(results).enumerate() {
        let verifier = Verifier::builder((library.scheme)()).secret(case.secret.as_str()).build().expect("verifier");
        let mut report = |what: String| {
            disagreements.push(format!(
                "{} case {index}: {what}\n    body: {}\n    secret: {:?}, id: {:?}, timestamp: {} (now {now})",
                library.name,
                preview(&case.body),
                case.secret,
                case.id,
                case.timestamp
            ))
        };
        let official_headers = match (&result["signed"], result["sign_error"].as_str()) {
            (Value::Object(_), _) => Some(headers_from_json(&result["signed"])),
            (_, Some("refused_empty")) if case.body.is_empty() && library.refuses_empty.0 => {
                refused_empty += 1;
                None
            }
            (_, error) => {
                report(format!("the official library could not sign: {error:?}"));
                None
            }
        };
        if let Some(official) = &official_headers {
            let theirs = official.get(library.official_signature_header);
            let ours = case.hookproof_headers.get(library.hookproof_signature_header);
            if theirs.is_some() && theirs == ours {
                identical_signatures += 1;
            } else {
                report(format!("signatures differ: official {theirs:?}, hookproof {ours:?}"));
            }
        }
        let deliveries = [
            ("hookproof_body", Some(&case.hookproof_headers), &case.body, true),
            ("hookproof_tampered", Some(&case.hookproof_headers), &case.tampered, false),
            ("official_body", official_headers.as_ref(), &case.body, true),
            ("official_tampered", official_headers.as_ref(), &case.tampered, false),
        ];
        let mut compared = false;
        for (name, headers, body, untampered) in deliveries {
            let Some(headers) = headers else { continue };
            let expected = if untampered && case.fresh { "accept" } else { "reject" };
            let hookproof = match verifier.verify_at(headers, body, at(now)) {
                Ok(_) => "accept".to_owned(),
                Err(error) => format!("reject ({})", error.code()),
            };
            let hookproof_verdict = hookproof.split(' ').next().unwrap_or_default();
            let official = result["verdicts"][name].as_str().unwrap_or("(no verdict)");
            if official == "refused_empty" && body.is_empty() && library.refuses_empty.1 {
                refused_empty += 1;
                continue;
            }
            // An empty body is no JSON document: svix and stripe accept its
            // signature, then fail to parse it.
            let official = if official == "accept_not_json" && body.is_empty() && library.body == Body::Json {
                accepted_not_json += 1;
                "accept"
            } else {
                official
            };
            compared = true;
            if official != hookproof_verdict || official != expected {
                report(format!(
                    "{name}: official says {official}, hookproof says {hookproof}, expected {expected}\n    headers: {}",
                    headers_to_json(headers)
                ));
            } else if expected == "accept" {
                agreed_accept += 1;
            } else {
                agreed_reject += 1;
            }
        }
        compared_cases += usize::from(compared);
    }

    let versions: Vec<String> = answer["versions"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, version)| format!("{name} {}", version.as_str().unwrap_or("?")))
        .collect();
    let versions = versions.join(", ");
    let summary = format!(
        "interop {}: {} cases, {} disagreements ({versions}; {} identical signatures, {} verdicts agreed: \
         {} accept, {} reject; empty body: {} refusals by the official library, {} accepted then not parsed as JSON)",
        library.name,
        compared_cases,
        disagreements.len(),
        identical_signatures,
        agreed_accept + agreed_reject,
        agreed_accept,
        agreed_reject,
        refused_empty,
        accepted_not_json,
    );
    // Straight to stderr, past the test harness's capture: the summary is
    // the point of this test.
    let _ = writeln!(std::io::stderr(), "{summary}");
    let shown: Vec<&str> = disagreements.iter().take(10).map(String::as_str).collect();
    assert!(disagreements.is_empty(), "{summary}\ncases file: {}\n{}", cases_path.display(), shown.join("\n"));
    assert!(compared_cases >= CASES, "{summary}: fewer than {CASES} cases compared");
}
