//! A received WhatsApp `Message` with its `MessageInfo`, read as the message
//! wamux stores: who wrote it, in which chat, what it says, what media it has.

use whatsapp_rust::download::Downloadable;
use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::db::messages::MessageType;
use crate::domain::kinds::{Location, MessageDetails, PollSpec, read_vcard};
use crate::domain::phone::Jid;
use crate::whatsapp::{InboundMessage, MediaInfo, MediaKind, WaContact};

/// The engine's JID as wamux's, the device part dropped; `None` when WhatsApp
/// sent something wamux cannot name.
pub fn ours(jid: &whatsapp_rust::Jid) -> Option<Jid> {
    Jid::from_whatsapp(&jid.to_non_ad().to_string())
}

/// A person as wamux names them: by the phone JID when WhatsApp gives it beside
/// a LID, else as given.
pub fn person(jid: &whatsapp_rust::Jid, alt: Option<&whatsapp_rust::Jid>) -> Option<Jid> {
    ours(alt.filter(|_| jid.is_lid()).unwrap_or(jid))
}

/// The LID a person wrote under, when WhatsApp addressed them by one.
fn lid_of(jid: &whatsapp_rust::Jid, alt: Option<&whatsapp_rust::Jid>) -> Option<Jid> {
    if jid.is_lid() {
        ours(jid)
    } else {
        alt.filter(|alt| alt.is_lid()).and_then(ours)
    }
}

/// The chat a message belongs to and who wrote it.
pub fn chat_and_sender(info: &MessageInfo) -> Option<(Jid, Jid)> {
    let source = &info.source;
    let sender = person(&source.sender, source.sender_alt.as_ref())?;
    let chat = if source.is_group {
        ours(&source.chat)?
    } else if source.is_from_me {
        person(&source.chat, source.recipient_alt.as_ref())?
    } else {
        sender.clone()
    };
    Some((chat, sender))
}

pub fn inbound(message: &wa::Message, info: &MessageInfo) -> Option<InboundMessage> {
    let source = &info.source;
    let (chat, sender) = chat_and_sender(info)?;
    let details = details(message);
    let body = message
        .text_content()
        .or_else(|| message.get_caption())
        .map(str::to_owned)
        .or_else(|| details.summary())
        .unwrap_or_default();
    Some(InboundMessage {
        id: info.id.clone(),
        chat,
        sender_lid: lid_of(&source.sender, source.sender_alt.as_ref()),
        sender,
        from_me: source.is_from_me,
        push_name: info.push_name.clone(),
        message_type: message_type(message),
        body,
        media: media_info(message),
        timestamp: info.timestamp.timestamp(),
        quoted_message_id: context_info(message).and_then(|c| c.stanza_id.clone()),
        details,
        message_secret: message
            .message_context_info
            .as_option()
            .and_then(|c| c.message_secret.clone()),
    })
}

/// The context a message part carries: what it quotes, whom it mentions.
fn context_info(message: &wa::Message) -> Option<&wa::ContextInfo> {
    let base = message.get_base_message();
    [
        base.extended_text_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.image_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.video_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.audio_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.document_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.sticker_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.location_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
        base.contact_message
            .as_option()
            .and_then(|m| m.context_info.as_option()),
    ]
    .into_iter()
    .flatten()
    .next()
}

/// What the message carries beyond its text: mentions, a place, cards, a poll.
fn details(message: &wa::Message) -> MessageDetails {
    let base = message.get_base_message();
    let location = base
        .location_message
        .as_option()
        .map(|m| Location {
            latitude: m.degrees_latitude.unwrap_or_default(),
            longitude: m.degrees_longitude.unwrap_or_default(),
            name: m.name.clone(),
            address: m.address.clone(),
        })
        .or_else(|| {
            base.live_location_message.as_option().map(|m| Location {
                latitude: m.degrees_latitude.unwrap_or_default(),
                longitude: m.degrees_longitude.unwrap_or_default(),
                name: None,
                address: None,
            })
        });
    let card = |m: &wa::message::ContactMessage| {
        read_vcard(
            m.display_name.as_deref(),
            m.vcard.as_deref().unwrap_or_default(),
        )
    };
    let contacts = match (
        base.contact_message.as_option(),
        base.contacts_array_message.as_option(),
    ) {
        (Some(one), _) => vec![card(one)],
        (None, Some(many)) => many.contacts.iter().map(card).collect(),
        (None, None) => Vec::new(),
    };
    MessageDetails {
        mentions: context_info(message)
            .map(|c| c.mentioned_jid.clone())
            .unwrap_or_default(),
        location,
        contacts,
        poll: poll(base).map(|p| PollSpec {
            question: p.name.clone().unwrap_or_default(),
            selectable_count: p.selectable_options_count.unwrap_or(0),
            options: p
                .options
                .iter()
                .filter_map(|o| o.option_name.clone())
                .collect(),
        }),
        ..Default::default()
    }
}

/// The part of a message its media is downloaded from, owned so that the
/// download can run apart from the event.
pub fn downloadable(message: &wa::Message) -> Option<Box<dyn Downloadable>> {
    let base = message.get_base_message();
    fn owned<T: Downloadable + Clone + 'static>(part: &T) -> Box<dyn Downloadable> {
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
            // The reader adds the download and where it is kept.
            fetch: None,
            location: None,
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
            if m.ptt == Some(true) {
                MediaKind::Voice
            } else {
                MediaKind::Audio
            },
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
            MediaKind::Sticker,
            m.mimetype.as_ref(),
            m.file_length,
            None,
        ));
    }
    None
}

/// The groups the account takes part in, each with its subject, as group
/// contacts (the names chats and webhooks show).
pub fn group_contacts<'a>(
    groups: impl IntoIterator<Item = (&'a whatsapp_rust::Jid, &'a str)>,
) -> Vec<WaContact> {
    groups
        .into_iter()
        .filter_map(|(jid, subject)| {
            Some(WaContact {
                jid: ours(jid).filter(Jid::is_group)?,
                name: subject.to_owned(),
                is_group: true,
            })
        })
        .collect()
}

/// What kind of message a person sees in the chat.
fn message_type(message: &wa::Message) -> MessageType {
    let base = message.get_base_message();
    if base.image_message.is_set() {
        MessageType::Image
    } else if base.video_message.is_set() {
        MessageType::Video
    } else if let Some(audio) = base.audio_message.as_option() {
        if audio.ptt == Some(true) {
            MessageType::Voice
        } else {
            MessageType::Audio
        }
    } else if base.document_message.is_set() {
        MessageType::Document
    } else if base.sticker_message.is_set() {
        MessageType::Sticker
    } else if base.location_message.is_set() || base.live_location_message.is_set() {
        MessageType::Location
    } else if base.contact_message.is_set() || base.contacts_array_message.is_set() {
        MessageType::Contact
    } else if poll(base).is_some() {
        MessageType::Poll
    } else {
        MessageType::Text
    }
}

fn poll(base: &wa::Message) -> Option<&wa::message::PollCreationMessage> {
    base.poll_creation_message
        .as_option()
        .or_else(|| base.poll_creation_message_v2.as_option())
        .or_else(|| base.poll_creation_message_v3.as_option())
}
