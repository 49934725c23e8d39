//! A dudect-style check that refusing a forged signature takes the same time
//! however many of its leading bytes are right.
//!
//! Run: `cargo bench --bench timing` (not part of CI: it measures wall-clock
//! time and needs a quiet-ish machine). `TIMING_SAMPLES` sets the
//! measurements per class (default 200 000).
//!
//! Method (Reparaz, Balasch, Verbauwhede, "dude, is my code constant time?",
//! 2017): two classes of input, measured in random interleaved order so
//! drift and interference hit both alike; Welch's t-test on the two timing
//! distributions, repeated on the data cropped at a range of upper
//! percentiles (the long tail of interrupts and preemption drowns small
//! effects), reporting the largest |t|.
//!
//! - class A: a forged signature with every byte wrong;
//! - class B: the right signature with only its last byte wrong.
//!
//! Both are written with the same hex digit classes (digit or letter) at
//! every position as the right signature, see [`forged`]: a first version
//! flipped every bit for class A, and the hex decoder's digit/letter branches
//! alone then gave |t| = 100 on GitHub signatures, a difference in parsing
//! the (public) received text, not in comparing it with the (secret) tag.
//!
//! An early-exit comparison takes longer for B (it walks further before the
//! first difference). `Verifier::verify_at` compares with `subtle`'s `ct_eq`,
//! so both classes must look alike.
//!
//! Threshold: dudect reads |t| > 4.5 as "probably leaks" and |t| > 10 as a
//! definite leak. This runs on shared, loaded machines, where a few hundred
//! thousand samples of a ~microsecond operation pick up systematic noise
//! (frequency changes, a neighbour's burst landing more on one class by
//! chance) that can push |t| past 4.5 with no leak at all; so the check fails
//! only past 10, and prints the value so a 4.5..10 result can be rerun on a
//! quiet machine. The control below shows what a real leak scores here: a
//! comparison that exits early over 4 KiB must be far past 10, or the
//! harness has no power and the run fails too.

#![allow(missing_docs)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant, UNIX_EPOCH};

use base64::Engine as _;
use hookproof::{presets, Scheme, Signer, Verifier};

/// dudect's "definite leak" line; see the module docs.
const THRESHOLD: f64 = 10.0;
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY: &[u8] = br#"{"type":"invoice.paid","data":{"id":"in_1","amount":4200}}"#;
const BATCH: usize = 10_000;
const WARM_UP: usize = 20_000;

/// xorshift64: the class order, no dependency.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// Times `run(class)` `per_class` times for each class, in random order.
fn measure(per_class: usize, seed: u64, mut run: impl FnMut(usize)) -> [Vec<f64>; 2] {
    let mut rng = Xorshift(seed);
    for i in 0..WARM_UP {
        run(i & 1);
    }
    let mut times = [Vec::with_capacity(per_class), Vec::with_capacity(per_class)];
    let mut classes = Vec::with_capacity(BATCH);
    while times[0].len() < per_class || times[1].len() < per_class {
        // The order of a batch is drawn before it is timed.
        classes.clear();
        classes.extend((0..BATCH).map(|_| (rng.next() >> 32) as usize & 1));
        for &class in &classes {
            let class = if times[class].len() < per_class { class } else { 1 - class };
            let start = Instant::now();
            run(class);
            let elapsed = start.elapsed();
            times[class].push(elapsed.as_nanos() as f64);
        }
    }
    times
}

/// Welch's t statistic of two samples.
fn welch_t(a: &[f64], b: &[f64]) -> f64 {
    fn mean_var(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }
    let ((ma, va), (mb, vb)) = (mean_var(a), mean_var(b));
    let se = (va / a.len() as f64 + vb / b.len() as f64).sqrt();
    if se == 0.0 {
        0.0
    } else {
        (ma - mb) / se
    }
}

fn median(x: &[f64]) -> f64 {
    let mut sorted = x.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

struct Report {
    /// Welch's t on everything.
    raw: f64,
    /// The largest |t| over the raw data and every crop, with its percentile.
    max: (f64, f64),
    medians: (f64, f64),
}

/// dudect's cropping: thresholds at percentiles 1 - 0.5^(10 (k+1) / 100) of
/// the pooled timings, k = 0..100 (from the 6.7th percentile up to almost
/// the maximum); a t-test on the values below each.
fn analyse([a, b]: &[Vec<f64>; 2]) -> Report {
    let mut pooled: Vec<f64> = a.iter().chain(b).copied().collect();
    pooled.sort_by(f64::total_cmp);
    let raw = welch_t(a, b);
    let mut max = (raw, 1.0);
    for k in 0..100 {
        let percentile = 1.0 - 0.5f64.powf(10.0 * (k + 1) as f64 / 100.0);
        let cut = pooled[((pooled.len() - 1) as f64 * percentile) as usize];
        let a: Vec<f64> = a.iter().copied().filter(|&t| t < cut).collect();
        let b: Vec<f64> = b.iter().copied().filter(|&t| t < cut).collect();
        if a.len() < 1000 || b.len() < 1000 {
            continue;
        }
        let t = welch_t(&a, &b);
        if t.abs() > max.0.abs() {
            max = (t, percentile);
        }
    }
    Report { raw, max, medians: (median(a), median(b)) }
}

/// The two forged header sets for `scheme`: every signature byte wrong, and
/// only the last one wrong.
fn forged(scheme: Scheme) -> (Verifier, [http::HeaderMap; 2]) {
    let b64 = base64::engine::general_purpose::STANDARD;
    let signer = Signer::new(scheme.clone(), SECRET).unwrap();
    let verifier = Verifier::builder(scheme.clone()).secret(SECRET).build().unwrap();
    let headers = signer.sign_at(BODY, UNIX_EPOCH + Duration::from_secs(1_700_000_000), Some("msg_1"));
    let name = scheme.signature_headers()[0].to_string();
    let value = headers[name.as_str()].to_str().unwrap().to_owned();
    // Both presets write one signature after a fixed prefix.
    let (prefix, encoded) = match value.split_once(['=', ',']) {
        Some((tag, rest)) => (value[..=tag.len()].to_owned(), rest.to_owned()),
        None => (String::new(), value.clone()),
    };
    let is_hex = encoded.bytes().all(|b| b.is_ascii_hexdigit());
    let right = if is_hex { hex::decode(&encoded).unwrap() } else { b64.decode(&encoded).unwrap() };
    let make = |tamper: &dyn Fn(&mut [u8])| {
        let mut bytes = right.clone();
        tamper(&mut bytes);
        let encoded = if is_hex { hex::encode(&bytes) } else { b64.encode(&bytes) };
        let mut forged = headers.clone();
        forged
            .insert(http::HeaderName::try_from(name.as_str()).unwrap(), format!("{prefix}{encoded}").parse().unwrap());
        forged
    };
    // XOR 0x11 changes every byte, and every hex digit within its class
    // (0-9 stays a digit, a-f a letter; x ^ 1 pairs 8/9 and 10/11), so the
    // decoder takes the same branches for both classes: it reads public,
    // attacker-chosen text and need not be constant time. Only the comparison
    // with the secret tag differs between A and B.
    let all_wrong = make(&|bytes| bytes.iter_mut().for_each(|b| *b ^= 0x11));
    let last_wrong = make(&|bytes| *bytes.last_mut().unwrap() ^= 0x01);
    (verifier, [all_wrong, last_wrong])
}

fn print(label: &str, report: &Report, n: usize) {
    println!(
        "{label:<34} n={n}/class  median A {:>6.0} ns  B {:>6.0} ns  t(raw) {:>8.2}  max|t| {:>8.2} (crop p{:.4})",
        report.medians.0,
        report.medians.1,
        report.raw,
        report.max.0.abs(),
        report.max.1,
    );
}

fn main() -> ExitCode {
    let per_class: usize = std::env::var("TIMING_SAMPLES").ok().and_then(|v| v.parse().ok()).unwrap_or(200_000);
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let mut ok = true;
    println!("dudect-style timing check: class A = all signature bytes wrong, B = only the last byte wrong");
    println!("fails when max|t| > {THRESHOLD} (dudect: > 4.5 suggests a leak, > 10 is a definite one)\n");

    for (label, scheme) in [
        ("standard-webhooks (base64, v1,)", presets::standard_webhooks()),
        ("github (hex, sha256=)", presets::github()),
    ] {
        let (verifier, classes) = forged(scheme);
        for headers in &classes {
            assert_eq!(verifier.verify_at(headers, BODY, now).unwrap_err().code(), "signature_mismatch");
        }
        let times = measure(per_class, 0x9e37_79b9_7f4a_7c15, |class| {
            let result = verifier.verify_at(black_box(&classes[class]), black_box(BODY), now);
            black_box(result.is_err());
        });
        let report = analyse(&times);
        print(label, &report, per_class);
        if report.max.0.abs() > THRESHOLD {
            println!("  LEAK: the time depends on how much of the signature is right");
            ok = false;
        }
    }

    // Control: what the harness makes of a comparison that does leak.
    let secret = vec![0x5au8; 4096];
    let mut first_wrong = secret.clone();
    first_wrong[0] ^= 1;
    let mut last_wrong = secret.clone();
    last_wrong[4095] ^= 1;
    let candidates = [first_wrong, last_wrong];
    let times = measure(per_class, 0x2545_f491_4f6c_dd1d, |class| {
        black_box(black_box(&secret[..]) == black_box(&candidates[class][..]));
    });
    let report = analyse(&times);
    print("control: `==` on 4 KiB (leaks)", &report, per_class);
    if report.max.0.abs() <= THRESHOLD {
        println!("  the harness did not detect a known leak: it has no power on this machine, rerun");
        ok = false;
    }

    if ok {
        println!("\nno timing difference detected");
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
