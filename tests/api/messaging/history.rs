//! Inbound messages, chat history, contacts, pagination and date filters.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB, only_message};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    inbound_messages_show_in_history_and_contacts,
    history_paginates_and_filters_by_date
);

async fn inbound_messages_show_in_history_and_contacts(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Inbox"}))
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/inbound"),
        )
        .json(&json!({"from": "+7 900 555-44-33", "body": "Привет 👋", "pushName": "Ivan Ivanov"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let message_id = json_body(response).await["id"].as_str().unwrap().to_owned();
    let message = only_message(&app, &id, "79005554433@s.whatsapp.net").await;
    assert_eq!(message["content"], "Привет 👋");
    assert_eq!(message["messageId"], message_id.as_str());
    assert_eq!(message["pushName"], "Ivan Ivanov");
    let contacts = app
        .get_json(&app.admin_key, &format!("/api/whatsapp/{id}/contacts"))
        .await;
    assert_eq!(
        contacts,
        json!({"contacts": [{"id": "79005554433@s.whatsapp.net", "name": "Ivan Ivanov", "number": "79005554433", "isGroup": false, "lid": null}]})
    );
}

async fn history_paginates_and_filters_by_date(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, _bob) = app.alice_and_bob().await;
    for n in 0..5 {
        let response = app
            .send_text(&app.admin_key, &alice, BOB, &format!("message {n}"))
            .await;
        assert_eq!(response.status(), 200);
    }
    let page = |query: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            let response = app
                .with_key(
                    &app.admin_key,
                    Method::GET,
                    &format!("/api/instances/{alice}/chats/{BOB}/messages?{query}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{query}");
            json_body(response).await
        }
    };
    let first = page("limit=2").await;
    let contents: Vec<_> = first["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, [json!("message 4"), json!("message 3")]);
    assert_eq!(
        first["pagination"],
        json!({"total": 5, "limit": 2, "skip": 0, "hasMore": true})
    );
    let last = page("limit=2&skip=4").await;
    assert_eq!(last["messages"][0]["content"], "message 0");
    assert_eq!(last["pagination"]["hasMore"], false);
    assert_eq!(page("").await["pagination"]["limit"], 50);
    assert_eq!(page("startDate=2999-01-01").await["pagination"]["total"], 0);
    assert_eq!(
        page("endDate=2000-01-01T00:00:00Z").await["pagination"]["total"],
        0
    );
    assert_eq!(
        page("startDate=2000-01-01&endDate=2999-01-01").await["pagination"]["total"],
        5
    );
    let full_jid = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{alice}/chats/{BOB}@s.whatsapp.net/messages"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(full_jid).await["pagination"]["total"], 5);
    for (query, code) in [
        ("limit=501", "validation_error"),
        ("limit=0", "validation_error"),
        ("skip=-1", "validation_error"),
        ("startDate=soon", "validation_error"),
        ("limit=x", "invalid_query"),
    ] {
        let response = app
            .with_key(
                &app.admin_key,
                Method::GET,
                &format!("/api/instances/{alice}/chats/{BOB}/messages?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 400).await, code, "{query}");
    }
    let bad_chat = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{alice}/chats/not-a-phone/messages"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad_chat, 400).await, "invalid_phone");
}
