//! What the server does with each stanza a client sends.

mod account;
mod group_messages;
mod group_notices;
mod groups;
mod iq;
mod media_conn;
mod media_retry;
mod messages;
mod prekeys;
mod presence;
mod receipts;
mod relay;
mod sync;
mod usync;

use std::sync::Arc;

use whatsapp_rust::wacore_binary::node::Node;

use crate::login::Who;
use crate::wire::NodeExt;
use crate::world::{Conn, ToClient, World};

/// The sender of a stanza, and how to answer it.
pub struct Origin<'a> {
    pub world: &'a Arc<World>,
    pub phone: &'a str,
    pub device: u16,
    pub conn: &'a Conn,
}

impl Origin<'_> {
    pub fn reply(&self, node: Node) {
        let _ = self.conn.tx.send(ToClient::Node(node));
    }
}

pub fn handle(world: &Arc<World>, who: &Who, conn: &Conn, node: Node) {
    let (phone, device) = match who {
        Who::Registering { conn_id } => return iq::while_registering(world, *conn_id, conn, node),
        Who::Device { phone, device } => (phone.as_str(), *device),
    };
    let from = Origin {
        world,
        phone,
        device,
        conn,
    };
    let tag = node.tag.to_string();
    let id = node.attr("id").unwrap_or_default();
    let detail = match tag.as_str() {
        "iq" => node.attr("xmlns"),
        "receipt" | "ack" => Some(
            node.attr("type")
                .or_else(|| node.attr("class"))
                .unwrap_or_else(|| "delivery".into()),
        ),
        "message" => node.attr("category").or_else(|| node.attr("type")),
        _ => None,
    };
    world.stats.stanza(match detail {
        Some(detail) => format!("{tag}:{detail}"),
        None => tag.clone(),
    });
    let outcome = match tag.as_str() {
        "iq" => iq::handle(&from, node),
        "message" => messages::relay(&from, &node),
        "receipt" => {
            // A device's receipt for a message is also its ack of it.
            world
                .state()
                .acked(phone, device, &receipts::named_ids(&node));
            receipts::relay(&from, &node)
        }
        "presence" => presence::presence(&from, &node),
        "chatstate" => presence::chat_state(&from, &node),
        "ack" => {
            if node.attr("class").as_deref() == Some("message") {
                world.state().acked(phone, device, &[id.to_string()]);
            }
            Ok(())
        }
        // The client's own session marks, calls.
        "ib" | "call" => Ok(()),
        other => {
            tracing::debug!(tag = other, "ignored a stanza");
            Ok(())
        }
    };
    if let Err(err) = outcome {
        tracing::debug!(phone, device, tag, id, "stanza refused: {err:#}");
    }
}
