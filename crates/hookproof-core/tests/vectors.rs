//! Every published vector (copied from the providers' own docs and test
//! suites into tests/data) verifies, or fails, exactly as published.

use std::time::{Duration, UNIX_EPOCH};

use hookproof_core::{presets, Verifier, VerifyError};

#[derive(serde::Deserialize)]
struct Vector {
    name: String,
    preset: String,
    secret: String,
    body: String,
    headers: std::collections::BTreeMap<String, String>,
    now: Option<u64>,
    valid: bool,
}

#[test]
fn public_vectors_verify_as_published() {
    let vectors: Vec<Vector> = serde_json::from_str(include_str!("data/public-vectors.json")).unwrap();
    assert_eq!(vectors.len(), 6);
    let mut valid = 0;
    for vector in &vectors {
        let scheme = presets::by_name(&vector.preset).unwrap_or_else(|| panic!("{}: unknown preset", vector.name));
        let verifier = Verifier::builder(scheme).secret(vector.secret.as_str()).build().unwrap();
        let mut headers = http::HeaderMap::new();
        for (name, value) in &vector.headers {
            headers.insert(http::HeaderName::from_bytes(name.as_bytes()).unwrap(), value.parse().unwrap());
        }
        let now = UNIX_EPOCH + Duration::from_secs(vector.now.unwrap_or(1_700_000_000));
        let result = verifier.verify_at(&headers, vector.body.as_bytes(), now);
        if vector.valid {
            assert!(result.is_ok(), "{}: {result:?}", vector.name);
            valid += 1;
        } else {
            assert!(matches!(result, Err(VerifyError::SignatureMismatch)), "{}: {result:?}", vector.name);
        }
    }
    assert_eq!(valid, 5);
}
