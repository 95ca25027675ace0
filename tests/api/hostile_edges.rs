//! Hostile input, round three, the smaller findings: HEAD where GET is,
//! IPv6 literals that do not parse, integral floats in every integer field,
//! zero-width names, bidi overrides, and long paths echoed back.

use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::*;

db_tests!(
    a_url_with_a_bracketed_host_that_is_no_ipv6_address_is_refused,
    integral_floats_count_as_integers_in_every_integer_field,
    zero_width_names_are_blank_and_names_refuse_bidi_controls,
    a_long_path_is_not_echoed_back_whole,
);

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
