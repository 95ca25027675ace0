//! Who a connection is: a known device logging in (checked against the Noise
//! key it linked with), or a new client asking to be linked.

use std::sync::Arc;

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::waproto::whatsapp as wa;

use crate::stats::Stats;
use crate::wire::{NodeExt, now_secs};
use crate::world::{Naming, ToClient, World, stanza_id};

/// Who a connection is, once admitted (who sends its stanzas).
pub enum Who {
    Device {
        phone: String,
        device: u16,
    },
    /// A client waiting to be linked: it may only take part in linking.
    Registering {
        conn_id: u64,
    },
}

pub enum Admission {
    Device {
        phone: String,
        device: u16,
    },
    Registering,
    /// A `<failure>` to say before closing.
    Refused(Node),
}

pub fn admit(
    world: &Arc<World>,
    payload: &wa::ClientPayload,
    client_static: [u8; 32],
    conn: crate::world::Conn,
) -> Admission {
    if let Some(username) = payload.username {
        let phone = username.to_string();
        let device = payload
            .device
            .and_then(|d| u16::try_from(d).ok())
            .unwrap_or(0);
        return log_in(world, phone, device, client_static, conn);
    }
    let Some(data) = payload.device_pairing_data.as_option() else {
        return Admission::Refused(failure("400", &[]));
    };
    let mut state = world.state();
    match crate::pairing::register(&mut state, conn.clone(), client_static, data) {
        Ok(pair_device) => {
            Stats::add(&world.stats.registrations, 1);
            let _ = conn.tx.send(ToClient::Node(pair_device));
            Admission::Registering
        }
        Err(err) => {
            tracing::debug!("registration refused: {err:#}");
            Admission::Refused(failure("400", &[]))
        }
    }
}

fn log_in(
    world: &Arc<World>,
    phone: String,
    device: u16,
    client_static: [u8; 32],
    conn: crate::world::Conn,
) -> Admission {
    let mut state = world.state();
    let Some(account) = state.accounts.get(&phone) else {
        return Admission::Refused(failure("401", &[]));
    };
    let known = account
        .devices
        .get(&device)
        .is_some_and(|known| known.noise_key == client_static);
    if !known {
        // Unlinked, or someone else's key: logged out.
        return Admission::Refused(failure("401", &[]));
    }
    if let Some(ban) = account.ban.filter(|ban| ban.until > now_secs()) {
        let left = (ban.until - now_secs()).to_string();
        return Admission::Refused(failure(
            "402",
            &[("code", ban.code.to_string()), ("expire", left)],
        ));
    }
    let lid = account.user_jid(Naming::Lid);
    let success = NodeBuilder::new("success")
        .attr("t", now_secs().to_string())
        .attr("lid", lid)
        .attr("location", "mock")
        .build();
    let _ = conn.tx.send(ToClient::Node(success));
    state.connect(&phone, device, conn);
    Stats::add(&world.stats.logins, 1);
    Admission::Device { phone, device }
}

/// `<failure reason=..>` with extra attributes (a ban's code and expiry).
fn failure(reason: &'static str, extra: &[(&'static str, String)]) -> Node {
    let mut node = NodeBuilder::new("failure").attr("reason", reason);
    for (key, value) in extra {
        node = node.attr(key, value.clone());
    }
    node.build()
}

/// A connection ended: it is no longer where its device is reached.
pub fn forget(world: &World, who: &Who, conn_id: u64) {
    let mut state = world.state();
    match who {
        Who::Device { phone, device } => state.disconnect(phone, *device, conn_id),
        Who::Registering { .. } => state.pairing.forget(conn_id),
    }
}

/// The device said it is active: what waited for it while it was offline, then
/// the end-of-offline marker the client waits for before it gets on with work.
/// A device's first login after linking also learns its account's name, and
/// the phone shares its app-state keys with it, as a real phone does.
pub fn came_online(world: &Arc<World>, phone: &str, device: u16) {
    let mut state = world.state();
    let queued = state.take_offline(phone, device);
    let count = queued.len();
    Stats::add(&world.stats.offline_delivered, count as u64);
    let Some(conn) = state.connection(phone, device).cloned() else {
        return;
    };
    for node in queued {
        state.handed_over(phone, device, &node);
        let _ = conn.tx.send(ToClient::Node(node));
    }
    let marker = NodeBuilder::new("ib")
        .children([NodeBuilder::new("offline")
            .attr("count", count.to_string())
            .build()])
        .build();
    let _ = conn.tx.send(ToClient::Node(marker));
    let Some(account) = state.accounts.get_mut(phone) else {
        return;
    };
    let first_login = account
        .devices
        .get_mut(&device)
        .is_some_and(|device| std::mem::replace(&mut device.fresh, false));
    if first_login && device != 0 {
        let name = NodeBuilder::new("notification")
            .attr("from", account.user_jid(Naming::Phone))
            .attr("type", "account_sync")
            .attr("id", stanza_id())
            .attr("t", now_secs().to_string())
            .attr("pushname", account.push_name.clone())
            .build();
        let _ = conn.tx.send(ToClient::Node(name));
        drop(state);
        match crate::history::first_chunk(world, phone) {
            Ok(history) => world.phones.welcome(phone.to_owned(), device, history),
            Err(err) => tracing::warn!(phone, "no history for the new device: {err:#}"),
        }
    }
}

/// Whether `node` is the IQ by which a client says it is active.
pub fn is_active_iq(node: &Node) -> bool {
    node.attr("xmlns").as_deref() == Some("passive") && node.child("active").is_some()
}
