//! Reactions, edits, deletions for everyone and poll votes: each changes the
//! message it points at on both sides (no new rows) and raises its event.

use reqwest::Method;
use serde_json::json;

use super::{ALICE, BOB, hooked_pair, jid, message, message_where, post, sent};
use crate::db_tests;
use crate::helpers::{TestApp, TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    reactions_change_the_message_on_both_sides_and_can_be_taken_back,
    edits_and_deletions_change_the_message_on_both_sides_and_only_the_author_may,
    votes_are_opened_and_counted_on_both_sides
);

async fn react(app: &TestApp, instance: &str, message_id: &str, emoji: &str) -> reqwest::Response {
    post(
        app,
        &format!("/api/whatsapp/{instance}/messages/{message_id}/reaction"),
        json!({ "emoji": emoji }),
    )
    .await
}

async fn reactions_change_the_message_on_both_sides_and_can_be_taken_back(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let id = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "Lunch?"}),
    )
    .await;
    message(&app, &pair.bob, ALICE, &id).await;

    let response = react(&app, &pair.bob, &id, "👍").await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await, json!({"id": id}));
    let liked = json!([{"from": jid(BOB), "emoji": "👍"}]);
    let on_alice = message_where(&app, &pair.alice, BOB, &id, |m| {
        m.get("reactions").is_some()
    })
    .await;
    assert_eq!(on_alice["reactions"], liked);
    assert_eq!(
        message(&app, &pair.bob, ALICE, &id).await["reactions"],
        liked
    );
    let data = pair
        .alices_hook
        .event_data("message_reaction", |d| d["emoji"] == "👍")
        .await;
    assert_eq!(
        data,
        json!({"instanceId": pair.alice, "messageId": id, "chat": jid(BOB), "from": jid(BOB),
               "fromLid": null, "emoji": "👍", "fromMe": false})
    );
    let own = pair
        .bobs_hook
        .event_data("message_reaction", |d| d["emoji"] == "👍")
        .await;
    assert_eq!(own["fromMe"], true);

    // Alice reacts to her own message too; then Bob takes his back.
    assert_eq!(react(&app, &pair.alice, &id, "❤️").await.status(), 200);
    assert_eq!(react(&app, &pair.bob, &id, "").await.status(), 200);
    let on_alice = message_where(&app, &pair.alice, BOB, &id, |m| {
        m["reactions"] == json!([{"from": jid(ALICE), "emoji": "❤️"}])
    })
    .await;
    assert_eq!(on_alice["content"], "Lunch?");
    pair.alices_hook
        .event_data("message_reaction", |d| d["emoji"] == "")
        .await;
    let history = app.history(&app.admin_key, &pair.alice, BOB).await;
    assert_eq!(
        history.len(),
        1,
        "reactions are no rows of their own: {history:?}"
    );
    let unknown = react(&app, &pair.bob, "3EB0000000000000000000", "👍").await;
    assert_eq!(assert_error(unknown, 404).await, "message_not_found");
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&pair.alices_hook, &pair.bobs_hook],
    )
    .await;
}

async fn edits_and_deletions_change_the_message_on_both_sides_and_only_the_author_may(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let id = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "See you at 12"}),
    )
    .await;
    message(&app, &pair.bob, ALICE, &id).await;
    let path = |instance: &str| format!("/api/whatsapp/{instance}/messages/{id}");

    let response = app
        .as_admin(Method::PATCH, &path(&pair.alice))
        .json(&json!({"message": "See you at 13"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await, json!({"id": id}));
    let on_bob = message_where(&app, &pair.bob, ALICE, &id, |m| {
        m["content"] == "See you at 13"
    })
    .await;
    assert!(on_bob["editedAt"].is_string(), "{on_bob}");
    let own = message(&app, &pair.alice, BOB, &id).await;
    assert_eq!(own["content"], "See you at 13");
    assert!(own["editedAt"].is_string());
    let data = pair.bobs_hook.event_data("message_edited", |_| true).await;
    assert_eq!(
        data,
        json!({"instanceId": pair.bob, "messageId": id, "chat": jid(ALICE), "from": jid(ALICE),
               "fromLid": null, "body": "See you at 13", "fromMe": false})
    );

    // Bob may neither edit nor delete what Alice wrote.
    let response = app
        .as_admin(Method::PATCH, &path(&pair.bob))
        .json(&json!({"message": "mine now"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 409).await, "message_not_editable");
    let response = app
        .as_admin(Method::DELETE, &path(&pair.bob))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 409).await, "message_not_deletable");

    let response = app
        .as_admin(Method::DELETE, &path(&pair.alice))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await, json!({"success": true}));
    let on_bob = message_where(&app, &pair.bob, ALICE, &id, |m| m["revoked"] == true).await;
    assert_eq!(on_bob["content"], "");
    let own = message(&app, &pair.alice, BOB, &id).await;
    assert_eq!(
        (&own["revoked"], &own["content"]),
        (&json!(true), &json!(""))
    );
    assert_eq!(
        app.history(&app.admin_key, &pair.bob, ALICE).await.len(),
        1,
        "the row keeps its place"
    );
    let data = pair.bobs_hook.event_data("message_deleted", |_| true).await;
    assert_eq!(
        data,
        json!({"instanceId": pair.bob, "messageId": id, "chat": jid(ALICE), "from": jid(ALICE), "fromLid": null, "fromMe": false})
    );
    // A deleted message is neither edited nor deleted again.
    let response = app
        .as_admin(Method::PATCH, &path(&pair.alice))
        .json(&json!({"message": "back"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 409).await, "message_not_editable");
    let response = app
        .as_admin(Method::DELETE, &path(&pair.alice))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(response, 409).await, "message_not_deletable");
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&pair.alices_hook, &pair.bobs_hook],
    )
    .await;
}

async fn votes_are_opened_and_counted_on_both_sides(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let poll = sent(
        &app,
        &pair.alice,
        "send-poll",
        json!({"phone": BOB, "question": "Lunch?", "options": ["Yes", "No"]}),
    )
    .await;
    message(&app, &pair.bob, ALICE, &poll).await;
    let vote = |instance: String, options: serde_json::Value| {
        let app = &app;
        let poll = poll.clone();
        async move {
            post(
                app,
                &format!("/api/whatsapp/{instance}/messages/{poll}/vote"),
                json!({ "options": options }),
            )
            .await
        }
    };
    let tally =
        |yes: u64, no: u64| json!([{"name": "Yes", "votes": yes}, {"name": "No", "votes": no}]);

    let response = vote(pair.bob.clone(), json!(["Yes"])).await;
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await, json!({"id": poll}));
    message_where(&app, &pair.alice, BOB, &poll, |m| {
        m["poll"]["options"] == tally(1, 0)
    })
    .await;
    assert_eq!(
        message(&app, &pair.bob, ALICE, &poll).await["poll"]["options"],
        tally(1, 0)
    );
    let data = pair.alices_hook.event_data("poll_vote", |_| true).await;
    assert_eq!(
        data,
        json!({"instanceId": pair.alice, "messageId": poll, "chat": jid(BOB), "voter": jid(BOB), "options": ["Yes"]})
    );

    // A later vote replaces the earlier; the asker votes in her own poll.
    assert_eq!(vote(pair.bob.clone(), json!(["No"])).await.status(), 200);
    assert_eq!(vote(pair.alice.clone(), json!(["No"])).await.status(), 200);
    message_where(&app, &pair.alice, BOB, &poll, |m| {
        m["poll"]["options"] == tally(0, 2)
    })
    .await;
    message_where(&app, &pair.bob, ALICE, &poll, |m| {
        m["poll"]["options"] == tally(0, 2)
    })
    .await;

    for (options, why) in [
        (json!(["Maybe"]), "not an option"),
        (json!(["Yes", "No"]), "more than selectableCount"),
        (json!(["Yes", "Yes"]), "twice"),
    ] {
        let response = vote(pair.bob.clone(), options).await;
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{why}"
        );
    }
    let text = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "not a poll"}),
    )
    .await;
    let response = post(
        &app,
        &format!("/api/whatsapp/{}/messages/{text}/vote", pair.alice),
        json!({"options": ["Yes"]}),
    )
    .await;
    assert_eq!(assert_error(response, 400).await, "validation_error");
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&pair.alices_hook, &pair.bobs_hook],
    )
    .await;
}
