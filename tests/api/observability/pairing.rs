//! Pairing by phone number with a pairing code.

use reqwest::Method;
use serde_json::{Value, json};

use super::spawn_steady_qr_app;
use crate::db_tests;
use crate::helpers::{TestApp, TestDb, assert_error, eventually, json_body};

db_tests!(pairing_code_pairs_by_phone_number);

async fn request_code(app: &TestApp, id: &str, phone: Value) -> reqwest::Response {
    app.request_pairing_code(&app.admin_key, id, phone).await
}

async fn pairing_code_pairs_by_phone_number(db: TestDb) {
    let app = spawn_steady_qr_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "By phone"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;

    for bad in [
        json!("not a phone"),
        json!(""),
        json!("120363025246125486@g.us"),
    ] {
        let code = assert_error(request_code(&app, &id, bad.clone()).await, 400).await;
        assert_eq!(code, "invalid_phone", "{bad}");
    }
    let code = assert_error(
        app.with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/pairing-code"),
        )
        .json(&json!({"number": "79001234567"}))
        .send()
        .await
        .unwrap(),
        400,
    )
    .await;
    assert_eq!(
        code, "validation_error",
        "an unknown field is named, not ignored"
    );

    let response = request_code(&app, &id, json!("79001234567")).await;
    assert_eq!(response.status(), 200);
    let body = json_body(response).await;
    let pairing = body["pairingCode"].as_str().expect("pairingCode");
    let shape = pairing.len() == 9
        && pairing.as_bytes()[4] == b'-'
        && pairing
            .chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    assert!(shape, "ABCD-EFGH shape: {pairing}");
    let logged = eventually("the pairing_code activity", || async {
        app.activity(&app.admin_key, &id)
            .await
            .into_iter()
            .find(|log| log["action"] == "pairing_code")
    })
    .await;
    assert_eq!(logged["details"]["phone"], "79001234567");
    assert!(
        !logged.to_string().contains(pairing),
        "the code itself is not logged"
    );

    // Entering the code on the phone: the sim's scan stands in for it.
    app.pair(&app.admin_key, &id, "79001234567", "Ivan").await;
    let opened = app
        .activity(&app.admin_key, &id)
        .await
        .into_iter()
        .rfind(|log| log["action"] == "connection_opened")
        .expect("connection_opened logged");
    assert_eq!(
        opened["details"]["phone"], "79001234567",
        "linked to the number asked for"
    );

    let code = assert_error(request_code(&app, &id, json!("79001234567")).await, 409).await;
    assert_eq!(
        code, "instance_not_pairable",
        "a connected instance needs no code"
    );

    let stranger = app
        .create_user("eve@example.com", "correct horse battery", "user")
        .await;
    let response = app
        .request_pairing_code(&stranger.api_key, &id, json!("79001234567"))
        .await;
    assert_eq!(assert_error(response, 404).await, "instance_not_found");
}
