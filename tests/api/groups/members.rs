//! Creating a group and changing its members and roles: each seen in the
//! other instances' webhooks and lists.

use reqwest::Method;
use serde_json::json;

use super::{
    ALICE, BOB, CAROL, alices_group, change_members, error_code, get, group_contact, groups, jid,
    listed, ok_json, results, trio,
};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(
    a_created_group_reaches_its_members_lists_contacts_and_webhooks,
    admins_change_members_and_roles_and_members_hear_of_it
);

async fn a_created_group_reaches_its_members_lists_contacts_and_webhooks(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let created = ok_json(
        groups(
            &app,
            &trio.alice.id,
            Method::POST,
            "",
            Some(
                json!({"subject": "Sales", "participants": [BOB, format!("+{CAROL}"), BOB],
                        "description": "Leads"}),
            ),
        )
        .await,
    )
    .await;
    let group = created["id"].as_str().unwrap().to_owned();
    assert!(
        group.starts_with("120363") && group.ends_with("@g.us"),
        "{group}"
    );
    assert_eq!(created["subject"], "Sales");
    assert_eq!(created["description"], "Leads");
    assert_eq!(created["owner"], jid(ALICE));
    assert_eq!(created["announce"], false);
    assert_eq!(created["locked"], false);
    assert!(created["createdAt"].as_str().unwrap().ends_with('Z'));
    let mut roles: Vec<(String, String)> = created["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            assert_eq!(p["id"], jid(p["phone"].as_str().unwrap()));
            (
                p["phone"].as_str().unwrap().to_owned(),
                p["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    roles.sort();
    assert_eq!(
        roles,
        [(ALICE, "superadmin"), (BOB, "member"), (CAROL, "member")]
            .map(|(p, r)| (p.to_owned(), r.to_owned()))
    );

    for (told, admin) in [
        (&trio.bob, false),
        (&trio.carol, false),
        (&trio.alice, true),
    ] {
        let data = told
            .hook
            .event_data("group_participants", |d| d["groupId"] == group)
            .await;
        assert_eq!(data["action"], "add");
        assert_eq!(data["by"], jid(ALICE));
        assert_eq!(
            data["participants"],
            json!([jid(BOB), jid(CAROL)]),
            "{data}"
        );
        assert_eq!(data["instanceId"], told.id);
        let entry = listed(&app, &told.id, &group, |e| e.is_some())
            .await
            .unwrap();
        assert_eq!(
            entry,
            json!({"id": group, "subject": "Sales", "participantsCount": 3, "isAdmin": admin})
        );
        let contact = group_contact(&app, &told.id, &group, "Sales").await;
        assert_eq!(contact["isGroup"], true);
    }
    // A retried creation with its Idempotency-Key is the first answer, not a second group.
    let create_once = |body: serde_json::Value| {
        app.as_admin(
            Method::POST,
            &format!("/api/whatsapp/{}/groups", trio.alice.id),
        )
        .header("Idempotency-Key", "create-team-1")
        .json(&body)
        .send()
    };
    let first = create_once(json!({"subject": "Once", "participants": [BOB]}))
        .await
        .unwrap();
    assert_eq!(first.status(), 201);
    let first = ok_json(first).await;
    let again = create_once(json!({"subject": "Once", "participants": [BOB]}))
        .await
        .unwrap();
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(ok_json(again).await, first);
    let other = create_once(json!({"subject": "Twice", "participants": [BOB]}))
        .await
        .unwrap();
    assert_eq!(error_code(other, 422).await, "idempotency_key_reused");
    let list = ok_json(groups(&app, &trio.alice.id, Method::GET, "", None).await).await;
    let named_once = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["subject"] == "Once")
        .count();
    assert_eq!(named_once, 1);

    // Read by a member, and by the short id (its digits).
    let digits = group.trim_end_matches("@g.us");
    let read = ok_json(
        groups(
            &app,
            &trio.carol.id,
            Method::GET,
            &format!("/{digits}"),
            None,
        )
        .await,
    )
    .await;
    assert_eq!(read, created);
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&trio.alice.hook, &trio.bob.hook, &trio.carol.hook],
    )
    .await;
}

async fn admins_change_members_and_roles_and_members_hear_of_it(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Team").await;

    // A member is no admin.
    let refused = change_members(&app, &trio.bob.id, &group, "remove", &[CAROL]).await;
    assert_eq!(error_code(refused, 403).await, "not_group_admin");

    let removed = ok_json(
        change_members(
            &app,
            &trio.alice.id,
            &group,
            "remove",
            &[CAROL, "79009999999"],
        )
        .await,
    )
    .await;
    assert_eq!(
        removed,
        results(&[(CAROL, "ok"), ("79009999999", "not_member")])
    );
    for told in [&trio.carol, &trio.bob] {
        let data = told
            .hook
            .event_data("group_participants", |d| d["action"] == "remove")
            .await;
        assert_eq!(data["participants"], json!([jid(CAROL)]));
        assert_eq!(data["by"], jid(ALICE));
    }
    listed(&app, &trio.carol.id, &group, |e| e.is_none()).await;
    let gone = get(&app, &trio.carol.id, &format!("/{group}")).await;
    assert_eq!(error_code(gone, 404).await, "group_not_found");
    let at_bob = listed(&app, &trio.bob.id, &group, |e| {
        e.is_some_and(|e| e["participantsCount"] == 2)
    })
    .await;
    assert_eq!(at_bob.unwrap()["isAdmin"], false);

    let promoted =
        ok_json(change_members(&app, &trio.alice.id, &group, "promote", &[BOB]).await).await;
    assert_eq!(promoted, results(&[(BOB, "ok")]));
    let data = trio
        .bob
        .hook
        .event_data("group_participants", |d| d["action"] == "promote")
        .await;
    assert_eq!(data["participants"], json!([jid(BOB)]));
    listed(&app, &trio.bob.id, &group, |e| {
        e.is_some_and(|e| e["isAdmin"] == true)
    })
    .await;

    // Bob, now an admin, adds Carol back; Carol is told who did.
    let added =
        ok_json(change_members(&app, &trio.bob.id, &group, "add", &[CAROL, ALICE]).await).await;
    assert_eq!(added, results(&[(CAROL, "ok"), (ALICE, "already_member")]));
    let data = trio
        .carol
        .hook
        .event_data("group_participants", |d| {
            d["action"] == "add" && d["by"] == jid(BOB)
        })
        .await;
    assert_eq!(data["participants"], json!([jid(CAROL)]));
    listed(&app, &trio.carol.id, &group, |e| e.is_some()).await;

    // The owner cannot be demoted; Bob can.
    let demoted =
        ok_json(change_members(&app, &trio.bob.id, &group, "demote", &[ALICE, BOB]).await).await;
    assert_eq!(demoted, results(&[(ALICE, "not_allowed"), (BOB, "ok")]));
    let data = trio
        .alice
        .hook
        .event_data("group_participants", |d| d["action"] == "demote")
        .await;
    assert_eq!(data["by"], jid(BOB));
    let group_now = ok_json(get(&app, &trio.alice.id, &format!("/{group}")).await).await;
    let roles = group_now["participants"].as_array().unwrap();
    let bob = roles.iter().find(|p| p["phone"] == BOB).unwrap();
    assert_eq!(bob["role"], "member");
    crate::webhooks::schemas::assert_deliveries_documented(
        &app,
        &[&trio.alice.hook, &trio.bob.hook, &trio.carol.hook],
    )
    .await;
}
