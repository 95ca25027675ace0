//! tracing set-up: `RUST_LOG` (or `log.level`) filtering, text or JSON lines.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, fmt};

use crate::config::LogSettings;

/// Dependencies that are chatty at `info` and say nothing an operator needs.
const QUIET_DEPENDENCIES: &str = "sqlx=warn,sea_orm=warn,sea_orm_migration=warn";

pub fn filter_for(level: &str) -> Result<EnvFilter, String> {
    EnvFilter::try_new(format!("{level},{QUIET_DEPENDENCIES}")).map_err(|err| err.to_string())
}

/// Installs the global subscriber; a second call (tests) keeps the first.
pub fn init(settings: &LogSettings) {
    let filter = EnvFilter::try_from_default_env()
        .ok()
        .or_else(|| filter_for(&settings.level).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    let _ = if settings.json {
        registry
            .with(fmt::layer().json().with_current_span(true))
            .try_init()
    } else {
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        registry.with(fmt::layer().with_ansi(ansi)).try_init()
    };
}
