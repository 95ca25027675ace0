//! Linking by pairing code: the companion wraps an ephemeral key with the
//! 8-character code it shows; the phone, told the code, unwraps it, answers
//! with its own wrapped key, and both derive the adv secret that the QR would
//! otherwise have carried.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use tokio::sync::oneshot;
use whatsapp_rust::wacore::crypto::hkdf_sha256;
use whatsapp_rust::wacore::libsignal::crypto::aes_256_gcm_decrypt;
use whatsapp_rust::wacore::libsignal::protocol::{KeyPair, PublicKey};
use whatsapp_rust::wacore::pair_code::PairCodeUtils;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::link::{Linked, link};
use super::pending::CodeRequest;
use crate::wire::{NodeExt, bytes_node, iq_error, iq_result, now_secs, server_jid, stanza_id};
use crate::world::{State, ToClient, World};

/// How long the phone waits for the companion to finish after its hello.
const FINISH_TIMEOUT: Duration = Duration::from_secs(30);
const BUNDLE_KEY_INFO: &[u8] = b"link_code_pairing_key_bundle_encryption_key";

/// `companion_hello`: the companion asks for a code link to a phone number.
pub fn answer_companion_hello(state: &mut State, conn_id: u64, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let Some(request) = iq.child("link_code_companion_reg") else {
        return iq_error(&id, 400, "bad-request");
    };
    let phone = request
        .jid_attr("jid")
        .map(|jid| jid.user.to_string())
        .filter(|phone| !phone.is_empty());
    let wrapped = request
        .child("link_code_pairing_wrapped_companion_ephemeral_pub")
        .and_then(NodeExt::bytes)
        .filter(|bytes| bytes.len() == 80);
    let (Some(phone), Some(wrapped)) = (phone, wrapped) else {
        return iq_error(&id, 400, "bad-request");
    };
    if !state.pairing.is_registering(conn_id) {
        return iq_error(&id, 403, "forbidden");
    }
    let reference = format!("{:032x}", rand::random::<u128>());
    state.pairing.codes.insert(
        reference.clone(),
        CodeRequest {
            conn_id,
            phone,
            wrapped_ephemeral: wrapped.to_vec(),
            asked_at: Instant::now(),
            finish: None,
        },
    );
    iq_result(
        &id,
        vec![
            NodeBuilder::new("link_code_companion_reg")
                .attr("stage", "companion_hello")
                .children([bytes_node("link_code_pairing_ref", reference.into_bytes())])
                .build(),
        ],
    )
}

/// `companion_finish`: handed to the phone that waits for it, which answers it.
pub fn answer_companion_finish(state: &mut State, conn_id: u64, iq: &Node) -> Option<Node> {
    let id = iq.attr("id").unwrap_or_default();
    let reference = iq
        .child("link_code_companion_reg")
        .and_then(|request| request.child("link_code_pairing_ref"))
        .and_then(NodeExt::text);
    let waiter = reference
        .and_then(|reference| state.pairing.codes.get_mut(&reference))
        .filter(|request| request.conn_id == conn_id)
        .and_then(|request| request.finish.take());
    match waiter {
        Some(waiter) => match waiter.send(iq.clone()) {
            Ok(()) => None,
            Err(_) => Some(iq_error(&id, 410, "gone")),
        },
        None => Some(iq_error(&id, 400, "bad-request")),
    }
}

/// The phone of account `phone` enters `code`: links the companion that shows it.
pub async fn link_by_code(world: &Arc<World>, phone: &str, code: &str) -> anyhow::Result<Linked> {
    let code: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if !PairCodeUtils::validate_code(&code) {
        bail!("a pairing code is 8 letters and digits");
    }
    let (reference, conn_id, wrapped) = {
        let state = world.state();
        state
            .pairing
            .codes
            .iter()
            .filter(|(_, request)| request.phone == phone)
            .max_by_key(|(_, request)| request.asked_at)
            .map(|(reference, request)| {
                (
                    reference.clone(),
                    request.conn_id,
                    request.wrapped_ephemeral.clone(),
                )
            })
            .ok_or_else(|| anyhow!("no device is waiting for a code for {phone}"))?
    };
    // PBKDF2 with 131,072 rounds, twice: off the async workers.
    let primary = KeyPair::generate(&mut rand::rng());
    let primary_public: [u8; 32] = primary
        .public_key
        .public_key_bytes()
        .try_into()
        .map_err(|_| anyhow!("key is not 32 bytes"))?;
    let unwrap_code = code.clone();
    let (companion_ephemeral, wrapped_primary) = tokio::task::spawn_blocking(move || {
        let companion = PairCodeUtils::decrypt_primary_ephemeral_pub(&wrapped, &unwrap_code);
        (
            companion,
            PairCodeUtils::encrypt_ephemeral_pub(&primary_public, &unwrap_code),
        )
    })
    .await?;
    let companion_ephemeral = companion_ephemeral.map_err(|err| anyhow!("{err:?}"))?;
    let finish = send_primary_hello(world, &reference, conn_id, phone, &wrapped_primary)?;
    let finish = tokio::time::timeout(FINISH_TIMEOUT, finish)
        .await
        .map_err(|_| anyhow!("the device did not answer the code in time"))?
        .map_err(|_| anyhow!("the device went away"))?;
    let finish_id = finish.attr("id").unwrap_or_default();
    let reply = |node: Node| {
        if let Some(conn) = world.state().pairing.registrations.get(&conn_id) {
            let _ = conn.conn.tx.send(ToClient::Node(node));
        }
    };
    match adv_secret(world, phone, &primary, &companion_ephemeral, &finish) {
        Ok(adv) => {
            reply(iq_result(&finish_id, Vec::new()));
            link(world, conn_id, phone, &adv).await
        }
        Err(err) => {
            reply(iq_error(&finish_id, 400, "bad-request"));
            Err(err)
        }
    }
}

/// Tells the companion the phone's wrapped ephemeral key; returns where its finish arrives.
fn send_primary_hello(
    world: &World,
    reference: &str,
    conn_id: u64,
    phone: &str,
    wrapped_primary: &[u8],
) -> anyhow::Result<oneshot::Receiver<Node>> {
    let mut state = world.state();
    let identity = state
        .accounts
        .get(phone)
        .map(|account| account.identity.public_key.public_key_bytes().to_vec())
        .ok_or_else(|| anyhow!("no account {phone}"))?;
    let conn = state
        .pairing
        .registrations
        .get(&conn_id)
        .map(|registration| registration.conn.clone())
        .ok_or_else(|| anyhow!("the device went away"))?;
    let (tx, rx) = oneshot::channel();
    if let Some(request) = state.pairing.codes.get_mut(reference) {
        request.finish = Some(tx);
    }
    let hello = NodeBuilder::new("notification")
        .attr("from", server_jid())
        .attr("type", "link_code_companion_reg")
        .attr("id", stanza_id())
        .attr("t", now_secs().to_string())
        .children([NodeBuilder::new("link_code_companion_reg")
            .attr("stage", "primary_hello")
            .children([
                bytes_node(
                    "link_code_pairing_wrapped_primary_ephemeral_pub",
                    wrapped_primary.to_vec(),
                ),
                bytes_node("primary_identity_pub", identity),
                bytes_node("link_code_pairing_ref", reference.as_bytes().to_vec()),
            ])
            .build()])
        .build();
    conn.tx
        .send(ToClient::Node(hello))
        .map_err(|_| anyhow!("the device went away"))?;
    Ok(rx)
}

/// Opens the companion's key bundle; a wrong code fails here (the AEAD tag).
fn adv_secret(
    world: &World,
    phone: &str,
    primary: &KeyPair,
    companion_ephemeral: &[u8; 32],
    finish: &Node,
) -> anyhow::Result<Vec<u8>> {
    let request = finish
        .child("link_code_companion_reg")
        .ok_or_else(|| anyhow!("companion_finish is empty"))?;
    let bundle = request
        .child("link_code_pairing_wrapped_key_bundle")
        .and_then(NodeExt::bytes)
        .filter(|bundle| bundle.len() > 44)
        .ok_or_else(|| anyhow!("companion_finish holds no key bundle"))?;
    let their_ephemeral = PublicKey::from_djb_public_key_bytes(companion_ephemeral)
        .map_err(|err| anyhow!("{err:?}"))?;
    let ephemeral_shared = primary
        .calculate_agreement(&their_ephemeral)
        .map_err(|err| anyhow!("{err:?}"))?;
    let key: [u8; 32] = hkdf_sha256(&ephemeral_shared, 32, Some(&bundle[..32]), BUNDLE_KEY_INFO)?
        .try_into()
        .map_err(|_| anyhow!("bad key length"))?;
    let nonce: [u8; 12] = bundle[32..44]
        .try_into()
        .map_err(|_| anyhow!("bad nonce length"))?;
    let mut plain = Vec::new();
    aes_256_gcm_decrypt(&key, &nonce, b"", &bundle[44..], &mut plain)
        .map_err(|_| anyhow!("the pairing code does not match the device's"))?;
    if plain.len() != 96 {
        bail!("the key bundle is {} bytes, not 96", plain.len());
    }
    let state = world.state();
    let account = state
        .accounts
        .get(phone)
        .ok_or_else(|| anyhow!("no account {phone}"))?;
    if plain[32..64] != *account.identity.public_key.public_key_bytes() {
        bail!("the key bundle names another phone");
    }
    let companion_identity =
        PublicKey::from_djb_public_key_bytes(&plain[..32]).map_err(|err| anyhow!("{err:?}"))?;
    let identity_shared = account
        .identity
        .calculate_agreement(&companion_identity)
        .map_err(|err| anyhow!("{err:?}"))?;
    let material = [&ephemeral_shared[..], &identity_shared, &plain[64..96]].concat();
    Ok(hkdf_sha256(&material, 32, None, b"adv_secret")?)
}
