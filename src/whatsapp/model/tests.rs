//! Reading names: LIDs beside phone JIDs, and the groups listed on connecting.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use whatsapp_rust::Jid as WaJid;
use whatsapp_rust::types::message::{MessageInfo, MessageSource};

use super::inbound::{group_contacts, inbound};
use super::text;
use crate::domain::phone::Jid;

const LID: &str = "100000012345678";
const PHONE: &str = "79001234567";

fn from(sender: WaJid, sender_alt: Option<WaJid>) -> MessageInfo {
    MessageInfo {
        source: MessageSource {
            chat: sender.clone(),
            sender,
            sender_alt,
            ..Default::default()
        },
        id: "3EB0AAAAAAAAAAAAAAAAAA".into(),
        ..Default::default()
    }
}

#[test]
fn a_lid_sender_with_a_known_phone_is_the_phone_and_keeps_the_lid_beside() {
    let message = inbound(&text("hi"), &from(WaJid::lid(LID), Some(WaJid::pn(PHONE)))).unwrap();
    assert_eq!(message.sender, Jid::parse(PHONE).unwrap());
    assert_eq!(message.chat, Jid::parse(PHONE).unwrap());
    assert_eq!(
        message.sender_lid,
        Some(Jid::parse(&format!("{LID}@lid")).unwrap())
    );
}

#[test]
fn a_lid_sender_without_a_phone_is_named_by_the_lid() {
    let message = inbound(&text("hi"), &from(WaJid::lid(LID), None)).unwrap();
    let lid = Jid::parse(&format!("{LID}@lid")).unwrap();
    assert_eq!((&message.sender, &message.chat), (&lid, &lid));
    assert_eq!(message.sender_lid, Some(lid));
}

#[test]
fn a_phone_sender_has_no_lid_unless_one_travels_beside() {
    let plain = inbound(&text("hi"), &from(WaJid::pn(PHONE), None)).unwrap();
    assert_eq!(plain.sender_lid, None);
    let with_lid = inbound(&text("hi"), &from(WaJid::pn(PHONE), Some(WaJid::lid(LID)))).unwrap();
    assert_eq!(with_lid.sender, Jid::parse(PHONE).unwrap());
    assert_eq!(
        with_lid.sender_lid,
        Some(Jid::parse(&format!("{LID}@lid")).unwrap())
    );
}

#[test]
fn listed_groups_become_named_group_contacts() {
    let group: WaJid = "120363025246125486@g.us".parse().unwrap();
    let person = WaJid::pn(PHONE);
    let contacts = group_contacts([(&group, "Team"), (&person, "not a group")]);
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(contacts[0].jid.to_string(), "120363025246125486@g.us");
    assert_eq!(
        (contacts[0].name.as_str(), contacts[0].is_group),
        ("Team", true)
    );
}

#[test]
fn media_messages_carry_their_preview_and_playing_time() {
    use crate::whatsapp::{MediaKind, OutgoingMedia};
    let uploaded = super::Uploaded {
        url: "https://mmg.example/d".into(),
        direct_path: "/d".into(),
        media_key: [1; 32],
        file_enc_sha256: [2; 32],
        file_sha256: [3; 32],
        file_length: 4,
        media_key_timestamp: 1,
        streaming_sidecar: None,
    };
    let picture = OutgoingMedia {
        bytes: bytes::Bytes::from_static(b"jpeg"),
        mimetype: "image/jpeg".into(),
        filename: "p.jpg".into(),
        caption: Some("look".into()),
        kind: MediaKind::Image,
        thumbnail: Some(vec![0xFF, 0xD8]),
        dimensions: Some((640, 320)),
        seconds: None,
    };
    let message = super::media(uploaded.clone(), &picture);
    let image = message.image_message.as_option().unwrap();
    assert_eq!((image.width, image.height), (Some(640), Some(320)));
    assert_eq!(image.jpeg_thumbnail.as_deref(), Some(&[0xFF, 0xD8][..]));
    assert_eq!(image.caption.as_deref(), Some("look"));
    assert_eq!(image.media_key.as_deref(), Some(&[1; 32][..]));
    let clip = OutgoingMedia {
        kind: MediaKind::Video,
        mimetype: "video/mp4".into(),
        seconds: Some(12),
        ..picture
    };
    let message = super::media(uploaded, &clip);
    assert_eq!(message.video_message.as_option().unwrap().seconds, Some(12));
}
