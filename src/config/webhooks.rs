//! `[webhooks]`: how deliveries are sent and retried.

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

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
