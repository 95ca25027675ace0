//! A history sync (`whatsapp.history_sync = true`): the chats WhatsApp sends a
//! newly linked device, read as the messages and contacts wamux keeps. Each
//! message goes through the same classification as a live one; only the newest
//! [`MAX_MESSAGES_PER_CHAT`] of a chat are kept, and media is not downloaded
//! (thousands of files at once would hold the instance up for minutes): where
//! WhatsApp keeps it is, and `GET …/media` fetches it when asked.

use whatsapp_rust::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::wacore_binary::JidExt;
use whatsapp_rust::waproto::whatsapp as wa;

use super::classify::{Classified, classify};
use super::inbound::{downloadable, ours, person};
use crate::whatsapp::{ImportedHistory, InboundMessage, MediaLocation, WaContact};

/// How many of a chat's messages an import keeps, newest first.
pub const MAX_MESSAGES_PER_CHAT: usize = 200;

pub fn read_history(sync: &wa::HistorySync, status_updates: bool) -> ImportedHistory {
    let mut history = ImportedHistory::default();
    for conversation in &sync.conversations {
        let Ok(chat) = conversation.id.parse::<whatsapp_rust::Jid>() else {
            continue;
        };
        if let Some(name) = conversation.name.as_deref().filter(|n| !n.is_empty())
            && let Some(jid) = ours(&chat)
        {
            history.contacts.push(WaContact {
                is_group: jid.is_group(),
                jid,
                name: name.to_owned(),
            });
        }
        let mut entries: Vec<&wa::WebMessageInfo> = conversation
            .messages
            .iter()
            .filter_map(|entry| entry.message.as_option())
            .collect();
        entries.sort_by_key(|entry| std::cmp::Reverse(entry.message_timestamp.unwrap_or(0)));
        let kept = entries
            .into_iter()
            .filter_map(|entry| message(entry, &chat, status_updates))
            .take(MAX_MESSAGES_PER_CHAT);
        history.messages.extend(kept);
    }
    history
        .contacts
        .extend(sync.pushnames.iter().filter_map(|pushname| {
            let jid: whatsapp_rust::Jid = pushname.id.as_deref()?.parse().ok()?;
            Some(WaContact {
                jid: person(&jid, None)?,
                name: pushname.pushname.clone().filter(|n| !n.is_empty())?,
                is_group: false,
            })
        }));
    history
}

fn message(
    entry: &wa::WebMessageInfo,
    chat: &whatsapp_rust::Jid,
    status_updates: bool,
) -> Option<InboundMessage> {
    let key = entry.key.as_option()?;
    let from_me = key.from_me.unwrap_or(false);
    let sender = key
        .participant
        .as_deref()
        .or(entry.participant.as_deref())
        .and_then(|participant| participant.parse().ok())
        .unwrap_or_else(|| chat.clone());
    let seconds = i64::try_from(entry.message_timestamp.unwrap_or(0)).unwrap_or(0);
    let info = MessageInfo {
        source: MessageSource {
            is_group: chat.is_group(),
            chat: chat.clone(),
            sender,
            is_from_me: from_me,
            ..Default::default()
        },
        id: key.id.clone()?,
        push_name: entry.push_name.clone().unwrap_or_default(),
        timestamp: whatsapp_rust::chrono::DateTime::from_timestamp(seconds, 0).unwrap_or_default(),
        ..Default::default()
    };
    // A change to an earlier message is not a message of its own; the sync
    // carries the messages as they stand.
    let message = entry.message.as_option()?;
    let Classified::Message(mut inbound) = classify(message, &info, status_updates).ok()? else {
        return None;
    };
    // Not downloaded now; kept where WhatsApp holds it, for `GET …/media`.
    if let Some(media) = inbound.media.as_mut() {
        media.fetch = None;
        media.location = downloadable(message).and_then(|part| MediaLocation::of(part.as_ref()));
    }
    Some(*inbound)
}
