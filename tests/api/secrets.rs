//! Secrets never leave: not in a response, not in a log line (debug level included).

use serde_json::{Value, json};

use crate::helpers::{ADMIN_PASSWORD, json_body};
use crate::process::ServerProcess;
use crate::receiver::{Receiver, always_ok};

#[actix_web::test]
async fn passwords_keys_tokens_secrets_and_message_bodies_stay_out_of_responses_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__LOG__JSON", "true"),
            ("WAMUX__LOG__LEVEL", "debug"),
            ("WAMUX__WEBHOOKS__TIMEOUT_MS", "500"),
        ],
    )
    .await;
    let receiver = Receiver::start(always_ok()).await;
    let mut responses: Vec<String> = Vec::new();
    let mut keep = |text: String| -> Value {
        let value = serde_json::from_str(&text).unwrap_or(Value::Null);
        responses.push(text);
        value
    };
    let client = reqwest::Client::new();
    let post = |path: &str, key: &str, body: Value| {
        client
            .post(format!("{}{path}", server.base))
            .header("x-api-key", key)
            .json(&body)
            .send()
    };

    let user_password = "user-secret-password-9";
    let created = post(
        "/api/admin/users",
        &server.key,
        json!({"email": "u@example.com", "password": user_password}),
    )
    .await
    .unwrap();
    let created = keep(created.text().await.unwrap());
    let user_key = created["apiKey"].as_str().unwrap().to_owned();
    let login = client
        .post(format!("{}/api/auth/login", server.base))
        .json(&json!({"email": "u@example.com", "password": user_password}))
        .send()
        .await
        .unwrap();
    let login = keep(login.text().await.unwrap());
    let token = login["token"].as_str().unwrap().to_owned();
    let wrong = client
        .post(format!("{}/api/auth/login", server.base))
        .json(&json!({"email": "u@example.com", "password": "wrong-password-guess"}))
        .send()
        .await
        .unwrap();
    keep(wrong.text().await.unwrap());

    let instance = post(
        "/api/instances",
        &user_key,
        json!({"name": "Secretive", "webhookUrl": receiver.url,
        "webhookSecret": "whsec-very-secret-1", "notifyReceived": true}),
    )
    .await
    .unwrap();
    let instance = keep(instance.text().await.unwrap());
    let id = instance["id"].as_str().unwrap().to_owned();
    let update = client
        .put(format!("{}/api/instances/{id}", server.base))
        .bearer_auth(&token)
        .json(&json!({"webhookSettings": {"secret": "whsec-very-secret-2"}}))
        .send()
        .await
        .unwrap();
    keep(update.text().await.unwrap());
    for path in [
        format!("/api/instances/{id}"),
        "/api/instances".to_owned(),
        format!("/api/instances/{id}/activity"),
        format!("/api/instances/{id}/webhooks/deliveries"),
    ] {
        let response = client
            .get(format!("{}{path}", server.base))
            .header("x-api-key", &user_key)
            .send()
            .await
            .unwrap();
        keep(response.text().await.unwrap());
    }
    server.wait_for_status(&id, "qr").await;
    let scan = post(
        &format!("/api/sim/instances/{id}/scan"),
        &user_key,
        json!({"phone": "79001111111"}),
    )
    .await
    .unwrap();
    keep(scan.text().await.unwrap());
    server.wait_for_status(&id, "connected").await;
    let sent = post(
        &format!("/api/whatsapp/{id}/send"),
        &user_key,
        json!({"phone": "79002222222", "message": "MSG-BODY-SECRET-42"}),
    )
    .await
    .unwrap();
    keep(sent.text().await.unwrap());
    let inbound = post(
        &format!("/api/sim/instances/{id}/inbound"),
        &user_key,
        json!({"from": "79003333333", "body": "INBOUND-BODY-SECRET-7"}),
    )
    .await
    .unwrap();
    keep(inbound.text().await.unwrap());
    receiver.wait_for_event("message_received").await;
    let rotated = post("/api/auth/api-key/rotate", &user_key, json!({}))
        .await
        .unwrap();
    let rotated = keep(rotated.text().await.unwrap());
    let new_key = rotated["apiKey"].as_str().unwrap().to_owned();
    let failing = post("/api/auth/api-key/rotate", "wmx_not-a-key", json!({}))
        .await
        .unwrap();
    keep(failing.text().await.unwrap());
    let status = json_body(
        client
            .get(format!("{}/health", server.base))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status["status"], "ok");
    let _ = server.terminate();

    for response in &responses {
        for secret in [
            user_password,
            ADMIN_PASSWORD,
            "wrong-password-guess",
            "whsec-very-secret-1",
            "whsec-very-secret-2",
        ] {
            assert!(
                !response.contains(secret),
                "a response carried {secret:?}: {response}"
            );
        }
    }
    let log = std::fs::read_to_string(dir.path().join("wamux.log")).unwrap();
    assert!(
        log.lines().count() > 10 && log.contains("http.target"),
        "too little was logged to prove anything: {log}"
    );
    assert!(
        log.lines().all(|l| l.starts_with('{')),
        "log.json is not JSON lines"
    );
    for secret in [
        user_password,
        ADMIN_PASSWORD,
        "wrong-password-guess",
        "whsec-very-secret-1",
        "whsec-very-secret-2",
        &user_key,
        &new_key,
        &server.key,
        &token,
        "MSG-BODY-SECRET-42",
        "INBOUND-BODY-SECRET-7",
    ] {
        assert!(!log.contains(secret), "the log carries {secret:?}");
    }
}
