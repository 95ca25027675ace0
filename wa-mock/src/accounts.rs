//! Making an account: its phone's device (whose identity key becomes the
//! account's), the phone's keys where other devices fetch them, and the phone
//! itself, started and logged in.

use std::sync::Arc;

use whatsapp_rust::wacore::store::Device as SeededDevice;

use crate::wire::now_secs;
use crate::world::{Device, SignalKeys, SignedPreKey, World};

/// The account `phone` (created when it does not exist, or when `phone` is
/// absent, with a fresh number), its phone online; returns its number.
pub async fn ensure(
    world: &Arc<World>,
    phone: Option<String>,
    push_name: Option<String>,
) -> anyhow::Result<String> {
    if let Some(phone) = &phone
        && world.state().accounts.contains_key(phone)
    {
        return Ok(phone.clone());
    }
    let seed = SeededDevice::new();
    let (phone, lid, push_name) = {
        let mut state = world.state();
        if let Some(existing) = phone.as_ref().filter(|p| state.accounts.contains_key(*p)) {
            return Ok(existing.clone());
        }
        let account = state.create_account(phone, push_name, seed.identity_key.clone());
        account.devices.insert(0, phone_device(&seed));
        (
            account.phone.clone(),
            account.lid.clone(),
            account.push_name.clone(),
        )
    };
    if let Err(err) = world.phones.start(&phone, &lid, &push_name, seed).await {
        world.state().remove_account(&phone);
        return Err(err);
    }
    Ok(phone)
}

/// Device 0 as the server knows it: the keys other devices start sessions with.
fn phone_device(seed: &SeededDevice) -> Device {
    Device {
        id: 0,
        key_index: 0,
        noise_key: seed
            .noise_key
            .public_key
            .public_key_bytes()
            .try_into()
            .unwrap_or_default(),
        keys: SignalKeys {
            registration_id: seed.registration_id,
            identity: seed.identity_key.public_key.public_key_bytes().to_vec(),
            signed_pre_key: SignedPreKey {
                id: seed.signed_pre_key_id,
                public: seed.signed_pre_key.public_key.public_key_bytes().to_vec(),
                signature: seed.signed_pre_key_signature.to_vec(),
            },
            one_time: Default::default(),
        },
        signed_identity: None,
        offline: Default::default(),
        unacked: Vec::new(),
        fresh: false,
        linked_at: now_secs(),
    }
}
