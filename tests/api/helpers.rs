//! `spawn_app()`: the real server on port 0 with a fresh database, and a client for it.

use std::sync::Once;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use sea_orm::{ConnectionTrait, Database};
use secrecy::SecretString;
use serde_json::{Value, json};
use tempfile::TempDir;
use wamux::config::{Backend, Settings};
use wamux::startup::Application;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

/// Which database a test runs on. Every test runs on SQLite; the PostgreSQL
/// twin runs when `TEST_DATABASE_URL` points at a server.
#[derive(Debug, Clone, Copy)]
pub enum TestDb {
    Sqlite,
    Postgres,
}

impl TestDb {
    pub fn postgres() -> Option<Self> {
        std::env::var("TEST_DATABASE_URL")
            .ok()
            .filter(|url| !url.is_empty())
            .map(|_| Self::Postgres)
    }

    /// A URL to a database nobody else uses.
    async fn provision(self, dir: &TempDir) -> String {
        match self {
            Self::Sqlite => format!("sqlite://{}/wamux.db?mode=rwc", dir.path().display()),
            Self::Postgres => {
                let admin_url = std::env::var("TEST_DATABASE_URL").unwrap_or_default();
                let name = format!("wt_{}", uuid::Uuid::now_v7().simple());
                let admin = Database::connect(admin_url.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("TEST_DATABASE_URL does not answer: {e}"));
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .unwrap_or_else(|e| panic!("creating test database: {e}"));
                let _ = admin.close().await;
                let base = admin_url.split('?').next().unwrap_or_default();
                let (server, _) = base.rsplit_once('/').unwrap_or((base, ""));
                format!("{server}/{name}")
            }
        }
    }
}

/// Declares each `async fn name(db: TestDb)` as a test on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[actix_web::test]
                async fn $name() {
                    super::$name($crate::helpers::TestDb::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[actix_web::test]
                async fn $name() {
                    if let Some(db) = $crate::helpers::TestDb::postgres() {
                        super::$name(db).await
                    }
                }
            )*
        }
    };
}

pub struct TestApp {
    pub address: String,
    pub settings: Settings,
    pub client: reqwest::Client,
    pub admin_token: String,
    pub admin_key: String,
    server: Option<actix_web::dev::ServerHandle>,
    /// The app's run, which ends after its shutdown work (sessions, outbox, statistics).
    running: Option<actix_web::rt::task::JoinHandle<std::io::Result<()>>>,
    /// Holds the temporary folder (database, data dir) for the app's lifetime.
    _dir: TempDir,
}

pub fn init_once() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
        if std::env::var_os("TEST_LOG").is_some() {
            wamux::telemetry::init(&Default::default());
        }
    });
}

/// Settings for a test: port 0, a private data folder, a known administrator.
pub fn test_settings(dir: &TempDir, database_url: String) -> Settings {
    let mut settings = Settings::default();
    settings.server.port = 0;
    settings.server.workers = 1;
    // Room for the shutdown work on a loaded machine (it is cut off after this).
    settings.server.shutdown_timeout_secs = 3;
    settings.server.data_dir = dir.path().join("data");
    settings.database.url = database_url;
    settings.auth.jwt_secret = SecretString::from(JWT_SECRET);
    settings.auth.bootstrap_admin_email = ADMIN_EMAIL.into();
    settings.auth.bootstrap_admin_password = SecretString::from(ADMIN_PASSWORD);
    settings
}

pub async fn spawn_app(db: TestDb) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// The simulated network, tuned for quick tests: short QR cycles and backoffs.
pub fn fast_sim(settings: &mut Settings) {
    settings.whatsapp.backend = Backend::Sim;
    settings.whatsapp.data_dir = settings.server.data_dir.join("wa");
    settings.sim.qr_refresh_ms = 100;
    settings.sim.receipt_delay_ms = 20;
    settings.supervision.backoff_initial_ms = 50;
    settings.supervision.backoff_multiplier = 2.0;
    settings.supervision.backoff_max_ms = 2000;
    settings.supervision.jitter = 0.0;
    settings.supervision.max_restarts = 3;
    settings.supervision.qr_max_cycles = 2;
    settings.supervision.boot_stagger_ms = 0;
    settings.whatsapp.allow_private_media_urls = true;
    settings.webhooks.allow_private_targets = true;
    settings.webhooks.timeout_ms = 5000;
    settings.stats.flush_interval_ms = 200;
}

pub async fn spawn_sim_app(db: TestDb) -> TestApp {
    spawn_app_with(db, fast_sim).await
}

pub async fn spawn_app_with(db: TestDb, customize: impl FnOnce(&mut Settings)) -> TestApp {
    init_once();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = db.provision(&dir).await;
    let mut settings = test_settings(&dir, url);
    customize(&mut settings);
    let mut app = TestApp {
        address: String::new(),
        settings,
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("http client"),
        admin_token: String::new(),
        admin_key: String::new(),
        server: None,
        running: None,
        _dir: dir,
    };
    app.start().await;
    let login = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(login.status(), 200, "bootstrap admin cannot log in");
    let body: Value = login.json().await.expect("login json");
    app.admin_token = body["token"].as_str().expect("token").to_owned();
    app.admin_key = body["user"]["apiKey"].as_str().expect("apiKey").to_owned();
    app
}

impl TestApp {
    async fn start(&mut self) {
        let application = Application::build(self.settings.clone())
            .await
            .expect("application builds");
        self.address = format!("http://127.0.0.1:{}", application.port());
        self.server = Some(application.handle());
        self.running = Some(actix_web::rt::spawn(application.run_until_stopped()));
    }

    /// Stops the server gracefully and starts it again on the same database.
    pub async fn restart(&mut self) {
        self.stop().await;
        self.start().await;
    }

    pub async fn stop(&mut self) {
        if let Some(handle) = self.server.take() {
            handle.stop(true).await;
        }
        // Stopping the HTTP server is not the end: the shutdown flushes statistics
        // and the outbox after it, and a restarted app must find them written.
        if let Some(running) = self.running.take() {
            let _ = running.await;
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// A request authenticated as the bootstrap administrator (Bearer).
    pub fn as_admin(&self, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).bearer_auth(&self.admin_token)
    }

    pub fn with_key(&self, key: &str, method: Method, path: &str) -> RequestBuilder {
        self.request(method, path).header("x-api-key", key)
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.request(Method::POST, "/api/auth/login")
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .expect("login request")
    }

    /// Creates a user through the admin API; returns (id, apiKey).
    pub async fn create_user(&self, email: &str, password: &str, role: &str) -> TestUser {
        let response = self
            .as_admin(Method::POST, "/api/admin/users")
            .json(
                &json!({"email": email, "password": password, "firstName": "Test",
                          "lastName": "User", "role": role}),
            )
            .send()
            .await
            .expect("create user");
        assert_eq!(response.status(), 201, "creating {email}");
        let body: Value = response.json().await.expect("user json");
        TestUser {
            id: body["id"].as_str().expect("id").to_owned(),
            api_key: body["apiKey"].as_str().expect("apiKey").to_owned(),
        }
    }
}

/// Polls every 20 ms for up to 15 s.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..750 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("timed out waiting for {what}");
}

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

pub struct TestUser {
    pub id: String,
    pub api_key: String,
}

/// Reads a JSON body, failing the test on anything else.
pub async fn json_body(response: Response) -> Value {
    let status = response.status();
    let text = response.text().await.expect("body");
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"))
}

/// Asserts status and the contract's error shape; returns the `code`.
pub async fn assert_error(response: Response, status: u16) -> String {
    assert_eq!(response.status(), status, "unexpected status");
    let body = json_body(response).await;
    assert!(body["error"].is_string(), "no error message in {body}");
    body["code"].as_str().expect("code").to_owned()
}

/// A throwaway HTTP server on 127.0.0.1 serving fixed files: `(path, content type, bytes)`.
pub async fn serve_files(files: Vec<(&'static str, &'static str, Vec<u8>)>) -> String {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let files = std::sync::Arc::new(files);
    let server = HttpServer::new(move || {
        let files = files.clone();
        App::new().default_service(web::to(move |req: actix_web::HttpRequest| {
            let files = files.clone();
            async move {
                match files.iter().find(|(path, _, _)| *path == req.path()) {
                    Some((_, content_type, bytes)) => {
                        let mut response = HttpResponse::Ok();
                        if !content_type.is_empty() {
                            response.content_type(*content_type);
                        }
                        response.body(bytes.clone())
                    }
                    None if req.path() == "/redirect" => HttpResponse::Found()
                        .insert_header(("location", "/image.png"))
                        .finish(),
                    None => HttpResponse::NotFound().finish(),
                }
            }
        }))
    })
    .workers(1)
    .bind(("127.0.0.1", 0))
    .expect("bind file server");
    let port = server.addrs()[0].port();
    actix_web::rt::spawn(server.run());
    format!("http://127.0.0.1:{port}")
}

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
