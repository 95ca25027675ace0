//! The WhatsApp test server for the engine's measurements, in its own process,
//! and linking many wamux instances through its phones.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Value, json};

use crate::client::Api;
use crate::process::{Server, ServerOptions};

pub struct Mock {
    child: Child,
    pub ws: String,
    pub admin: String,
}

impl Mock {
    /// `wa-mock` from beside this binary (`cargo build --release -p wa-mock`).
    pub fn start(log: &std::path::Path) -> anyhow::Result<Self> {
        let binary = std::env::current_exe()?.with_file_name("wa-mock");
        anyhow::ensure!(
            binary.exists(),
            "no {}: build it first (cargo build [--release] -p wa-mock)",
            binary.display()
        );
        let mut child = Command::new(binary)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(log)?))
            .spawn()?;
        let mut ready = String::new();
        BufReader::new(child.stdout.take().context("mock stdout")?).read_line(&mut ready)?;
        let ready: Value = serde_json::from_str(&ready).context("the mock's ready line")?;
        Ok(Self {
            child,
            ws: ready["ws"].as_str().context("ws")?.to_owned(),
            admin: ready["admin"].as_str().context("admin")?.to_owned(),
        })
    }

    /// The server's settings for the engine against this mock.
    pub fn server_options(&self) -> ServerOptions {
        ServerOptions {
            database_url: None,
            extra: vec![
                ("WAMUX__WHATSAPP__BACKEND".into(), "whatsapp-rust".into()),
                ("WAMUX__WHATSAPP__WS_URL".into(), self.ws.clone()),
            ],
        }
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Creates `count` instances (`extra` merged into each) and links each to a new
/// account's phone, `workers` at a time; (instance id, phone number) each, once
/// every one is connected.
pub async fn link_many(
    server: &Server,
    mock: &Mock,
    count: usize,
    extra: Value,
    workers: usize,
) -> anyhow::Result<Vec<(String, String)>> {
    let (base, key, admin) = (
        Arc::new(server.api.base.clone()),
        server.api.key.clone(),
        Arc::new(mock.admin.clone()),
    );
    let tasks: Vec<_> = (0..workers)
        .map(|worker| {
            let (base, key, admin, extra) =
                (base.clone(), key.clone(), admin.clone(), extra.clone());
            actix_web::rt::spawn(async move {
                let mut api = Api::new((*base).clone());
                api.key = key;
                let phone_admin = awc::Client::builder()
                    .timeout(Duration::from_secs(120))
                    .finish();
                let mut linked = Vec::new();
                for n in (worker..count).step_by(workers) {
                    let mut body = json!({"name": format!("engine {n}")});
                    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
                        body.extend(extra.clone());
                    }
                    let id = api.create_instance(body).await?;
                    api.wait_status(&id, "qr").await?;
                    let qr = api
                        .call("GET", &format!("/api/instances/{id}/qr"), None)
                        .await?;
                    let mut answer = phone_admin
                        .post(format!("{admin}/admin/scan"))
                        .send_json(&json!({"qr": qr["qrCode"]}))
                        .await
                        .map_err(|err| anyhow::anyhow!("scan: {err}"))?;
                    let linked_to: Value = answer.json().limit(1 << 20).await?;
                    let phone = linked_to["phone"]
                        .as_str()
                        .with_context(|| format!("scan refused: {linked_to}"))?
                        .to_owned();
                    linked.push((id, phone));
                }
                Ok::<_, anyhow::Error>(linked)
            })
        })
        .collect();
    let mut linked = Vec::with_capacity(count);
    for task in tasks {
        linked.extend(task.await??);
    }
    wait_connected(server, count, Duration::from_secs(600)).await?;
    Ok(linked)
}

/// Waits until the server reports `count` instances connected.
pub async fn wait_connected(server: &Server, count: usize, limit: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    while server.api.active_instances().await? < count as u64 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the engine instances did not all connect"
        );
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
    }
    Ok(())
}
