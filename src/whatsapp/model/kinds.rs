//! The kinds of message beyond plain text and media — replies, mentions,
//! places, contact cards, polls — and the messages that change an earlier one
//! (reactions, edits, deletions, votes), built as WhatsApp's clients build
//! them. The engine sends what these build; the simulated network carries it.

use whatsapp_rust::wacore::proto_helpers::MessageExt;
use whatsapp_rust::waproto::buffa::MessageField;
use whatsapp_rust::waproto::whatsapp as wa;

use super::outgoing::{Uploaded, media, text};
use crate::domain::kinds::{ContactCard, Location, vcard};
use crate::domain::phone::Jid;
use crate::whatsapp::{NewPoll, Outbound, Quote, WaError};

/// The message `outbound` is, media pointing at `uploaded`.
pub fn build(outbound: &Outbound, uploaded: Option<Uploaded>) -> Result<wa::Message, WaError> {
    Ok(match outbound {
        Outbound::Text {
            text: body,
            quote,
            mentions,
        } => {
            let mut message = text(body);
            if quote.is_some() || !mentions.is_empty() {
                // A bare text becomes an extended one, which can carry the context.
                message.set_context_info(context(quote.as_ref(), mentions));
            }
            message
        }
        Outbound::Media { media: file, quote } => {
            let uploaded = uploaded
                .ok_or_else(|| WaError::Session("the media was not uploaded".to_owned()))?;
            let mut message = media(uploaded, file);
            if let Some(quote) = quote {
                message.set_context_info(context(Some(quote), &[]));
            }
            message
        }
        Outbound::Location(place) => location(place),
        Outbound::Contacts(cards) => contacts(cards),
        Outbound::Poll(poll) => poll_creation(poll),
    })
}

/// Who and what a reply quotes, and whom the text mentions.
fn context(quote: Option<&Quote>, mentions: &[Jid]) -> wa::ContextInfo {
    wa::ContextInfo {
        stanza_id: quote.map(|q| q.message_id.clone()),
        participant: quote.map(|q| q.sender.to_string()),
        quoted_message: quote
            .map(|q| MessageField::some(text(&q.body)))
            .unwrap_or_default(),
        mentioned_jid: mentions.iter().map(Jid::to_string).collect(),
        ..Default::default()
    }
}

fn location(place: &Location) -> wa::Message {
    wa::Message {
        location_message: MessageField::some(wa::message::LocationMessage {
            degrees_latitude: Some(place.latitude),
            degrees_longitude: Some(place.longitude),
            name: place.name.clone(),
            address: place.address.clone(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// One card goes as a contact message, several as an array, as the phones send them.
fn contacts(cards: &[ContactCard]) -> wa::Message {
    let card = |card: &ContactCard| wa::message::ContactMessage {
        display_name: Some(card.name.clone()),
        vcard: Some(vcard(card)),
        ..Default::default()
    };
    match cards {
        [one] => wa::Message {
            contact_message: MessageField::some(card(one)),
            ..Default::default()
        },
        many => wa::Message {
            contacts_array_message: MessageField::some(wa::message::ContactsArrayMessage {
                display_name: Some(format!("{} contacts", many.len())),
                contacts: many.iter().map(card).collect(),
                ..Default::default()
            }),
            ..Default::default()
        },
    }
}

/// A poll as WhatsApp Web asks one: version 3 for a single choice, version 1
/// for several; its secret rides along so the voters can encrypt their votes.
fn poll_creation(poll: &NewPoll) -> wa::Message {
    let creation = wa::message::PollCreationMessage {
        name: Some(poll.question.clone()),
        options: poll
            .options
            .iter()
            .map(|option| wa::message::poll_creation_message::Option {
                option_name: Some(option.clone()),
                ..Default::default()
            })
            .collect(),
        selectable_options_count: Some(poll.selectable_count),
        ..Default::default()
    };
    let mut message = if poll.selectable_count == 1 {
        wa::Message {
            poll_creation_message_v3: MessageField::some(creation),
            ..Default::default()
        }
    } else {
        wa::Message {
            poll_creation_message: MessageField::some(creation),
            ..Default::default()
        }
    };
    message.message_context_info = MessageField::some(wa::MessageContextInfo {
        message_secret: Some(poll.secret.to_vec()),
        ..Default::default()
    });
    message
}

/// The key naming a message of `chat`: its id, whether it is ours, and (in a
/// group) who wrote it.
pub fn key(chat: &Jid, message_id: &str, sender: &Jid, from_me: bool) -> wa::MessageKey {
    wa::MessageKey {
        remote_jid: Some(chat.to_string()),
        from_me: Some(from_me),
        id: Some(message_id.to_owned()),
        participant: chat.is_group().then(|| sender.to_string()),
    }
}

/// A reaction, as the engine's `send_reaction` builds it.
pub fn reaction(key: wa::MessageKey, emoji: &str) -> wa::Message {
    whatsapp_rust::wacore::proto_helpers::build_reaction_message(
        key,
        emoji,
        whatsapp_rust::wacore::time::now_millis(),
    )
}

/// A protocol message about one of our messages of `chat`.
fn about_own(
    chat: &Jid,
    message_id: &str,
    kind: wa::message::protocol_message::Type,
) -> wa::message::ProtocolMessage {
    wa::message::ProtocolMessage {
        key: MessageField::some(wa::MessageKey {
            remote_jid: Some(chat.to_string()),
            from_me: Some(true),
            id: Some(message_id.to_owned()),
            participant: None,
        }),
        r#type: Some(kind),
        ..Default::default()
    }
}

/// An edit of one of our messages, in the wire shape the engine's
/// `edit_message` sends: a protocol message carrying the new content.
pub fn edit(chat: &Jid, message_id: &str, body: &str) -> wa::Message {
    use wa::message::protocol_message::Type;
    wa::Message {
        protocol_message: MessageField::some(wa::message::ProtocolMessage {
            edited_message: MessageField::some(text(body)),
            timestamp_ms: Some(whatsapp_rust::wacore::time::now_millis()),
            ..about_own(chat, message_id, Type::MESSAGE_EDIT)
        }),
        ..Default::default()
    }
}

/// Deleting one of our messages for everyone, as the engine's `revoke_message` does.
pub fn revoke(chat: &Jid, message_id: &str) -> wa::Message {
    use wa::message::protocol_message::Type;
    wa::Message {
        protocol_message: MessageField::some(about_own(chat, message_id, Type::REVOKE)),
        ..Default::default()
    }
}

/// A vote, encrypted with the poll's secret under the names of the poll's
/// creator and the voter, as the engine's `polls().vote` does.
pub fn vote(
    chat: &Jid,
    poll: &crate::whatsapp::PollRef,
    voter: &Jid,
    options: &[String],
) -> Result<wa::Message, WaError> {
    use whatsapp_rust::wacore::poll;
    let hashes: Vec<Vec<u8>> = options
        .iter()
        .map(|name| poll::compute_option_hash(name).to_vec())
        .collect();
    let (payload, iv) = poll::encrypt_poll_vote_with_secret(
        &hashes,
        &poll.secret,
        &poll.message_id,
        &poll.creator.to_string(),
        &voter.to_string(),
    )
    .map_err(|err| WaError::Session(format!("the vote could not be encrypted: {err}")))?;
    let from_me = poll.creator == *voter;
    Ok(wa::Message {
        poll_update_message: MessageField::some(wa::message::PollUpdateMessage {
            poll_creation_message_key: MessageField::some(key(
                chat,
                &poll.message_id,
                &poll.creator,
                from_me,
            )),
            vote: MessageField::some(wa::message::PollEncValue {
                enc_payload: Some(payload),
                enc_iv: Some(iv.to_vec()),
            }),
            sender_timestamp_ms: Some(whatsapp_rust::wacore::time::now_millis()),
            ..Default::default()
        }),
        ..Default::default()
    })
}

/// Opens a vote with the poll's secret: the options chosen, by name. Tries the
/// voter's other name too (LID or phone), as WhatsApp Web does.
pub fn open_vote(
    vote: &crate::whatsapp::EncryptedVote,
    secret: &[u8],
    poll_id: &str,
    creators: &[String],
    options: &[String],
) -> Option<Vec<String>> {
    use whatsapp_rust::wacore::poll::{PollVoteCiphertext, decrypt_poll_vote_with_secret};
    let ciphertext = PollVoteCiphertext {
        enc_payload: &vote.payload,
        enc_iv: &vote.iv,
    };
    let voters = std::iter::once(&vote.voter).chain(vote.voter_alt.as_ref());
    let hashes = voters
        .flat_map(|voter| creators.iter().map(move |creator| (creator, voter)))
        .find_map(|(creator, voter)| {
            decrypt_poll_vote_with_secret(ciphertext, secret, poll_id, creator, voter).ok()
        })?;
    Some(
        options
            .iter()
            .filter(|option| {
                let hash = whatsapp_rust::wacore::poll::compute_option_hash(option);
                hashes.iter().any(|chosen| chosen.as_slice() == hash)
            })
            .cloned()
            .collect(),
    )
}
