//! Text sends: kept on both sides, not connected is 409, idempotent retries.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{ALICE, BOB, only_message};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body, spawn_sim_app};

db_tests!(
    text_between_two_instances_is_kept_on_both_sides_and_moves_to_read,
    a_send_to_an_instance_that_is_not_connected_is_409_and_stores_nothing,
    a_retried_send_with_the_same_idempotency_key_is_sent_once,
    a_person_named_by_lid_can_be_written_to_and_read_back
);

async fn a_person_named_by_lid_can_be_written_to_and_read_back(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, _) = app.alice_and_bob().await;
    let lid = "100000012345678@lid";
    let response = app.send_text(&app.admin_key, &alice, lid, "by lid").await;
    assert_eq!(response.status(), 200);
    let history = app.history(&app.admin_key, &alice, lid).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["remoteJid"], lid);
    assert_eq!(history[0]["content"], "by lid");
    assert!(history[0]["senderLid"].is_null(), "{history:?}");
    app.inbound(&app.admin_key, &alice, lid, "answer by lid")
        .await;
    let history = app.history(&app.admin_key, &alice, lid).await;
    let answer = history
        .iter()
        .find(|m| m["content"] == "answer by lid")
        .expect("the answer is kept");
    assert_eq!(answer["senderLid"], lid);
    let malformed = app
        .send_text(&app.admin_key, &alice, "1000x@lid", "x")
        .await;
    assert_eq!(assert_error(malformed, 400).await, "invalid_phone");
}

async fn text_between_two_instances_is_kept_on_both_sides_and_moves_to_read(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let response = app
        .send_text(
            &app.admin_key,
            &alice,
            &format!("+{BOB}"),
            "Hello! How are you?",
        )
        .await;
    assert_eq!(response.status(), 200);
    let sent = json_body(response).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(sent, json!({"id": id}));

    let received = only_message(&app, &bob, ALICE).await;
    assert_eq!(received["remoteJid"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(received["fromMe"], false);
    assert_eq!(received["content"], "Hello! How are you?");
    assert_eq!(received["messageId"], id.as_str());
    assert_eq!(received["messageType"], "text");
    assert_eq!(received["hasMedia"], false);
    assert_eq!(received["pushName"], "Alice");
    assert_eq!(received["status"], "received");
    assert_eq!(received["instanceId"], bob.as_str());

    let outgoing = only_message(&app, &alice, &format!("{BOB}@s.whatsapp.net")).await;
    assert_eq!(outgoing["fromMe"], true);
    assert_eq!(outgoing["messageId"], id.as_str());
    assert_eq!(outgoing["remoteJid"], format!("{BOB}@s.whatsapp.net"));
    app.eventually_mark_read(&bob, ALICE).await;
    let read = eventually("the read receipt", || async {
        let message = only_message(&app, &alice, BOB).await;
        (message["status"] == "read").then_some(message)
    })
    .await;
    assert_eq!(read["id"], outgoing["id"]);

    let bobs_contacts = app
        .get_json(&app.admin_key, &format!("/api/whatsapp/{bob}/contacts"))
        .await;
    assert_eq!(
        bobs_contacts["contacts"],
        json!([{"id": format!("{ALICE}@s.whatsapp.net"), "name": "Alice", "number": ALICE, "isGroup": false, "lid": null}])
    );
    let alices_contacts = app
        .get_json(&app.admin_key, &format!("/api/whatsapp/{alice}/contacts"))
        .await;
    assert_eq!(alices_contacts["contacts"][0]["number"], BOB);
}

async fn a_send_to_an_instance_that_is_not_connected_is_409_and_stores_nothing(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Waiting"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let response = app.send_text(&app.admin_key, &id, BOB, "hello?").await;
    assert_eq!(assert_error(response, 409).await, "instance_not_connected");
    let form = Form::new()
        .text("phone", BOB)
        .part("file", Part::bytes(b"data".to_vec()).file_name("a.txt"));
    let file = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{id}/send-file"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(file, 409).await, "instance_not_connected");
    assert!(app.history(&app.admin_key, &id, BOB).await.is_empty());
}

async fn a_retried_send_with_the_same_idempotency_key_is_sent_once(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let send = |key: &'static str, message: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.with_key(
                &app.admin_key,
                Method::POST,
                &format!("/api/whatsapp/{alice}/send"),
            )
            .header("Idempotency-Key", key)
            .json(&json!({"phone": BOB, "message": message}))
            .send()
            .await
            .unwrap()
        }
    };
    let first = send("order-42", "Your order shipped").await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = json_body(first).await;
    let retry = send("order-42", "Your order shipped").await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(json_body(retry).await, first);
    let at_bob = eventually("the message at Bob", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        (!history.is_empty()).then_some(history)
    })
    .await;
    assert_eq!(at_bob.len(), 1, "sent twice");
    assert_eq!(app.history(&app.admin_key, &alice, BOB).await.len(), 1);

    let reused = send("order-42", "Something else").await;
    assert_eq!(assert_error(reused, 422).await, "idempotency_key_reused");
    let other_key = send("order-43", "Your order shipped").await;
    assert_ne!(json_body(other_key).await, first);
    let bad_key = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send"),
        )
        .header("Idempotency-Key", "x".repeat(256))
        .json(&json!({"phone": BOB, "message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad_key, 400).await, "invalid_idempotency_key");
}
