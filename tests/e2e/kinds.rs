//! The other kinds of message and the changes to earlier ones, as the real
//! engine builds and reads them: reply, reaction, edit, delete, poll and vote.

use reqwest::Method;
use serde_json::{Value, json};

use crate::e2e_tests;
use crate::harness::{Network, TestDb};

e2e_tests!(replies_reactions_edits_deletions_polls_and_votes_reach_the_other_side);

const ALICE: &str = "15550004001";
const BOB: &str = "15550004002";

async fn send(net: &Network, from: &str, route: &str, body: Value) -> String {
    let sent = net
        .wamux
        .post(&format!("/api/whatsapp/{from}/{route}"), body)
        .await;
    sent["id"].as_str().expect("id").to_owned()
}

async fn replies_reactions_edits_deletions_polls_and_votes_reach_the_other_side(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let first = send(
        &net,
        &alice,
        "send",
        json!({"phone": BOB, "message": "Lunch?"}),
    )
    .await;
    net.event(&bob, "message_received", |d| d["messageId"] == first)
        .await;

    // A reply names the message it answers.
    let reply = send(
        &net,
        &bob,
        "send",
        json!({"phone": ALICE, "message": "Sure", "quotedMessageId": first}),
    )
    .await;
    let replied = net
        .event(&alice, "message_received", |d| d["messageId"] == reply)
        .await;
    assert_eq!(replied["quotedMessageId"], first, "{replied}");

    // A reaction to Alice's message.
    net.wamux
        .post(
            &format!("/api/whatsapp/{bob}/messages/{first}/reaction"),
            json!({"emoji": "👍"}),
        )
        .await;
    let reaction = net
        .event(&alice, "message_reaction", |d| d["messageId"] == first)
        .await;
    assert_eq!(reaction["emoji"], "👍");
    assert_eq!(reaction["fromMe"], false);

    // Alice edits, then deletes, her message.
    let (status, edited) = net
        .wamux
        .call(
            Method::PATCH,
            &format!("/api/whatsapp/{alice}/messages/{first}"),
            Some(json!({"message": "Lunch at 1?"})),
        )
        .await;
    assert_eq!(status, 200, "{edited}");
    let edit = net
        .event(&bob, "message_edited", |d| d["messageId"] == first)
        .await;
    assert_eq!(edit["body"], "Lunch at 1?");
    net.wamux
        .wait_for_row(&bob, ALICE, &first, |row| row["content"] == "Lunch at 1?")
        .await;
    let (status, deleted) = net
        .wamux
        .call(
            Method::DELETE,
            &format!("/api/whatsapp/{alice}/messages/{first}"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{deleted}");
    net.event(&bob, "message_deleted", |d| d["messageId"] == first)
        .await;
    net.wamux
        .wait_for_row(&bob, ALICE, &first, |row| row["revoked"] == true)
        .await;

    // A poll and a vote in it.
    let poll = send(
        &net,
        &alice,
        "send-poll",
        json!({"phone": BOB, "question": "Where?", "options": ["Park", "Cafe"], "selectableCount": 1}),
    )
    .await;
    let received = net
        .event(&bob, "message_received", |d| d["messageId"] == poll)
        .await;
    assert_eq!(received["type"], "pollMessage", "{received}");
    assert_eq!(received["poll"]["question"], "Where?");
    net.wamux
        .post(
            &format!("/api/whatsapp/{bob}/messages/{poll}/vote"),
            json!({"options": ["Cafe"]}),
        )
        .await;
    let vote = net
        .event(&alice, "poll_vote", |d| d["messageId"] == poll)
        .await;
    assert_eq!(vote["options"], json!(["Cafe"]), "{vote}");
    let row = net
        .wamux
        .wait_for_row(&alice, BOB, &poll, |row| {
            row["poll"]["options"][1]["votes"] == 1
        })
        .await;
    assert_eq!(row["poll"]["options"][0]["votes"], 0, "{row}");
}
