//! The web console in a real headless Chromium (driven over the W3C
//! WebDriver HTTP API of Debian's `chromedriver`), the refusals log,
//! `replay` and `trigger`, all against the built `hookproof` binary on
//! loopback.

mod support;

use std::io::Write as _;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hookproof_test_support::{free_port, Request};
use serde_json::{json, Value};
use support::{url_in, Running, TempDir, BIN};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN).args(args).env_remove("HOOKPROOF_SECRET").output().unwrap()
}

/// One request over its own connection (the shared raw client); the status and the body.
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let request = headers.iter().fold(Request::new(method, url), |request, (name, value)| request.header(name, value));
    let response = request.body(body).patience(Duration::from_secs(120)).send().unwrap();
    (response.status, response.body)
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Signs `body` with the standard-webhooks preset at `at` (via `hookproof sign`).
fn sign(body: &[u8], at: u64, id: &str, secret: &str) -> Vec<(String, String)> {
    let mut child = Command::new(BIN)
        .args(["sign", "--preset", "standard-webhooks", "--secret", secret, "--id", id, "--timestamp", &at.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|line| line.split_once(": ").map(|(n, v)| (n.to_owned(), v.to_owned())))
        .collect()
}

fn post_signed(url: &str, body: &[u8], at: u64, id: &str, secret: &str) -> (u16, String) {
    let headers = sign(body, at, id, secret);
    let mut refs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    refs.push(("Content-Type", "application/json"));
    let (status, body) = http("POST", url, &refs, body);
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// A standard-webhooks `listen` that prints the events it processes to `out`.
fn receiver_printing_to(out: &Path) -> Running {
    let args = ["listen", "--preset", "standard-webhooks", "--secret", SECRET, "--port", "0"];
    Running::start_with(&args, "listening on", &[], Some(out))
}

// --- WebDriver ----------------------------------------------------------

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A chromedriver on a free loopback port and one Chromium session; both
/// end when dropped.
struct Browser {
    base: String,
    session: String,
    _driver: Running,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn start() -> Self {
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromedriver is installed (apt-get install chromium chromium-driver; scripts/test.sh does)");
        let port = free_port();
        let driver = Running::spawn(
            Command::new(driver_bin).arg(format!("--port={port}")).arg("--allowed-ips=127.0.0.1").stdout(Stdio::null()),
        );
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = tempfile::tempdir().unwrap();
        let binary = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chromium is installed");
        let capabilities = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binary,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--window-size=1600,1000",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}});
        let answer = request("POST", &format!("{base}/session"), Some(&capabilities));
        let session =
            answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {answer}")).to_owned();
        Self { base, session, _driver: driver, _profile: profile }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let answer = request(method, &format!("{}/session/{}{path}", self.base, self.session), body);
        if let Some(error) = answer["value"].get("error") {
            panic!("WebDriver {method} {path}: {error}: {}", answer["value"]["message"]);
        }
        answer["value"].clone()
    }

    fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(&json!({ "url": url })));
    }

    fn script(&self, script: &str) -> Value {
        self.call("POST", "/execute/sync", Some(&json!({ "script": script, "args": [] })))
    }

    /// Waits until `script` (a function body) returns a truthy value; returns it.
    fn wait_until(&self, what: &str, script: &str) -> Value {
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            let value = self.script(script);
            if !(value.is_null() || value == json!(false) || value == json!("") || value == json!(0)) {
                return value;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks the element `css` selects; again if the page re-rendered it
    /// between finding and clicking (the list is rebuilt when it changes).
    fn click(&self, css: &str) {
        for _ in 0..20 {
            let found = self.call("POST", "/element", Some(&json!({ "using": "css selector", "value": css })));
            let id = found[ELEMENT].as_str().unwrap().to_owned();
            let url = format!("{}/session/{}/element/{id}/click", self.base, self.session);
            let answer = request("POST", &url, Some(&json!({})));
            match answer["value"].get("error").and_then(Value::as_str) {
                None => return,
                Some("stale element reference") => std::thread::sleep(Duration::from_millis(50)),
                Some(error) => panic!("WebDriver click {css}: {error}: {}", answer["value"]["message"]),
            }
        }
        panic!("{css} kept going stale");
    }

    fn screenshot(&self, path: &Path) {
        use base64::Engine as _;
        let png = self.call("GET", "/screenshot", None);
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        std::fs::write(path, bytes).unwrap();
    }

    /// The text of any alert open now (a script that ran could open one).
    fn alert_text(&self) -> Option<String> {
        let answer = request("GET", &format!("{}/session/{}/alert/text", self.base, self.session), None);
        answer["value"].as_str().map(str::to_owned)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = request("DELETE", &format!("{}/session/{}", self.base, self.session), None);
    }
}

fn request(method: &str, url: &str, body: Option<&Value>) -> Value {
    let body = body.map(Value::to_string).unwrap_or_default();
    let (_, answer) = http(method, url, &[("Content-Type", "application/json")], body.as_bytes());
    serde_json::from_slice(&answer).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&answer)))
}

/// Where the test run's screenshot goes: the target dir, and the README's
/// `docs/console.png` when `HOOKPROOF_UPDATE_SCREENSHOT=1`.
fn screenshot_paths() -> Vec<PathBuf> {
    let mut paths = vec![PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("console.png")];
    if std::env::var("HOOKPROOF_UPDATE_SCREENSHOT").as_deref() == Ok("1") {
        paths.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/console.png"));
    }
    paths
}

#[test]
fn the_console_shows_deliveries_live_retries_a_dead_one_and_runs_no_payload_script() {
    let dir = TempDir::new("console");
    let db = dir.sqlite();
    let fixed = dir.path().join("fixed");
    // Fails any body mentioning `please-fail` until the file `fixed` exists.
    let exec = format!("if grep -q please-fail; then test -f '{}'; else exit 0; fi", fixed.display());
    let mut listener = Running::start(
        &[
            "listen",
            "--preset",
            "standard-webhooks",
            "--secret",
            SECRET,
            "--port",
            "0",
            "--inbox",
            &db,
            "--console",
            "--record-rejected",
            "--max-attempts",
            "1",
            "--backoff",
            "0",
            "--exec",
            &exec,
        ],
        "listening on",
    );
    let webhooks = listener.url().to_owned();
    let console = url_in(&listener.wait_for("console on")).to_owned();
    assert!(console.ends_with("/_hookproof/"), "{console}");

    let browser = Browser::start();
    browser.goto(&console);
    browser.wait_until("the first poll", "return Number(document.body.dataset.polls || 0) >= 1;");
    assert_eq!(browser.script("return document.querySelectorAll('#events tbody tr').length;"), json!(0));
    // Survives only as long as the page is not reloaded.
    browser.script("window.__noReload = true;");

    // 1. A delivery arrives while the page is open: it appears, processed.
    let invoice = br#"{"type":"invoice.paid","timestamp":"2026-11-30T10:00:00Z","data":{"invoice_id":"inv_1042","amount":2500,"currency":"EUR","customer":{"id":"cus_7","email":"ada@example.com"}}}"#;
    assert_eq!(post_signed(&webhooks, invoice, unix_now(), "msg_invoice", SECRET).0, 202);
    browser.wait_until(
        "the invoice row, done",
        "const r = document.querySelector('#events tbody tr'); return r && r.dataset.state === 'done' \
         && r.querySelector('.event-type').textContent === 'invoice.paid';",
    );

    // 2. A delivery whose handler fails: dead after its one attempt.
    let failing = br#"{"type":"order.created","timestamp":"2026-11-30T10:00:01Z","data":{"order":"please-fail"}}"#;
    assert_eq!(post_signed(&webhooks, failing, unix_now(), "msg_failing", SECRET).0, 202);
    let dead_id = browser.wait_until(
        "the failing row, dead",
        "const r = [...document.querySelectorAll('#events tbody tr')].find(r => r.dataset.state === 'dead'); \
         return r && r.dataset.id;",
    );
    let dead_id = dead_id.as_str().unwrap().to_owned();
    assert!(browser
        .script(&format!("return document.querySelector('#events tr[data-id=\"{dead_id}\"] .error').textContent;"))
        .as_str()
        .unwrap()
        .contains("--exec exited with a failure status"));

    // 3. A body built to run script in the page: shown as text, runs nothing.
    let hostile = br#"{"type":"<img src=x onerror=\"window.__pwned='type';alert('type')\">","timestamp":"2026-11-30T10:00:02Z","data":{"html":"<script>window.__pwned='script';alert('script')</script><img src=x onerror=\"window.__pwned='img';alert('img')\">","name":"</pre><svg onload=alert(1)>"}}"#;
    assert_eq!(post_signed(&webhooks, hostile, unix_now(), "msg_hostile", SECRET).0, 202);
    browser.wait_until("three rows", "return document.querySelectorAll('#events tbody tr').length === 3;");
    let hostile_row = browser.script(
        "return [...document.querySelectorAll('#events tbody tr')].find(r => r.textContent.includes('onerror')).dataset.id;",
    );
    browser.click(&format!("#events tr[data-id=\"{}\"]", hostile_row.as_str().unwrap()));
    browser.wait_until(
        "the hostile body, as text",
        "return document.getElementById('detail-body').textContent.includes('<script>window.__pwned');",
    );
    let shown = browser.script("return document.getElementById('detail-body').textContent;");
    assert!(
        shown.as_str().unwrap().contains(r#"<img src=x onerror=\"window.__pwned='img';alert('img')\">"#),
        "{shown}"
    );
    std::thread::sleep(Duration::from_millis(1500)); // a few more polls and renders
    assert_eq!(browser.alert_text(), None, "a payload opened an alert");
    assert_eq!(browser.script("return typeof window.__pwned;"), json!("undefined"), "a payload ran");
    assert_eq!(browser.script("return document.querySelectorAll('img, script:not([src]), svg').length;"), json!(0));
    assert_eq!(browser.script("return document.querySelectorAll('script').length;"), json!(1), "only app.js");

    // The screenshot: the list (a dead row, the hostile one as text), and the invoice's headers and pretty body.
    let invoice_row = browser.script(
        "return [...document.querySelectorAll('#events tbody tr')].find(r => r.textContent.includes('invoice.paid')).dataset.id;",
    );
    browser.click(&format!("#events tr[data-id=\"{}\"]", invoice_row.as_str().unwrap()));
    browser.wait_until(
        "the invoice's pretty body",
        "return document.getElementById('detail-body').textContent.includes('\\n  \"data\": {');",
    );
    for path in screenshot_paths() {
        browser.screenshot(&path);
    }

    // 4. Retry the dead event once its handler is fixed: it becomes done.
    std::fs::write(&fixed, b"").unwrap();
    browser.click(&format!("#events tr[data-id=\"{dead_id}\"]"));
    browser.wait_until("the dead event's detail", &format!(
        "return document.getElementById('detail-title').textContent === 'Delivery #{dead_id}' && !document.getElementById('retry').disabled;"
    ));
    browser.click("#retry");
    browser.wait_until(
        "the retried event, done",
        &format!("const r = document.querySelector('#events tr[data-id=\"{dead_id}\"]'); return r && r.dataset.state === 'done';"),
    );
    assert_eq!(browser.script("return window.__noReload === true;"), json!(true), "the page reloaded");

    // 5. Filters: by state, then by provider.
    browser.script(
        "const s = document.getElementById('filter-state'); s.value = 'dead'; s.dispatchEvent(new Event('change'));",
    );
    browser.wait_until("no dead rows", "return document.querySelectorAll('#events tbody tr').length === 0;");
    browser.script(
        "const s = document.getElementById('filter-state'); s.value = ''; s.dispatchEvent(new Event('change'));",
    );
    browser.script("const s = document.getElementById('filter-provider'); s.value = 'github'; s.dispatchEvent(new Event('change'));");
    browser.wait_until("no github rows", "return document.querySelectorAll('#events tbody tr').length === 0;");
    browser.script("const s = document.getElementById('filter-provider'); s.value = 'standard-webhooks'; s.dispatchEvent(new Event('change'));");
    browser.wait_until(
        "three standard-webhooks rows",
        "return document.querySelectorAll('#events tbody tr').length === 3;",
    );

    // 6. Refusals, shown apart with a reason, never the secret.
    let stale = unix_now() - 7 * 60;
    assert_eq!(post_signed(&webhooks, invoice, stale, "msg_stale", SECRET).0, 401);
    assert_eq!(post_signed(&webhooks, invoice, unix_now(), "msg_forged", "whsec_c2VjcmV0LXRoYXQtaXMtd3Jvbmc=").0, 401);
    browser.click("#tab-rejected");
    browser.wait_until("two refusals", "return document.querySelectorAll('#rejected tbody tr').length === 2;");
    let reasons = browser
        .script("return [...document.querySelectorAll('#rejected td.reason')].map(td => td.textContent).join('\\n');");
    let reasons = reasons.as_str().unwrap();
    assert!(reasons.contains("the timestamp is 7 minutes old; the tolerance is 5 minutes"), "{reasons}");
    assert!(reasons.contains("no configured secret matched: tried secret #1 of 1"), "{reasons}");
    // One refusal opened: its reason, headers and body, and no actions.
    browser.click("#rejected tbody tr");
    browser.wait_until(
        "the refusal's detail",
        "return document.getElementById('detail-title').textContent.startsWith('Refused #') \
         && document.getElementById('detail-facts').textContent.includes('tried secret #1 of 1') \
         && document.getElementById('detail-body').textContent.includes('inv_1042') \
         && document.getElementById('detail-actions').hidden;",
    );
    let page = browser.script("return document.documentElement.outerHTML;");
    assert!(!page.as_str().unwrap().contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "the secret reached the page");

    // 7. Purge done events: a dismissed confirmation deletes nothing; an
    // accepted one empties the list and leaves the refusals alone.
    browser.click("#tab-events");
    browser.wait_until(
        "three done rows",
        "return document.querySelectorAll('#events tbody tr[data-state=\"done\"]').length === 3;",
    );
    browser.click("#purge-done");
    assert_eq!(browser.alert_text().as_deref(), Some("Delete every done event?"));
    browser.call("POST", "/alert/dismiss", Some(&json!({})));
    std::thread::sleep(Duration::from_millis(500)); // a poll or two
    assert_eq!(browser.script("return document.querySelectorAll('#events tbody tr').length;"), json!(3));
    browser.click("#purge-done");
    browser.call("POST", "/alert/accept", Some(&json!({})));
    browser.wait_until(
        "the purged list",
        "return document.getElementById('action-result').textContent === '3 purged' \
         && document.querySelectorAll('#events tbody tr').length === 0;",
    );
    let api = |path: &str| {
        let (status, body) = http("GET", &format!("{console}api/{path}"), &[("x-hookproof-token", "page")], b"");
        assert_eq!(status, 200, "{path}");
        serde_json::from_slice::<Value>(&body).unwrap()
    };
    let events = api("events");
    assert_eq!(events["events"].as_array().map(Vec::len), Some(0), "{events}");
    let rejected = api("rejected");
    assert_eq!(rejected["rejected"].as_array().map(Vec::len), Some(2), "{rejected}");
}

#[test]
fn the_console_api_refuses_other_sites_and_network_binds_need_a_token() {
    let dir = TempDir::new("console");
    let db = dir.sqlite();
    let console = Running::start(&["console", "--db", &db, "--port", "0"], "console on");
    let base = console.url().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");
    let events = format!("{base}api/events");
    // The page's own header is needed (a cross-site form cannot send it)...
    assert_eq!(http("GET", &events, &[], b"").0, 401);
    assert_eq!(http("POST", &format!("{base}api/events/1/retry"), &[], b"").0, 401);
    // ...and a DNS-rebound name is not loopback.
    let authority = base.trim_start_matches("http://").trim_end_matches('/');
    let rebound = [("x-hookproof-token", "page"), ("Host", "evil.example")];
    let answer = Request::get("/api/events")
        .header(rebound[1].0, rebound[1].1)
        .header(rebound[0].0, rebound[0].1)
        .send_to(authority)
        .unwrap();
    assert!(answer.head.starts_with("HTTP/1.1 401"), "{answer:?}");
    let (status, body) = http("GET", &events, &[("x-hookproof-token", "page")], b"");
    assert_eq!(status, 200);
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["stats"], json!({ "pending": 0, "processing": 0, "done": 0, "dead": 0 }));
    // The page and its assets come from the binary, with a strict policy.
    let (status, page) = http("GET", &base, &[], b"");
    assert_eq!(status, 200);
    let page = String::from_utf8(page).unwrap();
    assert!(page.contains(r#"<script src="app.js" defer></script>"#));
    for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//"] {
        assert!(!page.contains(attribute), "nothing from the internet: {attribute}");
    }
    drop(console);

    // Bound to every interface: refused without a token, served with one.
    let open = run(&["console", "--db", &db, "--host", "0.0.0.0", "--port", "0"]);
    assert_eq!(open.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&open.stderr).contains("--token-file"));
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, "a-long-console-token-0123456789\n").unwrap();
    let mut console = Running::start(
        &["console", "--db", &db, "--host", "0.0.0.0", "--port", "0", "--token-file", token_file.to_str().unwrap()],
        "console on",
    );
    let line = console.wait_for("console on");
    assert!(!line.contains("a-long-console-token"), "the token is not printed");
    let port = line.rsplit(':').next().unwrap().trim_end_matches('/');
    let events = format!("http://127.0.0.1:{port}/api/events");
    assert_eq!(http("GET", &events, &[("x-hookproof-token", "page")], b"").0, 401);
    assert_eq!(http("GET", &events, &[("x-hookproof-token", "a-long-console-token-0123456789")], b"").0, 200);
}

#[test]
fn refusals_say_which_header_is_missing_and_which_secrets_were_tried() {
    let dir = TempDir::new("console");
    let db = dir.sqlite();
    let second = "whsec_c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24=";
    let mut listener = Running::start(
        &[
            "listen",
            "--preset",
            "standard-webhooks",
            "--secret",
            SECRET,
            "--secret",
            second,
            "--port",
            "0",
            "--inbox",
            &db,
            "--workers",
            "0",
            "--record-rejected",
            "--console",
        ],
        "listening on",
    );
    let webhooks = listener.url().to_owned();
    let console = url_in(&listener.wait_for("console on")).to_owned();
    let body = br#"{"type":"user.created","timestamp":"2026-11-30T10:00:00Z","data":{}}"#;
    // No signature headers at all.
    assert_eq!(http("POST", &webhooks, &[], body).0, 400);
    // Signed by neither configured secret.
    let wrong = "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==";
    assert_eq!(post_signed(&webhooks, body, unix_now(), "msg_1", wrong).0, 401);
    // Signed in the future.
    assert_eq!(post_signed(&webhooks, body, unix_now() + 3 * 3600, "msg_2", SECRET).0, 401);
    // Accepted deliveries are not refusals.
    assert_eq!(post_signed(&webhooks, body, unix_now(), "msg_3", second).0, 202);

    let deadline = Instant::now() + Duration::from_secs(10);
    let rejected = loop {
        let (_, answer) = http("GET", &format!("{console}api/rejected"), &[("x-hookproof-token", "page")], b"");
        let json: Value = serde_json::from_slice(&answer).unwrap();
        if json["rejected"].as_array().unwrap().len() >= 3 || Instant::now() > deadline {
            break json["rejected"].clone();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let rows = rejected.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rejected}");
    let reason = |code: &str| rows.iter().find(|r| r["code"] == code).map(|r| r["reason"].as_str().unwrap().to_owned());
    assert!(reason("missing_header").unwrap().contains("the `webhook-signature` header is missing"), "{rejected}");
    assert!(reason("signature_mismatch").unwrap().contains("tried secret #1, #2 of 2"), "{rejected}");
    assert!(reason("timestamp_in_future").unwrap().contains("3 hours in the future"), "{rejected}");
    let signature =
        rows.iter().find(|r| r["code"] == "signature_mismatch").unwrap()["headers"]["webhook-signature"].clone();
    assert_eq!(signature, "(signature, 47 bytes, not kept)", "signatures are secret-derived: not stored");
    let text = rejected.to_string();
    for secret in [SECRET, second, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "c2Vjb25kLXNlY3JldC1mb3Itcm90YXRpb24"] {
        assert!(!text.contains(secret), "a secret is in the refusals log");
    }
    // Never processed: the inbox holds only the accepted delivery.
    let (_, answer) = http("GET", &format!("{console}api/events"), &[("x-hookproof-token", "page")], b"");
    let json: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!(json["events"].as_array().unwrap().len(), 1);
    assert_eq!(json["stats"]["pending"], 1);
}

#[test]
fn replay_resigns_a_delivery_stored_an_hour_ago_and_passes_the_freshness_check() {
    let dir = TempDir::new("console");
    let db = dir.sqlite();
    let body = br#"{"type":"invoice.paid","timestamp":"2026-11-30T09:00:00Z","data":{"invoice_id":"inv_9"}}"#;
    let an_hour_ago = unix_now() - 3600;
    // Stored an hour ago, as a receiver would have: the row's received time
    // and the delivery's signed timestamp are both an hour old.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let id = runtime.block_on(async {
        let inbox = hookproof::inbox::Inbox::connect(&db).await.unwrap();
        let delivery =
            hookproof::inbox::NewDelivery::new([9; 32], "standard-webhooks", bytes::Bytes::from_static(body))
                .with_provider_id("msg_hour_old")
                .with_timestamp(an_hour_ago as i64)
                .with_header("content-type", "application/json");
        let hookproof::inbox::Stored::Accepted { id } = inbox.store(delivery).await.unwrap() else { panic!("stored") };
        let pool = sqlx::SqlitePool::connect(&db).await.unwrap();
        sqlx::query("UPDATE hookproof_inbox SET received_at = received_at - 3600000 WHERE id = $1")
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        inbox.close().await;
        id
    });

    let receiver_out = dir.path().join("receiver.out");
    let receiver = receiver_printing_to(&receiver_out);
    let to = receiver.url().to_owned();
    // Sent again as it was signed an hour ago: stale.
    let (status, answer) = post_signed(&to, body, an_hour_ago, "msg_hour_old", SECRET);
    assert_eq!((status, answer.contains("timestamp_too_old")), (401, true), "{answer}");
    // Replayed: re-signed now, accepted and processed.
    let output = run(&[
        "replay",
        "--db",
        &db,
        &id.to_string(),
        "--to",
        &to,
        "--preset",
        "standard-webhooks",
        "--secret",
        SECRET,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("200\n"));
    let deadline = Instant::now() + Duration::from_secs(10);
    let line = loop {
        let text = std::fs::read_to_string(&receiver_out).unwrap();
        if let Some(line) = text.lines().next() {
            break line.to_owned();
        }
        assert!(Instant::now() < deadline, "the receiver printed no event");
        std::thread::sleep(Duration::from_millis(50));
    };
    let event: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["id"], "msg_hour_old", "the event keeps its id");
    assert_eq!(event["body"]["data"]["invoice_id"], "inv_9");
    let signed_at = event["timestamp"].as_i64().unwrap();
    assert!((signed_at - unix_now() as i64).abs() < 30, "signed now, not an hour ago");

    // A wrong secret is refused by the receiver, and replay says so.
    let output = run(&[
        "replay",
        "--db",
        &db,
        &id.to_string(),
        "--to",
        &to,
        "--preset",
        "standard-webhooks",
        "--secret",
        "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).starts_with("401\n"));
    // An unknown id is an error, not a send.
    let output = run(&["replay", "--db", &db, "999", "--to", &to, "--preset", "standard-webhooks", "--secret", SECRET]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no event 999"));
}

#[test]
fn the_console_replays_a_stored_delivery_re_signed() {
    let dir = TempDir::new("console");
    let db = dir.sqlite();
    let inbox = Running::start(
        &[
            "listen",
            "--preset",
            "standard-webhooks",
            "--secret",
            SECRET,
            "--port",
            "0",
            "--inbox",
            &db,
            "--workers",
            "0",
        ],
        "listening on",
    );
    let inbox_url = inbox.url().to_owned();
    let body = br#"{"type":"user.created","timestamp":"2026-11-30T10:00:00Z","data":{"id":"user_7"}}"#;
    assert_eq!(post_signed(&inbox_url, body, unix_now(), "msg_console", SECRET).0, 202);
    let receiver_out = dir.path().join("receiver.out");
    let receiver = receiver_printing_to(&receiver_out);
    let to = receiver.url().to_owned();

    // Without a preset and secret the console has no replay.
    let plain = Running::start(&["console", "--db", &db, "--port", "0"], "console on");
    let base = plain.url().to_owned();
    let request = json!({ "to": to }).to_string();
    let page = [("x-hookproof-token", "page"), ("Content-Type", "application/json")];
    let (status, answer) = http("POST", &format!("{base}api/events/1/replay"), &page, request.as_bytes());
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&answer));
    drop(plain);

    let console = Running::start(
        &["console", "--db", &db, "--port", "0", "--preset", "standard-webhooks", "--secret", SECRET],
        "console on",
    );
    let base = console.url().to_owned();
    let (_, list) = http("GET", &format!("{base}api/events"), &page, b"");
    let list: Value = serde_json::from_slice(&list).unwrap();
    assert_eq!(list["replay"], "standard-webhooks");
    let id = list["events"][0]["id"].as_i64().unwrap();
    let (status, answer) = http("POST", &format!("{base}api/events/{id}/replay"), &page, request.as_bytes());
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    assert_eq!((status, answer["status"].as_u64()), (200, Some(200)), "{answer}");
    assert!(!answer.to_string().contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::fs::read_to_string(&receiver_out).unwrap().lines().count() == 0 {
        assert!(Instant::now() < deadline, "the receiver printed no event");
        std::thread::sleep(Duration::from_millis(50));
    }
    let event: Value =
        serde_json::from_str(std::fs::read_to_string(&receiver_out).unwrap().lines().next().unwrap()).unwrap();
    assert_eq!((event["id"].as_str(), event["body"]["data"]["id"].as_str()), (Some("msg_console"), Some("user_7")));
}

#[test]
fn every_trigger_fixture_verifies_on_a_listen_of_its_preset() {
    let listed = run(&["trigger", "--list"]);
    assert_eq!(listed.status.code(), Some(0));
    let listed = String::from_utf8(listed.stdout).unwrap();
    let fixtures: Vec<(String, String)> = listed
        .lines()
        .map(|line| {
            let mut parts = line.split_whitespace();
            (parts.next().unwrap().to_owned(), parts.next().unwrap().to_owned())
        })
        .collect();
    for preset in ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"] {
        assert!(fixtures.iter().any(|(p, _)| p == preset), "no fixture for {preset}");
    }
    let dir = tempfile::tempdir().unwrap();
    let mut presets: Vec<&str> = fixtures.iter().map(|(p, _)| p.as_str()).collect();
    presets.dedup();
    for preset in presets {
        let secret = if preset == "standard-webhooks" { SECRET } else { "trigger-secret" };
        let out = dir.path().join(format!("{preset}.out"));
        let listener = Running::start_with(
            &["listen", "--preset", preset, "--secret", secret, "--port", "0"],
            "listening on",
            &[],
            Some(&out),
        );
        let url = listener.url().to_owned();
        let events: Vec<&str> = fixtures.iter().filter(|(p, _)| p == preset).map(|(_, e)| e.as_str()).collect();
        for event in &events {
            let output = run(&["trigger", "--preset", preset, "--event", event, "--secret", secret, &url]);
            assert_eq!(output.status.code(), Some(0), "{preset} {event}: {}", String::from_utf8_lossy(&output.stderr));
            assert!(String::from_utf8_lossy(&output.stdout).starts_with("200\n"), "{preset} {event}");
        }
        // Twice the same fixture: two events, not a duplicate.
        let output = run(&["trigger", "--preset", preset, "--event", events[0], "--secret", secret, &url]);
        assert!(String::from_utf8_lossy(&output.stdout).contains("processed"), "{preset}: a second trigger is new");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let printed = std::fs::read_to_string(&out).unwrap().lines().count();
            if printed == events.len() + 1 {
                break;
            }
            assert!(Instant::now() < deadline, "{preset}: {printed} events printed");
            std::thread::sleep(Duration::from_millis(50));
        }
        // The wrong secret is refused: the fixtures are really signed.
        let wrong = if preset == "standard-webhooks" { "whsec_d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA==" } else { "not-it" };
        let output = run(&["trigger", "--preset", preset, "--event", events[0], "--secret", wrong, &url]);
        assert_eq!(output.status.code(), Some(1), "{preset}");
    }
    let unknown = run(&["trigger", "--preset", "github", "--event", "nope", "--secret", "s", "http://127.0.0.1:9/"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("known: ping, push, pull_request"));
}
