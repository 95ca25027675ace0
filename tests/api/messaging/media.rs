//! Media sends: from a URL and from an upload, bytes, caption and file name intact.

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{ALICE, BOB, media_bytes, only_message, png};
use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, json_body, serve_files, spawn_sim_app};

db_tests!(
    send_media_downloads_the_url_and_delivers_the_bytes_intact,
    send_file_delivers_an_upload_with_its_caption_and_name,
    received_media_that_cannot_be_downloaded_is_noted_and_the_message_kept
);

async fn received_media_that_cannot_be_downloaded_is_noted_and_the_message_kept(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let id = app
        .create_instance(&app.admin_key, json!({"name": "Receiver"}))
        .await;
    app.pair(&app.admin_key, &id, ALICE, "Alice").await;
    let inbound = |media: serde_json::Value| {
        app.with_key(
            &app.admin_key,
            Method::POST,
            &format!("/api/sim/instances/{id}/inbound"),
        )
        .json(&json!({"from": BOB, "body": "see attached", "media": media}))
        .send()
    };
    let gone = inbound(json!({"mimetype": "image/png", "data": "aGVsbG8=", "expired": true}))
        .await
        .unwrap();
    assert_eq!(gone.status(), 200);
    let gone_id = json_body(gone).await["id"].as_str().unwrap().to_owned();
    let kept = inbound(json!({"mimetype": "text/plain", "data": "aGVsbG8="}))
        .await
        .unwrap();
    let kept_id = json_body(kept).await["id"].as_str().unwrap().to_owned();

    // Both messages are kept (the second one's media is stored in the background).
    eventually("both messages in the history", || async {
        (app.history(&app.admin_key, &id, BOB).await.len() == 2).then_some(())
    })
    .await;
    let missing = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/messages/{gone_id}/media"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(missing, 404).await, "media_not_stored");
    let failed = app
        .activity(&app.admin_key, &id)
        .await
        .into_iter()
        .find(|l| l["action"] == "media_download_failed")
        .expect("a media_download_failed entry");
    assert_eq!(failed["details"]["messageId"], gone_id.as_str());
    // The engine's own downloader met the media server's 404, as it meets
    // WhatsApp's for expired media.
    let reason = failed["details"]["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("the download failed: the CDN rejected the media reference"),
        "{reason}"
    );
    // The next message's media is downloaded as usual.
    assert_eq!(media_bytes(&app, &id, &kept_id).await.1, b"hello");
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
