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
    /// File uploads (send-file) being received at once, server-wide and per
    /// user; past either, 429. An upload is spooled to a temporary file, so this
    /// bounds open files and disk, not memory.
    pub uploads_in_flight: u32,
    pub uploads_in_flight_per_user: u32,
    /// An upload whose client sends nothing for this long is cut off with 408.
    pub upload_idle_timeout_secs: u64,
    /// An upload not received whole in this long is cut off with 408.
    pub upload_timeout_secs: u64,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            login_attempts_per_minute: 10,
            auth_failures_per_minute: 30,
            requests_per_second: 100,
            burst: 200,
            uploads_in_flight: 32,
            uploads_in_flight_per_user: 8,
            upload_idle_timeout_secs: 30,
            upload_timeout_secs: 600,
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
        for (key, value) in [
            (
                "limits.uploads_in_flight",
                u64::from(self.uploads_in_flight),
            ),
            (
                "limits.uploads_in_flight_per_user",
                u64::from(self.uploads_in_flight_per_user),
            ),
            (
                "limits.upload_idle_timeout_secs",
                self.upload_idle_timeout_secs,
            ),
            ("limits.upload_timeout_secs", self.upload_timeout_secs),
        ] {
            if value == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        Ok(())
    }
}
