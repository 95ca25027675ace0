//! What an instance asks of its session beyond plain text and media: the
//! kinds of message it sends, what it does to sent and received messages, and
//! what it asks WhatsApp about people.

use crate::domain::kinds::{ContactCard, Location};
use crate::domain::phone::Jid;
use crate::whatsapp::OutgoingMedia;

/// The message a send quotes (a reply).
#[derive(Debug, Clone)]
pub struct Quote {
    pub message_id: String,
    /// Who wrote the quoted message.
    pub sender: Jid,
    /// Its text, shown above the reply.
    pub body: String,
}

/// A poll to ask. The secret keys its votes: whoever holds it can open them.
#[derive(Debug, Clone)]
pub struct NewPoll {
    pub question: String,
    pub options: Vec<String>,
    pub selectable_count: u32,
    pub secret: [u8; 32],
}

/// A message to send, of any kind.
#[derive(Debug, Clone)]
pub enum Outbound {
    Text {
        text: String,
        quote: Option<Quote>,
        /// People the text mentions (`@79001234567` in the text).
        mentions: Vec<Jid>,
    },
    Media {
        media: OutgoingMedia,
        quote: Option<Quote>,
    },
    Location(Location),
    Contacts(Vec<ContactCard>),
    Poll(NewPoll),
}

/// A message that exists, as a change must name it.
#[derive(Debug, Clone)]
pub struct Target {
    pub message_id: String,
    /// Who wrote it.
    pub sender: Jid,
    pub from_me: bool,
}

/// A poll to vote in.
#[derive(Debug, Clone)]
pub struct PollRef {
    pub message_id: String,
    /// Who asked it.
    pub creator: Jid,
    pub secret: Vec<u8>,
}

/// What the instance does to a message in `chat`.
#[derive(Debug, Clone)]
pub enum OwnChange {
    /// An empty emoji takes the reaction back.
    React {
        target: Target,
        emoji: String,
    },
    /// New text for one of the instance's own text messages.
    Edit {
        message_id: String,
        text: String,
    },
    /// Deletes one of its own messages for everyone.
    Revoke {
        message_id: String,
    },
    Vote {
        poll: PollRef,
        options: Vec<String>,
    },
}

impl OwnChange {
    /// The WhatsApp id of the message it changes.
    pub fn message_id(&self) -> &str {
        match self {
            Self::React { target, .. } => &target.message_id,
            Self::Edit { message_id, .. } | Self::Revoke { message_id } => message_id,
            Self::Vote { poll, .. } => &poll.message_id,
        }
    }
}

/// What a person is doing in a chat, as "typing…" shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChatState {
    Composing,
    Recording,
    Paused,
}

/// Online or not, as the account's contacts see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Available,
    Unavailable,
}

/// Whether a number has WhatsApp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberCheck {
    pub phone: Jid,
    pub exists: bool,
    /// The JID to write to, when it exists.
    pub jid: Option<Jid>,
}

/// A person's LID and phone number (their digits), as WhatsApp told them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LidEntry {
    pub lid: String,
    pub phone: String,
}

/// What WhatsApp shows of a person; `None` where hidden or unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    pub name: Option<String>,
    pub about: Option<String>,
    pub picture_url: Option<String>,
}

/// A received message to mark read: its id and who wrote it.
#[derive(Debug, Clone)]
pub struct ReadMark {
    pub message_id: String,
    pub sender: Jid,
}
