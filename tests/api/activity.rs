use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, json_body, spawn_sim_app};

db_tests!(
    activity_filters_by_actions_and_dates_with_pagination,
    activity_refuses_bad_dates_and_limits,
);

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
