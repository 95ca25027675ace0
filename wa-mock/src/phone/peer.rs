//! What a phone tells a companion it just linked, in peer messages (Signal-
//! encrypted, between devices of one account): the app-state keys, so the
//! companion need not wait for them, and a first history-sync chunk, uploaded
//! through the media store as WhatsApp's phones do.

use std::io::Write as _;

use anyhow::anyhow;
use flate2::Compression;
use flate2::write::ZlibEncoder;
use whatsapp_rust::buffa::{Message as _, MessageField};
use whatsapp_rust::wacore::download::MediaType;
use whatsapp_rust::wacore::message_processing::EncType;
use whatsapp_rust::wacore::messages::MessageUtils;
use whatsapp_rust::wacore::upload::encrypt_media;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::waproto::whatsapp::message::protocol_message::Type as ProtocolType;
use whatsapp_rust::{Client, Jid};

use crate::wire::{bytes_node, now_secs};
use crate::world::{Naming, World, stanza_id};

pub async fn welcome(
    world: &World,
    client: &Client,
    phone: &str,
    device: u16,
) -> anyhow::Result<()> {
    let companion = Jid::pn_device(phone, device);
    send_peer(client, &companion, &key_share()).await?;
    let notification = history_chunk(world, phone)?;
    send_peer(client, &companion, &notification).await
}

/// One app-state sync key, as the phone shares it with each new companion.
fn key_share() -> wa::Message {
    let key = wa::message::AppStateSyncKey {
        key_id: MessageField::some(wa::message::AppStateSyncKeyId {
            key_id: Some(rand::random::<[u8; 6]>().to_vec()),
        }),
        key_data: MessageField::some(wa::message::AppStateSyncKeyData {
            key_data: Some(rand::random::<[u8; 32]>().to_vec()),
            fingerprint: MessageField::some(Default::default()),
            timestamp: Some(i64::try_from(now_secs()).unwrap_or_default() * 1000),
        }),
    };
    protocol(wa::message::ProtocolMessage {
        r#type: Some(ProtocolType::APP_STATE_SYNC_KEY_SHARE),
        app_state_sync_key_share: MessageField::some(wa::message::AppStateSyncKeyShare {
            keys: vec![key],
        }),
        ..Default::default()
    })
}

/// The first history chunk: the account's name and the phone numbers and LIDs
/// of its contacts (the mock keeps no old messages), encrypted into the media store.
fn history_chunk(world: &World, phone: &str) -> anyhow::Result<wa::Message> {
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

fn protocol(message: wa::message::ProtocolMessage) -> wa::Message {
    wa::Message {
        protocol_message: MessageField::some(message),
        ..Default::default()
    }
}

/// Encrypts `message` for one device of the phone's own account and sends it as
/// a peer message, as the client itself does for its key requests.
async fn send_peer(client: &Client, to: &Jid, message: &wa::Message) -> anyhow::Result<()> {
    let signal = client.signal();
    signal.assert_sessions(std::slice::from_ref(to)).await?;
    let plaintext = MessageUtils::encode_and_pad(message);
    let (kind, ciphertext) = signal.encrypt_message(to, &plaintext).await?;
    let mut children = vec![
        NodeBuilder::new("meta").attr("appdata", "default").build(),
        NodeBuilder::new("enc")
            .attr("v", "2")
            .attr("type", kind.as_wire_str())
            .bytes(ciphertext)
            .build(),
    ];
    if matches!(kind, EncType::PreKeyMessage) {
        let account = client
            .persistence_manager()
            .get_device_snapshot()
            .account
            .clone()
            .ok_or_else(|| anyhow!("the phone has no signed identity"))?;
        children.push(bytes_node("device-identity", account.encode_to_vec()));
    }
    let stanza = NodeBuilder::new("message")
        .attr("to", to.clone())
        .attr("id", stanza_id())
        .attr("type", "text")
        .attr("category", "peer")
        .attr("push_priority", "high")
        .children(children)
        .build();
    client.send_node(stanza).await?;
    Ok(())
}
