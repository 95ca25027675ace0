//! Bad input to the group routes: a clear 4xx naming what is wrong, and
//! nothing changed.

use reqwest::Method;
use serde_json::{Value, json};

use super::{BOB, alices_group, error_code, groups, member, ok_json, trio};
use crate::db_tests;
use crate::helpers::{TestDb, spawn_sim_app};

db_tests!(
    malformed_and_unknown_groups_are_refused,
    bad_subjects_and_participant_lists_are_refused_naming_the_field,
    group_routes_need_a_connected_instance_of_the_caller
);

async fn malformed_and_unknown_groups_are_refused(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let trio = trio(&app).await;
    let group = alices_group(&app, &trio, "Real").await;
    let alice = &trio.alice.id;
    let routes: [(Method, &str, Option<Value>); 6] = [
        (Method::GET, "", None),
        (Method::PATCH, "", Some(json!({"subject": "x"}))),
        (
            Method::POST,
            "/participants",
            Some(json!({"action": "add", "participants": [BOB]})),
        ),
        (Method::GET, "/invite", None),
        (Method::DELETE, "/invite", None),
        (Method::POST, "/leave", None),
    ];
    for (method, route, body) in &routes {
        for bad in [
            "79001234567@s.whatsapp.net",
            "abc",
            "12-x@g.us",
            "1@g.us@g.us",
        ] {
            let response = groups(
                &app,
                alice,
                method.clone(),
                &format!("/{bad}{route}"),
                body.clone(),
            )
            .await;
            assert_eq!(
                error_code(response, 400).await,
                "invalid_group",
                "{method} {bad}{route}"
            );
        }
        let response = groups(
            &app,
            alice,
            method.clone(),
            &format!("/120363999999999999{route}"),
            body.clone(),
        )
        .await;
        assert_eq!(
            error_code(response, 404).await,
            "group_not_found",
            "{method} {route}"
        );
    }
    for invite in ["", "not a code!", "https://example.com/abc?x=1"] {
        let response = groups(
            &app,
            alice,
            Method::POST,
            "/join",
            Some(json!({"invite": invite})),
        )
        .await;
        assert_eq!(
            error_code(response, 400).await,
            "validation_error",
            "{invite}"
        );
    }
    // `join` is a route, not a group: other methods there are refused as such.
    for method in [Method::GET, Method::PATCH, Method::DELETE] {
        let response = groups(
            &app,
            alice,
            method.clone(),
            "/join",
            Some(json!({"subject": "x"})),
        )
        .await;
        assert_eq!(response.headers()["allow"], "POST", "{method}");
        assert_eq!(
            error_code(response, 405).await,
            "method_not_allowed",
            "{method}"
        );
    }
    let response = groups(
        &app,
        alice,
        Method::POST,
        "/join",
        Some(json!({"invite": "NoSuchCode123"})),
    )
    .await;
    assert_eq!(error_code(response, 404).await, "group_not_found");
    let response = groups(
        &app,
        alice,
        Method::POST,
        &format!("/{group}/participants"),
        Some(json!({"action": "kick", "participants": [BOB]})),
    )
    .await;
    assert_eq!(error_code(response, 400).await, "validation_error");
    // Nothing changed.
    let read = ok_json(groups(&app, alice, Method::GET, &format!("/{group}"), None).await).await;
    assert_eq!(read["subject"], "Real");
    assert_eq!(read["participants"].as_array().unwrap().len(), 3);
}

async fn bad_subjects_and_participant_lists_are_refused_naming_the_field(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let alice = member(&app, "Alice", "79001111111", json!({})).await;
    let create = |body: Value| groups(&app, &alice.id, Method::POST, "", Some(body));
    let too_many: Vec<String> = (0..257).map(|n| format!("7900{n:07}")).collect();
    let cases = [
        (json!({"subject": "", "participants": [BOB]}), "subject"),
        (json!({"subject": "   ", "participants": [BOB]}), "subject"),
        (
            json!({"subject": "x".repeat(101), "participants": [BOB]}),
            "subject",
        ),
        (json!({"subject": "ok", "participants": []}), "participants"),
        (
            json!({"subject": "ok", "participants": too_many}),
            "participants",
        ),
        (
            json!({"subject": "ok", "participants": [BOB, "not a phone"]}),
            "participants[1]",
        ),
        (
            json!({"subject": "ok", "participants": ["120363000000000001@g.us"]}),
            "participants[0]",
        ),
        (
            json!({"subject": "ok", "participants": [BOB], "description": "d".repeat(2049)}),
            "description",
        ),
    ];
    for (body, field) in cases {
        let response = create(body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert!(
            error["error"].as_str().unwrap().starts_with(field),
            "{field}: {error}"
        );
    }
    let response = create(json!({"subject": "ok"})).await;
    assert_eq!(error_code(response, 400).await, "validation_error");
    let response = create(json!({"subject": "x".repeat(100), "participants": [BOB]})).await;
    assert_eq!(response.status(), 201);
    let group = ok_json(response).await["id"].as_str().unwrap().to_owned();
    let response = groups(
        &app,
        &alice.id,
        Method::POST,
        &format!("/{group}/participants"),
        Some(json!({"action": "add", "participants": []})),
    )
    .await;
    assert_eq!(error_code(response, 400).await, "validation_error");
    let response = groups(
        &app,
        &alice.id,
        Method::PATCH,
        &format!("/{group}"),
        Some(json!({"subject": ""})),
    )
    .await;
    assert_eq!(error_code(response, 400).await, "validation_error");
}

async fn group_routes_need_a_connected_instance_of_the_caller(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let unpaired = app
        .create_instance(&app.admin_key, json!({"name": "Waiting"}))
        .await;
    let group = "120363000000000001";
    let routes: [(Method, String, Option<Value>); 9] = [
        (Method::GET, String::new(), None),
        (
            Method::POST,
            String::new(),
            Some(json!({"subject": "s", "participants": [BOB]})),
        ),
        (
            Method::POST,
            "/join".into(),
            Some(json!({"invite": "Abc123"})),
        ),
        (Method::GET, format!("/{group}"), None),
        (
            Method::PATCH,
            format!("/{group}"),
            Some(json!({"subject": "s"})),
        ),
        (
            Method::POST,
            format!("/{group}/participants"),
            Some(json!({"action": "add", "participants": [BOB]})),
        ),
        (Method::GET, format!("/{group}/invite"), None),
        (Method::DELETE, format!("/{group}/invite"), None),
        (Method::POST, format!("/{group}/leave"), None),
    ];
    let stranger = app
        .create_user("stranger@example.com", "a-long-password-1", "user")
        .await;
    for (method, route, body) in routes {
        let response = groups(&app, &unpaired, method.clone(), &route, body.clone()).await;
        assert_eq!(
            error_code(response, 409).await,
            "instance_not_connected",
            "{method} {route}"
        );
        let mut request = app.with_key(
            &stranger.api_key,
            method.clone(),
            &format!("/api/whatsapp/{unpaired}/groups{route}"),
        );
        if let Some(body) = &body {
            request = request.json(body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(
            error_code(response, 404).await,
            "instance_not_found",
            "{method} {route}"
        );
    }
}
