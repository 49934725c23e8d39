//! `use hookproof::*` leaves the framework crates reachable by their own
//! names: the adapters live under `hookproof::integrations`, so no glob
//! import shadows `tower`, `axum`, `actix` or `redis`. (When they were at
//! the root, `use tower::ServiceExt` below was an ambiguity error.)

#![cfg(all(feature = "axum", feature = "tower"))]

use hookproof::*;
use integrations::axum::RawWebhook;
use integrations::tower::WebhookLayer;
use tower::ServiceExt as _;

#[tokio::test]
async fn a_glob_import_shadows_no_framework_crate() {
    let verifier = Verifier::builder(presets::github()).secret("s3cret").build().unwrap();
    let app = axum::Router::new().route(
        "/webhooks",
        axum::routing::post(|webhook: RawWebhook| async move { webhook.body.len().to_string() })
            .route_layer(WebhookLayer::new(verifier)),
    );
    let body = r#"{"zen":"Keep it logically awesome."}"#;
    let mut request = http::Request::post("/webhooks").body(axum::body::Body::from(body)).unwrap();
    request.headers_mut().extend(Signer::new(presets::github(), "s3cret").unwrap().sign(body.as_bytes()));
    let response = app.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let answered = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
    assert_eq!(answered, body.len().to_string());
}
