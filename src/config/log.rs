//! `[log]`: what is logged, and how.

use serde::{Deserialize, Serialize};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    /// A tracing filter; `RUST_LOG` wins when set.
    pub level: String,
    pub json: bool,
    /// Draws each new QR code on the console, for operators pairing by hand.
    pub qr_terminal: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json: false,
            qr_terminal: false,
        }
    }
}

/// Dependencies that are chatty at `info` and say nothing an operator needs. The
/// engine's `info` lines narrate each client's start and stop, which wamux's own
/// instance log reports once per change.
const QUIET_DEPENDENCIES: &str = "sqlx=warn,sea_orm=warn,sea_orm_migration=warn,whatsapp_rust=warn";

/// The filter `level` means, quiet dependencies included; `Err` names what is wrong.
pub fn env_filter(level: &str) -> Result<EnvFilter, String> {
    EnvFilter::try_new(format!("{QUIET_DEPENDENCIES},{level}")).map_err(|err| err.to_string())
}
