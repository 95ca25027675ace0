//! Settings: `config.toml` (or `--config PATH`), then `WAMUX__SECTION__KEY`
//! environment overrides. Every key has a default; unknown keys are refused.

mod auth;
mod log;
mod operations;
mod server;
mod supervision;
mod whatsapp;

use std::collections::HashMap;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

pub use auth::AuthSettings;
pub use log::{LogSettings, env_filter};
pub use operations::{LimitSettings, MetricsSettings, StatsSettings, WebhookDeliverySettings};
pub use server::{DatabaseSettings, ServerSettings};
pub use supervision::SupervisionSettings;
pub use whatsapp::{Backend, SimSettings, WhatsappSettings};

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
        self.supervision.validate()?;
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
        env_filter(&self.log.level).map_err(|e| invalid("log.level", e))?;
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

pub(super) fn invalid(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        problem: problem.into(),
    }
}

/// Secrets show as `***` when set (`wamux config check`).
pub(super) fn masked<S: Serializer>(
    secret: &SecretString,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(if secret.expose_secret().is_empty() {
        ""
    } else {
        "***"
    })
}

/// `postgres://user:secret@host/db` shows as `postgres://user:***@host/db`.
pub(super) fn without_password<S: Serializer>(url: &str, serializer: S) -> Result<S::Ok, S::Error> {
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
