//! Places, contact cards, polls, replies with mentions, voice notes and
//! stickers: sent by one instance, received by the other with their fields.

use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{ALICE, BOB, hooked_pair, jid, message, post, sent};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    a_place_contact_cards_and_a_poll_arrive_with_their_fields,
    a_reply_with_mentions_names_what_it_quotes_and_an_unknown_quote_is_404,
    voice_notes_and_stickers_go_as_such_and_wrong_files_are_refused
);

async fn a_place_contact_cards_and_a_poll_arrive_with_their_fields(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let place = json!({"latitude": 55.7539, "longitude": 37.6208, "name": "Red Square", "address": "Moscow"});
    let mut body = place.clone();
    body["phone"] = json!(BOB);
    let place_id = sent(&app, &pair.alice, "send-location", body).await;
    let cards = json!([{"name": "Ivan Ivanov", "phone": "79001234567"}, {"name": "Anna", "phone": "+7 900 765-43-21"}]);
    let cards_id = sent(
        &app,
        &pair.alice,
        "send-contact",
        json!({"phone": BOB, "contacts": cards}),
    )
    .await;
    let poll_id = sent(
        &app,
        &pair.alice,
        "send-poll",
        json!({"phone": BOB, "question": "Lunch?", "options": ["Yes", "No", "Later"], "selectableCount": 2}),
    )
    .await;

    let received = message(&app, &pair.bob, ALICE, &place_id).await;
    assert_eq!(received["messageType"], "location");
    assert_eq!(received["location"], place);
    assert_eq!(received["content"], "Red Square, Moscow (55.7539, 37.6208)");
    let received = message(&app, &pair.bob, ALICE, &cards_id).await;
    assert_eq!(received["messageType"], "contact");
    let stored_cards = json!([{"name": "Ivan Ivanov", "phone": "79001234567"}, {"name": "Anna", "phone": "79007654321"}]);
    assert_eq!(received["contacts"], stored_cards);
    let received = message(&app, &pair.bob, ALICE, &poll_id).await;
    assert_eq!(received["messageType"], "poll");
    let poll = json!({"question": "Lunch?", "selectableCount": 2,
        "options": [{"name": "Yes", "votes": 0}, {"name": "No", "votes": 0}, {"name": "Later", "votes": 0}]});
    assert_eq!(received["poll"], poll);
    assert!(received.get("messageSecret").is_none(), "{received}");
    // The sender's own rows carry the same fields.
    let own = message(&app, &pair.alice, BOB, &poll_id).await;
    assert_eq!(own["poll"], poll);
    assert_eq!(
        message(&app, &pair.alice, BOB, &place_id).await["location"],
        place
    );

    let data = pair
        .bobs_hook
        .event_data("message_received", |d| d["messageId"] == poll_id)
        .await;
    assert_eq!(data["type"], "pollMessage");
    assert_eq!(
        data["poll"],
        json!({"question": "Lunch?", "selectableCount": 2, "options": ["Yes", "No", "Later"]})
    );
    let data = pair
        .bobs_hook
        .event_data("message_received", |d| d["messageId"] == place_id)
        .await;
    assert_eq!(
        (&data["type"], &data["location"]),
        (&json!("locationMessage"), &place)
    );
    let data = pair
        .bobs_hook
        .event_data("message_received", |d| d["messageId"] == cards_id)
        .await;
    assert_eq!(data["contacts"], stored_cards);
    let data = pair
        .alices_hook
        .event_data("message_sent", |d| d["messageId"] == poll_id)
        .await;
    assert_eq!(data["type"], "poll");
    // Each kind counts as a message; none of these as media.
    let sent = crate::helpers::eventually("three sends counted", || async {
        let sent = usage(&app, &pair.alice).await;
        (sent["messagesSent"] == 3).then_some(sent)
    })
    .await;
    assert_eq!(sent["mediaSent"], 0);
    crate::helpers::eventually("three receptions counted", || async {
        (usage(&app, &pair.bob).await["messagesReceived"] == 3).then_some(())
    })
    .await;
}

/// The instance's statistics, all time.
async fn usage(app: &crate::helpers::TestApp, instance: &str) -> serde_json::Value {
    let path = format!("/api/stats/instances/{instance}?period=all");
    app.get_json(&app.admin_key, &path).await["usage"].clone()
}

async fn a_reply_with_mentions_names_what_it_quotes_and_an_unknown_quote_is_404(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let question = sent(
        &app,
        &pair.alice,
        "send",
        json!({"phone": BOB, "message": "Lunch?"}),
    )
    .await;
    message(&app, &pair.bob, ALICE, &question).await;
    let reply = sent(
        &app,
        &pair.bob,
        "send",
        json!({"phone": ALICE, "message": "@79001111111 yes!", "quotedMessageId": question, "mentions": [ALICE]}),
    )
    .await;
    let received = message(&app, &pair.alice, BOB, &reply).await;
    assert_eq!(received["quotedMessageId"], question);
    assert_eq!(received["mentions"], json!([jid(ALICE)]));
    assert_eq!(received["content"], "@79001111111 yes!");
    let own = message(&app, &pair.bob, ALICE, &reply).await;
    assert_eq!(own["quotedMessageId"], question);
    let data = pair
        .alices_hook
        .event_data("message_received", |d| d["messageId"] == reply)
        .await;
    assert_eq!(data["quotedMessageId"], question);
    assert_eq!(data["mentions"], json!([jid(ALICE)]));

    let unknown = post(
        &app,
        &format!("/api/whatsapp/{}/send", pair.bob),
        json!({"phone": ALICE, "message": "?", "quotedMessageId": "3EB0000000000000000000"}),
    )
    .await;
    assert_eq!(assert_error(unknown, 404).await, "message_not_found");
    let history = app.history(&app.admin_key, &pair.alice, BOB).await;
    assert_eq!(
        history.len(),
        2,
        "a refused reply sends nothing: {history:?}"
    );
}

fn file_form(bytes: Vec<u8>, name: &str, mimetype: &str, send_as: &str) -> Form {
    Form::new()
        .text("phone", BOB)
        .text("as", send_as.to_owned())
        .part(
            "file",
            Part::bytes(bytes)
                .file_name(name.to_owned())
                .mime_str(mimetype)
                .unwrap(),
        )
}

async fn voice_notes_and_stickers_go_as_such_and_wrong_files_are_refused(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let pair = hooked_pair(&app, json!({})).await;
    let send_file = |form: Form| {
        app.as_admin(
            reqwest::Method::POST,
            &format!("/api/whatsapp/{}/send-file", pair.alice),
        )
        .multipart(form)
        .send()
    };
    let voice = b"OggS voice bytes".to_vec();
    let response = send_file(file_form(voice.clone(), "note.ogg", "audio/ogg", "voice"))
        .await
        .unwrap();
    let voice_id = json_body(response).await["id"].as_str().unwrap().to_owned();
    let received = message(&app, &pair.bob, ALICE, &voice_id).await;
    assert_eq!(received["messageType"], "voice");
    assert_eq!(received["hasMedia"], true);
    let (_, bytes) = crate::messaging::media_bytes(&app, &pair.bob, &voice_id).await;
    assert_eq!(bytes, voice);

    let webp = b"RIFF\x10\x00\x00\x00WEBPVP8 sticker".to_vec();
    let response = send_file(file_form(webp.clone(), "s.webp", "image/webp", "sticker"))
        .await
        .unwrap();
    let sticker_id = json_body(response).await["id"].as_str().unwrap().to_owned();
    assert_eq!(
        message(&app, &pair.bob, ALICE, &sticker_id).await["messageType"],
        "sticker"
    );
    assert_eq!(
        message(&app, &pair.alice, BOB, &sticker_id).await["messageType"],
        "sticker"
    );

    for (bytes, name, mimetype, send_as, why) in [
        (
            b"png".to_vec(),
            "a.png",
            "image/png",
            "sticker",
            "a sticker must be webp",
        ),
        (
            b"png".to_vec(),
            "a.png",
            "image/png",
            "voice",
            "a voice note must be audio",
        ),
        (
            b"x".to_vec(),
            "a.txt",
            "text/plain",
            "gif",
            "an unknown `as`",
        ),
    ] {
        let response = send_file(file_form(bytes, name, mimetype, send_as))
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{why}"
        );
    }
    let history = app.history(&app.admin_key, &pair.alice, BOB).await;
    assert_eq!(history.len(), 2, "refused files send nothing: {history:?}");
    // Voice notes and stickers count as media, with their bytes.
    let media_bytes = (voice.len() + webp.len()) as u64;
    let counted = crate::helpers::eventually("media counted", || async {
        let sent = usage(&app, &pair.alice).await;
        (sent["mediaSent"] == 2).then_some(sent)
    })
    .await;
    assert_eq!(counted["messagesSent"], 2);
    assert_eq!(counted["totalMediaSize"], media_bytes);

    // Deleted for everyone, a voice note's file is no longer served, nor kept.
    let bobs_files = app.settings.server.data_dir.join("media").join(&pair.bob);
    let files = || std::fs::read_dir(&bobs_files).map_or(0, Iterator::count);
    assert_eq!(files(), 2, "the voice note and the sticker");
    let deleted = app
        .as_admin(
            reqwest::Method::DELETE,
            &format!("/api/whatsapp/{}/messages/{voice_id}", pair.alice),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    super::message_where(&app, &pair.bob, ALICE, &voice_id, |m| m["revoked"] == true).await;
    let media = app
        .as_admin(
            reqwest::Method::GET,
            &format!("/api/instances/{}/messages/{voice_id}/media", pair.bob),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(media, 404).await, "media_not_stored");
    crate::helpers::eventually("the voice note's file removed", || async {
        (files() == 1).then_some(())
    })
    .await;
}
