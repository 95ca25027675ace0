//! TestApp shortcuts for messages: history, sends, inbound messages and webhook deliveries.

use reqwest::{Method, Response};
use serde_json::{Value, json};

use super::{TestApp, eventually, json_body};

impl TestApp {
    /// A chat's messages, newest first.
    pub async fn history(&self, key: &str, id: &str, chat: &str) -> Vec<Value> {
        let response = self
            .with_key(
                key,
                Method::GET,
                &format!("/api/instances/{id}/chats/{chat}/messages?limit=500"),
            )
            .send()
            .await
            .expect("history");
        assert_eq!(response.status(), 200, "history");
        json_body(response).await["messages"]
            .as_array()
            .expect("messages")
            .clone()
    }

    pub async fn send_text(&self, key: &str, id: &str, phone: &str, message: &str) -> Response {
        self.with_key(key, Method::POST, &format!("/api/whatsapp/{id}/send"))
            .json(&json!({"phone": phone, "message": message}))
            .send()
            .await
            .expect("send")
    }

    /// Two instances of the admin, paired as Alice (79001111111) and Bob (79002222222).
    pub async fn alice_and_bob(&self) -> (String, String) {
        let alice = self
            .create_instance(&self.admin_key, json!({"name": "Alice"}))
            .await;
        let bob = self
            .create_instance(&self.admin_key, json!({"name": "Bob"}))
            .await;
        self.pair(&self.admin_key, &alice, "79001111111", "Alice")
            .await;
        self.pair(&self.admin_key, &bob, "79002222222", "Bob").await;
        (alice, bob)
    }
}

impl TestApp {
    /// The instance marks what `chat` sent it read, once it has arrived.
    pub async fn eventually_mark_read(&self, instance: &str, chat: &str) {
        eventually("a message to mark read", || async {
            let response = self
                .as_admin(
                    Method::POST,
                    &format!("/api/whatsapp/{instance}/chats/{chat}/read"),
                )
                .json(&json!({}))
                .send()
                .await
                .expect("mark read");
            assert_eq!(response.status(), 200, "mark read");
            let read = json_body(response).await["read"].as_u64().unwrap_or(0);
            (read > 0).then_some(())
        })
        .await;
    }

    /// Injects a message from `from` into the instance (sim), waits until it is stored.
    pub async fn inbound(&self, key: &str, id: &str, from: &str, body: &str) -> String {
        let response = self
            .with_key(
                key,
                Method::POST,
                &format!("/api/sim/instances/{id}/inbound"),
            )
            .json(&json!({"from": from, "body": body, "pushName": "Ivan"}))
            .send()
            .await
            .expect("inbound");
        assert_eq!(response.status(), 200, "inbound");
        json_body(response).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn deliveries(&self, key: &str, id: &str, query: &str) -> Value {
        let response = self
            .with_key(
                key,
                Method::GET,
                &format!("/api/instances/{id}/webhooks/deliveries?{query}"),
            )
            .send()
            .await
            .expect("deliveries");
        assert_eq!(response.status(), 200, "deliveries");
        json_body(response).await
    }
}
