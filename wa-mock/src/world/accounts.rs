//! Accounts and their devices: the phone (device 0) and the linked companions,
//! each with the Signal keys the server hands out for it.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use whatsapp_rust::buffa::Message as _;
use whatsapp_rust::wacore::libsignal::protocol::KeyPair;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::waproto::whatsapp as wa;
use whatsapp_rust::{Jid, Server};

use crate::wire::now_secs;

/// Which way a person is named on the wire: phone number or LID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    Phone,
    Lid,
}

impl Naming {
    pub fn of(jid: &Jid) -> Self {
        if jid.server == Server::Lid {
            Self::Lid
        } else {
            Self::Phone
        }
    }
}

/// A device's signed pre-key as uploaded.
#[derive(Clone)]
pub struct SignedPreKey {
    pub id: u32,
    pub public: Vec<u8>,
    pub signature: Vec<u8>,
}

/// What a device published for others to start Signal sessions with it.
#[derive(Clone)]
pub struct SignalKeys {
    pub registration_id: u32,
    pub identity: Vec<u8>,
    pub signed_pre_key: SignedPreKey,
    /// One-time pre-keys, by id; each is handed out once.
    pub one_time: BTreeMap<u32, Vec<u8>>,
}

pub struct Device {
    pub id: u16,
    /// The key index the phone gave it at linking (0 for the phone itself).
    pub key_index: u32,
    /// The Noise static key it must log in with.
    pub noise_key: [u8; 32],
    pub keys: SignalKeys,
    /// Its `ADVSignedDeviceIdentity` as it signed it at linking (companions).
    pub signed_identity: Option<Vec<u8>>,
    /// Stanzas for it while it is offline, oldest first.
    pub offline: VecDeque<Node>,
    /// Messages handed to it that it has not acked yet, oldest first: as
    /// WhatsApp does, they are handed over again at its next login.
    pub unacked: Vec<Node>,
    /// Linked, and not yet logged in since: its first login gets the phone's keys.
    pub fresh: bool,
    pub linked_at: u64,
}

/// A temporary ban: logins are refused until `until` (unix seconds).
#[derive(Clone, Copy)]
pub struct Ban {
    pub until: u64,
    pub code: u16,
}

pub struct Account {
    pub phone: String,
    pub lid: String,
    pub push_name: String,
    /// The phone's identity key, which also signs every companion's identity.
    pub identity: KeyPair,
    /// Identifies this account's key list; stable while the account lives.
    pub raw_id: u32,
    pub devices: BTreeMap<u16, Device>,
    next_device: u16,
    next_key_index: u32,
    /// Refuse the next message any of its devices sends, with this code.
    pub nack_next: Option<u16>,
    /// Until when (unix seconds) the account may not start new chats: the
    /// reach-out timelock a 463 refusal comes with.
    pub reachout_lock_until: Option<u64>,
    pub ban: Option<Ban>,
    /// People (phone numbers) whose messages the account refuses.
    pub blocked: BTreeSet<String>,
    /// Accounts it wrote to or heard from: they hear about its device changes.
    pub contacts: BTreeSet<String>,
    /// Those who asked to see its presence, and its devices that are online.
    pub subscribers: BTreeSet<String>,
    pub online: BTreeSet<u16>,
    pub last_seen: u64,
}

impl Account {
    pub fn new(phone: String, lid: String, push_name: String, identity: KeyPair) -> Self {
        Self {
            phone,
            lid,
            push_name,
            identity,
            raw_id: rand::random::<u32>() >> 1,
            devices: BTreeMap::new(),
            next_device: 1,
            next_key_index: 1,
            nack_next: None,
            reachout_lock_until: None,
            ban: None,
            blocked: BTreeSet::new(),
            contacts: BTreeSet::new(),
            subscribers: BTreeSet::new(),
            online: BTreeSet::new(),
            last_seen: 0,
        }
    }

    pub fn user_jid(&self, naming: Naming) -> Jid {
        match naming {
            Naming::Phone => Jid::pn(self.phone.as_str()),
            Naming::Lid => Jid::lid(self.lid.as_str()),
        }
    }

    pub fn device_jid(&self, device: u16, naming: Naming) -> Jid {
        match naming {
            Naming::Phone => Jid::pn_device(self.phone.as_str(), device),
            Naming::Lid => Jid::lid_device(self.lid.as_str(), device),
        }
    }

    /// The id and key index the next linked device gets.
    pub fn reserve_companion(&mut self) -> (u16, u32) {
        let reserved = (self.next_device, self.next_key_index);
        self.next_device = self.next_device.saturating_add(1);
        self.next_key_index += 1;
        reserved
    }

    pub fn companions(&self) -> impl Iterator<Item = &Device> {
        self.devices.values().filter(|device| device.id != 0)
    }

    /// The ADV key-index list: which companions the phone vouches for.
    pub fn key_index_list(&self) -> (u64, Vec<u8>) {
        let timestamp = self
            .companions()
            .map(|device| device.linked_at)
            .max()
            .unwrap_or_else(now_secs);
        let valid: Vec<u32> = self.companions().map(|device| device.key_index).collect();
        let details = wa::ADVKeyIndexList {
            raw_id: Some(self.raw_id),
            timestamp: Some(timestamp),
            current_index: Some(valid.iter().copied().max().unwrap_or(0)),
            valid_indexes: valid,
            account_type: Some(wa::ADVEncryptionType::E2EE),
        }
        .encode_to_vec();
        let mut signed = vec![6, 2];
        signed.extend_from_slice(&details);
        let signature = self
            .identity
            .calculate_signature(&signed, &mut rand::rng())
            .map(|signature| signature.to_vec())
            .unwrap_or_default();
        let list = wa::ADVSignedKeyIndexList {
            details: Some(details),
            account_signature: Some(signature),
            account_signature_key: Some(self.identity.public_key.public_key_bytes().to_vec()),
        }
        .encode_to_vec();
        (timestamp, list)
    }
}

/// The phone's own ADV identity (device 0, key index 0), signed with its key,
/// as a whatsapp-rust client needs it to start sessions by pre-key message.
pub fn phone_signed_identity(identity: &KeyPair) -> anyhow::Result<wa::ADVSignedDeviceIdentity> {
    let details = wa::ADVDeviceIdentity {
        raw_id: Some(0),
        timestamp: Some(now_secs()),
        key_index: Some(0),
        account_type: Some(wa::ADVEncryptionType::E2EE),
        device_type: Some(wa::ADVEncryptionType::E2EE),
    }
    .encode_to_vec();
    let public = identity.public_key.public_key_bytes().to_vec();
    let account_signature = sign(identity, &[&[6, 0], &details, &public])?;
    let device_signature = sign(identity, &[&[6, 1], &details, &public, &public])?;
    Ok(wa::ADVSignedDeviceIdentity {
        details: Some(details),
        account_signature_key: Some(public),
        account_signature: Some(account_signature),
        device_signature: Some(device_signature),
    })
}

/// An XEdDSA signature over the concatenated parts.
pub fn sign(key: &KeyPair, parts: &[&[u8]]) -> anyhow::Result<Vec<u8>> {
    let message = parts.concat();
    key.calculate_signature(&message, &mut rand::rng())
        .map(|signature| signature.to_vec())
        .map_err(|err| anyhow::anyhow!("signing failed: {err:?}"))
}
