//! Losing a node: killed (`kill -9`), its instances reconnect on the others
//! from their stored sessions and its pending webhooks resume there; stopped
//! (SIGTERM), it hands them over at once. A changed user is refused everywhere.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::json;

use super::{Cluster, call};
use crate::helpers::{eventually, json_body};
use crate::receiver::{Answer, Receiver, distinct};

const ALICE: &str = "79002220001";
const BOB: &str = "79002220002";

#[actix_web::test]
async fn a_killed_node_loses_its_instances_without_a_new_qr_or_a_lost_webhook() {
    let Some(mut cluster) = Cluster::start(3).await else {
        return;
    };
    // The receiver refuses everything until the node is dead: Alice's
    // webhooks are then all pending in the outbox of the node that dies.
    let refusing = Arc::new(AtomicBool::new(true));
    let answer = refusing.clone();
    let receiver = Receiver::start(Arc::new(move |_| {
        Answer::Status(if answer.load(Ordering::SeqCst) {
            503
        } else {
            200
        })
    }))
    .await;
    cluster.place_first_on_n1().await;
    let entry = &cluster.nodes[0];
    let webhook = json!({"webhookUrl": receiver.url, "webhookEnabled": true,
        "maxRetries": 20, "retryInterval": 1000});
    let alice = cluster.paired(entry, "Alice", ALICE, webhook).await;
    let bob = cluster.paired(entry, "Bob", BOB, json!({})).await;
    assert_eq!(cluster.holder(entry, &alice).await.as_deref(), Some("n2"));
    let mut sent = Vec::new();
    for n in 0..5 {
        let answer = entry
            .post(
                &format!("/api/whatsapp/{alice}/send"),
                json!({"phone": BOB, "message": format!("before the crash {n}")}),
            )
            .await;
        assert_eq!(answer.status(), 200);
        sent.push(json_body(answer).await["id"].as_str().unwrap().to_owned());
    }
    receiver
        .wait_until("a refused attempt", |r| !r.is_empty())
        .await;

    cluster.node_mut("n2").kill();
    let killed_at = chrono::Utc::now();
    refusing.store(false, Ordering::SeqCst);
    let entry = &cluster.nodes[0];
    let new_holder = eventually("Alice connected on another node", || async {
        let found = entry.get(&format!("/api/instances/{alice}")).await;
        let node = found["node"].as_str().map(str::to_owned)?;
        (node != "n2" && found["connectionStatus"]["status"] == "connected").then_some(node)
    })
    .await;
    assert!(["n1", "n3"].contains(&new_holder.as_str()));
    // No new QR: the session was restored from the database, not paired again
    // (the QR from before the crash may still be delivered late, from the outbox).
    let new_qrs: Vec<String> = receiver
        .requests()
        .iter()
        .filter(|r| r.event() == "qr_received")
        .filter_map(|r| r.json()["timestamp"].as_str().map(str::to_owned))
        .filter(|at| chrono::DateTime::parse_from_rfc3339(at).unwrap() > killed_at)
        .collect();
    assert!(new_qrs.is_empty(), "{new_qrs:?}");
    // Every answered send's webhook arrives, from the new holder, with the
    // outbox row's id.
    let delivered = receiver
        .wait_until("every message_sent webhook", |r| {
            let ids: std::collections::HashSet<String> = r
                .iter()
                .filter(|r| r.event() == "message_sent")
                .map(|r| {
                    r.json()["data"]["messageId"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            sent.iter().all(|id| ids.contains(id))
        })
        .await;
    for request in distinct(&delivered) {
        assert_eq!(request.header("x-webhook-id").map(str::len), Some(36));
    }
    // And the instance works where it now runs.
    let answer = entry
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "after the crash"}),
        )
        .await;
    let status = answer.status();
    assert_eq!(
        status,
        200,
        "{}\n{}",
        json_body(answer).await,
        cluster.logs()
    );
    eventually("the message at Bob", || async {
        let (_, history) = call(
            entry,
            Method::GET,
            &format!("/api/instances/{bob}/chats/{ALICE}/messages"),
            None,
        )
        .await;
        (history["messages"][0]["content"] == "after the crash").then_some(())
    })
    .await;
}

#[actix_web::test]
async fn sigterm_hands_the_instances_over_at_once() {
    // Leases that would take half a minute to expire: only the drain moves them quickly.
    let Some(mut cluster) =
        Cluster::start_with(3, &[("WAMUX__CLUSTER__LEASE_TTL_MS", "30000")]).await
    else {
        return;
    };
    cluster.place_first_on_n1().await;
    let alice = cluster
        .paired(&cluster.nodes[0], "Alice", ALICE, json!({}))
        .await;
    assert_eq!(
        cluster.holder(&cluster.nodes[0], &alice).await.as_deref(),
        Some("n2")
    );
    let (_, status) = cluster.node_mut("n2").terminate();
    assert!(status.success(), "{status}");
    let entry = &cluster.nodes[0];
    eventually("Alice connected on another node", || async {
        let found = entry.get(&format!("/api/instances/{alice}")).await;
        let node = found["node"].as_str()?;
        (node != "n2" && found["connectionStatus"]["status"] == "connected").then_some(())
    })
    .await;
    let listed = entry.get("/api/admin/nodes").await;
    let ids: Vec<&str> = listed["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["nodeId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["n1", "n3"], "a drained node leaves the registry");
}

#[actix_web::test]
async fn a_deactivated_user_is_refused_on_every_node_at_once() {
    // A cache that would trust the user for five minutes without the signal.
    let Some(cluster) = Cluster::start_with(3, &[("WAMUX__AUTH__CACHE_TTL_SECS", "300")]).await
    else {
        return;
    };
    let entry = &cluster.nodes[0];
    let (status, created) = call(
        entry,
        Method::POST,
        "/api/admin/users",
        Some(json!({"email": "ivan@example.com", "password": "correct horse battery"})),
    )
    .await;
    assert_eq!(status, 201);
    let (user_id, key) = (
        created["id"].as_str().unwrap().to_owned(),
        created["apiKey"].as_str().unwrap().to_owned(),
    );
    let as_user = |node: usize| {
        cluster.nodes[node]
            .request_as(&key, Method::GET, "/api/instances")
            .send()
    };
    for node in 0..3 {
        assert_eq!(
            as_user(node).await.unwrap().status(),
            200,
            "cached on every node"
        );
    }
    let (status, _) = call(
        entry,
        Method::PATCH,
        &format!("/api/admin/users/{user_id}"),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(status, 200);
    for node in 0..3 {
        eventually("the user refused", || async {
            (as_user(node).await.ok()?.status() == 401).then_some(())
        })
        .await;
    }
}
