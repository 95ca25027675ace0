//! The account's phone as WhatsApp's own client plays it: it writes to an
//! instance, reads what instances write to it, and what it sends itself shows
//! at its own linked instance as sent.

use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};
use crate::helpers::eventually;

e2e_tests!(
    a_phone_and_an_instance_write_to_each_other,
    what_the_phone_sends_shows_at_its_own_instance_as_sent,
    only_a_messages_author_edits_or_deletes_it,
);

const ALICE: &str = "15550006001";
const CAROL: &str = "15550006003";

async fn a_phone_and_an_instance_write_to_each_other(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(CAROL, "Carol").await;

    let from_phone = net.mock.send(CAROL, ALICE, "Hi from Carol's phone").await;
    let received = net
        .event(&alice, "message_received", |d| d["messageId"] == from_phone)
        .await;
    assert_eq!(received["body"], "Hi from Carol's phone");
    assert_eq!(received["from"], format!("{CAROL}@s.whatsapp.net"));
    assert_eq!(received["pushName"], "Carol");

    let sent = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": CAROL, "message": "Hi Carol"}),
        )
        .await;
    let id = sent["id"].as_str().unwrap().to_owned();
    let seen = eventually("the message in the phone's inbox", || async {
        net.mock
            .inbox(CAROL)
            .await
            .into_iter()
            .find(|message| message["id"] == id.as_str())
    })
    .await;
    assert_eq!(seen["text"], "Hi Carol");
    assert_eq!(seen["from"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(seen["type"], "text");
    // The phone's client sends its delivery receipt like any other.
    net.event(&alice, "message_status", |d| {
        d["messageId"] == id && d["status"] == "delivered"
    })
    .await;
}

async fn what_the_phone_sends_shows_at_its_own_instance_as_sent(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(CAROL, "Carol").await;

    // Alice writes from her phone: her linked instance gets the copy.
    let id = net.mock.send(ALICE, CAROL, "Typed on Alice's phone").await;
    let row = net.wamux.wait_for_row(&alice, CAROL, &id, |_| true).await;
    assert_eq!(row["fromMe"], true, "{row}");
    assert_eq!(row["content"], "Typed on Alice's phone");
    assert_eq!(row["remoteJid"], format!("{CAROL}@s.whatsapp.net"));
    let inbox = net.mock.inbox(CAROL).await;
    assert!(inbox.iter().any(|m| m["id"] == id.as_str()), "{inbox:?}");
}

/// WhatsApp relays an edit or a deletion from anyone in the chat: wamux applies
/// only its author's (docs/EXTENSIONS.md, "Delivery truth").
async fn only_a_messages_author_edits_or_deletes_it(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(CAROL, "Carol").await;
    let sent = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": CAROL, "message": "Alice wrote this"}),
        )
        .await;
    let alices = sent["id"].as_str().unwrap().to_owned();

    // Carol's phone tries to rewrite, then to delete, what Alice wrote.
    net.mock
        .change(
            CAROL,
            ALICE,
            json!({"edits": alices, "text": "Carol's forgery"}),
        )
        .await;
    net.mock
        .change(CAROL, ALICE, json!({"revokes": alices}))
        .await;
    // Then changes her own message, which applies: everything before it was judged.
    let carols = net.mock.send(CAROL, ALICE, "Carol wrote this").await;
    net.mock
        .change(
            CAROL,
            ALICE,
            json!({"edits": carols, "text": "Carol rewrote this"}),
        )
        .await;
    let edited = net
        .wamux
        .wait_for_row(&alice, CAROL, &carols, |row| {
            row["content"] == "Carol rewrote this"
        })
        .await;
    assert!(edited["editedAt"].is_string(), "{edited}");

    let row = net
        .wamux
        .wait_for_row(&alice, CAROL, &alices, |_| true)
        .await;
    assert_eq!(row["content"], "Alice wrote this", "{row}");
    assert_eq!(row["revoked"], false, "{row}");
    assert!(row["editedAt"].is_null(), "{row}");
    let forged = |d: &serde_json::Value| d["messageId"] == alices.as_str();
    assert_eq!(net.count(&alice, "message_edited", forged), 0);
    assert_eq!(net.count(&alice, "message_deleted", forged), 0);

    // Her own deletion applies.
    net.mock
        .change(CAROL, ALICE, json!({"revokes": carols}))
        .await;
    net.wamux
        .wait_for_row(&alice, CAROL, &carols, |row| row["revoked"] == true)
        .await;
}
