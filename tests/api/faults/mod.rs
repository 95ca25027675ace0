//! Faults under load, with the real binary: nothing accepted is lost.

mod database;
mod isolation;
mod sigkill;

use serde_json::{Value, json};

use crate::process::ServerProcess;

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";
const STRANGER: &str = "79005554433";

fn hook(url: &str) -> Value {
    json!({"webhookUrl": url, "webhookEnabled": true, "notifyReceived": true, "notifySent": true,
           "notifyDelivery": false, "notifyRead": false, "maxRetries": 20, "retryInterval": 1000})
}

/// Every message of a chat, following the pages.
async fn whole_chat(server: &ServerProcess, instance: &str, chat: &str) -> Vec<Value> {
    let mut all = Vec::new();
    loop {
        let page = server
            .get(&format!(
                "/api/instances/{instance}/chats/{chat}/messages?limit=500&skip={}",
                all.len()
            ))
            .await;
        let messages = page["messages"].as_array().cloned().unwrap_or_default();
        let done = messages.len() < 500;
        all.extend(messages);
        if done {
            return all;
        }
    }
}
