//! The real WhatsApp engine (`whatsapp-rust` 0.7): one client per instance with its
//! own store file, all on a dedicated tokio runtime, events forwarded in order.

mod convert;
mod runtime;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use whatsapp_rust::Client;
use whatsapp_rust::bot::Bot;
use whatsapp_rust::http::UreqHttpClient;
use whatsapp_rust::send::SendOptions;
use whatsapp_rust::store::SqliteStore;
use whatsapp_rust::transport::TokioWebSocketTransportFactory;

use super::{EventSink, OutgoingMedia, SessionEnd, WaBackend, WaError, WaEvent, WaSession};
use crate::config::WhatsappSettings;
use crate::domain::phone::Jid;
use runtime::{EngineRuntime, HandleRuntime};

/// `BotHandle::shutdown` can hang ~20 s mid-handshake; past this the bot is aborted.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);
const ENGINE_THREADS: usize = 2;

pub struct EngineBackend {
    runtime: Arc<EngineRuntime>,
    data_dir: PathBuf,
    version: Option<(u32, u32, u32)>,
    ws_url: Option<String>,
}

impl EngineBackend {
    pub fn new(settings: &WhatsappSettings) -> anyhow::Result<Self> {
        Ok(Self {
            runtime: Arc::new(EngineRuntime::new(ENGINE_THREADS)?),
            data_dir: settings.data_dir.clone(),
            version: settings.parsed_version().map_err(anyhow::Error::msg)?,
            ws_url: Some(settings.ws_url.clone()).filter(|url| !url.is_empty()),
        })
    }

    /// The instance's session store file.
    pub fn store_path(data_dir: &Path, instance_id: &str) -> PathBuf {
        data_dir.join(format!("{instance_id}.db"))
    }
}

/// What the event handler learned, read when the client's run loop ends.
#[derive(Default)]
struct Tracker {
    connected: AtomicBool,
    paired: AtomicBool,
    /// A terminal event (logged out, QR exhausted, conflict) was already sent.
    ended: AtomicBool,
    last_disconnect: Mutex<Option<String>>,
}

struct SessionSpec {
    store_path: PathBuf,
    version: Option<(u32, u32, u32)>,
    ws_url: Option<String>,
    runtime: tokio::runtime::Handle,
}

impl WaBackend for EngineBackend {
    fn start(&self, instance_id: &str, sink: EventSink) -> Arc<dyn WaSession> {
        let client = Arc::new(OnceLock::new());
        let (stop, stopped) = oneshot::channel();
        let spec = SessionSpec {
            store_path: Self::store_path(&self.data_dir, instance_id),
            version: self.version,
            ws_url: self.ws_url.clone(),
            runtime: self.runtime.handle(),
        };
        let task = Box::pin(run_session(spec, sink.clone(), client.clone(), stopped));
        let join = self.runtime.handle().spawn(super::run_guarded(task, sink));
        Arc::new(EngineSession {
            runtime: self.runtime.clone(),
            client,
            stop: Mutex::new(Some(stop)),
            join: Mutex::new(Some(join)),
        })
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
}

async fn run_session(
    spec: SessionSpec,
    sink: EventSink,
    client_slot: Arc<OnceLock<Arc<Client>>>,
    stopped: oneshot::Receiver<()>,
) {
    let failed = |reason: String| WaEvent::Ended(SessionEnd::Failed { reason });
    if let Some(parent) = spec.store_path.parent()
        && let Err(err) = tokio::fs::create_dir_all(parent).await
    {
        sink.emit(failed(format!("creating the session store folder: {err}")));
        return;
    }
    let store = match SqliteStore::new(&spec.store_path.to_string_lossy()).await {
        Ok(store) => store,
        Err(err) => {
            sink.emit(failed(format!("opening the session store: {err}")));
            return;
        }
    };
    let tracker = Arc::new(Tracker::default());
    let transport = match &spec.ws_url {
        Some(url) => TokioWebSocketTransportFactory::new().with_url(url.clone()),
        None => TokioWebSocketTransportFactory::new(),
    };
    let mut builder = Bot::builder()
        .with_backend(store)
        .with_transport_factory(transport)
        .with_http_client(UreqHttpClient::new())
        .with_runtime(HandleRuntime(spec.runtime.clone()))
        .with_event_handler(convert::Forwarder::new(
            sink.clone(),
            tracker.clone(),
            client_slot.clone(),
        ))
        .skip_history_sync();
    if let Some(version) = spec.version {
        builder = builder.with_version(version);
    }
    let bot = match builder.build().await {
        Ok(bot) => bot,
        Err(err) => {
            sink.emit(failed(format!("building the WhatsApp client: {err}")));
            return;
        }
    };
    let client = bot.client();
    // The supervisor owns reconnects (config's backoff, activity log), not the engine.
    client.enable_auto_reconnect.store(false, Ordering::Relaxed);
    let _ = client_slot.set(client);
    let mut handle = bot.spawn();
    let stop_requested = tokio::select! {
        () = &mut handle => false,
        _ = stopped => true,
    };
    if stop_requested {
        if tokio::time::timeout(SHUTDOWN_TIMEOUT, handle.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("WhatsApp client did not stop in time; aborted");
        }
        return;
    }
    if tracker.ended.swap(true, Ordering::SeqCst) {
        return;
    }
    let end = if tracker.paired.load(Ordering::SeqCst) && !tracker.connected.load(Ordering::SeqCst)
    {
        SessionEnd::RestartNow
    } else {
        let last = tracker
            .last_disconnect
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        let reason = match (last, tracker.connected.load(Ordering::SeqCst)) {
            (Some(reason), _) => reason,
            (None, true) => "connection to WhatsApp lost".to_owned(),
            (None, false) => "could not connect to WhatsApp".to_owned(),
        };
        SessionEnd::Disconnected { reason }
    };
    sink.emit(WaEvent::Ended(end));
}

struct EngineSession {
    runtime: Arc<EngineRuntime>,
    client: Arc<OnceLock<Arc<Client>>>,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    join: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl EngineSession {
    fn logged_in_client(&self) -> Result<Arc<Client>, WaError> {
        self.client
            .get()
            .filter(|client| client.is_logged_in())
            .cloned()
            .ok_or(WaError::NotConnected)
    }

    /// Runs `work` on the engine's runtime and waits for it from any runtime.
    fn on_engine<T, F>(&self, work: F) -> BoxFuture<'static, Result<T, WaError>>
    where
        T: Send + 'static,
        F: Future<Output = Result<T, WaError>> + Send + 'static,
    {
        let join = self.runtime.handle().spawn(work);
        Box::pin(async move {
            join.await
                .map_err(|err| WaError::Session(format!("engine task failed: {err}")))?
        })
    }

    fn stop_and_wait(&self) -> BoxFuture<'static, ()> {
        if let Some(stop) = self
            .stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            let _ = stop.send(());
        }
        let join = self
            .join
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        Box::pin(async move {
            if let Some(join) = join {
                let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT * 2, join).await;
            }
        })
    }
}

impl WaSession for EngineSession {
    fn send_text(
        &self,
        message_id: &str,
        to: &Jid,
        text: &str,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        use whatsapp_rust::wacore::proto_helpers::MessageBuilderExt;
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, convert::jid(to)?)));
        let message = whatsapp_rust::waproto::whatsapp::Message::text(text);
        let options = SendOptions::default().with_message_id(message_id);
        self.on_engine(async move {
            let (client, jid) = prepared?;
            client
                .send_message_with_options(jid, message, options)
                .await
                .map(|_| ())
                .map_err(convert::send_error)
        })
    }

    fn send_media(
        &self,
        message_id: &str,
        to: &Jid,
        media: OutgoingMedia,
    ) -> BoxFuture<'static, Result<(), WaError>> {
        let options = SendOptions::default().with_message_id(message_id);
        let prepared = self
            .logged_in_client()
            .and_then(|client| Ok((client, convert::jid(to)?)));
        self.on_engine(async move {
            let (client, jid) = prepared?;
            let upload = client
                .upload(
                    media.bytes.to_vec(),
                    convert::media_type(media.kind),
                    Default::default(),
                )
                .await
                .map_err(|err| WaError::Session(format!("media upload failed: {err}")))?;
            let message = convert::media_message(upload, &media);
            client
                .send_message_with_options(jid, message, options)
                .await
                .map(|_| ())
                .map_err(convert::send_error)
        })
    }

    fn pair_with_code(&self, phone: &str) -> BoxFuture<'static, Result<String, WaError>> {
        let client = self.client.get().cloned();
        let options = whatsapp_rust::pair_code::PairCodeOptions {
            phone_number: phone.to_owned(),
            ..Default::default()
        };
        self.on_engine(async move {
            let client = client.ok_or(WaError::NotConnected)?;
            let code = client
                .pair_with_code(options)
                .await
                .map_err(|err| WaError::Rejected(format!("pairing code refused: {err}")))?;
            Ok(convert::pairing_code(&code))
        })
    }

    fn logout(&self) -> BoxFuture<'static, ()> {
        let client = self.client.get().cloned();
        let logged_out = self.on_engine(async move {
            if let Some(client) = client {
                client.logout().await;
            }
            Ok(())
        });
        let stopped = self.stop_and_wait();
        Box::pin(async move {
            let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT, logged_out).await;
            stopped.await;
        })
    }

    fn shutdown(&self) -> BoxFuture<'static, ()> {
        self.stop_and_wait()
    }
}

impl Drop for EngineSession {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.get_mut().ok().and_then(Option::take) {
            let _ = stop.send(());
        }
    }
}
