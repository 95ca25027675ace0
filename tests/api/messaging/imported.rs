//! A history sync on linking: the phone's earlier chats land in the history
//! (when `whatsapp.history_sync` is on) without a webhook for any of them.

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, eventually, fast_sim, spawn_app_with, spawn_sim_app};
use crate::receiver::{Receiver, always_ok};

db_tests!(
    a_history_sync_on_linking_lands_in_the_history_without_webhooks,
    with_history_sync_off_nothing_earlier_is_imported
);

const IVAN: &str = "79005554433";

/// Links the instance with a phone that already talked to Ivan.
async fn link_with_history(app: &TestApp, id: &str) {
    app.wait_for_status(&app.admin_key, id, "qr").await;
    let history = json!([
        {"chat": IVAN, "body": "old question", "timestamp": 1_700_000_000, "pushName": "Ivan"},
        {"chat": IVAN, "body": "old answer", "timestamp": 1_700_000_060, "fromMe": true},
    ]);
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/scan"),
        )
        .json(&json!({"phone": "79001111111", "pushName": "Alice", "history": history}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.wait_for_status(&app.admin_key, id, "connected").await;
}

async fn hooked(app: &TestApp, receiver: &Receiver) -> String {
    app.create_instance(
        &app.admin_key,
        json!({"name": "Linked", "webhookUrl": receiver.url, "webhookEnabled": true,
               "notifyReceived": true, "notifySent": true}),
    )
    .await
}

/// Ivan writes live; returns once its webhook arrived, so that any webhook
/// for the imported messages would have arrived before it.
async fn live_message(app: &TestApp, receiver: &Receiver, id: &str) -> Vec<Value> {
    let live = app.inbound(&app.admin_key, id, IVAN, "new message").await;
    receiver
        .wait_until("the live message's webhook", |r| {
            r.iter()
                .any(|r| r.json()["data"]["messageId"] == live.as_str())
        })
        .await
        .iter()
        .filter(|r| r.event().starts_with("message_"))
        .map(|r| r.json()["data"].clone())
        .collect()
}

async fn a_history_sync_on_linking_lands_in_the_history_without_webhooks(db: TestDb) {
    let app = spawn_app_with(db, |settings| {
        fast_sim(settings);
        settings.whatsapp.history_sync = true;
    })
    .await;
    let receiver = Receiver::start(always_ok()).await;
    let id = hooked(&app, &receiver).await;
    link_with_history(&app, &id).await;
    let chat = format!("{IVAN}@s.whatsapp.net");
    let imported = eventually("the imported history", || async {
        let history = app.history(&app.admin_key, &id, &chat).await;
        (history.len() == 2).then_some(history)
    })
    .await;
    // Newest first, at the times they were written, on the right sides.
    assert_eq!(imported[0]["content"], "old answer");
    assert_eq!(imported[0]["fromMe"], true);
    assert_eq!(imported[0]["createdAt"], "2023-11-14T22:14:20.000Z");
    assert_eq!(imported[1]["content"], "old question");
    assert_eq!(imported[1]["fromMe"], false);
    assert_eq!(imported[1]["pushName"], "Ivan");
    let contacts = app
        .get_json(&app.admin_key, &format!("/api/whatsapp/{id}/contacts"))
        .await;
    assert_eq!(contacts["contacts"][0]["name"], "Ivan");
    let activity = app.activity(&app.admin_key, &id).await;
    let entry = activity
        .iter()
        .find(|a| a["action"] == "history_imported")
        .expect("a history_imported entry");
    assert_eq!(entry["details"]["messages"], 2);

    let announced = live_message(&app, &receiver, &id).await;
    assert_eq!(
        announced.len(),
        1,
        "only the live message is announced: {announced:?}"
    );
    assert_eq!(announced[0]["body"], "new message");
}

async fn with_history_sync_off_nothing_earlier_is_imported(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = hooked(&app, &receiver).await;
    link_with_history(&app, &id).await;
    live_message(&app, &receiver, &id).await;
    let history = app
        .history(&app.admin_key, &id, &format!("{IVAN}@s.whatsapp.net"))
        .await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["content"], "new message");
    let activity = app.activity(&app.admin_key, &id).await;
    assert!(!activity.iter().any(|a| a["action"] == "history_imported"));
}
