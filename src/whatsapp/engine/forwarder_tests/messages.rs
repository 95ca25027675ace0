//! `Event::Messages` entries as WhatsApp sends them: only what a person
//! wrote becomes a message; what points at other messages, and the
//! account's housekeeping, does not.

use std::sync::Arc;

use whatsapp_rust::types::events::{
    BatchOrigin, Event, InboundMessage, MessageBatch, PushNameUpdate, Receipt,
};
use whatsapp_rust::types::message::{MessageInfo, MessageSource};
use whatsapp_rust::types::presence::ReceiptType;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::{Jid as WaJid, Server};

use super::{forwarded, forwarded_with};
use crate::domain::phone::Jid;
use crate::whatsapp::{InboundMessage as Inbound, MediaKind, ReceiptStatus, WaEvent};

const PEER: &str = "79001234567";

pub(super) fn from_peer() -> MessageSource {
    MessageSource {
        chat: WaJid::pn(PEER),
        sender: WaJid::pn(PEER),
        ..Default::default()
    }
}

pub(super) fn entry(message: wa::Message, source: MessageSource) -> Event {
    let info = MessageInfo {
        source,
        id: "3EB0AAAAAAAAAAAAAAAAAA".into(),
        push_name: "Ivan".into(),
        ..Default::default()
    };
    let inbound = InboundMessage::builder()
        .message(Arc::new(message))
        .info(Arc::new(info))
        .build();
    Event::Messages(
        MessageBatch::builder()
            .messages(Arc::from(vec![inbound]))
            .origin(BatchOrigin::Live)
            .hook_committed(false)
            .build(),
    )
}

pub(super) fn text(body: &str) -> wa::Message {
    wa::Message {
        conversation: Some(body.into()),
        ..Default::default()
    }
}

pub(super) fn protocol(kind: wa::message::protocol_message::Type) -> wa::Message {
    wa::Message {
        protocol_message: wa::message::ProtocolMessage {
            r#type: Some(kind),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

pub(super) fn pointing_key() -> wa::MessageKey {
    wa::MessageKey {
        remote_jid: Some(format!("{PEER}@s.whatsapp.net")),
        id: Some("3EB0BBBBBBBBBBBBBBBBBB".into()),
        ..Default::default()
    }
}

fn messages_of(events: &[WaEvent]) -> Vec<Inbound> {
    events
        .iter()
        .filter_map(|event| match event {
            WaEvent::Message(message) => Some((**message).clone()),
            _ => None,
        })
        .collect()
}

pub(super) async fn one_message(message: wa::Message, source: MessageSource) -> Inbound {
    let events = forwarded(false, vec![entry(message, source)]).await;
    let messages = messages_of(&events);
    assert_eq!(messages.len(), 1, "{events:?}");
    messages.into_iter().next().unwrap()
}

pub(super) async fn nothing_from(message: wa::Message, source: MessageSource, what: &str) {
    let events = forwarded(false, vec![entry(message, source)]).await;
    assert!(events.is_empty(), "{what} became {events:?}");
}

#[actix_web::test]
async fn text_and_extended_text_are_messages() {
    let plain = one_message(text("hello"), from_peer()).await;
    assert_eq!(plain.body, "hello");
    assert_eq!(plain.chat, Jid::parse(PEER).unwrap());
    assert_eq!(plain.sender, plain.chat);
    assert_eq!(plain.push_name, "Ivan");
    assert!(!plain.from_me && plain.media.is_none());
    let extended = wa::Message {
        extended_text_message: wa::message::ExtendedTextMessage {
            text: Some("see https://example.com".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    assert_eq!(
        one_message(extended, from_peer()).await.body,
        "see https://example.com"
    );
}

#[actix_web::test]
async fn media_carries_its_kind_and_caption() {
    let image = wa::Message {
        image_message: wa::message::ImageMessage {
            mimetype: Some("image/jpeg".into()),
            caption: Some("look".into()),
            file_length: Some(1234),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let message = one_message(image, from_peer()).await;
    assert_eq!(message.body, "look");
    let media = message.media.unwrap();
    assert_eq!(media.kind, MediaKind::Image);
    assert_eq!((media.mimetype.as_str(), media.size), ("image/jpeg", 1234));
    // The download runs on the attempt's client; here there is none left.
    let fetched = media.fetch.expect("a download").take().await;
    assert_eq!(
        fetched.unwrap_err(),
        "the download failed: the session ended before the download"
    );
    let document = wa::Message {
        document_message: wa::message::DocumentMessage {
            mimetype: Some("application/pdf".into()),
            file_name: Some("offer.pdf".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let media = one_message(document, from_peer()).await.media.unwrap();
    assert_eq!(media.kind, MediaKind::Document);
    assert_eq!(media.filename.as_deref(), Some("offer.pdf"));
    let huge = wa::Message {
        video_message: wa::message::VideoMessage {
            mimetype: Some("video/mp4".into()),
            file_length: Some(super::MAX_MEDIA_BYTES + 1),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let media = one_message(huge, from_peer()).await.media.unwrap();
    let refused = media.fetch.expect("a download").take().await.unwrap_err();
    assert!(refused.contains("whatsapp.max_media_bytes"), "{refused}");
}

#[actix_web::test]
async fn the_accounts_own_housekeeping_is_not_a_message() {
    use wa::message::protocol_message::Type;
    let own = MessageSource {
        chat: WaJid::pn(PEER),
        sender: WaJid::pn(PEER),
        is_from_me: true,
        ..Default::default()
    };
    for kind in [
        Type::APP_STATE_SYNC_KEY_SHARE,
        Type::HISTORY_SYNC_NOTIFICATION,
    ] {
        nothing_from(protocol(kind), own.clone(), &format!("{kind:?}")).await;
    }
    let key_only = wa::Message {
        sender_key_distribution_message: wa::message::SenderKeyDistributionMessage {
            group_id: Some("120363000000000000@g.us".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    nothing_from(key_only, from_peer(), "a bare sender key").await;
}

#[actix_web::test]
async fn status_stories_are_dropped_unless_asked_for() {
    let story = || MessageSource {
        chat: WaJid::new("status", Server::Broadcast),
        sender: WaJid::pn(PEER),
        ..Default::default()
    };
    nothing_from(text("my day"), story(), "a status story").await;
    let events = forwarded_with(false, true, vec![entry(text("my day"), story())]).await;
    assert_eq!(
        messages_of(&events).len(),
        1,
        "status_updates = true keeps it"
    );
}

#[actix_web::test]
async fn a_group_message_names_the_group_and_its_sender() {
    let group = WaJid::new("120363000000000000", Server::Group);
    let source = MessageSource {
        chat: group,
        sender: WaJid::pn_device(PEER, 3),
        is_group: true,
        ..Default::default()
    };
    // Group messages often carry a sender key beside the text.
    let message = wa::Message {
        sender_key_distribution_message: wa::message::SenderKeyDistributionMessage {
            group_id: Some("120363000000000000@g.us".into()),
            ..Default::default()
        }
        .into(),
        conversation: Some("hi all".into()),
        ..Default::default()
    };
    let message = one_message(message, source).await;
    assert_eq!(message.chat.to_string(), "120363000000000000@g.us");
    assert_eq!(message.sender, Jid::parse(PEER).unwrap());
    assert_eq!(message.body, "hi all");
}

#[actix_web::test]
async fn a_lid_sender_is_named_by_the_phone_beside_it() {
    let source = MessageSource {
        chat: WaJid::lid("100000012345678"),
        sender: WaJid::lid("100000012345678"),
        sender_alt: Some(WaJid::pn(PEER)),
        ..Default::default()
    };
    let message = one_message(text("from a lid"), source).await;
    assert_eq!(message.sender, Jid::parse(PEER).unwrap());
    assert_eq!(message.chat, message.sender);
}

#[actix_web::test]
async fn push_name_updates_name_the_contact() {
    let info = MessageInfo {
        source: MessageSource {
            sender_alt: Some(WaJid::pn(PEER)),
            ..Default::default()
        },
        ..Default::default()
    };
    let update = PushNameUpdate::builder()
        .jid(WaJid::lid("100000012345678"))
        .message(Box::new(info))
        .old_push_name("Ivan".into())
        .new_push_name("Ivan P.".into())
        .build();
    let events = forwarded(false, vec![Event::PushNameUpdate(update)]).await;
    let [WaEvent::Contact(contact)] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(contact.jid, Jid::parse(PEER).unwrap());
    assert_eq!(
        (contact.name.as_str(), contact.is_group),
        ("Ivan P.", false)
    );
}

#[actix_web::test]
async fn receipts_map_delivered_read_and_played_and_nothing_else() {
    let receipt = |kind: ReceiptType| {
        Event::Receipt(
            Receipt::builder()
                .source(from_peer())
                .message_ids(vec!["3EB0AAAAAAAAAAAAAAAAAA".into()])
                .timestamp(chrono::Utc::now())
                .r#type(kind)
                .offline(false)
                .build(),
        )
    };
    let statuses = |events: Vec<WaEvent>| -> Vec<ReceiptStatus> {
        events
            .into_iter()
            .filter_map(|event| match event {
                WaEvent::Receipt { status, chat, .. } => {
                    assert_eq!(chat, Jid::parse(PEER).unwrap());
                    Some(status)
                }
                _ => None,
            })
            .collect()
    };
    let mapped = forwarded(
        false,
        vec![
            receipt(ReceiptType::Delivered),
            receipt(ReceiptType::Read),
            receipt(ReceiptType::Played),
        ],
    )
    .await;
    assert_eq!(
        statuses(mapped),
        [
            ReceiptStatus::Delivered,
            ReceiptStatus::Read,
            ReceiptStatus::Read
        ]
    );
    let others = forwarded(
        false,
        vec![
            receipt(ReceiptType::Sender),
            receipt(ReceiptType::Retry),
            receipt(ReceiptType::ReadSelf),
            receipt(ReceiptType::ServerError),
        ],
    )
    .await;
    assert!(others.is_empty(), "{others:?}");
}

#[actix_web::test]
async fn a_batch_the_durability_hook_kept_is_not_forwarded_again() {
    let Event::Messages(batch) = entry(text("kept"), from_peer()) else {
        unreachable!("entry builds a batch")
    };
    let kept = MessageBatch::builder()
        .messages(batch.messages.clone())
        .origin(BatchOrigin::Live)
        .hook_committed(true)
        .build();
    let events = forwarded(false, vec![Event::Messages(kept)]).await;
    assert!(events.is_empty(), "{events:?}");
}
