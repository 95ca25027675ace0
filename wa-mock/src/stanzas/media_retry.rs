//! `<receipt type="server-error">` with `<rmr>`: a linked device could not
//! download a message's media (the servers answered 404), so it asks the
//! account's phone to upload the file again. The phone opens the request with
//! the message's media key, uploads the blob it still has, and the server
//! answers the device with `<notification type="mediaretry">`: the new direct
//! path, encrypted under the same key — or an error code when it cannot.

use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore::crypto::hkdf_sha256_into;
use whatsapp_rust::wacore::libsignal::crypto::aes_256_gcm_encrypt;
use whatsapp_rust::wacore::media_retry::decrypt_media_retry_notification;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::{Node, NodeContent};
use whatsapp_rust::waproto::whatsapp as wa;

use super::Origin;
use crate::wire::{NodeExt, now_secs};
use crate::world::Naming;

const KEY_INFO: &[u8] = b"WhatsApp Media Retry Notification";
/// `<error code>`s the engine reads: 2 the media is gone, 3 the request did not open.
const NOT_FOUND: u16 = 2;
const UNREADABLE: u16 = 3;

pub fn answer(from: &Origin<'_>, receipt: &Node) -> anyhow::Result<()> {
    let id = receipt.attr("id").unwrap_or_default();
    let outcome = reupload(from, receipt, &id);
    from.world.stats.stanza(format!(
        "mediaretry:{}",
        if outcome.is_ok() {
            "uploaded"
        } else {
            "refused"
        }
    ));
    let own = from
        .world
        .state()
        .accounts
        .get(from.phone)
        .map(|account| account.user_jid(Naming::Phone))
        .ok_or_else(|| anyhow::anyhow!("no account {}", from.phone))?;
    let mut notification = NodeBuilder::new("notification")
        .attr("type", "mediaretry")
        .attr("id", id.clone())
        .attr("from", own)
        .attr("t", now_secs().to_string());
    notification = match outcome {
        Ok((ciphertext, iv)) => notification.children([NodeBuilder::new("encrypt")
            .children([
                NodeBuilder::new("enc_p").bytes(ciphertext).build(),
                NodeBuilder::new("enc_iv").bytes(iv.to_vec()).build(),
            ])
            .build()]),
        Err(code) => notification.children([NodeBuilder::new("error")
            .attr("code", code.to_string())
            .build()]),
    };
    from.reply(notification.build());
    Ok(())
}

/// The phone's side: the media key of the message it received, the request
/// opened with it, the blob uploaded again; the answer sealed for the device.
fn reupload(from: &Origin<'_>, receipt: &Node, id: &str) -> Result<(Vec<u8>, [u8; 12]), u16> {
    let media = from
        .world
        .phones
        .inbox(from.phone)
        .unwrap_or_default()
        .into_iter()
        .find(|entry| entry.id == id)
        .and_then(|entry| entry.media)
        .ok_or(NOT_FOUND)?;
    let encrypted = receipt.child("encrypt").ok_or(UNREADABLE)?;
    let part = |tag: &str| match encrypted.child(tag).and_then(|node| node.content.clone()) {
        Some(NodeContent::Bytes(bytes)) => Some(bytes),
        _ => None,
    };
    let (request, iv) = part("enc_p").zip(part("enc_iv")).ok_or(UNREADABLE)?;
    decrypt_media_retry_notification(&media.media_key, id, &iv, &request)
        .map_err(|_| UNREADABLE)?;
    let direct_path = from
        .world
        .media
        .reupload(&media.direct_path)
        .ok_or(NOT_FOUND)?;
    let answer = wa::MediaRetryNotification {
        stanza_id: Some(id.to_owned()),
        direct_path: Some(direct_path),
        result: Some(wa::media_retry_notification::ResultType::SUCCESS),
        ..Default::default()
    }
    .encode_to_vec();
    let mut key = [0u8; 32];
    hkdf_sha256_into(&media.media_key, None, KEY_INFO, &mut key).map_err(|_| UNREADABLE)?;
    let iv: [u8; 12] = rand::random();
    let mut sealed = Vec::with_capacity(answer.len() + 16);
    aes_256_gcm_encrypt(&key, &iv, id.as_bytes(), &answer, &mut sealed).map_err(|_| UNREADABLE)?;
    Ok((sealed, iv))
}
