//! Failing, silent and absent receivers: retries, failed deliveries, manual retry, restarts.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::{ALICE, webhook};
use crate::db_tests;
use crate::helpers::{
    TestDb, assert_error, eventually, fast_sim, json_body, spawn_app_with, spawn_sim_app,
};
use crate::receiver::{Answer, Receiver, always_ok, free_port};

db_tests!(
    a_failing_receiver_gets_retries_with_the_same_delivery_id,
    a_receiver_that_never_answers_ends_failed_and_can_be_retried,
    pending_deliveries_survive_a_restart_while_the_receiver_is_down
);

async fn a_failing_receiver_gets_retries_with_the_same_delivery_id(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver =
        Receiver::start(Arc::new(|n| Answer::Status(if n < 2 { 500 } else { 200 }))).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(
                &receiver.url,
                json!({"maxRetries": 3, "retryInterval": 1000}),
            ),
        )
        .await;
    let requests = receiver.wait_until("three tries", |r| r.len() >= 3).await;
    let first_id = requests[0].header("x-webhook-id").unwrap();
    assert!(
        requests[..3]
            .iter()
            .all(|r| r.header("x-webhook-id") == Some(first_id))
    );
    assert!(requests[..3].iter().all(|r| r.body == requests[0].body));
    for pair in requests[..3].windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= Duration::from_millis(950), "retried after {gap:?}");
    }
    let delivered = eventually("the delivery marked delivered", || async {
        let listing = app.deliveries(&app.admin_key, &id, "state=delivered").await;
        listing["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["id"] == first_id)
            .cloned()
    })
    .await;
    assert_eq!(delivered["attempts"], 3);
    assert_eq!(delivered["lastStatus"], 200);
}

async fn a_receiver_that_never_answers_ends_failed_and_can_be_retried(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.webhooks.timeout_ms = 200;
    })
    .await;
    let answering = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let switch = answering.clone();
    let receiver = Receiver::start(Arc::new(move |_| {
        if switch.load(std::sync::atomic::Ordering::SeqCst) {
            Answer::Status(200)
        } else {
            Answer::After(Duration::from_secs(30))
        }
    }))
    .await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(
                &receiver.url,
                json!({"maxRetries": 1, "retryInterval": 1000}),
            ),
        )
        .await;
    let failed = eventually("a failed delivery", || async {
        let listing = app.deliveries(&app.admin_key, &id, "state=failed").await;
        listing["deliveries"].as_array().unwrap().first().cloned()
    })
    .await;
    assert_eq!(failed["attempts"], 2);
    assert!(
        failed["lastError"]
            .as_str()
            .unwrap()
            .contains("no answer within 200 ms"),
        "{failed}"
    );
    let log = app.activity(&app.admin_key, &id).await;
    let entry = log
        .iter()
        .find(|l| l["action"] == "webhook_failed")
        .unwrap();
    assert_eq!(entry["details"]["deliveryId"], failed["id"]);
    assert_eq!(entry["details"]["attempts"], 2);

    answering.store(true, std::sync::atomic::Ordering::SeqCst);
    let delivery_id = failed["id"].as_str().unwrap();
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/webhooks/deliveries/{delivery_id}/retry"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(json_body(response).await["delivery"]["state"], "pending");
    eventually("the requeued delivery to go through", || async {
        let listing = app.deliveries(&app.admin_key, &id, "state=delivered").await;
        listing["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == delivery_id)
            .then_some(())
    })
    .await;
    let again = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/webhooks/deliveries/{delivery_id}/retry"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(again, 409).await, "delivery_not_failed");
    let unknown = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/instances/{id}/webhooks/deliveries/nope/retry"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(unknown, 404).await, "delivery_not_found");
}

async fn pending_deliveries_survive_a_restart_while_the_receiver_is_down(db: TestDb) {
    let mut app = spawn_sim_app(db).await;
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}/hook");
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&url, json!({"maxRetries": 20, "retryInterval": 1000})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let mut sent = Vec::new();
    for n in 0..3 {
        sent.push(
            app.inbound(
                &app.admin_key,
                &id,
                "79005554433",
                &format!("while down {n}"),
            )
            .await,
        );
    }
    let pending = app
        .deliveries(&app.admin_key, &id, "state=pending&limit=500")
        .await;
    let mut expected: Vec<String> = pending["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(expected.len() >= 5, "{pending}");
    app.stop().await;

    let receiver = Receiver::start_on(port, always_ok()).await;
    app.restart().await;
    let requests = receiver
        .wait_until("every pending delivery", |r| {
            expected
                .iter()
                .all(|id| r.iter().any(|r| r.header("x-webhook-id") == Some(id)))
        })
        .await;
    let bodies: Vec<String> = requests
        .iter()
        .filter(|r| r.event() == "message_received")
        .map(|r| r.json()["data"]["messageId"].as_str().unwrap().to_owned())
        .collect();
    let mut unique = bodies.clone();
    unique.dedup();
    assert_eq!(unique, sent, "received out of order or incomplete");
    expected.sort();
    let mut delivered_ids: Vec<String> = requests
        .iter()
        .filter_map(|r| r.header("x-webhook-id").map(str::to_owned))
        .collect();
    delivered_ids.sort();
    delivered_ids.dedup();
    assert!(expected.iter().all(|id| delivered_ids.contains(id)));
}
