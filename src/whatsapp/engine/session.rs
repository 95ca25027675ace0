//! One session attempt on the engine: builds a client over the instance's store,
//! runs it until it ends or is stopped, then shuts it down and drops it.
//!
//! The attempt's task is the only strong owner of its client (through the
//! `BotHandle`). Everything else sees it through a `Weak`, so once the task is
//! over, the client, its store's connections, its tasks and its timers are gone,
//! whatever ended the attempt.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::sync::oneshot;
use whatsapp_rust::Client;
use whatsapp_rust::bot::{Bot, BotHandle};
use whatsapp_rust::store::traits::Backend;

use super::forwarder::{ClientSlot, Forwarder, LiveClients, Received, Tracker, live_client};
use super::http::EngineHttp;
use super::runtime::{EngineRuntime, HandleRuntime};
use super::store::SessionPlace;
use super::transport::ReportingTransport;
use super::version::WebVersion;
use crate::whatsapp::{EventSink, SessionEnd, WaError, WaEvent};

/// `BotHandle::shutdown` can hang ~20 s mid-handshake; past this the bot is aborted.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// What an attempt needs from the backend.
pub struct AttemptSpec {
    pub instance_id: String,
    pub sessions: Arc<SessionPlace>,
    pub ws_url: Option<String>,
    pub runtime: tokio::runtime::Handle,
    pub web_version: Arc<WebVersion>,
    pub http: EngineHttp,
    pub live: Arc<LiveClients>,
    pub received: Received,
}

/// Starts an attempt on the engine's runtime; the handle the instance actor keeps.
pub fn start(spec: AttemptSpec, runtime: Arc<EngineRuntime>, sink: EventSink) -> EngineSession {
    let client = ClientSlot::default();
    let (stop, stopped) = oneshot::channel();
    let task = Box::pin(run_attempt(spec, sink.clone(), client.clone(), stopped));
    let join = runtime
        .handle()
        .spawn(crate::whatsapp::run_guarded(task, sink));
    EngineSession {
        runtime,
        client,
        stop: Mutex::new(Some(stop)),
        join: Mutex::new(Some(join)),
    }
}

fn failed(reason: String) -> WaEvent {
    WaEvent::Ended(SessionEnd::Failed { reason })
}

async fn run_attempt(
    spec: AttemptSpec,
    sink: EventSink,
    slot: ClientSlot,
    stopped: oneshot::Receiver<()>,
) {
    let tracker = Arc::new(Tracker::default());
    let (bot, store) = match build_bot(&spec, &sink, &slot, &tracker).await {
        Ok(built) => built,
        Err(reason) => {
            sink.emit(failed(reason));
            return;
        }
    };
    let mut handle = bot.spawn();
    let stop_requested = tokio::select! {
        () = &mut handle => false,
        () = tracker.crash_signal.notified() => false,
        _ = stopped => true,
    };
    let client = handle.client();
    shut_down(handle).await;
    save_device(client, store.as_ref()).await;
    if stop_requested || tracker.ended.swap(true, Ordering::SeqCst) {
        return;
    }
    sink.emit(WaEvent::Ended(end_of(&tracker)));
}

async fn build_bot(
    spec: &AttemptSpec,
    sink: &EventSink,
    slot: &ClientSlot,
    tracker: &Arc<Tracker>,
) -> Result<(Bot, Arc<dyn Backend>), String> {
    let store = spec.sessions.open(&spec.instance_id, sink).await?;
    let version = spec.web_version.current().await;
    let forwarder = Forwarder::new(
        sink.clone(),
        tracker.clone(),
        slot.clone(),
        spec.web_version.clone(),
        version,
        spec.live.clone(),
        spec.received.clone(),
    );
    let keep_before_ack = forwarder.keep_before_ack();
    let builder = Bot::builder()
        .with_backend_arc(store.clone())
        .with_transport_factory(ReportingTransport::new(
            spec.ws_url.as_deref(),
            tracker.clone(),
        ))
        .with_http_client(spec.http.clone())
        .with_runtime(HandleRuntime {
            handle: spec.runtime.clone(),
            tracker: tracker.clone(),
        })
        .with_event_handler(forwarder)
        .with_inbound_durability_hook(keep_before_ack)
        .with_version(version);
    let builder = if spec.received.reading.history_sync {
        builder
    } else {
        builder.skip_history_sync()
    };
    let bot = builder
        .build()
        .await
        .map_err(|err| format!("building the WhatsApp client: {err}"))?;
    let client = bot.client();
    // The supervisor owns reconnects (config's backoff, activity log), not the engine.
    client.enable_auto_reconnect.store(false, Ordering::Relaxed);
    *tracker
        .raw_stanzas
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) =
        Some(client.acquire_raw_node_forwarding());
    let _ = slot.set(Arc::downgrade(&client));
    Ok((bot, store))
}

/// Writes the stopped client's device once more, and waits for it. The engine
/// saves its device in the background, and a save still in flight when the
/// client is dropped can be lost or land late: right after linking, WhatsApp's
/// stream restart ends the attempt within milliseconds, and the next attempt
/// then read a device that was never linked and showed a new QR code (seen
/// once in 1,000 links through the test server). Dropping the client first
/// stops its background saver, so this write is the last.
async fn save_device(client: Arc<Client>, store: &dyn Backend) {
    let device = client.persistence_manager().get_device_snapshot();
    drop(client);
    if let Err(err) = store.save(&device).await {
        tracing::warn!("the session's device could not be saved at the end of the attempt: {err}");
    }
}

/// Disconnects the client whatever ended the run: that fires its shutdown
/// signal, which ends its background tasks, and flushes its store. Dropping the
/// handle then drops the client.
async fn shut_down(handle: BotHandle) {
    if tokio::time::timeout(SHUTDOWN_TIMEOUT, handle.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("WhatsApp client did not stop in time; aborted");
    }
}

/// How a run that ended by itself, with no terminal event, is reported.
pub(super) fn end_of(tracker: &Tracker) -> SessionEnd {
    if let Some(reason) = tracker.take_crash() {
        // Counted toward supervision.max_restarts, as any crash.
        return SessionEnd::Failed {
            reason: format!("the WhatsApp engine crashed: {reason}"),
        };
    }
    let connected = tracker.connected.load(Ordering::SeqCst);
    if tracker.paired.load(Ordering::SeqCst) && !connected {
        return SessionEnd::RestartNow;
    }
    let reason = match (tracker.take_last_disconnect(), connected) {
        (Some(reason), _) => reason,
        (None, true) => "connection to WhatsApp lost".to_owned(),
        (None, false) => "could not connect to WhatsApp".to_owned(),
    };
    if tracker.rate_limited.swap(false, Ordering::SeqCst) {
        return SessionEnd::RateLimited {
            reason: format!("WhatsApp rate-limited the connection (stream error 429); {reason}"),
        };
    }
    SessionEnd::Disconnected { reason }
}

pub struct EngineSession {
    runtime: Arc<EngineRuntime>,
    pub(super) client: ClientSlot,
    stop: Mutex<Option<oneshot::Sender<()>>>,
    join: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl EngineSession {
    pub(super) fn logged_in_client(&self) -> Result<Arc<Client>, WaError> {
        live_client(&self.client)
            .filter(|client| client.is_logged_in())
            .ok_or(WaError::NotConnected)
    }

    /// Runs `work` on the engine's runtime and waits for it from any runtime.
    pub(super) fn on_engine<T, F>(&self, work: F) -> BoxFuture<'static, Result<T, WaError>>
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

    pub(super) fn stop_and_wait(&self) -> BoxFuture<'static, ()> {
        if let Some(stop) = lock(&self.stop).take() {
            let _ = stop.send(());
        }
        let join = lock(&self.join).take();
        Box::pin(async move {
            if let Some(join) = join {
                let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT * 2, join).await;
            }
        })
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Drop for EngineSession {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.get_mut().ok().and_then(Option::take) {
            let _ = stop.send(());
        }
    }
}
