//! The account's own settings: unlinking a device (`md`), privacy, blocklist.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use crate::devices;
use crate::wire::{NodeExt, iq_error, iq_result, now_secs};

use whatsapp_rust::wacore::iq::mex_operations::fetch_reachout_timelock;

/// `xmlns="md"`: a logged-in device removes itself (or another of its account's
/// companions) — a logout from the device's side.
pub fn answer_md(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let Some(removal) = iq.child("remove-companion-device") else {
        return iq_error(&id, 501, "feature-not-implemented");
    };
    let Some(target) = removal.jid_attr("jid") else {
        return iq_error(&id, 400, "bad-request");
    };
    let mut state = from.world.state();
    if state.phone_of(&target).as_deref() != Some(from.phone) || target.device == 0 {
        return iq_error(&id, 403, "forbidden");
    }
    // The device logging itself out closes its own connection.
    let tell = target.device != from.device;
    devices::unlink(&mut state, from.phone, target.device, tell);
    iq_result(&id, Vec::new())
}

pub fn answer_privacy(iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    if iq.attr("type").as_deref() == Some("get") && iq.child("privacy").is_some() {
        return iq_result(&id, vec![NodeBuilder::new("privacy").build()]);
    }
    // Privacy tokens and setting changes: taken, not modelled.
    iq_result(&id, Vec::new())
}

/// The account's blocklist, as WhatsApp keeps it; a block stops the blocked
/// person's messages to the account (see `messages`).
pub fn answer_blocklist(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let mut state = from.world.state();
    let Some(account) = state.accounts.get_mut(from.phone) else {
        return iq_error(&id, 404, "item-not-found");
    };
    if iq.attr("type").as_deref() == Some("set") {
        for item in iq.kids().iter().filter(|item| item.tag == "item") {
            let (Some(jid), Some(action)) = (item.jid_attr("jid"), item.attr("action")) else {
                continue;
            };
            let person = jid.user.to_string();
            match action.as_str() {
                "block" => {
                    account.blocked.insert(person);
                }
                "unblock" => {
                    account.blocked.remove(&person);
                }
                _ => {}
            }
        }
        return iq_result(&id, Vec::new());
    }
    let items = account
        .blocked
        .iter()
        .map(|person| {
            NodeBuilder::new("item")
                .attr("jid", whatsapp_rust::Jid::pn(person.as_str()))
                .build()
        })
        .collect::<Vec<_>>();
    iq_result(&id, vec![NodeBuilder::new("list").children(items).build()])
}

/// `xmlns="w:mex"`: WhatsApp's GraphQL queries. The mock plays one, the
/// account's reach-out timelock; the others are answered as unknown.
pub fn answer_mex(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let query = iq.child("query").and_then(|query| query.attr("query_id"));
    if query.as_deref() != Some(fetch_reachout_timelock::DOC_ID) {
        return iq_error(&id, 501, "feature-not-implemented");
    }
    let now = now_secs();
    let until = from
        .world
        .state()
        .accounts
        .get(from.phone)
        .and_then(|account| account.reachout_lock_until)
        .filter(|until| *until > now);
    let lock = match until {
        Some(until) => serde_json::json!({
            "is_active": true,
            "enforcement_type": "DEFAULT",
            "time_enforcement_ends": until.to_string(),
        }),
        None => serde_json::json!({"is_active": false}),
    };
    let body = serde_json::json!({"data": {"xwa2_fetch_account_reachout_timelock": lock}});
    iq_result(
        &id,
        vec![
            NodeBuilder::new("result")
                .bytes(body.to_string().into_bytes())
                .build(),
        ],
    )
}
