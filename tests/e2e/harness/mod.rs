//! A small WhatsApp world for a test: the test server, one wamux on the real
//! engine, and a webhook receiver that records every event.

#[path = "../../api/helpers/db.rs"]
mod db;
mod mock;
mod wamux;

use serde_json::{Value, json};
use tempfile::TempDir;

pub use db::TestDb;
pub use mock::WaMock;
pub use wamux::Wamux;

use crate::helpers::eventually;
use crate::receiver::{Receiver, always_ok};

pub struct Network {
    pub mock: WaMock,
    pub wamux: Wamux,
    /// A second node of wamux's cluster, when the test runs one (`start_cluster`).
    pub peer: Option<Wamux>,
    pub hooks: Receiver,
    dir: TempDir,
}

impl Network {
    pub async fn start(db: TestDb) -> Self {
        Self::start_with(db, &[]).await
    }

    /// `start`, with wamux's settings overridden (`WAMUX__…` variables).
    pub async fn start_with(db: TestDb, settings: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let mock = WaMock::start(&dir.path().join("wa-mock.log"));
        let wamux = Wamux::start(&dir, db, &mock.ws, settings).await;
        let hooks = Receiver::start(always_ok()).await;
        Self {
            mock,
            wamux,
            peer: None,
            hooks,
            dir,
        }
    }

    /// Two wamux nodes of one cluster on a fresh PostgreSQL database: `wamux`
    /// is n1, `peer` n2. `None` without `TEST_DATABASE_URL`.
    pub async fn start_cluster() -> Option<Self> {
        let db = TestDb::postgres()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let mock = WaMock::start(&dir.path().join("wa-mock.log"));
        let url = db.provision(&dir).await;
        let second = dir.path().join("n2");
        std::fs::create_dir_all(&second).expect("n2's dir");
        let wamux = Wamux::start_on(dir.path(), url.clone(), &mock.ws, &[], Some("n1")).await;
        let peer = Wamux::start_on(&second, url, &mock.ws, &[], Some("n2")).await;
        let hooks = Receiver::start(always_ok()).await;
        Some(Self {
            mock,
            wamux,
            peer: Some(peer),
            hooks,
            dir,
        })
    }

    /// A new instance whose every event goes to the receiver; its id.
    pub async fn instance(&self, name: &str) -> String {
        let created = self
            .wamux
            .post(
                "/api/instances",
                json!({"name": name, "webhookUrl": self.hooks.url, "webhookEnabled": true,
                       "notifyReceived": true, "notifySent": true,
                       "notifyDelivery": true, "notifyRead": true}),
            )
            .await;
        created["id"].as_str().expect("id").to_owned()
    }

    /// The QR code the instance shows now.
    pub async fn qr(&self, id: &str) -> String {
        self.wamux.wait_for_status(id, "qr").await;
        eventually("a QR code", || async {
            let (status, body) = self
                .wamux
                .call(
                    reqwest::Method::GET,
                    &format!("/api/instances/{id}/qr"),
                    None,
                )
                .await;
            (status == 200)
                .then(|| body["qrCode"].as_str().map(str::to_owned))
                .flatten()
        })
        .await
    }

    /// Links the instance to the phone of account `phone` by its QR code; waits until connected.
    pub async fn link(&self, id: &str, phone: &str, push_name: &str) -> Value {
        let qr = self.qr(id).await;
        let linked = self.mock.scan(&qr, phone, push_name).await;
        self.wamux.wait_for_status(id, "connected").await;
        linked
    }

    /// A new instance linked to `phone`: its id.
    pub async fn linked_instance(&self, name: &str, phone: &str) -> String {
        let id = self.instance(name).await;
        self.link(&id, phone, name).await;
        id
    }

    /// The `data` of the first `event` of instance `id` that `matches`.
    pub async fn event(&self, id: &str, event: &str, matches: impl Fn(&Value) -> bool) -> Value {
        self.hooks
            .event_data(event, |data| data["instanceId"] == id && matches(data))
            .await
    }

    /// How many `event`s of instance `id` arrived that `matches`.
    pub fn count(&self, id: &str, event: &str, matches: impl Fn(&Value) -> bool) -> usize {
        crate::receiver::distinct(&self.hooks.requests())
            .iter()
            .filter(|r| r.event() == event)
            .map(|r| r.json()["data"].clone())
            .filter(|data| data["instanceId"] == id && matches(data))
            .count()
    }
}

impl Drop for Network {
    /// A failing test shows what the mock and wamux said; `E2E_KEEP=1` keeps
    /// their logs (and wamux's data) of every test.
    fn drop(&mut self) {
        if std::thread::panicking() {
            for log in ["wa-mock.log", "wamux.log", "n2/wamux.log"] {
                let text = std::fs::read_to_string(self.dir.path().join(log)).unwrap_or_default();
                let lines: Vec<&str> = text.lines().collect();
                let tail = &lines[lines.len().saturating_sub(60)..];
                eprintln!("---- last lines of {log} ----\n{}", tail.join("\n"));
            }
        }
        if std::env::var_os("E2E_KEEP").is_some()
            && let Ok(empty) = tempfile::tempdir()
        {
            let kept = std::mem::replace(&mut self.dir, empty).keep();
            eprintln!("e2e: logs and data kept in {}", kept.display());
        }
    }
}

/// Declares each `async fn name(db: TestDb)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! e2e_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::harness::TestDb::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(db) = $crate::harness::TestDb::postgres() {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}
