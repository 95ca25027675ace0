//! A tour that calls every route with its documented example and checks the answers.

use std::collections::BTreeSet;
use std::sync::Arc;

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::answers::Tour;
use super::{example_body, fetch_document, mounted};
use crate::db_tests;
use crate::helpers::*;
use crate::receiver::{Answer, Receiver};

db_tests!(a_tour_of_every_route_answers_as_documented);

/// Calls every route once, in an order that gives each the state it needs, with
/// the documented request examples; every answer must be a documented status with
/// a body shaped like the documented example.
async fn a_tour_of_every_route_answers_as_documented(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let doc = fetch_document(&app).await;
    // The first delivery fails (maxRetries 0), so there is one to retry; the rest arrive.
    let receiver =
        Receiver::start(Arc::new(|n| Answer::Status(if n == 0 { 500 } else { 200 }))).await;
    let files = serve_files(vec![(
        "/image.jpg",
        "image/jpeg",
        vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4],
    )])
    .await;
    let mut tour = Tour {
        app: &app,
        doc: &doc,
        token: app.admin_token.clone(),
        covered: BTreeSet::new(),
        mismatches: Vec::new(),
    };

    tour.call("get", "/health", "/health", None).await;
    tour.call("get", "/api/openapi.json", "/api/openapi.json", None)
        .await;
    tour.call("get", "/metrics", "/metrics", None).await;
    let login = example_body(
        &doc,
        "post",
        "/api/auth/login",
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    );
    let session = tour
        .call("post", "/api/auth/login", "/api/auth/login", Some(login))
        .await;
    tour.token = session["token"].as_str().expect("token").to_owned();
    tour.call("get", "/api/auth/me", "/api/auth/me", None).await;

    let new_user = example_body(&doc, "post", "/api/admin/users", json!({}));
    let user = tour
        .call(
            "post",
            "/api/admin/users",
            "/api/admin/users",
            Some(new_user),
        )
        .await;
    let user_path = format!("/api/admin/users/{}", user["id"].as_str().expect("user id"));
    tour.call("get", "/api/admin/users", "/api/admin/users", None)
        .await;
    tour.call("get", "/api/admin/nodes", "/api/admin/nodes", None)
        .await;
    let rename = example_body(&doc, "patch", "/api/admin/users/{user_id}", json!({}));
    tour.call(
        "patch",
        "/api/admin/users/{user_id}",
        &user_path,
        Some(rename),
    )
    .await;

    let create = example_body(
        &doc,
        "post",
        "/api/instances",
        json!({"webhookUrl": receiver.url, "maxRetries": 0, "retryInterval": 1000}),
    );
    let sales = tour
        .call("post", "/api/instances", "/api/instances", Some(create))
        .await;
    let id = sales["id"].as_str().expect("instance id").to_owned();
    let at = |template: &str| template.replace("{instance_id}", &id);
    tour.call("get", "/api/instances", "/api/instances", None)
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    tour.call(
        "get",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        None,
    )
    .await;
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/status",
        &at("/api/whatsapp/{instance_id}/status"),
        None,
    )
    .await;
    for query in ["", "?format=png", "?format=svg"] {
        let qr = format!("{}{query}", at("/api/instances/{instance_id}/qr"));
        tour.call("get", "/api/instances/{instance_id}/qr", &qr, None)
            .await;
    }
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/qr",
        &at("/api/whatsapp/{instance_id}/qr"),
        None,
    )
    .await;
    let pairing = example_body(
        &doc,
        "post",
        "/api/instances/{instance_id}/pairing-code",
        json!({}),
    );
    let pairing_path = at("/api/instances/{instance_id}/pairing-code");
    tour.call(
        "post",
        "/api/instances/{instance_id}/pairing-code",
        &pairing_path,
        Some(pairing),
    )
    .await;
    let scan = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/scan",
        json!({}),
    );
    let scan_path = at("/api/sim/instances/{instance_id}/scan");
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/scan",
        &scan_path,
        Some(scan),
    )
    .await;
    app.wait_for_status(&app.admin_key, &id, "connected").await;

    // A second instance sends to the first, whose number the scan example gave it.
    let sender = app
        .create_instance(&app.admin_key, json!({"name": "Sender"}))
        .await;
    app.pair(&app.admin_key, &sender, "79007654321", "Olga")
        .await;
    let from = |template: &str| template.replace("{instance_id}", &sender);
    let text = example_body(&doc, "post", "/api/whatsapp/{instance_id}/send", json!({}));
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/send",
        &from("/api/whatsapp/{instance_id}/send"),
        Some(text),
    )
    .await;
    let media = example_body(
        &doc,
        "post",
        "/api/whatsapp/{instance_id}/send-media",
        json!({"url": format!("{files}/image.jpg")}),
    );
    let media_path = from("/api/whatsapp/{instance_id}/send-media");
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/send-media",
        &media_path,
        Some(media),
    )
    .await;
    let form = Form::new()
        .text("phone", "79001234567")
        .text("caption", "The contract")
        .part(
            "file",
            Part::bytes(b"%PDF-1.4 tour".to_vec())
                .file_name("contract.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = app
        .request(Method::POST, &from("/api/whatsapp/{instance_id}/send-file"))
        .bearer_auth(&tour.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    tour.record("post", "/api/whatsapp/{instance_id}/send-file", response)
        .await;
    let inbound = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/inbound",
        json!({}),
    );
    let inbound_path = at("/api/sim/instances/{instance_id}/inbound");
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/inbound",
        &inbound_path,
        Some(inbound),
    )
    .await;

    let history = eventually("the three messages at the first instance", || async {
        let messages = app.history(&app.admin_key, &id, "79007654321").await;
        (messages.len() == 3).then_some(messages)
    })
    .await;
    let image = history
        .iter()
        .find(|message| message["hasMedia"] == true)
        .expect("a media message");
    let chat_path = at("/api/instances/{instance_id}/chats/79007654321/messages");
    tour.call(
        "get",
        "/api/instances/{instance_id}/chats/{chat_id}/messages",
        &chat_path,
        None,
    )
    .await;
    let media_download = at(&format!(
        "/api/instances/{{instance_id}}/messages/{}/media",
        image["id"].as_str().unwrap()
    ));
    tour.call(
        "get",
        "/api/instances/{instance_id}/messages/{message_id}/media",
        &media_download,
        None,
    )
    .await;
    tour.call(
        "get",
        "/api/whatsapp/{instance_id}/contacts",
        &at("/api/whatsapp/{instance_id}/contacts"),
        None,
    )
    .await;
    let text = history
        .iter()
        .find(|message| message["messageType"] == "text" && message["fromMe"] == false)
        .expect("the text message");
    let text_id = text["messageId"].as_str().unwrap().to_owned();
    super::tour_kinds::kinds(&mut tour, &id, &sender, &text_id).await;
    super::tour_groups::groups(&mut tour, &id, &sender).await;
    tour.call(
        "get",
        "/api/instances/{instance_id}/activity",
        &at("/api/instances/{instance_id}/activity"),
        None,
    )
    .await;
    tour.stream_opens(
        "/api/instances/{instance_id}/events",
        &at("/api/instances/{instance_id}/events"),
    )
    .await;
    tour.stream_opens("/api/events", "/api/events").await;

    let failed = eventually("the failed first delivery", || async {
        let listed = app.deliveries(&app.admin_key, &id, "state=failed").await;
        listed["deliveries"][0]["id"].as_str().map(str::to_owned)
    })
    .await;
    let deliveries_path = at("/api/instances/{instance_id}/webhooks/deliveries");
    tour.call(
        "get",
        "/api/instances/{instance_id}/webhooks/deliveries",
        &deliveries_path,
        None,
    )
    .await;
    let retry_path = format!("{deliveries_path}/{failed}/retry");
    tour.call(
        "post",
        "/api/instances/{instance_id}/webhooks/deliveries/{delivery_id}/retry",
        &retry_path,
        None,
    )
    .await;

    tour.call("get", "/api/stats/user", "/api/stats/user", None)
        .await;
    tour.call(
        "get",
        "/api/stats/instances/{instance_id}",
        &at("/api/stats/instances/{instance_id}"),
        None,
    )
    .await;
    tour.call("get", "/api/stats/system", "/api/stats/system", None)
        .await;

    let update = example_body(
        &doc,
        "put",
        "/api/instances/{instance_id}",
        json!({"webhookUrl": receiver.url}),
    );
    tour.call(
        "put",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        Some(update),
    )
    .await;
    let fault = example_body(
        &doc,
        "post",
        "/api/sim/instances/{instance_id}/fault",
        json!({}),
    );
    tour.call(
        "post",
        "/api/sim/instances/{instance_id}/fault",
        &at("/api/sim/instances/{instance_id}/fault"),
        Some(fault),
    )
    .await;
    tour.call(
        "post",
        "/api/instances/{instance_id}/reconnect",
        &at("/api/instances/{instance_id}/reconnect"),
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/auth/api-key/rotate",
        "/api/auth/api-key/rotate",
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/whatsapp/{instance_id}/logout",
        &from("/api/whatsapp/{instance_id}/logout"),
        None,
    )
    .await;
    tour.call(
        "post",
        "/api/instances/{instance_id}/logout",
        &at("/api/instances/{instance_id}/logout"),
        None,
    )
    .await;
    tour.call("delete", "/api/admin/users/{user_id}", &user_path, None)
        .await;
    tour.call(
        "delete",
        "/api/instances/{instance_id}",
        &at("/api/instances/{instance_id}"),
        None,
    )
    .await;

    assert!(
        tour.mismatches.is_empty(),
        "answers unlike the document:\n{:#?}",
        tour.mismatches
    );
    assert_eq!(tour.covered, mounted(true), "the tour calls every route");
    receiver.stop().await;
}
