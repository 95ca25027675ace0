use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::Sha256;

use crate::db_tests;
use crate::helpers::{
    TestDb, assert_error, eventually, fast_sim, json_body, spawn_app_with, spawn_sim_app,
};
use crate::receiver::{Answer, Received, Receiver, always_ok, distinct, free_port};

db_tests!(
    each_event_arrives_with_the_contract_payload_and_a_valid_signature,
    notify_flags_and_webhook_enabled_filter_events,
    a_failing_receiver_gets_retries_with_the_same_delivery_id,
    a_receiver_that_never_answers_ends_failed_and_can_be_retried,
    pending_deliveries_survive_a_restart_while_the_receiver_is_down,
    deliveries_of_one_instance_arrive_in_event_order,
    a_dead_receiver_of_one_instance_does_not_hold_up_another,
    changed_settings_apply_to_the_next_event,
    a_webhook_turned_on_later_gets_only_what_happens_after,
    webhook_urls_on_private_addresses_are_refused,
    the_deliveries_listing_filters_and_never_shows_the_secret,
);

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

fn hmac_hex(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

fn assert_signed(request: &Received, secret: &str) {
    assert_eq!(
        request.header("x-webhook-signature"),
        Some(hmac_hex(secret, &request.body).as_str())
    );
}

fn webhook(url: &str, extra: Value) -> Value {
    let mut body = json!({"name": "Hooked", "webhookUrl": url, "webhookEnabled": true,
        "notifyReceived": true, "notifySent": true, "notifyDelivery": true, "notifyRead": true,
        "maxRetries": 3, "retryInterval": 1000});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

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
                    "from": format!("{BOB}@s.whatsapp.net"), "fromMe": true})
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
               "hasMedia": false, "pushName": "Ivan"})
    );

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

async fn notify_flags_and_webhook_enabled_filter_events(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let off = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&receiver.url, json!({"notifyReceived": false, "notifySent": true, "notifyDelivery": false, "notifyRead": true})),
        )
        .await;
    let disabled = app
        .create_instance(
            &app.admin_key,
            webhook(&off.url, json!({"webhookEnabled": false})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    app.pair(&app.admin_key, &disabled, BOB, "Bob").await;
    app.send_text(&app.admin_key, &id, BOB, "one").await;
    app.inbound(&app.admin_key, &id, "79005554433", "ignored")
        .await;
    let requests = receiver
        .wait_until("the read status", |r| {
            r.iter().any(|r| r.json()["data"]["status"] == "read")
        })
        .await;
    // Let anything else that would (wrongly) come arrive.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = receiver.events();
    assert!(events.contains(&"message_sent".to_owned()));
    assert!(
        !events.contains(&"message_received".to_owned()),
        "{events:?}"
    );
    let statuses: Vec<_> = distinct(&receiver.requests())
        .iter()
        .filter(|r| r.event() == "message_status")
        .map(|r| r.json()["data"]["status"].clone())
        .collect();
    assert_eq!(statuses, [json!("read")]);
    assert!(requests.iter().any(|r| r.event() == "connection_opened"));
    assert!(off.requests().is_empty(), "a disabled webhook was called");
}

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

async fn changed_settings_apply_to_the_next_event(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let first = Receiver::start(always_ok()).await;
    let second = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&first.url, json!({"webhookSecret": "one"})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    first.wait_for_event("connection_opened").await;
    let response = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": second.url, "webhookSettings": {"secret": "two", "notifyReceived": true}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let before = first.requests().len();
    app.inbound(&app.admin_key, &id, "79005554433", "after the change")
        .await;
    let request = second.wait_for_event("message_received").await;
    assert_signed(&request, "two");
    assert_eq!(first.requests().len(), before);

    app.with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookSettings": {"notifyReceived": false}}))
        .send()
        .await
        .unwrap();
    app.inbound(&app.admin_key, &id, "79005554433", "not wanted")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        second
            .events()
            .iter()
            .filter(|e| *e == "message_received")
            .count(),
        1
    );
}

async fn a_webhook_turned_on_later_gets_only_what_happens_after(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Quiet"}))
        .await;
    // qr_received and connection_opened happen with no webhook set.
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let response = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": receiver.url, "webhookEnabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.inbound(&app.admin_key, &id, "79005554433", "after the change")
        .await;
    receiver.wait_for_event("message_received").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.events(), ["message_received"]);
}

async fn webhook_urls_on_private_addresses_are_refused(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.webhooks.allow_private_targets = false;
    })
    .await;
    for url in [
        "http://127.0.0.1:9000/hook",
        "http://169.254.169.254/",
        "http://[::1]/x",
        "http://10.0.0.8/hook",
        "http://localhost/hook",
    ] {
        let response = app
            .with_key(&app.admin_key, Method::POST, "/api/instances")
            .json(&json!({"name": "x", "webhookUrl": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "webhook_url_not_allowed",
            "{url}"
        );
    }
    let id = app
        .create_instance(
            &app.admin_key,
            json!({"name": "ok", "webhookUrl": "https://example.com/hook"}),
        )
        .await;
    let update = app
        .with_key(&app.admin_key, Method::PUT, &format!("/api/instances/{id}"))
        .json(&json!({"webhookUrl": "http://192.168.1.1/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(update, 400).await, "webhook_url_not_allowed");
}

async fn the_deliveries_listing_filters_and_never_shows_the_secret(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            webhook(&receiver.url, json!({"webhookSecret": "hidden-secret"})),
        )
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    receiver.wait_for_event("connection_opened").await;
    let listing = eventually("delivered rows", || async {
        let listing = app.deliveries(&app.admin_key, &id, "state=delivered").await;
        (listing["pagination"]["total"].as_u64().unwrap() >= 2).then_some(listing)
    })
    .await;
    let text = listing.to_string();
    assert!(!text.contains("hidden-secret"));
    let first = &listing["deliveries"][0];
    assert_eq!(first["state"], "delivered");
    assert!(first["payload"]["event"].is_string());
    assert!(first.get("signature").is_none());
    let page = app.deliveries(&app.admin_key, &id, "limit=1&skip=1").await;
    assert_eq!(page["deliveries"].as_array().unwrap().len(), 1);
    assert_eq!(page["pagination"]["limit"], 1);
    for query in ["state=lost", "limit=0", "limit=-3"] {
        let response = app
            .with_key(
                &app.admin_key,
                Method::GET,
                &format!("/api/instances/{id}/webhooks/deliveries?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{query}"
        );
    }
    let stranger = app
        .create_user("s@example.com", "stranger-password", "user")
        .await;
    let foreign = app
        .with_key(
            &stranger.api_key,
            Method::GET,
            &format!("/api/instances/{id}/webhooks/deliveries"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");
}
