//! `xmlns="w:sync:app:state"`: app-state collections (contacts, chat settings,
//! push name). The mock keeps none: every collection the client asks for is
//! answered as empty, which the client counts as synced.

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use crate::wire::{NodeExt, iq_error, iq_result};

pub fn answer(iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    let Some(sync) = iq.child("sync") else {
        // Patches the client pushes (a name change, an archive) are accepted.
        return iq_result(&id, Vec::new());
    };
    let collections: Vec<Node> = sync
        .kids()
        .iter()
        .filter_map(|collection| collection.attr("name"))
        .map(|name| NodeBuilder::new("collection").attr("name", name).build())
        .collect();
    if collections.is_empty() {
        return iq_error(&id, 400, "bad-request");
    }
    iq_result(
        &id,
        vec![NodeBuilder::new("sync").children(collections).build()],
    )
}
