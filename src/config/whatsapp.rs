//! `[whatsapp]` and `[sim]`: which WhatsApp the instances talk to, and how.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{SettingsError, invalid};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Backend {
    #[serde(rename = "whatsapp-rust")]
    WhatsappRust,
    #[serde(rename = "sim")]
    Sim,
}

/// Where the engine keeps each instance's WhatsApp session (keys, devices, app-state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStore {
    /// wamux's own database (SQLite or PostgreSQL): backed up with it, movable between nodes.
    Database,
    /// One SQLite file per instance under `data_dir`.
    Files,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WhatsappSettings {
    pub backend: Backend,
    pub session_store: SessionStore,
    /// With `session_store = "files"`, one session file per instance lives here
    /// (`<data_dir>/<instance_id>.db`); with `"database"`, files found here from
    /// before are imported into the database once and removed.
    pub data_dir: PathBuf,
    /// WhatsApp Web version `2.3000.N`; empty: looked up once per process.
    pub version: String,
    /// WebSocket address override; empty: WhatsApp's own.
    pub ws_url: String,
    pub media_fetch_timeout_ms: u64,
    pub max_media_bytes: usize,
    /// Lets send-media fetch from private, loopback and link-local addresses (tests).
    pub allow_private_media_urls: bool,
    /// Stores contacts' status stories (`status@broadcast`) as messages; off,
    /// they are dropped on arrival.
    pub status_updates: bool,
    /// Imports the chats WhatsApp sends a newly linked device (the newest
    /// messages of each, without media files, and names) into the history,
    /// without webhooks; off, that sync is declined.
    pub history_sync: bool,
}

impl Default for WhatsappSettings {
    fn default() -> Self {
        Self {
            backend: Backend::WhatsappRust,
            session_store: SessionStore::Database,
            data_dir: "data/wa".into(),
            version: String::new(),
            ws_url: String::new(),
            media_fetch_timeout_ms: 30_000,
            max_media_bytes: 64 * 1024 * 1024,
            allow_private_media_urls: false,
            status_updates: false,
            history_sync: false,
        }
    }
}

impl WhatsappSettings {
    /// The configured version as the engine wants it, when one is set.
    pub fn parsed_version(&self) -> Result<Option<(u32, u32, u32)>, String> {
        if self.version.trim().is_empty() {
            return Ok(None);
        }
        let parts: Vec<u32> = self
            .version
            .trim()
            .split('.')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| "must look like 2.3000.1026131876".to_owned())?;
        match parts.as_slice() {
            [major, minor, patch] => Ok(Some((*major, *minor, *patch))),
            _ => Err("must look like 2.3000.1026131876".into()),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimSettings {
    pub qr_refresh_ms: u64,
    /// 0: wait for `/api/sim/instances/{id}/scan`; otherwise pair by itself after this delay.
    pub auto_pair_ms: u64,
    pub receipt_delay_ms: u64,
}

impl Default for SimSettings {
    fn default() -> Self {
        Self {
            qr_refresh_ms: 20_000,
            auto_pair_ms: 0,
            receipt_delay_ms: 500,
        }
    }
}

impl WhatsappSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        self.parsed_version()
            .map_err(|e| invalid("whatsapp.version", e))?;
        let ws_url = &self.ws_url;
        if !(ws_url.is_empty() || ws_url.starts_with("ws://") || ws_url.starts_with("wss://")) {
            return Err(invalid(
                "whatsapp.ws_url",
                "must start with ws:// or wss://",
            ));
        }
        #[cfg(feature = "mock-whatsapp")]
        if self.backend == Backend::WhatsappRust && mock_whatsapp_address(ws_url).is_none() {
            return Err(invalid(
                "whatsapp.ws_url",
                "this build (feature mock-whatsapp) does not verify WhatsApp's certificates: \
                 it talks only to a WhatsApp test server on 127.0.0.0/8 (ws://127.0.0.1:PORT/ws/chat)",
            ));
        }
        if self.max_media_bytes == 0 {
            return Err(invalid(
                "whatsapp.max_media_bytes",
                "must be greater than 0",
            ));
        }
        if self.media_fetch_timeout_ms == 0 {
            return Err(invalid(
                "whatsapp.media_fetch_timeout_ms",
                "must be greater than 0",
            ));
        }
        Ok(())
    }
}

/// `host:port` of a WhatsApp test server at `ws_url`, when it is a plain
/// `ws://` URL on 127.0.0.0/8: the only WhatsApp a `mock-whatsapp` build talks to.
#[cfg(feature = "mock-whatsapp")]
pub fn mock_whatsapp_address(ws_url: &str) -> Option<String> {
    let rest = ws_url.strip_prefix("ws://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = authority.rsplit_once(':')?;
    let ip: std::net::Ipv4Addr = host.parse().ok()?;
    let port: u16 = port.parse().ok()?;
    (ip.octets()[0] == 127 && port != 0).then(|| format!("{ip}:{port}"))
}

#[cfg(all(test, feature = "mock-whatsapp"))]
mod mock_tests {
    use super::*;

    #[test]
    fn only_a_loopback_test_server_is_accepted() {
        assert_eq!(
            mock_whatsapp_address("ws://127.0.0.1:4567/ws/chat").as_deref(),
            Some("127.0.0.1:4567")
        );
        assert!(mock_whatsapp_address("ws://127.9.8.7:80/ws/chat").is_some());
        for refused in [
            "",
            "wss://web.whatsapp.com/ws/chat",
            "ws://10.0.0.1:4567/ws/chat",
            "ws://localhost:4567/ws/chat",
            "ws://128.0.0.1:4567/ws/chat",
            "ws://127.0.0.1/ws/chat",
        ] {
            assert_eq!(mock_whatsapp_address(refused), None, "{refused}");
        }
        let settings = WhatsappSettings {
            ws_url: "wss://web.whatsapp.com/ws/chat".into(),
            ..Default::default()
        };
        assert!(settings.validate().is_err());
        let sim = WhatsappSettings {
            backend: Backend::Sim,
            ..Default::default()
        };
        assert!(sim.validate().is_ok(), "the sim needs no test server");
    }
}
