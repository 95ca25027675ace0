//! The simulated WhatsApp network (`whatsapp.backend = "sim"`): a test double of
//! WhatsApp's servers and of the phones that scan QR codes. Everything around it
//! (actors, database, webhooks, statistics) is the production code.

mod actions;
mod cluster;
mod delivery;
mod faults;
mod groups;
mod linking;
mod media_server;
mod operations;
mod session;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::model::{Reader, Reading};
use super::{BackendLoad, EventSink, WaBackend, WaError, WaSession};
use crate::config::SimSettings;
use crate::db;
use crate::domain::phone::Jid;
pub use delivery::{InboundFile, PastMessage, SimInbound};

const STORE_READERS: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The network drops the connection.
    Disconnect,
    /// The session panics.
    Crash,
    /// The phone removes this linked device.
    Logout,
    /// Another client opens the same session (the engine's `StreamReplaced`).
    Replaced,
    /// WhatsApp bans the account for a day (the engine's `TemporaryBan`, code 101).
    Ban,
    /// WhatsApp refuses the client's version (the engine's `ClientOutdated`).
    Outdated,
    /// WhatsApp refuses the instance's next message after taking it (a nack,
    /// with `code`; 463 by default): the session goes on.
    Nack,
    /// WhatsApp takes `delayMs` to take the instance's next message (a large
    /// upload, a big group): the session goes on.
    Slow,
}

/// What a fault that does not end the session changes about the next send.
#[derive(Debug, Clone, Copy, Default)]
pub struct NextSend {
    /// The code WhatsApp refuses it with (`nack`).
    pub code: u16,
    /// How long WhatsApp takes to take it (`slow`).
    pub delay_ms: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("the instance has no running session")]
    NoSession,
    #[error("no QR code is waiting to be scanned")]
    NoQrPending,
    #[error("the session is not connected")]
    NotConnected,
    #[error("this phone is already linked to another connected instance")]
    PhoneInUse,
    #[error("the instance is already paired")]
    AlreadyPaired,
    #[error("the simulated session store failed: {0}")]
    Store(String),
}

enum Command {
    Scan {
        phone: String,
        push_name: String,
        reply: oneshot::Sender<Result<(), SimError>>,
    },
    /// Pairing by phone number: the code the phone's owner would type.
    PairCode {
        reply: oneshot::Sender<Result<String, SimError>>,
    },
    Fault(FaultKind),
    Stop,
}

struct Link {
    token: u64,
    control: mpsc::UnboundedSender<Box<Command>>,
    /// Reads what the network delivers to this instance, as the engine's
    /// forwarder reads what WhatsApp delivers.
    reader: delivery::SharedReader,
    /// What the phone that scans the QR code had before: synced once linked.
    pending_history: Vec<PastMessage>,
    /// Set once connected: the phone and push name this instance speaks as.
    identity: Option<(String, String)>,
    /// Phones (digits) whose messages this phone no longer takes.
    blocked: HashSet<String>,
    /// The code WhatsApp refuses this instance's next message with.
    refuse_next: Option<u16>,
    /// How long WhatsApp takes to take this instance's next message.
    slow_next: Option<std::time::Duration>,
}

#[derive(Default)]
struct Registry {
    links: HashMap<String, Link>,
    /// Phone digits -> instance id, for connected instances.
    phones: HashMap<String, String>,
}

struct Inner {
    db: DatabaseConnection,
    /// Bounds concurrent reads of the session store: restoring thousands of
    /// instances at once would otherwise queue thousands of queries, each
    /// holding its buffers, and leave the allocator with that peak for good.
    store_reads: tokio::sync::Semaphore,
    settings: SimSettings,
    reading: Reading,
    media: Arc<media_server::MediaServer>,
    /// How every instance downloads from `media` (one for the whole network).
    downloads: Arc<dyn super::model::MediaSource>,
    registry: Mutex<Registry>,
    next_token: AtomicU64,
    /// In a cluster: how deliveries reach instances on other nodes.
    signals: std::sync::OnceLock<crate::db::signals::Signals>,
}

#[derive(Clone)]
pub struct SimNetwork {
    inner: Arc<Inner>,
}

impl SimNetwork {
    pub fn new(db: DatabaseConnection, settings: SimSettings, reading: Reading) -> Self {
        let media = Arc::new(media_server::MediaServer::default());
        Self {
            inner: Arc::new(Inner {
                db,
                store_reads: tokio::sync::Semaphore::new(STORE_READERS),
                settings,
                reading,
                downloads: media.downloads(),
                media,
                registry: Mutex::new(Registry::default()),
                next_token: AtomicU64::new(1),
                signals: std::sync::OnceLock::new(),
            }),
        }
    }

    /// How instances download from the network's media server.
    fn downloads(&self) -> Arc<dyn super::model::MediaSource> {
        self.inner.downloads.clone()
    }

    fn registry(&self) -> MutexGuard<'_, Registry> {
        self.inner
            .registry
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn command(&self, instance_id: &str, command: Command) -> Result<(), SimError> {
        let registry = self.registry();
        let link = registry.links.get(instance_id).ok_or(SimError::NoSession)?;
        link.control
            .send(Box::new(command))
            .map_err(|_| SimError::NoSession)
    }

    /// A phone scans the instance's QR code; `history` is what the phone had
    /// before, sent to the instance once linked (as WhatsApp's history sync).
    pub async fn scan(
        &self,
        instance_id: &str,
        phone: &Jid,
        push_name: &str,
        history: Vec<PastMessage>,
    ) -> Result<(), SimError> {
        if let Some(link) = self.registry().links.get_mut(instance_id) {
            link.pending_history = history;
        }
        let (reply, answer) = oneshot::channel();
        self.command(
            instance_id,
            Command::Scan {
                phone: phone.user().to_owned(),
                push_name: push_name.to_owned(),
                reply,
            },
        )?;
        answer.await.map_err(|_| SimError::NoSession)?
    }

    /// Plays a fault on the instance's session; a nack or a slow send is
    /// armed for its next message instead, and the session goes on.
    pub fn fault(
        &self,
        instance_id: &str,
        kind: FaultKind,
        next: NextSend,
    ) -> Result<(), SimError> {
        if !matches!(kind, FaultKind::Nack | FaultKind::Slow) {
            return self.command(instance_id, Command::Fault(kind));
        }
        let mut registry = self.registry();
        let link = registry
            .links
            .get_mut(instance_id)
            .ok_or(SimError::NoSession)?;
        match kind {
            FaultKind::Slow => {
                link.slow_next = Some(std::time::Duration::from_millis(next.delay_ms));
            }
            _ => link.refuse_next = Some(next.code),
        }
        Ok(())
    }

    /// How long WhatsApp takes to take the instance's next message, once.
    fn take_delay(&self, instance_id: &str, token: u64) -> Option<std::time::Duration> {
        let mut registry = self.registry();
        let link = registry.links.get_mut(instance_id)?;
        (link.token == token)
            .then(|| link.slow_next.take())
            .flatten()
    }

    fn register(&self, instance_id: &str, link: Link) {
        let mut registry = self.registry();
        if let Some(old) = registry.links.insert(instance_id.to_owned(), link) {
            let _ = old.control.send(Box::new(Command::Stop));
            if let Some((phone, _)) = old.identity {
                registry.phones.remove(&phone);
            }
        }
    }

    /// Marks the session connected as `phone`; false when another connected
    /// instance already speaks as that phone.
    fn connect(
        &self,
        instance_id: &str,
        token: u64,
        phone: &str,
        push_name: &str,
        blocked: HashSet<String>,
    ) -> bool {
        let mut registry = self.registry();
        if registry
            .phones
            .get(phone)
            .is_some_and(|owner| owner != instance_id)
        {
            return false;
        }
        let Some(link) = registry
            .links
            .get_mut(instance_id)
            .filter(|l| l.token == token)
        else {
            return false;
        };
        link.identity = Some((phone.to_owned(), push_name.to_owned()));
        link.blocked = blocked;
        registry
            .phones
            .insert(phone.to_owned(), instance_id.to_owned());
        true
    }

    fn phone_taken(&self, instance_id: &str, phone: &str) -> bool {
        self.registry()
            .phones
            .get(phone)
            .is_some_and(|owner| owner != instance_id)
    }

    fn unregister(&self, instance_id: &str, token: u64) {
        let mut registry = self.registry();
        if registry
            .links
            .get(instance_id)
            .is_some_and(|l| l.token == token)
            && let Some(link) = registry.links.remove(instance_id)
            && let Some((phone, _)) = link.identity
        {
            registry.phones.remove(&phone);
        }
    }
}

impl WaBackend for SimNetwork {
    fn start(&self, instance_id: &str, sink: EventSink) -> Arc<dyn WaSession> {
        let token = self.inner.next_token.fetch_add(1, Ordering::Relaxed);
        let (control, commands) = mpsc::unbounded_channel();
        self.register(
            instance_id,
            Link {
                token,
                control: control.clone(),
                reader: Arc::new(Reader::new(
                    sink.clone(),
                    self.inner.reading,
                    self.inner.downloads.clone(),
                )),
                pending_history: Vec::new(),
                identity: None,
                blocked: HashSet::new(),
                refuse_next: None,
                slow_next: None,
            },
        );
        let task = Box::pin(session::run(
            self.clone(),
            instance_id.to_owned(),
            token,
            commands,
            sink.clone(),
        ));
        tokio::spawn(super::run_guarded(task, sink));
        Arc::new(session::SimSession::new(
            self.clone(),
            instance_id.to_owned(),
            token,
            control,
        ))
    }

    fn wipe(&self, instance_id: &str) -> BoxFuture<'static, Result<(), WaError>> {
        let db = self.inner.db.clone();
        let instance_id = instance_id.to_owned();
        Box::pin(async move {
            db::sim_sessions::delete(&db, &instance_id)
                .await
                .map_err(|e| WaError::Session(format!("wiping the simulated session: {e}")))
        })
    }

    fn load(&self) -> BackendLoad {
        BackendLoad {
            clients: self.registry().links.len(),
            tasks: None,
        }
    }
}
