//! Settings: `config.toml` (or `--config PATH`), then `WAMUX__SECTION__KEY`
//! environment overrides. Every key has a default; unknown keys are refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::net::client_ip::IpRange;
use serde::{Deserialize, Serialize, Serializer};

pub const DEFAULT_CONFIG_FILE: &str = "config.toml";
const ENV_PREFIX: &str = "WAMUX";
const ENV_SEPARATOR: &str = "__";
const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{0}")]
    Load(#[from] config::ConfigError),
    #[error("{key}: {problem}")]
    Invalid { key: &'static str, problem: String },
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub whatsapp: WhatsappSettings,
    pub supervision: SupervisionSettings,
    pub webhooks: WebhookDeliverySettings,
    pub stats: StatsSettings,
    pub limits: LimitSettings,
    pub metrics: MetricsSettings,
    pub sim: SimSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookDeliverySettings {
    /// One attempt may take this long before it counts as failed.
    pub timeout_ms: u64,
    /// Deliveries in flight at once, over all instances (one per instance at a time).
    pub concurrency: usize,
    /// Lets webhook URLs point at private, loopback and link-local addresses (tests).
    pub allow_private_targets: bool,
}

impl Default for WebhookDeliverySettings {
    fn default() -> Self {
        Self {
            timeout_ms: 10_000,
            concurrency: 64,
            allow_private_targets: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Backend {
    #[serde(rename = "whatsapp-rust")]
    WhatsappRust,
    #[serde(rename = "sim")]
    Sim,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhatsappSettings {
    pub backend: Backend,
    /// One session store per instance lives here (`<data_dir>/<instance_id>.db`).
    pub data_dir: PathBuf,
    /// WhatsApp Web version `2.3000.N`; empty: looked up once per process.
    pub version: String,
    /// WebSocket address override; empty: WhatsApp's own.
    pub ws_url: String,
    pub media_fetch_timeout_ms: u64,
    pub max_media_bytes: usize,
    /// Lets send-media fetch from private, loopback and link-local addresses (tests).
    pub allow_private_media_urls: bool,
}

impl Default for WhatsappSettings {
    fn default() -> Self {
        Self {
            backend: Backend::WhatsappRust,
            data_dir: "data/wa".into(),
            version: String::new(),
            ws_url: String::new(),
            media_fetch_timeout_ms: 30_000,
            max_media_bytes: 64 * 1024 * 1024,
            allow_private_media_urls: false,
        }
    }
}

impl WhatsappSettings {
    /// The configured version as the engine wants it, when one is set.
    pub fn parsed_version(&self) -> Result<Option<(u32, u32, u32)>, String> {
        if self.version.trim().is_empty() {
            return Ok(None);
        }
        let parts: Vec<u32> = self
            .version
            .trim()
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| "must look like 2.3000.1026131876".to_owned())?;
        match parts.as_slice() {
            [major, minor, patch] => Ok(Some((*major, *minor, *patch))),
            _ => Err("must look like 2.3000.1026131876".into()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SupervisionSettings {
    pub max_restarts: u32,
    pub restart_window_secs: u64,
    pub backoff_initial_ms: u64,
    pub backoff_multiplier: f64,
    pub backoff_max_ms: u64,
    pub jitter: f64,
    pub boot_stagger_ms: u64,
    pub qr_max_cycles: u32,
    pub request_timeout_ms: u64,
    pub mailbox_capacity: usize,
}

impl Default for SupervisionSettings {
    fn default() -> Self {
        Self {
            max_restarts: 5,
            restart_window_secs: 300,
            backoff_initial_ms: 1000,
            backoff_multiplier: 2.0,
            backoff_max_ms: 60_000,
            jitter: 0.2,
            boot_stagger_ms: 100,
            qr_max_cycles: 3,
            request_timeout_ms: 10_000,
            mailbox_capacity: 256,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    /// Login attempts a minute, per client address and per email; 0: no limit.
    pub login_attempts_per_minute: u32,
    /// Requests a second per user (or API key) once past `burst`; 0: no limit.
    pub requests_per_second: u32,
    pub burst: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_attempts_per_minute: 10,
            requests_per_second: 100,
            burst: 200,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// Scrapers send `Authorization: Bearer <token>`; empty: `allowed_ips` decide.
    #[serde(serialize_with = "masked")]
    pub token: SecretString,
    pub allowed_ips: Vec<IpRange>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            token: SecretString::from(String::new()),
            allowed_ips: ["127.0.0.1", "::1"]
                .iter()
                .filter_map(|ip| IpRange::parse(ip).ok())
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatsSettings {
    /// Counts are written to the database this often (and at shutdown).
    pub flush_interval_ms: u64,
}

impl Default for StatsSettings {
    fn default() -> Self {
        Self {
            flush_interval_ms: 5000,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimSettings {
    pub qr_refresh_ms: u64,
    /// 0: wait for `/api/sim/instances/{id}/scan`; otherwise pair by itself after this delay.
    pub auto_pair_ms: u64,
    pub receipt_delay_ms: u64,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            qr_refresh_ms: 20_000,
            auto_pair_ms: 0,
            receipt_delay_ms: 500,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// 0 means one worker per core.
    pub workers: usize,
    pub data_dir: PathBuf,
    pub json_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
    /// Addresses or CIDR ranges allowed to reach the server; empty: everyone.
    pub allowed_ips: Vec<IpRange>,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<IpRange>,
    /// Browser origins allowed by CORS; empty: CORS off.
    pub cors_allowed_origins: Vec<String>,
    /// PEM files for direct HTTPS; both empty: plain HTTP.
    pub tls_cert: String,
    pub tls_key: String,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 8080,
            workers: 0,
            data_dir: "data".into(),
            json_limit_bytes: 1024 * 1024,
            shutdown_timeout_secs: 30,
            allowed_ips: Vec::new(),
            trusted_proxies: Vec::new(),
            cors_allowed_origins: Vec::new(),
            tls_cert: String::new(),
            tls_key: String::new(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    #[serde(serialize_with = "without_password")]
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
    /// An idle pooled connection is closed after this long.
    pub idle_timeout_secs: u64,
    /// Any pooled connection is replaced after this long.
    pub max_lifetime_secs: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/wamux.db?mode=rwc".into(),
            max_connections: 10,
            connect_timeout_secs: 5,
            idle_timeout_secs: 600,
            max_lifetime_secs: 1800,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Empty: generated once and kept in `server.data_dir`.
    #[serde(serialize_with = "masked")]
    pub jwt_secret: SecretString,
    pub jwt_ttl_secs: u64,
    /// How long an authenticated caller is remembered (0: every request reads the database).
    pub cache_ttl_secs: u64,
    pub bootstrap_admin_email: String,
    #[serde(serialize_with = "masked")]
    pub bootstrap_admin_password: SecretString,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: SecretString::from(String::new()),
            jwt_ttl_secs: 24 * 60 * 60,
            cache_ttl_secs: 30,
            bootstrap_admin_email: String::new(),
            bootstrap_admin_password: SecretString::from(String::new()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter; `RUST_LOG` wins when set.
    pub level: String,
    pub json: bool,
    /// Draws each new QR code on the console, for operators pairing by hand.
    pub qr_terminal: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json: false,
            qr_terminal: false,
        }
    }
}

impl Settings {
    /// Loads from `path` (or `config.toml` when present) and the process environment.
    pub fn load(path: Option<&Path>) -> Result<Self, SettingsError> {
        let env: HashMap<String, String> = std::env::vars()
            .filter(|(key, _)| key.starts_with(&format!("{ENV_PREFIX}{ENV_SEPARATOR}")))
            .collect();
        Self::load_with_env(path, env)
    }

    /// Like [`Settings::load`], with the environment given explicitly (tests).
    pub fn load_with_env(
        path: Option<&Path>,
        env: HashMap<String, String>,
    ) -> Result<Self, SettingsError> {
        let file = match path {
            Some(path) => config::File::from(path).required(true),
            None => config::File::with_name(DEFAULT_CONFIG_FILE).required(false),
        };
        let settings: Settings = config::Config::builder()
            .add_source(file.format(config::FileFormat::Toml))
            .add_source(
                config::Environment::with_prefix(ENV_PREFIX)
                    .prefix_separator(ENV_SEPARATOR)
                    .separator(ENV_SEPARATOR)
                    .try_parsing(true)
                    .list_separator(",")
                    .with_list_parse_key("server.allowed_ips")
                    .with_list_parse_key("server.trusted_proxies")
                    .with_list_parse_key("server.cors_allowed_origins")
                    .with_list_parse_key("metrics.allowed_ips")
                    .source(Some(env)),
            )
            .build()?
            .try_deserialize()?;
        settings.validate()?;
        Ok(settings)
    }

    pub fn validate(&self) -> Result<(), SettingsError> {
        let secret_len = self.auth.jwt_secret.expose_secret().len();
        if secret_len > 0 && secret_len < MIN_JWT_SECRET_BYTES {
            return Err(invalid(
                "auth.jwt_secret",
                format!("must be empty (generated) or at least {MIN_JWT_SECRET_BYTES} bytes"),
            ));
        }
        if self.auth.jwt_ttl_secs == 0 {
            return Err(invalid("auth.jwt_ttl_secs", "must be greater than 0"));
        }
        let url = self.database.url.as_str();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite: or postgres://",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if self.server.json_limit_bytes == 0 {
            return Err(invalid("server.json_limit_bytes", "must be greater than 0"));
        }
        self.validate_supervision()?;
        self.whatsapp
            .parsed_version()
            .map_err(|e| invalid("whatsapp.version", e))?;
        let ws_url = &self.whatsapp.ws_url;
        if !(ws_url.is_empty() || ws_url.starts_with("ws://") || ws_url.starts_with("wss://")) {
            return Err(invalid(
                "whatsapp.ws_url",
                "must start with ws:// or wss://",
            ));
        }
        if self.whatsapp.max_media_bytes == 0 {
            return Err(invalid(
                "whatsapp.max_media_bytes",
                "must be greater than 0",
            ));
        }
        if self.whatsapp.media_fetch_timeout_ms == 0 {
            return Err(invalid(
                "whatsapp.media_fetch_timeout_ms",
                "must be greater than 0",
            ));
        }
        if self.server.tls_cert.is_empty() != self.server.tls_key.is_empty() {
            return Err(invalid(
                "server.tls_cert",
                "server.tls_cert and server.tls_key go together",
            ));
        }
        for origin in &self.server.cors_allowed_origins {
            if !(origin == "*" || origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(invalid(
                    "server.cors_allowed_origins",
                    format!("{origin:?} must be an http(s) origin or *"),
                ));
            }
        }
        if self.limits.requests_per_second > 0 && self.limits.burst == 0 {
            return Err(invalid(
                "limits.burst",
                "must be at least 1 when limits.requests_per_second is set",
            ));
        }
        if self.webhooks.timeout_ms == 0 {
            return Err(invalid("webhooks.timeout_ms", "must be greater than 0"));
        }
        if self.webhooks.concurrency == 0 {
            return Err(invalid("webhooks.concurrency", "must be at least 1"));
        }
        if self.stats.flush_interval_ms == 0 {
            return Err(invalid("stats.flush_interval_ms", "must be greater than 0"));
        }
        if self.sim.qr_refresh_ms == 0 {
            return Err(invalid("sim.qr_refresh_ms", "must be greater than 0"));
        }
        crate::telemetry::filter_for(&self.log.level).map_err(|e| invalid("log.level", e))?;
        let admin_email = self.auth.bootstrap_admin_email.trim();
        let admin_password = self.auth.bootstrap_admin_password.expose_secret();
        if !admin_email.is_empty() {
            crate::domain::user::Email::parse(admin_email)
                .map_err(|e| invalid("auth.bootstrap_admin_email", e))?;
            crate::domain::user::Password::parse(admin_password)
                .map_err(|e| invalid("auth.bootstrap_admin_password", e))?;
        } else if !admin_password.is_empty() {
            return Err(invalid(
                "auth.bootstrap_admin_email",
                "must be set when auth.bootstrap_admin_password is",
            ));
        }
        Ok(())
    }
}

impl Settings {
    fn validate_supervision(&self) -> Result<(), SettingsError> {
        let s = &self.supervision;
        if s.backoff_initial_ms == 0 {
            return Err(invalid(
                "supervision.backoff_initial_ms",
                "must be greater than 0",
            ));
        }
        if s.backoff_max_ms < s.backoff_initial_ms {
            return Err(invalid(
                "supervision.backoff_max_ms",
                "must be at least supervision.backoff_initial_ms",
            ));
        }
        if !(s.backoff_multiplier >= 1.0 && s.backoff_multiplier <= 100.0) {
            return Err(invalid(
                "supervision.backoff_multiplier",
                "must be between 1 and 100",
            ));
        }
        if !(0.0..=1.0).contains(&s.jitter) {
            return Err(invalid("supervision.jitter", "must be between 0 and 1"));
        }
        if s.restart_window_secs == 0 {
            return Err(invalid(
                "supervision.restart_window_secs",
                "must be greater than 0",
            ));
        }
        if s.qr_max_cycles == 0 {
            return Err(invalid("supervision.qr_max_cycles", "must be at least 1"));
        }
        if s.request_timeout_ms == 0 {
            return Err(invalid(
                "supervision.request_timeout_ms",
                "must be greater than 0",
            ));
        }
        if s.mailbox_capacity == 0 {
            return Err(invalid(
                "supervision.mailbox_capacity",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}

fn invalid(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        problem: problem.into(),
    }
}

/// Secrets show as `***` when set (`wamux config check`).
fn masked<S: Serializer>(secret: &SecretString, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if secret.expose_secret().is_empty() {
        ""
    } else {
        "***"
    })
}

/// `postgres://user:secret@host/db` shows as `postgres://user:***@host/db`.
fn without_password<S: Serializer>(url: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let masked = match url.split_once("://") {
        Some((scheme, rest)) => match rest.split_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
                None => url.to_owned(),
            },
            None => url.to_owned(),
        },
        None => url.to_owned(),
    };
    serializer.serialize_str(&masked)
}

impl Settings {
    /// The effective settings as TOML, secrets masked.
    pub fn to_masked_toml(&self) -> Result<String, toml::ser::Error> {
        toml::to_string_pretty(self)
    }
}
