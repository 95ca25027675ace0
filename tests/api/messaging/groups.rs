//! A message written in a group: the chat is the group, its author beside it,
//! in the history and in the webhook.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body, spawn_sim_app};
use crate::receiver::{Receiver, always_ok};

db_tests!(a_group_message_names_the_group_and_its_author);

const GROUP: &str = "120363000000000001@g.us";
const AUTHOR: &str = "79005554433";

async fn a_group_message_names_the_group_and_its_author(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let hook = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Member", "webhookUrl": hook.url, "webhookEnabled": true}),
        )
        .await;
    app.pair(&app.admin_key, &id, "79001111111", "Member").await;
    let inbound = |body: serde_json::Value| {
        app.as_admin(Method::POST, &format!("/api/sim/instances/{id}/inbound"))
            .json(&body)
            .send()
    };
    let response =
        inbound(json!({"from": AUTHOR, "group": GROUP, "body": "hello all", "pushName": "Ivan"}))
            .await
            .unwrap();
    let message_id = json_body(response).await["id"].as_str().unwrap().to_owned();

    let history = app.history(&app.admin_key, &id, GROUP).await;
    assert_eq!(history.len(), 1, "{history:?}");
    let row = &history[0];
    assert_eq!(row["remoteJid"], GROUP);
    assert_eq!(row["author"], format!("{AUTHOR}@s.whatsapp.net"));
    assert_eq!(row["content"], "hello all");
    let data = eventually("the group message's webhook", || async {
        hook.requests()
            .into_iter()
            .map(|r| r.json())
            .find(|body| body["event"] == "message_received")
            .map(|body| body["data"].clone())
    })
    .await;
    assert_eq!(data["messageId"], message_id);
    assert_eq!(data["from"], GROUP);
    assert_eq!(data["author"], format!("{AUTHOR}@s.whatsapp.net"));
    // The author's own chat holds nothing: the message belongs to the group.
    assert!(app.history(&app.admin_key, &id, AUTHOR).await.is_empty());

    // Read marks and reactions name the author, in the group.
    let read = app
        .as_admin(
            Method::POST,
            &format!("/api/whatsapp/{id}/chats/{GROUP}/read"),
        )
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(read).await, json!({"read": 1}));
    let reacted = app
        .as_admin(
            Method::POST,
            &format!("/api/whatsapp/{id}/messages/{message_id}/reaction"),
        )
        .json(&json!({"emoji": "👋"}))
        .send()
        .await
        .unwrap();
    assert_eq!(reacted.status(), 200);

    let not_a_group = inbound(json!({"from": AUTHOR, "group": "79001234567", "body": "x"}))
        .await
        .unwrap();
    assert_eq!(assert_error(not_a_group, 400).await, "validation_error");
}
