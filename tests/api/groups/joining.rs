//! Joining a group by its invite link, and leaving it: each seen in the other
//! instances' webhooks and lists.

use reqwest::Method;
use serde_json::json;

use super::{
    BOB, CAROL, alices_group, error_code, get, group_contact, groups, jid, listed, ok_json, post,
    trio,
};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(
    an_invite_link_lets_people_join_until_it_is_reset,
    leaving_a_group_takes_it_off_the_list_and_tells_the_others
);

async fn an_invite_link_lets_people_join_until_it_is_reset(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let created = post(
        &app,
        &trio.alice.id,
        "",
        json!({"subject": "Open", "participants": [BOB]}),
    )
    .await;
    let group = ok_json(created).await["id"].as_str().unwrap().to_owned();
    let invite_path = format!("/{group}/invite");
    let join =
        |code: &serde_json::Value| post(&app, &trio.carol.id, "/join", json!({"invite": code}));

    let refused = get(&app, &trio.bob.id, &invite_path).await;
    assert_eq!(error_code(refused, 403).await, "not_group_admin");
    let invite = ok_json(get(&app, &trio.alice.id, &invite_path).await).await;
    let code = invite["code"].clone();
    assert_eq!(
        invite["link"],
        format!("https://chat.whatsapp.com/{}", code.as_str().unwrap())
    );

    let joined = ok_json(join(&invite["link"]).await).await;
    assert_eq!(joined, json!({"id": group}));
    for told in [&trio.alice, &trio.bob, &trio.carol] {
        let data = told
            .hook
            .event_data("group_participants", |d| {
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
    let reset = groups(&app, &trio.alice.id, Method::DELETE, &invite_path, None);
    let reset = ok_json(reset.await).await;
    assert_ne!(reset["code"], code);
    assert_eq!(
        reset["link"],
        format!(
            "https://chat.whatsapp.com/{}",
            reset["code"].as_str().unwrap()
        )
    );
    let leave = format!("/{group}/leave");
    ok_json(groups(&app, &trio.carol.id, Method::POST, &leave, None).await).await;
    assert_eq!(error_code(join(&code).await, 404).await, "group_not_found");
    assert_eq!(
        ok_json(join(&reset["code"]).await).await,
        json!({"id": group})
    );
}

async fn leaving_a_group_takes_it_off_the_list_and_tells_the_others(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Short-lived").await;
    let path = format!("/{group}/leave");
    let leave = || groups(&app, &trio.bob.id, Method::POST, &path, None);
    assert_eq!(ok_json(leave().await).await, json!({"success": true}));
    for told in [&trio.alice, &trio.carol, &trio.bob] {
        let data = told
            .hook
            .event_data("group_participants", |d| d["action"] == "remove")
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
    assert_eq!(error_code(leave().await, 404).await, "group_not_found");
    let read = get(&app, &trio.bob.id, &format!("/{group}")).await;
    assert_eq!(error_code(read, 404).await, "group_not_found");
    let sent = app
        .send_text(&app.admin_key, &trio.bob.id, &group, "still here?")
        .await;
    assert_eq!(error_code(sent, 404).await, "group_not_found");
}
