//! `<receipt>`: delivered, read, played — and retry requests — go back to the
//! message's sender, as coming from the device that sent the receipt.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::{Jid, Server};

use super::Origin;
use crate::wire::{NodeExt, now_secs};
use crate::world::{Delivery, Naming, State};

/// Receipt types the sender hears about; the rest concern the reader alone.
const RELAYED: &[&str] = &[
    "",
    "read",
    "played",
    "read-self",
    "played-self",
    "retry",
    "enc_rekey_retry",
    "sender",
];

/// The message ids a receipt names: its own, and those of its `<list>`.
pub fn named_ids(receipt: &Node) -> Vec<String> {
    let listed = receipt
        .child("list")
        .map(NodeExt::kids)
        .unwrap_or_default()
        .iter()
        .filter_map(|item| item.attr("id"));
    receipt.attr("id").into_iter().chain(listed).collect()
}

pub fn relay(from: &Origin<'_>, receipt: &Node) -> anyhow::Result<()> {
    let id = receipt.attr("id").unwrap_or_default();
    let to = receipt
        .jid_attr("to")
        .ok_or_else(|| anyhow::anyhow!("a receipt without `to`"))?;
    // A receipt while receipts are "inactive" is a delivery all the same.
    let kind = receipt
        .attr("type")
        .filter(|kind| kind != "inactive")
        .unwrap_or_default();
    from.reply(ack(&id, &to, receipt));
    if kind == "server-error" && receipt.child("rmr").is_some() {
        return super::media_retry::answer(from, receipt);
    }
    if !RELAYED.contains(&kind.as_str()) {
        return Ok(());
    }
    let mut state = from.world.state();
    if to.server == Server::Group {
        to_group_sender(&mut state, from, receipt, &to, &kind);
    } else {
        to_sender(&mut state, from, receipt, &to, &kind);
    }
    Ok(())
}

fn to_sender(state: &mut State, from: &Origin<'_>, receipt: &Node, to: &Jid, kind: &str) {
    let Some(target) = state.phone_of(to) else {
        return;
    };
    let Some(stanza) = stanza(state, from, receipt, None, Naming::of(to), kind) else {
        return;
    };
    // A retry asks one device to resend; the others are for every device of the sender.
    if kind == "retry" || kind == "enc_rekey_retry" || target == from.phone {
        state.deliver(&target, to.device, stanza, Delivery::Queued);
    } else {
        state.deliver_to_account(&target, None, &stanza, Delivery::Queued);
    }
}

fn to_group_sender(state: &mut State, from: &Origin<'_>, receipt: &Node, group: &Jid, kind: &str) {
    let Some(author) = receipt.jid_attr("participant") else {
        return;
    };
    let Some(target) = state.phone_of(&author) else {
        return;
    };
    let Some(stanza) = stanza(state, from, receipt, Some(group), Naming::Lid, kind) else {
        return;
    };
    if kind == "retry" || kind == "enc_rekey_retry" {
        state.deliver(&target, author.device, stanza, Delivery::Queued);
    } else {
        let skip = (target == from.phone).then_some(from.device);
        state.deliver_to_account(&target, skip, &stanza, Delivery::Queued);
    }
}

/// The receipt as the sender gets it: from the reader's device (or from the
/// group, with the reader as participant), its lists and retry details kept.
fn stanza(
    state: &State,
    from: &Origin<'_>,
    receipt: &Node,
    group: Option<&Jid>,
    naming: Naming,
    kind: &str,
) -> Option<Node> {
    let reader = state.accounts.get(from.phone)?;
    let reader_device = reader.device_jid(from.device, naming);
    let mut stanza = NodeBuilder::new("receipt")
        .attr("id", receipt.attr("id")?)
        .attr(
            "t",
            receipt.attr("t").unwrap_or_else(|| now_secs().to_string()),
        );
    stanza = match group {
        Some(group) => stanza
            .attr("from", group.clone())
            .attr("participant", reader_device)
            .attr("participant_pn", reader.user_jid(Naming::Phone)),
        None => stanza.attr("from", reader_device),
    };
    if !kind.is_empty() {
        stanza = stanza.attr("type", kind.to_owned());
    }
    for key in ["recipient", "category"] {
        if let Some(value) = receipt.attr(key) {
            stanza = stanza.attr(key, value);
        }
    }
    Some(stanza.children(receipt.kids().to_vec()).build())
}

fn ack(id: &str, to: &Jid, receipt: &Node) -> Node {
    let mut ack = NodeBuilder::new("ack")
        .attr("class", "receipt")
        .attr("id", id.to_owned())
        .attr("from", to.clone());
    if let Some(kind) = receipt.attr("type") {
        ack = ack.attr("type", kind);
    }
    ack.build()
}
