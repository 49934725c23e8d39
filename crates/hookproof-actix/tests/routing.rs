//! The guard routes providers on one path; middleware and extractors share
//! one verification; configuration mistakes are a 500, not a panic.

use std::sync::atomic::{AtomicUsize, Ordering};

use actix_web::{test, web, App, HttpResponse};
use hookproof_actix::{guard, RawWebhook, Webhook, WebhookMiddleware};
use hookproof_core::{presets, Scheme, Signer, Verified, Verifier};
use serde_json::Value;

const BODY: &str = r#"{"account_id":1,"topic":"customer/updated","data":{"id":7}}"#;

fn signed(scheme: Scheme, secret: &str, body: &str) -> test::TestRequest {
    let mut request = test::TestRequest::post()
        .uri("/webhooks")
        .insert_header(actix_web::http::header::ContentType::json())
        .set_payload(body.to_owned());
    for (name, value) in &Signer::new(scheme, secret).unwrap().sign(body.as_bytes()) {
        request = request.insert_header((name.as_str(), value.to_str().unwrap()));
    }
    request
}

fn verifier(scheme: Scheme, secret: &str) -> Verifier {
    Verifier::builder(scheme).secret(secret).build().unwrap()
}

const GITHUB: &str = "gh-secret";
const SMILE: &str = "smile-secret";
const STANDARD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[actix_web::test]
async fn guard_routes_each_provider_on_one_path_to_its_handler() {
    let github = verifier(presets::github(), GITHUB);
    let smile = verifier(presets::smile(), SMILE);
    let standard = verifier(presets::standard_webhooks(), STANDARD);
    let app = test::init_service(
        App::new()
            .service(
                web::resource("/webhooks")
                    .guard(guard::scheme(github.scheme()))
                    .wrap(WebhookMiddleware::new(github))
                    .route(web::post().to(|hook: RawWebhook| async move {
                        HttpResponse::Ok().body(format!("github {}", hook.verified.scheme()))
                    })),
            )
            .service(
                // Extractor alone, verifier in the resource's app_data.
                web::resource("/webhooks").guard(guard::scheme(smile.scheme())).app_data(web::Data::new(smile)).route(
                    web::post().to(|hook: RawWebhook| async move {
                        HttpResponse::Ok().body(format!("smile {}", hook.verified.scheme()))
                    }),
                ),
            )
            .service(
                web::resource("/webhooks")
                    .guard(guard::scheme(standard.scheme()))
                    .wrap(WebhookMiddleware::new(standard))
                    .route(web::post().to(|hook: RawWebhook| async move {
                        HttpResponse::Ok().body(format!("standard {}", hook.verified.scheme()))
                    })),
            ),
    )
    .await;

    let routed = [
        (signed(presets::github(), GITHUB, BODY), "github github"),
        (signed(presets::smile(), SMILE, BODY), "smile smile"),
        (signed(presets::standard_webhooks(), STANDARD, BODY), "standard standard-webhooks"),
    ];
    for (request, expected) in routed {
        let response = test::call_service(&app, request.to_request()).await;
        assert_eq!(response.status(), 200, "{expected}");
        assert_eq!(test::read_body(response).await, expected);
    }

    // The `svix-*` aliases reach the standard-webhooks handler too.
    let mut svix = test::TestRequest::post().uri("/webhooks").set_payload(BODY);
    for (name, value) in &Signer::new(presets::standard_webhooks(), STANDARD).unwrap().sign(BODY.as_bytes()) {
        let name = name.as_str().replace("webhook-", "svix-");
        svix = svix.insert_header((name, value.to_str().unwrap()));
    }
    let response = test::call_service(&app, svix.to_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, "standard standard-webhooks");

    // The guard only routes: a Smile-shaped request with a bad signature is
    // routed to the Smile handler's extractor, which refuses it.
    let forged = signed(presets::smile(), "wrong", BODY).to_request();
    let response = test::call_service(&app, forged).await;
    assert_eq!(response.status(), 401);
    let error: Value = test::read_body_json(response).await;
    assert_eq!(error["error"], "signature_mismatch");

    // No provider's signature header: no route.
    let unsigned = test::TestRequest::post().uri("/webhooks").set_payload(BODY).to_request();
    assert_eq!(test::call_service(&app, unsigned).await.status(), 404);
}

#[actix_web::test]
async fn extractor_reuses_the_middleware_result_without_verifying_again() {
    let runs = web::Data::new(AtomicUsize::new(0));
    // The middleware verifies with the right secret; the app_data verifier
    // has a wrong one, so a second verification would answer 401, and a
    // missing one 500.
    for app_data_verifier in [Some(verifier(presets::smile(), "wrong-secret")), None] {
        let mut resource = web::resource("/webhooks")
            .wrap(WebhookMiddleware::new(verifier(presets::smile(), SMILE)))
            .route(web::post().to(
                |hook: Webhook<Value>,
                 raw: RawWebhook,
                 from_middleware: web::ReqData<Verified>,
                 runs: web::Data<AtomicUsize>| async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    assert_eq!(hook.verified, *from_middleware);
                    assert_eq!(raw.body, BODY);
                    HttpResponse::Ok().body(hook.event["topic"].as_str().unwrap().to_owned())
                },
            ));
        if let Some(wrong) = app_data_verifier {
            resource = resource.app_data(web::Data::new(wrong));
        }
        let app = test::init_service(App::new().app_data(runs.clone()).service(resource)).await;
        let response = test::call_service(&app, signed(presets::smile(), SMILE, BODY).to_request()).await;
        assert_eq!(response.status(), 200);
        assert_eq!(test::read_body(response).await, "customer/updated");
    }
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[actix_web::test]
async fn middleware_hands_plain_extractors_the_payload_intact() {
    #[derive(serde::Deserialize)]
    struct Envelope {
        topic: String,
    }
    let app = test::init_service(
        App::new()
            .wrap(WebhookMiddleware::new(verifier(presets::smile(), SMILE)))
            .route("/webhooks", web::post().to(|json: web::Json<Envelope>| async move { json.into_inner().topic }))
            .route("/text", web::post().to(|text: String| async move { text })),
    )
    .await;
    let response = test::call_service(&app, signed(presets::smile(), SMILE, BODY).to_request()).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, "customer/updated");

    let request = signed(presets::smile(), SMILE, BODY).uri("/text").to_request();
    let response = test::call_service(&app, request).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, BODY);
}

#[actix_web::test]
async fn extractor_without_a_verifier_is_a_500_not_a_panic() {
    let runs = web::Data::new(AtomicUsize::new(0));
    let app = test::init_service(App::new().app_data(runs.clone()).route(
        "/webhooks",
        web::post().to(|_: Webhook<Value>, runs: web::Data<AtomicUsize>| async move {
            runs.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Ok().finish()
        }),
    ))
    .await;
    let response = test::call_service(&app, signed(presets::smile(), SMILE, BODY).to_request()).await;
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers().get("content-type").unwrap(), "application/json");
    let error: Value = test::read_body_json(response).await;
    assert_eq!(error["error"], hookproof_actix::MISSING_VERIFIER_CODE);
    assert_eq!(runs.load(Ordering::SeqCst), 0);
}

#[actix_web::test]
async fn a_second_extractor_reports_a_refusal_without_hanging() {
    // Extractor alone, two extractors, refused delivery: the handler fails
    // with the first extractor's reason.
    let app =
        test::init_service(App::new().app_data(web::Data::new(verifier(presets::github(), GITHUB))).route(
            "/webhooks",
            web::post().to(|_: RawWebhook, _: Webhook<Value>| async { HttpResponse::Ok().finish() }),
        ))
        .await;
    let response = test::call_service(&app, signed(presets::github(), "wrong", BODY).to_request()).await;
    assert_eq!(response.status(), 401);
    let error: Value = test::read_body_json(response).await;
    assert_eq!(error["error"], "signature_mismatch");
}

#[actix_web::test]
async fn alone_the_extractor_verifies_url_signed_twilio_forms_against_the_public_url() {
    // Twilio's documented example: the URL it called, the form, the signature.
    let form = "CallSid=CA1234567890ABCDE&Caller=%2B14158675310&Digits=1234&From=%2B14158675310&To=%2B18005551212";
    let public_url = |url: &str| Verifier::builder(presets::twilio()).secret("12345").public_url(url).build().unwrap();
    let app =
        |verifier: Verifier| {
            test::init_service(App::new().app_data(web::Data::new(verifier)).route(
                "/webhooks",
                web::post().to(|hook: RawWebhook| async move { HttpResponse::Ok().body(hook.body) }),
            ))
        };
    let request = |body: &str| {
        test::TestRequest::post()
            .uri("/webhooks")
            .insert_header(("x-twilio-signature", "L/OH5YylLD5NRKLltdqwSvS0BnU="))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(body.to_owned())
            .to_request()
    };
    let twilio = app(public_url("https://example.com/myapp.php?foo=1&bar=2")).await;
    let response = test::call_service(&twilio, request(form)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(test::read_body(response).await, form);
    let tampered = form.replace("Digits=1234", "Digits=1235");
    assert_eq!(test::call_service(&twilio, request(&tampered)).await.status(), 401);
    let elsewhere = app(public_url("https://example.com/myapp.php?foo=1&bar=3")).await;
    assert_eq!(test::call_service(&elsewhere, request(form)).await.status(), 401);
}
