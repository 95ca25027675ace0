//! `[cluster]`: several wamux processes on one PostgreSQL database, each
//! instance on exactly one of them (see README, "Several servers").

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid, masked};

const MIN_SECRET_BYTES: usize = 32;
/// Below this a lease would have to be renewed faster than a busy database answers.
const MIN_LEASE_TTL_MS: u64 = 1000;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSettings {
    pub enabled: bool,
    /// Empty: the host name and a random suffix, kept in `server.data_dir`.
    pub node_id: String,
    /// How the other nodes reach this node's HTTP, e.g. `http://10.0.0.5:8080`.
    pub advertise_url: String,
    /// The same on every node; authenticates requests between nodes.
    #[serde(serialize_with = "masked")]
    pub secret: SecretString,
    pub lease_ttl_ms: u64,
}

impl Default for ClusterSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            node_id: String::new(),
            advertise_url: String::new(),
            secret: SecretString::from(String::new()),
            lease_ttl_ms: 10_000,
        }
    }
}

impl ClusterSettings {
    pub(super) fn validate(&self, database_url: &str) -> Result<(), SettingsError> {
        if !self.enabled {
            return Ok(());
        }
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(invalid(
                "cluster.enabled",
                "needs database.url = postgres://… (the nodes share their state in PostgreSQL; SQLite is one process's)",
            ));
        }
        if self.secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(invalid(
                "cluster.secret",
                format!("must be at least {MIN_SECRET_BYTES} bytes, the same on every node"),
            ));
        }
        let url = self.advertise_url.trim();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(invalid(
                "cluster.advertise_url",
                "must be the http:// or https:// address the other nodes reach this node at",
            ));
        }
        if self.lease_ttl_ms < MIN_LEASE_TTL_MS {
            return Err(invalid(
                "cluster.lease_ttl_ms",
                format!("must be at least {MIN_LEASE_TTL_MS}"),
            ));
        }
        if self.node_id.len() > 64 || self.node_id.chars().any(|c| c.is_control() || c == '/') {
            return Err(invalid(
                "cluster.node_id",
                "must be at most 64 characters, without '/' or control characters",
            ));
        }
        Ok(())
    }
}
