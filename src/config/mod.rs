//! Settings: `config.toml` (or `--config PATH`), then `WAMUX__SECTION__KEY`
//! environment overrides. Every key has a default; unknown keys are refused.

mod auth;
mod cluster;
mod fault_holds;
mod limits;
mod log;
mod observability;
mod server;
mod supervision;
mod webhooks;
mod whatsapp;

use std::collections::HashMap;
use std::path::Path;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize, Serializer};

pub use auth::AuthSettings;
pub use cluster::ClusterSettings;
pub use fault_holds::{FaultHold, fault_hold};
pub use limits::LimitSettings;
pub use log::{LogSettings, env_filter};
pub use observability::{MetricsSettings, StatsSettings};
pub use server::{DatabaseSettings, ServerSettings};
pub use supervision::SupervisionSettings;
pub use webhooks::WebhookDeliverySettings;
#[cfg(feature = "mock-whatsapp")]
pub use whatsapp::mock_whatsapp_address;
pub use whatsapp::{Backend, SessionStore, SimSettings, WhatsappSettings};

pub const DEFAULT_CONFIG_FILE: &str = "config.toml";
const ENV_PREFIX: &str = "WAMUX";
const ENV_SEPARATOR: &str = "__";

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
    pub cluster: ClusterSettings,
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
        self.auth.validate()?;
        self.database.validate()?;
        self.server.validate()?;
        self.supervision.validate()?;
        self.whatsapp.validate()?;
        self.limits.validate()?;
        self.webhooks.validate()?;
        self.cluster.validate(&self.database.url)?;
        if self.cluster.enabled
            && self.whatsapp.backend == Backend::WhatsappRust
            && self.whatsapp.session_store == SessionStore::Files
        {
            return Err(invalid(
                "whatsapp.session_store",
                "must be \"database\" with the cluster on: a session in a file cannot move to another node",
            ));
        }
        if self.stats.flush_interval_ms == 0 {
            return Err(invalid("stats.flush_interval_ms", "must be greater than 0"));
        }
        if self.sim.qr_refresh_ms == 0 {
            return Err(invalid("sim.qr_refresh_ms", "must be greater than 0"));
        }
        env_filter(&self.log.level).map_err(|e| invalid("log.level", e))?;
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
