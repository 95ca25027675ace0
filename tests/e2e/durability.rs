//! Received messages are at least once across a crash, and announced once:
//! WhatsApp holds a message until the device acks it, and wamux acks only
//! after the message's row and webhook are committed.

use crate::e2e_tests;
use crate::harness::{Network, TestDb};
use crate::helpers::eventually;

e2e_tests!(
    a_message_wamux_dies_before_keeping_arrives_after_the_restart,
    a_message_kept_but_not_acked_when_wamux_dies_is_stored_and_announced_once,
);

const ALICE: &str = "15550009001";
const BOB: &str = "15550009002";

/// Messages the test server handed to a device that it has not acked.
async fn unacked(net: &Network) -> u64 {
    net.mock.stats().await["unacked"].as_u64().unwrap()
}

/// Killed after WhatsApp delivered the message and before wamux stored it:
/// without the ack deferred, the message would be gone for good.
async fn a_message_wamux_dies_before_keeping_arrives_after_the_restart(db: TestDb) {
    let mut net = Network::start_with(db, &[("WAMUX_FAULT_HOLD_BEFORE_KEEP_MS", "6000")]).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(BOB, "Bob").await;
    let id = net.mock.send(BOB, ALICE, "kept through a crash").await;
    eventually("the message handed over", || async {
        (unacked(&net).await > 0).then_some(())
    })
    .await;
    // Long enough for the engine to decrypt it (and, were the ack not held,
    // to ack it), well inside the instance's hold before storing it.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert!(
        unacked(&net).await > 0,
        "acked before it was stored: {}",
        net.mock.stats().await
    );
    net.wamux.kill_and_restart().await;
    net.event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
    once_acked_stored_and_announced(&net, &alice, &id).await;
}

/// Killed after the row and the webhook were committed and before the ack:
/// WhatsApp delivers the message again, and wamux recognises it.
async fn a_message_kept_but_not_acked_when_wamux_dies_is_stored_and_announced_once(db: TestDb) {
    let mut net = Network::start_with(db, &[("WAMUX_FAULT_HOLD_BEFORE_ACK_MS", "4000")]).await;
    let alice = net.linked_instance("Alice", ALICE).await;
    net.mock.create_account(BOB, "Bob").await;
    let id = net.mock.send(BOB, ALICE, "kept, then a crash").await;
    net.event(&alice, "message_received", |d| d["messageId"] == id)
        .await;
    // Announced, yet WhatsApp still holds it: the ack waits.
    assert!(unacked(&net).await > 0, "{}", net.mock.stats().await);
    let redelivered = net.mock.stats().await["offlineDelivered"].as_u64().unwrap();
    net.wamux.kill_and_restart().await;
    eventually("the message delivered again", || async {
        let now = net.mock.stats().await["offlineDelivered"].as_u64().unwrap();
        (now > redelivered).then_some(())
    })
    .await;
    once_acked_stored_and_announced(&net, &alice, &id).await;
}

/// Once WhatsApp has its ack: the message is in the history once, and was
/// announced once (a second announcement is given time to show up).
async fn once_acked_stored_and_announced(net: &Network, alice: &str, id: &str) {
    eventually("the redelivered message acked", || async {
        (unacked(net).await == 0).then_some(())
    })
    .await;
    let bob = format!("{BOB}@s.whatsapp.net");
    let stored = net.wamux.history(alice, &bob).await;
    let copies = stored.iter().filter(|m| m["messageId"] == id).count();
    assert_eq!(copies, 1, "{stored:?}");
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        net.count(alice, "message_received", |d| d["messageId"] == id),
        1
    );
}
