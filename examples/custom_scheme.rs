//! A provider hookproof has no preset for, described as data.
//!
//! "Acme" sends `X-Acme-Signature: sha512=<hex>` over `<X-Acme-Timestamp>:<body>`
//! and `X-Acme-Delivery` as the event id. Run: `cargo run --example custom_scheme`.

use std::time::{Duration, SystemTime};

use hookproof::{Algorithm, Encoding, Part, Scheme, SignatureFormat, Signer, Verifier};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let acme = Scheme::builder("acme")
        .algorithm(Algorithm::HmacSha512)
        .signed_content([Part::Timestamp, Part::literal(":"), Part::Body])
        .signature_header("X-Acme-Signature")
        .format(SignatureFormat::Prefixed("sha512=".into()))
        .encoding(Encoding::Hex)
        .timestamp_header("X-Acme-Timestamp")
        .id_header("X-Acme-Delivery")
        .tolerance(Duration::from_secs(120))
        .body_limit(256 * 1024)
        .build()?;

    let verifier = Verifier::builder(acme.clone()).secret("acme-secret").build()?;
    let body = br#"{"order":1234,"status":"shipped"}"#;
    let headers = Signer::new(acme, "acme-secret")?.sign_at(body, SystemTime::now(), Some("dlv_1"));
    for (name, value) in &headers {
        println!("{name}: {}", value.to_str()?);
    }

    let verified = verifier.verify(&headers, body)?;
    println!("verified {:?} sent at {:?}", verified.id(), verified.timestamp());

    let tampered = br#"{"order":1234,"status":"refunded"}"#;
    let error = verifier.verify(&headers, tampered).unwrap_err();
    println!("tampered body: {} {}", error.status(), error.code());
    Ok(())
}
