//! Writing in a group: every other member's instance receives it with the
//! group as `from` and the writer as `author`; the groups outlive a restart.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB, CAROL, alices_group, groups, jid, listed, member, ok_json, trio};
use crate::db_tests;
use crate::helpers::{TestDb, eventually, json_body, spawn_sim_app};

db_tests!(
    a_group_message_reaches_every_other_member_with_its_author,
    groups_and_their_fan_out_outlive_a_restart,
    an_instance_that_turns_group_events_off_gets_none_but_still_the_messages
);

async fn sent_id(response: reqwest::Response) -> String {
    assert_eq!(response.status(), 200);
    json_body(response).await["id"].as_str().unwrap().to_owned()
}

async fn a_group_message_reaches_every_other_member_with_its_author(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Chat").await;
    let id = sent_id(
        app.send_text(&app.admin_key, &trio.alice.id, &group, "hello team")
            .await,
    )
    .await;
    for reader in [&trio.bob, &trio.carol] {
        let data = reader
            .hook
            .event_data("message_received", |d| d["messageId"] == id)
            .await;
        assert_eq!(data["from"], group);
        assert_eq!(data["author"], jid(ALICE));
        assert_eq!(data["body"], "hello team");
        let history = eventually("the group message in history", || async {
            let rows = app.history(&app.admin_key, &reader.id, &group).await;
            (!rows.is_empty()).then_some(rows)
        })
        .await;
        assert_eq!(history[0]["author"], jid(ALICE));
        assert_eq!(history[0]["remoteJid"], group);
    }
    // The writer's copy is delivered once a member's phone has it.
    eventually("the group message delivered", || async {
        let rows = app.history(&app.admin_key, &trio.alice.id, &group).await;
        rows.iter()
            .any(|m| m["messageId"] == id && m["status"] == "delivered")
            .then_some(())
    })
    .await;

    // Carol answers; Alice and Bob read it, by Carol.
    let reply = sent_id(
        app.send_text(&app.admin_key, &trio.carol.id, &group, "hi!")
            .await,
    )
    .await;
    for reader in [&trio.alice, &trio.bob] {
        let data = reader
            .hook
            .event_data("message_received", |d| d["messageId"] == reply)
            .await;
        assert_eq!(data["author"], jid(CAROL));
    }
    assert!(
        trio.carol
            .hook
            .requests()
            .iter()
            .all(|r| !(r.event() == "message_received" && r.json()["data"]["messageId"] == reply)),
        "the writer does not receive its own message"
    );

    // In an announce group, only admins write.
    let announce = groups(
        &app,
        &trio.alice.id,
        Method::PATCH,
        &format!("/{group}"),
        Some(json!({"announce": true})),
    )
    .await;
    assert_eq!(ok_json(announce).await["announce"], true);
    let refused = app
        .send_text(&app.admin_key, &trio.bob.id, &group, "may I?")
        .await;
    assert_eq!(
        crate::helpers::assert_error(refused, 403).await,
        "not_group_admin"
    );
    let by_admin = sent_id(
        app.send_text(&app.admin_key, &trio.alice.id, &group, "admins only")
            .await,
    )
    .await;
    trio.bob
        .hook
        .event_data("message_received", |d| d["messageId"] == by_admin)
        .await;
}

async fn groups_and_their_fan_out_outlive_a_restart(db: TestDb) {
    let mut app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Durable").await;
    app.restart().await;
    for member in [&trio.alice, &trio.bob, &trio.carol] {
        app.wait_for_status(&app.admin_key, &member.id, "connected")
            .await;
    }
    listed(&app, &trio.carol.id, &group, |e| {
        e.is_some_and(|e| e["participantsCount"] == 3)
    })
    .await;
    let id = sent_id(
        app.send_text(&app.admin_key, &trio.bob.id, &group, "after restart")
            .await,
    )
    .await;
    let data = trio
        .carol
        .hook
        .event_data("message_received", |d| d["messageId"] == id)
        .await;
    assert_eq!(data["author"], jid(BOB));
}

async fn an_instance_that_turns_group_events_off_gets_none_but_still_the_messages(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let alice = member(&app, "Alice", ALICE, json!({})).await;
    let quiet = member(&app, "Quiet", BOB, json!({"notifyGroups": false})).await;
    let shown = app
        .get_json(&app.admin_key, &format!("/api/instances/{}", quiet.id))
        .await;
    assert_eq!(shown["webhookSettings"]["notifyGroups"], false);
    assert_eq!(
        app.get_json(&app.admin_key, &format!("/api/instances/{}", alice.id))
            .await["webhookSettings"]["notifyGroups"],
        true
    );
    let created = groups(
        &app,
        &alice.id,
        Method::POST,
        "",
        Some(json!({"subject": "Q", "participants": [BOB]})),
    )
    .await;
    let group = ok_json(created).await["id"].as_str().unwrap().to_owned();
    alice
        .hook
        .event_data("group_participants", |d| d["groupId"] == group)
        .await;
    let renamed = groups(
        &app,
        &alice.id,
        Method::PATCH,
        &format!("/{group}"),
        Some(json!({"subject": "Q2"})),
    )
    .await;
    ok_json(renamed).await;
    alice
        .hook
        .event_data("group_updated", |d| d["subject"] == "Q2")
        .await;
    let id = sent_id(
        app.send_text(&app.admin_key, &alice.id, &group, "still heard")
            .await,
    )
    .await;
    quiet
        .hook
        .event_data("message_received", |d| d["messageId"] == id)
        .await;
    assert!(
        quiet.hook.events().iter().all(|e| !e.starts_with("group_")),
        "{:?}",
        quiet.hook.events()
    );
    // Turned on again, the next change is announced.
    let update = app
        .as_admin(Method::PUT, &format!("/api/instances/{}", quiet.id))
        .json(&json!({"webhookSettings": {"notifyGroups": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(update.status(), 200);
    ok_json(
        groups(
            &app,
            &alice.id,
            Method::PATCH,
            &format!("/{group}"),
            Some(json!({"subject": "Q3"})),
        )
        .await,
    )
    .await;
    let data = quiet
        .hook
        .event_data("group_updated", |d| d["subject"] == "Q3")
        .await;
    assert_eq!(data["by"], jid(ALICE));
}
