//! `<message>`: the server relays each device's encrypted payload to it, opaque,
//! and acks the sender (or refuses the message with a code, on demand).
//!
//! A sent stanza carries one `<enc>` per recipient device under `<participants>`
//! (the sender's own other devices included); each device gets a stanza of its
//! own with just its `<enc>`, from the sending device, named the way the sender
//! named the device (phone number or LID) with the other name beside it.

use whatsapp_rust::Jid;
use whatsapp_rust::wacore_binary::node::Node;

use super::relay::{ack, finish, note_contacts, relayed};
use super::{Origin, group_messages};
use crate::wire::NodeExt;
use crate::world::{Delivery, Naming, State};

pub fn relay(from: &Origin<'_>, message: &Node) -> anyhow::Result<()> {
    let id = message.attr("id").unwrap_or_default();
    let to = message
        .jid_attr("to")
        .ok_or_else(|| anyhow::anyhow!("a message without `to`"))?;
    let mut state = from.world.state();
    if let Some(code) = refusal(&mut state, from, message) {
        from.reply(ack(&id, &to, Some(code)));
        return Ok(());
    }
    let outcome = match to.server {
        whatsapp_rust::Server::Group => group_messages::relay(&mut state, from, message, &to),
        whatsapp_rust::Server::Pn | whatsapp_rust::Server::Lid => {
            if message.child("participants").is_some() {
                fan_out(&mut state, from, message, &to)
            } else {
                to_one_device(&mut state, from, message, &to)
            }
        }
        // Status stories and channels are not relayed.
        _ => Ok(()),
    };
    from.reply(ack(&id, &to, outcome.err()));
    Ok(())
}

/// A refusal armed by `fault nack` for the next message of a linked device.
fn refusal(state: &mut State, from: &Origin<'_>, message: &Node) -> Option<u16> {
    if from.device == 0 || message.attr("category").as_deref() == Some("peer") {
        return None;
    }
    state.accounts.get_mut(from.phone)?.nack_next.take()
}

/// A direct message: each addressed device gets its own `<enc>`.
fn fan_out(state: &mut State, from: &Origin<'_>, message: &Node, to: &Jid) -> Result<(), u16> {
    let recipient = state.phone_of(to).ok_or(404u16)?;
    if blocked(state, &recipient, from.phone) {
        return Ok(());
    }
    note_contacts(state, from.phone, &recipient);
    let participants = message
        .child("participants")
        .map(NodeExt::kids)
        .unwrap_or_default();
    for target in participants.iter().filter(|t| t.tag == "to") {
        let Some(device_jid) = target.jid_attr("jid") else {
            continue;
        };
        let Some(phone) = state.phone_of(&device_jid) else {
            continue;
        };
        let own = phone == from.phone;
        let encs = target.kids().iter().filter(|c| c.tag == "enc").cloned();
        let stanza = stanza_for(
            state,
            from,
            message,
            Naming::of(&device_jid),
            encs,
            own.then_some(to),
        );
        if let Some(stanza) = stanza {
            state.deliver(&phone, device_jid.device, stanza, Delivery::Queued);
        }
    }
    Ok(())
}

/// A stanza addressed to one device with its `<enc>` inline: a peer message
/// between an account's devices, or a resend after a retry receipt.
fn to_one_device(
    state: &mut State,
    from: &Origin<'_>,
    message: &Node,
    to: &Jid,
) -> Result<(), u16> {
    let phone = state.phone_of(to).ok_or(404u16)?;
    if phone != from.phone && blocked(state, &phone, from.phone) {
        return Ok(());
    }
    let encs = message.kids().iter().filter(|c| c.tag == "enc").cloned();
    let recipient = message.jid_attr("recipient");
    let mut stanza = stanza_for(
        state,
        from,
        message,
        Naming::of(to),
        encs,
        recipient.as_ref(),
    )
    .ok_or(404u16)?;
    if let Some(category) = message.attr("category") {
        stanza.attrs.insert("category", category);
    }
    if phone == from.phone && to.device == from.device {
        // A device writing to itself (a placeholder resend): nowhere to go.
        return Ok(());
    }
    state.deliver(&phone, to.device, stanza, Delivery::Queued);
    Ok(())
}

/// The stanza one device receives: from the sending device, named as `naming`,
/// with the other name beside it; `recipient` on copies for the sender's own devices.
fn stanza_for(
    state: &State,
    from: &Origin<'_>,
    message: &Node,
    naming: Naming,
    encs: impl Iterator<Item = Node>,
    recipient: Option<&Jid>,
) -> Option<Node> {
    let sender = state.accounts.get(from.phone)?;
    let mut stanza = relayed(message, sender)?.attr("from", sender.device_jid(from.device, naming));
    stanza = match naming {
        Naming::Phone => stanza.attr("sender_lid", sender.user_jid(Naming::Lid)),
        Naming::Lid => stanza.attr("sender_pn", sender.user_jid(Naming::Phone)),
    };
    if let Some(recipient) = recipient {
        stanza = stanza.attr("recipient", recipient.to_non_ad());
    }
    Some(finish(stanza, message, encs))
}

fn blocked(state: &State, recipient: &str, sender: &str) -> bool {
    state
        .accounts
        .get(recipient)
        .is_some_and(|account| account.blocked.contains(sender))
}
