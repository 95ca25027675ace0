//! Translation between the engine's types and the boundary's.

use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use whatsapp_rust::download::MediaType;
use whatsapp_rust::media::{
    AudioOptions, DocumentOptions, ImageOptions, VideoOptions, audio_message, document_message,
    image_message, video_message,
};
use whatsapp_rust::types::events::{Event, EventHandler};
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::upload::UploadResponse;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::{Client, SendError};

use super::Tracker;
use crate::domain::phone::Jid;
use crate::whatsapp::{
    EventSink, InboundMessage, MediaInfo, MediaKind, OutgoingMedia, ReceiptStatus, SessionEnd,
    WaContact, WaError, WaEvent,
};

pub fn jid(to: &Jid) -> Result<whatsapp_rust::Jid, WaError> {
    to.to_string()
        .parse()
        .map_err(|err| WaError::Rejected(format!("invalid recipient: {err}")))
}

/// `ABCDEFGH` as WhatsApp shows it: `ABCD-EFGH`.
pub fn pairing_code(code: &str) -> String {
    let code: String = code.chars().filter(char::is_ascii_alphanumeric).collect();
    match code.len() {
        8 => format!("{}-{}", &code[..4], &code[4..]),
        _ => code,
    }
}

pub fn send_error(err: SendError) -> WaError {
    match err {
        SendError::NotLoggedIn => WaError::NotConnected,
        SendError::InvalidRequest(reason) => WaError::Rejected(reason),
        other => WaError::Session(other.to_string()),
    }
}

pub fn media_type(kind: MediaKind) -> MediaType {
    match kind {
        MediaKind::Image => MediaType::Image,
        MediaKind::Video => MediaType::Video,
        MediaKind::Audio => MediaType::Audio,
        MediaKind::Document => MediaType::Document,
    }
}

pub fn media_message(upload: UploadResponse, media: &OutgoingMedia) -> wa::Message {
    let mimetype = Some(media.mimetype.clone());
    let caption = media.caption.clone();
    match media.kind {
        MediaKind::Image => image_message(
            upload,
            ImageOptions {
                caption,
                mimetype,
                ..Default::default()
            },
        ),
        MediaKind::Video => video_message(
            upload,
            VideoOptions {
                caption,
                mimetype,
                ..Default::default()
            },
        ),
        MediaKind::Audio => audio_message(
            upload,
            AudioOptions {
                mimetype,
                ..Default::default()
            },
        ),
        MediaKind::Document => document_message(
            upload,
            DocumentOptions {
                caption,
                mimetype,
                file_name: Some(media.filename.clone()),
                title: Some(media.filename.clone()),
                ..Default::default()
            },
        ),
    }
}

/// Forwards engine events to the instance actor, inline and in order.
pub struct Forwarder {
    sink: EventSink,
    tracker: Arc<Tracker>,
    client: Arc<OnceLock<Arc<Client>>>,
}

impl Forwarder {
    pub fn new(sink: EventSink, tracker: Arc<Tracker>, client: Arc<OnceLock<Arc<Client>>>) -> Self {
        Self {
            sink,
            tracker,
            client,
        }
    }

    fn end(&self, end: SessionEnd) {
        if !self.tracker.ended.swap(true, Ordering::SeqCst) {
            self.sink.emit(WaEvent::Ended(end));
        }
    }

    fn remember_disconnect(&self, reason: String) {
        *self
            .tracker
            .last_disconnect
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(reason);
    }
}

impl EventHandler for Forwarder {
    fn handle_event(&self, event: Arc<Event>) {
        match &*event {
            Event::PairingQrCode(qr) => self.sink.emit(WaEvent::Qr {
                code: qr.code.clone(),
            }),
            Event::PairingQrCodesExhausted(_) => self.end(SessionEnd::QrExhausted),
            Event::PairingCode(code) => self.sink.emit(WaEvent::PairingCode {
                code: code.code.clone(),
            }),
            Event::PairSuccess(paired) => {
                self.tracker.paired.store(true, Ordering::SeqCst);
                self.sink.emit(WaEvent::Paired {
                    phone: paired.id.user.to_string(),
                    push_name: paired.business_name.clone(),
                });
            }
            Event::Connected(_) => {
                self.tracker.connected.store(true, Ordering::SeqCst);
                let phone = self
                    .client
                    .get()
                    .and_then(|c| c.pn())
                    .map(|jid| jid.user.to_string());
                self.sink.emit(WaEvent::Connected { phone });
            }
            Event::Disconnected(disconnected) => {
                self.remember_disconnect(format!("connection lost: {}", disconnected.reason));
            }
            Event::ConnectFailure(failure) => {
                self.remember_disconnect(format!(
                    "WhatsApp refused the connection: {:?}",
                    failure.reason
                ));
            }
            Event::LoggedOut(logged_out) => self.end(SessionEnd::LoggedOut {
                reason: format!("logged out by WhatsApp: {:?}", logged_out.reason),
            }),
            Event::StreamReplaced(_) => self.end(SessionEnd::Failed {
                reason: "another client took over this session".into(),
            }),
            Event::TemporaryBan(ban) => self.end(SessionEnd::Failed {
                reason: format!("temporarily banned: {}", ban.code),
            }),
            Event::ClientOutdated(_) => self.end(SessionEnd::Failed {
                reason: "WhatsApp says this client version is outdated (set whatsapp.version)"
                    .into(),
            }),
            Event::Messages(batch) => {
                for message in batch.iter() {
                    self.sink
                        .emit(WaEvent::Message(inbound(&message.message, &message.info)));
                }
            }
            Event::Receipt(receipt) => {
                let status = match receipt.r#type {
                    ReceiptType::Delivered => ReceiptStatus::Delivered,
                    ReceiptType::Read | ReceiptType::Played => ReceiptStatus::Read,
                    _ => return,
                };
                self.sink.emit(WaEvent::Receipt {
                    message_ids: receipt.message_ids.clone(),
                    chat: receipt.source.chat.to_non_ad().to_string(),
                    status,
                });
            }
            Event::ContactUpdate(update) => {
                let action = &update.action;
                let jid = action
                    .pn_jid
                    .clone()
                    .unwrap_or_else(|| update.jid.to_non_ad().to_string());
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
            Event::GroupUpdate(update) => {
                use whatsapp_rust::wacore::stanza::groups::GroupNotificationAction;
                let name = match &update.action {
                    GroupNotificationAction::Subject { subject, .. } => subject.clone(),
                    _ => String::new(),
                };
                self.sink.emit(WaEvent::Contact(WaContact {
                    jid: update.group_jid.to_non_ad().to_string(),
                    name,
                    is_group: true,
                }));
            }
            _ => {}
        }
    }
}

fn inbound(
    message: &wa::Message,
    info: &whatsapp_rust::types::message::MessageInfo,
) -> InboundMessage {
    let source = &info.source;
    // Senders may come as LIDs; the phone JID travels beside them.
    let phone_of = |jid: &whatsapp_rust::Jid, alt: &Option<whatsapp_rust::Jid>| match alt
        .as_ref()
        .filter(|_| jid.is_lid())
    {
        Some(alt) => alt.to_non_ad().to_string(),
        None => jid.to_non_ad().to_string(),
    };
    let sender = phone_of(&source.sender, &source.sender_alt);
    let chat = if source.is_group {
        source.chat.to_non_ad().to_string()
    } else if source.is_from_me {
        phone_of(&source.chat, &source.recipient_alt)
    } else {
        sender.clone()
    };
    let body = message
        .text_content()
        .or_else(|| message.get_caption())
        .unwrap_or_default()
        .to_owned();
    InboundMessage {
        id: info.id.clone(),
        chat,
        sender,
        from_me: source.is_from_me,
        push_name: info.push_name.clone(),
        body,
        media: media_info(message),
        timestamp: info.timestamp.timestamp(),
    }
}

fn media_info(message: &wa::Message) -> Option<MediaInfo> {
    let base = message.get_base_message();
    let info =
        |kind, mimetype: Option<&String>, size: Option<u64>, filename: Option<&String>| MediaInfo {
            kind,
            mimetype: mimetype.cloned().unwrap_or_default(),
            size: size.unwrap_or(0),
            filename: filename.cloned(),
            bytes: None,
        };
    if let Some(m) = base.image_message.as_option() {
        return Some(info(
            MediaKind::Image,
            m.mimetype.as_ref(),
            m.file_length,
            None,
        ));
    }
    if let Some(m) = base.video_message.as_option() {
        return Some(info(
            MediaKind::Video,
            m.mimetype.as_ref(),
            m.file_length,
            None,
        ));
    }
    if let Some(m) = base.audio_message.as_option() {
        return Some(info(
            MediaKind::Audio,
            m.mimetype.as_ref(),
            m.file_length,
            None,
        ));
    }
    if let Some(m) = base.document_message.as_option() {
        return Some(info(
            MediaKind::Document,
            m.mimetype.as_ref(),
            m.file_length,
            m.file_name.as_ref(),
        ));
    }
    if let Some(m) = base.sticker_message.as_option() {
        return Some(info(
            MediaKind::Image,
            m.mimetype.as_ref(),
            m.file_length,
            None,
        ));
    }
    None
}
