//! `[supervision]`: how instance sessions are restarted, and when given up on.

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

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
    /// How long a pairing code stays usable (WhatsApp's own: 180 s); the session
    /// waits this long for it after the QR codes run out.
    pub pairing_code_lifetime_ms: u64,
    pub request_timeout_ms: u64,
    pub mailbox_capacity: usize,
    /// A connected session from which nothing arrived this long is probed,
    /// and restarted when the probe goes unanswered (0: never).
    pub stall_after_ms: u64,
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
            pairing_code_lifetime_ms: 180_000,
            request_timeout_ms: 10_000,
            mailbox_capacity: 256,
            stall_after_ms: 180_000,
        }
    }
}

impl SupervisionSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        let s = self;
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
