//! A group of three — two wamux instances and a phone — on the test server:
//! created, written to by everyone, a member removed and added back.

use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};
use crate::helpers::eventually;

e2e_tests!(
    a_group_of_two_instances_and_a_phone_fans_out_and_follows_its_members,
    a_group_admin_deletes_any_message_and_a_member_only_their_own,
    a_vote_on_the_instances_own_poll_in_a_group_opens,
);

const ALICE: &str = "15550007001";
const BOB: &str = "15550007002";
const CAROL: &str = "15550007003";

async fn a_group_of_two_instances_and_a_phone_fans_out_and_follows_its_members(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let carol = net.mock.create_account(CAROL, "Carol").await;
    let carols_lid = carol["lid"].as_str().expect("Carol's LID").to_owned();

    let group = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/groups"),
            json!({"subject": "Trio", "participants": [BOB, CAROL]}),
        )
        .await;
    let group_id = group["id"].as_str().unwrap().to_owned();
    assert!(group_id.ends_with("@g.us"), "{group}");
    assert_eq!(
        group["participants"].as_array().unwrap().len(),
        3,
        "{group}"
    );
    let added = net
        .event(&bob, "group_participants", |d| {
            d["groupId"] == group_id && d["action"] == "add"
        })
        .await;
    assert_eq!(added["by"], format!("{ALICE}@s.whatsapp.net"), "{added}");
    let at_bob = net
        .wamux
        .get(&format!("/api/whatsapp/{bob}/groups/{group_id}"))
        .await;
    assert_eq!(at_bob["subject"], "Trio");
    // Named by phone, with the LID WhatsApp addresses the group's members by.
    let members = at_bob["participants"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let carol_member = members
        .iter()
        .find(|m| m["phone"] == CAROL)
        .unwrap_or_else(|| panic!("Carol among {members:?}"));
    assert_eq!(carol_member["lid"], json!(carols_lid), "{members:?}");

    // Alice writes: Bob's instance and Carol's phone get it.
    let hello = send(&net, &alice, &group_id, "Hello group").await;
    let received = net
        .event(&bob, "message_received", |d| d["messageId"] == hello)
        .await;
    assert_eq!(received["from"], group_id);
    assert_eq!(
        received["author"],
        format!("{ALICE}@s.whatsapp.net"),
        "{received}"
    );
    in_inbox(&net, CAROL, &hello, &group_id).await;

    // Carol's phone writes: both instances get it, from her.
    let from_carol = net.mock.send(CAROL, &group_id, "Hi all").await;
    for id in [&alice, &bob] {
        let received = net
            .event(id, "message_received", |d| d["messageId"] == from_carol)
            .await;
        assert_eq!(
            (
                &received["author"],
                &received["authorLid"],
                &received["fromLid"]
            ),
            (
                &json!(format!("{CAROL}@s.whatsapp.net")),
                &json!(carols_lid),
                &json!(null)
            ),
            "{received}"
        );
        assert_eq!(received["body"], "Hi all");
    }

    // Bob is removed: he hears it, and no longer gets the group's messages.
    let removed = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/groups/{group_id}/participants"),
            json!({"action": "remove", "participants": [BOB]}),
        )
        .await;
    assert_eq!(removed["results"][0]["status"], "ok", "{removed}");
    net.event(&bob, "group_participants", |d| {
        d["groupId"] == group_id && d["action"] == "remove"
    })
    .await;
    net.event(&alice, "group_participants", |d| {
        d["groupId"] == group_id && d["action"] == "remove"
    })
    .await;
    let after = send(&net, &alice, &group_id, "Just us").await;
    in_inbox(&net, CAROL, &after, &group_id).await;
    // Added back, he gets what is written next (and never the message in between).
    net.wamux
        .post(
            &format!("/api/whatsapp/{alice}/groups/{group_id}/participants"),
            json!({"action": "add", "participants": [BOB]}),
        )
        .await;
    eventually("Bob added back", || async {
        (net.count(&bob, "group_participants", |d| {
            d["groupId"] == group_id && d["action"] == "add"
        }) >= 2)
            .then_some(())
    })
    .await;
    let back = send(&net, &alice, &group_id, "Welcome back").await;
    net.event(&bob, "message_received", |d| d["messageId"] == back)
        .await;
    assert_eq!(
        net.count(&bob, "message_received", |d| d["messageId"] == after),
        0
    );
}

/// In a group an admin may delete anyone's message for everyone; a member
/// changes only their own (docs/EXTENSIONS.md, "Delivery truth").
async fn a_group_admin_deletes_any_message_and_a_member_only_their_own(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    net.mock.create_account(CAROL, "Carol").await;
    let group_id = group_of(&net, &alice, &bob, json!([BOB, CAROL])).await;
    let bobs = send(&net, &bob, &group_id, "Bob wrote this").await;
    net.event(&alice, "message_received", |d| d["messageId"] == bobs)
        .await;
    let bob_jid = format!("{BOB}@s.whatsapp.net");

    // Carol, a member, tries to rewrite and to delete Bob's message.
    net.mock
        .change(
            CAROL,
            &group_id,
            json!({"edits": bobs, "text": "Carol's forgery"}),
        )
        .await;
    net.mock
        .change(
            CAROL,
            &group_id,
            json!({"revokes": bobs, "author": bob_jid}),
        )
        .await;
    let later = net.mock.send(CAROL, &group_id, "Carol writes after").await;
    net.event(&alice, "message_received", |d| d["messageId"] == later)
        .await;
    let row = net
        .wamux
        .wait_for_row(&alice, &group_id, &bobs, |_| true)
        .await;
    assert_eq!(row["content"], "Bob wrote this", "{row}");
    assert_eq!(row["revoked"], false, "{row}");

    // Made an admin, her deletion of Bob's message applies.
    let promoted = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/groups/{group_id}/participants"),
            json!({"action": "promote", "participants": [CAROL]}),
        )
        .await;
    assert_eq!(promoted["results"][0]["status"], "ok", "{promoted}");
    net.mock
        .change(
            CAROL,
            &group_id,
            json!({"revokes": bobs, "author": bob_jid}),
        )
        .await;
    net.wamux
        .wait_for_row(&alice, &group_id, &bobs, |row| row["revoked"] == true)
        .await;
    net.event(&alice, "message_deleted", |d| d["messageId"] == bobs)
        .await;
}

/// Groups are addressed by LID: a member votes with the poll's creator named by
/// LID, and the creator's instance must open the vote with its own LID too.
async fn a_vote_on_the_instances_own_poll_in_a_group_opens(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let bob = net.linked_instance("Bob", BOB).await;
    let group_id = group_of(&net, &alice, &bob, json!([BOB])).await;
    let poll = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/send-poll"),
            json!({"phone": group_id, "question": "Where?", "options": ["Home", "Cafe"]}),
        )
        .await;
    let poll = poll["id"].as_str().unwrap().to_owned();
    net.event(&bob, "message_received", |d| d["messageId"] == poll)
        .await;
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
        .wait_for_row(&alice, &group_id, &poll, |row| {
            row["poll"]["options"][1]["votes"] == 1
        })
        .await;
    assert_eq!(row["poll"]["options"][0]["votes"], 0, "{row}");
}

/// Alice's new group with `members`; its id, once Bob's instance heard of it.
async fn group_of(net: &Network, alice: &str, bob: &str, members: serde_json::Value) -> String {
    let group = net
        .wamux
        .post(
            &format!("/api/whatsapp/{alice}/groups"),
            json!({"subject": "Trio", "participants": members}),
        )
        .await;
    let group_id = group["id"].as_str().unwrap().to_owned();
    net.event(bob, "group_participants", |d| d["groupId"] == group_id)
        .await;
    group_id
}

async fn send(net: &Network, from: &str, group: &str, text: &str) -> String {
    let sent = net
        .wamux
        .post(
            &format!("/api/whatsapp/{from}/send"),
            json!({"phone": group, "message": text}),
        )
        .await;
    sent["id"].as_str().unwrap().to_owned()
}

async fn in_inbox(net: &Network, phone: &str, id: &str, chat: &str) {
    let seen = eventually("the group message in the phone's inbox", || async {
        net.mock
            .inbox(phone)
            .await
            .into_iter()
            .find(|message| message["id"] == id)
    })
    .await;
    assert_eq!(seen["chat"], chat, "{seen}");
}
