//! The live event stream carries the webhook payloads.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::db_tests;
use crate::helpers::{TestDb, assert_error, eventually, spawn_sim_app};
use crate::receiver::{Receiver, always_ok};

db_tests!(
    event_stream_carries_the_webhook_payloads,
    the_stream_carries_changes_to_messages_and_presence
);

/// Reads SSE frames until one of `event` arrives; returns its `data` as JSON.
pub(crate) async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buffer: &mut String,
    event: &str,
) -> Value {
    let wanted = format!("event: {event}\n");
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let frame: String = buffer.drain(..end + 2).collect();
                if frame.starts_with(&wanted) {
                    let data = frame
                        .lines()
                        .find_map(|line| line.strip_prefix("data: "))
                        .expect("a data line");
                    return serde_json::from_str(data).expect("data is JSON");
                }
            }
            let chunk = stream.next().await.expect("stream open").expect("chunk");
            buffer.push_str(std::str::from_utf8(&chunk).expect("UTF-8 frames"));
        }
    };
    tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .unwrap_or_else(|_| panic!("no {event} event on the stream"))
}

async fn event_stream_carries_the_webhook_payloads(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let receiver = Receiver::start(always_ok()).await;
    let id = app
        .create_instance(
            &app.admin_key,
            json!({"name": "Streamed", "webhookUrl": receiver.url, "webhookEnabled": true}),
        )
        .await;

    let unauthenticated = app
        .request(Method::GET, &format!("/api/instances/{id}/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(unauthenticated, 401).await, "unauthorized");
    let stranger = app
        .create_user("eve@example.com", "correct horse battery", "user")
        .await;
    let foreign = app
        .with_key(
            &stranger.api_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(assert_error(foreign, 404).await, "instance_not_found");

    let response = app
        .request(Method::GET, &format!("/api/instances/{id}/events"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();

    app.pair(&app.admin_key, &id, "79001111111", "Alice").await;
    let opened = next_event(&mut stream, &mut buffer, "connection_opened").await;
    assert_eq!(opened["data"]["instanceId"], id.as_str());

    let message_id = app
        .inbound(&app.admin_key, &id, "79005555555", "stream me")
        .await;
    let streamed = next_event(&mut stream, &mut buffer, "message_received").await;
    assert_eq!(streamed["data"]["messageId"], message_id.as_str());
    let hooked = receiver
        .wait_until("the message_received webhook", |requests| {
            requests.iter().any(|r| {
                r.event() == "message_received"
                    && r.json()["data"]["messageId"] == message_id.as_str()
            })
        })
        .await
        .into_iter()
        .find(|r| r.event() == "message_received")
        .unwrap();
    assert_eq!(
        streamed,
        hooked.json(),
        "the stream carries the webhook's body, byte for byte in JSON"
    );

    // A second watcher sees the same events; a watcher that leaves costs nothing.
    let second = app
        .with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
        .await
        .unwrap();
    let mut second = second.bytes_stream();
    let mut second_buffer = String::new();
    drop(stream);
    app.send_text(&app.admin_key, &id, "79005555555", "out")
        .await;
    let sent = next_event(&mut second, &mut second_buffer, "message_sent").await;
    assert_eq!(sent["data"]["instanceId"], id.as_str());

    // Watchers are bounded per instance (the left first one no longer counts).
    let watch = || {
        app.with_key(
            &app.admin_key,
            Method::GET,
            &format!("/api/instances/{id}/events"),
        )
        .send()
    };
    let mut watchers = Vec::new();
    for _ in 0..31 {
        let response = watch().await.unwrap();
        assert_eq!(response.status(), 200);
        watchers.push(response);
    }
    let refused = watch().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert_eq!(assert_error(refused, 429).await, "rate_limited");
    // A watcher that hangs up frees its place (slow_streams.rs checks how soon).
    drop(watchers.pop());
    let again = eventually("a freed watcher slot", || async {
        app.inbound(&app.admin_key, &id, "79005555555", "anyone there?")
            .await;
        let response = watch().await.unwrap();
        (response.status() == 200).then_some(response)
    })
    .await;
    drop((again, watchers, second));
    receiver.stop().await;
}

/// A reaction, an edit, "typing…" and group changes reach the instance's stream as frames of
/// their events, with the webhook payloads.
async fn the_stream_carries_changes_to_messages_and_presence(db: TestDb) {
    let app = spawn_sim_app(db).await;
    let (alice, bob) = app.alice_and_bob().await;
    let response = app
        .request(Method::GET, &format!("/api/instances/{alice}/events"))
        .bearer_auth(&app.admin_token)
        .send()
        .await
        .unwrap();
    let mut stream = response.bytes_stream();
    let mut buffer = String::new();
    let sent = app
        .send_text(&app.admin_key, &bob, "79001111111", "hi")
        .await;
    let message_id = crate::helpers::json_body(sent).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually("the message at Alice", || async {
        let history = app.history(&app.admin_key, &alice, "79002222222").await;
        (!history.is_empty()).then_some(())
    })
    .await;
    let post = |path: String, body: Value| app.as_admin(Method::POST, &path).json(&body).send();
    post(
        format!("/api/whatsapp/{alice}/messages/{message_id}/reaction"),
        json!({"emoji": "🎉"}),
    )
    .await
    .unwrap();
    let reaction = next_event(&mut stream, &mut buffer, "message_reaction").await;
    assert_eq!(reaction["data"]["emoji"], "🎉");
    assert_eq!(reaction["data"]["fromMe"], true);
    post(
        format!("/api/whatsapp/{bob}/chats/79001111111/presence"),
        json!({"state": "composing"}),
    )
    .await
    .unwrap();
    let typing = next_event(&mut stream, &mut buffer, "presence").await;
    assert_eq!(
        typing["data"],
        json!({"instanceId": alice, "chat": "79002222222@s.whatsapp.net",
               "from": "79002222222@s.whatsapp.net", "fromLid": null, "state": "composing"})
    );

    // Groups: Bob adds Alice to a new group, then renames it.
    let created = post(
        format!("/api/whatsapp/{bob}/groups"),
        json!({"subject": "Streamed", "participants": ["79001111111"]}),
    )
    .await
    .unwrap();
    let group = crate::helpers::json_body(created).await["id"].clone();
    let added = next_event(&mut stream, &mut buffer, "group_participants").await;
    assert_eq!(
        added["data"],
        json!({"instanceId": alice, "groupId": group, "action": "add",
               "participants": ["79001111111@s.whatsapp.net"], "by": "79002222222@s.whatsapp.net"})
    );
    app.as_admin(
        Method::PATCH,
        &format!("/api/whatsapp/{bob}/groups/{}", group.as_str().unwrap()),
    )
    .json(&json!({"subject": "Streamed again"}))
    .send()
    .await
    .unwrap();
    let renamed = next_event(&mut stream, &mut buffer, "group_updated").await;
    assert_eq!(
        renamed["data"],
        json!({"instanceId": alice, "groupId": group, "subject": "Streamed again",
               "by": "79002222222@s.whatsapp.net"})
    );
}
