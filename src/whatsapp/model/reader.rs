//! Reads what WhatsApp delivers — `Event::Messages` with their `MessageInfo`,
//! receipts, contact, push-name and group notices — as the boundary events the
//! instance actor acts on. The engine's forwarder hands its client's events
//! here; the simulated network hands the events it builds for its phones.

use std::sync::Arc;
use std::time::Duration;

use futures_util::future::BoxFuture;
use whatsapp_rust::download::Downloadable;
use whatsapp_rust::types::events::{
    ChatPresenceUpdate, ContactUpdate, Event, GroupUpdate, LazyHistorySync, PresenceUpdate,
    PushNameUpdate, Receipt,
};
use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::waproto::whatsapp as wa;

use super::classify::{Classified, classify};
use super::history::read_history;
use super::inbound::{downloadable, ours, person};
use crate::domain::phone::Jid;
use crate::whatsapp::{
    EventSink, GroupChange, MediaFetch, MediaLocation, PresenceState, ReceiptStatus, WaContact,
    WaEvent,
};

/// Where a backend downloads and decrypts media from: the engine from
/// WhatsApp's media servers through its client, the simulated network from
/// its own, through the engine's same download code.
pub trait MediaSource: Send + Sync {
    fn download(&self, part: Box<dyn Downloadable>) -> BoxFuture<'static, Result<Vec<u8>, String>>;
}

/// How received messages are taken (`whatsapp.*` settings).
#[derive(Debug, Clone, Copy)]
pub struct Reading {
    /// `whatsapp.status_updates`: status stories stored as messages.
    pub status_updates: bool,
    /// `whatsapp.max_media_bytes`: larger media is not downloaded.
    pub max_media_bytes: u64,
    /// `whatsapp.media_fetch_timeout_ms`: a download's deadline.
    pub download_timeout: Duration,
    /// `whatsapp.history_sync`: earlier chats imported on linking.
    pub history_sync: bool,
}

impl From<&crate::config::WhatsappSettings> for Reading {
    fn from(settings: &crate::config::WhatsappSettings) -> Self {
        Self {
            status_updates: settings.status_updates,
            max_media_bytes: settings.max_media_bytes as u64,
            download_timeout: Duration::from_millis(settings.media_fetch_timeout_ms),
            history_sync: settings.history_sync,
        }
    }
}

pub struct Reader {
    sink: EventSink,
    reading: Reading,
    media: Arc<dyn MediaSource>,
}

impl Reader {
    pub fn new(sink: EventSink, reading: Reading, media: Arc<dyn MediaSource>) -> Self {
        Self {
            sink,
            reading,
            media,
        }
    }

    /// Reads `event` when it is one of what WhatsApp delivers; false for the
    /// rest (the connection's own events, which the backend reads itself).
    pub fn read(&self, event: &Event) -> bool {
        match event {
            // Already handed to the instance by the durability hook.
            Event::Messages(batch) if batch.hook_committed => {}
            Event::Messages(batch) => {
                for entry in batch.iter() {
                    self.message(&entry.message, &entry.info);
                }
            }
            Event::Receipt(receipt) => self.receipt(receipt),
            Event::ContactUpdate(update) => self.contact(update),
            Event::PushNameUpdate(update) => self.push_name(update),
            Event::GroupUpdate(update) => self.group(update),
            Event::HistorySync(sync) => self.history(sync),
            Event::ChatPresence(update) => self.chat_presence(update),
            Event::Presence(update) => self.presence(update),
            Event::ServerAck(ack) => self.server_ack(ack),
            _ => return false,
        }
        true
    }

    /// A sent message's ack with an error: WhatsApp refused what it had
    /// taken (the send call answered before the ack came).
    fn server_ack(&self, ack: &whatsapp_rust::types::events::ServerAck) {
        let Some(error) = &ack.error else {
            return;
        };
        if ack.class.as_deref().is_some_and(|class| class != "message") {
            return;
        }
        self.sink.emit(WaEvent::SendRefused {
            message_id: ack.id.clone(),
            chat: ack.from.as_ref().and_then(super::ours),
            code: error.parse().unwrap_or(0),
        });
    }

    fn message(&self, message: &wa::Message, info: &MessageInfo) {
        if let Some(event) = self.inbound_event(message, info) {
            self.sink.emit(event);
        }
    }

    /// What a received message is to the instance: a message to store, a
    /// change to an earlier one, or nothing.
    pub fn inbound_event(&self, message: &wa::Message, info: &MessageInfo) -> Option<WaEvent> {
        match classify(message, info, self.reading.status_updates) {
            Ok(Classified::Message(mut inbound)) => {
                if let Some(media) = inbound.media.as_mut() {
                    media.fetch = Some(self.fetch(message, media.size));
                    media.location =
                        downloadable(message).and_then(|part| MediaLocation::of(part.as_ref()));
                }
                Some(WaEvent::Message(inbound))
            }
            Ok(Classified::Change(change)) => Some(WaEvent::Change(change)),
            Err(why) => {
                tracing::debug!(?why, "not a message; not stored");
                None
            }
        }
    }

    /// The message's media, fetched when the instance stores the message,
    /// within `max_media_bytes` and the download timeout.
    fn fetch(&self, message: &wa::Message, size: u64) -> MediaFetch {
        let Some(part) = downloadable(message) else {
            return MediaFetch::failing("the message carries no downloadable media".into());
        };
        let max = self.reading.max_media_bytes;
        if size > max {
            return MediaFetch::failing(format!(
                "the media ({size} bytes) is larger than whatsapp.max_media_bytes ({max})"
            ));
        }
        let timeout = self.reading.download_timeout;
        let download = self.media.download(part);
        MediaFetch::new(async move {
            let bytes = tokio::time::timeout(timeout, download)
                .await
                .map_err(|_| format!("the download took longer than {} ms", timeout.as_millis()))?
                .map_err(|err| format!("the download failed: {err}"))?;
            if bytes.len() as u64 > max {
                return Err(format!(
                    "the media is larger than whatsapp.max_media_bytes ({max})"
                ));
            }
            Ok(bytes::Bytes::from(bytes))
        })
    }

    /// Decoding a sync chunk takes tens of milliseconds: done off the thread
    /// that dispatches the client's events.
    fn history(&self, sync: &LazyHistorySync) {
        if !self.reading.history_sync {
            return;
        }
        let (sync, sink) = (sync.clone(), self.sink.clone());
        let status_updates = self.reading.status_updates;
        tokio::task::spawn_blocking(move || {
            let Some(parsed) = sync.get() else {
                tracing::warn!("a history sync chunk could not be decoded; skipped");
                return;
            };
            let history = read_history(parsed, status_updates);
            if !history.messages.is_empty() || !history.contacts.is_empty() {
                sink.emit(WaEvent::History(Box::new(history)));
            }
        });
    }

    fn receipt(&self, receipt: &Receipt) {
        let status = match receipt.r#type {
            ReceiptType::Delivered => ReceiptStatus::Delivered,
            ReceiptType::Read | ReceiptType::Played => ReceiptStatus::Read,
            _ => return,
        };
        // A person's chat may come as a LID, the phone JID beside it.
        let source = &receipt.source;
        let chat = if source.is_group {
            ours(&source.chat)
        } else {
            person(&source.chat, source.sender_alt.as_ref())
        };
        let Some(chat) = chat else {
            return;
        };
        self.sink.emit(WaEvent::Receipt {
            message_ids: receipt.message_ids.clone(),
            chat,
            status,
        });
    }

    fn contact(&self, update: &ContactUpdate) {
        let action = &update.action;
        let jid = action
            .pn_jid
            .as_deref()
            .and_then(Jid::from_whatsapp)
            .or_else(|| ours(&update.jid));
        let Some(jid) = jid else {
            return;
        };
        let name = action
            .full_name
            .clone()
            .or_else(|| action.first_name.clone())
            .unwrap_or_default();
        self.sink.emit(WaEvent::Contact(WaContact {
            jid,
            name,
            is_group: false,
        }));
    }

    /// A contact renamed themselves: the name people see in chats.
    fn push_name(&self, update: &PushNameUpdate) {
        let source = &update.message.source;
        if let Some(jid) = person(&update.jid, source.sender_alt.as_ref()) {
            self.sink.emit(WaEvent::Contact(WaContact {
                jid,
                name: update.new_push_name.clone(),
                is_group: false,
            }));
        }
    }

    /// Someone is typing or recording in a chat, or stopped.
    fn chat_presence(&self, update: &ChatPresenceUpdate) {
        use whatsapp_rust::types::presence::{ChatPresence, ChatPresenceMedia};
        let source = &update.source;
        let Some(from) = person(&source.sender, source.sender_alt.as_ref()) else {
            return;
        };
        let chat = if source.is_group {
            ours(&source.chat)
        } else {
            Some(from.clone())
        };
        let Some(chat) = chat else {
            return;
        };
        let state = match (update.state, update.media) {
            (ChatPresence::Composing, ChatPresenceMedia::Audio) => PresenceState::Recording,
            (ChatPresence::Composing, ChatPresenceMedia::Text) => PresenceState::Composing,
            (ChatPresence::Paused, _) => PresenceState::Paused,
        };
        self.sink.emit(WaEvent::Presence { chat, from, state });
    }

    /// A contact came online or went away.
    fn presence(&self, update: &PresenceUpdate) {
        let Some(from) = ours(&update.from) else {
            return;
        };
        let state = if update.unavailable {
            PresenceState::Unavailable
        } else {
            PresenceState::Available
        };
        self.sink.emit(WaEvent::Presence {
            chat: from.clone(),
            from,
            state,
        });
    }

    /// A group's members or settings changed: the group is a chat (named by
    /// its subject when that changed), and the change is reported.
    fn group(&self, update: &GroupUpdate) {
        let notice = super::groups::notice(update);
        let name = notice
            .as_ref()
            .and_then(|notice| match &notice.change {
                GroupChange::Settings(settings) => settings.subject.clone(),
                GroupChange::Members { .. } => None,
            })
            .unwrap_or_default();
        if let Some(jid) = ours(&update.group_jid) {
            self.sink.emit(WaEvent::Contact(WaContact {
                jid,
                name,
                is_group: true,
            }));
        }
        if let Some(notice) = notice {
            self.sink.emit(WaEvent::Group(Box::new(notice)));
        }
    }
}
