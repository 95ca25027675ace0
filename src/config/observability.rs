//! `[metrics]` and `[stats]`: Prometheus and usage counting.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::masked;
use crate::net::client_ip::IpRange;

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
