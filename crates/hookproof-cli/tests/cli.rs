//! Drives the built `hookproof` binary: success and failure exits of every
//! subcommand, and real deliveries between `send` and `listen` on loopback.

// The Redis harness of the hookproof-redis tests (its TLS server here).
#[allow(dead_code)]
#[path = "../../hookproof-redis/tests/server/mod.rs"]
mod redis_server;

mod support;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use hookproof_test_support::{free_port, Request, Response};
use support::{Running, TempDir, BIN};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_with_env(args, &[], stdin)
}

/// Like [`run`] with `env` set; `HOOKPROOF_SECRET` is set only when `env` sets it.
fn run_with_env(args: &[&str], env: &[(&str, &str)], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .env_remove("HOOKPROOF_SECRET")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the hookproof binary runs");
    // A command that fails on its arguments exits without reading stdin: a
    // broken pipe here is expected, and the exit code is what is asserted.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn every_subcommand_has_help() {
    for sub in ["presets", "sign", "verify", "send", "listen", "work", "inbox", "demo"] {
        let output = run(&[sub, "--help"], b"");
        assert_eq!(output.status.code(), Some(0), "{sub}");
        assert!(stdout(&output).contains("Usage: hookproof"), "{sub}");
    }
}

#[test]
fn presets_lists_all_eight() {
    let output = run(&["presets"], b"");
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for name in ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"] {
        assert!(text.lines().any(|line| line.starts_with(name)), "{name} missing:\n{text}");
    }
    assert!(text.contains("HMAC-SHA1"));
    assert!(text.contains("smile-timestamp"));
}

#[test]
fn sign_prints_the_published_github_signature() {
    let output =
        run(&["sign", "--preset", "github", "--secret", "It's a Secret to Everybody", "--id", "d-1"], b"Hello, World!");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.contains("x-hub-signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")
    );
    assert!(text.contains("x-github-delivery: d-1"));
}

#[test]
fn verify_accepts_the_published_standard_webhooks_vector() {
    let args = [
        "verify",
        "--preset",
        "standard-webhooks",
        "--secret",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "--now",
        "1614265330",
        "-H",
        "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek",
        "-H",
        "webhook-timestamp: 1614265330",
        "-H",
        "webhook-signature: v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    ];
    let output = run(&args, br#"{"test": 2432232314}"#);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).trim(), "verified id=msg_p5jXN8AQM9LWM0D4loKWxJek timestamp=1614265330");

    // An hour later: exit 1 and the contract's code.
    let mut late = args;
    late[6] = "1614268930";
    let output = run(&late, br#"{"test": 2432232314}"#);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("timestamp_too_old:"), "{}", stderr(&output));

    // A changed body: exit 1, signature_mismatch.
    let output = run(&args, br#"{"test": 2432232315}"#);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("signature_mismatch:"));
}

#[test]
fn sign_then_verify_round_trips_for_every_preset_and_rotation() {
    for preset in ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"] {
        let secret = if preset == "standard-webhooks" { "whsec_c2VjcmV0LWtleS1ieXRlcw==" } else { "s3cret" };
        let body = "{\"name\":\"Zoë 🚀\"}".as_bytes();
        let signed = run(&["sign", "--preset", preset, "--secret", secret, "--id", "evt_1"], body);
        assert_eq!(signed.status.code(), Some(0), "{preset}: {}", stderr(&signed));
        let mut args = vec!["verify", "--preset", preset, "--secret", "whsec_b2xkLWtleQ==", "--secret", secret];
        let headers = stdout(&signed);
        for line in headers.lines() {
            args.extend(["-H", line]);
        }
        let verified = run(&args, body);
        assert_eq!(verified.status.code(), Some(0), "{preset}: {}", stderr(&verified));
        assert!(stdout(&verified).starts_with("verified"), "{preset}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let unknown = run(&["verify", "--preset", "nope", "--secret", "s"], b"{}");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown preset `nope`"));
    let bad_header = run(&["verify", "--preset", "github", "--secret", "s", "-H", "no colon"], b"{}");
    assert_eq!(bad_header.status.code(), Some(2));
    let bad_secret = run(&["sign", "--preset", "standard-webhooks", "--secret", "whsec_%%"], b"{}");
    assert_eq!(bad_secret.status.code(), Some(2));
    let missing_flag = run(&["sign", "--preset", "github"], b"{}");
    assert_eq!(missing_flag.status.code(), Some(2));
    let bad_replay = run(&["listen", "--preset", "github", "--secret", "s", "--replay", "mongodb://x"], b"");
    assert_eq!(bad_replay.status.code(), Some(2));
    let missing_file = run(&["sign", "--preset", "github", "--secret", "s", "/nonexistent/body.json"], b"");
    assert_eq!(missing_file.status.code(), Some(2));
}

/// `hookproof listen --port 0 EXTRA`, once it listens on loopback.
fn listen(extra: &[&str]) -> Running {
    listen_with_env(extra, &[])
}

/// [`listen`] with `env` set.
fn listen_with_env(extra: &[&str], env: &[(&str, &str)]) -> Running {
    let listener = Running::start_with(&[&["listen", "--port", "0"], extra].concat(), "listening on", env, None);
    assert!(listener.url().starts_with("http://127.0.0.1:"), "{}", listener.url());
    listener
}

#[test]
fn send_to_listen_through_every_adapter() {
    for adapter in ["axum", "actix", "tower"] {
        let listener = listen(&["--preset", "smile", "--secret", "new", "--secret", "old", "--adapter", adapter]);
        let body = br#"{"account_id":1,"topic":"ping","data":{}}"#;
        let sent = run(&["send", "--preset", "smile", "--secret", "old", listener.url()], body);
        assert_eq!(sent.status.code(), Some(0), "{adapter}: {}", stderr(&sent));
        assert_eq!(stdout(&sent).lines().next(), Some("200"), "{adapter}");
        let event = listener.next_line();
        assert_eq!(event["body"]["topic"], "ping", "{adapter}");
        assert!(event["timestamp"].as_i64().is_some(), "{adapter}");

        let forged = run(&["send", "--preset", "smile", "--secret", "stranger", listener.url()], body);
        assert_eq!(forged.status.code(), Some(1), "{adapter}");
        let answer = stdout(&forged);
        assert_eq!(answer.lines().next(), Some("401"), "{adapter}");
        assert!(answer.contains("signature_mismatch"), "{adapter}");
    }
}

#[test]
fn listen_answers_2xx_only_when_exec_succeeds_and_then_dedupes() {
    let dir = TempDir::new("exec");
    let marker = dir.path().join("ran-once");
    // Fails the first time, succeeds after; records what it was given.
    let script = format!(
        "cat > {dir}/body; if [ -f {m} ]; then exit 0; else touch {m}; exit 1; fi",
        dir = dir.path().display(),
        m = marker.display()
    );
    let listener = listen(&["--preset", "smake", "--secret", "t0ken", "--exec", &script]);
    let body = br#"{"type":"order.created","data":{"id":9}}"#;
    let send = || run(&["send", "--preset", "smake", "--secret", "t0ken", listener.url()], body);

    let first = send();
    assert_eq!(first.status.code(), Some(1));
    assert_eq!(stdout(&first).lines().next(), Some("500"));
    let retry = send();
    assert_eq!(retry.status.code(), Some(0), "{}", stdout(&retry));
    assert_eq!(std::fs::read(dir.path().join("body")).unwrap(), body);
    let event = listener.next_line();
    assert_eq!(event["body"]["data"]["id"], 9);
    let duplicate = send();
    assert_eq!(duplicate.status.code(), Some(0));
    assert!(stdout(&duplicate).contains(r#"{"status":"duplicate"}"#));
}

#[test]
fn send_to_nothing_fails_with_exit_1() {
    let port = free_port();
    let output =
        run(&["send", "--preset", "github", "--secret", "s", &format!("http://127.0.0.1:{port}/webhooks")], b"{}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn demo_passes_every_row() {
    let output = run(&["demo"], b"");
    assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
    let text = stdout(&output);
    assert!(text.contains("36 deliveries, every answer as the contract says."), "{text}");
    assert_eq!(text.lines().filter(|line| line.ends_with(" yes")).count(), 36);
    // The inbox rows: acknowledged at once while slow, retried, dead, re-run by an operator.
    assert_eq!(text.lines().filter(|line| line.starts_with("inbox (sqlite)") && line.ends_with(" yes")).count(), 4);
}

#[test]
fn secrets_come_from_a_file_or_the_environment() {
    let dir = TempDir::new("secrets");
    let body = b"Hello, World!";
    let args = ["sign", "--preset", "github", "--id", "d-1"];
    let by_flag = run(&[&args[..], &["--secret", "It's a Secret to Everybody"]].concat(), body);
    let by_env = run_with_env(&args, &[("HOOKPROOF_SECRET", "It's a Secret to Everybody")], body);
    let file = dir.file("secrets", "# newest first\nIt's a Secret to Everybody\n\nold-secret\n");
    let by_file = run(&[&args[..], &["--secret-file", &file]].concat(), body);
    assert_eq!(by_flag.status.code(), Some(0));
    assert!(stdout(&by_flag).contains("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"));
    assert_eq!(stdout(&by_env), stdout(&by_flag));
    assert_eq!(stdout(&by_file), stdout(&by_flag), "signing uses the file's first secret");

    // Verifying with the file: either line may match (rotation).
    let old = run(&["sign", "--preset", "github", "--secret", "old-secret"], body);
    let headers: Vec<String> = stdout(&old).lines().map(str::to_owned).collect();
    let mut verify = vec!["verify", "--preset", "github", "--secret-file", &file];
    for header in &headers {
        verify.extend(["-H", header]);
    }
    let verified = run(&verify, body);
    assert_eq!(verified.status.code(), Some(0), "{}", stderr(&verified));

    // No secret anywhere: a usage error that says where to put one.
    let none = run(&["verify", "--preset", "github"], body);
    assert_eq!(none.status.code(), Some(2));
    assert!(stderr(&none).contains("--secret-file") && stderr(&none).contains("HOOKPROOF_SECRET"), "{}", stderr(&none));
    let empty = run(&["verify", "--preset", "github", "--secret-file", &dir.file("empty", "# nothing\n")], body);
    assert_eq!(empty.status.code(), Some(2));
    let missing = run(&["verify", "--preset", "github", "--secret-file", "/nonexistent/secrets"], body);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn listen_refuses_an_absurd_tolerance_and_never_echoes_a_url_password() {
    let tolerance = run(
        &["listen", "--preset", "stripe", "--secret", "s", "--port", "0", "--tolerance", "18446744073709551615"],
        b"",
    );
    assert_eq!(tolerance.status.code(), Some(2));
    assert!(stderr(&tolerance).contains("tolerance"), "{}", stderr(&tolerance));
    for replay in ["redis://alice:hunter2@[::1", "mongodb://alice:hunter2@db.invalid/x"] {
        let refused = run(&["listen", "--preset", "github", "--secret", "s", "--port", "0", "--replay", replay], b"");
        assert_eq!(refused.status.code(), Some(2), "{replay}");
        assert!(!stderr(&refused).contains("hunter2"), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("alice:***@"), "{}", stderr(&refused));
    }
}

/// POSTs `body` with the header lines `headers` to `url` (`http://127.0.0.1:PORT/path`); the status.
fn post_raw(url: &str, headers: &[String], body: &[u8]) -> u16 {
    http_raw("POST", url, headers, body).status
}

/// Sends `method` to `url` (`http://127.0.0.1:PORT/path?query`) with the
/// header lines `headers` and `body`; the answer.
fn http_raw(method: &str, url: &str, headers: &[String], body: &[u8]) -> Response {
    let request = headers.iter().fold(Request::new(method, url), |request, line| {
        let (name, value) = line.split_once(':').expect("a header line");
        request.header(name.trim(), value.trim())
    });
    request.body(body).patience(Duration::from_secs(10)).send().unwrap_or_else(|error| panic!("no answer: {error}"))
}

#[test]
fn a_captured_github_delivery_resent_under_new_ids_runs_exec_once() {
    let dir = TempDir::new("github-replay");
    let runs = dir.path().join("runs");
    // Records each run, and whether the receiver's secret leaked into the handler's environment.
    let script = format!("echo \"run secret=${{HOOKPROOF_SECRET:-unset}}\" >> {}", runs.display());
    let listener = listen_with_env(
        &["--preset", "github", "--exec", &script],
        &[("HOOKPROOF_SECRET", "It's a Secret to Everybody")],
    );
    let body = br#"{"action":"opened","number":1}"#;
    let signed = run(&["sign", "--preset", "github", "--secret", "It's a Secret to Everybody"], body);
    let signature = stdout(&signed).lines().find(|line| line.starts_with("x-hub-signature-256")).unwrap().to_owned();
    let delivery = |id: &str| {
        vec![signature.clone(), format!("X-GitHub-Delivery: {id}"), "content-type: application/json".to_owned()]
    };

    assert_eq!(post_raw(listener.url(), &delivery("real-1"), body), 200);
    for forged in 0..200 {
        assert_eq!(post_raw(listener.url(), &delivery(&format!("forged-{forged}")), body), 200, "forged-{forged}");
    }
    assert_eq!(std::fs::read_to_string(&runs).unwrap(), "run secret=unset\n", "one run, no secret in its environment");
    // The next real delivery (another event) is processed.
    let next = br#"{"action":"opened","number":2}"#;
    let signed = run(&["sign", "--preset", "github", "--secret", "It's a Secret to Everybody"], next);
    let headers: Vec<String> = stdout(&signed).lines().map(str::to_owned).collect();
    assert_eq!(post_raw(listener.url(), &headers, next), 200);
    assert_eq!(std::fs::read_to_string(&runs).unwrap().lines().count(), 2);
}

#[test]
fn presets_lists_every_preset_with_its_algorithm() {
    let output = run(&["presets"], b"");
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    for name in hookproof::presets::NAMES {
        let algorithm = hookproof::presets::by_name(name).unwrap().algorithm().name();
        assert!(
            text.lines().any(|line| line.split_whitespace().take(2).eq([name, algorithm])),
            "{name} {algorithm} missing:\n{text}"
        );
    }
    assert!(text.contains("x-twilio-signature"));
    assert!(text.contains("svix = standard-webhooks"), "{text}");
    // Names are found whatever their case.
    let output = run(&["verify", "--preset", "SVIX", "--secret", "whsec_c2VjcmV0", "-H", "webhook-id: x"], b"{}");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
}

#[test]
fn verify_url_signed_twilio_with_url() {
    let body = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
    let url = "https://example.com/myapp.php?foo=1&bar=2";
    let args =
        ["verify", "--preset", "twilio", "--secret", "12345", "-H", "X-Twilio-Signature: L/OH5YylLD5NRKLltdqwSvS0BnU="];
    let with_url = [&args[..], &["--url", url]].concat();
    let output = run(&with_url, body);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let other = [&args[..], &["--url", "https://example.com/other"]].concat();
    let output = run(&other, body);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).starts_with("signature_mismatch"), "{}", stderr(&output));
    // Without --url: a usage error, not a silent mismatch.
    assert_eq!(run(&args, body).status.code(), Some(2));
}

#[test]
fn verify_sendgrid_with_the_dashboard_public_key() {
    let key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let body =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../hookproof-core/tests/vectors/sendgrid.json")).unwrap();
    let args = [
        "verify",
        "--preset",
        "sendgrid",
        "--secret",
        key,
        "--now",
        "1600112502",
        "-H",
        "X-Twilio-Email-Event-Webhook-Timestamp: 1600112502",
        "-H",
        "X-Twilio-Email-Event-Webhook-Signature: MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
    ];
    let output = run(&args, &body);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let output = run(&args, b"[]");
    assert!(stderr(&output).starts_with("signature_mismatch"), "{}", stderr(&output));
}

#[test]
fn sign_discord_with_an_ed25519_private_key_and_verify_with_the_public_key() {
    let private = "0505050505050505050505050505050505050505050505050505050505050505";
    let output = run(&["sign", "--preset", "discord", "--secret", private, "--timestamp", "1700000000"], b"{}");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let headers: Vec<String> = stdout(&output).lines().map(str::to_owned).collect();
    assert!(headers.iter().any(|line| line.starts_with("x-signature-ed25519: ")), "{headers:?}");
    let public = "6e7a1cdd29b0b78fd13af4c5598feff4ef2a97166e3ca6f2e4fbfccd80505bf1";
    let mut args = vec!["verify", "--preset", "discord", "--secret", public, "--now", "1700000000"];
    for line in &headers {
        args.extend(["-H", line.as_str()]);
    }
    let output = run(&args, b"{}");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(run(&args, b"{ }").status.code() == Some(1));
}

#[test]
fn another_method_on_the_webhook_path_is_405_on_every_adapter() {
    for adapter in ["axum", "actix", "tower"] {
        let listener = listen(&["--preset", "github", "--secret", "s", "--adapter", adapter]);
        let answer = http_raw("GET", listener.url(), &[], b"");
        assert_eq!(answer.status, 405, "{adapter}: {answer:?}");
    }
}

#[test]
fn listen_answers_get_handshakes_and_still_405s_other_gets_on_every_adapter() {
    for adapter in ["axum", "actix", "tower"] {
        let listener = listen(&[
            "--preset",
            "github",
            "--secret",
            "s",
            "--adapter",
            adapter,
            "--verify-token",
            "meta-token",
            "--handshake",
            "x",
            "--handshake",
            "dropbox",
        ]);
        let get = |query: &str| http_raw("GET", &format!("{}?{query}", listener.url()), &[], b"");
        let meta = get("hub.mode=subscribe&hub.verify_token=meta-token&hub.challenge=8675309");
        assert_eq!((meta.status, meta.text().as_str()), (200, "8675309"), "{adapter}: {meta:?}");
        assert_eq!(meta.header("x-content-type-options"), Some("nosniff"), "{adapter}: {meta:?}");
        let wrong = get("hub.mode=subscribe&hub.verify_token=meta-tokem&hub.challenge=8675309");
        assert_eq!(wrong.status, 403, "{adapter}: {wrong:?}");
        assert!(!wrong.text().contains("meta-token") && !wrong.head.contains("meta-token"), "{adapter}: {wrong:?}");
        // `printf crc-1 | openssl dgst -sha256 -hmac s -binary | base64`
        let x = get("crc_token=crc-1");
        let expected = r#"{"response_token":"sha256=BKsZJWcf4AbNo/CK8JASTT4iXZbbzfjdPR9uE77xlIc="}"#;
        assert_eq!((x.status, x.text().as_str()), (200, expected), "{adapter}: {x:?}");
        let dropbox = get("challenge=db-challenge");
        assert_eq!((dropbox.status, dropbox.text().as_str()), (200, "db-challenge"), "{adapter}: {dropbox:?}");
        assert_eq!(get("nothing=1").status, 405, "{adapter}");
        // Deliveries are still POSTs, verified as before.
        assert_eq!(post_raw(listener.url(), &[], b"{}"), 400, "{adapter}");
    }
    let refused = run(&["listen", "--preset", "github", "--secret", "s", "--port", "0", "--handshake", "meta"], b"");
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("--verify-token"), "{}", stderr(&refused));
}

#[test]
fn listen_verifies_twilio_against_the_public_url() {
    let body = b"CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
    let headers = ["X-Twilio-Signature: L/OH5YylLD5NRKLltdqwSvS0BnU=".to_owned()];
    for adapter in ["axum", "actix", "tower"] {
        let public_url = "https://example.com/myapp.php?foo=1&bar=2";
        let args = ["--preset", "twilio", "--secret", "12345", "--adapter", adapter, "--public-url", public_url];
        let listener = listen(&args);
        assert_eq!(post_raw(listener.url(), &headers, body), 200, "{adapter}");
        let tampered = String::from_utf8_lossy(body).replace("Digits=1234", "Digits=4321");
        assert_eq!(post_raw(listener.url(), &headers, tampered.as_bytes()), 401, "{adapter}");
        drop(listener);
        // The signed URL is not the one configured: refused.
        let args =
            ["--preset", "twilio", "--secret", "12345", "--adapter", adapter, "--public-url", "https://example.com/x"];
        let listener = listen(&args);
        assert_eq!(post_raw(listener.url(), &headers, body), 401, "{adapter}");
    }
}

#[test]
fn send_sets_headers_id_and_timestamp_and_exec_gets_the_event_type() {
    let dir = TempDir::new("send-headers");
    let seen = dir.path().join("seen");
    let script = format!("echo \"$HOOKPROOF_EVENT_TYPE $HOOKPROOF_EVENT_ID\" >> {}", seen.display());
    let listener = listen(&["--preset", "github", "--secret", "s", "--exec", &script]);
    let body = br#"{"ref":"refs/heads/main"}"#;
    let send = || {
        run(
            &[
                "send",
                "--preset",
                "github",
                "--secret",
                "s",
                "-H",
                "X-GitHub-Event: push",
                "--id",
                "d-7",
                listener.url(),
            ],
            body,
        )
    };
    let first = send();
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "push d-7\n");
    let line = listener.next_line();
    assert_eq!((line["event_type"].as_str(), line["id"].as_str()), (Some("push"), Some("d-7")));
    // The same delivery again is a real duplicate: acknowledged, not run.
    let again = send();
    assert!(stdout(&again).contains(r#"{"status":"duplicate"}"#), "{}", stdout(&again));
    assert_eq!(std::fs::read_to_string(&seen).unwrap().lines().count(), 1);

    // Nothing listening: the error names the address.
    let nowhere = run(&["send", "--preset", "github", "--secret", "s", "http://127.0.0.1:9/webhooks"], body);
    assert_eq!(nowhere.status.code(), Some(1));
    assert!(stderr(&nowhere).contains("cannot deliver to http://127.0.0.1:9/webhooks"), "{}", stderr(&nowhere));
}

#[test]
fn an_unreachable_replay_store_is_named_at_startup_and_strict_refuses_to_start() {
    let args = ["listen", "--preset", "github", "--secret", "s", "--port", "0", "--replay", "redis://127.0.0.1:9"];
    let strict = run(&[&args[..], &["--strict"]].concat(), b"");
    assert_eq!(strict.status.code(), Some(1));
    assert!(
        stderr(&strict).contains("the replay store `redis://127.0.0.1:9` cannot be reached"),
        "{}",
        stderr(&strict)
    );

    let lenient = Running::start(&args, "listening on");
    let (warning, listening) = (&lenient.stderr()[0], &lenient.stderr()[1]);
    assert!(warning.starts_with("warning: the replay store `redis://127.0.0.1:9` cannot be reached"), "{warning}");
    assert!(listening.starts_with("listening on http://127.0.0.1:"), "{listening}");
}

#[test]
fn listen_serves_prometheus_metrics() {
    let port = free_port();
    let metrics = format!("127.0.0.1:{port}");
    let listener = listen(&["--preset", "github", "--secret", "s", "--metrics", &metrics]);
    let body = br#"{"zen":"Keep it logically awesome."}"#;
    assert_eq!(run(&["send", "--preset", "github", "--secret", "s", listener.url()], body).status.code(), Some(0));
    assert_eq!(run(&["send", "--preset", "github", "--secret", "guess", listener.url()], body).status.code(), Some(1));
    // The exporter starts on its own thread: wait for it, bounded.
    let mut text = String::new();
    for _ in 0..50 {
        if let Ok(answer) = Request::get("/metrics").send_to(metrics.as_str()) {
            text = answer.text();
            if text.contains("hookproof_rejected_total") {
                break;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(text.contains(r#"hookproof_verified_total{scheme="github"} 1"#), "{text}");
    assert!(text.contains(r#"hookproof_rejected_total{scheme="github",code="signature_mismatch"} 1"#), "{text}");
    assert!(text.contains("hookproof_verify_seconds"), "{text}");
}

#[test]
fn listen_shares_replay_memory_over_rediss_with_a_private_ca() {
    let redis = redis_server::RedisServer::start_tls();
    let ca = redis.ca_file().display().to_string();
    let tls_url = redis.tls_url();
    let replay = ["--preset", "github", "--secret", "s", "--replay", &tls_url, "--redis-ca-file", &ca, "--strict"];
    let first = listen(&replay);
    let second = listen(&replay);
    let body = br#"{"zen":"Design for failure."}"#;
    let send = |url: &str| run(&["send", "--preset", "github", "--secret", "s", "--id", "d-tls", url], body);
    let processed = send(first.url());
    assert_eq!(processed.status.code(), Some(0), "{}", stderr(&processed));
    let duplicate = send(second.url());
    assert!(stdout(&duplicate).contains(r#"{"status":"duplicate"}"#), "{}", stdout(&duplicate));

    // Without the CA, the server's certificate is not trusted: --strict refuses to start.
    let untrusted =
        run(&["listen", "--port", "0", "--preset", "github", "--secret", "s", "--replay", &tls_url, "--strict"], b"");
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        stderr(&untrusted).contains(&format!("the replay store `{tls_url}` cannot be reached")),
        "{}",
        stderr(&untrusted)
    );
    // A CA file with a plain redis:// URL is a usage error.
    let plain =
        run(&["listen", "--preset", "github", "--secret", "s", "--replay", &redis.url(), "--redis-ca-file", &ca], b"");
    assert_eq!(plain.status.code(), Some(2));
    assert!(stderr(&plain).contains("--redis-ca-file needs --replay rediss://"), "{}", stderr(&plain));
}
