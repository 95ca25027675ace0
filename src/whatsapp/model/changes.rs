//! Messages that change an earlier one: a reaction, an edit, a deletion for
//! everyone, a poll vote. Each names its target by the target's id.

use whatsapp_rust::types::message::MessageInfo;
use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::whatsapp as wa;

use super::ignored::Ignored;
use super::inbound::chat_and_sender;
use crate::whatsapp::{ChangeKind, EncryptedVote, MessageChange};

/// The change `message` makes, if it makes one.
pub fn change(message: &wa::Message, info: &MessageInfo) -> Option<Result<MessageChange, Ignored>> {
    let (kind, target_id) = kind_and_target(message, info)?;
    let Some(target_id) = target_id.filter(|id| !id.is_empty()) else {
        return Some(Err(ignored(&kind)));
    };
    let Some((chat, from)) = chat_and_sender(info) else {
        return Some(Err(Ignored::UnnamedJid));
    };
    Some(Ok(MessageChange {
        target_id,
        chat,
        from,
        from_me: info.source.is_from_me,
        kind,
        timestamp: info.timestamp.timestamp(),
    }))
}

fn ignored(kind: &ChangeKind) -> Ignored {
    match kind {
        ChangeKind::Reaction { .. } => Ignored::Reaction,
        ChangeKind::Edit { .. } => Ignored::Edit,
        ChangeKind::Revoke => Ignored::Revoke,
        ChangeKind::Vote(_) => Ignored::PollVote,
    }
}

fn kind_and_target(
    message: &wa::Message,
    info: &MessageInfo,
) -> Option<(ChangeKind, Option<String>)> {
    use wa::message::protocol_message::Type;
    if let Some(protocol) = protocol_message(message) {
        let target = protocol.key.as_option().and_then(|key| key.id.clone());
        return match protocol.r#type {
            Some(Type::REVOKE) => Some((ChangeKind::Revoke, target)),
            Some(Type::MESSAGE_EDIT) => {
                let body = protocol
                    .edited_message
                    .as_option()
                    .and_then(|edited| {
                        edited
                            .text_content()
                            .or_else(|| edited.get_caption())
                            .map(str::to_owned)
                    })
                    .unwrap_or_default();
                Some((ChangeKind::Edit { body }, target))
            }
            _ => None,
        };
    }
    let base = message.get_base_message();
    if let Some(reaction) = base.reaction_message.as_option() {
        let target = reaction.key.as_option().and_then(|key| key.id.clone());
        let emoji = reaction.text.clone().unwrap_or_default();
        return Some((ChangeKind::Reaction { emoji }, target));
    }
    if let Some(update) = base.poll_update_message.as_option() {
        let target = update
            .poll_creation_message_key
            .as_option()
            .and_then(|key| key.id.clone());
        let vote = update.vote.as_option()?;
        let source = &info.source;
        let encrypted = EncryptedVote {
            payload: vote.enc_payload.clone().unwrap_or_default(),
            iv: vote.enc_iv.clone().unwrap_or_default(),
            voter: source.sender.to_non_ad().to_string(),
            voter_alt: source
                .sender_alt
                .as_ref()
                .map(|alt| alt.to_non_ad().to_string()),
        };
        return Some((ChangeKind::Vote(encrypted), target));
    }
    None
}

/// The protocol message of an edit or a deletion, through the wrappers it may
/// come in (an edit's own `editedMessage` wrapper included).
fn protocol_message(message: &wa::Message) -> Option<&wa::message::ProtocolMessage> {
    let mut current = message;
    loop {
        if let Some(protocol) = current.protocol_message.as_option() {
            return Some(protocol);
        }
        let inner = [
            current.edited_message.as_option().map(|w| &w.message),
            current.device_sent_message.as_option().map(|w| &w.message),
            current.ephemeral_message.as_option().map(|w| &w.message),
        ]
        .into_iter()
        .flatten()
        .find_map(|inner| inner.as_option());
        current = inner?;
    }
}
