//! Which events go where: notify flags, changed settings, a webhook turned on later, refused URLs.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB, assert_signed, webhook};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, fast_sim, spawn_app_with, spawn_sim_app};
use crate::receiver::{Receiver, always_ok, distinct};

db_tests!(
    notify_flags_and_webhook_enabled_filter_events,
    changed_settings_apply_to_the_next_event,
    a_webhook_turned_on_later_gets_only_what_happens_after,
    webhook_urls_on_private_addresses_are_refused
);

async fn notify_flags_and_webhook_enabled_filter_events(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let off = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&receiver.url, json!({"notifyReceived": false, "notifySent": true, "notifyDelivery": false, "notifyRead": true})),
        )
        .await;
    let disabled = app
        .create_instance(
            &app.admin_key,
            webhook(&off.url, json!({"webhookEnabled": false})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    app.pair(&app.admin_key, &disabled, BOB, "Bob").await;
    app.send_text(&app.admin_key, &id, BOB, "one").await;
    app.eventually_mark_read(&disabled, ALICE).await;
    app.inbound(&app.admin_key, &id, "79005554433", "ignored")
        .await;
    let requests = receiver
        .wait_until("the read status", |r| {
            r.iter().any(|r| r.json()["data"]["status"] == "read")
        })
        .await;
    // Let anything else that would (wrongly) come arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = receiver.events();
    assert!(events.contains(&"message_sent".to_owned()));
    assert!(
        !events.contains(&"message_received".to_owned()),
        "{events:?}"
    );
    let statuses: Vec<_> = distinct(&receiver.requests())
        .iter()
        .filter(|r| r.event() == "message_status")
        .map(|r| r.json()["data"]["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("read")]);
    assert!(requests.iter().any(|r| r.event() == "connection_opened"));
    assert!(off.requests().is_empty(), "a disabled webhook was called");
}

async fn changed_settings_apply_to_the_next_event(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let first = Receiver::start(always_ok()).await;
    let second = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&first.url, json!({"webhookSecret": "one"})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    first.wait_for_event("connection_opened").await;
    let response = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": second.url, "webhookSettings": {"secret": "two", "notifyReceived": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let before = first.requests().len();
    app.inbound(&app.admin_key, &id, "79005554433", "after the change")
        .await;
    let request = second.wait_for_event("message_received").await;
    assert_signed(&request, "two");
    assert_eq!(first.requests().len(), before);

    app.with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookSettings": {"notifyReceived": false}}))
        .send()
        .await
        .unwrap();
    app.inbound(&app.admin_key, &id, "79005554433", "not wanted")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        second
            .events()
            .iter()
            .filter(|e| *e == "message_received")
            .count(),
        1
    );
}

async fn a_webhook_turned_on_later_gets_only_what_happens_after(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Quiet"}))
        .await;
    // qr_received and connection_opened happen with no webhook set.
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let response = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": receiver.url, "webhookEnabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.inbound(&app.admin_key, &id, "79005554433", "after the change")
        .await;
    receiver.wait_for_event("message_received").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.events(), ["message_received"]);
}

async fn webhook_urls_on_private_addresses_are_refused(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.webhooks.allow_private_targets = false;
    })
    .await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://169.254.169.254/",
        "http://[::1]/x",
        "http://10.0.0.8/hook",
        "http://localhost/hook",
    ] {
        let response = app
            .with_key(&app.admin_key, Method::POST, "/api/instances")
            .json(&json!({"name": "x", "webhookUrl": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "webhook_url_not_allowed",
            "{url}"
        );
    }
    let id = app
        .create_instance(
            &app.admin_key,
            json!({"name": "ok", "webhookUrl": "https://example.com/hook"}),
        )
        .await;
    let update = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": "http://192.168.1.1/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(update, 400).await, "webhook_url_not_allowed");
}
