//! Bad sends get clear 4xx answers and store nothing.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{ALICE, BOB};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, fast_sim, spawn_app_with};

db_tests!(bad_sends_get_clear_4xx_and_store_nothing);

async fn bad_sends_get_clear_4xx_and_store_nothing(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.whatsapp.max_media_bytes = 10_000;
        s.whatsapp.allow_private_media_urls = false;
    })
    .await;
    let (alice, bob) = app.alice_and_bob().await;
    let send = |body: Value| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.with_key(
                &app.admin_key,
                Method::POST,
                &format!("/api/whatsapp/{alice}/send"),
            )
            .json(&body)
            .send()
            .await
            .unwrap()
        }
    };
    for (body, code) in [
        (
            json!({"phone": "call me maybe", "message": "x"}),
            "invalid_phone",
        ),
        (
            json!({"phone": "+7 900 12a", "message": "x"}),
            "invalid_phone",
        ),
        (json!({"phone": BOB}), "validation_error"),
        (json!({"message": "x"}), "validation_error"),
        (json!({"phone": BOB, "message": ""}), "validation_error"),
        (json!({"phone": BOB, "message": 5}), "validation_error"),
        (
            json!({"phone": BOB, "message": "x", "extra": 1}),
            "validation_error",
        ),
    ] {
        assert_eq!(
            assert_error(send(body.clone()).await, 400).await,
            code,
            "{body}"
        );
    }
    let ssrf = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "http://127.0.0.1:9/secret.png"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(ssrf, 400).await, "url_not_allowed");
    let metadata = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "http://169.254.169.254/latest/meta-data"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(metadata, 400).await, "url_not_allowed");
    let not_http = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "file:///etc/passwd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(not_http, 400).await, "validation_error");
    let big = Form::new()
        .text("phone", BOB)
        .part("file", Part::bytes(vec![7u8; 10_001]).file_name("big.bin"));
    let oversize = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(oversize, 413).await, "payload_too_large");
    let no_file = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .multipart(Form::new().text("phone", BOB))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(no_file, 400).await, "validation_error");
    let not_multipart = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .json(&json!({"phone": BOB}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_error(not_multipart, 415).await,
        "unsupported_media_type"
    );

    let unknown = app
        .send_text(&app.admin_key, "no-such-instance", BOB, "x")
        .await;
    assert_eq!(assert_error(unknown, 404).await, "instance_not_found");
    let stranger = app
        .create_user("s@example.com", "stranger-password", "user")
        .await;
    let foreign = app.send_text(&stranger.api_key, &alice, BOB, "x").await;
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");

    assert!(app.history(&app.admin_key, &alice, BOB).await.is_empty());
    assert!(app.history(&app.admin_key, &bob, ALICE).await.is_empty());
}
