//! Translation between the engine's types and the boundary's.

use whatsapp_rust::SendError;
use whatsapp_rust::download::MediaType;
use whatsapp_rust::media::{
    AudioOptions, DocumentOptions, ImageOptions, VideoOptions, audio_message, document_message,
    image_message, video_message,
};
use whatsapp_rust::upload::UploadResponse;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::domain::phone::Jid;
use crate::whatsapp::{InboundMessage, MediaInfo, MediaKind, OutgoingMedia, WaError};

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

/// The engine's JID as wamux's, the device part dropped; `None` when WhatsApp
/// sent something wamux cannot name.
pub fn ours(jid: &whatsapp_rust::Jid) -> Option<Jid> {
    Jid::from_whatsapp(&jid.to_non_ad().to_string())
}

pub fn inbound(
    message: &wa::Message,
    info: &whatsapp_rust::types::message::MessageInfo,
) -> Option<InboundMessage> {
    let source = &info.source;
    // Senders may come as LIDs; the phone JID travels beside them.
    let phone_of = |jid: &whatsapp_rust::Jid, alt: &Option<whatsapp_rust::Jid>| {
        ours(alt.as_ref().filter(|_| jid.is_lid()).unwrap_or(jid))
    };
    let sender = phone_of(&source.sender, &source.sender_alt)?;
    let chat = if source.is_group {
        ours(&source.chat)?
    } else if source.is_from_me {
        phone_of(&source.chat, &source.recipient_alt)?
    } else {
        sender.clone()
    };
    let body = message
        .text_content()
        .or_else(|| message.get_caption())
        .unwrap_or_default()
        .to_owned();
    Some(InboundMessage {
        id: info.id.clone(),
        chat,
        sender,
        from_me: source.is_from_me,
        push_name: info.push_name.clone(),
        body,
        media: media_info(message),
        timestamp: info.timestamp.timestamp(),
    })
}

/// The part of a message the engine downloads its media from, owned so that
/// the download can run apart from the event.
pub fn downloadable(
    message: &wa::Message,
) -> Option<Box<dyn whatsapp_rust::download::Downloadable>> {
    let base = message.get_base_message();
    fn owned<T: whatsapp_rust::download::Downloadable + Clone + 'static>(
        part: &T,
    ) -> Box<dyn whatsapp_rust::download::Downloadable> {
        Box::new(part.clone())
    }
    base.image_message
        .as_option()
        .map(owned)
        .or_else(|| base.video_message.as_option().map(owned))
        .or_else(|| base.audio_message.as_option().map(owned))
        .or_else(|| base.document_message.as_option().map(owned))
        .or_else(|| base.sticker_message.as_option().map(owned))
}

fn media_info(message: &wa::Message) -> Option<MediaInfo> {
    let base = message.get_base_message();
    let info =
        |kind, mimetype: Option<&String>, size: Option<u64>, filename: Option<&String>| MediaInfo {
            kind,
            mimetype: mimetype.cloned().unwrap_or_default(),
            size: size.unwrap_or(0),
            filename: filename.cloned(),
            // The forwarder adds the download, which needs the client.
            fetch: None,
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
