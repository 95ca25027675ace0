//! The user-wide event stream in a cluster: opened on one node, it carries the
//! connection events of the caller's instances held by the others too.

use reqwest::Method;
use serde_json::json;

use super::Cluster;
use crate::helpers::json_body;
use crate::observability::events::next_event;

#[actix_web::test]
async fn a_user_stream_on_one_node_hears_connections_on_the_others() {
    // A QR every 2 s: time to see one and scan it before the instance stops waiting.
    let Some(cluster) = Cluster::start_with(2, &[("WAMUX__SIM__QR_REFRESH_MS", "2000")]).await
    else {
        return;
    };
    let (here, elsewhere) = (&cluster.nodes[0], &cluster.nodes[1]);
    // Made on n2, which keeps it (both hold as many).
    let made = elsewhere
        .post("/api/instances", json!({"name": "On n2"}))
        .await;
    assert_eq!(made.status(), 201);
    let id = json_body(made).await["id"].as_str().unwrap().to_owned();
    assert_eq!(cluster.holder(here, &id).await.as_deref(), Some("n2"));

    let watched = here
        .request(Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(watched.status(), 200);
    let mut stream = watched.bytes_stream();
    let mut buffer = String::new();

    let qr = next_event(&mut stream, &mut buffer, "qr_received").await;
    assert_eq!(qr["data"]["instanceId"], id.as_str());
    let scan = elsewhere
        .post(
            &format!("/api/sim/instances/{id}/scan"),
            json!({"phone": "79001111111", "pushName": "Far"}),
        )
        .await;
    assert_eq!(scan.status(), 200);
    let opened = next_event(&mut stream, &mut buffer, "connection_opened").await;
    assert_eq!(opened["data"]["instanceId"], id.as_str());
}
