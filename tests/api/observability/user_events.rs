//! `GET /api/events`: all the caller's instances on one stream (what the console's
//! instance list listens to), nobody else's.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, spawn_sim_app};
use crate::observability::events::next_event;

db_tests!(one_stream_carries_every_own_instance_and_no_one_elses);

async fn one_stream_carries_every_own_instance_and_no_one_elses(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let unauthenticated = app
        .request(Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(unauthenticated, 401).await, "unauthorized");

    let first = app
        .create_instance(&app.admin_key, json!({"name": "First"}))
        .await;
    let second = app
        .create_instance(&app.admin_key, json!({"name": "Second"}))
        .await;
    let stranger = app
        .create_user("eve@example.com", "correct horse battery", "user")
        .await;
    let foreign = app
        .create_instance(&stranger.api_key, json!({"name": "Eve's"}))
        .await;

    let response = app
        .with_key(&app.admin_key, Method::GET, "/api/events")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();

    // The stranger's instance opens first: its event must not reach the admin's stream.
    app.pair(&stranger.api_key, &foreign, "79003333333", "Eve")
        .await;
    app.pair(&app.admin_key, &second, "79002222222", "Bob")
        .await;
    let opened = next_event(&mut stream, &mut buffer, "connection_opened").await;
    assert_eq!(opened["data"]["instanceId"], second.as_str());
    app.pair(&app.admin_key, &first, "79001111111", "Alice")
        .await;
    let opened = next_event(&mut stream, &mut buffer, "connection_opened").await;
    assert_eq!(opened["data"]["instanceId"], first.as_str());

    let message_id = app
        .inbound(&app.admin_key, &second, "79005555555", "to the second")
        .await;
    let received = next_event(&mut stream, &mut buffer, "message_received").await;
    assert_eq!(received["data"]["instanceId"], second.as_str());
    assert_eq!(received["data"]["messageId"], message_id.as_str());
}
