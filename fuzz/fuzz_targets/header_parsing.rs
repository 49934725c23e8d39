//! Arbitrary bytes as header values, under every name any preset reads
//! (repeats allowed), checked by every preset. Nothing is validly signed, so
//! every verification must be refused with the contract's 400 or 401, and
//! `precheck_at` must agree with `verify_at` on every refusal it makes.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, UNIX_EPOCH};

use hookproof_core::{KeyFormat, Verifier, VerifyError};
use hookproof_fuzz::{assert_header_refusal, usable_secret, FuzzHeaders, Reader, HEADER_NAMES};
use libfuzzer_sys::fuzz_target;

/// The fixed clock: timestamps near it are fresh.
const NOW: u64 = 1_700_000_000;
const BODY: &[u8] = b"{}";

fn verifiers() -> &'static [Verifier] {
    static VERIFIERS: OnceLock<Vec<Verifier>> = OnceLock::new();
    VERIFIERS.get_or_init(|| {
        hookproof_fuzz::fuzzed_presets()
            .into_iter()
            .map(|scheme| {
                let secret = usable_secret(scheme.key_format(), b"fuzz-secret");
                assert!(matches!(scheme.key_format(), KeyFormat::Raw | KeyFormat::WhsecBase64));
                Verifier::builder(scheme).secret(secret).build().expect("fixed secrets fit every preset")
            })
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let headers = FuzzHeaders::decode(&mut Reader::new(data));
    let now = UNIX_EPOCH + Duration::from_secs(NOW);
    for verifier in verifiers() {
        let error = match verifier.verify_at(&headers, BODY, now) {
            Ok(verified) => panic!("{} verified an unsigned delivery: {verified:?}", verifier.scheme().name()),
            Err(error) => error,
        };
        assert_header_refusal(&error, &HEADER_NAMES);
        match verifier.precheck_at(&headers, now) {
            // Everything before the HMAC passed, so the HMAC is what failed.
            Ok(()) => assert!(matches!(error, VerifyError::SignatureMismatch), "{error}"),
            Err(early) => assert_eq!(early.code(), error.code(), "precheck and verify disagree"),
        }
    }
});
