//! Deliveries keep event order per instance, and one dead receiver holds up no other instance.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::{ALICE, BOB, webhook};
use crate::db_tests;
use crate::helpers::{TestDb, fast_sim, json_body, spawn_app_with, spawn_sim_app};
use crate::receiver::{Answer, Receiver, always_ok, distinct};

db_tests!(
    deliveries_of_one_instance_arrive_in_event_order,
    a_dead_receiver_of_one_instance_does_not_hold_up_another
);

async fn deliveries_of_one_instance_arrive_in_event_order(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(
                &receiver.url,
                json!({"notifyDelivery": false, "notifyRead": false, "notifyReceived": false}),
            ),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let mut ids = Vec::new();
    for n in 0..40 {
        let response = app
            .send_text(&app.admin_key, &id, BOB, &format!("n{n}"))
            .await;
        ids.push(json_body(response).await["id"].as_str().unwrap().to_owned());
    }
    let requests = receiver
        .wait_until("forty message_sent", |r| {
            distinct(r)
                .iter()
                .filter(|r| r.event() == "message_sent")
                .count()
                == 40
        })
        .await;
    let arrived: Vec<String> = distinct(&requests)
        .iter()
        .filter(|r| r.event() == "message_sent")
        .map(|r| r.json()["data"]["messageId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(arrived, ids);
}

async fn a_dead_receiver_of_one_instance_does_not_hold_up_another(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.webhooks.timeout_ms = 20_000;
    })
    .await;
    let hanging = Receiver::start(Arc::new(|_| Answer::After(Duration::from_secs(15)))).await;
    let healthy = Receiver::start(always_ok()).await;
    let stuck = app
        .create_instance(
            &app.admin_key,
            webhook(&hanging.url, json!({"notifyReceived": true})),
        )
        .await;
    let fine = app
        .create_instance(&app.admin_key, webhook(&healthy.url, json!({})))
        .await;
    app.pair(&app.admin_key, &stuck, ALICE, "A").await;
    app.pair(&app.admin_key, &fine, BOB, "B").await;
    for n in 0..10 {
        app.inbound(&app.admin_key, &stuck, "79005554433", &format!("s{n}"))
            .await;
        app.inbound(&app.admin_key, &fine, "79005554433", &format!("f{n}"))
            .await;
    }
    healthy
        .wait_until("all ten messages", |r| {
            distinct(r)
                .iter()
                .filter(|r| r.event() == "message_received")
                .count()
                == 10
        })
        .await;
    // The hanging receiver is still holding its very first request.
    assert_eq!(hanging.requests().len(), 1);
}
