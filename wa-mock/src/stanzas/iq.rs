//! IQs: a client's questions and requests, by namespace, and its answers to
//! the server's own IQs.

use std::sync::Arc;

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::{Origin, account, groups, media_conn, prekeys, sync, usync};
use crate::login;
use crate::pairing::{answer_companion_finish, answer_companion_hello};
use crate::wire::{NodeExt, iq_error, iq_result, now_secs};
use crate::world::{Conn, ToClient, World};

pub fn handle(from: &Origin<'_>, node: Node) -> anyhow::Result<()> {
    let id = node.attr("id").unwrap_or_default();
    match node.attr("type").as_deref() {
        Some("result" | "error") => {
            from.world.state().answer(node);
            return Ok(());
        }
        Some("get" | "set") => {}
        _ => {
            from.reply(iq_error(&id, 400, "bad-request"));
            return Ok(());
        }
    }
    let xmlns = node.attr("xmlns").unwrap_or_default();
    let answer = match xmlns.as_str() {
        "w:p" | "urn:xmpp:ping" => Some(ping(&id)),
        "passive" => {
            from.reply(iq_result(&id, Vec::new()));
            if login::is_active_iq(&node) {
                login::came_online(from.world, from.phone, from.device);
            }
            None
        }
        "encrypt" => Some(prekeys::answer(from, &node)),
        "usync" => Some(usync::answer(from, &node)),
        "w:sync:app:state" => Some(sync::answer(&node)),
        "w:m" => Some(media_conn::answer(from, &node)),
        "w:g2" => groups::answer(from, &node),
        "md" => Some(account::answer_md(from, &node)),
        "abt" => Some(iq_result(
            &id,
            vec![
                NodeBuilder::new("props")
                    .attr("protocol", "1")
                    .attr("hash", "mock")
                    .build(),
            ],
        )),
        "privacy" => Some(account::answer_privacy(&node)),
        "w:mex" => Some(account::answer_mex(from, &node)),
        "blocklist" => Some(account::answer_blocklist(from, &node)),
        // Accepted and not modelled: profile pictures (none), status text, the
        // clean-dirty mark, push settings, terms of service.
        "w:profile:picture"
        | "status"
        | "urn:xmpp:whatsapp:dirty"
        | "urn:xmpp:whatsapp:push"
        | "tos" => Some(iq_result(&id, Vec::new())),
        other => {
            tracing::debug!(xmlns = other, "an IQ the mock does not play");
            Some(iq_error(&id, 501, "feature-not-implemented"))
        }
    };
    if let Some(answer) = answer {
        from.reply(answer);
    }
    Ok(())
}

fn ping(id: &str) -> Node {
    let mut pong = iq_result(id, Vec::new());
    pong.attrs.insert("t", now_secs().to_string());
    pong
}

/// What a client waiting to be linked may ask: pings and the pairing-code steps.
pub fn while_registering(world: &Arc<World>, conn_id: u64, conn: &Conn, node: Node) {
    if node.tag != "iq" {
        return;
    }
    let id = node.attr("id").unwrap_or_default();
    let answer = match node.attr("type").as_deref() {
        Some("result" | "error") => {
            world.state().answer(node);
            None
        }
        _ => {
            let stage = node
                .child("link_code_companion_reg")
                .and_then(|request| request.attr("stage"));
            let mut state = world.state();
            match (node.attr("xmlns").as_deref(), stage.as_deref()) {
                (Some("w:p"), _) => Some(ping(&id)),
                (Some("md"), Some("companion_hello")) => {
                    Some(answer_companion_hello(&mut state, conn_id, &node))
                }
                (Some("md"), Some("companion_finish")) => {
                    answer_companion_finish(&mut state, conn_id, &node)
                }
                _ => Some(iq_error(&id, 401, "not-authorized")),
            }
        }
    };
    if let Some(answer) = answer {
        let _ = conn.tx.send(ToClient::Node(answer));
    }
}
