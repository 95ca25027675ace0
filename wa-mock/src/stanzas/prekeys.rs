//! `xmlns="encrypt"`: devices publish their Signal pre-keys; others fetch a
//! bundle per device to start a session with it.

use sha1::{Digest, Sha1};
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use crate::wire::{NodeExt, bytes_node, iq_error, iq_result};
use crate::world::{Device, SignalKeys, SignedPreKey, State};

pub fn answer(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let mut state = from.world.state();
    let set = iq.attr("type").as_deref() == Some("set");
    let result = if set && iq.child("rotate").is_some() {
        rotate(&mut state, from, iq)
    } else if set {
        upload(&mut state, from, iq)
    } else if iq.child("count").is_some() {
        own_device(&state, from).map(|device| {
            vec![
                NodeBuilder::new("count")
                    .attr("value", device.keys.one_time.len().to_string())
                    .build(),
            ]
        })
    } else if iq.child("digest").is_some() {
        own_device(&state, from).map(|device| vec![digest(&device.keys)])
    } else {
        iq.child("key")
            .map(|wanted| vec![bundles(&mut state, wanted)])
    };
    match result {
        Some(children) => iq_result(&id, children),
        None => iq_error(&id, 400, "bad-request"),
    }
}

fn own_device<'s>(state: &'s State, from: &Origin<'_>) -> Option<&'s Device> {
    state.accounts.get(from.phone)?.devices.get(&from.device)
}

fn upload(state: &mut State, from: &Origin<'_>, iq: &Node) -> Option<Vec<Node>> {
    let registration = iq.child("registration").and_then(NodeExt::bytes)?;
    let identity = iq.child("identity").and_then(NodeExt::bytes)?.to_vec();
    let signed_pre_key = iq.child("skey").and_then(signed_pre_key)?;
    let one_time: Vec<(u32, Vec<u8>)> = iq
        .child("list")
        .map(|list| list.kids().iter().filter_map(pre_key).collect())
        .unwrap_or_default();
    let device = state
        .accounts
        .get_mut(from.phone)?
        .devices
        .get_mut(&from.device)?;
    device.keys.registration_id = be(registration);
    device.keys.identity = identity;
    device.keys.signed_pre_key = signed_pre_key;
    device.keys.one_time.extend(one_time);
    Some(Vec::new())
}

fn rotate(state: &mut State, from: &Origin<'_>, iq: &Node) -> Option<Vec<Node>> {
    let signed = iq
        .child("rotate")
        .and_then(|rotate| rotate.child("skey"))
        .and_then(signed_pre_key)?;
    let device = state
        .accounts
        .get_mut(from.phone)?
        .devices
        .get_mut(&from.device)?;
    device.keys.signed_pre_key = signed;
    Some(Vec::new())
}

fn signed_pre_key(node: &Node) -> Option<SignedPreKey> {
    Some(SignedPreKey {
        id: be(node.child("id").and_then(NodeExt::bytes)?),
        public: node.child("value").and_then(NodeExt::bytes)?.to_vec(),
        signature: node.child("signature").and_then(NodeExt::bytes)?.to_vec(),
    })
}

fn pre_key(node: &Node) -> Option<(u32, Vec<u8>)> {
    Some((
        be(node.child("id").and_then(NodeExt::bytes)?),
        node.child("value").and_then(NodeExt::bytes)?.to_vec(),
    ))
}

fn be(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b))
}

fn be3(n: u32) -> Vec<u8> {
    n.to_be_bytes()[1..].to_vec()
}

/// What the client compares with its own store: the keys the server holds.
fn digest(keys: &SignalKeys) -> Node {
    let mut hash = Sha1::new();
    hash.update(&keys.identity);
    hash.update(&keys.signed_pre_key.public);
    hash.update(&keys.signed_pre_key.signature);
    for public in keys.one_time.values() {
        hash.update(public);
    }
    NodeBuilder::new("digest")
        .children([
            bytes_node("registration", keys.registration_id.to_be_bytes().to_vec()),
            bytes_node("type", vec![5]),
            bytes_node("identity", keys.identity.clone()),
            signed_pre_key_node(&keys.signed_pre_key),
            NodeBuilder::new("list")
                .children(keys.one_time.keys().map(|id| bytes_node("id", be3(*id))))
                .build(),
            bytes_node("hash", hash.finalize().to_vec()),
        ])
        .build()
}

fn signed_pre_key_node(signed: &SignedPreKey) -> Node {
    NodeBuilder::new("skey")
        .children([
            bytes_node("id", be3(signed.id)),
            bytes_node("value", signed.public.clone()),
            bytes_node("signature", signed.signature.clone()),
        ])
        .build()
}

/// One bundle per requested device, each under the exact JID it was asked by
/// (phone or LID); a one-time pre-key is handed out once.
fn bundles(state: &mut State, wanted: &Node) -> Node {
    let users = wanted
        .kids()
        .iter()
        .filter_map(|user| user.jid_attr("jid"))
        .map(|jid| {
            let device = jid.device;
            let bundle = state
                .account_of_mut(&jid)
                .and_then(|account| account.devices.get_mut(&device))
                .map(bundle_of);
            let user = NodeBuilder::new("user").attr("jid", jid);
            match bundle {
                Some(children) => user.children(children).build(),
                None => user
                    .children([NodeBuilder::new("error")
                        .attr("code", "404")
                        .attr("text", "item-not-found")
                        .build()])
                    .build(),
            }
        })
        .collect::<Vec<_>>();
    NodeBuilder::new("list").children(users).build()
}

fn bundle_of(device: &mut Device) -> Vec<Node> {
    let keys = &mut device.keys;
    let mut children = vec![
        bytes_node("registration", keys.registration_id.to_be_bytes().to_vec()),
        bytes_node("type", vec![5]),
        bytes_node("identity", keys.identity.clone()),
        signed_pre_key_node(&keys.signed_pre_key),
    ];
    if let Some((id, public)) = keys.one_time.pop_first() {
        children.push(
            NodeBuilder::new("key")
                .children([bytes_node("id", be3(id)), bytes_node("value", public)])
                .build(),
        );
    }
    if let Some(signed) = &device.signed_identity {
        children.push(bytes_node("device-identity", signed.clone()));
    }
    children
}
