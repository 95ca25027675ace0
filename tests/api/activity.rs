use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    activity_filters_by_actions_and_dates_with_pagination,
    activity_refuses_bad_dates_and_limits,
    whoever_sees_a_new_status_finds_its_activity_and_events_already_out,
);

/// Polls the status route without pause until `done` holds; returns that status.
async fn spin_until(
    app: &crate::helpers::TestApp,
    id: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    for _ in 0..20_000 {
        let status = app.status(&app.admin_key, id).await["status"]
            .as_str()
            .unwrap()
            .to_owned();
        if done(&status) {
            return status;
        }
    }
    panic!("status never changed");
}

/// The status route reads what the instance actor publishes, not its mailbox:
/// the actor publishes a change last, so a client that sees it can already read
/// the change's activity entry, and its events are queued before anything the
/// client does next (turning webhooks off here must not lose them).
async fn whoever_sees_a_new_status_finds_its_activity_and_events_already_out(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = crate::receiver::Receiver::start(crate::receiver::always_ok()).await;
    for n in 0..5 {
        let id = app
            .create_instance(
                &app.admin_key,
                json!({"name": format!("Seen {n}"), "webhookUrl": receiver.url, "webhookEnabled": true}),
            )
            .await;
        app.wait_for_status(&app.admin_key, &id, "qr").await;
        let scan = app
            .as_admin(Method::POST, &format!("/api/sim/instances/{id}/scan"))
            .json(&json!({"phone": format!("7900700000{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(scan.status(), 200);
        spin_until(&app, &id, |status| status == "connected").await;
        assert!(
            app.actions(&app.admin_key, &id)
                .await
                .contains(&"connection_opened".to_owned())
        );

        let fault = app
            .as_admin(Method::POST, &format!("/api/sim/instances/{id}/fault"))
            .json(&json!({"kind": "disconnect"}))
            .send()
            .await
            .unwrap();
        assert_eq!(fault.status(), 200);
        spin_until(&app, &id, |status| status != "connected").await;
        assert!(
            app.actions(&app.admin_key, &id)
                .await
                .contains(&"connection_closed".to_owned())
        );
        let off = app
            .as_admin(Method::PUT, &format!("/api/instances/{id}"))
            .json(&json!({"webhookEnabled": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(off.status(), 200);
        receiver
            .wait_until("the instance's connection webhooks", |requests| {
                let of_this: Vec<_> = requests
                    .iter()
                    .filter(|r| r.json()["data"]["instanceId"] == id.as_str())
                    .map(|r| r.event())
                    .collect();
                of_this.contains(&"connection_opened".to_owned())
                    && of_this.contains(&"connection_closed".to_owned())
            })
            .await;
    }
    receiver.stop().await;
}

async fn activity_filters_by_actions_and_dates_with_pagination(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Logged"}))
        .await;
    app.pair(&app.admin_key, &id, "79001234567", "L").await;
    let get = |query: String| {
        let app = &app;
        let id = id.clone();
        async move {
            let response = app
                .with_key(
                    &app.admin_key,
                    Method::GET,
                    &format!("/api/instances/{id}/activity?{query}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            json_body(response).await
        }
    };
    let all = get(String::new()).await;
    let total = all["pagination"]["total"].as_u64().unwrap();
    assert!(total >= 5);
    assert_eq!(all["pagination"]["limit"], 100);
    let newest = &all["logs"][0];
    assert_eq!(newest["action"], "connection_opened");
    assert_eq!(newest["instanceId"], id.as_str());
    assert!(newest["details"].is_object());

    let filtered = get("actions=paired,connection_opened".into()).await;
    let actions: Vec<_> = filtered["logs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["action"].clone())
        .collect();
    assert_eq!(actions, [json!("connection_opened"), json!("paired")]);
    assert_eq!(filtered["pagination"]["total"], 2);

    let page = get("limit=2&skip=1".into()).await;
    assert_eq!(page["logs"].as_array().unwrap().len(), 2);
    assert_eq!(page["logs"][0]["id"], all["logs"][1]["id"]);
    assert_eq!(
        page["pagination"],
        json!({"total": total, "limit": 2, "skip": 1, "hasMore": total > 3})
    );

    let future = get("startDate=2999-01-01T00:00:00Z".into()).await;
    assert_eq!(future["pagination"]["total"], 0);
    let past = get("endDate=2000-01-01".into()).await;
    assert_eq!(past["pagination"]["total"], 0);
    let created = all["logs"].as_array().unwrap().last().unwrap()["createdAt"]
        .as_str()
        .unwrap()
        .to_owned();
    let window = get(format!(
        "startDate={created}&endDate={created}&actions=instance_created"
    ))
    .await;
    assert_eq!(window["pagination"]["total"], 1);
}

async fn activity_refuses_bad_dates_and_limits(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Logged"}))
        .await;
    for (query, code) in [
        ("startDate=yesterday", "validation_error"),
        ("endDate=2023-13-45", "validation_error"),
        ("limit=0", "validation_error"),
        ("limit=100000", "validation_error"),
        ("skip=-5", "validation_error"),
        ("limit=ten", "invalid_query"),
        ("bogus=1", "invalid_query"),
    ] {
        let response = app
            .with_key(
                &app.admin_key,
                Method::GET,
                &format!("/api/instances/{id}/activity?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 400).await, code, "{query}");
    }
}
