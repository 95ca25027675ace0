//! A small client of the wamux API for setting scenarios up.

use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

pub struct Api {
    client: awc::Client,
    pub base: String,
    pub key: String,
}

impl Api {
    pub fn new(base: String) -> Self {
        let client = awc::Client::builder()
            .timeout(Duration::from_secs(120))
            .finish();
        Self {
            client,
            base,
            key: String::new(),
        }
    }

    pub async fn health(&self) -> bool {
        match self
            .client
            .get(format!("{}/health", self.base))
            .send()
            .await
        {
            Ok(response) => response.status().is_success(),
            Err(_) => false,
        }
    }

    pub async fn login(&mut self, email: &str, password: &str) -> anyhow::Result<()> {
        let body = self
            .call(
                "POST",
                "/api/auth/login",
                Some(json!({"email": email, "password": password})),
            )
            .await?;
        self.key = body["user"]["apiKey"]
            .as_str()
            .context("no apiKey")?
            .to_owned();
        Ok(())
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<Value> {
        let url = format!("{}{path}", self.base);
        let request = match method {
            "POST" => self.client.post(url),
            "PUT" => self.client.put(url),
            _ => self.client.get(url),
        }
        .insert_header(("x-api-key", self.key.as_str()));
        let mut response = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        }
        .map_err(|e| anyhow::anyhow!("{method} {path}: {e}"))?;
        let status = response.status();
        let bytes = response.body().limit(64 * 1024 * 1024).await?;
        anyhow::ensure!(
            status.is_success(),
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(serde_json::from_slice(&bytes).unwrap_or(Value::Null))
    }

    /// A GET's body as text (`/metrics`).
    pub async fn text(&self, path: &str) -> anyhow::Result<String> {
        let mut response = self
            .client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .map_err(|e| anyhow::anyhow!("GET {path}: {e}"))?;
        let bytes = response.body().limit(16 * 1024 * 1024).await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    pub async fn create_instance(&self, body: Value) -> anyhow::Result<String> {
        let created = self.call("POST", "/api/instances", Some(body)).await?;
        Ok(created["id"].as_str().context("no id")?.to_owned())
    }

    pub async fn wait_status(&self, id: &str, status: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let current = self
                .call("GET", &format!("/api/whatsapp/{id}/status"), None)
                .await?;
            if current["status"] == status {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "instance {id} never became {status}"
            );
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Creates an instance and pairs it with `phone` on the simulated network.
    pub async fn paired(&self, phone: &str, extra: Value) -> anyhow::Result<String> {
        let mut body = json!({"name": format!("bench {phone}")});
        if let Some(fields) = extra.as_object() {
            for (k, v) in fields {
                body[k] = v.clone();
            }
        }
        let id = self.create_instance(body).await?;
        self.wait_status(&id, "qr").await?;
        self.call(
            "POST",
            &format!("/api/sim/instances/{id}/scan"),
            Some(json!({"phone": phone})),
        )
        .await?;
        self.wait_status(&id, "connected").await?;
        Ok(id)
    }

    pub async fn active_instances(&self) -> anyhow::Result<u64> {
        let stats = self.call("GET", "/api/stats/system", None).await?;
        stats["instances"]["active"]
            .as_u64()
            .context("no instances.active")
    }

    pub async fn chat_total(&self, id: &str, chat: &str) -> anyhow::Result<u64> {
        let page = self
            .call(
                "GET",
                &format!("/api/instances/{id}/chats/{chat}/messages?limit=1"),
                None,
            )
            .await?;
        page["pagination"]["total"].as_u64().context("no total")
    }
}
