//! The real `wamux` binary (built with `mock-whatsapp`) as a child process, on
//! the whatsapp-rust engine pointed at the test server, and its HTTP API.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};

use super::db::TestDb;
use crate::helpers::eventually;

const ADMIN_EMAIL: &str = "admin@example.com";
const ADMIN_PASSWORD: &str = "admin-password-1";
const CLUSTER_SECRET: &str = "cluster-secret-of-at-least-thirty-two-bytes";

pub struct Wamux {
    child: Option<Child>,
    database_url: String,
    pub base: String,
    pub key: String,
    pub http: reqwest::Client,
    envs: Vec<(String, String)>,
    log: std::path::PathBuf,
}

impl Wamux {
    /// Starts wamux with its data in `dir`, its database `db`, WhatsApp at `ws_url`.
    /// `settings`: environment overrides on top of the harness's own.
    pub async fn start(
        temp: &tempfile::TempDir,
        db: TestDb,
        ws_url: &str,
        settings: &[(&str, &str)],
    ) -> Self {
        let database_url = db.provision(temp).await;
        Self::start_on(temp.path(), database_url, ws_url, settings, None).await
    }

    /// Starts wamux with its data in `dir` on the database at `database_url`;
    /// with `node`, as that cluster node (PostgreSQL only).
    pub async fn start_on(
        dir: &std::path::Path,
        database_url: String,
        ws_url: &str,
        settings: &[(&str, &str)],
        node: Option<&str>,
    ) -> Self {
        let port = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let cluster: Vec<(String, String)> = node
            .map(|node| {
                [
                    ("WAMUX__CLUSTER__ENABLED", "true".to_owned()),
                    ("WAMUX__CLUSTER__NODE_ID", node.to_owned()),
                    (
                        "WAMUX__CLUSTER__ADVERTISE_URL",
                        format!("http://127.0.0.1:{port}"),
                    ),
                    ("WAMUX__CLUSTER__SECRET", CLUSTER_SECRET.to_owned()),
                    ("WAMUX__CLUSTER__LEASE_TTL_MS", "2000".to_owned()),
                ]
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect()
            })
            .unwrap_or_default();
        let envs: Vec<(String, String)> = [
            ("WAMUX__SERVER__PORT", port.to_string()),
            (
                "WAMUX__SERVER__DATA_DIR",
                dir.join("data").display().to_string(),
            ),
            ("WAMUX__SERVER__SHUTDOWN_TIMEOUT_SECS", "5".into()),
            ("WAMUX__DATABASE__URL", database_url),
            (
                "WAMUX__AUTH__JWT_SECRET",
                "test-secret-test-secret-test-secret!".into(),
            ),
            ("WAMUX__AUTH__BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL.into()),
            (
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD",
                ADMIN_PASSWORD.into(),
            ),
            ("WAMUX__LIMITS__AUTH_FAILURES_PER_MINUTE", "100000".into()),
            // The engine against the test server: nothing else is configured
            // (the web version is looked up from it too).
            ("WAMUX__WHATSAPP__BACKEND", "whatsapp-rust".into()),
            ("WAMUX__WHATSAPP__WS_URL", ws_url.into()),
            (
                "WAMUX__WHATSAPP__DATA_DIR",
                dir.join("data/wa").display().to_string(),
            ),
            ("WAMUX__SUPERVISION__BOOT_STAGGER_MS", "0".into()),
            ("WAMUX__SUPERVISION__BACKOFF_INITIAL_MS", "200".into()),
            ("WAMUX__SUPERVISION__BACKOFF_MAX_MS", "1000".into()),
            ("WAMUX__SUPERVISION__JITTER", "0".into()),
            ("WAMUX__WEBHOOKS__ALLOW_PRIVATE_TARGETS", "true".into()),
            ("WAMUX__WEBHOOKS__TIMEOUT_MS", "5000".into()),
            ("WAMUX__STATS__FLUSH_INTERVAL_MS", "200".into()),
        ]
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value))
        .chain(cluster)
        .chain(
            settings
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        )
        .collect();
        let mut wamux = Self {
            child: None,
            database_url: envs
                .iter()
                .find(|(key, _)| key == "WAMUX__DATABASE__URL")
                .map(|(_, url)| url.clone())
                .unwrap_or_default(),
            base: format!("http://127.0.0.1:{port}"),
            key: String::new(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
            envs,
            log: dir.join("wamux.log"),
        };
        wamux.spawn().await;
        let login = wamux
            .http
            .post(format!("{}/api/auth/login", wamux.base))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .expect("login");
        let body: Value = login.json().await.expect("login json");
        wamux.key = body["user"]["apiKey"].as_str().expect("apiKey").to_owned();
        wamux
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("wamux log");
        let child = Command::new(env!("CARGO_BIN_EXE_wamux"))
            .env(
                "RUST_LOG",
                std::env::var("E2E_WAMUX_LOG").unwrap_or_else(|_| "info".into()),
            )
            .envs(self.envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("wamux starts");
        self.child = Some(child);
        let health = format!("{}/health", self.base);
        let http = self.http.clone();
        eventually("wamux to answer /health", || {
            let (http, health) = (http.clone(), health.clone());
            async move {
                let answer = http.get(&health).send().await.ok()?;
                (answer.status() == 200).then_some(())
            }
        })
        .await;
    }

    /// SIGTERM, the process's own shutdown, then the same settings again.
    pub async fn restart(&mut self) {
        if let Some(mut child) = self.child.take() {
            let pid = child.id().to_string();
            let _ = Command::new("kill").args(["-TERM", &pid]).status();
            let _ = child.wait();
        }
        self.spawn().await;
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGKILL, then the same settings again.
    pub async fn kill_and_restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", &self.key)
    }

    /// The JSON answer of a request, whatever its status.
    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self.request(method, path);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("wamux answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None).await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let (status, answer) = self.call(Method::POST, path, Some(body)).await;
        assert!(
            (200..300).contains(&status),
            "POST {path}: {status} {answer}"
        );
        answer
    }

    pub async fn status(&self, id: &str) -> Value {
        self.get(&format!("/api/whatsapp/{id}/status")).await
    }

    pub async fn wait_for_status(&self, id: &str, status: &str) -> Value {
        eventually(&format!("status {status}"), || async {
            let current = self.status(id).await;
            (current["status"] == status).then_some(current)
        })
        .await
    }

    /// The activity log, oldest first.
    pub async fn activity(&self, id: &str) -> Vec<Value> {
        let body = self
            .get(&format!("/api/instances/{id}/activity?limit=1000"))
            .await;
        let mut logs = body["logs"].as_array().cloned().unwrap_or_default();
        logs.reverse();
        logs
    }

    /// A chat's history, newest first.
    pub async fn history(&self, id: &str, chat: &str) -> Vec<Value> {
        let body = self
            .get(&format!(
                "/api/instances/{id}/chats/{chat}/messages?limit=100"
            ))
            .await;
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// Waits for the history row of `message_id` in `chat` to satisfy `check`.
    pub async fn wait_for_row(
        &self,
        id: &str,
        chat: &str,
        message_id: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        eventually(&format!("message {message_id} in {chat}"), || async {
            self.history(id, chat)
                .await
                .into_iter()
                .find(|row| row["messageId"] == message_id && check(row))
        })
        .await
    }
}

impl Wamux {
    /// Rows of the instance's WhatsApp session left in the database.
    pub async fn session_rows(&self, id: &str) -> usize {
        crate::session_rows::session_rows(&self.database_url, id).await
    }

    /// The activity log's actions, oldest first.
    pub async fn actions(&self, id: &str) -> Vec<String> {
        self.activity(id)
            .await
            .iter()
            .map(|log| log["action"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

impl Drop for Wamux {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
