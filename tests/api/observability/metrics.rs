//! The Prometheus scrape: what it counts after a scenario, and who may read it.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, assert_error, eventually, spawn_app_with, spawn_sim_app};
use crate::receiver::{Receiver, always_ok};

db_tests!(metrics_after_a_scenario_count_what_happened);

pub(crate) fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| !line.starts_with('#'))
        .find_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            let matches = metric == name
                && labels
                    .iter()
                    .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\"")));
            matches.then(|| value.parse().ok()).flatten()
        })
}

pub(crate) async fn scrape(app: &TestApp) -> String {
    let response = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    response.text().await.unwrap()
}

async fn metrics_after_a_scenario_count_what_happened(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let (alice, bob) = app.alice_and_bob().await;
    let hooked = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Hooked", "webhookUrl": receiver.url, "webhookEnabled": true}),
        )
        .await;
    app.pair(&app.admin_key, &hooked, "79003333333", "Carol")
        .await;
    for text in ["one", "two", "three"] {
        let response = app
            .send_text(&app.admin_key, &alice, "79002222222", text)
            .await;
        assert_eq!(response.status(), 200);
    }
    app.inbound(&app.admin_key, &hooked, "79005555555", "hello")
        .await;
    receiver.wait_for_event("message_received").await;
    app.fault(&app.admin_key, &bob, "disconnect").await;
    app.wait_for_status(&app.admin_key, &bob, "connected").await;
    let parked = app
        .create_instance(&app.admin_key, json!({"name": "Waiting"}))
        .await;
    app.wait_for_status(&app.admin_key, &parked, "qr").await;
    let missing = app
        .as_admin(
            Method::GET,
            "/api/instances/0193a0c2-6f1e-7c3b-9a2d-4b8f2e1d0c5a",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let metrics = eventually("the delivery counted", || async {
        let metrics = scrape(&app).await;
        let delivered = sample(
            &metrics,
            "wamux_webhook_deliveries_total",
            &[("outcome", "delivered")],
        );
        let flushed = sample(&metrics, "wamux_stats_flushes_total", &[("result", "ok")]);
        (delivered.is_some_and(|n| n >= 1.0) && flushed.is_some_and(|n| n >= 1.0))
            .then_some(metrics)
    })
    .await;
    let value = |name: &str, labels: &[(&str, &str)]| {
        sample(&metrics, name, labels)
            .unwrap_or_else(|| panic!("{name} {labels:?} missing:\n{metrics}"))
    };
    assert_eq!(value("wamux_instances", &[("status", "connected")]), 3.0);
    assert_eq!(value("wamux_instances", &[("status", "qr")]), 1.0);
    assert_eq!(value("wamux_instances", &[("status", "failed")]), 0.0);
    assert!(value("wamux_messages_sent_total", &[]) >= 3.0);
    assert!(
        value("wamux_messages_received_total", &[]) >= 4.0,
        "three at Bob, one at Carol"
    );
    assert!(value("wamux_session_restarts_total", &[]) >= 1.0);
    assert_eq!(value("wamux_supervisor_give_ups_total", &[]), 0.0);
    assert!(value("wamux_webhook_delivery_seconds_count", &[]) >= 1.0);
    assert!(value("wamux_webhook_outbox_depth", &[]) >= 0.0);
    assert!(value("wamux_stats_flushes_total", &[("result", "ok")]) >= 1.0);
    let sends = value(
        "wamux_http_requests_total",
        &[
            ("endpoint", "/api/whatsapp/{instance_id}/send"),
            ("method", "POST"),
            ("status", "200"),
        ],
    );
    assert_eq!(
        sends, 3.0,
        "requests are counted by route pattern, not raw path"
    );
    assert!(
        value(
            "wamux_http_requests_duration_seconds_count",
            &[
                ("endpoint", "/api/instances/{instance_id}"),
                ("status", "404")
            ],
        ) >= 1.0
    );
    assert!(!metrics.contains(&alice), "no instance ids as label values");
    assert!(!metrics.contains(&app.admin_key), "no secrets");
    receiver.stop().await;
}

#[actix_web::test]
async fn metrics_need_the_token_or_an_allowed_address() {
    let app = spawn_app_with(TestDb::Sqlite, |s| {
        s.metrics.allowed_ips = vec![wamux::net::client_ip::IpRange::parse("10.0.0.0/8").unwrap()];
    })
    .await;
    let refused = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(assert_error(refused, 403).await, "forbidden");

    let app = spawn_app_with(TestDb::Sqlite, |s| {
        s.metrics.token = "scrape-token-0123456789".to_owned().into();
    })
    .await;
    let anonymous = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(
        anonymous.status(),
        403,
        "with a token set, even localhost needs it"
    );
    let wrong = app
        .request(Method::GET, "/metrics")
        .bearer_auth("scrape-token-wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let admin = app.as_admin(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(
        admin.status(),
        403,
        "a user's token is not the scrape token"
    );
    let scraped = app
        .request(Method::GET, "/metrics")
        .bearer_auth("scrape-token-0123456789")
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.unwrap().contains("wamux_instances"));

    let app = spawn_app_with(TestDb::Sqlite, |s| s.metrics.enabled = false).await;
    let off = app.request(Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(off.status(), 404);
}
