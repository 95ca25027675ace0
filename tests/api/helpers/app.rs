//! The app under test: settings, spawning, restarting, and requests as a user.

use std::sync::Once;
use std::time::Duration;

use reqwest::{Method, RequestBuilder, Response};
use secrecy::SecretString;
use serde_json::{Value, json};
use tempfile::TempDir;
use wamux::config::{Backend, Settings};
use wamux::startup::Application;

use super::TestDb;

pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-1";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret!";

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
    // Tests present wrong credentials on purpose, many from one address; the
    // limit has its own test (security.rs).
    settings.limits.auth_failures_per_minute = 100_000;
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

pub struct TestUser {
    pub id: String,
    pub api_key: String,
}
