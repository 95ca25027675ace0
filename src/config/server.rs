//! `[server]` and `[database]`: where the API listens, and what it stores in.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid, without_password};
use crate::net::client_ip::IpRange;

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

impl ServerSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.json_limit_bytes == 0 {
            return Err(invalid("server.json_limit_bytes", "must be greater than 0"));
        }
        if self.tls_cert.is_empty() != self.tls_key.is_empty() {
            return Err(invalid(
                "server.tls_cert",
                "server.tls_cert and server.tls_key go together",
            ));
        }
        for origin in &self.cors_allowed_origins {
            if !(origin == "*" || origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(invalid(
                    "server.cors_allowed_origins",
                    format!("{origin:?} must be an http(s) origin or *"),
                ));
            }
        }
        Ok(())
    }
}

impl DatabaseSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let url = self.url.as_str();
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            return Err(invalid(
                "database.url",
                "must start with sqlite: or postgres://",
            ));
        }
        if self.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        Ok(())
    }
}
