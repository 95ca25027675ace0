//! An instance never runs on two nodes: a holder paused past its lease stops
//! its sessions itself, its late status writes are refused by the epoch, and
//! nodes racing for expired leases each take a lease once.

use std::collections::HashSet;

use reqwest::Method;
use sea_orm::Database;
use serde_json::json;

use super::Cluster;
use crate::helpers::{TestDb, eventually, spawn_app};
use wamux::cluster::Fence;
use wamux::db;
use wamux::domain::instance::InstanceStatus;

const ALICE: &str = "79003330001";

#[actix_web::test]
async fn a_paused_holder_stops_its_sessions_and_its_late_writes_are_refused() {
    let Some(cluster) = Cluster::start(3).await else {
        return;
    };
    let entry = &cluster.nodes[0];
    cluster.place_first_on_n1().await;
    let alice = cluster.paired(entry, "Alice", ALICE, json!({})).await;
    assert_eq!(cluster.holder(entry, &alice).await.as_deref(), Some("n2"));

    let paused = cluster.node("n2");
    paused.signal("STOP");
    let taken_by = eventually("Alice connected on another node", || async {
        let found = entry.get(&format!("/api/instances/{alice}")).await;
        let node = found["node"].as_str().map(str::to_owned)?;
        (node != "n2" && found["connectionStatus"]["status"] == "connected").then_some(node)
    })
    .await;
    paused.signal("CONT");
    // Awake, n2 sees it has not renewed in time and stops what it ran.
    eventually("n2 to stop its sessions", || async {
        let metrics = paused
            .request(Method::GET, "/metrics")
            .send()
            .await
            .ok()?
            .text()
            .await
            .ok()?;
        metrics
            .lines()
            .filter(|line| line.starts_with("wamux_instances{"))
            .all(|line| line.ends_with(" 0"))
            .then_some(())
    })
    .await;
    assert!(
        paused.log().contains("leases not renewed in time"),
        "{}",
        paused.log()
    );
    // The instance stays where it was taken, and connected.
    for _ in 0..10 {
        let found = entry.get(&format!("/api/instances/{alice}")).await;
        assert_eq!(found["node"], taken_by.as_str());
        assert_eq!(found["connectionStatus"]["status"], "connected");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

#[actix_web::test]
async fn nodes_racing_for_expired_leases_take_each_once_and_stale_epochs_write_nothing() {
    let Some(pg) = TestDb::postgres() else {
        return;
    };
    let app = spawn_app(pg).await;
    let mut ids = Vec::new();
    for n in 0..40 {
        ids.push(
            app.create_instance(&app.admin_key, json!({"name": format!("raced-{n}")}))
                .await,
        );
    }
    let db = Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    assert_eq!(db::cluster::lease_unleased(&db).await.unwrap(), 40);
    // Eight nodes at once, each asking for up to 40.
    let racers = (0..8).map(|n| {
        let db = db.clone();
        async move {
            let node = format!("racer-{n}");
            db::cluster::claim_expired(&db, &node, 60_000, 40)
                .await
                .unwrap()
                .into_iter()
                .map(move |held| (held.instance_id, node.clone(), held.epoch))
                .collect::<Vec<_>>()
        }
    });
    let claimed: Vec<_> = futures_util::future::join_all(racers)
        .await
        .into_iter()
        .flatten()
        .collect();
    let distinct: HashSet<&String> = claimed.iter().map(|(id, _, _)| id).collect();
    assert_eq!(claimed.len(), 40, "each lease taken exactly once");
    assert_eq!(distinct.len(), 40);
    // Unexpired now: nobody else can take them.
    assert!(
        db::cluster::claim_expired(&db, "late", 60_000, 40)
            .await
            .unwrap()
            .is_empty()
    );

    // A write under the holder's epoch lands; one under an older epoch does not.
    let (id, holder, epoch) = claimed[0].clone();
    let fence = |epoch| Fence {
        node_id: holder.clone(),
        epoch,
    };
    db::instances::set_status(
        &db,
        &id,
        InstanceStatus::Failed,
        None,
        Some(&fence(epoch - 1)),
    )
    .await
    .unwrap();
    let stored = db::instances::find(&db, &id).await.unwrap().unwrap();
    assert_ne!(stored.status, InstanceStatus::Failed, "a stale epoch wrote");
    db::instances::set_status(&db, &id, InstanceStatus::Failed, None, Some(&fence(epoch)))
        .await
        .unwrap();
    let stored = db::instances::find(&db, &id).await.unwrap().unwrap();
    assert_eq!(stored.status, InstanceStatus::Failed);
    let other_node = Fence {
        node_id: "someone-else".into(),
        epoch,
    };
    db::instances::set_status(&db, &id, InstanceStatus::Connected, None, Some(&other_node))
        .await
        .unwrap();
    let stored = db::instances::find(&db, &id).await.unwrap().unwrap();
    assert_eq!(stored.status, InstanceStatus::Failed, "another node wrote");
}
