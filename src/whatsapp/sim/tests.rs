//! The simulated network carries WhatsApp's own values: messages built by the
//! code the engine sends with, media encrypted and downloaded by the engine's
//! own code, arrivals read by the reader the engine's forwarder uses.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;
use whatsapp_rust::download::{DownloadUtils, MediaType};
use whatsapp_rust::waproto::whatsapp as wa;

use super::delivery::delivery;
use super::media_server::MediaServer;
use crate::domain::phone::Jid;
use crate::whatsapp::model::{self, Reader, Reading};
use crate::whatsapp::test_events::{Collect, settled};
use crate::whatsapp::{EventSink, MediaKind, OutgoingMedia, WaEvent};

fn reader(server: &Arc<MediaServer>) -> (Reader, Arc<Mutex<Vec<WaEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = EventSink::new(Collect(seen.clone()).start().recipient(), 1);
    let reading = Reading {
        status_updates: false,
        max_media_bytes: 1 << 20,
        download_timeout: Duration::from_secs(5),
        history_sync: false,
    };
    (Reader::new(sink, reading, server.downloads()), seen)
}

fn picture() -> OutgoingMedia {
    OutgoingMedia {
        bytes: bytes::Bytes::from_static(b"\x89PNG not really a picture"),
        mimetype: "image/png".into(),
        filename: "p.png".into(),
        caption: Some("look".into()),
        kind: MediaKind::Image,
        thumbnail: None,
        dimensions: None,
        seconds: None,
    }
}

#[actix_web::test]
async fn media_travels_encrypted_and_is_decrypted_by_the_engines_downloader() {
    let server = Arc::new(MediaServer::default());
    let media = picture();
    let uploaded = server
        .clone()
        .upload(media.bytes.clone(), MediaKind::Image)
        .await
        .unwrap();
    let message = model::media(uploaded.clone(), &media);

    // What the servers hold is the engine's ciphertext, not the file.
    let image = message.image_message.as_option().unwrap();
    assert_eq!(
        image.direct_path.as_deref(),
        Some(uploaded.direct_path.as_str())
    );
    assert_eq!(image.file_length, Some(media.bytes.len() as u64));
    let stored = server.get(&uploaded.direct_path).unwrap();
    assert_ne!(stored.as_slice(), media.bytes.as_ref());
    let decrypted =
        DownloadUtils::verify_and_decrypt(&stored, &uploaded.media_key, MediaType::Image).unwrap();
    assert_eq!(decrypted, media.bytes.as_ref());

    // The recipient reads the arrival as the engine's forwarder does, and its
    // download goes through the engine's MediaDownloader.
    let (reader, seen) = reader(&server);
    let from = Jid::parse("79001234567").unwrap();
    assert!(
        reader.read(&delivery("3EB0AAAAAAAAAAAAAAAAAA", &from, "Ivan", message, None).unwrap())
    );
    let events = settled(&seen, 1).await;
    let [WaEvent::Message(received)] = events.as_slice() else {
        panic!("one message expected: {events:?}");
    };
    assert_eq!(
        (
            received.id.as_str(),
            received.body.as_str(),
            received.push_name.as_str()
        ),
        ("3EB0AAAAAAAAAAAAAAAAAA", "look", "Ivan")
    );
    assert_eq!((&received.chat, &received.sender), (&from, &from));
    let info = received.media.as_ref().unwrap();
    assert_eq!(
        (info.kind, info.mimetype.as_str()),
        (MediaKind::Image, "image/png")
    );
    let bytes = info.fetch.as_ref().unwrap().take().await.unwrap();
    assert_eq!(bytes, media.bytes);
}

#[actix_web::test]
async fn an_audio_caption_travels_with_the_file_as_a_document() {
    let server = Arc::new(MediaServer::default());
    let mut media = picture();
    media.kind = MediaKind::Audio;
    media.mimetype = "audio/ogg".into();
    media.filename = "note.ogg".into();
    let kind = model::sent_kind(&media);
    let uploaded = server
        .clone()
        .upload(media.bytes.clone(), kind)
        .await
        .unwrap();
    let message = model::media(uploaded, &media);
    let (reader, seen) = reader(&server);
    let from = Jid::parse("79001234567").unwrap();
    reader.read(&delivery("3EB0AAAAAAAAAAAAAAAAAB", &from, "Ivan", message, None).unwrap());
    let events = settled(&seen, 1).await;
    let [WaEvent::Message(received)] = events.as_slice() else {
        panic!("one message expected: {events:?}");
    };
    assert_eq!(received.body, "look");
    let info = received.media.as_ref().unwrap();
    assert_eq!(
        (info.kind, info.filename.as_deref()),
        (MediaKind::Document, Some("note.ogg"))
    );
    assert_eq!(
        info.fetch.as_ref().unwrap().take().await.unwrap(),
        media.bytes
    );
}

#[actix_web::test]
async fn what_the_engine_ignores_the_simulated_network_ignores() {
    let server = Arc::new(MediaServer::default());
    let (reader, seen) = reader(&server);
    let from = Jid::parse("79001234567").unwrap();
    let reaction = wa::Message {
        reaction_message: wa::message::ReactionMessage {
            text: Some("👍".into()),
            ..Default::default()
        }
        .into(),
        ..Default::default()
    };
    reader.read(&delivery("3EB0AAAAAAAAAAAAAAAAAC", &from, "Ivan", reaction, None).unwrap());
    reader.read(
        &delivery(
            "3EB0AAAAAAAAAAAAAAAAAD",
            &from,
            "Ivan",
            model::text("hi"),
            None,
        )
        .unwrap(),
    );
    let events = settled(&seen, 1).await;
    let [WaEvent::Message(text)] = events.as_slice() else {
        panic!("only the text is a message: {events:?}");
    };
    assert_eq!(text.body, "hi");
}
