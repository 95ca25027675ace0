//! `[limits]`: request rates and sizes.

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

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
