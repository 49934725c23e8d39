//! Every preset against its providers' published vectors (sources in
//! `tests/vectors/README.md` and the README's preset table): the vector
//! verifies, and a tampered body, URL, form field or key is refused with
//! `signature_mismatch`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hookproof_core::{presets, RequestTarget, Scheme, Verified, Verifier, VerifyError};
use http::{HeaderMap, HeaderName, HeaderValue};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/");

fn file(name: &str) -> Vec<u8> {
    std::fs::read(format!("{VECTORS}{name}")).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn at(seconds: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(seconds)
}

/// One published delivery.
struct Vector<'a> {
    preset: &'a str,
    secrets: &'a [&'a str],
    headers: &'a [(&'a str, &'a str)],
    body: Vec<u8>,
    /// Method and URL, for URL-signed schemes.
    target: Option<(&'a str, &'a str)>,
    now: SystemTime,
}

impl Vector<'_> {
    fn scheme(&self) -> Scheme {
        presets::by_name(self.preset).unwrap_or_else(|| panic!("no preset {}", self.preset))
    }

    fn headers(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in self.headers {
            map.append(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    fn verify_with(
        &self,
        secrets: &[&str],
        body: &[u8],
        target: Option<(&str, &str)>,
    ) -> Result<Verified, VerifyError> {
        let mut builder = Verifier::builder(self.scheme());
        for secret in secrets {
            builder = builder.secret(*secret);
        }
        let verifier = builder.build().expect("the vector's key is valid");
        match target {
            Some((method, url)) => {
                verifier.verify_request_at(&self.headers(), RequestTarget::new(method, url), body, self.now)
            }
            None => verifier.verify_at(&self.headers(), body, self.now),
        }
    }

    /// The vector verifies; a tampered body and a wrong key do not.
    fn check(&self, wrong_key: &str) -> Verified {
        let verified = self
            .verify_with(self.secrets, &self.body, self.target)
            .unwrap_or_else(|error| panic!("{}: the published vector fails: {error}", self.preset));
        let mut tampered = self.body.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 0x01;
        assert_mismatch(self.preset, "tampered body", self.verify_with(self.secrets, &tampered, self.target));
        let mut appended = self.body.clone();
        appended.push(b' ');
        assert_mismatch(self.preset, "appended body", self.verify_with(self.secrets, &appended, self.target));
        assert_mismatch(self.preset, "wrong key", self.verify_with(&[wrong_key], &self.body, self.target));
        if let Some((method, url)) = self.target {
            let other_url = format!("{url}x");
            let result = self.verify_with(self.secrets, &self.body, Some((method, &other_url)));
            assert_mismatch(self.preset, "tampered URL", result);
        }
        verified
    }
}

fn assert_mismatch(preset: &str, case: &str, result: Result<Verified, VerifyError>) {
    match result {
        Err(error) => assert_eq!(
            (error.status().as_u16(), error.code()),
            (401, "signature_mismatch"),
            "{preset}: {case}: {error}"
        ),
        Ok(_) => panic!("{preset}: {case} was accepted"),
    }
}

#[test]
fn github_docs() {
    let headers = [("x-hub-signature-256", "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")];
    let vector = Vector {
        preset: "github",
        secrets: &["It's a Secret to Everybody"],
        headers: &headers,
        body: b"Hello, World!".to_vec(),
        target: None,
        now: at(0),
    };
    vector.check("It's a Secret to Everybody!");
}

#[test]
fn slack_docs() {
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let headers = [
        ("x-slack-request-timestamp", "1531420618"),
        ("x-slack-signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"),
    ];
    let vector = Vector {
        preset: "slack",
        secrets: &["8f742231b10e8888abcd99yyyzzz85a5"],
        headers: &headers,
        body: body.into(),
        target: None,
        now: at(1531420618),
    };
    vector.check("8f742231b10e8888abcd99yyyzzz85a6");
}

#[test]
fn standard_webhooks_spec_and_brex_docs() {
    let headers = [
        ("webhook-id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="),
    ];
    let vector = Vector {
        preset: "standard-webhooks",
        secrets: &["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        headers: &headers,
        body: br#"{"test": 2432232314}"#.to_vec(),
        target: None,
        now: at(1614265330),
    };
    let verified = vector.check("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSx");
    assert_eq!(verified.scheme(), "standard-webhooks");

    // Brex sends Standard Webhooks; its secret has no `whsec_` prefix.
    let headers = [
        ("webhook-id", "msg_24Ky2257Hzd0tgc5bWs8TwK9Kod"),
        ("webhook-timestamp", "1643393361"),
        ("webhook-signature", "v1,6mFFi/Bg0gw1Yz2KJwZSVq6Bh+XzllS7JVltAlZ8yCU="),
    ];
    let body = r#"{"event_type": "TRANSFER_PROCESSED", "transfer_id": "dptx_ckyypz30n000101kgzgnrtqlf", "company_id": "cuacc_ckqckhadg000601r95ox48c2s"}"#;
    let vector = Vector {
        preset: "Brex",
        secrets: &["4j7OxQ4wlv1GmkZ9qLjoFjEFXjpzvHkr"],
        headers: &headers,
        body: body.into(),
        target: None,
        now: at(1643393361),
    };
    vector.check("4j7OxQ4wlv1GmkZ9qLjoFjEFXjpzvHks");
}

#[test]
fn twilio_docs_form_example() {
    // The URL Twilio called and the POST parameters of its worked example.
    let body = "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
    let headers = [("x-twilio-signature", "L/OH5YylLD5NRKLltdqwSvS0BnU=")];
    let url = "https://example.com/myapp.php?foo=1&bar=2";
    let vector = Vector {
        preset: "twilio",
        secrets: &["12345"],
        headers: &headers,
        body: body.into(),
        target: Some(("POST", url)),
        now: at(0),
    };
    vector.check("12346");
    // The parameters may come in any order; a changed field is refused.
    let reordered = "To=%2B18005551212&Digits=1234&CallSid=CA1234567890ABCDE&From=%2B14158675310&Caller=%2B14158675310";
    assert!(vector.verify_with(&["12345"], reordered.as_bytes(), Some(("POST", url))).is_ok());
    let changed = body.replace("Digits=1234", "Digits=1235");
    assert_mismatch(
        "twilio",
        "tampered form field",
        vector.verify_with(&["12345"], changed.as_bytes(), Some(("POST", url))),
    );
    let added = format!("{body}&Extra=1");
    assert_mismatch(
        "twilio",
        "added form field",
        vector.verify_with(&["12345"], added.as_bytes(), Some(("POST", url))),
    );
    // Without the URL nothing can match.
    assert_mismatch("twilio", "no URL", vector.verify_with(&["12345"], body.as_bytes(), None));
}

#[test]
fn square_docs_with_the_configured_url() {
    let headers = [("x-square-hmacsha256-signature", "2kRE5qRU2tR+tBGlDwMEw2avJ7QM4ikPYD/PJ3bd9Og=")];
    let vector = Vector {
        preset: "square",
        secrets: &["asdf1234"],
        headers: &headers,
        body: br#"{"hello":"world"}"#.to_vec(),
        target: Some(("POST", "https://example.com/webhook")),
        now: at(0),
    };
    vector.check("asdf1235");
    // Behind a proxy: the configured public URL, whatever the request says.
    let verifier = Verifier::builder(presets::square())
        .secret("asdf1234")
        .public_url("https://example.com/webhook")
        .build()
        .unwrap();
    let inside = RequestTarget::new("POST", "http://10.0.0.7:8080/webhook");
    assert!(verifier.verify_request_at(&vector.headers(), inside, &vector.body, at(0)).is_ok());
    assert!(verifier.verify_at(&vector.headers(), &vector.body, at(0)).is_ok());
}

/// HubSpot's v3 example from its documentation, called at its URL.
fn hubspot_docs_vector() -> Vector<'static> {
    Vector {
        preset: "hubspot",
        secrets: &["cfc68c0b-4b4e-4ef8-b764-95350e4ea479"],
        headers: &[
            ("x-hubspot-signature-v3", "gbj1XPRvUt0noT7i7fXfTzOD4sLzQmf0VT28ZYq0EYg="),
            ("x-hubspot-request-timestamp", "1752613922216"),
        ],
        body: file("hubspot.json"),
        target: Some(("POST", "https://webhook.site/335453f5-94b3-49d9-b684-a55354d4b8df")),
        now: at(1752613922),
    }
}

#[test]
fn hubspot_docs_v3() {
    let vector = hubspot_docs_vector();
    let verified = vector.check("cfc68c0b-4b4e-4ef8-b764-95350e4ea470");
    assert_eq!(verified.timestamp(), Some(1752613922));
    let get = vector.verify_with(vector.secrets, &vector.body, Some(("GET", vector.target.unwrap().1)));
    assert_mismatch("hubspot", "tampered method", get);
    let late = Verifier::builder(presets::hubspot()).secret(vector.secrets[0]).build().unwrap().verify_request_at(
        &vector.headers(),
        RequestTarget::new("POST", vector.target.unwrap().1),
        &vector.body,
        at(1752613922 + 301),
    );
    assert_eq!(late.unwrap_err().code(), "timestamp_too_old");
}

#[test]
fn sendgrid_go_sdk_ecdsa() {
    let key = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==";
    let headers = [
        ("x-twilio-email-event-webhook-timestamp", "1600112502"),
        (
            "x-twilio-email-event-webhook-signature",
            "MEUCIGHQVtGj+Y3LkG9fLcxf3qfI10QysgDWmMOVmxG0u6ZUAiEAyBiXDWzM+uOe5W0JuG+luQAbPIqHh89M15TluLtEZtM=",
        ),
    ];
    let vector = Vector {
        preset: "sendgrid",
        secrets: &[key],
        headers: &headers,
        body: file("sendgrid.json"),
        target: None,
        now: at(1600112502),
    };
    // Another valid P-256 public key (the generator point, SEC1 hex).
    let other = "046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    vector.check(other);
}

#[test]
fn paddle_go_sdk() {
    let headers =
        [("paddle-signature", "ts=1710929255;h1=6c05ef8fa83c44d751be6d259ec955ce5638e2c54095bf128e408e2fce1589c8")];
    let vector = Vector {
        preset: "paddle",
        secrets: &["pdl_ntfset_01hsdn8d43dt7mezr1ef2jtbaw_hKkRiCGyyRhbFwIUuqiTBgI7gnWoV0Gr"],
        headers: &headers,
        body: file("paddle.json"),
        target: None,
        now: at(1710929255),
    };
    let verified = vector.check("pdl_ntfset_01hsdn8d43dt7mezr1ef2jtbaw_hKkRiCGyyRhbFwIUuqiTBgI7gnWoV0Gs");
    assert_eq!(verified.timestamp(), Some(1710929255));
    let key = verified.event_key(&vector.body);
    let same_event = hookproof_core::identity::EventKey::to_hex(&key);
    assert_eq!(same_event.len(), 64);
}

#[test]
fn adyen_docs_hex_key() {
    let headers = [("hmacsignature", "A2bHr0WPlKg1fJLVEDReVAdUDWt3znmsuYvp2KdihXY=")];
    let vector = Vector {
        preset: "adyen",
        secrets: &["79A3EAF309C43708726A8C284C0D72618696A12E840DFA1DF3A158AFA3B577DA"],
        headers: &headers,
        body: file("adyen.json"),
        target: None,
        now: at(0),
    };
    vector.check("79A3EAF309C43708726A8C284C0D72618696A12E840DFA1DF3A158AFA3B577DB");
}

#[test]
fn line_docs() {
    let headers = [("x-line-signature", "GhRKmvmHys4Pi8DxkF4+EayaH0OqtJtaZxgTD9fMDLs=")];
    let vector = Vector {
        preset: "line",
        secrets: &["8c570fa6dd201bb328f1c1eac23a96d8"],
        headers: &headers,
        body: br#"{"destination":"U8e742f61d673b39c7fff3cecb7536ef0","events":[]}"#.to_vec(),
        target: None,
        now: at(0),
    };
    vector.check("8c570fa6dd201bb328f1c1eac23a96d9");
}

#[test]
fn notion_docs() {
    let headers = [("x-notion-signature", "sha256=461e8cbcba8a75c3edd866f0e71280f5a85cbf21eff040ebd10fe266df38a735")];
    let vector = Vector {
        preset: "notion",
        secrets: &["secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl"],
        headers: &headers,
        body: br#"{"verification_token":"secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl"}"#.to_vec(),
        target: None,
        now: at(0),
    };
    vector.check("secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBm");
}

#[test]
fn box_java_sdk_primary_and_secondary() {
    let headers = [
        ("box-delivery-timestamp", "2020-01-01T00:00:00-07:00"),
        ("box-signature-primary", "6TfeAW3A1PASkgboxxA5yqHNKOwFyMWuEXny/FPD5hI="),
        ("box-signature-secondary", "v+1CD1Jdo3muIcbpv5lxxgPglOqMfsNHPV899xWYydo="),
    ];
    // 2020-01-01T07:00:00Z
    let vector = Vector {
        preset: "box",
        secrets: &["SamplePrimaryKey", "SampleSecondaryKey"],
        headers: &headers,
        body: file("box.json"),
        target: None,
        now: at(1_577_862_000 + 60),
    };
    let verified = vector.check("SampleTertiaryKey");
    assert_eq!(verified.timestamp(), Some(1_577_862_000));
    // Either key alone matches its header.
    assert!(vector.verify_with(&["SampleSecondaryKey"], &vector.body, None).is_ok());
    assert!(vector.verify_with(&["SamplePrimaryKey"], &vector.body, None).is_ok());
    // Ten minutes and one second later: stale.
    let late = Vector { now: at(1_577_862_000 + 601), ..vector };
    assert_eq!(late.verify_with(late.secrets, &late.body, None).unwrap_err().code(), "timestamp_too_old");
}

#[test]
fn pagerduty_go_sdk() {
    let headers = [("x-pagerduty-signature", "v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd")];
    let secret = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK";
    let vector = Vector {
        preset: "pagerduty",
        secrets: &[secret],
        headers: &headers,
        body: file("pagerduty.json"),
        target: None,
        now: at(0),
    };
    vector.check("lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IL");
    // The SDK's mismatch case, and a rotation header with both.
    let wrong = [("x-pagerduty-signature", "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5")];
    assert_mismatch(
        "pagerduty",
        "sdk mismatch case",
        Vector { headers: &wrong, ..vector }.verify_with(&[secret], &file("pagerduty.json"), None),
    );
    let both = [(
        "x-pagerduty-signature",
        "v1=7020c8a7ec668a9b7012bc3dd82e483394b038f4230acc6785efbf2a7d8bcaf5,v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd",
    )];
    let rotated = Vector {
        preset: "pagerduty",
        secrets: &[secret],
        headers: &both,
        body: file("pagerduty.json"),
        target: None,
        now: at(0),
    };
    assert!(rotated.verify_with(&[secret], &rotated.body, None).is_ok());
}

#[test]
fn mux_elixir_sdk() {
    let headers =
        [("mux-signature", "t=1591664030,v1=e43496b6aae982c4c2fd6f8e92935f1d90216f1f64d56024e72390acfb988272")];
    let vector = Vector {
        preset: "mux",
        secrets: &["SuperSecret123"],
        headers: &headers,
        body: b"payload".to_vec(),
        target: None,
        now: at(1591664030),
    };
    vector.check("SuperSecret124");
}

#[test]
fn bitbucket_docs() {
    let cases = [
        ("Hello World!", "sha256=a4771c39fbe90f317c7824e83ddef3caae9cb3d976c214ace1f2937e133263c9"),
        (
            r#"{"hello":"world","webhook":"secret"}"#,
            "sha256=c48e50b1d349b665dd7bf48bd243f22d5a22758c3f86714f0774aac3cab8fc5e",
        ),
    ];
    for (body, signature) in cases {
        let headers = [("x-hub-signature", signature)];
        let vector = Vector {
            preset: "bitbucket",
            secrets: &["It's a Secret to Everybody"],
            headers: &headers,
            body: body.into(),
            target: None,
            now: at(0),
        };
        vector.check("It's a Secret to Everybody.");
    }
}

#[test]
fn circleci_docs() {
    let cases = [
        ("secret", "hello world", "734cc62f32841568f45715aeb9f4d7891324e6d948e4c6c60c0621cdac48623a"),
        ("another-secret", "lalala", "daa220016c8f29a8b214fbfc3671aeec2145cfb1e6790184ffb38b6d0425fa00"),
        (
            "hunter123",
            "an-important-request-payload",
            "9be2242094a9a8c00c64306f382a7f9d691de910b4a266f67bd314ef18ac49fa",
        ),
        ("secret", "foo", "773ba44693c7553d6ee20f61ea5d2757a9a4f4a44d2841ae4e95b52e4cd62db4"),
    ];
    for (secret, body, signature) in cases {
        // Future versions beside v1 are ignored.
        let header = format!("v1={signature},v2=abcdef");
        let headers = [("circleci-signature", header.as_str())];
        let vector = Vector {
            preset: "circleci",
            secrets: &[secret],
            headers: &headers,
            body: body.into(),
            target: None,
            now: at(0),
        };
        vector.check("not-the-secret");
    }
}

#[test]
fn razorpay_maintainer_examples() {
    let cases = [
        ("{a:1, b:2}", "ee0a3edebeb4be41bafa3bc0a39069d7845a5c37760b863405049de80b5fe92d"),
        ("{c:1, d:2}", "58fd9fac909b57d776606e9313e83a26a9e67a3488b9ca7259134e09f4badfb1"),
    ];
    for (body, signature) in cases {
        let headers = [("x-razorpay-signature", signature)];
        let vector = Vector {
            preset: "razorpay",
            secrets: &["123456"],
            headers: &headers,
            body: body.into(),
            target: None,
            now: at(0),
        };
        vector.check("1234567");
    }
}

#[test]
fn coinify_docs() {
    let headers = [("x-coinify-webhook-signature", "bcdbb89e3031905f3cc1a20d16b5f969a17a7d8fa0c26e4a807c2193402d66f4")];
    let vector = Vector {
        preset: "coinify",
        secrets: &["my-shared-secret"],
        headers: &headers,
        body: br#"{"examplePayload":true}"#.to_vec(),
        target: None,
        now: at(0),
    };
    vector.check("my-shared-secreT");
}

/// Deliveries signed by the providers' official SDKs (pinned in
/// `tests/interop/package.json`), recorded once with fixed secrets and
/// times so that they are checked without Node too; `tests/provider_sdks.rs`
/// checks fresh ones both ways.
#[test]
fn official_sdk_signed_deliveries() {
    // @tryfinch/finch-api 10.7.0 `webhooks.signPayload` (the secret is base64).
    let headers = [
        ("finch-event-id", "evt_1"),
        ("finch-timestamp", "1700000000"),
        ("finch-signature", "v1,V/lg1eZ1nZjHqKMfk3KKag5tNotnag9+ANANNQ8CMPg="),
    ];
    let vector = Vector {
        preset: "finch",
        secrets: &["aG9va3Byb29mLWZpbmNoLXNlY3JldA=="],
        headers: &headers,
        body: br#"{"type":"company.updated","data":{"id":"c1"}}"#.to_vec(),
        target: None,
        now: at(1_700_000_000),
    };
    let verified = vector.check("aG9va3Byb29mLWZpbmNoLXNlY3JldQ==");
    assert_eq!((verified.id(), verified.timestamp()), (Some("evt_1"), Some(1_700_000_000)));
    let other_id = [("finch-event-id", "evt_2"), headers[1], headers[2]];
    let replayed = Vector { headers: &other_id, ..vector };
    assert_mismatch("finch", "another event id", replayed.verify_with(replayed.secrets, &replayed.body, None));

    // modern-treasury 3.3.0 `webhooks.getSignature`.
    let headers = [("x-signature", "8eff5be36ded0c792d525f9b53d6f0c3b57348613201f81466e9e45234910446")];
    Vector {
        preset: "modern-treasury",
        secrets: &["hookproof-mt-key"],
        headers: &headers,
        body: br#"{"event":"completed","data":{"id":"po_1"}}"#.to_vec(),
        target: None,
        now: at(0),
    }
    .check("hookproof-mt-kez");

    // orb-billing 6.11.0 `webhooks.signPayload`: the timestamp has no offset
    // (UTC) and microseconds.
    let headers = [
        ("x-orb-timestamp", "2023-11-14T22:13:20.123456"),
        ("x-orb-signature", "v1=e4434e2105ac968f08500733970961a001da4af68db4b9af0c64b49fedf5f6d1"),
    ];
    let vector = Vector {
        preset: "orb",
        secrets: &["hookproof-orb-secret"],
        headers: &headers,
        body: br#"{"type":"invoice.issued","id":"e1"}"#.to_vec(),
        target: None,
        now: at(1_700_000_000 + 300),
    };
    assert_eq!(vector.check("hookproof-orb-secreT").timestamp(), Some(1_700_000_000));
    let late = Vector { now: at(1_700_000_000 + 301), ..vector };
    assert_eq!(late.verify_with(late.secrets, &late.body, None).unwrap_err().code(), "timestamp_too_old");
    let other_time = [("x-orb-timestamp", "2023-11-14T22:13:20.123457"), headers[1]];
    let moved = Vector { headers: &other_time, now: at(1_700_000_000), ..late };
    assert_mismatch("orb", "another timestamp", moved.verify_with(moved.secrets, &moved.body, None));

    // pusher 5.3.4 `Token.sign`.
    let headers = [("x-pusher-signature", "25017871f8c108803b82cad959654108267e3d01f3a77d15c5811cc4b3753dfa")];
    Vector {
        preset: "pusher",
        secrets: &["hookproof-pusher-secret"],
        headers: &headers,
        body: br#"{"time_ms":1700000000000,"events":[{"name":"channel_occupied","channel":"c"}]}"#.to_vec(),
        target: None,
        now: at(0),
    }
    .check("hookproof-pusher-secreT");

    // coinbase-commerce-node 1.0.4 `Webhook.computeSignature`.
    let headers = [("x-cc-webhook-signature", "60f624edda5271d7317ac4bb95d850dd871239af2ffd84ff6be938f3327d6a12")];
    Vector {
        preset: "coinbase-commerce",
        secrets: &["hookproof-cc-secret"],
        headers: &headers,
        body: br#"{"id":"e1","event":{"id":"evt1","type":"charge:created"}}"#.to_vec(),
        target: None,
        now: at(0),
    }
    .check("hookproof-cc-secreT");

    // @sanity/webhook 4.0.4 `encodeSignatureHeader`: unix milliseconds and
    // URL-safe base64 without padding (this one has a `-`).
    let headers = [("sanity-webhook-signature", "t=1700000000000,v1=pcPmAu2MbzOnUiBm2LITjU9GVnnCEmGUO9CtA-li7OU")];
    let vector = Vector {
        preset: "sanity",
        secrets: &["hookproof-sanity-secret"],
        headers: &headers,
        body: br#"{"_id":"doc1","_type":"post","title":"Hello"}"#.to_vec(),
        target: None,
        now: at(1_700_000_000),
    };
    assert_eq!(vector.check("hookproof-sanity-secreT").timestamp(), Some(1_700_000_000));
    // The same signature in the standard alphabet is not URL-safe base64.
    let standard = [("sanity-webhook-signature", "t=1700000000000,v1=pcPmAu2MbzOnUiBm2LITjU9GVnnCEmGUO9CtA+li7OU")];
    let error = Vector { headers: &standard, ..vector }.verify_with(&["hookproof-sanity-secret"], br#"{}"#, None);
    assert_eq!(error.unwrap_err().code(), "malformed_header");
    // hookproof's Signer writes exactly what Sanity's toolkit compares.
    let signed = hookproof_core::Signer::new(presets::sanity(), "hookproof-sanity-secret").unwrap().sign_at(
        br#"{"_id":"doc1","_type":"post","title":"Hello"}"#,
        at(1_700_000_000),
        None,
    );
    assert_eq!(signed["sanity-webhook-signature"], headers[0].1);
}

/// Gr4vy sends bare comma-separated signatures while a secret rotates:
/// any may match, an empty entry or a bad encoding is malformed.
#[test]
fn gr4vy_list_of_bare_signatures() {
    use hookproof_core::Signer;
    let body = br#"{"type":"event","target":{"type":"transaction","id":"t1"}}"#;
    let sent = at(1_700_000_000);
    let new = Signer::new(presets::gr4vy(), "new-secret").unwrap().sign_at(body, sent, None);
    let old = Signer::new(presets::gr4vy(), "old-secret").unwrap().sign_at(body, sent, None);
    assert_eq!(new["x-gr4vy-timestamp"], "1700000000");
    let both =
        format!("{}, {}", old["x-gr4vy-signature"].to_str().unwrap(), new["x-gr4vy-signature"].to_str().unwrap());
    let mut headers = new.clone();
    headers.insert("x-gr4vy-signature", both.parse().unwrap());
    let verifier = Verifier::builder(presets::gr4vy()).secret("new-secret").build().unwrap();
    assert_eq!(verifier.verify_at(&headers, body, sent).unwrap().timestamp(), Some(1_700_000_000));
    assert_mismatch("gr4vy", "old secret only", verifier.verify_at(&old, body, sent));
    assert_mismatch("gr4vy", "tampered body", verifier.verify_at(&headers, b"{}", sent));
    let mut moved = headers.clone();
    moved.insert("x-gr4vy-timestamp", "1700000001".parse().unwrap());
    assert_mismatch("gr4vy", "another timestamp", verifier.verify_at(&moved, body, sent));
    for bad in [format!("{both},"), "zz".to_owned()] {
        let mut malformed = headers.clone();
        malformed.insert("x-gr4vy-signature", bad.parse().unwrap());
        assert_eq!(verifier.verify_at(&malformed, body, sent).unwrap_err().code(), "malformed_header", "{bad}");
    }
}

#[test]
fn every_preset_has_a_vector_here_or_in_the_interop_tests() {
    // Proven elsewhere: by the official SDKs (the workspace root's
    // tests/interop.rs and tests/provider_sdks.rs), or for the seed providers,
    // hand-built from their documents (tests/providers.rs).
    let by_sdk = [
        "discord",
        "telnyx",
        "shopify",
        "stripe",
        "smake",
        "smarter-launch",
        "smile",
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
    let here = [
        "github",
        "slack",
        "standard-webhooks",
        "twilio",
        "square",
        "hubspot",
        "sendgrid",
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
    ];
    for name in presets::NAMES {
        assert!(here.contains(&name) || by_sdk.contains(&name), "{name} has no vector");
    }
}

/// Standard Webhooks `v1a`: ed25519 beside `v1` in one header. A `whsk_`
/// key signs `v1a`; a verifier given the `whpk_` key checks the `v1a`
/// entries, one given the `whsec_` secret the `v1` entries.
#[test]
fn standard_webhooks_v1a_beside_v1() {
    use base64::Engine as _;
    use hookproof_core::Signer;
    let b64 = base64::engine::general_purpose::STANDARD;
    let seed = [42u8; 32];
    let signing = ed25519_dalek::SigningKey::from_bytes(&seed);
    let whsk = format!("whsk_{}", b64.encode(seed));
    let whpk = format!("whpk_{}", b64.encode(signing.verifying_key().as_bytes()));
    let whsec = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let body = br#"{"type":"invoice.paid"}"#;
    let sent = at(1_700_000_000);

    let asymmetric = Signer::new(presets::standard_webhooks(), whsk.as_str()).unwrap();
    let symmetric = Signer::new(presets::standard_webhooks(), whsec).unwrap();
    let a = asymmetric.sign_at(body, sent, Some("msg_1"));
    let s = symmetric.sign_at(body, sent, Some("msg_1"));
    let v1a = a["webhook-signature"].to_str().unwrap();
    assert!(v1a.starts_with("v1a,"), "{v1a}");
    let both = format!("{} {}", s["webhook-signature"].to_str().unwrap(), v1a);
    let mut headers = a.clone();
    headers.insert("webhook-signature", both.parse().unwrap());

    let public = Verifier::builder(presets::standard_webhooks()).secret(whpk.as_str()).build().unwrap();
    let shared = Verifier::builder(presets::standard_webhooks()).secret(whsec).build().unwrap();
    assert!(public.verify_at(&headers, body, sent).is_ok());
    assert!(shared.verify_at(&headers, body, sent).is_ok());
    // The public key never matches a v1 entry, the secret never a v1a one.
    assert_mismatch("v1a", "only v1 for a public key", public.verify_at(&s, body, sent));
    assert_mismatch("v1", "only v1a for a secret", shared.verify_at(&a, body, sent));
    assert_mismatch("v1a", "tampered body", public.verify_at(&headers, b"{}", sent));
    let other =
        format!("whpk_{}", b64.encode(ed25519_dalek::SigningKey::from_bytes(&[1; 32]).verifying_key().as_bytes()));
    let wrong = Verifier::builder(presets::standard_webhooks()).secret(other.as_str()).build().unwrap();
    assert_mismatch("v1a", "wrong key", wrong.verify_at(&headers, body, sent));
    let mut other_id = headers.clone();
    other_id.insert("webhook-id", "msg_2".parse().unwrap());
    assert_mismatch("v1a", "tampered id", public.verify_at(&other_id, body, sent));
}

/// Discord and Telnyx sign with ed25519: hookproof's `Signer` with the
/// private key, its `Verifier` with the public key as the dashboards show
/// it (hex for Discord, base64 for Telnyx). The official SDKs' verdicts on
/// the same deliveries are in `tests/interop.rs`.
#[test]
fn ed25519_presets_round_trip() {
    use base64::Engine as _;
    use hookproof_core::Signer;
    let b64 = base64::engine::general_purpose::STANDARD;
    let signing = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
    let public = signing.verifying_key();
    let body = br#"{"id":"987","type":1}"#;
    let sent = at(1_700_000_000);
    for (preset, key) in [("discord", hex::encode(public.as_bytes())), ("telnyx", b64.encode(public.as_bytes()))] {
        let signer = Signer::new(presets::by_name(preset).unwrap(), hex::encode([5u8; 32])).unwrap();
        let headers = signer.sign_at(body, sent, None);
        let verifier = Verifier::builder(presets::by_name(preset).unwrap()).secret(key.as_str()).build().unwrap();
        assert!(verifier.verify_at(&headers, body, sent).is_ok(), "{preset}");
        assert_mismatch(preset, "tampered body", verifier.verify_at(&headers, br#"{"id":"988","type":1}"#, sent));
        let late = verifier.verify_at(&headers, body, at(1_700_000_000 + 301)).unwrap_err();
        assert_eq!(late.code(), "timestamp_too_old", "{preset}");
        assert!(Signer::new(presets::sendgrid(), hex::encode([5u8; 32])).is_err());
    }
}

/// Model extensions that no shipped preset uses yet, as custom schemes
/// shaped like the providers that need them (no vector of theirs exists, so
/// they are not presets): Recurly's positional list with millisecond
/// timestamps, Klaviyo's HTTP-date after the body, Airtable's base64 key,
/// Mollie's repeated signature lines.
#[test]
fn custom_schemes_for_the_other_model_extensions() {
    use hookproof_core::{Encoding, KeyFormat, Part, SignatureFormat, Signer, TimestampFormat};
    let sent = at(1_700_000_000);
    let body = br#"{"id":"evt_1"}"#;

    let recurly = Scheme::builder("recurly-like")
        .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
        .signature_header("recurly-signature")
        .format(SignatureFormat::Positional { separator: ',' })
        .timestamp_format(TimestampFormat::UnixMillis)
        .build()
        .unwrap();
    let klaviyo = Scheme::builder("klaviyo-like")
        .signed_content([Part::Body, Part::Timestamp])
        .signature_header("klaviyo-signature")
        .timestamp_header("klaviyo-timestamp")
        .timestamp_format(TimestampFormat::HttpDate)
        .build()
        .unwrap();
    let airtable = Scheme::builder("airtable-like")
        .key_format(KeyFormat::Base64)
        .signature_header("x-airtable-content-mac")
        .format(SignatureFormat::Prefixed("hmac-sha256=".into()))
        .build()
        .unwrap();
    let mollie = Scheme::builder("mollie-like")
        .signature_header("x-mollie-signature")
        .format(SignatureFormat::Prefixed("sha256=".into()))
        .every_signature_header(true)
        .encoding(Encoding::Hex)
        .build()
        .unwrap();
    for (scheme, secret) in [(recurly, "rk"), (klaviyo, "kk"), (airtable, "c2VjcmV0LWtleQ=="), (mollie, "mk")] {
        let name = scheme.name().to_owned();
        let headers = Signer::new(scheme.clone(), secret).unwrap().sign_at(body, sent, None);
        let verifier = Verifier::builder(scheme.clone()).secret(secret).build().unwrap();
        let verified = verifier.verify_at(&headers, body, sent).unwrap_or_else(|e| panic!("{name}: {e}"));
        if scheme.has_timestamp() {
            assert_eq!(verified.timestamp(), Some(1_700_000_000), "{name}");
            let late = verifier.verify_at(&headers, body, at(1_700_000_000 + 301)).unwrap_err();
            assert_eq!(late.code(), "timestamp_too_old", "{name}");
        }
        assert_mismatch(&name, "tampered body", verifier.verify_at(&headers, b"{}", sent));
    }

    // Recurly's list: the timestamp as sent (milliseconds), then signatures.
    let headers = Signer::new(
        Scheme::builder("recurly-like")
            .signed_content([Part::Timestamp, Part::literal("."), Part::Body])
            .signature_header("recurly-signature")
            .format(SignatureFormat::Positional { separator: ',' })
            .timestamp_format(TimestampFormat::UnixMillis)
            .build()
            .unwrap(),
        "rk",
    )
    .unwrap()
    .sign_at(body, sent, None);
    let value = headers["recurly-signature"].to_str().unwrap();
    assert!(value.starts_with("1700000000000,"), "{value}");
    // Klaviyo's timestamp is an IMF-fixdate.
    let headers = Signer::new(
        Scheme::builder("klaviyo-like")
            .signature_header("klaviyo-signature")
            .timestamp_header("klaviyo-timestamp")
            .timestamp_format(TimestampFormat::HttpDate)
            .signed_content([Part::Body, Part::Timestamp])
            .build()
            .unwrap(),
        "kk",
    )
    .unwrap()
    .sign_at(body, sent, None);
    assert_eq!(headers["klaviyo-timestamp"], "Tue, 14 Nov 2023 22:13:20 GMT");

    // Mollie rotates with two lines of the same header: either may match.
    let mollie = Scheme::builder("mollie-like")
        .signature_header("x-mollie-signature")
        .format(SignatureFormat::Prefixed("sha256=".into()))
        .every_signature_header(true)
        .build()
        .unwrap();
    let new = Signer::new(mollie.clone(), "new").unwrap().sign_at(body, sent, None);
    let old = Signer::new(mollie.clone(), "old").unwrap().sign_at(body, sent, None);
    let mut both = HeaderMap::new();
    both.append("x-mollie-signature", old["x-mollie-signature"].clone());
    both.append("x-mollie-signature", new["x-mollie-signature"].clone());
    let verifier = Verifier::builder(mollie).secret("new").build().unwrap();
    assert!(verifier.verify_at(&both, body, sent).is_ok());
    assert_mismatch("mollie-like", "old secret only", verifier.verify_at(&old, body, sent));
}

/// Without the request (the adapters call `verify`), a URL-signed scheme
/// uses the configured public URL and takes the method as POST.
#[test]
fn hubspot_with_a_public_url_and_no_request() {
    let vector = Vector { target: None, ..hubspot_docs_vector() };
    let verifier = Verifier::builder(presets::hubspot())
        .secret(vector.secrets[0])
        .public_url("https://webhook.site/335453f5-94b3-49d9-b684-a55354d4b8df")
        .build()
        .unwrap();
    assert!(verifier.verify_at(&vector.headers(), &vector.body, vector.now).is_ok());
    let other = Verifier::builder(presets::hubspot())
        .secret(vector.secrets[0])
        .public_url("https://webhook.site/other")
        .build()
        .unwrap();
    assert_mismatch("hubspot", "another public URL", other.verify_at(&vector.headers(), &vector.body, vector.now));
}

/// Linear's timestamp is the signed body's `webhookTimestamp` (ms): checked
/// once the signature matched, 60 seconds either way.
#[test]
fn linear_checks_the_body_timestamp() {
    use hookproof_core::Signer;
    let secret = "lin_wh_secret";
    let sent = 1_700_000_000u64;
    let verifier = Verifier::builder(presets::linear()).secret(secret).build().unwrap();
    let signed = |body: &str| Signer::new(presets::linear(), secret).unwrap().sign_at(body.as_bytes(), at(sent), None);
    let body = format!(r#"{{"action":"create","type":"Issue","webhookTimestamp":{}}}"#, sent * 1000);
    let headers = signed(&body);
    let verified = verifier.verify_at(&headers, body.as_bytes(), at(sent + 60)).unwrap();
    assert_eq!(verified.timestamp(), Some(sent as i64));
    let late = verifier.verify_at(&headers, body.as_bytes(), at(sent + 61)).unwrap_err();
    assert_eq!(late.code(), "timestamp_too_old");
    let early = verifier.verify_at(&headers, body.as_bytes(), at(sent - 61)).unwrap_err();
    assert_eq!(early.code(), "timestamp_in_future");
    // A tampered body fails on its signature first.
    let tampered = body.replace("Issue", "Issuf");
    assert_mismatch("linear", "tampered body", verifier.verify_at(&headers, tampered.as_bytes(), at(sent)));
    // Signed, but without a usable timestamp: refused.
    for body in [r#"{"action":"create"}"#, r#"{"webhookTimestamp":"soon"}"#, "not json"] {
        let error = verifier.verify_at(&signed(body), body.as_bytes(), at(sent)).unwrap_err();
        assert_eq!((error.status().as_u16(), error.code()), (400, "malformed_header"), "{body}");
    }
}

/// Fields inside the body, and the signature too: Adyen's standard payment
/// notifications sign `pspReference:originalReference:merchantAccountCode:
/// merchantReference:value:currency:eventCode:success` (each escaped) and
/// carry the signature in `additionalData.hmacSignature`. The vector is
/// Adyen's own (adyen-python-api-library `test/UtilTest.py`), placed in the
/// notification JSON Adyen sends. Not a preset: a notification batch holds
/// several items, each signed alone, which a request-level verifier cannot
/// vouch for; here the scheme checks the first item.
#[test]
fn adyen_payment_notification_fields_and_signature_in_the_body() {
    use hookproof_core::{Encoding, KeyFormat, Part, Signer};
    let item = "/notificationItems/0/NotificationRequestItem";
    let field = |name: &str| Part::EscapedBodyField(format!("{item}/{name}").into());
    let colon = || Part::literal(":");
    let scheme = Scheme::builder("adyen-payments")
        .key_format(KeyFormat::Hex)
        .encoding(Encoding::Base64)
        .signature_field(format!("{item}/additionalData/hmacSignature"))
        .signed_content([
            field("pspReference"),
            colon(),
            field("originalReference"),
            colon(),
            field("merchantAccountCode"),
            colon(),
            field("merchantReference"),
            colon(),
            field("amount/value"),
            colon(),
            field("amount/currency"),
            colon(),
            field("eventCode"),
            colon(),
            field("success"),
        ])
        .build()
        .unwrap();
    let body = r#"{"live":"false","notificationItems":[{"NotificationRequestItem":{"additionalData":{"hmacSignature":"coqCmt/IZ4E3CzPvMY8zTjQVL5hYJUiBRg8UU+iCWo0="},"amount":{"currency":"EUR","value":1130},"eventCode":"AUTHORISATION","eventDate":"2014-08-06T13:25:43+02:00","merchantAccountCode":"TestMerchant","merchantReference":"TestPayment-1407325143704","paymentMethod":"visa","pspReference":"7914073381342284","reason":"","success":"true"}}]}"#;
    let key = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
    let verifier = Verifier::builder(scheme.clone()).secret(key).build().unwrap();
    let headers = HeaderMap::new();
    assert!(verifier.verify_at(&headers, body.as_bytes(), at(0)).is_ok());
    // A signed field changed, or another key: refused.
    let more = body.replace(r#""value":1130"#, r#""value":1131"#);
    assert_mismatch("adyen-payments", "tampered amount", verifier.verify_at(&headers, more.as_bytes(), at(0)));
    let reference = body.replace("TestPayment-1407325143704", "TestPayment-1407325143705");
    assert_mismatch("adyen-payments", "tampered reference", verifier.verify_at(&headers, reference.as_bytes(), at(0)));
    let other = Verifier::builder(scheme.clone()).secret(key.replace("56", "57")).build().unwrap();
    assert_mismatch("adyen-payments", "wrong key", other.verify_at(&headers, body.as_bytes(), at(0)));
    // Fields outside the signed ones are not covered (Adyen's design).
    let date = body.replace("2014-08-06", "2015-08-06");
    assert!(verifier.verify_at(&headers, date.as_bytes(), at(0)).is_ok());
    // No signature in the body: 400 naming the field.
    let unsigned = body.replace("hmacSignature", "other");
    let error = verifier.verify_at(&headers, unsigned.as_bytes(), at(0)).unwrap_err();
    assert_eq!((error.status().as_u16(), error.code()), (400, "malformed_header"));
    assert!(matches!(verifier.verify_at(&headers, b"not json", at(0)), Err(VerifyError::MalformedHeader { .. })));
    // Only the provider can place a signature in the body.
    assert!(Signer::new(scheme, key).is_err());
}

/// Mailgun-shaped (no published vector, so not a preset): the signature and
/// the signed `timestamp` and `token` are fields of the JSON body; the
/// rest of the body is not signed.
#[test]
fn mailgun_shaped_signature_and_fields_in_the_body() {
    use hookproof_core::Part;
    let scheme = Scheme::builder("mailgun-like")
        .signature_field("/signature/signature")
        .signed_content([Part::BodyField("/signature/timestamp".into()), Part::BodyField("/signature/token".into())])
        .build()
        .unwrap();
    let verifier = Verifier::builder(scheme).secret("mg-signing-key").build().unwrap();
    let body = r#"{"signature":{"timestamp":"1700000000","token":"5d0cf8c2e36f49d5a1f2","signature":"603e2640fd9e5e36cd3e9e6f9ba7d70e724ccee5c85c1f1bdce3d3a7e4df0a4e"},"event-data":{"event":"delivered"}}"#;
    assert!(verifier.verify_at(&HeaderMap::new(), body.as_bytes(), at(0)).is_ok());
    let replayed_token = body.replace("5d0cf8c2e36f49d5a1f2", "5d0cf8c2e36f49d5a1f3");
    assert_mismatch(
        "mailgun-like",
        "tampered token",
        verifier.verify_at(&HeaderMap::new(), replayed_token.as_bytes(), at(0)),
    );
}
