use std::collections::HashMap;

use base64::Engine;
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use wamux::db::usage::{Counters, DayUsage};

use crate::db_tests;
use crate::helpers::{
    TestApp, TestDb, assert_error, fast_sim, json_body, spawn_app_with, spawn_sim_app,
};
use crate::receiver::{Receiver, always_ok};

db_tests!(
    every_endpoint_and_period_shows_exactly_what_happened_and_survives_a_restart,
    periods_cover_the_right_past_days,
    racing_flushes_neither_lose_nor_double_counts,
    statistics_refuse_bad_periods_strangers_and_non_admins,
    counts_reach_the_table_on_the_flush_interval,
);

async fn get(app: &TestApp, key: &str, path: &str) -> Value {
    let response = app.with_key(key, Method::GET, path).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    json_body(response).await
}

fn counters(
    sent: i64,
    received: i64,
    media_sent: i64,
    media_received: i64,
    size: i64,
    api: i64,
    hooks: i64,
) -> Value {
    json!({"messagesSent": sent, "messagesReceived": received, "mediaSent": media_sent,
           "mediaReceived": media_received, "totalMediaSize": size, "apiCalls": api, "webhookSent": hooks})
}

fn without(mut value: Value, key: &str) -> Value {
    value.as_object_mut().unwrap().remove(key);
    value
}

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

fn day(days_ago: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days_ago)).to_string()
}

async fn periods_cover_the_right_past_days(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Old"}))
        .await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let rows = [
        (6, 1),
        (7, 10),
        (29, 100),
        (30, 1000),
        (364, 10_000),
        (365, 100_000),
    ]
    .into_iter()
    .map(|(ago, sent)| DayUsage {
        instance_id: id.clone(),
        day: day(ago),
        counters: Counters {
            messages_sent: sent,
            ..Counters::default()
        },
    })
    .collect();
    wamux::db::usage::add(&db, rows).await.unwrap();
    let sent = |value: &Value| value["messagesSent"].as_i64().unwrap();
    for (period, expected) in [("today", 0), ("week", 1), ("month", 111), ("all", 111_111)] {
        let usage = get(
            &app,
            &app.admin_key,
            &format!("/api/stats/instances/{id}?period={period}"),
        )
        .await;
        assert_eq!(sent(&usage["usage"]), expected, "instance {period}");
    }
    for (period, expected) in [
        ("week", 1),
        ("month", 111),
        ("year", 11_111),
        ("all", 111_111),
    ] {
        let stats = get(
            &app,
            &app.admin_key,
            &format!("/api/stats/user?period={period}"),
        )
        .await;
        assert_eq!(sent(&stats["total"]), expected, "user {period}");
    }
    let month = get(
        &app,
        &app.admin_key,
        &format!("/api/stats/instances/{id}?period=month"),
    )
    .await;
    let dates: Vec<Value> = month["usage"]["dailyStats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["date"].clone())
        .collect();
    let iso = |ago: i64| json!(format!("{}T00:00:00.000Z", day(ago)));
    assert_eq!(
        dates,
        [iso(29), iso(7), iso(6)],
        "oldest first, only days with activity"
    );
    let default = get(&app, &app.admin_key, "/api/stats/user").await;
    assert_eq!(sent(&default["total"]), 111, "the user default is month");
}

async fn racing_flushes_neither_lose_nor_double_counts(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let keys: Vec<(String, String)> = (0..20)
        .map(|n| (format!("instance-{n}"), day(n % 3)))
        .collect();
    let flushes = (0..8).map(|_| {
        let db = db.clone();
        let keys = keys.clone();
        actix_web::rt::spawn(async move {
            for _ in 0..5 {
                let mut batch: Vec<DayUsage> = keys
                    .iter()
                    .map(|(instance_id, day)| DayUsage {
                        instance_id: instance_id.clone(),
                        day: day.clone(),
                        counters: Counters {
                            api_calls: 1,
                            total_media_size: 10,
                            ..Counters::default()
                        },
                    })
                    .collect();
                batch.reverse();
                wamux::db::usage::add(&db, batch).await.unwrap();
            }
        })
    });
    for flush in flushes.collect::<Vec<_>>() {
        flush.await.unwrap();
    }
    let stored = wamux::db::usage::read(&db, None, None).await.unwrap();
    assert_eq!(stored.len(), 20);
    for row in stored {
        assert_eq!(row.counters.api_calls, 40, "{}", row.instance_id);
        assert_eq!(row.counters.total_media_size, 400);
    }
}

async fn statistics_refuse_bad_periods_strangers_and_non_admins(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Mine"}))
        .await;
    let user = app
        .create_user("u@example.com", "user-password", "user")
        .await;
    for path in [
        "/api/stats/user?period=today".to_string(),
        "/api/stats/user?period=decade".to_string(),
        format!("/api/stats/instances/{id}?period=year"),
        "/api/stats/system?period=x".to_string(),
    ] {
        let response = app
            .with_key(&app.admin_key, Method::GET, &path)
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(response, 400).await,
            "validation_error",
            "{path}"
        );
    }
    let system = app
        .with_key(&user.api_key, Method::GET, "/api/stats/system")
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(system, 403).await, "forbidden");
    let foreign = app
        .with_key(
            &user.api_key,
            Method::GET,
            &format!("/api/stats/instances/{id}"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");
    let anonymous = app
        .request(Method::GET, "/api/stats/user")
        .send()
        .await
        .unwrap();
    assert_error(anonymous, 401).await;
}

async fn counts_reach_the_table_on_the_flush_interval(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Flushed"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let db = sea_orm::Database::connect(app.settings.database.url.as_str())
        .await
        .unwrap();
    let stored = crate::helpers::eventually("a periodic flush", || async {
        let rows = wamux::db::usage::read(&db, Some(std::slice::from_ref(&id)), None)
            .await
            .unwrap();
        rows.first().filter(|r| r.counters.api_calls > 0).cloned()
    })
    .await;
    assert_eq!(stored.day, day(0));
}
