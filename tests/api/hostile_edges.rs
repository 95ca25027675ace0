//! Hostile input, round three, the smaller findings: HEAD where GET is,
//! IPv6 literals that do not parse, integral floats in every integer field,
//! zero-width names, bidi overrides, and long paths echoed back.

use reqwest::Method;
use serde_json::json;

use crate::db_tests;
use crate::helpers::*;

db_tests!(a_url_with_a_bracketed_host_that_is_no_ipv6_address_is_refused);

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
