//! send-file under hostile uploads: a body that stalls or never ends, a
//! declared length far past what is sent, and more uploads at once than the
//! server takes.

use std::time::Duration;

use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::db_tests;
use crate::helpers::*;

db_tests!(
    an_upload_that_stalls_is_cut_off_with_408_whatever_length_it_declares,
    uploads_in_flight_are_bounded_per_user_and_per_server_with_429,
);

const BOB: &str = "79002222222";
const BOUNDARY: &str = "wamux-test-boundary";

fn tight_uploads(settings: &mut wamux::config::Settings) {
    fast_sim(settings);
    settings.limits.upload_idle_timeout_secs = 1;
    settings.limits.uploads_in_flight = 3;
    settings.limits.uploads_in_flight_per_user = 2;
}

/// An upload that declares 60 MB, sends the form's head and 4 KB of the file,
/// and then sends nothing more.
async fn stalled_upload(app: &TestApp, key: &str, instance: &str) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/whatsapp/{instance}/send-file HTTP/1.1\r\nHost: {address}\r\nX-API-Key: {key}\r\n\
         Content-Type: multipart/form-data; boundary={BOUNDARY}\r\nContent-Length: 62914560\r\n\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"phone\"\r\n\r\n{BOB}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&[b'x'; 4096]).await.unwrap();
    stream
}

/// The status and JSON body of the answer to a raw request.
async fn raw_answer(stream: &mut TcpStream) -> (u16, Value) {
    let mut received = Vec::new();
    let mut chunk = [0u8; 4096];
    let read = async {
        loop {
            let n = stream.read(&mut chunk).await.unwrap_or(0);
            received.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&received);
            if let Some((_, body)) = text.split_once("\r\n\r\n")
                && let Ok(json) = serde_json::from_str::<Value>(body)
            {
                let status = text[9..12].parse().unwrap();
                return (status, json);
            }
            assert!(n > 0, "closed without an answer: {text}");
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .expect("an answer")
}

/// Waits until `count` uploads are in flight (`wamux_uploads_in_flight`).
async fn in_flight(app: &TestApp, count: u32) {
    let wanted = format!("wamux_uploads_in_flight {count}\n");
    eventually("the uploads in flight", || async {
        let metrics = app.request(Method::GET, "/metrics").send().await.ok()?;
        metrics.text().await.ok()?.contains(&wanted).then_some(())
    })
    .await;
}

async fn small_upload(app: &TestApp, key: &str, instance: &str) -> reqwest::Response {
    let form = Form::new()
        .text("phone", BOB)
        .part("file", Part::bytes(vec![1u8; 100]).file_name("small.bin"));
    app.with_key(
        key,
        Method::POST,
        &format!("/api/whatsapp/{instance}/send-file"),
    )
    .multipart(form)
    .send()
    .await
    .unwrap()
}

async fn an_upload_that_stalls_is_cut_off_with_408_whatever_length_it_declares(db: TestDb) {
    let app = spawn_app_with(db, tight_uploads).await;
    let (alice, _bob) = app.alice_and_bob().await;
    let mut stalled = stalled_upload(&app, &app.admin_key, &alice).await;
    let (status, body) = raw_answer(&mut stalled).await;
    assert_eq!(status, 408);
    assert_eq!(body["code"], "request_timeout");
    assert!(
        app.history(&app.admin_key, &alice, BOB).await.is_empty(),
        "nothing of a cut-off upload is sent"
    );
    // The server goes on taking uploads.
    assert_eq!(
        small_upload(&app, &app.admin_key, &alice).await.status(),
        200
    );
}

async fn uploads_in_flight_are_bounded_per_user_and_per_server_with_429(db: TestDb) {
    let app = spawn_app_with(db, |s| {
        tight_uploads(s);
        // Long enough for every refusal below to be seen while both stall.
        s.limits.upload_idle_timeout_secs = 5;
    })
    .await;
    let (alice, _bob) = app.alice_and_bob().await;
    let carol = app
        .create_user("carol@example.com", "carol-password-1", "user")
        .await;
    let carols = app
        .create_instance(&carol.api_key, json!({"name": "Carol"}))
        .await;
    app.pair(&carol.api_key, &carols, "79003333333", "Carol")
        .await;

    let mut first = stalled_upload(&app, &app.admin_key, &alice).await;
    let mut second = stalled_upload(&app, &app.admin_key, &alice).await;
    in_flight(&app, 2).await;
    let refused = small_upload(&app, &app.admin_key, &alice).await;
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(assert_error(refused, 429).await, "rate_limited");
    // Carol has her own two places, but the server has one left in all.
    let mut carols_first = stalled_upload(&app, &carol.api_key, &carols).await;
    in_flight(&app, 3).await;
    let refused = small_upload(&app, &carol.api_key, &carols).await;
    assert_eq!(assert_error(refused, 429).await, "rate_limited");

    for stalled in [&mut first, &mut second, &mut carols_first] {
        assert_eq!(raw_answer(stalled).await.0, 408);
    }
    // Places are given back when uploads end.
    assert_eq!(
        small_upload(&app, &app.admin_key, &alice).await.status(),
        200
    );
    assert_eq!(
        small_upload(&app, &carol.api_key, &carols).await.status(),
        200
    );
}
