//! Which of the engine's `Event::Messages` entries are messages a person sent.
//! WhatsApp carries much more in the same envelope: reactions, edits, revokes
//! and poll votes change the messages they point at (see `changes`); key shares, history-sync notices and
//! other protocol messages are the account's own housekeeping; status stories go
//! to `status@broadcast`. None of them is a message of its own.

use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use super::changes::change;
pub use super::ignored::Ignored;
use super::inbound;
use crate::whatsapp::{InboundMessage, MessageChange};

/// What an entry is to wamux.
#[derive(Debug)]
pub enum Classified {
    /// A message a person sent (boxed: it is much the larger).
    Message(Box<InboundMessage>),
    /// A reaction, edit, deletion or vote: it changes the message it names.
    Change(Box<MessageChange>),
}

/// The message a person sent, the change made to an earlier one, or why the
/// entry is neither.
pub fn classify(
    message: &wa::Message,
    info: &MessageInfo,
    status_updates: bool,
) -> Result<Classified, Ignored> {
    use whatsapp_rust::wacore_binary::JidExt;
    if info.source.chat.is_status_broadcast() && !status_updates {
        return Err(Ignored::Status);
    }
    if let Some(change) = change(message, info) {
        return change.map(|change| Classified::Change(Box::new(change)));
    }
    if is_edit(message) {
        return Err(Ignored::Edit);
    }
    let base = message.get_base_message();
    if let Some(ignored) = pointer_or_protocol(base) {
        return Err(ignored);
    }
    if !has_content(message) {
        return Err(Ignored::NoContent);
    }
    inbound::inbound(message, info)
        .map(|inbound| Classified::Message(Box::new(inbound)))
        .ok_or(Ignored::UnnamedJid)
}

fn pointer_or_protocol(base: &wa::Message) -> Option<Ignored> {
    use wa::message::protocol_message::Type;
    if base.reaction_message.is_set() || base.enc_reaction_message.is_set() {
        return Some(Ignored::Reaction);
    }
    if base.poll_update_message.is_set() {
        return Some(Ignored::PollVote);
    }
    if base.keep_in_chat_message.is_set() || base.pin_in_chat_message.is_set() {
        return Some(Ignored::Protocol);
    }
    let protocol = base.protocol_message.as_option()?;
    Some(match protocol.r#type {
        Some(Type::REVOKE) => Ignored::Revoke,
        Some(Type::MESSAGE_EDIT) => Ignored::Edit,
        _ => Ignored::Protocol,
    })
}

/// `get_base_message` peels an edit's wrapper like any other, leaving the new
/// text looking like a new message: look for it along the same wrappers.
fn is_edit(message: &wa::Message) -> bool {
    let mut current = message;
    loop {
        if current.edited_message.is_set() {
            return true;
        }
        let inner = [
            current.device_sent_message.as_option().map(|w| &w.message),
            current.ephemeral_message.as_option().map(|w| &w.message),
            current.view_once_message.as_option().map(|w| &w.message),
            current.view_once_message_v2.as_option().map(|w| &w.message),
            current
                .view_once_message_v2_extension
                .as_option()
                .map(|w| &w.message),
            current
                .document_with_caption_message
                .as_option()
                .map(|w| &w.message),
        ]
        .into_iter()
        .flatten()
        .find_map(|inner| inner.as_option());
        match inner {
            Some(inner) => current = inner,
            None => return false,
        }
    }
}

/// Text, a caption, media, or a kind that carries its own content (location,
/// contact card, poll): what a person sees as a message in the chat.
fn has_content(message: &wa::Message) -> bool {
    let base = message.get_base_message();
    message.text_content().is_some()
        || message.get_caption().is_some()
        || base.image_message.is_set()
        || base.video_message.is_set()
        || base.audio_message.is_set()
        || base.document_message.is_set()
        || base.sticker_message.is_set()
        || base.location_message.is_set()
        || base.live_location_message.is_set()
        || base.contact_message.is_set()
        || base.contacts_array_message.is_set()
        || base.poll_creation_message.is_set()
        || base.poll_creation_message_v2.is_set()
        || base.poll_creation_message_v3.is_set()
}
