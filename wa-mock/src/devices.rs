//! An account's device list changing: a companion linked or unlinked. The
//! account's other devices and its contacts are told, so their clients fetch
//! the new list before they next write (or stop writing to a removed device).

use whatsapp_rust::wacore_binary::builder::NodeBuilder;

use crate::wire::now_secs;
use crate::world::{Naming, State, stanza_id, stream_error_device_removed};

/// Removes a companion; `tell_device`: its live connection is logged out too.
pub fn unlink(state: &mut State, phone: &str, device: u16, tell_device: bool) -> bool {
    let removed = state
        .accounts
        .get_mut(phone)
        .and_then(|account| account.devices.remove(&device))
        .is_some();
    if !removed {
        return false;
    }
    if tell_device {
        state.close_devices(
            phone,
            |d| d == device,
            || Some(stream_error_device_removed()),
        );
    }
    announce_change(state, phone, device, false);
    true
}

/// `<notification type="devices">` with the device added or removed and the
/// account's new key-index list, to its other devices and its contacts.
pub fn announce_change(state: &mut State, phone: &str, device: u16, added: bool) {
    let Some(account) = state.accounts.get(phone) else {
        return;
    };
    let (timestamp, key_index_list) = account.key_index_list();
    let key_index = account.devices.get(&device).map(|d| d.key_index);
    let mut device_node =
        NodeBuilder::new("device").attr("jid", account.device_jid(device, Naming::Phone));
    if let Some(key_index) = key_index {
        device_node = device_node.attr("key-index", key_index.to_string());
    }
    let notice = NodeBuilder::new("notification")
        .attr("from", account.user_jid(Naming::Phone))
        .attr("lid", account.user_jid(Naming::Lid))
        .attr("type", "devices")
        .attr("id", stanza_id())
        .attr("t", now_secs().to_string())
        .children([NodeBuilder::new(if added { "add" } else { "remove" })
            .children([
                device_node.build(),
                NodeBuilder::new("key-index-list")
                    .attr("ts", timestamp.to_string())
                    .bytes(key_index_list)
                    .build(),
            ])
            .build()])
        .build();
    let mut audience: Vec<String> = account.contacts.iter().cloned().collect();
    audience.push(phone.to_owned());
    for person in audience {
        let skip = (person == phone).then_some(device);
        state.deliver_to_account(&person, skip, &notice, crate::world::Delivery::Queued);
    }
}
