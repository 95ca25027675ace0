//! Hostile input on every route: always a JSON 4xx (never a 500, never a hang),
//! and the server keeps serving.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestApp, TestDb, fast_sim, json_body, spawn_app_with};
use crate::routes::{Access, Body, Ids, all};

db_tests!(bad_input_on_every_route_gets_a_json_4xx_and_the_server_keeps_serving);

/// A JSON error in the contract's shape, with a 4xx status.
async fn assert_client_error(response: Response, what: &str) {
    let status = response.status().as_u16();
    let body = json_body(response).await;
    assert!(
        (400..500).contains(&status),
        "{what}: answered {status} {body}"
    );
    assert!(
        body["error"].is_string() && body["code"].is_string(),
        "{what}: {body}"
    );
}

/// Anything but a server error; errors must still be JSON.
async fn assert_not_server_error(response: Response, what: &str) {
    let status = response.status().as_u16();
    assert!(status < 500, "{what}: answered {status}");
    if status >= 400 {
        let body = json_body(response).await;
        assert!(body["code"].is_string(), "{what}: {body}");
    }
}

const HOSTILE_IDS: [&str; 7] = [
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "'%20OR%201=1;--",
    "%F0%9F%98%80",
    "null",
    "-1",
    "%E2%80%AEevil",
];

fn hostile_bodies(valid: &Value) -> Vec<(String, String)> {
    let mut bodies = vec![
        ("truncated JSON".to_owned(), "{\"a\": ".to_owned()),
        ("not JSON".to_owned(), "hello".to_owned()),
        ("an array".to_owned(), "[]".to_owned()),
        ("a number".to_owned(), "42".to_owned()),
        ("null".to_owned(), "null".to_owned()),
        (
            "a lone surrogate".to_owned(),
            "{\"name\": \"\\ud800\"}".to_owned(),
        ),
        (
            "deep nesting".to_owned(),
            format!("{}1{}", "[".repeat(10_000), "]".repeat(10_000)),
        ),
    ];
    if let Some(fields) = valid.as_object() {
        for key in fields.keys() {
            for (what, value) in [
                ("a number", json!(123)),
                ("an object", json!({"$gt": ""})),
                ("a huge string", json!("x".repeat(200_000))),
            ] {
                let mut body = valid.clone();
                body[key] = value;
                bodies.push((format!("{key} as {what}"), body.to_string()));
            }
        }
    }
    bodies
}

/// Inputs that may well be valid (a null optional field, unusual text): any
/// answer but a server error.
fn unusual_bodies(valid: &Value) -> Vec<(String, String)> {
    let strange = [
        "😀👍🏽",
        "\u{202e}evil",
        "\u{0000}",
        "e\u{301}\u{301}\u{301}",
        "\u{feff}",
        "مرحبا",
        "\t\n\r",
    ];
    let mut bodies = Vec::new();
    if let Some(fields) = valid.as_object() {
        for key in fields.keys() {
            let mut body = valid.clone();
            body[key] = Value::Null;
            bodies.push((format!("{key} as null"), body.to_string()));
        }
        for key in fields.keys().filter(|k| valid[*k].is_string()) {
            for text in strange {
                let mut body = valid.clone();
                body[key] = json!(text);
                bodies.push((format!("{key} = {text:?}"), body.to_string()));
            }
        }
    }
    bodies
}

async fn send(app: &TestApp, method: &Method, path: &str, body: Option<String>) -> Response {
    let mut request = app.with_key(&app.admin_key, method.clone(), path);
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body);
    }
    request.send().await.unwrap()
}

async fn bad_input_on_every_route_gets_a_json_4xx_and_the_server_keeps_serving(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.limits.requests_per_second = 0;
        s.limits.login_attempts_per_minute = 0;
    })
    .await;
    let instance = app
        .create_instance(&app.admin_key, json!({"name": "Target"}))
        .await;
    let user = app
        .create_user("target@example.com", "target-password", "user")
        .await;
    let ids = Ids {
        instance: &instance,
        user: &user.id,
    };

    for route in all() {
        if route.path == "/api/auth/api-key/rotate" {
            continue; // would change the key the sweep uses; it takes no input
        }
        let label = format!("{} {}", route.method, route.path);
        if let Body::Json(valid) = &route.body {
            let path = route.path_with(&ids);
            for (what, body) in hostile_bodies(valid) {
                assert_client_error(
                    send(&app, &route.method, &path, Some(body)).await,
                    &format!("{label}: {what}"),
                )
                .await;
            }
            for (what, body) in unusual_bodies(valid) {
                assert_not_server_error(
                    send(&app, &route.method, &path, Some(body)).await,
                    &format!("{label}: {what}"),
                )
                .await;
            }
            let too_big = format!(
                "{{\"x\": \"{}\"}}",
                "y".repeat(app.settings.server.json_limit_bytes)
            );
            let response = send(&app, &route.method, &path, Some(too_big)).await;
            assert_eq!(response.status(), 413, "{label}: oversized body");
        }
        if route.path.contains("{id}") && route.method != Method::DELETE {
            for id in HOSTILE_IDS
                .iter()
                .map(|s| s.to_string())
                .chain(["x".repeat(2000)])
            {
                let path = route.path_with(&Ids {
                    instance: &id,
                    user: &user.id,
                });
                let body = match &route.body {
                    Body::Json(valid) => Some(valid.to_string()),
                    _ => None,
                };
                assert_client_error(
                    send(&app, &route.method, &path, body).await,
                    &format!("{label}: id {id:.20}"),
                )
                .await;
            }
        }
        if route.method == Method::GET && route.access != Access::Public {
            let path = route.path_with(&ids);
            for query in [
                "limit=-1",
                "limit=99999999999999999999",
                "limit=1e3",
                "skip=-5",
                "skip=abc",
                "startDate=2023-13-45",
                "endDate=yesterday",
                "period=forever",
                "state=lost",
                "limit=0",
                "skip=1000000000001",
                "unknown=1",
            ] {
                let response = send(&app, &route.method, &format!("{path}?{query}"), None).await;
                assert_not_server_error(response, &format!("{label}?{query}")).await;
            }
        }
    }
    let health = app.request(Method::GET, "/health").send().await.unwrap();
    assert_eq!(health.status(), 200, "the server stopped serving");
    let list = app.get_json(&app.admin_key, "/api/instances").await;
    assert!(
        list["instances"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == instance.as_str())
    );
}
