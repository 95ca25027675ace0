//! Any node answers any route: the registry, placement, forwarding (JSON,
//! Server-Sent Events) and the simulated network between nodes.

use reqwest::Method;
use serde_json::json;

use super::{Cluster, call};
use crate::helpers::{eventually, json_body};
use crate::observability::events::next_event;
use crate::receiver::{Receiver, always_ok};

const ALICE: &str = "79001110001";
const BOB: &str = "79001110002";

#[actix_web::test]
async fn every_node_lists_every_node_and_new_instances_spread() {
    let Some(cluster) = Cluster::start(3).await else {
        return;
    };
    for node in &cluster.nodes {
        let listed = node.get("/api/admin/nodes").await;
        let nodes = listed["nodes"].as_array().unwrap();
        let ids: Vec<&str> = nodes
            .iter()
            .map(|n| n["nodeId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["n1", "n2", "n3"]);
        for (n, listed) in nodes.iter().enumerate() {
            assert_eq!(listed["advertiseUrl"], cluster.nodes[n].base.as_str());
            assert_eq!(listed["version"], env!("CARGO_PKG_VERSION"));
            assert!(listed["lastSeen"].as_str().unwrap().ends_with('Z'));
        }
    }
    // Six new instances through one node: two on each.
    let entry = &cluster.nodes[0];
    let mut ids = Vec::new();
    for n in 0..6 {
        let (status, created) = call(
            entry,
            Method::POST,
            "/api/instances",
            Some(json!({"name": format!("spread-{n}")})),
        )
        .await;
        assert_eq!(status, 201, "{created}");
        let id = created["id"].as_str().unwrap().to_owned();
        // Placed before the next one is, so "fewest" counts it.
        eventually("the new instance to run on its node", || async {
            cluster.holder(entry, &id).await
        })
        .await;
        ids.push(id);
    }
    let mut per_node = std::collections::BTreeMap::new();
    for id in &ids {
        // Every node says the same about where it runs.
        let on = cluster.holder(&cluster.nodes[0], id).await.unwrap();
        for node in &cluster.nodes[1..] {
            assert_eq!(cluster.holder(node, id).await.as_deref(), Some(on.as_str()));
        }
        *per_node.entry(on).or_insert(0) += 1;
    }
    assert_eq!(
        per_node.into_iter().collect::<Vec<_>>(),
        [
            ("n1".to_owned(), 2),
            ("n2".to_owned(), 2),
            ("n3".to_owned(), 2)
        ]
    );
    let listed = entry.get("/api/admin/nodes").await;
    for node in listed["nodes"].as_array().unwrap() {
        assert_eq!(node["instances"], 2, "{listed}");
    }
    // Without the cluster's secret, a request cannot pass as another node's.
    let forged = entry
        .request(Method::GET, &format!("/api/instances/{}", ids[1]))
        .header("x-wamux-node", "n9")
        .header("x-wamux-timestamp", "0")
        .header("x-wamux-nonce", "00")
        .header("x-wamux-body-sha256", "x")
        .header("x-wamux-signature", "00")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[actix_web::test]
async fn a_send_through_a_node_holding_neither_side_arrives_and_streams() {
    // Usage counts that no node would write by itself during the test.
    let Some(cluster) =
        Cluster::start_with(3, &[("WAMUX__STATS__FLUSH_INTERVAL_MS", "600000")]).await
    else {
        return;
    };
    let receiver = Receiver::start(always_ok()).await;
    let entry = &cluster.nodes[0];
    // The first instance goes to n1; Alice and Bob then to n2 and n3.
    cluster.place_first_on_n1().await;
    let webhook =
        json!({"webhookUrl": receiver.url, "webhookEnabled": true, "notifyDelivery": true});
    let alice = cluster.paired(entry, "Alice", ALICE, webhook).await;
    let bob = cluster.paired(entry, "Bob", BOB, json!({})).await;
    assert_eq!(cluster.holder(entry, &alice).await.as_deref(), Some("n2"));
    assert_eq!(cluster.holder(entry, &bob).await.as_deref(), Some("n3"));

    // Bob's events, watched through n1, which holds neither.
    let watched = entry
        .request(Method::GET, &format!("/api/instances/{bob}/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(watched.status(), 200);
    assert_eq!(watched.headers()["content-type"], "text/event-stream");
    let mut stream = watched.bytes_stream();
    let mut buffer = String::new();

    let sent = entry
        .post(
            &format!("/api/whatsapp/{alice}/send"),
            json!({"phone": BOB, "message": "across three nodes"}),
        )
        .await;
    assert_eq!(sent.status(), 200);
    let message_id = json_body(sent).await["id"].as_str().unwrap().to_owned();
    let streamed = next_event(&mut stream, &mut buffer, "message_received").await;
    assert_eq!(streamed["data"]["messageId"], message_id.as_str());
    assert_eq!(streamed["data"]["body"], "across three nodes");
    let (status, history) = call(
        entry,
        Method::GET,
        &format!("/api/instances/{bob}/chats/{ALICE}/messages"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        history["messages"][0]["messageId"],
        message_id.as_str(),
        "{history}"
    );
    assert_eq!(history["messages"][0]["content"], "across three nodes");
    // Counted where they happened (n2 sent, n3 received), read through n1 exactly,
    // long before the nodes' own periodic flushes.
    let (status, system) = call(entry, Method::GET, "/api/stats/system?period=today", None).await;
    assert_eq!(status, 200);
    assert_eq!(system["usage"]["messagesSent"], 1, "{system}");
    assert_eq!(system["usage"]["messagesReceived"], 1, "{system}");
    assert_eq!(system["instances"]["total"], 3, "{system}");
    assert_eq!(system["instances"]["active"], 2, "{system}");
    // Each node's metrics carry its id.
    for (n, node) in cluster.nodes.iter().enumerate() {
        let metrics = node.request(Method::GET, "/metrics").send().await.unwrap();
        let metrics = metrics.text().await.unwrap();
        assert!(
            metrics.contains(&format!("node=\"n{}\"", n + 1)),
            "{metrics}"
        );
    }
    // Forwarded answers are labelled by their route pattern like any other.
    let forwarded = entry.request(Method::GET, "/metrics").send().await.unwrap();
    let forwarded = forwarded.text().await.unwrap();
    assert!(
        forwarded.contains("endpoint=\"/api/whatsapp/{instance_id}/send\""),
        "{forwarded}"
    );
    assert!(
        !entry.log().contains("mixed cardinality"),
        "{}",
        entry.log()
    );
    // Bob's phone has it: Alice's webhook hears "delivered", from n2.
    receiver
        .wait_until("delivered across nodes", |r| {
            r.iter().any(|r| {
                r.event() == "message_status"
                    && r.json()["data"]["status"] == "delivered"
                    && r.json()["data"]["messageId"] == message_id.as_str()
            })
        })
        .await;
}
