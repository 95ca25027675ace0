//! One person, one chat (`docs/EXTENSIONS.md`, "People: phone numbers and
//! LIDs"): whatever WhatsApp names a person by, the instance keeps them under
//! their phone number once it knows it, with the LID beside. The simulated
//! network gives each linked account the LID `2` + its number padded to 15.

use serde_json::json;

use super::{BOB, hooked_pair, jid, message, sent};
use crate::db_tests;
use crate::helpers::{TestDb, eventually, spawn_sim_app};

db_tests!(
    a_person_written_to_or_by_lid_is_one_chat_under_their_number,
    a_chat_kept_under_a_lid_joins_the_number_once_the_number_is_known
);

const CAROL: &str = "79003333333";

/// The messages' ids: their statuses move on between two readings.
fn ids(messages: &[serde_json::Value]) -> Vec<&str> {
    messages
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect()
}

fn lid_of(phone: &str) -> String {
    format!("2{phone:0>15}@lid")
}

async fn a_person_written_to_or_by_lid_is_one_chat_under_their_number(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let bobs_lid = lid_of(BOB);

    let by_lid = app
        .inbound(&app.admin_key, &pair.alice, &bobs_lid, "hello, by LID")
        .await;
    let received = pair
        .alices_hook
        .event_data("message_received", |d| d["messageId"] == by_lid.as_str())
        .await;
    assert_eq!(
        (
            &received["from"],
            &received["fromLid"],
            &received["senderLid"]
        ),
        (&json!(jid(BOB)), &json!(bobs_lid), &json!(bobs_lid)),
        "{received}"
    );
    assert_eq!(received["authorLid"], json!(null), "{received}");
    let row = message(&app, &pair.alice, BOB, &by_lid).await;
    assert_eq!(row["senderLid"], json!(bobs_lid), "{row}");

    let reply = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": bobs_lid, "message": "a reply to the LID"}),
    )
    .await;
    let sent_event = pair
        .alices_hook
        .event_data("message_sent", |d| d["messageId"] == reply.as_str())
        .await;
    assert_eq!(sent_event["to"], json!(jid(BOB)), "{sent_event}");
    message(&app, &pair.alice, BOB, &reply).await;
    // Read by the LID or by the number: one history.
    let by_number = app.history(&app.admin_key, &pair.alice, BOB).await;
    let by_lid = app.history(&app.admin_key, &pair.alice, &bobs_lid).await;
    assert_eq!(by_number.len(), 2, "{by_number:?}");
    assert_eq!(ids(&by_lid), ids(&by_number));

    let contacts = app
        .get_json(
            &app.admin_key,
            &format!("/api/whatsapp/{}/contacts", pair.alice),
        )
        .await;
    assert_eq!(
        contacts["contacts"],
        json!([{"id": jid(BOB), "name": "Ivan", "number": BOB, "isGroup": false,
                "lid": bobs_lid}]),
        "{contacts}"
    );
}

/// Alice writes to Carol's LID before Carol's number is known anywhere: the
/// chat is kept under the LID. Once Carol links, Alice's next connect asks
/// again, and the chat (and the contact) move to Carol's number.
async fn a_chat_kept_under_a_lid_joins_the_number_once_the_number_is_known(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let carols_lid = lid_of(CAROL);
    let early = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": carols_lid, "message": "are you there?"}),
    )
    .await;
    let kept = app.history(&app.admin_key, &pair.alice, &carols_lid).await;
    assert_eq!(kept.len(), 1, "kept under the LID while unknown: {kept:?}");

    let carol = app
        .create_instance(&app.admin_key, json!({"name": "Carol"}))
        .await;
    app.pair(&app.admin_key, &carol, CAROL, "Carol").await;
    let response = app.reconnect(&app.admin_key, &pair.alice).await;
    assert_eq!(response.status(), 200);

    message(&app, &pair.alice, CAROL, &early).await;
    let contacts_path = format!("/api/whatsapp/{}/contacts", pair.alice);
    let carols = eventually("Carol as one contact with her LID", || async {
        let contacts = app.get_json(&app.admin_key, &contacts_path).await;
        let all = contacts["contacts"].as_array().cloned().unwrap_or_default();
        let carols: Vec<_> = all
            .into_iter()
            .filter(|c| c["id"] == jid(CAROL) || c["id"] == carols_lid.as_str())
            .collect();
        (carols.len() == 1 && carols[0]["id"] == jid(CAROL)).then_some(carols)
    })
    .await;
    assert_eq!(carols[0]["lid"], json!(carols_lid), "{carols:?}");
    let by_number = app.history(&app.admin_key, &pair.alice, CAROL).await;
    assert_eq!(by_number.len(), 1, "{by_number:?}");
    assert_eq!(by_number[0]["remoteJid"], json!(jid(CAROL)));
    let by_lid = app.history(&app.admin_key, &pair.alice, &carols_lid).await;
    assert_eq!(
        ids(&by_lid),
        ids(&by_number),
        "the LID reads the number's chat"
    );
    assert_eq!(
        app.history(&app.admin_key, &pair.alice, BOB).await.len(),
        0,
        "nothing else moved"
    );
}
