//! What every relayed message shares: the server's ack to the sender, the
//! relayed stanza's common part, and the accounts it makes contacts.

use whatsapp_rust::Jid;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use crate::wire::{NodeExt, now_secs};
use crate::world::{Account, State};

/// The server's receipt of a sent message: `error` when it was refused.
pub fn ack(id: &str, to: &Jid, error: Option<u16>) -> Node {
    let mut ack = NodeBuilder::new("ack")
        .attr("class", "message")
        .attr("id", id.to_owned())
        .attr("from", to.clone())
        .attr("t", now_secs().to_string());
    if let Some(code) = error {
        ack = ack.attr("error", code.to_string());
    }
    ack.build()
}

/// A relayed `<message>`: the sent one's id and type, stamped now, with the
/// sender's name; the caller says where it comes from.
pub fn relayed(message: &Node, sender: &Account) -> Option<NodeBuilder> {
    Some(
        NodeBuilder::new("message")
            .attr("id", message.attr("id")?)
            .attr("t", now_secs().to_string())
            .attr(
                "type",
                message.attr("type").unwrap_or_else(|| "text".into()),
            )
            .attr("notify", sender.push_name.clone()),
    )
}

/// What a relayed stanza keeps of the sent one beside its `<enc>`s: an edit's
/// kind (`edit`) and the `<meta>` that names a poll or an event.
pub fn finish(
    mut stanza: NodeBuilder,
    message: &Node,
    encs: impl IntoIterator<Item = Node>,
) -> Node {
    if let Some(edit) = message.attr("edit") {
        stanza = stanza.attr("edit", edit);
    }
    let mut children: Vec<Node> = message
        .kids()
        .iter()
        .filter(|child| child.tag == "meta")
        .cloned()
        .collect();
    children.extend(encs);
    stanza.children(children).build()
}

/// Two accounts that wrote to each other hear about each other's device changes.
pub fn note_contacts(state: &mut State, a: &str, b: &str) {
    if a == b {
        return;
    }
    if let Some(account) = state.accounts.get_mut(a) {
        account.contacts.insert(b.to_owned());
    }
    if let Some(account) = state.accounts.get_mut(b) {
        account.contacts.insert(a.to_owned());
    }
}
