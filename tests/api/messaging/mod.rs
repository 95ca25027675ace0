//! Messaging between instances on the simulated network: text, media, history and refused sends.

mod bad_sends;
mod groups;
mod history;
mod imported;
mod in_flight;
mod media;
mod text;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::{TestApp, eventually};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

pub(crate) async fn media_bytes(
    app: &TestApp,
    instance: &str,
    message_id: &str,
) -> (String, Vec<u8>) {
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

fn png() -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend((0..5000u32).map(|i| (i * 7 % 251) as u8));
    bytes
}
