//! What changes an earlier message — reactions, edits, deletions for
//! everyone, poll votes — and what others are doing (typing, online): read as
//! changes and presence, never as messages of their own.

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::types::events::{ChatPresenceUpdate, Event, PresenceUpdate};
use whatsapp_rust::types::presence::{ChatPresence, ChatPresenceMedia};
use whatsapp_rust::waproto::whatsapp as wa;

use super::forwarded;
use super::messages::{entry, from_peer, pointing_key, protocol, text};
use crate::domain::phone::Jid;
use crate::whatsapp::{ChangeKind, MessageChange, PresenceState, WaEvent};

const PEER: &str = "79001234567";
const TARGET: &str = "3EB0BBBBBBBBBBBBBBBBBB";

async fn one_change(message: wa::Message) -> MessageChange {
    let events = forwarded(false, vec![entry(message, from_peer())]).await;
    match events.as_slice() {
        [WaEvent::Change(change)] => (**change).clone(),
        other => panic!("expected one change, got {other:?}"),
    }
}

fn with_key(kind: wa::message::protocol_message::Type, edited: Option<&str>) -> wa::Message {
    let mut message = protocol(kind);
    if let Some(protocol) = message.protocol_message.as_option_mut() {
        protocol.key = pointing_key().into();
        if let Some(body) = edited {
            protocol.edited_message = text(body).into();
        }
    }
    message
}

#[actix_web::test]
async fn a_reaction_names_its_target_sender_and_emoji() {
    let reaction = |emoji: &str| wa::Message {
        reaction_message: wa::message::ReactionMessage {
            key: pointing_key().into(),
            text: Some(emoji.into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let change = one_change(reaction("👍")).await;
    assert_eq!(change.target_id, TARGET);
    assert_eq!(change.chat, Jid::parse(PEER).unwrap());
    assert_eq!(change.from, Jid::parse(PEER).unwrap());
    assert!(!change.from_me);
    assert!(matches!(change.kind, ChangeKind::Reaction { ref emoji } if emoji == "👍"));
    let removed = one_change(reaction("")).await;
    assert!(matches!(removed.kind, ChangeKind::Reaction { ref emoji } if emoji.is_empty()));
}

#[actix_web::test]
async fn edits_plain_or_wrapped_carry_the_new_text() {
    use wa::message::protocol_message::Type;
    let edit = one_change(with_key(Type::MESSAGE_EDIT, Some("fixed"))).await;
    assert_eq!(edit.target_id, TARGET);
    assert!(matches!(edit.kind, ChangeKind::Edit { ref body } if body == "fixed"));
    // The storage form: the protocol message inside an `editedMessage` wrapper.
    let wrapped = wa::Message {
        edited_message: wa::message::FutureProofMessage {
            message: with_key(Type::MESSAGE_EDIT, Some("fixed again")).into(),
        }
        .into(),
        ..Default::default()
    };
    let edit = one_change(wrapped).await;
    assert!(matches!(edit.kind, ChangeKind::Edit { ref body } if body == "fixed again"));
}

#[actix_web::test]
async fn a_deletion_for_everyone_names_its_target() {
    use wa::message::protocol_message::Type;
    let revoke = one_change(with_key(Type::REVOKE, None)).await;
    assert_eq!(revoke.target_id, TARGET);
    assert!(matches!(revoke.kind, ChangeKind::Revoke));
}

#[actix_web::test]
async fn a_poll_vote_keeps_its_ciphertext_and_voter_for_opening() {
    let vote = wa::Message {
        poll_update_message: wa::message::PollUpdateMessage {
            poll_creation_message_key: pointing_key().into(),
            vote: wa::message::PollEncValue {
                enc_payload: Some(vec![1, 2, 3]),
                enc_iv: Some(vec![4; 12]),
            }
            .into(),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let change = one_change(vote).await;
    assert_eq!(change.target_id, TARGET);
    let ChangeKind::Vote(vote) = change.kind else {
        panic!("not a vote: {:?}", change.kind);
    };
    assert_eq!(
        (vote.payload, vote.iv, vote.voter.as_str()),
        (vec![1, 2, 3], vec![4; 12], "79001234567@s.whatsapp.net")
    );
}

#[actix_web::test]
async fn changes_without_a_target_and_wrapped_edits_without_one_are_nothing() {
    use wa::message::protocol_message::Type;
    for message in [
        protocol(Type::REVOKE),
        protocol(Type::MESSAGE_EDIT),
        wa::Message {
            edited_message: wa::message::FutureProofMessage {
                message: text("no key").into(),
            }
            .into(),
            ..Default::default()
        },
        wa::Message {
            poll_update_message: wa::message::PollUpdateMessage {
                poll_creation_message_key: pointing_key().into(),
                ..Default::default()
            }
            .into(),
            ..Default::default()
        },
    ] {
        let events = forwarded(false, vec![entry(message.clone(), from_peer())]).await;
        assert!(events.is_empty(), "{message:?} became {events:?}");
    }
}

#[actix_web::test]
async fn typing_recording_and_online_states_are_presence() {
    let typing = |state, media| {
        Event::ChatPresence(
            ChatPresenceUpdate::builder()
                .source(from_peer())
                .state(state)
                .media(media)
                .build(),
        )
    };
    let online = |unavailable| {
        Event::Presence(
            PresenceUpdate::builder()
                .from(WaJid::pn(PEER))
                .unavailable(unavailable)
                .build(),
        )
    };
    let events = forwarded(
        false,
        vec![
            typing(ChatPresence::Composing, ChatPresenceMedia::Text),
            typing(ChatPresence::Composing, ChatPresenceMedia::Audio),
            typing(ChatPresence::Paused, ChatPresenceMedia::Text),
            online(false),
            online(true),
        ],
    )
    .await;
    let peer = Jid::parse(PEER).unwrap();
    let states: Vec<_> = events
        .iter()
        .map(|event| match event {
            WaEvent::Presence { chat, from, state } => {
                assert_eq!((chat, from), (&peer, &peer));
                *state
            }
            other => panic!("not presence: {other:?}"),
        })
        .collect();
    assert_eq!(
        states,
        [
            PresenceState::Composing,
            PresenceState::Recording,
            PresenceState::Paused,
            PresenceState::Available,
            PresenceState::Unavailable
        ]
    );
}
