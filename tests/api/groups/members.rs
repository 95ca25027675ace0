//! Creating a group, changing its members and roles, inviting, joining and
//! leaving: each seen in the other instances' webhooks and lists.

use reqwest::Method;
use serde_json::json;

use super::{
    ALICE, BOB, CAROL, alices_group, error_code, group_contact, group_event, groups, jid, listed,
    ok_json, trio,
};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(
    a_created_group_reaches_its_members_lists_contacts_and_webhooks,
    admins_change_members_and_roles_and_members_hear_of_it,
    an_invite_link_lets_people_join_until_it_is_reset,
    leaving_a_group_takes_it_off_the_list_and_tells_the_others
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
        let data = group_event(&told.hook, "group_participants", |d| d["groupId"] == group).await;
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
}

async fn admins_change_members_and_roles_and_members_hear_of_it(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Team").await;
    let participants = |instance: &str, body: serde_json::Value| {
        let app = &app;
        let instance = instance.to_owned();
        let path = format!("/{group}/participants");
        async move { groups(app, &instance, Method::POST, &path, Some(body)).await }
    };

    // A member is no admin.
    let refused = participants(
        &trio.bob.id,
        json!({"action": "remove", "participants": [CAROL]}),
    );
    assert_eq!(error_code(refused.await, 403).await, "not_group_admin");

    let removed = ok_json(
        participants(
            &trio.alice.id,
            json!({"action": "remove", "participants": [CAROL, "79009999999"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        removed,
        json!({"results": [{"phone": CAROL, "status": "ok"}, {"phone": "79009999999", "status": "not_member"}]})
    );
    for told in [&trio.carol, &trio.bob] {
        let data = group_event(&told.hook, "group_participants", |d| {
            d["action"] == "remove"
        })
        .await;
        assert_eq!(data["participants"], json!([jid(CAROL)]));
        assert_eq!(data["by"], jid(ALICE));
    }
    listed(&app, &trio.carol.id, &group, |e| e.is_none()).await;
    let gone = groups(
        &app,
        &trio.carol.id,
        Method::GET,
        &format!("/{group}"),
        None,
    )
    .await;
    assert_eq!(error_code(gone, 404).await, "group_not_found");
    assert_eq!(
        listed(&app, &trio.bob.id, &group, |e| e
            .is_some_and(|e| e["participantsCount"] == 2))
        .await
        .unwrap()["isAdmin"],
        false
    );

    let promoted = ok_json(
        participants(
            &trio.alice.id,
            json!({"action": "promote", "participants": [BOB]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        promoted,
        json!({"results": [{"phone": BOB, "status": "ok"}]})
    );
    let data = group_event(&trio.bob.hook, "group_participants", |d| {
        d["action"] == "promote"
    })
    .await;
    assert_eq!(data["participants"], json!([jid(BOB)]));
    listed(&app, &trio.bob.id, &group, |e| {
        e.is_some_and(|e| e["isAdmin"] == true)
    })
    .await;

    // Bob, now an admin, adds Carol back; Carol is told who did.
    let added = ok_json(
        participants(
            &trio.bob.id,
            json!({"action": "add", "participants": [CAROL, ALICE]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        added,
        json!({"results": [{"phone": CAROL, "status": "ok"}, {"phone": ALICE, "status": "already_member"}]})
    );
    let data = group_event(&trio.carol.hook, "group_participants", |d| {
        d["action"] == "add" && d["by"] == jid(BOB)
    })
    .await;
    assert_eq!(data["participants"], json!([jid(CAROL)]));
    listed(&app, &trio.carol.id, &group, |e| e.is_some()).await;

    // The owner cannot be demoted; Bob can.
    let demoted = ok_json(
        participants(
            &trio.bob.id,
            json!({"action": "demote", "participants": [ALICE, BOB]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        demoted,
        json!({"results": [{"phone": ALICE, "status": "not_allowed"}, {"phone": BOB, "status": "ok"}]})
    );
    let data = group_event(&trio.alice.hook, "group_participants", |d| {
        d["action"] == "demote"
    })
    .await;
    assert_eq!(data["by"], jid(BOB));
    let group_now = ok_json(
        groups(
            &app,
            &trio.alice.id,
            Method::GET,
            &format!("/{group}"),
            None,
        )
        .await,
    )
    .await;
    let bob = group_now["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phone"] == BOB)
        .unwrap()
        .clone();
    assert_eq!(bob["role"], "member");
}

async fn an_invite_link_lets_people_join_until_it_is_reset(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let created = groups(
        &app,
        &trio.alice.id,
        Method::POST,
        "",
        Some(json!({"subject": "Open", "participants": [BOB]})),
    )
    .await;
    let group = ok_json(created).await["id"].as_str().unwrap().to_owned();
    let invite_path = format!("/{group}/invite");

    let refused = groups(&app, &trio.bob.id, Method::GET, &invite_path, None).await;
    assert_eq!(error_code(refused, 403).await, "not_group_admin");
    let invite = ok_json(groups(&app, &trio.alice.id, Method::GET, &invite_path, None).await).await;
    let code = invite["code"].as_str().unwrap().to_owned();
    assert_eq!(invite["link"], format!("https://chat.whatsapp.com/{code}"));

    let joined = ok_json(
        groups(
            &app,
            &trio.carol.id,
            Method::POST,
            "/join",
            Some(json!({"invite": invite["link"]})),
        )
        .await,
    )
    .await;
    assert_eq!(joined, json!({"id": group}));
    for told in [&trio.alice, &trio.bob, &trio.carol] {
        let data = group_event(&told.hook, "group_participants", |d| {
            d["action"] == "add" && d["by"] == jid(CAROL)
        })
        .await;
        assert_eq!(data["participants"], json!([jid(CAROL)]));
    }
    listed(&app, &trio.carol.id, &group, |e| {
        e.is_some_and(|e| e["participantsCount"] == 3)
    })
    .await;
    group_contact(&app, &trio.carol.id, &group, "Open").await;

    // A reset voids the old code.
    let reset =
        ok_json(groups(&app, &trio.alice.id, Method::DELETE, &invite_path, None).await).await;
    assert_ne!(reset["code"], code);
    assert_eq!(
        reset["link"],
        format!(
            "https://chat.whatsapp.com/{}",
            reset["code"].as_str().unwrap()
        )
    );
    ok_json(
        groups(
            &app,
            &trio.carol.id,
            Method::POST,
            &format!("/{group}/leave"),
            None,
        )
        .await,
    )
    .await;
    let stale = groups(
        &app,
        &trio.carol.id,
        Method::POST,
        "/join",
        Some(json!({"invite": code})),
    )
    .await;
    assert_eq!(error_code(stale, 404).await, "group_not_found");
    let fresh = groups(
        &app,
        &trio.carol.id,
        Method::POST,
        "/join",
        Some(json!({"invite": reset["code"]})),
    )
    .await;
    assert_eq!(ok_json(fresh).await, json!({"id": group}));
}

async fn leaving_a_group_takes_it_off_the_list_and_tells_the_others(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Short-lived").await;
    let left = groups(
        &app,
        &trio.bob.id,
        Method::POST,
        &format!("/{group}/leave"),
        None,
    )
    .await;
    assert_eq!(ok_json(left).await, json!({"success": true}));
    for told in [&trio.alice, &trio.carol, &trio.bob] {
        let data = group_event(&told.hook, "group_participants", |d| {
            d["action"] == "remove"
        })
        .await;
        assert_eq!(data["participants"], json!([jid(BOB)]));
        assert_eq!(data["by"], jid(BOB));
    }
    listed(&app, &trio.bob.id, &group, |e| e.is_none()).await;
    listed(&app, &trio.alice.id, &group, |e| {
        e.is_some_and(|e| e["participantsCount"] == 2)
    })
    .await;
    // Gone for Bob: reading, leaving again or writing in it.
    let again = groups(
        &app,
        &trio.bob.id,
        Method::POST,
        &format!("/{group}/leave"),
        None,
    )
    .await;
    assert_eq!(error_code(again, 404).await, "group_not_found");
    let sent = app
        .send_text(&app.admin_key, &trio.bob.id, &group, "still here?")
        .await;
    assert_eq!(error_code(sent, 404).await, "group_not_found");
}
