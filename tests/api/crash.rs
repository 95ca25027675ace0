//! Faults that take the whole process: nothing accepted may be lost.

use serde_json::json;

use crate::helpers::json_body;
use crate::process::ServerProcess;
use crate::receiver::{Receiver, always_ok};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

/// The receiver goes down, the server is SIGKILLed, both come back: every
/// webhook of every answered request arrives.
#[actix_web::test]
async fn webhooks_survive_a_dead_receiver_and_a_sigkilled_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(dir.path(), &[]).await;
    let receiver = Receiver::start(always_ok()).await;
    let hook = json!({"webhookUrl": receiver.url, "webhookEnabled": true, "notifyReceived": true,
                      "notifySent": true, "notifyDelivery": true, "notifyRead": true,
                      "maxRetries": 20, "retryInterval": 1000, "webhookSecret": "k"});
    let alice = server.paired_instance("Alice", ALICE, hook).await;
    let _bob = server.paired_instance("Bob", BOB, json!({})).await;
    receiver.wait_for_event("connection_opened").await;

    receiver.stop().await;
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for n in 0..5 {
        let response = server
            .post(
                &format!("/api/whatsapp/{alice}/send"),
                json!({"phone": BOB, "message": format!("m{n}")}),
            )
            .await;
        assert_eq!(response.status(), 200);
        sent.push(json_body(response).await["id"].as_str().unwrap().to_owned());
        let response = server
            .post(
                &format!("/api/sim/instances/{alice}/inbound"),
                json!({"from": "79005554433", "body": format!("in{n}")}),
            )
            .await;
        assert_eq!(response.status(), 200);
        received.push(json_body(response).await["id"].as_str().unwrap().to_owned());
    }
    let pending = server
        .get(&format!(
            "/api/instances/{alice}/webhooks/deliveries?state=pending&limit=500"
        ))
        .await;
    assert!(
        pending["pagination"]["total"].as_u64().unwrap() >= 10,
        "the receiver was not down: {pending}"
    );
    server.kill();

    let receiver = Receiver::start_on(receiver.port, always_ok()).await;
    server.start_again().await;
    let requests = receiver
        .wait_until("every webhook of every answered request", |requests| {
            let has = |event: &str, id: &str| {
                requests
                    .iter()
                    .any(|r| r.event() == event && r.json()["data"]["messageId"] == id)
            };
            sent.iter().all(|id| has("message_sent", id))
                && received.iter().all(|id| has("message_received", id))
        })
        .await;
    // Duplicates are allowed only as repeats of the same X-Webhook-Id.
    let mut seen = std::collections::HashMap::new();
    for request in &requests {
        let id = request.header("x-webhook-id").unwrap().to_owned();
        if let Some(body) = seen.insert(id, request.body.clone()) {
            assert_eq!(body, request.body);
        }
    }
    for id in &sent {
        let history = server
            .get(&format!(
                "/api/instances/{alice}/chats/{BOB}/messages?limit=500"
            ))
            .await;
        assert!(
            history["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["messageId"] == id.as_str())
        );
    }
}

/// SIGTERM stops the server cleanly within `server.shutdown_timeout_secs`, and
/// the instances come back connected on the next start.
#[actix_web::test]
async fn sigterm_shuts_down_gracefully_and_instances_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__SERVER__SHUTDOWN_TIMEOUT_SECS", "5"),
            ("WAMUX__STATS__FLUSH_INTERVAL_MS", "600000"),
        ],
    )
    .await;
    let alice = server.paired_instance("Alice", ALICE, json!({})).await;
    let bob = server.paired_instance("Bob", BOB, json!({})).await;
    for n in 0..2 {
        let body = json!({"phone": BOB, "message": format!("m{n}")});
        let sent = server
            .post(&format!("/api/whatsapp/{alice}/send"), body)
            .await;
        assert_eq!(sent.status(), 200);
    }
    let (took, status) = server.terminate();
    assert!(status.success(), "exit status {status}");
    assert!(
        took < std::time::Duration::from_secs(10),
        "shutdown took {took:?}"
    );
    let log = std::fs::read_to_string(dir.path().join("wamux.log")).unwrap();
    assert!(log.contains("wamux stopped"), "{log}");
    server.start_again().await;
    // Counted only in memory before SIGTERM (no periodic flush): written at shutdown.
    let usage = server.get(&format!("/api/stats/instances/{alice}")).await;
    assert_eq!(usage["usage"]["messagesSent"], 2);
    let usage = server.get(&format!("/api/stats/instances/{bob}")).await;
    assert_eq!(usage["usage"]["messagesReceived"], 2);
    server.wait_for_status(&alice, "connected").await;
    server.wait_for_status(&bob, "connected").await;
}
