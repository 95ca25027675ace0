//! People named by LID: the instance answers the phone number behind a LID,
//! and a number's LID, once WhatsApp has told them
//! (`docs/EXTENSIONS.md`, "People: phone numbers and LIDs").

use reqwest::Method;
use serde_json::json;

use crate::e2e_tests;
use crate::harness::{Network, TestDb};

e2e_tests!(
    a_persons_lid_and_number_are_looked_up_both_ways,
    what_the_phone_writes_to_a_lid_is_the_same_chat_as_the_number,
    a_chat_begun_by_lid_joins_the_numbers_chat_once_the_number_is_known,
);

const ALICE: &str = "15550011001";
const DAVE: &str = "15550011004";

async fn a_persons_lid_and_number_are_looked_up_both_ways(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let dave = net.mock.create_account(DAVE, "Dave").await;
    let dave_lid = dave["lid"].as_str().expect("Dave's LID").to_owned();
    let base = format!("/api/whatsapp/{alice}");

    // Nothing told yet.
    not_known(&net, &format!("{base}/lids/{dave_lid}")).await;

    // Dave writes to Alice: WhatsApp names him, number and LID.
    let id = net.mock.send(DAVE, ALICE, "hello from Dave").await;
    net.event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
    let expected = json!({
        "lid": dave_lid,
        "phone": DAVE,
        "jid": format!("{DAVE}@s.whatsapp.net"),
    });
    let digits = dave_lid.trim_end_matches("@lid");
    for asked in [dave_lid.as_str(), digits] {
        let found = net.wamux.get(&format!("{base}/lids/{asked}")).await;
        assert_eq!(found, expected, "asked {asked}");
    }
    let by_number = net.wamux.get(&format!("{base}/lids?phone={DAVE}")).await;
    assert_eq!(by_number, expected);

    not_known(&net, &format!("{base}/lids/999999999999999")).await;
}

/// The phone writes to a person by LID (as WhatsApp's own client does once it
/// knows one): the instance keeps it in the chat of that person's number,
/// beside what the person wrote, not in a second chat under the LID.
async fn what_the_phone_writes_to_a_lid_is_the_same_chat_as_the_number(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let dave = net.mock.create_account(DAVE, "Dave").await;
    let dave_lid = dave["lid"].as_str().expect("Dave's LID").to_owned();
    let first = net.mock.send(DAVE, ALICE, "hello from Dave").await;
    net.event(&alice, "message_received", |d| d["messageId"] == first)
        .await;

    let reply = net.mock.send(ALICE, &dave_lid, "a reply by LID").await;
    let sent = net
        .event(&alice, "message_sent", |d| d["messageId"] == reply)
        .await;
    let dave_jid = format!("{DAVE}@s.whatsapp.net");
    assert_eq!(sent["to"], dave_jid, "{sent}");
    let chat = net.wamux.history(&alice, &dave_jid).await;
    let ids: Vec<&str> = chat
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect();
    assert!(
        ids.contains(&first.as_str()) && ids.contains(&reply.as_str()),
        "{chat:?}"
    );
    let by_lid = net.wamux.history(&alice, &dave_lid).await;
    assert_eq!(
        message_ids(&by_lid),
        message_ids(&chat),
        "the LID reads the number's chat"
    );
}

/// The phone writes first to a person it knows only by LID, so the instance
/// cannot name them by number yet; once that person writes (WhatsApp then gives
/// both names), the chat under the LID joins the number's: one history, one
/// contact carrying the LID, and the events name the person by number with the
/// LID beside.
async fn a_chat_begun_by_lid_joins_the_numbers_chat_once_the_number_is_known(db: TestDb) {
    let net = Network::start(db).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    let dave = net.mock.create_account(DAVE, "Dave").await;
    let dave_lid = dave["lid"].as_str().expect("Dave's LID").to_owned();
    let dave_jid = format!("{DAVE}@s.whatsapp.net");

    let first = net.mock.send(ALICE, &dave_lid, "hello, by LID").await;
    net.event(&alice, "message_sent", |d| d["messageId"] == first)
        .await;
    let answer = net.mock.send(DAVE, ALICE, "hello back").await;
    let received = net
        .event(&alice, "message_received", |d| d["messageId"] == answer)
        .await;
    assert_eq!(
        (
            &received["from"],
            &received["fromLid"],
            &received["senderLid"]
        ),
        (&json!(dave_jid), &json!(dave_lid), &json!(dave_lid)),
        "{received}"
    );

    let row = net
        .wamux
        .wait_for_row(&alice, &dave_jid, &first, |_| true)
        .await;
    assert_eq!(row["fromMe"], true, "{row}");
    let chat = net.wamux.history(&alice, &dave_jid).await;
    assert!(chat.iter().any(|m| m["messageId"] == answer), "{chat:?}");
    let by_lid = net.wamux.history(&alice, &dave_lid).await;
    assert_eq!(
        message_ids(&by_lid),
        message_ids(&chat),
        "the LID reads the number's chat"
    );
    assert!(
        by_lid.iter().all(|m| m["remoteJid"] == dave_jid),
        "one chat, under the number: {by_lid:?}"
    );

    let contacts = net
        .wamux
        .get(&format!("/api/whatsapp/{alice}/contacts"))
        .await;
    let contacts = contacts["contacts"].as_array().cloned().unwrap_or_default();
    let dave_rows: Vec<_> = contacts
        .iter()
        .filter(|c| c["id"] == dave_jid || c["id"] == dave_lid)
        .collect();
    assert_eq!(dave_rows.len(), 1, "{contacts:?}");
    let alice_jid = format!("{ALICE}@s.whatsapp.net");
    assert!(
        contacts.iter().all(|c| c["id"] != alice_jid),
        "the account is no contact of its own: {contacts:?}"
    );
    assert_eq!(
        (&dave_rows[0]["id"], &dave_rows[0]["lid"]),
        (&json!(dave_jid), &json!(dave_lid)),
        "{contacts:?}"
    );
}

/// The messages' ids: their statuses move on between two readings.
fn message_ids(messages: &[serde_json::Value]) -> Vec<&str> {
    messages
        .iter()
        .filter_map(|m| m["messageId"].as_str())
        .collect()
}

async fn not_known(net: &Network, path: &str) {
    let (status, answer) = net.wamux.call(Method::GET, path, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (404, &json!("lid_not_found")),
        "{answer}"
    );
}
