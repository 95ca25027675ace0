//! Read marks, typing and online states, number checks, profiles and blocking
//! between two instances on the simulated network.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB, hooked_pair, jid, message, message_where, post, sent};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body, spawn_sim_app};

db_tests!(
    marking_a_chat_read_sends_read_receipts_to_the_sender,
    typing_and_online_states_reach_the_other_instance_that_asks_for_them,
    numbers_exist_when_an_instance_is_paired_to_them_and_profiles_show_the_push_name,
    a_blocked_sender_is_not_delivered_until_unblocked_across_a_restart,
    lids_are_looked_up_both_ways_unknown_ones_are_404_and_malformed_ones_400
);

async fn marking_a_chat_read_sends_read_receipts_to_the_sender(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({"notifyRead": true, "notifyDelivery": true})).await;
    let first = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "one"}),
    )
    .await;
    let second = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "two"}),
    )
    .await;
    message(&app, &pair.bob, ALICE, &second).await;
    // Delivered, not read: nobody read it yet.
    message_where(&app, &pair.alice, BOB, &first, |m| {
        m["status"] == "delivered"
    })
    .await;

    let read_path = format!("/api/whatsapp/{}/chats/{ALICE}/read", pair.bob);
    let response = post(&app, &read_path, json!({"messageIds": [first]})).await;
    assert_eq!(json_body(response).await, json!({"read": 1}));
    message_where(&app, &pair.alice, BOB, &first, |m| m["status"] == "read").await;
    let data = pair
        .alices_hook
        .event_data("message_status", |d| d["status"] == "read")
        .await;
    assert_eq!(data["messageId"], first);
    assert_eq!(
        message(&app, &pair.bob, ALICE, &first).await["status"],
        "read"
    );
    assert_eq!(
        message(&app, &pair.alice, BOB, &second).await["status"],
        "delivered"
    );

    // `{}`: every one not yet marked; then nothing is left.
    let response = post(&app, &read_path, json!({})).await;
    assert_eq!(json_body(response).await, json!({"read": 1}));
    message_where(&app, &pair.alice, BOB, &second, |m| m["status"] == "read").await;
    let response = post(&app, &read_path, json!({})).await;
    assert_eq!(json_body(response).await, json!({"read": 0}));
}

async fn typing_and_online_states_reach_the_other_instance_that_asks_for_them(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({"notifyPresence": true})).await;
    let shown = app
        .get_json(&app.admin_key, &format!("/api/instances/{}", pair.bob))
        .await;
    assert_eq!(shown["webhookSettings"]["notifyPresence"], true, "{shown}");
    let chat_path = format!("/api/whatsapp/{}/chats/{BOB}/presence", pair.alice);
    for state in ["composing", "recording", "paused"] {
        let response = post(&app, &chat_path, json!({ "state": state })).await;
        assert_eq!(json_body(response).await, json!({"success": true}));
        let data = pair
            .bobs_hook
            .event_data("presence", |d| d["state"] == state)
            .await;
        assert_eq!(
            data,
            json!({"instanceId": pair.bob, "chat": jid(ALICE), "from": jid(ALICE), "fromLid": null, "state": state})
        );
    }
    let response = post(
        &app,
        &format!("/api/whatsapp/{}/presence", pair.alice),
        json!({"state": "unavailable"}),
    )
    .await;
    assert_eq!(json_body(response).await, json!({"success": true}));
    pair.bobs_hook
        .event_data("presence", |d| d["state"] == "unavailable")
        .await;

    // Off by default: an instance that did not ask gets none.
    let quiet = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Quiet", "webhookUrl": pair.alices_hook.url, "webhookEnabled": true}),
        )
        .await;
    app.pair(&app.admin_key, &quiet, "79003333333", "Quiet")
        .await;
    let response = post(
        &app,
        &format!("/api/whatsapp/{}/chats/79003333333/presence", pair.bob),
        json!({"state": "composing"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let text = sent(
        &app,
        &pair.bob,
        "send",
        json!({"phone": "79003333333", "message": "hi"}),
    )
    .await;
    pair.alices_hook
        .event_data("message_received", |d| d["messageId"] == text)
        .await;
    let presence_for_quiet = pair
        .alices_hook
        .requests()
        .iter()
        .filter(|r| r.event() == "presence" && r.json()["data"]["instanceId"] == quiet)
        .count();
    assert_eq!(presence_for_quiet, 0);
    // The flag changes like the others.
    let response = app
        .as_admin(Method::PUT, &format!("/api/instances/{quiet}"))
        .json(&json!({"webhookSettings": {"notifyPresence": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let shown = app
        .get_json(&app.admin_key, &format!("/api/instances/{quiet}"))
        .await;
    assert_eq!(shown["webhookSettings"]["notifyPresence"], true);
    let bad = post(&app, &chat_path, json!({"state": "typing"})).await;
    assert_eq!(bad.status(), 400);
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&pair.alices_hook, &pair.bobs_hook],
    )
    .await;
}

async fn numbers_exist_when_an_instance_is_paired_to_them_and_profiles_show_the_push_name(
    db: TestDb,
) {
    let app = spawn_sim_app(db).await;
    let (alice, _) = app.alice_and_bob().await;
    let response = post(
        &app,
        &format!("/api/whatsapp/{alice}/check-numbers"),
        json!({"phones": [format!("+{BOB}"), "79009999999"]}),
    )
    .await;
    assert_eq!(
        json_body(response).await,
        json!({"results": [
            {"phone": BOB, "exists": true, "jid": jid(BOB)},
            {"phone": "79009999999", "exists": false, "jid": null}
        ]})
    );
    let profile = app
        .get_json(
            &app.admin_key,
            &format!("/api/whatsapp/{alice}/contacts/{BOB}/profile"),
        )
        .await;
    assert_eq!(
        profile,
        json!({"jid": jid(BOB), "name": "Bob", "about": null, "pictureUrl": null})
    );
    let stranger = app
        .get_json(
            &app.admin_key,
            &format!("/api/whatsapp/{alice}/contacts/79009999999/profile"),
        )
        .await;
    assert_eq!(stranger["name"], serde_json::Value::Null);
    let group = app
        .as_admin(
            Method::GET,
            &format!("/api/whatsapp/{alice}/contacts/1234567890-1616161616@g.us/profile"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(group, 400).await, "invalid_phone");
}

async fn a_blocked_sender_is_not_delivered_until_unblocked_across_a_restart(db: TestDb) {
    let mut app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let block_path = format!("/api/whatsapp/{bob}/contacts/{ALICE}/block");
    let response = app.as_admin(Method::PUT, &block_path).send().await.unwrap();
    assert_eq!(json_body(response).await, json!({"blocked": true}));

    app.restart().await;
    app.wait_for_status(&app.admin_key, &bob, "connected").await;
    app.wait_for_status(&app.admin_key, &alice, "connected")
        .await;
    let blocked = sent(
        &app,
        &alice,
        "send",
        json!({"phone": BOB, "message": "hello?"}),
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        app.history(&app.admin_key, &bob, ALICE).await.is_empty(),
        "a blocked sender got through"
    );
    assert_eq!(
        message(&app, &alice, BOB, &blocked).await["status"],
        "sent",
        "one tick, never delivered"
    );

    let response = app
        .as_admin(Method::DELETE, &block_path)
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(response).await, json!({"blocked": false}));
    let welcome = sent(
        &app,
        &alice,
        "send",
        json!({"phone": BOB, "message": "now?"}),
    )
    .await;
    message(&app, &bob, ALICE, &welcome).await;
    eventually("only the message after unblocking", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        (history.len() == 1).then_some(())
    })
    .await;
}

/// Every simulated account has a LID (`2` and its number padded to 15
/// digits): the lookups answer it both ways, and 404 for anyone else
/// (`docs/EXTENSIONS.md`, "People: phone numbers and LIDs").
async fn lids_are_looked_up_both_ways_unknown_ones_are_404_and_malformed_ones_400(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let get = |path: String| {
        let app = &app;
        async move {
            app.request(Method::GET, &path)
                .bearer_auth(&app.admin_token)
                .send()
                .await
                .unwrap()
        }
    };
    let base = format!("/api/whatsapp/{}", pair.alice);
    let bobs_lid = format!("2{BOB:0>15}@lid");
    let expected = json!({"lid": bobs_lid, "phone": BOB, "jid": jid(BOB)});
    for asked in [bobs_lid.as_str(), bobs_lid.trim_end_matches("@lid")] {
        let found = get(format!("{base}/lids/{asked}")).await;
        assert_eq!(json_body(found).await, expected, "{asked}");
    }
    let by_number = get(format!("{base}/lids?phone={BOB}")).await;
    assert_eq!(json_body(by_number).await, expected);

    for unknown in ["200000007000001", "2000079990000000@lid"] {
        let missing = get(format!("{base}/lids/{unknown}")).await;
        assert_eq!(
            assert_error(missing, 404).await,
            "lid_not_found",
            "{unknown}"
        );
    }
    for bad in ["abc", "12345678901234567890123", "200@s.whatsapp.net"] {
        let refused = get(format!("{base}/lids/{bad}")).await;
        assert_eq!(assert_error(refused, 400).await, "invalid_lid", "{bad}");
    }
    let unknown = get(format!("{base}/lids?phone=79990000000")).await;
    assert_eq!(assert_error(unknown, 404).await, "lid_not_found");
    let group = get(format!("{base}/lids?phone=120363000000000001@g.us")).await;
    assert_eq!(assert_error(group, 400).await, "invalid_phone");
    let nothing = get(format!("{base}/lids")).await;
    assert_eq!(nothing.status(), 400);
    let elsewhere = format!(
        "/api/whatsapp/{}/lids/200000007000001",
        uuid::Uuid::now_v7()
    );
    assert_eq!(
        assert_error(get(elsewhere).await, 404).await,
        "instance_not_found"
    );
}
