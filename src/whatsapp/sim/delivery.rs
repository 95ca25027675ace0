//! How the simulated network carries messages: as WhatsApp's own `Message`
//! values, built by the same code the engine sends with, and delivered as the
//! engine's own `Event`s, read by the same code the engine reads with.

use std::sync::Arc;
use std::time::Duration;

use whatsapp_rust::chrono::Utc;
use whatsapp_rust::types::events::{
    BatchOrigin, Event, InboundMessage, LazyHistorySync, MessageBatch, Receipt, ServerAck,
};
use whatsapp_rust::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::wacore_binary::JidExt;
use whatsapp_rust::waproto::whatsapp as wa;

use super::{SimError, SimNetwork};
use crate::domain::phone::Jid;
use crate::whatsapp::model::{self, Reader};
use crate::whatsapp::{MediaKind, OutgoingMedia, WaError};

/// Someone outside the simulated network writes to an instance: text, a file,
/// or a file with a caption.
#[derive(Debug, Clone)]
pub struct SimInbound {
    pub body: String,
    pub media: Option<InboundFile>,
    /// Written in this group (the instance is in it), not to the instance.
    pub group: Option<Jid>,
}

#[derive(Debug, Clone)]
pub struct InboundFile {
    pub bytes: bytes::Bytes,
    pub mimetype: String,
    pub filename: Option<String>,
    /// Gone from the media servers by the time the instance downloads it.
    pub expired: bool,
}

/// A message a simulated phone had before it linked an instance.
#[derive(Debug, Clone)]
pub struct PastMessage {
    /// The chat: the other person.
    pub chat: Jid,
    pub body: String,
    /// Unix seconds.
    pub timestamp: i64,
    pub from_me: bool,
    /// The other person's name, for what they wrote.
    pub push_name: String,
}

impl SimNetwork {
    /// The phone sends its earlier chats to the instance it just linked, as
    /// WhatsApp's phones do: one compressed history-sync chunk, which the
    /// instance's reader imports or declines (`whatsapp.history_sync`).
    pub(super) fn sync_history(&self, instance_id: &str, token: u64) {
        let mut registry = self.registry();
        let Some(link) = registry
            .links
            .get_mut(instance_id)
            .filter(|link| link.token == token)
        else {
            return;
        };
        let past = std::mem::take(&mut link.pending_history);
        if past.is_empty() {
            return;
        }
        match history_chunk(&past) {
            Ok(chunk) => {
                link.reader.read(&chunk);
            }
            Err(err) => tracing::warn!(instance_id, error = %err, "sim history sync not built"),
        }
    }

    /// A phone's upload: the file encrypted and put on the media servers.
    pub(super) async fn upload(&self, media: &OutgoingMedia) -> Result<model::Uploaded, WaError> {
        let kind = model::sent_kind(media);
        self.inner
            .media
            .clone()
            .upload(media.bytes.clone(), kind)
            .await
    }

    /// Someone outside the simulated network writes to the instance; their
    /// phone builds the message as any WhatsApp client does.
    pub async fn inject_inbound(
        &self,
        instance_id: &str,
        from: &Jid,
        push_name: &str,
        inbound: SimInbound,
    ) -> Result<String, SimError> {
        self.connected(instance_id)?;
        let message = match inbound.media {
            None => model::text(&inbound.body),
            Some(file) => {
                let media = OutgoingMedia {
                    kind: MediaKind::for_mimetype(&file.mimetype),
                    bytes: file.bytes,
                    mimetype: file.mimetype,
                    filename: file.filename.unwrap_or_default(),
                    caption: Some(inbound.body).filter(|body| !body.is_empty()),
                    thumbnail: None,
                    dimensions: None,
                    seconds: None,
                };
                let uploaded = self
                    .upload(&media)
                    .await
                    .map_err(|err| SimError::Store(err.to_string()))?;
                if file.expired {
                    self.inner.media.expire(&uploaded.direct_path);
                }
                model::media(uploaded, &media)
            }
        };
        let id = crate::whatsapp::new_message_id();
        let event = delivery(&id, from, push_name, message, inbound.group.as_ref())
            .map_err(|_| SimError::NotConnected)?;
        let registry = self.registry();
        let link = registry.links.get(instance_id).ok_or(SimError::NoSession)?;
        link.reader.read(&event);
        Ok(id)
    }

    fn connected(&self, instance_id: &str) -> Result<(), SimError> {
        let registry = self.registry();
        let link = registry.links.get(instance_id).ok_or(SimError::NoSession)?;
        link.identity
            .as_ref()
            .map(|_| ())
            .ok_or(SimError::NotConnected)
    }

    /// Carries a message, with the id its sender chose, from a connected
    /// instance. A message gets its delivery receipt once the recipient's phone
    /// has it (never when the recipient blocked the sender); a read receipt
    /// waits until the recipient marks it read. A change to an earlier message
    /// (`receipts` false) gets none that matter. In a group, it goes to the
    /// group's other members (`audience`). Answers whether an instance of the
    /// simulated network received it.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn send(
        &self,
        from_instance: &str,
        token: u64,
        id: &str,
        to: &Jid,
        message: wa::Message,
        receipts: bool,
        audience: &[String],
    ) -> Result<bool, WaError> {
        let mut registry = self.registry();
        let refusal = registry
            .links
            .get_mut(from_instance)
            .filter(|link| link.token == token)
            .ok_or(WaError::NotConnected)?
            .refuse_next
            .take();
        let registry = registry;
        let sender = registry
            .links
            .get(from_instance)
            .ok_or(WaError::NotConnected)?;
        if let Some(code) = refusal {
            // Taken, then refused: WhatsApp's ack carries the code, read as
            // the engine reads it.
            let ack = ServerAck::builder()
                .id(id.to_owned())
                .class("message".to_owned())
                .maybe_from(to.to_string().parse().ok())
                .error(code.to_string())
                .build();
            sender.reader.read(&Event::ServerAck(ack));
            return Ok(false);
        }
        let (sender_phone, sender_name) = sender.identity.clone().ok_or(WaError::NotConnected)?;
        let recipient = (!to.is_group())
            .then(|| registry.phones.get(to.user()))
            .flatten()
            .and_then(|instance| registry.links.get(instance));
        if recipient.is_some_and(|r| r.blocked.contains(&sender_phone)) {
            // WhatsApp keeps it on its servers: one tick, never delivered.
            return Ok(false);
        }
        let sender_jid = Jid::parse(&sender_phone).map_err(|_| WaError::NotConnected)?;
        let mut received = recipient.is_some();
        if let Some(recipient) = recipient {
            recipient
                .reader
                .read(&delivery(id, &sender_jid, &sender_name, message, None)?);
        } else if to.is_group() {
            let event = delivery(id, &sender_jid, &sender_name, message.clone(), Some(to))?;
            for phone in audience {
                match registry
                    .phones
                    .get(phone)
                    .and_then(|instance| registry.links.get(instance))
                {
                    Some(member) => {
                        received = true;
                        member.reader.read(&event);
                    }
                    None if self.in_cluster() => {
                        received = true;
                        let from = sender_phone.as_str();
                        self.send_across(phone, id, from, &sender_name, &message, Some(to), None);
                    }
                    None => {}
                }
            }
        } else if self.in_cluster() {
            // Perhaps connected on another node, which then sends the receipt.
            let receipt_to = receipts.then_some(from_instance);
            let from = sender_phone.as_str();
            self.send_across(
                to.user(),
                id,
                from,
                &sender_name,
                &message,
                None,
                receipt_to,
            );
            return Ok(true);
        }
        if !receipts {
            return Ok(received);
        }
        let delivered = receipt(&[id.to_owned()], to, ReceiptType::Delivered)?;
        let reader = Arc::clone(&sender.reader);
        let delay = Duration::from_millis(self.inner.settings.receipt_delay_ms);
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            reader.read(&delivered);
        });
        Ok(received)
    }
}

/// A message as the engine's client hands it over on arrival: from a person,
/// in their chat or in a group.
pub(super) fn delivery(
    id: &str,
    from: &Jid,
    push_name: &str,
    message: wa::Message,
    group: Option<&Jid>,
) -> Result<Event, WaError> {
    let sender = model::engine_jid(from)?;
    let chat = group.map(model::engine_jid).transpose()?;
    let info = MessageInfo {
        source: MessageSource {
            is_group: chat.is_some(),
            chat: chat.unwrap_or_else(|| sender.clone()),
            sender,
            ..Default::default()
        },
        id: id.to_owned(),
        push_name: push_name.to_owned(),
        timestamp: Utc::now(),
        ..Default::default()
    };
    let entry = InboundMessage::builder()
        .message(Arc::new(message))
        .info(Arc::new(info))
        .build();
    Ok(Event::Messages(
        MessageBatch::builder()
            .messages(Arc::from(vec![entry]))
            .origin(BatchOrigin::Live)
            .build(),
    ))
}

/// The recipient's receipt for messages `ids`, as the sender's client gets it.
pub(super) fn receipt(ids: &[String], chat: &Jid, kind: ReceiptType) -> Result<Event, WaError> {
    let chat = model::engine_jid(chat)?;
    Ok(Event::Receipt(
        Receipt::builder()
            .source(MessageSource {
                is_group: chat.is_group(),
                sender: chat.clone(),
                chat,
                ..Default::default()
            })
            .message_ids(ids.to_vec())
            .timestamp(Utc::now())
            .r#type(kind)
            .offline(false)
            .build(),
    ))
}

/// Keeps `Reader` shareable between a link and its receipts task.
pub(super) type SharedReader = Arc<Reader>;

/// `past` as WhatsApp's phones send it: a `HistorySync` with a conversation per
/// chat, encoded and zlib-compressed, as the engine hands it over.
fn history_chunk(past: &[PastMessage]) -> std::io::Result<Event> {
    use std::io::Write;
    use whatsapp_rust::waproto::buffa::Message as _;
    let mut conversations: Vec<wa::Conversation> = Vec::new();
    let mut pushnames: Vec<wa::Pushname> = Vec::new();
    for message in past {
        let chat = message.chat.to_string();
        let entry = wa::HistorySyncMsg {
            message: wa::WebMessageInfo {
                key: wa::MessageKey {
                    remote_jid: Some(chat.clone()),
                    from_me: Some(message.from_me),
                    id: Some(crate::whatsapp::new_message_id()),
                    ..Default::default()
                }
                .into(),
                message: model::text(&message.body).into(),
                message_timestamp: u64::try_from(message.timestamp).ok(),
                push_name: Some(message.push_name.clone()).filter(|_| !message.from_me),
                ..Default::default()
            }
            .into(),
            ..Default::default()
        };
        match conversations.iter_mut().find(|c| c.id == chat) {
            Some(conversation) => conversation.messages.push(entry),
            None => conversations.push(wa::Conversation {
                id: chat.clone(),
                messages: vec![entry],
                ..Default::default()
            }),
        }
        if !message.from_me && !message.push_name.is_empty() {
            pushnames.push(wa::Pushname {
                id: Some(chat),
                pushname: Some(message.push_name.clone()),
            });
        }
    }
    let sync = wa::HistorySync {
        conversations,
        pushnames,
        ..Default::default()
    };
    let encoded = sync.encode_to_vec();
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    zlib.write_all(&encoded)?;
    let compressed = zlib.finish()?;
    Ok(Event::HistorySync(Box::new(LazyHistorySync::new(
        compressed.into(),
        encoded.len(),
        0,
        None,
        None,
    ))))
}
