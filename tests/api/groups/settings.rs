//! Renaming a group and changing its description and settings: who may, and
//! what the members see.

use reqwest::Method;
use serde_json::json;

use super::{
    ALICE, BOB, alices_group, error_code, group_contact, groups, jid, listed, ok_json, trio,
};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(members_rename_a_group_until_it_is_locked_and_everyone_sees_the_new_name);

async fn members_rename_a_group_until_it_is_locked_and_everyone_sees_the_new_name(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Old name").await;
    let path = format!("/{group}");
    let patch = |instance: &str, body: serde_json::Value| {
        let (app, instance, path) = (&app, instance.to_owned(), path.clone());
        async move { groups(app, &instance, Method::PATCH, &path, Some(body)).await }
    };

    // Any member renames an unlocked group and describes it.
    let renamed = ok_json(
        patch(
            &trio.bob.id,
            json!({"subject": "New name", "description": "About us"}),
        )
        .await,
    )
    .await;
    assert_eq!(renamed["subject"], "New name");
    assert_eq!(renamed["description"], "About us");
    for told in [&trio.alice, &trio.carol, &trio.bob] {
        let data = told
            .hook
            .event_data("group_updated", |d| d.get("subject").is_some())
            .await;
        assert_eq!(
            data,
            json!({"instanceId": told.id, "groupId": group, "subject": "New name", "by": jid(BOB)})
        );
        let data = told
            .hook
            .event_data("group_updated", |d| d.get("description").is_some())
            .await;
        assert_eq!(data["description"], "About us");
        listed(&app, &told.id, &group, |e| {
            e.is_some_and(|e| e["subject"] == "New name")
        })
        .await;
        group_contact(&app, &told.id, &group, "New name").await;
    }

    // Settings are for admins; a locked group's name too.
    let refused = patch(&trio.bob.id, json!({"locked": true})).await;
    assert_eq!(error_code(refused, 403).await, "not_group_admin");
    let locked = ok_json(patch(&trio.alice.id, json!({"locked": true})).await).await;
    assert_eq!(locked["locked"], true);
    let data = trio
        .carol
        .hook
        .event_data("group_updated", |d| d.get("locked").is_some())
        .await;
    assert_eq!(
        data,
        json!({"instanceId": trio.carol.id, "groupId": group, "locked": true, "by": jid(ALICE)})
    );
    let refused = patch(&trio.bob.id, json!({"subject": "Bob's"})).await;
    assert_eq!(error_code(refused, 403).await, "not_group_admin");
    let unchanged = ok_json(groups(&app, &trio.bob.id, Method::GET, &path, None).await).await;
    assert_eq!(unchanged["subject"], "New name");

    // An empty description removes it; nothing given changes nothing.
    let cleared = ok_json(patch(&trio.alice.id, json!({"description": ""})).await).await;
    assert_eq!(cleared["description"], serde_json::Value::Null);
    let same = ok_json(patch(&trio.alice.id, json!({})).await).await;
    assert_eq!(same, cleared);
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&trio.alice.hook, &trio.bob.hook, &trio.carol.hook],
    )
    .await;
}
