//! Each event's delivery: the contract payload, its headers and a valid signature.

use reqwest::Method;
use serde_json::{Value, json};

use super::{ALICE, BOB, assert_signed, webhook};
use crate::db_tests;
use crate::helpers::{TestDb, json_body, spawn_sim_app};
use crate::receiver::{Receiver, always_ok, distinct};

db_tests!(each_event_arrives_with_the_contract_payload_and_a_valid_signature);

async fn each_event_arrives_with_the_contract_payload_and_a_valid_signature(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&receiver.url, json!({"webhookSecret": "s3cret"})),
        )
        .await;
    let bob = app
        .create_instance(&app.admin_key, json!({"name": "Bob"}))
        .await;
    app.pair(&app.admin_key, &bob, BOB, "Bob").await;

    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let qr_code = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/qr"),
        )
        .send()
        .await
        .unwrap();
    let qr_code = json_body(qr_code).await["qrCode"].clone();
    // QR codes refresh quickly here: find the delivery of the one just read.
    let requests = receiver
        .wait_until("the QR's webhook", |r| {
            r.iter().any(|r| r.json()["data"]["qrCode"] == qr_code)
        })
        .await;
    let qr = requests
        .iter()
        .find(|r| r.json()["data"]["qrCode"] == qr_code)
        .unwrap()
        .clone();
    let qr_body = qr.json();
    assert_eq!(qr_body["event"], "qr_received");
    assert_eq!(
        qr_body["data"],
        json!({"instanceId": id, "qrCode": qr_code})
    );
    assert_eq!(qr.header("content-type"), Some("application/json"));
    assert_eq!(qr.header("x-webhook-event"), Some("qr_received"));
    assert!(
        qr.header("x-webhook-timestamp")
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );
    assert_eq!(qr.header("x-webhook-id").map(str::len), Some(36));
    let timestamp = qr_body["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{timestamp}"
    );

    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let opened = receiver.wait_for_event("connection_opened").await;
    assert_eq!(opened.json()["data"], json!({"instanceId": id}));

    let sent = app.send_text(&app.admin_key, &id, BOB, "Hello!").await;
    let message_id = json_body(sent).await["id"].as_str().unwrap().to_owned();
    let message_sent = receiver.wait_for_event("message_sent").await.json()["data"].clone();
    let sent_at = message_sent["timestamp"].as_i64().unwrap();
    assert_eq!(
        message_sent,
        json!({"instanceId": id, "messageId": message_id, "to": format!("{BOB}@s.whatsapp.net"),
               "body": "Hello!", "type": "text", "timestamp": sent_at, "hasMedia": false})
    );
    // Delivered first; then Bob's instance reads it.
    receiver
        .wait_until("delivered", |r| {
            r.iter()
                .any(|r| r.event() == "message_status" && r.json()["data"]["status"] == "delivered")
        })
        .await;
    app.eventually_mark_read(&bob, ALICE).await;
    let statuses = receiver
        .wait_until("delivered and read", |r| {
            distinct(r)
                .iter()
                .filter(|r| r.event() == "message_status")
                .count()
                == 2
        })
        .await;
    let statuses: Vec<Value> = distinct(&statuses)
        .iter()
        .filter(|r| r.event() == "message_status")
        .map(|r| r.json()["data"].clone())
        .collect();
    for (status, data) in ["delivered", "read"].iter().zip(&statuses) {
        assert_eq!(
            data,
            &json!({"instanceId": id, "messageId": message_id, "status": status,
                    "from": format!("{BOB}@s.whatsapp.net"), "fromLid": null, "fromMe": true})
        );
    }

    let inbound_id = app
        .inbound(&app.admin_key, &id, "79005554433", "Hi there")
        .await;
    let received = receiver.wait_for_event("message_received").await.json()["data"].clone();
    let received_at = received["timestamp"].as_i64().unwrap();
    assert!((received_at - chrono::Utc::now().timestamp()).abs() < 60);
    assert_eq!(
        received,
        json!({"instanceId": id, "messageId": inbound_id, "from": "79005554433@s.whatsapp.net",
               "body": "Hi there", "type": "conversation", "timestamp": received_at,
               "hasMedia": false, "pushName": "Ivan", "fromLid": null, "senderLid": null,
               "authorLid": null})
    );
    // A sender WhatsApp names only by a LID: the LID is both who wrote and `senderLid`.
    let by_lid = app
        .inbound(&app.admin_key, &id, "100000012345678@lid", "By lid")
        .await;
    let is_it = |r: &crate::receiver::Received| {
        r.event() == "message_received" && r.json()["data"]["messageId"] == by_lid.as_str()
    };
    let requests = receiver
        .wait_until("the LID sender's message", |r| r.iter().any(is_it))
        .await;
    let received = requests.into_iter().find(is_it).unwrap().json()["data"].clone();
    assert_eq!(received["from"], "100000012345678@lid");
    assert_eq!(received["senderLid"], "100000012345678@lid");

    app.fault(&app.admin_key, &id, "disconnect").await;
    let closed = receiver.wait_for_event("connection_closed").await.json()["data"].clone();
    assert_eq!(closed["instanceId"], id.as_str());
    assert_eq!(closed["willReconnect"], true);
    assert!(closed["reason"].is_string());

    app.with_key(
        &app.admin_key,
        Method::POST,
        &format!("/api/instances/{id}/logout"),
    )
    .send()
    .await
    .unwrap();
    let requests = receiver
        .wait_until("the logout", |r| {
            r.iter().any(|r| r.json()["data"]["reason"] == "logout")
        })
        .await;
    let logout = requests
        .iter()
        .find(|r| r.json()["data"]["reason"] == "logout")
        .unwrap();
    assert_eq!(
        logout.json()["data"],
        json!({"instanceId": id, "reason": "logout", "willReconnect": false})
    );

    let document = json_body(
        app.request(Method::GET, "/api/openapi.json")
            .send()
            .await
            .unwrap(),
    )
    .await;
    super::schemas::assert_documented(&document, &receiver.requests());
    for request in receiver.requests() {
        assert_signed(&request, "s3cret");
        assert_eq!(
            request.header("x-webhook-event"),
            Some(request.event().as_str())
        );
    }
    let events = receiver.events();
    for event in [
        "qr_received",
        "connection_opened",
        "message_sent",
        "message_status",
        "message_received",
        "connection_closed",
    ] {
        assert!(
            events.iter().any(|e| e == event),
            "{event} missing from {events:?}"
        );
    }
}
