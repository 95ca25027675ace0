//! The one boundary to WhatsApp: a session trait with two implementations, the
//! `whatsapp-rust` engine and the simulated network. Instance actors see only this.

pub mod engine;
mod events;
mod groups;
mod media_location;
pub mod model;
mod requests;
#[cfg(feature = "sim")]
pub mod sim;
#[cfg(test)]
mod test_events;

use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;

use actix::Recipient;
use futures_util::FutureExt;
use futures_util::future::BoxFuture;

pub use events::{
    ChangeKind, DurableInbound, EncryptedVote, Halt, ImportedHistory, InboundMessage, KeptNotice,
    MediaFetch, MediaInfo, MediaKind, MessageChange, PresenceState, ReceiptStatus, SessionEnd,
    SessionEvent, SessionMove, WaContact, WaEvent,
};
pub use groups::{
    GroupChange, GroupInfo, GroupMember, GroupNotice, GroupRole, GroupSettings, GroupSummary,
    MemberAction, MemberResult, NewGroup, WaGroups, invite_code_of, invite_link,
};
pub use media_location::{FetchedMedia, MediaLocation, MediaRequest};
pub use requests::{
    Availability, ChatState, LidEntry, NewPoll, NumberCheck, Outbound, OwnChange, PollRef, Profile,
    Quote, ReadMark, Target,
};

use crate::config::{Backend, Settings};
use crate::domain::phone::Jid;

#[derive(Debug, Clone, thiserror::Error)]
pub enum WaError {
    #[error("the WhatsApp session is not connected")]
    NotConnected,
    #[error("{0}")]
    Rejected(String),
    #[error("WhatsApp session error: {0}")]
    Session(String),
    /// Not a group the account is in (or no group at all).
    #[error("{0}")]
    GroupNotFound(String),
    /// Only the group's admins may do that.
    #[error("{0}")]
    NotGroupAdmin(String),
}

/// Media to send: the bytes and what they are.
#[derive(Debug, Clone)]
pub struct OutgoingMedia {
    pub bytes: bytes::Bytes,
    pub mimetype: String,
    pub filename: String,
    pub caption: Option<String>,
    pub kind: MediaKind,
    /// What the reader sees before downloading: a small JPEG, the picture's
    /// width and height, the playing time.
    pub thumbnail: Option<Vec<u8>>,
    pub dimensions: Option<(u32, u32)>,
    pub seconds: Option<u32>,
}

/// A running connection of one instance. Ends by emitting `WaEvent::Ended`
/// exactly once, unless `shutdown` or `logout` ended it on purpose.
pub trait WaSession: WaGroups + Send + Sync {
    /// Sends with the given WhatsApp message id (see [`new_message_id`]): the
    /// id is known, and written down, before the message leaves.
    fn send(
        &self,
        message_id: &str,
        to: &Jid,
        message: Outbound,
    ) -> BoxFuture<'static, Result<(), WaError>>;
    /// Reacts to, edits, deletes or votes in a message of `chat`.
    fn change(&self, chat: &Jid, change: OwnChange) -> BoxFuture<'static, Result<(), WaError>>;
    /// Sends read receipts for received messages of `chat`.
    fn mark_read(
        &self,
        chat: &Jid,
        marks: Vec<ReadMark>,
    ) -> BoxFuture<'static, Result<(), WaError>>;
    /// Shows "typing…" (or recording, or stops) in `chat`.
    fn chat_state(&self, chat: &Jid, state: ChatState) -> BoxFuture<'static, Result<(), WaError>>;
    /// Online or away, for every contact.
    fn set_presence(&self, availability: Availability) -> BoxFuture<'static, Result<(), WaError>>;
    /// Which of these numbers have WhatsApp.
    fn check_numbers(
        &self,
        phones: Vec<Jid>,
    ) -> BoxFuture<'static, Result<Vec<NumberCheck>, WaError>>;
    fn profile(&self, person: &Jid) -> BoxFuture<'static, Result<Profile, WaError>>;
    /// Blocks (or unblocks) a person: their messages no longer arrive.
    fn set_blocked(&self, person: &Jid, blocked: bool) -> BoxFuture<'static, Result<(), WaError>>;
    /// Asks WhatsApp for an 8-character code to link this device by typing it
    /// on the phone `phone` (instead of scanning the QR code).
    fn pair_with_code(&self, phone: &str) -> BoxFuture<'static, Result<String, WaError>>;
    /// Logs the linked device out on WhatsApp's side and ends the session.
    /// How long since WhatsApp last sent anything on this connection; `None`
    /// when unknown (the simulated network has no connection to stall).
    fn inbound_age(&self) -> Option<std::time::Duration> {
        None
    }
    /// Asks WhatsApp something small and waits for the answer: whether the
    /// connection still carries anything.
    fn probe(&self) -> BoxFuture<'static, Result<(), WaError>> {
        Box::pin(std::future::ready(Ok(())))
    }
    /// The LID and phone number of a person named by either (`…@lid` or a
    /// phone JID), when WhatsApp has told them.
    fn lid_entry(&self, person: &Jid) -> BoxFuture<'static, Result<Option<LidEntry>, WaError>>;
    /// Downloads (and decrypts) a message's media again; when WhatsApp's
    /// servers no longer have it (404/410), asks the phone to upload it anew.
    fn fetch_media(
        &self,
        request: MediaRequest,
    ) -> BoxFuture<'static, Result<FetchedMedia, WaError>>;
    /// When (unix seconds) the account's reach-out timelock ends, when one
    /// holds and WhatsApp says; the simulated network does not say.
    fn reachout_lock_ends(&self) -> BoxFuture<'static, Result<Option<i64>, WaError>> {
        Box::pin(std::future::ready(Ok(None)))
    }
    fn logout(&self) -> BoxFuture<'static, ()>;
    /// Ends the session, keeping its store for the next start.
    fn shutdown(&self) -> BoxFuture<'static, ()>;
}

pub trait WaBackend: Send + Sync {
    /// Starts a session for the instance; its events go to `sink`, in order.
    fn start(&self, instance_id: &str, sink: EventSink) -> Arc<dyn WaSession>;
    /// Deletes the instance's session store (after a logout or a delete).
    fn wipe(&self, instance_id: &str) -> BoxFuture<'static, Result<(), WaError>>;
    /// What the backend holds right now.
    fn load(&self) -> BackendLoad;
}

/// What a backend holds right now, for `/metrics`: a session attempt that is
/// over must not be counted here any more.
#[derive(Debug, Clone, Copy, Default)]
pub struct BackendLoad {
    /// Session clients that still exist.
    pub clients: usize,
    /// Tasks alive on the backend's own runtime, when it has one.
    pub tasks: Option<usize>,
}

/// A new WhatsApp message id, shaped like WhatsApp Web's: `3EB0` and 18
/// upper-case hex digits.
pub fn new_message_id() -> String {
    let mut bytes = [0u8; 9];
    rand::fill(&mut bytes);
    format!("3EB0{}", hex::encode_upper(bytes))
}

/// Where a session sends its events: the instance actor, tagged with the
/// session's generation so that late events of an old session are ignored.
#[derive(Clone)]
pub struct EventSink {
    recipient: Recipient<SessionEvent>,
    generation: u64,
}

impl EventSink {
    pub fn new(recipient: Recipient<SessionEvent>, generation: u64) -> Self {
        Self {
            recipient,
            generation,
        }
    }

    pub fn emit(&self, event: WaEvent) {
        self.recipient.do_send(SessionEvent {
            generation: self.generation,
            event,
        });
    }
}

/// Runs a session's task so that a panic inside it ends the session with
/// `SessionEnd::Failed` instead of vanishing: the supervisor then restarts it.
/// The task is boxed once here, so an idle session's memory is its own state.
pub async fn run_guarded(task: Pin<Box<dyn Future<Output = ()> + Send>>, sink: EventSink) {
    if let Err(panic) = AssertUnwindSafe(task).catch_unwind().await {
        let reason = panic_message(panic.as_ref());
        tracing::error!(%reason, "WhatsApp session panicked");
        sink.emit(WaEvent::Ended(SessionEnd::Failed {
            reason: format!("session crashed: {reason}"),
        }));
    }
}

/// What a caught panic said.
pub fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// The simulated network's control side (builds with the `sim` feature).
#[cfg(feature = "sim")]
pub type SimControl = sim::SimNetwork;
/// Without the `sim` feature there is none to hold.
#[cfg(not(feature = "sim"))]
pub type SimControl = std::convert::Infallible;

/// The backend `whatsapp.backend` selects, and the simulated network's control
/// side when that is the one.
pub struct Backends {
    pub sessions: Arc<dyn WaBackend>,
    pub sim: Option<SimControl>,
}

impl Backends {
    pub fn from_settings(
        settings: &Settings,
        sessions: crate::db::engine_store::StoreConnections,
    ) -> anyhow::Result<Self> {
        Ok(match settings.whatsapp.backend {
            #[cfg(feature = "sim")]
            Backend::Sim => {
                let network = sim::SimNetwork::new(
                    sessions.reads,
                    settings.sim.clone(),
                    model::Reading::from(&settings.whatsapp),
                );
                Self {
                    sessions: Arc::new(network.clone()),
                    sim: Some(network),
                }
            }
            #[cfg(not(feature = "sim"))]
            Backend::Sim => {
                let _ = sessions;
                anyhow::bail!(
                    "whatsapp.backend: \"sim\" needs a build with the sim feature (cargo build --features sim)"
                )
            }
            Backend::WhatsappRust => Self {
                sessions: Arc::new(engine::EngineBackend::new(&settings.whatsapp, sessions)?),
                sim: None,
            },
        })
    }
}
