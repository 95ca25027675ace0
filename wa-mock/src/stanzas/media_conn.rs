//! `xmlns="w:m"`: where to upload and download media — this server's own
//! address, whose HTTP side stores the encrypted blobs (see `media`).

use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::Origin;
use crate::wire::{NodeExt, iq_result};

pub fn answer(from: &Origin<'_>, iq: &Node) -> Node {
    let id = iq.attr("id").unwrap_or_default();
    iq_result(
        &id,
        vec![
            NodeBuilder::new("media_conn")
                .attr("auth", from.world.media.auth_token().to_owned())
                .attr("ttl", "3600")
                .attr("auth_ttl", "21600")
                .attr("max_buckets", "12")
                .children([NodeBuilder::new("host")
                    .attr("hostname", from.world.address.clone())
                    .build()])
                .build(),
        ],
    )
}
