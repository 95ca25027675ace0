//! What a phone tells a companion it just linked, in peer messages (Signal-
//! encrypted, between devices of one account): the app-state keys, so the
//! companion need not wait for them, and a first history-sync chunk.

use anyhow::anyhow;
use whatsapp_rust::buffa::{Message as _, MessageField};
use whatsapp_rust::wacore::message_processing::EncType;
use whatsapp_rust::wacore::messages::MessageUtils;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::waproto::whatsapp::message::protocol_message::Type as ProtocolType;
use whatsapp_rust::{Client, Jid};

use crate::wire::{bytes_node, now_secs, stanza_id};

/// The app-state keys, then `history` (a history-sync notification).
pub async fn welcome(
    client: &Client,
    phone: &str,
    device: u16,
    history: wa::Message,
) -> anyhow::Result<()> {
    let companion = Jid::pn_device(phone, device);
    send_peer(client, &companion, &key_share()).await?;
    send_peer(client, &companion, &history).await
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

/// A message that is only a protocol message.
pub fn protocol(message: wa::message::ProtocolMessage) -> wa::Message {
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
