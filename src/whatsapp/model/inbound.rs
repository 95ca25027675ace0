//! A received WhatsApp `Message` with its `MessageInfo`, read as the message
//! wamux stores: who wrote it, in which chat, what it says, what media it has.

use whatsapp_rust::download::Downloadable;
use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::db::messages::MessageType;
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

pub fn inbound(message: &wa::Message, info: &MessageInfo) -> Option<InboundMessage> {
    let source = &info.source;
    let sender = person(&source.sender, source.sender_alt.as_ref())?;
    let chat = if source.is_group {
        ours(&source.chat)?
    } else if source.is_from_me {
        person(&source.chat, source.recipient_alt.as_ref())?
    } else {
        sender.clone()
    };
    let body = message
        .text_content()
        .or_else(|| message.get_caption())
        .map(str::to_owned)
        .or_else(|| summary(message))
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
    })
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
            // The reader adds the download.
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

/// The words of a message that has no text of its own: a location's name and
/// coordinates, the names on contact cards, a poll's question.
fn summary(message: &wa::Message) -> Option<String> {
    let base = message.get_base_message();
    if let Some(location) = base.location_message.as_option() {
        let place = [location.name.as_deref(), location.address.as_deref()]
            .into_iter()
            .flatten()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        let at = format!(
            "{}, {}",
            location.degrees_latitude.unwrap_or_default(),
            location.degrees_longitude.unwrap_or_default()
        );
        return Some(if place.is_empty() {
            at
        } else {
            format!("{place} ({at})")
        });
    }
    if let Some(live) = base.live_location_message.as_option() {
        return Some(format!(
            "{}, {}",
            live.degrees_latitude.unwrap_or_default(),
            live.degrees_longitude.unwrap_or_default()
        ));
    }
    if let Some(contact) = base.contact_message.as_option() {
        return contact.display_name.clone();
    }
    if let Some(cards) = base.contacts_array_message.as_option() {
        let names: Vec<&str> = cards
            .contacts
            .iter()
            .filter_map(|card| card.display_name.as_deref())
            .collect();
        return Some(names.join(", ")).filter(|names| !names.is_empty());
    }
    poll(base).and_then(|poll| poll.name.clone())
}
