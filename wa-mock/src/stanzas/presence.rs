//! Presence (online, last seen) for those who subscribed to it, and typing
//! indicators for the chat they are typed in. Neither waits for an offline device.

use whatsapp_rust::Server;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use crate::wire::{NodeExt, now_secs};
use crate::world::{Account, Delivery, Naming, State};

pub fn presence(from: &Origin<'_>, node: &Node) -> anyhow::Result<()> {
    let mut state = from.world.state();
    match node.attr("type").as_deref() {
        Some("subscribe") => {
            let target = node
                .jid_attr("to")
                .ok_or_else(|| anyhow::anyhow!("subscribe without `to`"))?;
            let Some(target) = state.phone_of(&target) else {
                return Ok(());
            };
            let Some(account) = state.accounts.get_mut(&target) else {
                return Ok(());
            };
            account.subscribers.insert(from.phone.to_owned());
            let current = presence_of(
                account,
                Naming::of(&node.jid_attr("to").unwrap_or_default()),
            );
            from.reply(current);
        }
        Some("unsubscribe") => {
            if let Some(account) = node
                .jid_attr("to")
                .and_then(|target| state.account_of_mut(&target))
            {
                account.subscribers.remove(from.phone);
            }
        }
        kind => {
            let Some(account) = state.accounts.get_mut(from.phone) else {
                return Ok(());
            };
            if let Some(name) = node.attr("name").filter(|name| !name.is_empty()) {
                account.push_name = name;
            }
            match kind {
                Some("available") => {
                    account.online.insert(from.device);
                }
                Some("unavailable") => {
                    account.online.remove(&from.device);
                    account.last_seen = now_secs();
                }
                _ => return Ok(()),
            }
            tell_subscribers(&mut state, from.phone);
        }
    }
    Ok(())
}

fn presence_of(account: &Account, naming: Naming) -> Node {
    let mut presence = NodeBuilder::new("presence").attr("from", account.user_jid(naming));
    if account.online.is_empty() {
        presence = presence.attr("type", "unavailable");
        if account.last_seen > 0 {
            presence = presence.attr("last", account.last_seen.to_string());
        }
    }
    presence.build()
}

fn tell_subscribers(state: &mut State, phone: &str) {
    let Some(account) = state.accounts.get(phone) else {
        return;
    };
    let update = presence_of(account, Naming::Phone);
    let subscribers: Vec<String> = account.subscribers.iter().cloned().collect();
    for subscriber in subscribers {
        state.deliver_to_account(&subscriber, None, &update, Delivery::IfOnline);
    }
}

/// `<chatstate to=..><composing/></chatstate>`: shown in that chat only.
pub fn chat_state(from: &Origin<'_>, node: &Node) -> anyhow::Result<()> {
    let to = node
        .jid_attr("to")
        .ok_or_else(|| anyhow::anyhow!("chatstate without `to`"))?;
    let mut state = from.world.state();
    let Some(sender) = state.accounts.get(from.phone) else {
        return Ok(());
    };
    let (audience, base) = if to.server == Server::Group {
        let Some(group) = state.groups.get(to.user.as_str()) else {
            return Ok(());
        };
        let audience: Vec<String> = group.members.iter().map(|m| m.phone.clone()).collect();
        let base = NodeBuilder::new("chatstate")
            .attr("from", to.clone())
            .attr("participant", sender.user_jid(Naming::Lid));
        (audience, base)
    } else {
        let Some(phone) = state.phone_of(&to) else {
            return Ok(());
        };
        let naming = Naming::of(&to);
        (
            vec![phone],
            NodeBuilder::new("chatstate").attr("from", sender.user_jid(naming)),
        )
    };
    let relayed = base.children(node.kids().to_vec()).build();
    for phone in audience.iter().filter(|phone| *phone != from.phone) {
        state.deliver_to_account(phone, None, &relayed, Delivery::IfOnline);
    }
    Ok(())
}
