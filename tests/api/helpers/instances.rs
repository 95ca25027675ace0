//! TestApp shortcuts for instances: create, status, pairing, faults and the activity log.

use reqwest::Method;
use serde_json::{Value, json};

use super::{TestApp, eventually, json_body};

impl TestApp {
    /// Creates an instance as the user with `key`; returns its id.
    pub async fn create_instance(&self, key: &str, body: Value) -> String {
        let response = self
            .with_key(key, Method::POST, "/api/instances")
            .json(&body)
            .send()
            .await
            .expect("create instance");
        assert_eq!(response.status(), 201, "creating an instance");
        json_body(response).await["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    pub async fn status(&self, key: &str, id: &str) -> Value {
        let response = self
            .with_key(key, Method::GET, &format!("/api/whatsapp/{id}/status"))
            .send()
            .await
            .expect("status");
        json_body(response).await
    }

    pub async fn wait_for_status(&self, key: &str, id: &str, status: &str) -> Value {
        eventually(&format!("status {status}"), || async {
            let current = self.status(key, id).await;
            (current["status"] == status).then_some(current)
        })
        .await
    }

    /// Waits for the QR, scans it as `phone`, waits until connected.
    pub async fn pair(&self, key: &str, id: &str, phone: &str, push_name: &str) {
        self.wait_for_status(key, id, "qr").await;
        let response = self
            .with_key(key, Method::POST, &format!("/api/sim/instances/{id}/scan"))
            .json(&json!({"phone": phone, "pushName": push_name}))
            .send()
            .await
            .expect("scan");
        assert_eq!(response.status(), 200, "scan");
        self.wait_for_status(key, id, "connected").await;
    }

    /// `GET path` as the user with `key`: the JSON answer, whatever its status.
    pub async fn get_json(&self, key: &str, path: &str) -> Value {
        json_body(
            self.with_key(key, Method::GET, path)
                .send()
                .await
                .expect("GET"),
        )
        .await
    }

    /// `POST /api/instances/{id}/reconnect` as the user with `key`.
    pub async fn reconnect(&self, key: &str, id: &str) -> reqwest::Response {
        self.with_key(key, Method::POST, &format!("/api/instances/{id}/reconnect"))
            .send()
            .await
            .expect("reconnect")
    }

    /// `POST /api/instances/{id}/pairing-code` for `phone` (any JSON value).
    pub async fn request_pairing_code(
        &self,
        key: &str,
        id: &str,
        phone: Value,
    ) -> reqwest::Response {
        self.with_key(
            key,
            Method::POST,
            &format!("/api/instances/{id}/pairing-code"),
        )
        .json(&json!({ "phone": phone }))
        .send()
        .await
        .expect("pairing code")
    }

    pub async fn fault(&self, key: &str, id: &str, kind: &str) {
        let response = self
            .with_key(key, Method::POST, &format!("/api/sim/instances/{id}/fault"))
            .json(&json!({"kind": kind}))
            .send()
            .await
            .expect("fault");
        assert_eq!(response.status(), 200, "fault {kind}");
    }

    /// The activity log, oldest first.
    pub async fn activity(&self, key: &str, id: &str) -> Vec<Value> {
        let response = self
            .with_key(
                key,
                Method::GET,
                &format!("/api/instances/{id}/activity?limit=1000"),
            )
            .send()
            .await
            .expect("activity");
        let body = json_body(response).await;
        let mut logs = body["logs"].as_array().expect("logs").clone();
        logs.reverse();
        logs
    }

    pub async fn actions(&self, key: &str, id: &str) -> Vec<String> {
        self.activity(key, id)
            .await
            .iter()
            .map(|log| log["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}
