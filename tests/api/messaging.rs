use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{
    TestApp, TestDb, assert_error, eventually, fast_sim, json_body, serve_files, spawn_app_with,
    spawn_sim_app,
};

db_tests!(
    text_between_two_instances_is_kept_on_both_sides_and_moves_to_read,
    send_media_downloads_the_url_and_delivers_the_bytes_intact,
    send_file_delivers_an_upload_with_its_caption_and_name,
    inbound_messages_show_in_history_and_contacts,
    history_paginates_and_filters_by_date,
    bad_sends_get_clear_4xx_and_store_nothing,
    a_send_to_an_instance_that_is_not_connected_is_409_and_stores_nothing,
    a_retried_send_with_the_same_idempotency_key_is_sent_once,
);

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

async fn media_bytes(app: &TestApp, instance: &str, message_id: &str) -> (String, Vec<u8>) {
    let response = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{instance}/messages/{message_id}/media"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "media download");
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    (content_type, response.bytes().await.unwrap().to_vec())
}

/// The one message of a chat. The recipient's copy arrives a moment after the
/// sender's answer (as on WhatsApp), so an empty history is waited out.
async fn only_message(app: &TestApp, instance: &str, chat: &str) -> Value {
    let history = eventually("a message in the chat", || async {
        let history = app.history(&app.admin_key, instance, chat).await;
        (!history.is_empty()).then_some(history)
    })
    .await;
    assert_eq!(history.len(), 1, "{history:#?}");
    history[0].clone()
}

async fn text_between_two_instances_is_kept_on_both_sides_and_moves_to_read(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let response = app
        .send_text(
            &app.admin_key,
            &alice,
            &format!("+{BOB}"),
            "Hello! How are you?",
        )
        .await;
    assert_eq!(response.status(), 200);
    let sent = json_body(response).await;
    let id = sent["id"].as_str().unwrap().to_owned();
    assert_eq!(sent, json!({"id": id}));

    let received = only_message(&app, &bob, ALICE).await;
    assert_eq!(received["remoteJid"], format!("{ALICE}@s.whatsapp.net"));
    assert_eq!(received["fromMe"], false);
    assert_eq!(received["content"], "Hello! How are you?");
    assert_eq!(received["messageId"], id.as_str());
    assert_eq!(received["messageType"], "text");
    assert_eq!(received["hasMedia"], false);
    assert_eq!(received["pushName"], "Alice");
    assert_eq!(received["status"], "received");
    assert_eq!(received["instanceId"], bob.as_str());

    let outgoing = only_message(&app, &alice, &format!("{BOB}@s.whatsapp.net")).await;
    assert_eq!(outgoing["fromMe"], true);
    assert_eq!(outgoing["messageId"], id.as_str());
    assert_eq!(outgoing["remoteJid"], format!("{BOB}@s.whatsapp.net"));
    let read = eventually("the read receipt", || async {
        let message = only_message(&app, &alice, BOB).await;
        (message["status"] == "read").then_some(message)
    })
    .await;
    assert_eq!(read["id"], outgoing["id"]);

    let bobs_contacts = json_body(
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/whatsapp/{bob}/contacts"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        bobs_contacts["contacts"],
        json!([{"id": format!("{ALICE}@s.whatsapp.net"), "name": "Alice", "number": ALICE, "isGroup": false}])
    );
    let alices_contacts = json_body(
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/whatsapp/{alice}/contacts"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(alices_contacts["contacts"][0]["number"], BOB);
}

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
    bytes
}

async fn send_media_downloads_the_url_and_delivers_the_bytes_intact(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let pdf = b"%PDF-1.4 fake but binary \x00\x01\x02".repeat(100);
    let base = serve_files(vec![
        ("/image.png", "image/png", png()),
        ("/download", "application/pdf", pdf.clone()),
    ])
    .await;

    let image = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(
            &json!({"phone": BOB, "url": format!("{base}/image.png"), "caption": "Image caption"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(image.status(), 200);
    let image_id = json_body(image).await["id"].as_str().unwrap().to_owned();
    let document = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": format!("{base}/download"), "filename": "report.pdf"}))
        .send()
        .await
        .unwrap();
    assert_eq!(document.status(), 200);
    let document_id = json_body(document).await["id"].as_str().unwrap().to_owned();

    let history = eventually("both media messages at Bob", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        (history.len() >= 2).then_some(history)
    })
    .await;
    let image_msg = history
        .iter()
        .find(|m| m["messageId"] == image_id.as_str())
        .unwrap();
    assert_eq!(image_msg["messageType"], "image");
    assert_eq!(image_msg["hasMedia"], true);
    assert_eq!(image_msg["content"], "Image caption");
    assert_eq!(
        media_bytes(&app, &bob, &image_id).await,
        ("image/png".to_owned(), png())
    );
    let doc_msg = history
        .iter()
        .find(|m| m["messageId"] == document_id.as_str())
        .unwrap();
    assert_eq!(doc_msg["messageType"], "document");
    assert_eq!(
        media_bytes(&app, &bob, &document_id).await,
        ("application/pdf".to_owned(), pdf)
    );

    let redirected = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": format!("{base}/redirect")}))
        .send()
        .await
        .unwrap();
    assert_eq!(redirected.status(), 200);
    let missing = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": format!("{base}/nothing.jpg")}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(missing, 422).await, "media_fetch_failed");
}

async fn send_file_delivers_an_upload_with_its_caption_and_name(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 256) as u8).collect();
    let form = Form::new()
        .text("phone", BOB)
        .text("caption", "The contract")
        .part(
            "file",
            Part::bytes(bytes.clone())
                .file_name("../../etc/contract.pdf")
                .mime_str("application/pdf")
                .unwrap(),
        );
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let id = json_body(response).await["id"].as_str().unwrap().to_owned();
    let received = only_message(&app, &bob, ALICE).await;
    assert_eq!(received["content"], "The contract");
    assert_eq!(received["messageType"], "document");
    let download = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{bob}/messages/{id}/media"),
        )
        .send()
        .await
        .unwrap();
    let disposition = download.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(disposition, "attachment; filename=\"contract.pdf\"");
    assert_eq!(download.bytes().await.unwrap().to_vec(), bytes);
}

async fn inbound_messages_show_in_history_and_contacts(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Inbox"}))
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let response = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/inbound"),
        )
        .json(&json!({"from": "+7 900 555-44-33", "body": "Привет 👋", "pushName": "Ivan Ivanov"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let message_id = json_body(response).await["id"].as_str().unwrap().to_owned();
    let message = only_message(&app, &id, "79005554433@s.whatsapp.net").await;
    assert_eq!(message["content"], "Привет 👋");
    assert_eq!(message["messageId"], message_id.as_str());
    assert_eq!(message["pushName"], "Ivan Ivanov");
    let contacts = json_body(
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/whatsapp/{id}/contacts"),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(
        contacts,
        json!({"contacts": [{"id": "79005554433@s.whatsapp.net", "name": "Ivan Ivanov", "number": "79005554433", "isGroup": false}]})
    );
}

async fn history_paginates_and_filters_by_date(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, _bob) = app.alice_and_bob().await;
    for n in 0..5 {
        let response = app
            .send_text(&app.admin_key, &alice, BOB, &format!("message {n}"))
            .await;
        assert_eq!(response.status(), 200);
    }
    let page = |query: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            let response = app
                .with_key(
                    &app.admin_key,
                    Method::GET,
                    &format!("/api/instances/{alice}/chats/{BOB}/messages?{query}"),
                )
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{query}");
            json_body(response).await
        }
    };
    let first = page("limit=2").await;
    let contents: Vec<_> = first["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].clone())
        .collect();
    assert_eq!(contents, [json!("message 4"), json!("message 3")]);
    assert_eq!(
        first["pagination"],
        json!({"total": 5, "limit": 2, "skip": 0, "hasMore": true})
    );
    let last = page("limit=2&skip=4").await;
    assert_eq!(last["messages"][0]["content"], "message 0");
    assert_eq!(last["pagination"]["hasMore"], false);
    assert_eq!(page("").await["pagination"]["limit"], 50);
    assert_eq!(page("startDate=2999-01-01").await["pagination"]["total"], 0);
    assert_eq!(
        page("endDate=2000-01-01T00:00:00Z").await["pagination"]["total"],
        0
    );
    assert_eq!(
        page("startDate=2000-01-01&endDate=2999-01-01").await["pagination"]["total"],
        5
    );
    let full_jid = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{alice}/chats/{BOB}@s.whatsapp.net/messages"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(json_body(full_jid).await["pagination"]["total"], 5);
    for (query, code) in [
        ("limit=501", "validation_error"),
        ("limit=0", "validation_error"),
        ("skip=-1", "validation_error"),
        ("startDate=soon", "validation_error"),
        ("limit=x", "invalid_query"),
    ] {
        let response = app
            .with_key(
                &app.admin_key,
                Method::GET,
                &format!("/api/instances/{alice}/chats/{BOB}/messages?{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(assert_error(response, 400).await, code, "{query}");
    }
    let bad_chat = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{alice}/chats/not-a-phone/messages"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad_chat, 400).await, "invalid_phone");
}

async fn bad_sends_get_clear_4xx_and_store_nothing(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        fast_sim(s);
        s.whatsapp.max_media_bytes = 10_000;
        s.whatsapp.allow_private_media_urls = false;
    })
    .await;
    let (alice, bob) = app.alice_and_bob().await;
    let send = |body: Value| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.with_key(
                &app.admin_key,
                Method::POST,
                &format!("/api/whatsapp/{alice}/send"),
            )
            .json(&body)
            .send()
            .await
            .unwrap()
        }
    };
    for (body, code) in [
        (
            json!({"phone": "call me maybe", "message": "x"}),
            "invalid_phone",
        ),
        (
            json!({"phone": "+7 900 12a", "message": "x"}),
            "invalid_phone",
        ),
        (json!({"phone": BOB}), "validation_error"),
        (json!({"message": "x"}), "validation_error"),
        (json!({"phone": BOB, "message": ""}), "validation_error"),
        (json!({"phone": BOB, "message": 5}), "validation_error"),
        (
            json!({"phone": BOB, "message": "x", "extra": 1}),
            "validation_error",
        ),
    ] {
        assert_eq!(
            assert_error(send(body.clone()).await, 400).await,
            code,
            "{body}"
        );
    }
    let ssrf = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "http://127.0.0.1:9/secret.png"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(ssrf, 400).await, "url_not_allowed");
    let metadata = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "http://169.254.169.254/latest/meta-data"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(metadata, 400).await, "url_not_allowed");
    let not_http = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-media"),
        )
        .json(&json!({"phone": BOB, "url": "file:///etc/passwd"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(not_http, 400).await, "validation_error");
    let big = Form::new()
        .text("phone", BOB)
        .part("file", Part::bytes(vec![7u8; 10_001]).file_name("big.bin"));
    let oversize = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .multipart(big)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(oversize, 413).await, "payload_too_large");
    let no_file = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .multipart(Form::new().text("phone", BOB))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(no_file, 400).await, "validation_error");
    let not_multipart = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send-file"),
        )
        .json(&json!({"phone": BOB}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(not_multipart, 400).await, "invalid_multipart");

    let unknown = app
        .send_text(&app.admin_key, "no-such-instance", BOB, "x")
        .await;
    assert_eq!(assert_error(unknown, 404).await, "instance_not_found");
    let stranger = app
        .create_user("s@example.com", "stranger-password", "user")
        .await;
    let foreign = app.send_text(&stranger.api_key, &alice, BOB, "x").await;
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");

    assert!(app.history(&app.admin_key, &alice, BOB).await.is_empty());
    assert!(app.history(&app.admin_key, &bob, ALICE).await.is_empty());
}

async fn a_send_to_an_instance_that_is_not_connected_is_409_and_stores_nothing(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Waiting"}))
        .await;
    app.wait_for_status(&app.admin_key, &id, "qr").await;
    let response = app.send_text(&app.admin_key, &id, BOB, "hello?").await;
    assert_eq!(assert_error(response, 409).await, "instance_not_connected");
    let form = Form::new()
        .text("phone", BOB)
        .part("file", Part::bytes(b"data".to_vec()).file_name("a.txt"));
    let file = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{id}/send-file"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(file, 409).await, "instance_not_connected");
    assert!(app.history(&app.admin_key, &id, BOB).await.is_empty());
}

async fn a_retried_send_with_the_same_idempotency_key_is_sent_once(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let send = |key: &'static str, message: &'static str| {
        let app = &app;
        let alice = alice.clone();
        async move {
            app.with_key(
                &app.admin_key,
                Method::POST,
                &format!("/api/whatsapp/{alice}/send"),
            )
            .header("Idempotency-Key", key)
            .json(&json!({"phone": BOB, "message": message}))
            .send()
            .await
            .unwrap()
        }
    };
    let first = send("order-42", "Your order shipped").await;
    assert_eq!(first.status(), 200);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let first = json_body(first).await;
    let retry = send("order-42", "Your order shipped").await;
    assert_eq!(retry.status(), 200);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    assert_eq!(json_body(retry).await, first);
    let at_bob = eventually("the message at Bob", || async {
        let history = app.history(&app.admin_key, &bob, ALICE).await;
        (!history.is_empty()).then_some(history)
    })
    .await;
    assert_eq!(at_bob.len(), 1, "sent twice");
    assert_eq!(app.history(&app.admin_key, &alice, BOB).await.len(), 1);

    let reused = send("order-42", "Something else").await;
    assert_eq!(assert_error(reused, 422).await, "idempotency_key_reused");
    let other_key = send("order-43", "Your order shipped").await;
    assert_ne!(json_body(other_key).await, first);
    let bad_key = app
        .with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/whatsapp/{alice}/send"),
        )
        .header("Idempotency-Key", "x".repeat(256))
        .json(&json!({"phone": BOB, "message": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(bad_key, 400).await, "invalid_idempotency_key");
}
