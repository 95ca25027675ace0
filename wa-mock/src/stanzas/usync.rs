//! `xmlns="usync"`: what a client asks about people before writing to them —
//! their devices (with the phone's signed key-index list), LID, whether a
//! number is on WhatsApp, their status.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::{Jid, Server};

use super::Origin;
use crate::wire::{NodeExt, iq_error, iq_result};
use crate::world::{Account, Naming, State};

pub fn answer(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let Some(usync) = iq.child("usync") else {
        return iq_error(&id, 400, "bad-request");
    };
    let asked: Vec<String> = usync
        .child("query")
        .map(|query| query.kids().iter().map(|q| q.tag.to_string()).collect())
        .unwrap_or_default();
    let state = from.world.state();
    let users: Vec<Node> = usync
        .child("list")
        .map(|list| list.kids())
        .unwrap_or_default()
        .iter()
        .filter_map(|user| answer_user(&state, user, &asked))
        .collect();
    let mut reply = NodeBuilder::new("usync");
    for key in ["sid", "mode", "context", "index", "last"] {
        if let Some(value) = usync.attr(key) {
            reply = reply.attr(key, value);
        }
    }
    iq_result(
        &id,
        vec![
            reply
                .children([NodeBuilder::new("list").children(users).build()])
                .build(),
        ],
    )
}

fn answer_user(state: &State, user: &Node, asked: &[String]) -> Option<Node> {
    let jid = match user.jid_attr("jid") {
        Some(jid) => jid.to_non_ad(),
        None => {
            // `<user><contact>+15551234567</contact></user>`: a number to check.
            let number: String = user
                .child("contact")?
                .text()?
                .chars()
                .filter(char::is_ascii_digit)
                .collect();
            Jid::pn(number)
        }
    };
    let account = state.account_of(&jid);
    let mut node = NodeBuilder::new("user").attr("jid", jid.clone());
    if let (Some(account), Server::Lid) = (account, jid.server) {
        node = node.attr("pn_jid", account.user_jid(Naming::Phone));
    }
    let children = asked
        .iter()
        .filter_map(|protocol| result(protocol, account))
        .collect::<Vec<_>>();
    Some(node.children(children).build())
}

fn result(protocol: &str, account: Option<&Account>) -> Option<Node> {
    let not_found = |tag: &'static str| {
        NodeBuilder::new(tag)
            .children([NodeBuilder::new("error")
                .attr("code", "404")
                .attr("text", "item-not-found")
                .build()])
            .build()
    };
    Some(match (protocol, account) {
        ("contact", Some(_)) => NodeBuilder::new("contact").attr("type", "in").build(),
        ("contact", None) => NodeBuilder::new("contact").attr("type", "out").build(),
        ("devices", Some(account)) => devices(account),
        ("devices", None) => not_found("devices"),
        ("lid", Some(account)) => NodeBuilder::new("lid")
            .attr("val", account.user_jid(Naming::Lid))
            .build(),
        ("status", Some(_)) => NodeBuilder::new("status")
            .attr("t", "0")
            .string_content("Hey there! I am using WhatsApp.")
            .build(),
        ("picture", _) => not_found("picture"),
        // Accounts are not businesses, and nothing else is modelled.
        _ => return None,
    })
}

fn devices(account: &Account) -> Node {
    let mut list = vec![NodeBuilder::new("device").attr("id", "0").build()];
    list.extend(account.companions().map(|device| {
        NodeBuilder::new("device")
            .attr("id", device.id.to_string())
            .attr("key-index", device.key_index.to_string())
            .build()
    }));
    let (timestamp, signed) = account.key_index_list();
    NodeBuilder::new("devices")
        .children([
            NodeBuilder::new("device-list").children(list).build(),
            NodeBuilder::new("key-index-list")
                .attr("ts", timestamp.to_string())
                .bytes(signed)
                .build(),
        ])
        .build()
}
