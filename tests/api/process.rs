//! The real `wamux` binary as a child process, for crash and signal tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET, eventually, json_body};
use crate::receiver::free_port;

pub struct ServerProcess {
    child: Option<Child>,
    pub base: String,
    pub key: String,
    client: reqwest::Client,
    envs: Vec<(String, String)>,
    dir: std::path::PathBuf,
}

impl ServerProcess {
    /// Starts `wamux` on the sim backend with its data in `dir`; `extra` adds
    /// `WAMUX__...` settings.
    pub async fn start(dir: &Path, extra: &[(&str, &str)]) -> Self {
        Self::start_on(dir, free_port(), extra).await
    }

    /// Like `start`, on a port chosen beforehand (a cluster node advertises it).
    pub async fn start_on(dir: &Path, port: u16, extra: &[(&str, &str)]) -> Self {
        crate::helpers::init_once();
        let mut envs: Vec<(String, String)> = vec![
            ("WAMUX__SERVER__PORT".into(), port.to_string()),
            (
                "WAMUX__SERVER__DATA_DIR".into(),
                dir.join("data").display().to_string(),
            ),
            (
                "WAMUX__DATABASE__URL".into(),
                format!("sqlite://{}/wamux.db?mode=rwc", dir.display()),
            ),
            ("WAMUX__AUTH__JWT_SECRET".into(), JWT_SECRET.into()),
            (
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_EMAIL".into(),
                ADMIN_EMAIL.into(),
            ),
            (
                "WAMUX__AUTH__BOOTSTRAP_ADMIN_PASSWORD".into(),
                ADMIN_PASSWORD.into(),
            ),
            ("WAMUX__WHATSAPP__BACKEND".into(), "sim".into()),
            (
                "WAMUX__WHATSAPP__DATA_DIR".into(),
                dir.join("data/wa").display().to_string(),
            ),
            ("WAMUX__SIM__QR_REFRESH_MS".into(), "200".into()),
            ("WAMUX__SIM__RECEIPT_DELAY_MS".into(), "20".into()),
            ("WAMUX__SUPERVISION__BOOT_STAGGER_MS".into(), "0".into()),
            (
                "WAMUX__WEBHOOKS__ALLOW_PRIVATE_TARGETS".into(),
                "true".into(),
            ),
            ("WAMUX__WEBHOOKS__TIMEOUT_MS".into(), "1000".into()),
        ];
        envs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let mut server = Self {
            child: None,
            base: format!("http://127.0.0.1:{port}"),
            key: String::new(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            envs,
            dir: dir.to_owned(),
        };
        server.spawn().await;
        let login = server
            .client
            .post(format!("{}/api/auth/login", server.base))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap();
        server.key = json_body(login).await["user"]["apiKey"]
            .as_str()
            .unwrap()
            .to_owned();
        server
    }

    async fn spawn(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.join("wamux.log"))
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_wamux"))
            .current_dir(&self.dir)
            .env_remove("RUST_LOG")
            .envs(self.envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.child = Some(child);
        let health = format!("{}/health", self.base);
        let client = self.client.clone();
        eventually("the server to answer /health", || {
            let (client, health) = (client.clone(), health.clone());
            async move {
                client
                    .get(&health)
                    .send()
                    .await
                    .ok()
                    .filter(|r| r.status() == 200)
                    .map(|_| ())
            }
        })
        .await;
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().unwrap();
            child.wait().unwrap();
        }
    }

    /// SIGTERM, then waits for the exit; returns how long it took and the exit status.
    pub fn terminate(&mut self) -> (Duration, std::process::ExitStatus) {
        let mut child = self.child.take().expect("running");
        let started = std::time::Instant::now();
        let pid = child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        let status = child.wait().unwrap();
        (started.elapsed(), status)
    }

    /// Sends a signal (`STOP`, `CONT`, …) to the running process.
    pub fn signal(&self, name: &str) {
        let pid = self.pid().to_string();
        let sent = Command::new("kill")
            .args([&format!("-{name}"), &pid])
            .status();
        assert!(
            sent.is_ok_and(|status| status.success()),
            "kill -{name} failed"
        );
    }

    /// The running process's id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    /// What the server wrote to its console so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("wamux.log")).unwrap_or_default()
    }

    /// Starts it again after `kill` or `terminate`.
    pub async fn start_again(&mut self) {
        self.spawn().await;
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.request_as(&self.key, method, path)
    }

    /// A request with another caller's API key.
    pub fn request_as(&self, key: &str, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.base))
            .header("x-api-key", key)
    }

    pub async fn get(&self, path: &str) -> Value {
        json_body(self.request(Method::GET, path).send().await.unwrap()).await
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.request(Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn wait_for_status(&self, id: &str, status: &str) {
        eventually(&format!("status {status}"), || async {
            (self.get(&format!("/api/whatsapp/{id}/status")).await["status"] == status)
                .then_some(())
        })
        .await;
    }

    pub async fn paired_instance(&self, name: &str, phone: &str, extra: Value) -> String {
        let mut body = json!({"name": name});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let created = self.post("/api/instances", body).await;
        assert_eq!(created.status(), 201);
        let id = json_body(created).await["id"].as_str().unwrap().to_owned();
        self.wait_for_status(&id, "qr").await;
        let scan = self
            .post(
                &format!("/api/sim/instances/{id}/scan"),
                json!({"phone": phone, "pushName": name}),
            )
            .await;
        assert_eq!(scan.status(), 200);
        self.wait_for_status(&id, "connected").await;
        id
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
