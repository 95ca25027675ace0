//! What instance actors tell the rest of the server (webhooks, statistics, live
//! streams), as typed messages. Each consumer subscribes with a `Recipient`.

use actix::{Message, Recipient};

use crate::db::messages::MessageType;
use crate::domain::kinds::MessageDetails;
use crate::domain::phone::Jid;
use crate::whatsapp::{GroupNotice, PresenceState, ReceiptStatus};

#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct InstanceEvent {
    pub instance_id: String,
    /// When it happened, UTC milliseconds.
    pub at: i64,
    pub kind: EventKind,
}

#[derive(Debug, Clone)]
pub enum EventKind {
    QrReceived {
        qr_code: String,
    },
    ConnectionOpened,
    ConnectionClosed {
        reason: String,
        will_reconnect: bool,
    },
    MessageReceived(MessageEvent),
    MessageSent(MessageEvent),
    MessageStatusChanged {
        message_id: String,
        status: ReceiptStatus,
        remote_jid: Jid,
        from_me: bool,
    },
    /// A reaction, an edit, a deletion or a vote on an earlier message.
    MessageChanged(Box<ChangeEvent>),
    Presence {
        chat: Jid,
        from: Jid,
        state: PresenceState,
    },
    /// Members, roles, subject or settings of a group changed.
    Group(Box<GroupNotice>),
}

#[derive(Debug, Clone)]
pub struct ChangeEvent {
    /// The message changed.
    pub message_id: String,
    pub chat: Jid,
    /// Who changed it.
    pub from: Jid,
    pub from_me: bool,
    pub change: ChangeDone,
}

#[derive(Debug, Clone)]
pub enum ChangeDone {
    /// `emoji` empty: taken back.
    Reaction {
        emoji: String,
    },
    Edited {
        body: String,
    },
    Deleted,
    Voted {
        options: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub struct MessageEvent {
    pub message_id: String,
    /// Received: who wrote it (a group's message: the group); sent: the chat it went to.
    pub remote_jid: Jid,
    pub body: String,
    pub message_type: MessageType,
    /// Unix seconds.
    pub timestamp: i64,
    pub has_media: bool,
    pub media_size: u64,
    pub push_name: String,
    /// The LID WhatsApp addressed the sender by, when it did.
    pub sender_lid: Option<Jid>,
    /// Who wrote a received message of a group chat.
    pub author: Option<Jid>,
    /// The message it replies to.
    pub quoted_message_id: Option<String>,
    /// Mentions, a location, contact cards, a poll.
    pub details: MessageDetails,
}

/// Fan-out of instance events to every subscriber.
#[derive(Clone, Default)]
pub struct EventBus {
    subscribers: Vec<Recipient<InstanceEvent>>,
}

impl EventBus {
    pub fn subscribe(&mut self, subscriber: Recipient<InstanceEvent>) {
        self.subscribers.push(subscriber);
    }

    pub fn publish(&self, instance_id: &str, kind: EventKind) {
        let event = InstanceEvent {
            instance_id: instance_id.to_owned(),
            at: crate::domain::time::now_millis(),
            kind,
        };
        for subscriber in &self.subscribers {
            subscriber.do_send(event.clone());
        }
    }
}
