//! The real WhatsApp engine (`whatsapp-rust` 0.7): one client per session attempt,
//! over the instance's session store (see `store`), all on a dedicated tokio runtime, events
//! forwarded in order. See `session` for who owns a client and when it is released.

mod convert;
#[cfg(test)]
mod crash_tests;
mod durability;
mod forwarder;
#[cfg(test)]
mod forwarder_tests;
mod groups;
mod http;
mod media_again;
mod operations;
mod runtime;
mod session;
mod store;
#[cfg(test)]
mod tests;
mod transport;
mod version;

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::{BackendLoad, EventSink, WaBackend, WaError, WaSession};
use crate::config::WhatsappSettings;
use crate::db::engine_store::StoreConnections;
use forwarder::LiveClients;
use http::EngineHttp;
use runtime::EngineRuntime;
use session::AttemptSpec;
use store::SessionPlace;
use version::WebVersion;

const ENGINE_THREADS: usize = 2;

pub struct EngineBackend {
    runtime: Arc<EngineRuntime>,
    sessions: Arc<SessionPlace>,
    ws_url: Option<String>,
    web_version: Arc<WebVersion>,
    /// One HTTP agent (and connection pool) for every client of the process.
    http: EngineHttp,
    live: Arc<LiveClients>,
    received: forwarder::Received,
}

impl EngineBackend {
    pub fn new(settings: &WhatsappSettings, db: StoreConnections) -> anyhow::Result<Self> {
        let ws_url = Some(settings.ws_url.clone()).filter(|url| !url.is_empty());
        let http = EngineHttp::new(ws_url.as_deref());
        let configured = settings.parsed_version().map_err(anyhow::Error::msg)?;
        let runtime = Arc::new(EngineRuntime::new(ENGINE_THREADS)?);
        Ok(Self {
            sessions: Arc::new(SessionPlace::new(
                settings.session_store,
                db,
                settings.data_dir.clone(),
            )),
            ws_url,
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
}

impl WaBackend for EngineBackend {
    fn start(&self, instance_id: &str, sink: EventSink) -> Arc<dyn WaSession> {
        let spec = AttemptSpec {
            instance_id: instance_id.to_owned(),
            sessions: self.sessions.clone(),
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
        let sessions = self.sessions.clone();
        let instance_id = instance_id.to_owned();
        Box::pin(async move { sessions.delete(&instance_id).await })
    }

    fn load(&self) -> BackendLoad {
        BackendLoad {
            clients: self.live.count(),
            tasks: Some(self.runtime.handle().metrics().num_alive_tasks()),
        }
    }
}
