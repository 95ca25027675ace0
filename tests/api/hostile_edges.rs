//! Hostile input, round three, the smaller findings: HEAD where GET is,
//! IPv6 literals that do not parse, integral floats in every integer field,
//! zero-width names, bidi overrides, and long paths echoed back.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::db_tests;
use crate::helpers::*;

db_tests!(
    head_answers_as_get_does_without_a_body,
    a_url_with_a_bracketed_host_that_is_no_ipv6_address_is_refused,
    integral_floats_count_as_integers_in_every_integer_field,
    zero_width_names_are_blank_and_names_refuse_bidi_controls,
    a_long_path_is_not_echoed_back_whole,
);

/// The raw answer to `HEAD path`: everything the server sent until it closed
/// the connection (`Connection: close`), so a body would show.
async fn raw_head(app: &TestApp, path: &str) -> String {
    let address = app.url("").trim_start_matches("http://").to_owned();
    let mut socket = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!(
        "HEAD {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        app.admin_token
    );
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), socket.read_to_end(&mut answer))
        .await
        .unwrap_or_else(|_| panic!("HEAD {path} did not end"))
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

async fn head_answers_as_get_does_without_a_body(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Headed"}))
        .await;
    for path in [
        "/health".to_owned(),
        "/api/auth/me".to_owned(),
        format!("/api/instances/{id}"),
        // An endless event stream: its HEAD ends at once.
        format!("/api/instances/{id}/events"),
    ] {
        let get = app.as_admin(Method::GET, &path).send().await.unwrap();
        let head = app.as_admin(Method::HEAD, &path).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "{path}");
        assert_eq!(head.status(), 200, "{path}");
        for name in ["content-type", "cache-control", "x-content-type-options"] {
            assert_eq!(
                head.headers().get(name),
                get.headers().get(name),
                "{path}: {name}"
            );
        }
        drop(get);
        let raw = raw_head(&app, &path).await;
        assert!(raw.starts_with("HTTP/1.1 200"), "{path}: {raw}");
        let (_, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(
            body.is_empty(),
            "{path}: a HEAD answer with a body: {body:?}"
        );
    }
    // A sized body's length is stated as GET's would be.
    let get = app.as_admin(Method::GET, "/health").send().await.unwrap();
    let length = get.headers()["content-length"].to_str().unwrap().to_owned();
    let raw = raw_head(&app, "/health").await;
    assert!(
        raw.contains(&format!("\r\ncontent-length: {length}\r\n")),
        "{raw}"
    );
    // Without credentials: the same 401 as GET's.
    let head = app
        .request(Method::HEAD, &format!("/api/instances/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 401);
    // A route without GET has no HEAD either, and a GET route's Allow names HEAD.
    let head = app
        .request(Method::HEAD, "/api/auth/login")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()["allow"], "POST");
    let delete = app
        .as_admin(Method::DELETE, &format!("/api/instances/{id}/activity"))
        .send()
        .await
        .unwrap();
    assert_eq!(delete.headers()["allow"], "GET, HEAD");
    assert_eq!(assert_error(delete, 405).await, "method_not_allowed");
}

async fn a_url_with_a_bracketed_host_that_is_no_ipv6_address_is_refused(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Urls"}))
        .await;
    for url in [
        "http://[:::]/",
        "http://[1:2:]/",
        "https://[1::2::3]:8080/x",
    ] {
        let created = app
            .as_admin(Method::POST, "/api/instances")
            .json(&json!({"name": "Hooked", "webhookUrl": url}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(created, 400).await,
            "validation_error",
            "{url}"
        );
        let media = app
            .as_admin(Method::POST, &format!("/api/whatsapp/{id}/send-media"))
            .json(&json!({"phone": "79001234567", "url": format!("{url}a.jpg")}))
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(media, 400).await, "validation_error", "{url}");
    }
    let created = app
        .as_admin(Method::POST, "/api/instances")
        .json(&json!({"name": "Hooked", "webhookUrl": "http://[2606:4700:4700::1111]:9/hook"}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

async fn integral_floats_count_as_integers_in_every_integer_field(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, _bob) = app.alice_and_bob().await;
    let poll = |count: Value| {
        app.as_admin(Method::POST, &format!("/api/whatsapp/{alice}/send-poll"))
            .json(&json!({"phone": "79002222222", "question": "Lunch?", "options": ["Yes", "No"], "selectableCount": count}))
            .send()
    };
    for count in [json!(1.0), json!(2.0), json!(2)] {
        let sent = poll(count.clone()).await.unwrap();
        assert!(sent.status().is_success(), "{count}: {}", sent.status());
    }
    for count in [json!(1.5), json!(3.0), json!(0.0), json!("1")] {
        let refused = poll(count.clone()).await.unwrap();
        assert_eq!(
            assert_error(refused, 400).await,
            "validation_error",
            "{count}"
        );
    }
    let created = app
        .as_admin(Method::POST, "/api/instances")
        .json(&json!({"name": "Floats", "maxRetries": 3.0, "retryInterval": 1000.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

async fn zero_width_names_are_blank_and_names_refuse_bidi_controls(db: TestDb) {
    let app = spawn_sim_app(db).await;
    for name in [
        "\u{200b}",
        "\u{200c}\u{200d}\u{2060}",
        " \u{feff} ",
        "Sales\u{202e}txt.exe",
        "\u{2066}x",
    ] {
        let created = app
            .as_admin(Method::POST, "/api/instances")
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            assert_error(created, 400).await,
            "validation_error",
            "{name:?}"
        );
    }
    let (alice, _bob) = app.alice_and_bob().await;
    let text = app
        .send_text(&app.admin_key, &alice, "79002222222", "\u{200b}\u{200b}")
        .await;
    assert_eq!(assert_error(text, 400).await, "validation_error");
    let user = app
        .as_admin(Method::POST, "/api/admin/users")
        .json(&json!({"email": "rlo@example.com", "password": "rlo-password", "firstName": "Ann\u{202e}", "lastName": "", "role": "user"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(user, 400).await, "validation_error");
}

async fn a_long_path_is_not_echoed_back_whole(db: TestDb) {
    let app = spawn_app(db).await;
    let long = "a".repeat(60 * 1024);
    for path in [format!("/console/{long}"), format!("/api/{long}")] {
        let response = app.as_admin(Method::GET, &path).send().await.unwrap();
        assert_eq!(response.status(), 404);
        let text = response.text().await.unwrap();
        assert!(text.len() < 1000, "{} bytes echoed", text.len());
        let body: Value = serde_json::from_str(&text).unwrap();
        assert!(body["error"].as_str().unwrap().ends_with("a…"), "{body}");
    }
}
