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
    assert!(by_lid.is_empty(), "a second chat under the LID: {by_lid:?}");
}

async fn not_known(net: &Network, path: &str) {
    let (status, answer) = net.wamux.call(Method::GET, path, None).await;
    assert_eq!(
        (status, &answer["code"]),
        (404, &json!("lid_not_found")),
        "{answer}"
    );
}
