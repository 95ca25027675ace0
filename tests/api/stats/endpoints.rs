//! Every statistics endpoint and period shows exactly what happened, also after a restart.

use std::collections::HashMap;

use base64::Engine;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{counters, get, without};
use crate::db_tests;
use crate::helpers::{TestApp, TestDb, fast_sim, spawn_app_with};
use crate::receiver::{Receiver, always_ok};

db_tests!(every_endpoint_and_period_shows_exactly_what_happened_and_survives_a_restart);

async fn every_endpoint_and_period_shows_exactly_what_happened_and_survives_a_restart(db: TestDb) {
    // No periodic flush: only the one at shutdown can carry the counts across the restart.
    let mut app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.stats.flush_interval_ms = 600_000;
    })
    .await;
    let other = app
        .create_user("other@example.com", "other-password", "user")
        .await;
    let admin = app.admin_key.clone();
    let one = app.create_instance(&admin, json!({"name": "One"})).await;
    let two = app.create_instance(&admin, json!({"name": "Two"})).await;
    let three = app
        .create_instance(&other.api_key, json!({"name": "Three"}))
        .await;
    app.pair(&admin, &one, "79001111111", "One").await;
    app.pair(&admin, &two, "79002222222", "Two").await;
    app.pair(&other.api_key, &three, "79003333333", "Three")
        .await;
    // What setting up cost in API calls; from here on the test counts them itself.
    let mut api: HashMap<&str, i64> = HashMap::new();
    for (id, key) in [(&one, &admin), (&two, &admin), (&three, &other.api_key)] {
        let today = get(&app, key, &format!("/api/stats/instances/{id}")).await;
        api.insert(id.as_str(), today["usage"]["apiCalls"].as_i64().unwrap());
    }

    let receiver = Receiver::start(always_ok()).await;
    let hook = app
        .with_key(&admin, Method::PUT, &format!("/api/instances/{one}"))
        .json(&json!({"webhookUrl": receiver.url, "webhookEnabled": true,
                      "webhookSettings": {"notifyReceived": false, "notifySent": true,
                                          "notifyDelivery": false, "notifyRead": false}}))
        .send()
        .await
        .unwrap();
    assert_eq!(hook.status(), 200);
    *api.get_mut(one.as_str()).unwrap() += 1;

    for n in 0..3 {
        assert_eq!(
            app.send_text(&admin, &one, "79002222222", &format!("t{n}"))
                .await
                .status(),
            200
        );
        *api.get_mut(one.as_str()).unwrap() += 1;
    }
    let file = Form::new().text("phone", "79003333333").part(
        "file",
        Part::bytes(vec![1u8; 1000])
            .file_name("a.bin")
            .mime_str("image/png")
            .unwrap(),
    );
    let sent_file = app
        .with_key(
            &admin,
            Method::POST,
            &format!("/api/whatsapp/{one}/send-file"),
        )
        .multipart(file)
        .send()
        .await
        .unwrap();
    assert_eq!(sent_file.status(), 200);
    *api.get_mut(one.as_str()).unwrap() += 1;
    for n in 0..2 {
        assert_eq!(
            app.send_text(&other.api_key, &three, "79001111111", &format!("r{n}"))
                .await
                .status(),
            200
        );
        *api.get_mut(three.as_str()).unwrap() += 1;
    }
    app.inbound(&admin, &two, "79005554433", "hello").await;
    let picture = base64::engine::general_purpose::STANDARD.encode(vec![9u8; 500]);
    let media = app
        .with_key(
            &admin,
            Method::POST,
            &format!("/api/sim/instances/{two}/inbound"),
        )
        .json(&json!({"from": "79005554433", "media": {"mimetype": "image/jpeg", "data": picture}}))
        .send()
        .await
        .unwrap();
    assert_eq!(media.status(), 200);
    // A stranger's calls to an instance they cannot see count for nobody.
    let denied = app
        .send_text(&other.api_key, &one, "79002222222", "x")
        .await;
    assert_eq!(denied.status(), 404);
    // Distinct deliveries: a slow attempt may be repeated under the same X-Webhook-Id.
    let delivered = receiver
        .wait_until("four message_sent webhooks", |r| {
            crate::receiver::distinct(r)
                .iter()
                .filter(|d| d.event() == "message_sent")
                .count()
                == 4
        })
        .await;
    let events: Vec<String> = crate::receiver::distinct(&delivered)
        .iter()
        .map(|d| d.event())
        .collect();
    assert_eq!(
        events.len(),
        4,
        "only the four sends were delivered: {events:?}"
    );
    crate::helpers::eventually("webhooks counted", || async {
        let usage = get(&app, &admin, &format!("/api/stats/instances/{one}")).await;
        (usage["usage"]["webhookSent"] == 4).then_some(())
    })
    .await;

    let expected_one = counters(4, 2, 1, 0, 1000, api[one.as_str()], 4);
    let expected_two = counters(0, 5, 0, 1, 500, api[two.as_str()], 0);
    let expected_three = counters(2, 1, 0, 1, 1000, api[three.as_str()], 0);

    let scenario = Scenario {
        admin: admin.clone(),
        other_key: other.api_key.clone(),
        one: one.clone(),
        two: two.clone(),
        three: three.clone(),
        e1: expected_one,
        e2: expected_two,
        e3: expected_three,
    };
    check(&app, &scenario, "before the restart").await;

    // Reconnecting after the restart would send connection webhooks: turn them off first.
    let off = app
        .with_key(&admin, Method::PUT, &format!("/api/instances/{one}"))
        .json(&json!({"webhookEnabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), 200);
    let mut scenario = scenario;
    scenario.e1["apiCalls"] = json!(scenario.e1["apiCalls"].as_i64().unwrap() + 1);
    app.restart().await;
    // Waiting through system statistics: status polls would count as API calls.
    crate::helpers::eventually("the instances to reconnect", || async {
        let system = get(&app, &admin, "/api/stats/system").await;
        (system["instances"]["active"] == 3).then_some(())
    })
    .await;
    check(&app, &scenario, "after the restart").await;
}

struct Scenario {
    admin: String,
    other_key: String,
    one: String,
    two: String,
    three: String,
    e1: Value,
    e2: Value,
    e3: Value,
}

/// Every endpoint and period against what the scenario did (all of it today).
async fn check(app: &TestApp, s: &Scenario, phase: &str) {
    let Scenario {
        admin,
        other_key,
        one,
        two,
        three,
        e1,
        e2,
        e3,
    } = s;
    for period in [
        "",
        "?period=today",
        "?period=week",
        "?period=month",
        "?period=all",
    ] {
        let usage =
            get(app, admin, &format!("/api/stats/instances/{one}{period}")).await["usage"].clone();
        assert_eq!(
            &without(usage.clone(), "dailyStats"),
            e1,
            "instance one {period}, {phase}"
        );
        let today = format!("{}T00:00:00.000Z", chrono::Utc::now().format("%Y-%m-%d"));
        assert_eq!(
            usage["dailyStats"],
            json!([{"date": today, "messagesSent": 4, "messagesReceived": 2, "mediaSent": 1, "mediaReceived": 0}])
        );
        let usage = get(
            app,
            other_key,
            &format!("/api/stats/instances/{three}{period}"),
        )
        .await;
        assert_eq!(
            &without(usage["usage"].clone(), "dailyStats"),
            e3,
            "instance three {period}"
        );
    }
    for period in [
        "",
        "?period=week",
        "?period=month",
        "?period=year",
        "?period=all",
    ] {
        let stats = get(app, admin, &format!("/api/stats/user{period}")).await;
        let mut item_one = e1.clone();
        item_one["instanceId"] = json!(one);
        item_one["name"] = json!("One");
        let mut item_two = e2.clone();
        item_two["instanceId"] = json!(two);
        item_two["name"] = json!("Two");
        assert_eq!(
            stats["instances"],
            json!([item_one, item_two]),
            "user {period}"
        );
        let sum = |k: &str| e1[k].as_i64().unwrap() + e2[k].as_i64().unwrap();
        let mut total = counters(
            sum("messagesSent"),
            sum("messagesReceived"),
            sum("mediaSent"),
            sum("mediaReceived"),
            sum("totalMediaSize"),
            sum("apiCalls"),
            sum("webhookSent"),
        );
        total["instanceCount"] = json!(2);
        assert_eq!(stats["total"], total, "user total {period}");
        let theirs = get(app, other_key, &format!("/api/stats/user{period}")).await;
        let mut total = e3.clone();
        total["instanceCount"] = json!(1);
        assert_eq!(theirs["total"], total);
    }
    let system = get(app, admin, "/api/stats/system").await;
    assert_eq!(system["instances"], json!({"total": 3, "active": 3}));
    assert_eq!(system["users"], json!({"total": 2, "active": 2}));
    let all = |k: &str| e1[k].as_i64().unwrap() + e2[k].as_i64().unwrap() + e3[k].as_i64().unwrap();
    assert_eq!(
        system["usage"],
        counters(
            all("messagesSent"),
            all("messagesReceived"),
            all("mediaSent"),
            all("mediaReceived"),
            all("totalMediaSize"),
            all("apiCalls"),
            all("webhookSent")
        )
    );
}
