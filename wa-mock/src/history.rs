//! The history a phone gives a device it just linked: a first chunk with the
//! account's name and the phone numbers and LIDs of its contacts (the mock keeps
//! no old messages), compressed and encrypted into the media store as WhatsApp's
//! phones upload theirs; the device downloads it from there.

use std::io::Write as _;

use anyhow::anyhow;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use whatsapp_rust::buffa::{Message as _, MessageField};
use whatsapp_rust::wacore::download::MediaType;
use whatsapp_rust::wacore::upload::encrypt_media;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::waproto::whatsapp::message::protocol_message::Type as ProtocolType;

use crate::phone::protocol;
use crate::world::{Naming, World};

/// The first history chunk: the account's name and the phone numbers and LIDs
/// of its contacts (the mock keeps no old messages), encrypted into the media store.
pub fn first_chunk(world: &World, phone: &str) -> anyhow::Result<wa::Message> {
    let history = {
        let state = world.state();
        let account = state
            .accounts
            .get(phone)
            .ok_or_else(|| anyhow!("no account {phone}"))?;
        let mut people = vec![account];
        people.extend(
            account
                .contacts
                .iter()
                .filter_map(|c| state.accounts.get(c)),
        );
        wa::HistorySync {
            sync_type: wa::history_sync::HistorySyncType::INITIAL_BOOTSTRAP,
            pushnames: people
                .iter()
                .map(|person| wa::Pushname {
                    id: Some(person.user_jid(Naming::Phone).to_string()),
                    pushname: Some(person.push_name.clone()),
                })
                .collect(),
            phone_number_to_lid_mappings: people
                .iter()
                .map(|person| wa::PhoneNumberToLIDMapping {
                    pn_jid: Some(person.user_jid(Naming::Phone).to_string()),
                    lid_jid: Some(person.user_jid(Naming::Lid).to_string()),
                })
                .collect(),
            chunk_order: Some(1),
            progress: Some(100),
            ..Default::default()
        }
    };
    let mut zlib = ZlibEncoder::new(Vec::new(), Compression::default());
    zlib.write_all(&history.encode_to_vec())?;
    let compressed = zlib.finish()?;
    let encrypted = encrypt_media(&compressed, MediaType::History)?;
    let direct_path = world.media.put(encrypted.data_to_upload);
    Ok(protocol(wa::message::ProtocolMessage {
        r#type: Some(ProtocolType::HISTORY_SYNC_NOTIFICATION),
        history_sync_notification: MessageField::some(wa::message::HistorySyncNotification {
            file_sha256: Some(encrypted.file_sha256.to_vec()),
            file_length: Some(compressed.len() as u64),
            media_key: Some(encrypted.media_key.to_vec()),
            file_enc_sha256: Some(encrypted.file_enc_sha256.to_vec()),
            direct_path: Some(direct_path),
            sync_type: Some(wa::message::HistorySyncType::INITIAL_BOOTSTRAP),
            chunk_order: Some(1),
            progress: Some(100),
            ..Default::default()
        }),
        ..Default::default()
    }))
}
