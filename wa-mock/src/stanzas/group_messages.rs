//! A message to a group: one sender-key ciphertext (`skmsg`) for everyone, plus,
//! for devices that do not have the sender's key yet, a pairwise `<enc>` that
//! carries it. Each member device gets the group stanza with what is its own.

use whatsapp_rust::Jid;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use super::relay::{finish, note_contacts, relayed};
use crate::wire::NodeExt;
use crate::world::{Delivery, Naming, State};

pub fn relay(state: &mut State, from: &Origin<'_>, message: &Node, to: &Jid) -> Result<(), u16> {
    let group = state.groups.get(to.user.as_str()).ok_or(404u16)?;
    let Some(member) = group.member(from.phone) else {
        return Err(403);
    };
    if group.announce && !member.role.is_admin() {
        return Err(403);
    }
    let members: Vec<String> = group.members.iter().map(|m| m.phone.clone()).collect();
    // A resend to one member's device after its retry receipt.
    if let Some(requester) = message.jid_attr("participant") {
        let phone = state.phone_of(&requester).ok_or(404u16)?;
        let encs: Vec<Node> = message
            .kids()
            .iter()
            .filter(|c| c.tag == "enc")
            .cloned()
            .collect();
        if let Some(stanza) = stanza_for(state, from, message, to, encs) {
            state.deliver(&phone, requester.device, stanza, Delivery::Queued);
        }
        return Ok(());
    }
    let sender_key = message
        .kids()
        .iter()
        .find(|child| child.tag == "enc" && child.attr("type").as_deref() == Some("skmsg"))
        .cloned();
    let pairwise: Vec<(String, u16, Node)> = message
        .child("participants")
        .map(NodeExt::kids)
        .unwrap_or_default()
        .iter()
        .filter_map(|target| {
            let device = target.jid_attr("jid")?;
            let enc = target.child("enc")?.clone();
            Some((state.phone_of(&device)?, device.device, enc))
        })
        .collect();
    for phone in &members {
        note_contacts(state, from.phone, phone);
        let devices: Vec<u16> = state
            .accounts
            .get(phone)
            .map(|account| account.devices.keys().copied().collect())
            .unwrap_or_default();
        for device in devices {
            if phone == from.phone && device == from.device {
                continue;
            }
            let mut encs: Vec<Node> = pairwise
                .iter()
                .filter(|(p, d, _)| p == phone && *d == device)
                .map(|(_, _, enc)| enc.clone())
                .collect();
            encs.extend(sender_key.clone());
            if encs.is_empty() {
                continue;
            }
            if let Some(stanza) = stanza_for(state, from, message, to, encs) {
                state.deliver(phone, device, stanza, Delivery::Queued);
            }
        }
    }
    Ok(())
}

/// The group stanza a member's device gets: from the group, the sending device
/// as `participant` (by LID, the group's addressing), its phone number beside.
fn stanza_for(
    state: &State,
    from: &Origin<'_>,
    message: &Node,
    group: &Jid,
    encs: Vec<Node>,
) -> Option<Node> {
    let sender = state.accounts.get(from.phone)?;
    let stanza = relayed(message, sender)?
        .attr("from", group.clone())
        .attr("participant", sender.device_jid(from.device, Naming::Lid))
        .attr("participant_pn", sender.user_jid(Naming::Phone))
        .attr("addressing_mode", "lid");
    Some(finish(stanza, message, encs))
}
