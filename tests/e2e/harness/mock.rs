//! The WhatsApp test server (`wa-mock`) as a child process, and its admin routes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub struct WaMock {
    child: Child,
    pub ws: String,
    pub admin: String,
    http: reqwest::Client,
}

/// `target/<profile>/wa-mock`, beside the `wamux` binary under test (built by
/// `cargo build -p wa-mock`, which scripts/test.sh runs first), or `WA_MOCK_BIN`.
pub fn binary() -> PathBuf {
    let path = std::env::var_os("WA_MOCK_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_BIN_EXE_wamux")).with_file_name("wa-mock"));
    assert!(
        path.exists(),
        "no wa-mock binary at {}: run `cargo build -p wa-mock` first (bash scripts/test.sh does)",
        path.display()
    );
    path
}

impl WaMock {
    /// Starts the mock on a free port; its stderr goes to `log`.
    pub fn start(log: &Path) -> Self {
        // reqwest is built without a default TLS provider (see Cargo.toml).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let log = std::fs::File::create(log).expect("mock log");
        let mut child = Command::new(binary())
            .args(["--listen", "127.0.0.1:0"])
            .env(
                "WA_MOCK_LOG",
                std::env::var("WA_MOCK_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .expect("wa-mock starts");
        let stdout = child.stdout.take().expect("mock stdout");
        let mut ready = String::new();
        BufReader::new(stdout)
            .read_line(&mut ready)
            .expect("the mock's ready line");
        let ready: Value = serde_json::from_str(&ready).expect("the ready line is JSON");
        Self {
            child,
            ws: ready["ws"].as_str().expect("ws").to_owned(),
            admin: ready["admin"].as_str().expect("admin").to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .expect("http client"),
        }
    }

    /// `POST /admin/{path}`: the status and the JSON answer.
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(format!("{}/admin/{path}", self.admin))
            .json(&body)
            .send()
            .await
            .expect("admin request");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The phone of account `phone` (new when absent) scans `qr`.
    pub async fn scan(&self, qr: &str, phone: &str, push_name: &str) -> Value {
        let (status, linked) = self
            .post(
                "scan",
                json!({"qr": qr, "phone": phone, "pushName": push_name}),
            )
            .await;
        assert_eq!(status, 200, "scan: {linked}");
        linked
    }

    /// An account with its phone and no linked device (not a route of the
    /// contract: the mock's own, for a third party in a test).
    pub async fn create_account(&self, phone: &str, push_name: &str) -> Value {
        let (status, account) = self
            .post("accounts", json!({"phone": phone, "pushName": push_name}))
            .await;
        assert_eq!(status, 200, "create account: {account}");
        account
    }

    pub async fn link_code(&self, phone: &str, code: &str) -> (u16, Value) {
        self.post("link-code", json!({"phone": phone, "code": code}))
            .await
    }

    /// The account's phone writes `text` to `to`; the message id.
    pub async fn send(&self, phone: &str, to: &str, text: &str) -> String {
        let (status, sent) = self
            .post(
                &format!("accounts/{phone}/send"),
                json!({"to": to, "text": text}),
            )
            .await;
        assert_eq!(status, 200, "phone send: {sent}");
        sent["id"].as_str().expect("id").to_owned()
    }

    /// The account's phone edits (`{"edits": id, "text"}`) or deletes
    /// (`{"revokes": id}`) a message of chat `to`, whoever wrote it.
    pub async fn change(&self, phone: &str, to: &str, change: Value) -> String {
        let mut body = json!({"to": to});
        if let (Some(body), Some(change)) = (body.as_object_mut(), change.as_object()) {
            body.extend(change.clone());
        }
        let (status, sent) = self.post(&format!("accounts/{phone}/send"), body).await;
        assert_eq!(status, 200, "phone change: {sent}");
        sent["id"].as_str().expect("id").to_owned()
    }

    pub async fn inbox(&self, phone: &str) -> Vec<Value> {
        let inbox: Value = self
            .http
            .get(format!("{}/admin/accounts/{phone}/inbox", self.admin))
            .send()
            .await
            .expect("inbox")
            .json()
            .await
            .expect("inbox json");
        inbox["messages"].as_array().expect("messages").clone()
    }

    /// What the mock saw: handshakes by pattern, logins (its own route).
    pub async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/admin/stats", self.admin))
            .send()
            .await
            .expect("stats")
            .json()
            .await
            .expect("stats json")
    }

    pub async fn fault(&self, phone: &str, fault: Value) {
        let (status, answer) = self.post(&format!("accounts/{phone}/fault"), fault).await;
        assert_eq!(status, 200, "fault: {answer}");
    }
}

impl Drop for WaMock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
