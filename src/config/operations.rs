//! `[webhooks]`, `[limits]`, `[metrics]` and `[stats]`: deliveries, rate limits,
//! Prometheus and usage counting.

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid, masked};
use crate::net::client_ip::IpRange;

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

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LimitSettings {
    /// Login attempts a minute, per client address and per email; 0: no limit.
    pub login_attempts_per_minute: u32,
    /// Requests with wrong credentials a minute, per client address; past it the
    /// address gets 429 for every credentialed request until the minute is over.
    /// 0: no limit.
    pub auth_failures_per_minute: u32,
    /// Requests a second per user (or API key) once past `burst`; 0: no limit.
    pub requests_per_second: u32,
    pub burst: u32,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_attempts_per_minute: 10,
            auth_failures_per_minute: 30,
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

impl LimitSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.requests_per_second > 0 && self.burst == 0 {
            return Err(invalid(
                "limits.burst",
                "must be at least 1 when limits.requests_per_second is set",
            ));
        }
        Ok(())
    }
}

impl WebhookDeliverySettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.timeout_ms == 0 {
            return Err(invalid("webhooks.timeout_ms", "must be greater than 0"));
        }
        if self.concurrency == 0 {
            return Err(invalid("webhooks.concurrency", "must be at least 1"));
        }
        Ok(())
    }
}
