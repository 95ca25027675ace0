//! Two wamux nodes on one PostgreSQL database, on the real engine: when the
//! node holding a session dies, the other takes it over with the keys the
//! first wrote (fenced by its lease), and goes on decrypting and sending.
//! Skipped without `TEST_DATABASE_URL`.

use reqwest::Method;
use serde_json::json;

use crate::harness::Network;
use crate::helpers::eventually;

const ALICE: &str = "15550010001";
const BOB: &str = "15550010002";

#[actix_web::test]
async fn the_node_that_takes_a_session_over_decrypts_and_sends_with_its_keys() {
    let Some(mut net) = Network::start_cluster().await else {
        return;
    };
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(BOB, "Bob").await;
    let before = net.mock.send(BOB, ALICE, "before the takeover").await;
    net.event(&alice, "message_received", |d| d["messageId"] == before)
        .await;

    let path = format!("/api/instances/{alice}");
    let holder = net.wamux.get(&path).await["node"]
        .as_str()
        .expect("the holder")
        .to_owned();
    let (survivor_id, survivor) = if holder == "n1" {
        net.wamux.kill();
        ("n2", net.peer.as_ref().expect("n2"))
    } else {
        net.peer.as_mut().expect("n2").kill();
        ("n1", &net.wamux)
    };
    eventually("the survivor holding the session, connected", || async {
        // 503 while the dead node's lease runs out.
        let (status, instance) = survivor.call(Method::GET, &path, None).await;
        (status == 200 && instance["node"] == survivor_id && instance["status"] == "connected")
            .then_some(())
    })
    .await;

    // What Bob writes now is decrypted by the new holder...
    let after = net.mock.send(BOB, ALICE, "after the takeover").await;
    let received = net
        .event(&alice, "message_received", |d| d["messageId"] == after)
        .await;
    assert_eq!(received["body"], "after the takeover");
    // ...and what it sends, Bob's phone decrypts.
    let sent = survivor
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "from the new holder"}),
        )
        .await;
    let id = sent["id"].as_str().expect("id").to_owned();
    eventually("Bob's phone to read it", || async {
        let inbox = net.mock.inbox(BOB).await;
        inbox
            .iter()
            .any(|m| m["id"] == id.as_str() && m["text"] == "from the new holder")
            .then_some(())
    })
    .await;
}
