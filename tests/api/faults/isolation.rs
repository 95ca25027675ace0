//! A crashing session and dead or slow receivers do not hold up other instances.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{ALICE, BOB, STRANGER, hook};
use crate::helpers::json_body;
use crate::process::ServerProcess;
use crate::receiver::{Answer, Receiver, always_ok, distinct, free_port};

#[actix_web::test]
async fn a_crashing_session_a_dead_and_a_slow_receiver_do_not_hold_up_other_instances() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(
        dir.path(),
        &[
            ("WAMUX__LIMITS__REQUESTS_PER_SECOND", "0"),
            ("WAMUX__WEBHOOKS__TIMEOUT_MS", "20000"),
        ],
    )
    .await;
    let slow = Receiver::start(Arc::new(|_| Answer::After(Duration::from_secs(4)))).await;
    let healthy = Receiver::start(always_ok()).await;
    let dead_url = format!("http://127.0.0.1:{}/hook", free_port());
    let crasher = server
        .paired_instance("Crasher", "79003333333", json!({}))
        .await;
    let dead = server
        .paired_instance("Dead", "79004444444", hook(&dead_url))
        .await;
    let slowpoke = server
        .paired_instance("Slow", "79006666666", hook(&slow.url))
        .await;
    let normal = server
        .paired_instance("Normal", ALICE, hook(&healthy.url))
        .await;
    server.paired_instance("Bob", BOB, json!({})).await;

    let crashing = {
        let (client, base, key) = (
            reqwest::Client::new(),
            server.base.clone(),
            server.key.clone(),
        );
        actix_web::rt::spawn(async move {
            for _ in 0..30 {
                let _ = client
                    .post(format!("{base}/api/sim/instances/{crasher}/fault"))
                    .header("x-api-key", &key)
                    .json(&json!({"kind": "crash"}))
                    .send()
                    .await;
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
    };
    let mut normal_sends = Vec::new();
    for n in 0..15 {
        for instance in [&dead, &slowpoke] {
            let response = server
                .post(
                    &format!("/api/whatsapp/{instance}/send"),
                    json!({"phone": BOB, "message": n.to_string()}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
        let response = server
            .post(
                &format!("/api/whatsapp/{normal}/send"),
                json!({"phone": BOB, "message": n.to_string()}),
            )
            .await;
        assert_eq!(response.status(), 200, "a healthy instance's send failed");
        normal_sends.push(json_body(response).await["id"].as_str().unwrap().to_owned());
        let injected = server
            .post(
                &format!("/api/sim/instances/{normal}/inbound"),
                json!({"from": STRANGER, "body": n.to_string()}),
            )
            .await;
        assert_eq!(injected.status(), 200);
    }
    healthy
        .wait_until("every webhook of the healthy instance", |r| {
            let r = distinct(r);
            r.iter().filter(|r| r.event() == "message_sent").count() == 15
                && r.iter().filter(|r| r.event() == "message_received").count() == 15
        })
        .await;
    // All of that happened while the slow receiver still sat on its first request.
    assert_eq!(
        slow.requests().len(),
        1,
        "the slow receiver was not holding its first request"
    );
    let sent: Vec<String> = distinct(&healthy.requests())
        .iter()
        .filter(|r| r.event() == "message_sent")
        .map(|r| r.json()["data"]["messageId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(sent, normal_sends, "out of order or incomplete");
    crashing.await.unwrap();
    let health = server.get("/health").await;
    assert_eq!(health["status"], "ok");
    let pending = server
        .get(&format!(
            "/api/instances/{dead}/webhooks/deliveries?state=pending&limit=500"
        ))
        .await;
    assert!(
        pending["pagination"]["total"].as_u64().unwrap() >= 15,
        "the dead receiver's deliveries were dropped"
    );
}
