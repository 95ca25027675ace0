//! The phone's side of a link: it signs the new device's identity
//! (`pair-success`), checks the device's countersignature, records the device
//! and restarts its stream, after which the device logs in for real.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};
use base64::Engine as _;
use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore::adv::{AdvValidation, validate_adv_with_identity_key};
use whatsapp_rust::wacore::libsignal::crypto::hmac_sha256;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::waproto::whatsapp as wa;

use super::pending::Registration;
use crate::wire::{NodeExt, bytes_node, now_secs, server_jid, stanza_id};
use crate::world::{Conn, Device, Naming, SignalKeys, SignedPreKey, State, ToClient, World, sign};

/// How long the phone waits for the device to countersign its identity.
const SIGN_TIMEOUT: Duration = Duration::from_secs(20);
/// QR refs an unregistered client gets (it shows each in turn, then gives up).
const QR_REFS: usize = 6;

/// Takes a registration `ClientPayload` and answers with the QR refs.
pub fn register(
    state: &mut State,
    conn: Conn,
    noise_key: [u8; 32],
    data: &wa::client_payload::DevicePairingRegistrationData,
) -> anyhow::Result<Node> {
    let keys = SignalKeys {
        registration_id: be_u32(data.e_regid.as_deref(), "e_regid")?,
        identity: exact(data.e_ident.as_deref(), 32, "e_ident")?,
        signed_pre_key: SignedPreKey {
            id: be_u32(data.e_skey_id.as_deref(), "e_skey_id")?,
            public: exact(data.e_skey_val.as_deref(), 32, "e_skey_val")?,
            signature: exact(data.e_skey_sig.as_deref(), 64, "e_skey_sig")?,
        },
        one_time: Default::default(),
    };
    let refs: Vec<String> = (0..QR_REFS)
        .map(|_| {
            let random: [u8; 18] = rand::random();
            format!(
                "2@{}",
                base64::engine::general_purpose::STANDARD.encode(random)
            )
        })
        .collect();
    for reference in &refs {
        state.pairing.refs.insert(reference.clone(), conn.id);
    }
    let conn_id = conn.id;
    state.pairing.registrations.insert(
        conn_id,
        Registration {
            conn,
            noise_key,
            keys,
        },
    );
    Ok(NodeBuilder::new("iq")
        .attr("from", server_jid())
        .attr("type", "set")
        .attr("id", stanza_id())
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-device")
            .children(refs.into_iter().map(|r| bytes_node("ref", r.into_bytes())))
            .build()])
        .build())
}

/// The device now linked: where to reach it.
pub struct Linked {
    pub phone: String,
    pub lid: String,
    pub device: u16,
}

/// The phone of account `phone` links the registering client `conn_id`, whose
/// QR (or pairing code) gave it `adv_secret`: it signs the device's identity,
/// waits for the countersignature, and restarts the device's stream.
pub async fn link(
    world: &Arc<World>,
    conn_id: u64,
    phone: &str,
    adv_secret: &[u8],
) -> anyhow::Result<Linked> {
    let (id, answer, device, key_index) = {
        let mut state = world.state();
        let registration = state
            .pairing
            .registrations
            .get(&conn_id)
            .ok_or_else(|| anyhow!("the device went away before it was linked"))?;
        let conn = registration.conn.clone();
        let companion_identity = registration.keys.identity.clone();
        let account = state
            .accounts
            .get_mut(phone)
            .ok_or_else(|| anyhow!("no account {phone}"))?;
        let (device, key_index) = account.reserve_companion();
        let success = pair_success(account, device, key_index, &companion_identity, adv_secret)?;
        let id = success.attr("id").unwrap_or_default();
        let answer = state.await_answer(&id);
        conn.tx
            .send(ToClient::Node(success))
            .map_err(|_| anyhow!("the device went away before it was linked"))?;
        (id, answer, device, key_index)
    };
    let signed = match tokio::time::timeout(SIGN_TIMEOUT, answer).await {
        Ok(Ok(answer)) => countersigned(&answer)?,
        _ => {
            world.state().forget_waiter(&id);
            bail!("the device did not countersign its identity in time");
        }
    };
    let mut state = world.state();
    let registration = state
        .pairing
        .registrations
        .remove(&conn_id)
        .ok_or_else(|| anyhow!("the device went away before it was linked"))?;
    state.pairing.forget(conn_id);
    let account = state
        .accounts
        .get_mut(phone)
        .ok_or_else(|| anyhow!("no account {phone}"))?;
    let account_key: [u8; 32] = account
        .identity
        .public_key
        .public_key_bytes()
        .try_into()
        .map_err(|_| anyhow!("account key is not 32 bytes"))?;
    let companion_key: [u8; 32] = registration
        .keys
        .identity
        .as_slice()
        .try_into()
        .map_err(|_| anyhow!("device identity is not 32 bytes"))?;
    if validate_adv_with_identity_key(&signed, &companion_key, Some(&account_key))
        != AdvValidation::Valid
    {
        bail!("the device's countersignature does not verify");
    }
    account.devices.insert(
        device,
        Device {
            id: device,
            key_index,
            noise_key: registration.noise_key,
            keys: registration.keys,
            signed_identity: Some(signed),
            offline: Default::default(),
            unacked: Vec::new(),
            fresh: true,
            linked_at: now_secs(),
        },
    );
    let linked = Linked {
        phone: account.phone.clone(),
        lid: account.lid.clone(),
        device,
    };
    // Paired: the client logs in again with its new identity.
    let _ = registration
        .conn
        .tx
        .send(ToClient::Close(crate::world::stream_restart()));
    crate::devices::announce_change(&mut state, phone, device, true);
    Ok(linked)
}

/// The `pair-success` IQ: the device's identity as the phone signs it.
fn pair_success(
    account: &crate::world::Account,
    device: u16,
    key_index: u32,
    companion_identity: &[u8],
    adv_secret: &[u8],
) -> anyhow::Result<Node> {
    let details = wa::ADVDeviceIdentity {
        raw_id: Some(account.raw_id),
        timestamp: Some(now_secs()),
        key_index: Some(key_index),
        account_type: Some(wa::ADVEncryptionType::E2EE),
        device_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec();
    let account_signature = sign(&account.identity, &[&[6, 0], &details, companion_identity])?;
    let signed = wa::ADVSignedDeviceIdentity {
        details: Some(details),
        account_signature_key: Some(account.identity.public_key.public_key_bytes().to_vec()),
        account_signature: Some(account_signature),
        device_signature: None,
    }
    .encode_to_vec();
    let hmac = hmac_sha256(adv_secret, &signed);
    let container = wa::ADVSignedDeviceIdentityHMAC {
        details: Some(signed),
        hmac: Some(hmac.to_vec()),
        account_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec();
    Ok(NodeBuilder::new("iq")
        .attr("from", server_jid())
        .attr("type", "set")
        .attr("id", stanza_id())
        .attr("t", now_secs().to_string())
        .attr("xmlns", "md")
        .children([NodeBuilder::new("pair-success")
            .children([
                bytes_node("device-identity", container),
                NodeBuilder::new("device")
                    .attr("jid", account.device_jid(device, Naming::Phone))
                    .attr("lid", account.device_jid(device, Naming::Lid))
                    .build(),
                NodeBuilder::new("platform").attr("name", "android").build(),
            ])
            .build()])
        .build())
}

/// The device's answer to `pair-success`: its identity with its own signature.
fn countersigned(answer: &Node) -> anyhow::Result<Vec<u8>> {
    if answer.attr("type").as_deref() != Some("result") {
        let reason = answer
            .child("error")
            .and_then(|error| error.attr("text"))
            .unwrap_or_else(|| "no reason".into());
        bail!("the device refused the link: {reason}");
    }
    answer
        .child("pair-device-sign")
        .and_then(|sign| sign.child("device-identity"))
        .and_then(NodeExt::bytes)
        .map(<[u8]>::to_vec)
        .ok_or_else(|| anyhow!("the device's answer holds no signed identity"))
}

fn be_u32(bytes: Option<&[u8]>, what: &str) -> anyhow::Result<u32> {
    let bytes = bytes.ok_or_else(|| anyhow!("registration lacks {what}"))?;
    if bytes.is_empty() || bytes.len() > 4 {
        bail!("registration {what} has {} bytes", bytes.len());
    }
    Ok(bytes.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)))
}

fn exact(bytes: Option<&[u8]>, len: usize, what: &str) -> anyhow::Result<Vec<u8>> {
    match bytes {
        Some(bytes) if bytes.len() == len => Ok(bytes.to_vec()),
        _ => bail!("registration {what} is not {len} bytes"),
    }
}
