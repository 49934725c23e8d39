//! [`SignatureGuard`]: route requests by which provider signed them.
//!
//! A guard sees only the request head, never the body, so it **cannot
//! verify** anything: it only routes. A request that matches a guard is not
//! trusted until [`WebhookMiddleware`](crate::WebhookMiddleware) or an
//! extractor ([`Webhook<T>`](crate::Webhook), [`RawWebhook`](crate::RawWebhook))
//! has verified it; always put one of them behind the guard.

use actix_web::guard::{Guard, GuardContext};
use actix_web::http::header::HeaderName;
use hookproof_core::Scheme;

/// Matches requests that carry `scheme`'s signature header (under any of
/// its names); see [`SignatureGuard`].
pub fn scheme(scheme: &Scheme) -> SignatureGuard {
    SignatureGuard::new(scheme)
}

/// A [`Guard`] that matches requests carrying a scheme's signature header
/// (any alias, e.g. `webhook-signature` or `svix-signature`), so one path
/// can send each provider to its own handler.
///
/// It only looks for the header: the middleware or an extractor behind it
/// verifies (see the [module docs](self)).
///
/// ```
/// use actix_web::{web, App, HttpResponse};
/// use hookproof_actix::{guard, RawWebhook, WebhookMiddleware};
/// use hookproof_core::{presets, Verifier};
///
/// let github = Verifier::builder(presets::github()).secret("gh-secret").build()?;
/// let smile = Verifier::builder(presets::smile()).secret("smile-secret").build()?;
/// let app = App::new()
///     .service(
///         web::resource("/webhooks")
///             .guard(guard::scheme(github.scheme()))
///             .wrap(WebhookMiddleware::new(github))
///             .route(web::post().to(|_: RawWebhook| async { HttpResponse::Ok().body("github") })),
///     )
///     .service(
///         web::resource("/webhooks")
///             .guard(guard::scheme(smile.scheme()))
///             .wrap(WebhookMiddleware::new(smile))
///             .route(web::post().to(|_: RawWebhook| async { HttpResponse::Ok().body("smile") })),
///     );
/// # drop(app);
/// # Ok::<(), hookproof_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SignatureGuard {
    headers: Vec<HeaderName>,
}

impl SignatureGuard {
    /// Matches requests carrying any of `scheme`'s signature header names.
    pub fn new(scheme: &Scheme) -> Self {
        let headers = scheme
            .signature_headers()
            .iter()
            // A name actix cannot represent can never be present either.
            .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
            .collect();
        Self { headers }
    }
}

impl Guard for SignatureGuard {
    fn check(&self, ctx: &GuardContext<'_>) -> bool {
        let headers = ctx.head().headers();
        self.headers.iter().any(|name| headers.contains_key(name))
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use hookproof_core::presets;

    use super::*;

    #[test]
    fn matches_any_signature_header_alias() {
        let guard = scheme(&presets::standard_webhooks());
        let svix = TestRequest::default().insert_header(("svix-signature", "v1,x")).to_srv_request();
        let standard = TestRequest::default().insert_header(("Webhook-Signature", "v1,x")).to_srv_request();
        let github = TestRequest::default().insert_header(("X-Hub-Signature-256", "sha256=00")).to_srv_request();
        assert!(guard.check(&svix.guard_ctx()));
        assert!(guard.check(&standard.guard_ctx()));
        assert!(!guard.check(&github.guard_ctx()));
    }
}
