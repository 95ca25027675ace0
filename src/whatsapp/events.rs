//! What a session reports to its instance actor.

use actix::Message;

use crate::db::messages::{MessageStatus, MessageType};
use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;

#[derive(Debug, Message)]
#[rtype(result = "()")]
pub struct SessionEvent {
    pub generation: u64,
    pub event: WaEvent,
}

#[derive(Debug, Clone)]
pub enum WaEvent {
    /// A QR string to show, exactly as WhatsApp gives it.
    Qr {
        code: String,
    },
    /// An 8-character code to type on the phone (pairing by phone number).
    PairingCode {
        code: String,
    },
    /// No more QR codes, but a pairing code is out: the session stays up,
    /// waiting for it to be typed, until the instance gives up on it.
    QrCodesOut,
    /// A pairing attempt failed (a scan or a code); the session stays up for
    /// the next one.
    PairingFailed {
        reason: String,
    },
    /// A phone linked this instance.
    Paired {
        phone: String,
        push_name: String,
    },
    Connected {
        phone: Option<String>,
    },
    /// Boxed: a message is much larger than the other events.
    Message(Box<InboundMessage>),
    Receipt {
        message_ids: Vec<String>,
        chat: Jid,
        status: ReceiptStatus,
    },
    Contact(WaContact),
    /// Someone reacted to, edited, deleted or voted in an earlier message.
    Change(Box<MessageChange>),
    /// Someone is typing, recording, stopped, came online or went away.
    Presence {
        chat: Jid,
        from: Jid,
        state: PresenceState,
    },
    /// Members, roles, subject or settings of a group changed.
    Group(Box<super::GroupNotice>),
    /// WhatsApp refused a message this instance sent (a nack), after the
    /// send itself had gone out.
    SendRefused {
        message_id: String,
        /// The chat, when the refusal names it.
        chat: Option<Jid>,
        code: u16,
    },
    /// Earlier chats, from a history sync: stored, never announced.
    History(Box<ImportedHistory>),
    /// Messages WhatsApp is told were received only once the instance has
    /// kept them (rows and webhook outbox): until then it delivers them again.
    Durable(DurableInbound),
    /// Where this attempt found the session it runs on, when that changed.
    SessionMoved(SessionMove),
    /// The session is over; sent once, last.
    Ended(SessionEnd),
}

/// Received messages whose ack to WhatsApp waits for `kept`.
#[derive(Debug, Clone)]
pub struct DurableInbound {
    /// What the messages are (messages, and changes to earlier ones), in
    /// order; each message must be stored before `kept` says yes.
    pub events: Vec<WaEvent>,
    /// Some came from WhatsApp's offline queue, where a message a crash left
    /// unacked is delivered again.
    pub from_offline_queue: bool,
    pub kept: KeptNotice,
}

/// Answers the session whether a batch of received messages is durable. An
/// answer never given (the actor stopped) is a no: WhatsApp delivers again.
#[derive(Clone)]
pub struct KeptNotice(std::sync::Arc<std::sync::Mutex<Option<tokio::sync::oneshot::Sender<bool>>>>);

impl KeptNotice {
    pub fn new() -> (Self, tokio::sync::oneshot::Receiver<bool>) {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let notice = Self(std::sync::Arc::new(std::sync::Mutex::new(Some(answer))));
        (notice, answered)
    }

    pub fn answer(&self, kept: bool) {
        let answer = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(answer) = answer {
            let _ = answer.send(kept);
        }
    }
}

impl std::fmt::Debug for KeptNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeptNotice")
    }
}

/// A session file from before the database store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionMove {
    /// Copied into the database (the device and this many other rows); the file is gone.
    Imported { rows: usize },
    /// Could not be copied: the instance keeps running on its file.
    FileKept { reason: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEnd {
    /// The QR cycle ran out without a scan.
    QrExhausted,
    /// Connection lost or never made: reconnect with backoff.
    Disconnected { reason: String },
    /// WhatsApp rate-limited the connection (429): reconnect, after a longer backoff.
    RateLimited { reason: String },
    /// Expected restart (after pairing): start again at once.
    RestartNow,
    /// The session broke (a crash, a conflict, a ban): counts toward giving up.
    Failed { reason: String },
    /// The phone or WhatsApp logged this device out: the store is void.
    LoggedOut { reason: String },
    /// WhatsApp will not take this session as it stands: restarting would not
    /// help (or would make it worse), so it rests `failed` until `reconnect`.
    Halted(Halt),
}

/// Why WhatsApp stopped a session for good.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Halt {
    /// Another client opened the same session. Reconnecting would take it back,
    /// and the other would take it again: two copies replacing each other.
    Replaced,
    /// A temporary ban, with WhatsApp's reason code and how long it lasts.
    Banned {
        code: i32,
        reason: String,
        expires_in_secs: u64,
    },
    /// WhatsApp refused the version this client announced.
    Outdated { version: String },
    /// WhatsApp refused the connection with a code the engine treats as final
    /// (400, 409, 413/414, 415, 418, 501, unknown codes): retrying would only
    /// be refused again.
    Refused { code: i32, reason: String },
}

impl Halt {
    /// The sentence for logs, `connection_closed` and the activity entry.
    pub fn reason(&self) -> String {
        match self {
            Self::Replaced => {
                "another client took over this session (the same account linked elsewhere with this session's keys)".to_owned()
            }
            Self::Banned { reason, .. } => format!("WhatsApp banned this account for a while: {reason}"),
            Self::Outdated { version } => format!(
                "WhatsApp refused version {version} as outdated: set whatsapp.version to the current WhatsApp Web version"
            ),
            Self::Refused { code, reason } => {
                format!("WhatsApp refused the connection for good ({code}: {reason})")
            }
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReceiptStatus {
    Delivered,
    Read,
}

impl ReceiptStatus {
    pub fn as_str(self) -> &'static str {
        MessageStatus::from(self).as_str()
    }
}

/// Where a receipt moves a sent message.
impl From<ReceiptStatus> for MessageStatus {
    fn from(receipt: ReceiptStatus) -> Self {
        match receipt {
            ReceiptStatus::Delivered => Self::Delivered,
            ReceiptStatus::Read => Self::Read,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    /// Push-to-talk audio.
    Voice,
    Document,
    /// A webp image shown without a bubble.
    Sticker,
}

impl MediaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Image => "image",
            Self::Video => "video",
            Self::Audio => "audio",
            Self::Voice => "voice",
            Self::Document => "document",
            Self::Sticker => "sticker",
        }
    }

    /// What WhatsApp sends a file of this mimetype as.
    pub fn for_mimetype(mimetype: &str) -> Self {
        match mimetype.split('/').next().unwrap_or_default() {
            "image" if mimetype != "image/svg+xml" => Self::Image,
            "video" => Self::Video,
            "audio" => Self::Audio,
            _ => Self::Document,
        }
    }
}

#[derive(Debug, Clone)]
pub struct MediaInfo {
    pub kind: MediaKind,
    pub mimetype: String,
    pub size: u64,
    pub filename: Option<String>,
    /// How to get the bytes (a download from WhatsApp's servers); `None` when
    /// they cannot be had.
    pub fetch: Option<MediaFetch>,
    /// Where WhatsApp keeps them, to fetch them again later.
    pub location: Option<super::MediaLocation>,
}

type Fetching = futures_util::future::BoxFuture<'static, Result<bytes::Bytes, String>>;

/// A media download, started when the instance stores the message: it waits
/// for the bytes, so the message and its file are stored together, in order.
#[derive(Clone)]
pub struct MediaFetch(std::sync::Arc<std::sync::Mutex<Option<Fetching>>>);

impl MediaFetch {
    pub fn new(
        download: impl std::future::Future<Output = Result<bytes::Bytes, String>> + Send + 'static,
    ) -> Self {
        Self(std::sync::Arc::new(std::sync::Mutex::new(Some(Box::pin(
            download,
        )))))
    }

    /// Bytes at hand (the simulated network's downloads).
    pub fn ready(bytes: bytes::Bytes) -> Self {
        Self::new(async move { Ok(bytes) })
    }

    /// A download that fails with `reason`.
    pub fn failing(reason: String) -> Self {
        Self::new(async move { Err(reason) })
    }

    /// The download; a second call gets an error, never a second download.
    pub fn take(&self) -> Fetching {
        let taken = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        taken.unwrap_or_else(|| Box::pin(async { Err("the media was already fetched".to_owned()) }))
    }
}

impl std::fmt::Debug for MediaFetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MediaFetch")
    }
}

#[derive(Debug, Clone)]
pub struct InboundMessage {
    pub id: String,
    /// The chat: the sender's phone JID, or the group's.
    pub chat: Jid,
    /// Who wrote it, as a phone JID when known.
    pub sender: Jid,
    /// The LID WhatsApp addressed the sender by, when it did.
    pub sender_lid: Option<Jid>,
    pub from_me: bool,
    pub push_name: String,
    /// What kind of message it is (text, a kind of media, a location, ...).
    pub message_type: MessageType,
    /// Text, the media caption, or what a location, contact card or poll says.
    pub body: String,
    pub media: Option<MediaInfo>,
    /// Unix seconds.
    pub timestamp: i64,
    /// The message this one replies to.
    pub quoted_message_id: Option<String>,
    /// Mentions, a location, contact cards, a poll.
    pub details: MessageDetails,
    /// A poll's secret, which opens its votes.
    pub message_secret: Option<Vec<u8>>,
}

/// Something done to an earlier message.
#[derive(Debug, Clone)]
pub struct MessageChange {
    /// The WhatsApp id of the message changed.
    pub target_id: String,
    pub chat: Jid,
    /// Who did it.
    pub from: Jid,
    pub from_me: bool,
    pub kind: ChangeKind,
    /// Unix seconds.
    pub timestamp: i64,
}

#[derive(Debug, Clone)]
pub enum ChangeKind {
    /// An empty emoji takes a reaction back.
    Reaction {
        emoji: String,
    },
    Edit {
        body: String,
    },
    Revoke,
    /// Encrypted with the poll's secret: opened where the poll is stored.
    Vote(EncryptedVote),
}

/// A vote as WhatsApp carries it, and the names it was encrypted under.
#[derive(Debug, Clone)]
pub struct EncryptedVote {
    pub payload: Vec<u8>,
    pub iv: Vec<u8>,
    /// The voter as the vote names them, and their other name (LID or phone).
    pub voter: String,
    pub voter_alt: Option<String>,
}

/// What a presence update says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceState {
    Composing,
    Recording,
    Paused,
    Available,
    Unavailable,
}

/// What a history sync brings: earlier messages, and names.
#[derive(Debug, Clone, Default)]
pub struct ImportedHistory {
    pub messages: Vec<InboundMessage>,
    pub contacts: Vec<WaContact>,
}

#[derive(Debug, Clone)]
pub struct WaContact {
    pub jid: Jid,
    pub name: String,
    pub is_group: bool,
}
