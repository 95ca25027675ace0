//! The real WhatsApp engine (`whatsapp-rust` 0.7): one client per session attempt,
//! over the instance's own store file, all on a dedicated tokio runtime, events
//! forwarded in order. See `session` for who owns a client and when it is released.

mod convert;
#[cfg(test)]
mod crash_tests;
mod forwarder;
#[cfg(test)]
mod forwarder_tests;
mod groups;
mod operations;
mod runtime;
mod session;
#[cfg(test)]
mod tests;
mod transport;
mod version;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::BoxFuture;
use whatsapp_rust::http::UreqHttpClient;

use super::{BackendLoad, EventSink, WaBackend, WaError, WaSession};
use crate::config::WhatsappSettings;
use forwarder::LiveClients;
use runtime::EngineRuntime;
use session::AttemptSpec;
use version::WebVersion;

const ENGINE_THREADS: usize = 2;

pub struct EngineBackend {
    runtime: Arc<EngineRuntime>,
    data_dir: PathBuf,
    ws_url: Option<String>,
    web_version: Arc<WebVersion>,
    /// One HTTP agent (and connection pool) for every client of the process.
    http: UreqHttpClient,
    live: Arc<LiveClients>,
    received: forwarder::Received,
}

impl EngineBackend {
    pub fn new(settings: &WhatsappSettings) -> anyhow::Result<Self> {
        let http = UreqHttpClient::new();
        let configured = settings.parsed_version().map_err(anyhow::Error::msg)?;
        let runtime = Arc::new(EngineRuntime::new(ENGINE_THREADS)?);
        Ok(Self {
            data_dir: settings.data_dir.clone(),
            ws_url: Some(settings.ws_url.clone()).filter(|url| !url.is_empty()),
            web_version: Arc::new(WebVersion::new(configured, Arc::new(http.clone()))),
            http,
            live: Arc::default(),
            received: forwarder::Received {
                reading: crate::whatsapp::model::Reading::from(settings),
                runtime: runtime.handle(),
            },
            runtime,
        })
    }

    /// The instance's session store file.
    pub fn store_path(data_dir: &Path, instance_id: &str) -> PathBuf {
        data_dir.join(format!("{instance_id}.db"))
    }
}

impl WaBackend for EngineBackend {
    fn start(&self, instance_id: &str, sink: EventSink) -> Arc<dyn WaSession> {
        let spec = AttemptSpec {
            store_path: Self::store_path(&self.data_dir, instance_id),
            ws_url: self.ws_url.clone(),
            runtime: self.runtime.handle(),
            web_version: self.web_version.clone(),
            http: self.http.clone(),
            live: self.live.clone(),
            received: self.received.clone(),
        };
        Arc::new(session::start(spec, self.runtime.clone(), sink))
    }

    fn wipe(&self, instance_id: &str) -> BoxFuture<'static, Result<(), WaError>> {
        let store = Self::store_path(&self.data_dir, instance_id);
        Box::pin(async move {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut path = store.clone().into_os_string();
                path.push(suffix);
                match tokio::fs::remove_file(&path).await {
                    Ok(()) => {}
                    Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                    Err(err) => {
                        return Err(WaError::Session(format!(
                            "deleting the session store: {err}"
                        )));
                    }
                }
            }
            Ok(())
        })
    }

    fn load(&self) -> BackendLoad {
        BackendLoad {
            clients: self.live.count(),
            tasks: Some(self.runtime.handle().metrics().num_alive_tasks()),
        }
    }
}
