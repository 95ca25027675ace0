//! Every message kind and action between two instances on the simulated
//! network, through the HTTP API: what each sees in its history and webhooks.

mod changes;
mod nacks;
mod one_chat;
mod people;
mod refused;
mod sends;

use reqwest::{Method, Response};
use serde_json::{Value, json};

use crate::helpers::{TestApp, eventually, json_body};
use crate::receiver::{Receiver, always_ok};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

fn jid(phone: &str) -> String {
    format!("{phone}@s.whatsapp.net")
}

/// Alice and Bob, paired; every event of each goes to its own receiver.
struct Pair {
    alice: String,
    bob: String,
    alices_hook: Receiver,
    bobs_hook: Receiver,
}

async fn hooked_pair(app: &TestApp, extra: Value) -> Pair {
    let alices_hook = Receiver::start(always_ok()).await;
    let bobs_hook = Receiver::start(always_ok()).await;
    let hooked = |name: &str, url: &str| {
        let mut body = json!({"name": name, "webhookUrl": url, "webhookEnabled": true,
            "notifyReceived": true, "notifySent": true, "retryInterval": 1000});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let alice = app
        .create_instance(&app.admin_key, hooked("Alice", &alices_hook.url))
        .await;
    let bob = app
        .create_instance(&app.admin_key, hooked("Bob", &bobs_hook.url))
        .await;
    app.pair(&app.admin_key, &alice, ALICE, "Alice").await;
    app.pair(&app.admin_key, &bob, BOB, "Bob").await;
    Pair {
        alice,
        bob,
        alices_hook,
        bobs_hook,
    }
}

async fn post(app: &TestApp, path: &str, body: Value) -> Response {
    app.as_admin(Method::POST, path)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Sends through `route` (`send`, `send-location`, ...) and answers the message id.
async fn sent(app: &TestApp, instance: &str, route: &str, body: Value) -> String {
    let response = post(app, &format!("/api/whatsapp/{instance}/{route}"), body).await;
    assert_eq!(response.status(), 200, "{route}");
    json_body(response).await["id"].as_str().unwrap().to_owned()
}

/// The chat's message with this WhatsApp id, once it satisfies `ready`.
async fn message_where(
    app: &TestApp,
    instance: &str,
    chat: &str,
    message_id: &str,
    ready: impl Fn(&Value) -> bool,
) -> Value {
    eventually(&format!("message {message_id} as expected"), || async {
        app.history(&app.admin_key, instance, chat)
            .await
            .into_iter()
            .find(|m| m["messageId"] == message_id && ready(m))
    })
    .await
}

async fn message(app: &TestApp, instance: &str, chat: &str, message_id: &str) -> Value {
    message_where(app, instance, chat, message_id, |_| true).await
}
