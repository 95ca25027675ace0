//! Settings: `config.toml` (or `--config PATH`), then `WAMUX__SECTION__KEY`
//! environment overrides. Every key has a default; unknown keys are refused.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

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

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// 0 means one worker per core.
    pub workers: usize,
    pub data_dir: PathBuf,
    pub json_limit_bytes: usize,
    pub shutdown_timeout_secs: u64,
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
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    pub url: String,
    pub max_connections: u32,
    pub connect_timeout_secs: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: "sqlite://data/wamux.db?mode=rwc".into(),
            max_connections: 10,
            connect_timeout_secs: 5,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthSettings {
    /// Empty: generated once and kept in `server.data_dir`.
    pub jwt_secret: SecretString,
    pub jwt_ttl_secs: u64,
    pub bootstrap_admin_email: String,
    pub bootstrap_admin_password: SecretString,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            jwt_secret: SecretString::from(String::new()),
            jwt_ttl_secs: 24 * 60 * 60,
            bootstrap_admin_email: String::new(),
            bootstrap_admin_password: SecretString::from(String::new()),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter; `RUST_LOG` wins when set.
    pub level: String,
    pub json: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json: false,
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

fn invalid(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        problem: problem.into(),
    }
}
