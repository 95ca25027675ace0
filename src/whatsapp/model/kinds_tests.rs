//! Every kind the model builds reads back as what was sent, through the same
//! reading code the engine's received messages go through; every change it
//! builds reads back as that change; a vote opens with its poll's secret only.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::waproto::whatsapp as wa;

use super::changes::change;
use super::inbound::inbound;
use super::{Uploaded, build, edit, key, open_vote, reaction, revoke, vote};
use crate::db::messages::MessageType;
use crate::domain::kinds::{ContactCard, Location, PollSpec};
use crate::domain::phone::Jid;
use crate::whatsapp::{
    ChangeKind, InboundMessage, MediaKind, NewPoll, Outbound, OutgoingMedia, PollRef, Quote,
};

const ALICE: &str = "79001111111";
const BOB: &str = "79002222222";

fn jid(phone: &str) -> Jid {
    Jid::parse(phone).unwrap()
}

/// As Bob's phone receives what Alice sent.
fn received(message: &wa::Message) -> InboundMessage {
    inbound(message, &info()).unwrap()
}

fn info() -> MessageInfo {
    MessageInfo {
        source: MessageSource {
            chat: WaJid::pn(ALICE),
            sender: WaJid::pn(ALICE),
            ..Default::default()
        },
        id: "3EB0CCCCCCCCCCCCCCCCCC".into(),
        ..Default::default()
    }
}

fn quote() -> Quote {
    Quote {
        message_id: "3EB0QUOTEDQUOTEDQUOTED".into(),
        sender: jid(BOB),
        body: "lunch?".into(),
    }
}

#[test]
fn a_reply_with_mentions_names_the_quoted_message_and_the_people() {
    let sent = build(
        &Outbound::Text {
            text: "@79002222222 yes".into(),
            quote: Some(quote()),
            mentions: vec![jid(BOB)],
        },
        None,
    )
    .unwrap();
    let context = sent
        .extended_text_message
        .as_option()
        .and_then(|m| m.context_info.as_option())
        .unwrap();
    assert_eq!(
        context.participant.as_deref(),
        Some("79002222222@s.whatsapp.net")
    );
    assert!(context.quoted_message.is_set());
    let message = received(&sent);
    assert_eq!(message.body, "@79002222222 yes");
    assert_eq!(
        message.quoted_message_id.as_deref(),
        Some("3EB0QUOTEDQUOTEDQUOTED")
    );
    assert_eq!(message.details.mentions, ["79002222222@s.whatsapp.net"]);
    // A plain text stays the plain `conversation` WhatsApp's clients send.
    let plain = build(
        &Outbound::Text {
            text: "hi".into(),
            quote: None,
            mentions: vec![],
        },
        None,
    )
    .unwrap();
    assert_eq!(plain.conversation.as_deref(), Some("hi"));
}

#[test]
fn a_place_contact_cards_and_a_poll_read_back_as_sent() {
    let place = Location {
        latitude: 55.7539,
        longitude: 37.6208,
        name: Some("Red Square".into()),
        address: Some("Moscow".into()),
    };
    let message = received(&build(&Outbound::Location(place.clone()), None).unwrap());
    assert_eq!(message.message_type, MessageType::Location);
    assert_eq!(message.details.location, Some(place));
    assert_eq!(message.body, "Red Square, Moscow (55.7539, 37.6208)");

    let cards = vec![
        ContactCard {
            name: "Ivan Ivanov".into(),
            phone: "79001234567".into(),
        },
        ContactCard {
            name: "Anna".into(),
            phone: "79007654321".into(),
        },
    ];
    for cards in [cards[..1].to_vec(), cards.clone()] {
        let message = received(&build(&Outbound::Contacts(cards.clone()), None).unwrap());
        assert_eq!(message.message_type, MessageType::Contact);
        assert_eq!(message.details.contacts, cards);
    }

    for selectable_count in [1, 2] {
        let poll = NewPoll {
            question: "Lunch?".into(),
            options: vec!["Yes".into(), "No".into()],
            selectable_count,
            secret: [7; 32],
        };
        let message = received(&build(&Outbound::Poll(poll), None).unwrap());
        assert_eq!(message.message_type, MessageType::Poll);
        assert_eq!(
            message.details.poll,
            Some(PollSpec {
                question: "Lunch?".into(),
                selectable_count,
                options: vec!["Yes".into(), "No".into()],
            })
        );
        assert_eq!(message.message_secret, Some(vec![7; 32]));
    }
}

#[test]
fn voice_notes_and_stickers_go_as_such_and_a_media_reply_quotes() {
    let uploaded = || Uploaded {
        url: "https://mmg.example/x".into(),
        direct_path: "/x".into(),
        media_key: [1; 32],
        file_enc_sha256: [2; 32],
        file_sha256: [3; 32],
        file_length: 3,
        media_key_timestamp: 0,
        streaming_sidecar: None,
    };
    let file = |kind, mimetype: &str| OutgoingMedia {
        bytes: bytes::Bytes::from_static(b"abc"),
        mimetype: mimetype.into(),
        filename: "f".into(),
        caption: None,
        kind,
        thumbnail: None,
        dimensions: None,
        seconds: Some(4),
    };
    let voice = build(
        &Outbound::Media {
            media: file(MediaKind::Voice, "audio/ogg; codecs=opus"),
            quote: Some(quote()),
        },
        Some(uploaded()),
    )
    .unwrap();
    assert_eq!(voice.audio_message.as_option().unwrap().ptt, Some(true));
    let message = received(&voice);
    assert_eq!(message.message_type, MessageType::Voice);
    assert_eq!(message.media.unwrap().kind, MediaKind::Voice);
    assert_eq!(
        message.quoted_message_id.as_deref(),
        Some("3EB0QUOTEDQUOTEDQUOTED")
    );
    let sticker = build(
        &Outbound::Media {
            media: file(MediaKind::Sticker, "image/webp"),
            quote: None,
        },
        Some(uploaded()),
    )
    .unwrap();
    assert_eq!(received(&sticker).message_type, MessageType::Sticker);
    // Media needs its upload.
    assert!(
        build(
            &Outbound::Media {
                media: file(MediaKind::Voice, "audio/ogg"),
                quote: None
            },
            None
        )
        .is_err()
    );
}

#[test]
fn reactions_edits_and_deletions_read_back_as_the_changes_they_are() {
    let chat = jid(BOB);
    let target = "3EB0TARGETTARGETTARGET";
    let changed = |message: wa::Message| change(&message, &info()).unwrap().unwrap();
    let reacted = changed(reaction(key(&chat, target, &jid(BOB), false), "❤️"));
    assert_eq!(reacted.target_id, target);
    assert!(matches!(reacted.kind, ChangeKind::Reaction { ref emoji } if emoji == "❤️"));
    let edited = changed(edit(&chat, target, "new words"));
    assert!(matches!(edited.kind, ChangeKind::Edit { ref body } if body == "new words"));
    let revoked = changed(revoke(&chat, target));
    assert!(matches!(revoked.kind, ChangeKind::Revoke));
    assert_eq!(revoked.target_id, target);
}

#[test]
fn a_vote_opens_with_its_polls_secret_and_names_the_options_chosen() {
    let options: Vec<String> = vec!["Yes".into(), "No".into(), "Maybe".into()];
    let poll = PollRef {
        message_id: "3EB0POLLPOLLPOLLPOLLPO".into(),
        creator: jid(BOB),
        secret: vec![9; 32],
    };
    let voter = jid(ALICE);
    let ballot = vote(&jid(BOB), &poll, &voter, &["No".into(), "Maybe".into()]).unwrap();
    let read = change(&ballot, &info()).unwrap().unwrap();
    assert_eq!(read.target_id, poll.message_id);
    let ChangeKind::Vote(encrypted) = read.kind else {
        panic!("not a vote");
    };
    let creators = [poll.creator.to_string()];
    assert_eq!(
        open_vote(
            &encrypted,
            &poll.secret,
            &poll.message_id,
            &creators,
            &options
        ),
        Some(vec!["No".to_owned(), "Maybe".to_owned()])
    );
    assert_eq!(
        open_vote(&encrypted, &[8; 32], &poll.message_id, &creators, &options),
        None,
        "another secret must not open it"
    );
    let someone_else = ["79003333333@s.whatsapp.net".to_owned()];
    assert_eq!(
        open_vote(
            &encrypted,
            &poll.secret,
            &poll.message_id,
            &someone_else,
            &options
        ),
        None,
        "the vote is bound to its poll's creator"
    );
}
