//! A message the instance sent or received, as it is written down (`row`) and
//! announced (`event`): the one place both shapes are built, for both directions.

use crate::db::messages::{MessageStatus, MessageType, NewMessage, StoredMedia};
use crate::domain::kinds::{MessageDetails, PollSpec};
use crate::domain::phone::Jid;
use crate::domain::time::now_millis;
use crate::events::{Event, MessageFields, MessageReceivedEvent, MessageSentEvent};
use crate::whatsapp::{InboundMessage, MediaKind, Outbound};

impl From<MediaKind> for MessageType {
    fn from(kind: MediaKind) -> Self {
        match kind {
            MediaKind::Image => Self::Image,
            MediaKind::Video => Self::Video,
            MediaKind::Audio => Self::Audio,
            MediaKind::Voice => Self::Voice,
            MediaKind::Document => Self::Document,
            MediaKind::Sticker => Self::Sticker,
        }
    }
}

pub struct MessageRecord {
    pub row_id: String,
    pub instance_id: String,
    /// WhatsApp's id.
    pub message_id: String,
    pub chat: Jid,
    /// Who wrote it; the instance itself for sent messages.
    pub sender: Jid,
    /// The LID WhatsApp addressed the sender by, when it did.
    pub sender_lid: Option<Jid>,
    pub from_me: bool,
    pub message_type: MessageType,
    /// The text, or the media's caption.
    pub body: String,
    pub media: Option<StoredMedia>,
    pub push_name: String,
    pub status: MessageStatus,
    /// UTC milliseconds.
    pub at: i64,
    pub quoted_message_id: Option<String>,
    /// Mentions, a location, contact cards, a poll.
    pub details: MessageDetails,
    /// A poll's secret, which opens its votes.
    pub message_secret: Option<Vec<u8>>,
}

impl MessageRecord {
    /// Who wrote a received message of a group chat; `None` elsewhere (the
    /// chat names the other person, or the message is ours).
    fn author(&self) -> Option<Jid> {
        (self.chat.is_group() && !self.from_me).then(|| self.sender.clone())
    }
}

impl MessageRecord {
    /// A message WhatsApp reported (received, or sent from the phone itself);
    /// `media_path` is where its bytes were put, if anywhere.
    pub fn reported(
        instance_id: &str,
        message: InboundMessage,
        row_id: String,
        media_path: Option<String>,
    ) -> Self {
        Self {
            row_id,
            instance_id: instance_id.to_owned(),
            message_type: message.message_type,
            media: message.media.map(|m| StoredMedia {
                mimetype: m.mimetype,
                size: m.size,
                filename: m.filename,
                path: media_path,
                source: m.location.map(|location| location.to_json()),
            }),
            status: if message.from_me {
                MessageStatus::Sent
            } else {
                MessageStatus::Received
            },
            at: if message.timestamp > 0 {
                message.timestamp.saturating_mul(1000)
            } else {
                now_millis()
            },
            message_id: message.id,
            chat: message.chat,
            sender: message.sender,
            sender_lid: message.sender_lid,
            from_me: message.from_me,
            body: message.body,
            push_name: message.push_name,
            quoted_message_id: message.quoted_message_id,
            details: message.details,
            message_secret: message.message_secret,
        }
    }

    /// A message this server is about to send, pending until WhatsApp takes it.
    pub fn sending(instance_id: &str, message_id: String, to: Jid, outbound: &Outbound) -> Self {
        let mut details = MessageDetails::default();
        let (mut quoted, mut secret, mut media) = (None, None, None);
        let (message_type, body) = match outbound {
            Outbound::Text {
                text,
                quote,
                mentions,
            } => {
                quoted = quote.as_ref().map(|q| q.message_id.clone());
                details.mentions = mentions.iter().map(Jid::to_string).collect();
                (MessageType::Text, text.clone())
            }
            Outbound::Media { media: file, quote } => {
                quoted = quote.as_ref().map(|q| q.message_id.clone());
                media = Some(StoredMedia {
                    mimetype: file.mimetype.clone(),
                    size: file.bytes.len() as u64,
                    filename: Some(file.filename.clone()),
                    path: None,
                    source: None,
                });
                (
                    crate::whatsapp::model::sent_kind(file).into(),
                    file.caption.clone().unwrap_or_default(),
                )
            }
            Outbound::Location(place) => {
                details.location = Some(place.clone());
                (MessageType::Location, String::new())
            }
            Outbound::Contacts(cards) => {
                details.contacts = cards.clone();
                (MessageType::Contact, String::new())
            }
            Outbound::Poll(poll) => {
                details.poll = Some(PollSpec {
                    question: poll.question.clone(),
                    selectable_count: poll.selectable_count,
                    options: poll.options.clone(),
                });
                secret = Some(poll.secret.to_vec());
                (MessageType::Poll, String::new())
            }
        };
        let body = if body.is_empty() {
            details.summary().unwrap_or_default()
        } else {
            body
        };
        Self {
            row_id: uuid::Uuid::now_v7().to_string(),
            instance_id: instance_id.to_owned(),
            message_id,
            sender: to.clone(),
            sender_lid: None,
            chat: to,
            from_me: true,
            message_type,
            body,
            media,
            push_name: String::new(),
            status: MessageStatus::Pending,
            at: now_millis(),
            quoted_message_id: quoted,
            details,
            message_secret: secret,
        }
    }

    pub fn row(&self) -> NewMessage {
        NewMessage {
            id: self.row_id.clone(),
            instance_id: self.instance_id.clone(),
            remote_jid: self.chat.clone(),
            from_me: self.from_me,
            message_type: self.message_type,
            content: self.body.clone(),
            message_id: Some(self.message_id.clone()),
            media: self.media.clone(),
            push_name: Some(self.push_name.clone()).filter(|n| !n.is_empty()),
            sender_lid: self.sender_lid.clone(),
            status: self.status,
            created_at: self.at,
            quoted_message_id: self.quoted_message_id.clone(),
            details: self.details.clone(),
            message_secret: self.message_secret.clone(),
            author: self.author(),
        }
    }

    /// The webhook's and the statistics' view: a received message names its
    /// sender (a group's: the group, its author beside it), a sent one its chat.
    pub fn event(&self) -> Event {
        let message = MessageFields {
            message_id: self.message_id.clone(),
            body: self.body.clone(),
            timestamp: self.at / 1000,
            has_media: self.media.is_some(),
            media_size: self.media.as_ref().map_or(0, |m| m.size),
            quoted_message_id: self.quoted_message_id.clone(),
            mentions: self.details.mentions.clone(),
            location: self.details.location.clone(),
            contacts: self.details.contacts.clone(),
            poll: self.details.poll.clone(),
        };
        if self.from_me {
            return Event::MessageSent(MessageSentEvent {
                to: self.chat.clone(),
                message_type: self.message_type,
                message,
            });
        }
        let author = self.author();
        let in_group = self.chat.is_group();
        Event::MessageReceived(MessageReceivedEvent {
            from: if in_group {
                self.chat.clone()
            } else {
                self.sender.clone()
            },
            whatsapp_type: whatsapp_type(self.message_type),
            push_name: self.push_name.clone(),
            from_lid: self.sender_lid.clone().filter(|_| !in_group),
            sender_lid: self.sender_lid.clone(),
            author_lid: self.sender_lid.clone().filter(|_| author.is_some()),
            author,
            message,
        })
    }
}

/// WhatsApp's name for a received message of this type.
fn whatsapp_type(message_type: MessageType) -> String {
    match message_type {
        MessageType::Text => "conversation".to_owned(),
        other => format!("{other}Message"),
    }
}
