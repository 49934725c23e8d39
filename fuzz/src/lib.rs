//! Input decoding shared by the fuzz targets.
//!
//! The byte formats are documented in `fuzz/README.md` and decoded the same
//! way by `crates/hookproof-core/tests/fuzz_regressions.rs`, which replays
//! `fuzz/seeds/` (and every crash turned regression) without libFuzzer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hookproof_core::{presets, HeaderLookup, KeyFormat, Scheme, Verified, Verifier, VerifyError};

/// Every header name any preset reads, signature, timestamp and id, aliases
/// included. A header record's first byte picks one (modulo the length).
pub const HEADER_NAMES: [&str; 16] = [
    "x-signature",
    "smile-signature",
    "smile-timestamp",
    "webhook-signature",
    "svix-signature",
    "webhook-timestamp",
    "svix-timestamp",
    "webhook-id",
    "svix-id",
    "x-hub-signature-256",
    "x-github-delivery",
    "stripe-signature",
    "x-slack-signature",
    "x-slack-request-timestamp",
    "x-shopify-hmac-sha256",
    "x-shopify-webhook-id",
];

/// The presets the fuzz inputs index (a preset byte picks one, modulo the
/// length): the first eight, fixed so that committed seeds keep their
/// meaning as presets are added.
pub const FUZZED_PRESETS: [&str; 8] =
    ["smake", "smarter-launch", "smile", "standard-webhooks", "github", "stripe", "slack", "shopify"];

/// [`FUZZED_PRESETS`], built.
pub fn fuzzed_presets() -> Vec<Scheme> {
    FUZZED_PRESETS.iter().filter_map(|name| presets::by_name(name)).collect()
}

/// Reads the input front to back; past the end every read yields zeros or
/// empty slices, so any input decodes.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Self { data }
    }

    /// Whether everything has been read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Up to `len` bytes (fewer at the end of the input).
    pub fn take(&mut self, len: usize) -> &'a [u8] {
        let (head, tail) = self.data.split_at(len.min(self.data.len()));
        self.data = tail;
        head
    }

    /// One byte, 0 past the end.
    pub fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }

    /// Big-endian u16.
    pub fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    /// Little-endian i64 (missing bytes are zero).
    pub fn i64(&mut self) -> i64 {
        let mut bytes = [0u8; 8];
        let taken = self.take(8);
        bytes[..taken.len()].copy_from_slice(taken);
        i64::from_le_bytes(bytes)
    }
}

/// Raw headers as a list, so values reach the core byte for byte (an
/// `http::HeaderValue` would refuse control bytes before the core sees them)
/// and a name may repeat.
#[derive(Debug, Default, Clone)]
pub struct FuzzHeaders {
    /// `(lowercase name, raw value)` in the order received.
    pub entries: Vec<(String, Vec<u8>)>,
}

impl FuzzHeaders {
    /// Decodes header records `[name index: u8][length: u16 BE][value]`
    /// until the input ends.
    pub fn decode(reader: &mut Reader<'_>) -> Self {
        let mut entries = Vec::new();
        while !reader.is_empty() {
            let name = HEADER_NAMES[usize::from(reader.u8()) % HEADER_NAMES.len()];
            let len = usize::from(reader.u16());
            entries.push((name.to_owned(), reader.take(len).to_vec()));
        }
        Self { entries }
    }
}

impl HeaderLookup for FuzzHeaders {
    fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a [u8]> {
        let name = name.to_owned();
        self.entries.iter().filter(move |(key, _)| *key == name).map(|(_, value)| value.as_slice())
    }
}

/// `UNIX_EPOCH` moved by `seconds`, or `None` when the platform's
/// `SystemTime` cannot represent it.
pub fn time_at(seconds: i64) -> Option<SystemTime> {
    if seconds >= 0 {
        UNIX_EPOCH.checked_add(Duration::from_secs(seconds.unsigned_abs()))
    } else {
        UNIX_EPOCH.checked_sub(Duration::from_secs(seconds.unsigned_abs()))
    }
}

/// A secret the key format accepts, made from arbitrary bytes: `whsec_` +
/// base64 for Standard Webhooks, the bytes themselves otherwise; never empty.
pub fn usable_secret(format: KeyFormat, bytes: &[u8]) -> Vec<u8> {
    let bytes = if bytes.is_empty() { &[0u8][..] } else { bytes };
    match format {
        KeyFormat::WhsecBase64 => {
            format!("whsec_{}", base64::engine::general_purpose::STANDARD.encode(bytes)).into_bytes()
        }
        _ => bytes.to_vec(),
    }
}

/// The refusal contract for header problems: 400 with a header code, 401
/// with a signature or freshness code, naming only a header the scheme
/// knows. Panics (a fuzz finding) otherwise.
pub fn assert_header_refusal(error: &VerifyError, known: &[&str]) {
    match (error.status().as_u16(), error.code()) {
        (400, "missing_header" | "malformed_header") => {}
        (401, "signature_mismatch" | "timestamp_too_old" | "timestamp_in_future") => {}
        other => panic!("unexpected refusal {other:?}: {error}"),
    }
    if let VerifyError::MissingHeader { header } | VerifyError::MalformedHeader { header, .. } = error {
        assert!(known.contains(&header.as_ref()), "error names unknown header {header:?}");
    }
    let body = error.json_body();
    assert!(body.starts_with(&format!("{{\"error\":\"{}\"", error.code())), "{body}");
}

/// The path the adapters take: [`Verifier::begin_at`], the body pushed in
/// chunks of `chunk` bytes, [`Verifier::finish_at`]. It must reach the
/// verdict `verify_at` reached (`expected`), except that it checks the
/// headers before the body's size: an oversized body with refused headers
/// gets the header refusal. Panics (a fuzz finding) otherwise.
pub fn assert_streamed_agrees<H: HeaderLookup>(
    verifier: &Verifier,
    headers: &H,
    body: &[u8],
    now: SystemTime,
    chunk: usize,
    expected: &Result<Verified, VerifyError>,
) {
    let streamed = (|| {
        let mut delivery = verifier.begin_at(headers, now)?;
        for part in body.chunks(chunk.max(1)) {
            delivery.push(part)?;
        }
        verifier.finish_at(delivery, now)
    })();
    match (&streamed, expected) {
        (Ok((verified, bytes)), Ok(expected)) => {
            assert_eq!(verified, expected, "streamed and whole verification differ");
            assert_eq!(&bytes[..], body, "the streamed body is not the body");
        }
        (Err(error), Err(VerifyError::BodyTooLarge { .. })) if body.len() > verifier.body_limit() => {
            if !matches!(error, VerifyError::BodyTooLarge { .. }) {
                let early = verifier.precheck_at(headers, now).expect_err("a refusal before the body");
                assert_eq!(early.code(), error.code(), "streamed refusal is not the header refusal");
            }
        }
        (Err(error), Err(expected)) => assert_eq!(error.code(), expected.code(), "streamed and whole refusals differ"),
        _ => panic!("streamed {streamed:?} but whole {expected:?}"),
    }
}

/// The `verify_path` target's input: preset index, flags, body limit, time
/// (i64 LE seconds), secret (u8 length), body (u16 BE length), id (u8
/// length), then header records as in `header_parsing`.
#[derive(Debug)]
pub struct VerifyPathInput<'a> {
    /// The preset, with the flags applied (bit 0: compact-JSON fallback;
    /// bit 1: the small body limit).
    pub scheme: Scheme,
    /// The flags byte, also used by the target to pick which body bit to flip.
    pub flags: u8,
    /// The clock, in unix seconds.
    pub seconds: i64,
    /// Raw secret bytes (see [`usable_secret`]).
    pub secret: &'a [u8],
    /// The body.
    pub body: &'a [u8],
    /// The event id bytes given to the round trip's signer.
    pub id: &'a [u8],
    /// The delivery's own headers.
    pub headers: FuzzHeaders,
}

impl<'a> VerifyPathInput<'a> {
    /// Decodes any input.
    pub fn decode(data: &'a [u8]) -> Self {
        let mut input = Reader::new(data);
        let preset = fuzzed_presets().swap_remove(usize::from(input.u8()) % FUZZED_PRESETS.len());
        let flags = input.u8();
        let small_limit = usize::from(input.u8());
        let seconds = input.i64();
        let secret_len = usize::from(input.u8());
        let secret = input.take(secret_len);
        let body_len = usize::from(input.u16());
        let body = input.take(body_len);
        let id_len = usize::from(input.u8());
        let id = input.take(id_len);
        let headers = FuzzHeaders::decode(&mut input);
        let mut scheme = preset.with_compact_json_fallback(flags & 1 != 0);
        if flags & 2 != 0 {
            scheme = scheme.with_body_limit(small_limit);
        }
        Self { scheme, flags, seconds, secret, body, id, headers }
    }
}
