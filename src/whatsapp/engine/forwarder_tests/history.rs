//! A history sync as WhatsApp sends it to a newly linked device: imported when
//! `whatsapp.history_sync` is on, each entry read like a live one.

use std::io::Write;

use whatsapp_rust::types::events::{Event, LazyHistorySync};
use whatsapp_rust::waproto::buffa::Message as _;
use whatsapp_rust::waproto::whatsapp as wa;

use super::forwarded_with_history;
use crate::db::messages::MessageType;
use crate::domain::phone::Jid;
use crate::whatsapp::WaEvent;
use crate::whatsapp::model::MAX_MESSAGES_PER_CHAT;

const PEER: &str = "79001234567@s.whatsapp.net";
const GROUP: &str = "120363025246125486@g.us";

fn entry(chat: &str, id: &str, at: u64, message: wa::Message) -> wa::HistorySyncMsg {
    wa::HistorySyncMsg {
        message: wa::WebMessageInfo {
            key: wa::MessageKey {
                remote_jid: Some(chat.into()),
                from_me: Some(false),
                id: Some(id.into()),
                participant: chat
                    .ends_with("@g.us")
                    .then(|| "79005554433@s.whatsapp.net".into()),
            }
            .into(),
            message: message.into(),
            message_timestamp: Some(at),
            push_name: Some("Ivan".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

fn text(body: &str) -> wa::Message {
    wa::Message {
        conversation: Some(body.into()),
        ..Default::default()
    }
}

fn reaction() -> wa::Message {
    wa::Message {
        reaction_message: wa::message::ReactionMessage {
            text: Some("👍".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

fn image() -> wa::Message {
    wa::Message {
        image_message: wa::message::ImageMessage {
            mimetype: Some("image/jpeg".into()),
            file_length: Some(100),
            caption: Some("old photo".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    }
}

/// The sync as the engine hands it over: the encoded proto, zlib-compressed.
fn chunk(sync: &wa::HistorySync) -> Event {
    let encoded = sync.encode_to_vec();
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    zlib.write_all(&encoded).unwrap();
    let compressed = zlib.finish().unwrap();
    Event::HistorySync(Box::new(LazyHistorySync::new(
        compressed.into(),
        encoded.len(),
        0,
        None,
        None,
    )))
}

fn sync() -> wa::HistorySync {
    let mut busy: Vec<wa::HistorySyncMsg> = (0..MAX_MESSAGES_PER_CHAT as u64 + 5)
        .map(|n| {
            entry(
                GROUP,
                &format!("3EB0G{n:017}"),
                1_000 + n,
                text(&format!("g{n}")),
            )
        })
        .collect();
    busy.reverse();
    wa::HistorySync {
        conversations: vec![
            wa::Conversation {
                id: PEER.into(),
                messages: vec![
                    entry(PEER, "3EB0A00000000000000001", 1_700_000_000, text("hello")),
                    entry(PEER, "3EB0A00000000000000002", 1_700_000_010, reaction()),
                    entry(PEER, "3EB0A00000000000000003", 1_700_000_020, image()),
                ],
                ..Default::default()
            },
            wa::Conversation {
                id: GROUP.into(),
                name: Some("Team".into()),
                messages: busy,
                ..Default::default()
            },
        ],
        pushnames: vec![wa::Pushname {
            id: Some("79005554433@s.whatsapp.net".into()),
            pushname: Some("Olga".into()),
        }],
        ..Default::default()
    }
}

#[actix_web::test]
async fn a_history_sync_is_imported_as_messages_and_names() {
    let events = forwarded_with_history(true, vec![chunk(&sync())]).await;
    let [WaEvent::History(history)] = events.as_slice() else {
        panic!("one history expected: {events:?}");
    };
    let peer = Jid::parse(PEER).unwrap();
    let group = Jid::parse(GROUP).unwrap();
    let with_peer: Vec<_> = history.messages.iter().filter(|m| m.chat == peer).collect();
    // The reaction points at a message; it is not one.
    assert_eq!(with_peer.len(), 2, "{with_peer:?}");
    let hello = with_peer.iter().find(|m| m.body == "hello").unwrap();
    assert_eq!(
        (hello.timestamp, hello.sender.clone()),
        (1_700_000_000, peer.clone())
    );
    let photo = with_peer.iter().find(|m| m.body == "old photo").unwrap();
    assert_eq!(photo.message_type, MessageType::Image);
    let media = photo.media.as_ref().unwrap();
    assert!(media.fetch.is_none(), "imported media is not downloaded");

    let in_group: Vec<_> = history
        .messages
        .iter()
        .filter(|m| m.chat == group)
        .collect();
    assert_eq!(in_group.len(), MAX_MESSAGES_PER_CHAT);
    let oldest_kept = in_group.iter().map(|m| m.timestamp).min().unwrap();
    assert_eq!(oldest_kept, 1_005, "the newest are kept");
    assert_eq!(in_group[0].sender, Jid::parse("79005554433").unwrap());

    let names: Vec<(String, &str, bool)> = history
        .contacts
        .iter()
        .map(|c| (c.jid.to_string(), c.name.as_str(), c.is_group))
        .collect();
    assert!(names.contains(&(GROUP.into(), "Team", true)), "{names:?}");
    assert!(
        names.contains(&("79005554433@s.whatsapp.net".into(), "Olga", false)),
        "{names:?}"
    );
}

#[actix_web::test]
async fn with_history_sync_off_a_chunk_imports_nothing() {
    let events = forwarded_with_history(false, vec![chunk(&sync())]).await;
    assert!(events.is_empty(), "{events:?}");
}
