//! What a phone received and decrypted, as the admin route shows it.

use std::sync::{Arc, Mutex, PoisonError};

use serde::Serialize;
use whatsapp_rust::types::events::{Event, EventHandler};
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

#[derive(Debug, Clone, Serialize)]
pub struct InboxEntry {
    pub id: String,
    /// Who wrote it: their phone JID when known.
    pub from: String,
    pub chat: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub text: Option<String>,
    /// A media message's key and where its blob was: what the phone needs to
    /// upload the file again when a linked device asks (`media_retry`).
    #[serde(skip)]
    pub media: Option<PhoneMedia>,
}

#[derive(Debug, Clone)]
pub struct PhoneMedia {
    pub media_key: Vec<u8>,
    pub direct_path: String,
}

#[derive(Default)]
pub struct Inbox {
    entries: Mutex<Vec<InboxEntry>>,
}

impl Inbox {
    pub fn entries(&self) -> Vec<InboxEntry> {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Feeds a client's received messages into its inbox.
pub struct InboxFeed(pub Arc<Inbox>);

impl EventHandler for InboxFeed {
    fn handle_event(&self, event: Arc<Event>) {
        let Event::Messages(batch) = event.as_ref() else {
            return;
        };
        let mut entries = self
            .0
            .entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for inbound in batch.messages.iter() {
            let info = &inbound.info;
            if info.source.is_from_me {
                continue;
            }
            let sender = match (&info.source.sender_alt, info.source.sender.is_lid()) {
                (Some(phone), true) => phone.clone(),
                _ => info.source.sender.clone(),
            };
            let message = inbound.message.get_base_message();
            entries.push(InboxEntry {
                id: info.id.to_string(),
                from: sender.to_non_ad().to_string(),
                chat: info.source.chat.to_non_ad().to_string(),
                kind: kind_of(message).into(),
                text: message
                    .text_content()
                    .map(str::to_owned)
                    .or_else(|| message.get_caption().map(str::to_owned)),
                media: media_of(message),
            });
        }
    }
}

/// The key and path of the message's media, if it carries any.
fn media_of(message: &wa::Message) -> Option<PhoneMedia> {
    let parts: [(Option<&Vec<u8>>, Option<&String>); 5] = [
        message.image_message.as_option().map_or((None, None), |m| {
            (m.media_key.as_ref(), m.direct_path.as_ref())
        }),
        message.video_message.as_option().map_or((None, None), |m| {
            (m.media_key.as_ref(), m.direct_path.as_ref())
        }),
        message.audio_message.as_option().map_or((None, None), |m| {
            (m.media_key.as_ref(), m.direct_path.as_ref())
        }),
        message
            .document_message
            .as_option()
            .map_or((None, None), |m| {
                (m.media_key.as_ref(), m.direct_path.as_ref())
            }),
        message
            .sticker_message
            .as_option()
            .map_or((None, None), |m| {
                (m.media_key.as_ref(), m.direct_path.as_ref())
            }),
    ];
    parts.into_iter().find_map(|(key, path)| {
        Some(PhoneMedia {
            media_key: key?.clone(),
            direct_path: path?.clone(),
        })
    })
}

/// The message's kind, in wamux's words.
fn kind_of(message: &wa::Message) -> &'static str {
    if message.conversation.is_some() || message.extended_text_message.is_set() {
        "text"
    } else if message.image_message.is_set() {
        "image"
    } else if message.video_message.is_set() {
        "video"
    } else if message.audio_message.is_set() {
        "audio"
    } else if message.document_message.is_set() {
        "document"
    } else if message.sticker_message.is_set() {
        "sticker"
    } else if message.reaction_message.is_set() {
        "reaction"
    } else if message.protocol_message.is_set() {
        "protocol"
    } else {
        "other"
    }
}
