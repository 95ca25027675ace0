//! The simulated WhatsApp network (`whatsapp.backend = "sim"`): a test double of
//! WhatsApp's servers and of the phones that scan QR codes. Everything around it
//! (actors, database, webhooks, statistics) is the production code.

mod faults;
mod linking;
mod session;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use tokio::sync::{mpsc, oneshot};

use super::{
    BackendLoad, EventSink, InboundMessage, MediaInfo, ReceiptStatus, WaBackend, WaError, WaEvent,
    WaSession,
};
use crate::config::SimSettings;
use crate::db;
use crate::domain::phone::Jid;

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
    sink: EventSink,
    /// Set once connected: the phone and push name this instance speaks as.
    identity: Option<(String, String)>,
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
    registry: Mutex<Registry>,
    next_token: AtomicU64,
}

#[derive(Clone)]
pub struct SimNetwork {
    inner: Arc<Inner>,
}

/// A message as the simulated network carries it.
#[derive(Debug, Clone)]
pub struct SimPayload {
    pub body: String,
    pub media: Option<MediaInfo>,
}

impl SimNetwork {
    pub fn new(db: DatabaseConnection, settings: SimSettings) -> Self {
        Self {
            inner: Arc::new(Inner {
                db,
                store_reads: tokio::sync::Semaphore::new(STORE_READERS),
                settings,
                registry: Mutex::new(Registry::default()),
                next_token: AtomicU64::new(1),
            }),
        }
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

    /// A phone scans the instance's QR code.
    pub async fn scan(
        &self,
        instance_id: &str,
        phone: &Jid,
        push_name: &str,
    ) -> Result<(), SimError> {
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

    pub fn fault(&self, instance_id: &str, kind: FaultKind) -> Result<(), SimError> {
        self.command(instance_id, Command::Fault(kind))
    }

    /// Someone outside the simulated network writes to the instance.
    pub fn inject_inbound(
        &self,
        instance_id: &str,
        from: &Jid,
        push_name: &str,
        payload: SimPayload,
    ) -> Result<String, SimError> {
        let registry = self.registry();
        let link = registry.links.get(instance_id).ok_or(SimError::NoSession)?;
        if link.identity.is_none() {
            return Err(SimError::NotConnected);
        }
        let id = super::new_message_id();
        link.sink.emit(WaEvent::Message(InboundMessage {
            id: id.clone(),
            chat: from.clone(),
            sender: from.clone(),
            from_me: false,
            push_name: push_name.to_owned(),
            body: payload.body,
            media: payload.media,
            timestamp: chrono::Utc::now().timestamp(),
        }));
        Ok(id)
    }

    /// Carries a message, with the id its sender chose, from a connected instance.
    fn send(
        &self,
        from_instance: &str,
        token: u64,
        id: &str,
        to: &Jid,
        payload: SimPayload,
    ) -> Result<(), WaError> {
        let registry = self.registry();
        let sender = registry
            .links
            .get(from_instance)
            .filter(|link| link.token == token)
            .ok_or(WaError::NotConnected)?;
        let (sender_phone, sender_name) = sender.identity.clone().ok_or(WaError::NotConnected)?;
        let id = id.to_owned();
        let recipient = (!to.is_group())
            .then(|| registry.phones.get(to.user()))
            .flatten()
            .and_then(|instance| registry.links.get(instance));
        if let Some(recipient) = recipient {
            let sender_jid = Jid::parse(&sender_phone).map_err(|_| WaError::NotConnected)?;
            recipient.sink.emit(WaEvent::Message(InboundMessage {
                id: id.clone(),
                chat: sender_jid.clone(),
                sender: sender_jid,
                from_me: false,
                push_name: sender_name,
                body: payload.body,
                media: payload.media,
                timestamp: chrono::Utc::now().timestamp(),
            }));
        }
        // A person at the other end reads it; an unknown phone only gets it delivered.
        let receipts: &[ReceiptStatus] = if recipient.is_some() {
            &[ReceiptStatus::Delivered, ReceiptStatus::Read]
        } else {
            &[ReceiptStatus::Delivered]
        };
        schedule_receipts(
            sender.sink.clone(),
            id,
            to.clone(),
            receipts.to_vec(),
            Duration::from_millis(self.inner.settings.receipt_delay_ms),
        );
        Ok(())
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
    fn connect(&self, instance_id: &str, token: u64, phone: &str, push_name: &str) -> bool {
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

fn schedule_receipts(
    sink: EventSink,
    message_id: String,
    chat: Jid,
    receipts: Vec<ReceiptStatus>,
    delay: Duration,
) {
    tokio::spawn(async move {
        for status in receipts {
            tokio::time::sleep(delay).await;
            sink.emit(WaEvent::Receipt {
                message_ids: vec![message_id.clone()],
                chat: chat.clone(),
                status,
            });
        }
    });
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
                sink: sink.clone(),
                identity: None,
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
