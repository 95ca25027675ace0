//! Each kind of message a person sends is stored as that kind, with the words
//! it carries; contact updates name the contact.

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::types::events::{ContactUpdate, Event};
use whatsapp_rust::waproto::whatsapp as wa;

use super::forwarded;
use super::messages::{from_peer, one_message};
use crate::db::messages::MessageType;
use crate::domain::phone::Jid;
use crate::whatsapp::{MediaKind, WaEvent};

fn audio(ptt: bool) -> wa::Message {
    wa::Message {
        audio_message: wa::message::AudioMessage {
            mimetype: Some("audio/ogg; codecs=opus".into()),
            file_length: Some(10),
            ptt: Some(ptt),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

#[actix_web::test]
async fn audio_and_voice_notes_are_told_apart() {
    let audio_file = one_message(audio(false), from_peer()).await;
    assert_eq!(audio_file.message_type, MessageType::Audio);
    assert_eq!(audio_file.media.unwrap().kind, MediaKind::Audio);
    let voice = one_message(audio(true), from_peer()).await;
    assert_eq!(voice.message_type, MessageType::Voice);
    assert_eq!(voice.media.unwrap().kind, MediaKind::Voice);
}

#[actix_web::test]
async fn a_sticker_is_a_sticker_with_its_picture() {
    let sticker = wa::Message {
        sticker_message: wa::message::StickerMessage {
            mimetype: Some("image/webp".into()),
            file_length: Some(20),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let message = one_message(sticker, from_peer()).await;
    assert_eq!(
        (message.message_type, message.body.as_str()),
        (MessageType::Sticker, "")
    );
    let media = message.media.unwrap();
    assert_eq!(
        (media.kind, media.mimetype.as_str()),
        (MediaKind::Sticker, "image/webp")
    );
}

#[actix_web::test]
async fn a_location_says_where() {
    let location = wa::Message {
        location_message: wa::message::LocationMessage {
            degrees_latitude: Some(55.75),
            degrees_longitude: Some(37.62),
            name: Some("Red Square".into()),
            address: Some("Moscow".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let message = one_message(location, from_peer()).await;
    assert_eq!(message.message_type, MessageType::Location);
    assert_eq!(message.body, "Red Square, Moscow (55.75, 37.62)");
    assert!(message.media.is_none());
}

#[actix_web::test]
async fn contact_cards_name_their_people() {
    let card = |name: &str| wa::message::ContactMessage {
        display_name: Some(name.into()),
        vcard: Some(format!("BEGIN:VCARD\nFN:{name}\nEND:VCARD")),
        ..Default::default()
    };
    let one = wa::Message {
        contact_message: card("Ivan Ivanov").into(),
        ..Default::default()
    };
    let message = one_message(one, from_peer()).await;
    assert_eq!(
        (message.message_type, message.body.as_str()),
        (MessageType::Contact, "Ivan Ivanov")
    );
    let several = wa::Message {
        contacts_array_message: wa::message::ContactsArrayMessage {
            contacts: vec![card("Ivan"), card("Olga")],
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let message = one_message(several, from_peer()).await;
    assert_eq!(
        (message.message_type, message.body.as_str()),
        (MessageType::Contact, "Ivan, Olga")
    );
}

#[actix_web::test]
async fn a_poll_asks_its_question() {
    let poll = wa::Message {
        poll_creation_message_v3: wa::message::PollCreationMessage {
            name: Some("Lunch?".into()),
            selectable_options_count: Some(1),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    let message = one_message(poll, from_peer()).await;
    assert_eq!(
        (message.message_type, message.body.as_str()),
        (MessageType::Poll, "Lunch?")
    );
}

#[actix_web::test]
async fn a_contact_update_names_the_contact_by_phone() {
    let update = ContactUpdate::builder()
        .jid(WaJid::lid("100000012345678"))
        .timestamp(chrono::Utc::now())
        .action(Box::new(wa::sync_action_value::ContactAction {
            full_name: Some("Ivan Ivanov".into()),
            first_name: Some("Ivan".into()),
            pn_jid: Some("79001234567@s.whatsapp.net".into()),
            ..Default::default()
        }))
        .from_full_sync(false)
        .build();
    let events = forwarded(false, vec![Event::ContactUpdate(update)]).await;
    let [WaEvent::Contact(contact)] = events.as_slice() else {
        panic!("one contact expected: {events:?}");
    };
    assert_eq!(contact.jid, Jid::parse("79001234567").unwrap());
    assert_eq!(
        (contact.name.as_str(), contact.is_group),
        ("Ivan Ivanov", false)
    );
}

#[actix_web::test]
async fn a_receipt_from_a_chat_named_by_lid_names_the_phone_beside_it() {
    use whatsapp_rust::types::events::Receipt;
    use whatsapp_rust::types::message::MessageSource;
    use whatsapp_rust::types::presence::ReceiptType;

    use crate::whatsapp::ReceiptStatus;
    let receipt = |sender_alt: Option<WaJid>| {
        Event::Receipt(
            Receipt::builder()
                .source(MessageSource {
                    chat: WaJid::lid("100000012345678"),
                    sender: WaJid::lid("100000012345678"),
                    sender_alt,
                    ..Default::default()
                })
                .message_ids(vec!["3EB0AAAAAAAAAAAAAAAAAA".into()])
                .timestamp(chrono::Utc::now())
                .r#type(ReceiptType::Read)
                .offline(false)
                .build(),
        )
    };
    let events = forwarded(
        false,
        vec![receipt(Some(WaJid::pn("79001234567"))), receipt(None)],
    )
    .await;
    let chats: Vec<String> = events
        .iter()
        .map(|event| match event {
            WaEvent::Receipt { chat, status, .. } => {
                assert_eq!(*status, ReceiptStatus::Read);
                chat.to_string()
            }
            other => panic!("a receipt expected: {other:?}"),
        })
        .collect();
    assert_eq!(chats, ["79001234567@s.whatsapp.net", "100000012345678@lid"]);
}
