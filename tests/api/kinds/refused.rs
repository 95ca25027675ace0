//! Bad input is a 400 naming the field and sends nothing; a disconnected
//! instance is a 409; a retried send with its key is sent once.

use reqwest::Method;
use serde_json::{Value, json};

use super::{ALICE, BOB, message, post, sent};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    bad_input_is_a_400_naming_the_field_and_sends_nothing,
    every_action_on_a_disconnected_instance_is_409,
    a_retried_poll_with_the_same_idempotency_key_is_sent_once
);

async fn refused(app: &crate::helpers::TestApp, path: &str, body: Value) -> (String, String) {
    let response = post(app, path, body).await;
    assert_eq!(response.status(), 400, "{path}");
    let body = json_body(response).await;
    (
        body["code"].as_str().unwrap().to_owned(),
        body["error"].as_str().unwrap().to_owned(),
    )
}

async fn bad_input_is_a_400_naming_the_field_and_sends_nothing(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let target = sent(&app, &alice, "send", json!({"phone": BOB, "message": "hi"})).await;
    message(&app, &bob, ALICE, &target).await;
    let route = |r: &str| format!("/api/whatsapp/{alice}/{r}");
    let many_cards: Vec<Value> = (0..11)
        .map(|_| json!({"name": "A", "phone": "79001234567"}))
        .collect();
    let thirteen: Vec<String> = (0..13).map(|i| format!("option {i}")).collect();
    let fifty_one: Vec<String> = (0..51).map(|i| format!("7900{i:07}")).collect();
    let cases: Vec<(String, Value, &str, &str)> = vec![
        (
            route("send-location"),
            json!({"phone": BOB, "latitude": 91, "longitude": 0}),
            "validation_error",
            "latitude",
        ),
        (
            route("send-location"),
            json!({"phone": BOB, "latitude": 0, "longitude": -180.5}),
            "validation_error",
            "longitude",
        ),
        (
            route("send-location"),
            json!({"phone": "12", "latitude": 0, "longitude": 0}),
            "invalid_phone",
            "phone",
        ),
        (
            route("send-contact"),
            json!({"phone": BOB, "contacts": []}),
            "validation_error",
            "contacts",
        ),
        (
            route("send-contact"),
            json!({"phone": BOB, "contacts": many_cards}),
            "validation_error",
            "contacts",
        ),
        (
            route("send-contact"),
            json!({"phone": BOB, "contacts": [{"name": " ", "phone": "79001234567"}]}),
            "validation_error",
            "name",
        ),
        (
            route("send-contact"),
            json!({"phone": BOB, "contacts": [{"name": "A", "phone": "12"}]}),
            "invalid_phone",
            "phone",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": ["only"]}),
            "validation_error",
            "options",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": thirteen}),
            "validation_error",
            "options",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": ["A", "A"]}),
            "validation_error",
            "options",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": ["A", "B"], "selectableCount": 3}),
            "validation_error",
            "selectableCount",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": ["A", "B"], "selectableCount": 0}),
            "validation_error",
            "selectableCount",
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "", "options": ["A", "B"]}),
            "validation_error",
            "question",
        ),
        (
            route("send"),
            json!({"phone": BOB, "message": ""}),
            "validation_error",
            "message",
        ),
        (
            route("send"),
            json!({"phone": BOB, "message": "x".repeat(65_537)}),
            "validation_error",
            "message",
        ),
        (
            route("send"),
            json!({"phone": BOB, "message": "x", "mentions": ["nope"]}),
            "invalid_phone",
            "phone",
        ),
        (
            route("send"),
            json!({"phone": BOB, "message": "x", "quotedMessageId": "bad id!"}),
            "validation_error",
            "quotedMessageId",
        ),
        (
            route(&format!("messages/{target}/reaction")),
            json!({"emoji": "ab"}),
            "validation_error",
            "emoji",
        ),
        (
            route(&format!("messages/{target}/reaction")),
            json!({"emoji": "👍👍"}),
            "validation_error",
            "emoji",
        ),
        (
            route("check-numbers"),
            json!({"phones": fifty_one}),
            "validation_error",
            "phones",
        ),
        (
            route("check-numbers"),
            json!({"phones": []}),
            "validation_error",
            "phones",
        ),
        (
            route("check-numbers"),
            json!({"phones": ["79001234567", "x"]}),
            "invalid_phone",
            "phones[1]",
        ),
        (
            route(&format!("chats/{BOB}/read")),
            json!({"messageIds": ["bad id!"]}),
            "validation_error",
            "messageIds",
        ),
    ];
    for (path, body, code, field) in cases {
        let (got, error) = refused(&app, &path, body.clone()).await;
        assert_eq!(got, code, "{path} {body}: {error}");
        assert!(
            error.contains(field),
            "{path}: `{error}` should name {field}"
        );
    }
    // A one-grapheme emoji with modifiers is one emoji.
    let family = post(
        &app,
        &route(&format!("messages/{target}/reaction")),
        json!({"emoji": "👨‍👩‍👧"}),
    )
    .await;
    assert_eq!(family.status(), 200);
    let history = app.history(&app.admin_key, &bob, ALICE).await;
    assert_eq!(history.len(), 1, "refused sends sent nothing: {history:?}");
}

async fn every_action_on_a_disconnected_instance_is_409(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let target = sent(&app, &alice, "send", json!({"phone": BOB, "message": "hi"})).await;
    message(&app, &bob, ALICE, &target).await;
    app.fault(&app.admin_key, &alice, "logout").await;
    app.wait_for_status(&app.admin_key, &alice, "logged_out")
        .await;
    let route = |r: &str| format!("/api/whatsapp/{alice}/{r}");
    let posts = [
        (
            route("send-location"),
            json!({"phone": BOB, "latitude": 1, "longitude": 2}),
        ),
        (
            route("send-contact"),
            json!({"phone": BOB, "contacts": [{"name": "A", "phone": "79001234567"}]}),
        ),
        (
            route("send-poll"),
            json!({"phone": BOB, "question": "Q", "options": ["A", "B"]}),
        ),
        (
            route(&format!("messages/{target}/reaction")),
            json!({"emoji": "👍"}),
        ),
        (route(&format!("chats/{BOB}/read")), json!({})),
        (
            route(&format!("chats/{BOB}/presence")),
            json!({"state": "composing"}),
        ),
        (route("presence"), json!({"state": "available"})),
        (route("check-numbers"), json!({"phones": [BOB]})),
    ];
    for (path, body) in posts {
        let response = post(&app, &path, body).await;
        assert_eq!(
            assert_error(response, 409).await,
            "instance_not_connected",
            "{path}"
        );
    }
    let message_path = route(&format!("messages/{target}"));
    let patch = app
        .as_admin(Method::PATCH, &message_path)
        .json(&json!({"message": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(patch, 409).await, "instance_not_connected");
    for (method, path) in [
        (Method::DELETE, message_path.clone()),
        (Method::GET, route(&format!("contacts/{BOB}/profile"))),
        (Method::PUT, route(&format!("contacts/{BOB}/block"))),
    ] {
        let response = app.as_admin(method, &path).send().await.unwrap();
        assert_eq!(
            assert_error(response, 409).await,
            "instance_not_connected",
            "{path}"
        );
    }
    let history = app.history(&app.admin_key, &alice, BOB).await;
    assert_eq!(history.len(), 1, "nothing was stored: {history:?}");
    assert_eq!(history[0]["revoked"], false);
}

async fn a_retried_poll_with_the_same_idempotency_key_is_sent_once(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let body = json!({"phone": BOB, "question": "Lunch?", "options": ["Yes", "No"]});
    let send = || {
        app.as_admin(Method::POST, &format!("/api/whatsapp/{alice}/send-poll"))
            .header("Idempotency-Key", "poll-1")
            .json(&body)
            .send()
    };
    let first = json_body(send().await.unwrap()).await;
    let again = send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json_body(again).await, first);
    let id = first["id"].as_str().unwrap();
    message(&app, &bob, ALICE, id).await;
    assert_eq!(app.history(&app.admin_key, &alice, BOB).await.len(), 1);
    let other = app
        .as_admin(Method::POST, &format!("/api/whatsapp/{alice}/send-poll"))
        .header("Idempotency-Key", "poll-1")
        .json(&json!({"phone": BOB, "question": "Dinner?", "options": ["Yes", "No"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(other, 422).await, "idempotency_key_reused");

    // A retried deletion with its key gets the first answer, not a 409 for
    // deleting what is already deleted.
    let delete = || {
        app.as_admin(
            Method::DELETE,
            &format!("/api/whatsapp/{alice}/messages/{id}"),
        )
        .header("Idempotency-Key", "delete-1")
        .send()
    };
    assert_eq!(
        json_body(delete().await.unwrap()).await,
        json!({"success": true})
    );
    let again = delete().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(json_body(again).await, json!({"success": true}));
    let without_key = app
        .as_admin(
            Method::DELETE,
            &format!("/api/whatsapp/{alice}/messages/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_error(without_key, 409).await,
        "message_not_deletable"
    );
}
