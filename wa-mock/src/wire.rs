//! WhatsApp's wire below the stanzas: the connection intro and 3-byte length
//! frames of the WebSocket stream, and binary nodes in and out of frames.

use anyhow::{anyhow, bail};
use whatsapp_rust::wacore::framing::{FrameDecoder, encode_frame};
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::consts::WA_CONN_HEADER;
use whatsapp_rust::wacore_binary::marshal::{marshal, unmarshal_ref};
use whatsapp_rust::wacore_binary::node::{Node, NodeContent};
use whatsapp_rust::wacore_binary::util::unpack;
use whatsapp_rust::{Jid, Server};

/// The optional edge-routing pre-intro a client sends before the header.
const EDGE_ROUTING_MAGIC: &[u8] = b"ED\x00\x01";

/// Splits the client's byte stream into frames; the first bytes are the
/// connection intro (an optional edge-routing block, then `WA` and versions).
#[derive(Default)]
pub struct FrameReader {
    intro: Option<Vec<u8>>,
    decoder: FrameDecoder,
}

impl FrameReader {
    pub fn new() -> Self {
        Self {
            intro: Some(Vec::new()),
            decoder: FrameDecoder::new(),
        }
    }

    pub fn feed(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        let Some(intro) = self.intro.as_mut() else {
            self.decoder.feed(bytes);
            return Ok(());
        };
        intro.extend_from_slice(bytes);
        let mut at = 0;
        if intro.starts_with(EDGE_ROUTING_MAGIC) {
            let Some(length) = intro.get(4..7) else {
                return Ok(());
            };
            at = 7
                + ((usize::from(length[0]) << 16)
                    | (usize::from(length[1]) << 8)
                    | usize::from(length[2]));
        } else if intro.len() < EDGE_ROUTING_MAGIC.len() && EDGE_ROUTING_MAGIC.starts_with(intro) {
            return Ok(());
        }
        let Some(header) = intro.get(at..at + WA_CONN_HEADER.len()) else {
            return Ok(());
        };
        if header[..2] != WA_CONN_HEADER[..2] {
            bail!("the connection does not start with WhatsApp's header");
        }
        let rest = intro.split_off(at + WA_CONN_HEADER.len());
        self.intro = None;
        self.decoder.feed(&rest);
        Ok(())
    }

    pub fn next_frame(&mut self) -> Option<Vec<u8>> {
        self.decoder.decode_frame().map(|frame| frame.to_vec())
    }
}

/// A frame for the wire: the payload behind its 3-byte length.
pub fn frame(payload: &[u8]) -> anyhow::Result<Vec<u8>> {
    encode_frame(payload, None)
}

/// A decrypted frame's node (its first byte says whether it is compressed).
pub fn decode_node(plaintext: &[u8]) -> anyhow::Result<Node> {
    let unpacked = unpack(plaintext).map_err(|err| anyhow!("bad frame: {err}"))?;
    let node = unmarshal_ref(&unpacked).map_err(|err| anyhow!("bad node: {err}"))?;
    Ok(node.to_owned())
}

pub fn encode_node(node: &Node) -> anyhow::Result<Vec<u8>> {
    marshal(node).map_err(|err| anyhow!("cannot encode node <{}>: {err}", node.tag))
}

/// WhatsApp's own address, the `from` of everything the server says itself.
pub fn server_jid() -> Jid {
    Jid::new("", Server::Pn)
}

pub fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

/// Attribute readers over an owned node.
pub trait NodeExt {
    fn attr(&self, key: &str) -> Option<String>;
    fn jid_attr(&self, key: &str) -> Option<Jid>;
    fn child(&self, tag: &str) -> Option<&Node>;
    fn kids(&self) -> &[Node];
    fn bytes(&self) -> Option<&[u8]>;
    fn text(&self) -> Option<String>;
}

impl NodeExt for Node {
    fn attr(&self, key: &str) -> Option<String> {
        self.attrs.get(key).map(|value| value.as_str().into_owned())
    }

    fn jid_attr(&self, key: &str) -> Option<Jid> {
        let value = self.attrs.get(key)?;
        value.to_jid().or_else(|| value.as_str().parse().ok())
    }

    fn child(&self, tag: &str) -> Option<&Node> {
        self.kids().iter().find(|child| child.tag == tag)
    }

    fn kids(&self) -> &[Node] {
        self.children().unwrap_or_default()
    }

    fn bytes(&self) -> Option<&[u8]> {
        match &self.content {
            Some(NodeContent::Bytes(bytes)) => Some(bytes),
            Some(NodeContent::String(text)) => Some(text.as_bytes()),
            _ => None,
        }
    }

    fn text(&self) -> Option<String> {
        self.bytes()
            .map(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }
}

/// `<iq type="result" id=.. from="s.whatsapp.net">` with `children`.
pub fn iq_result(id: &str, children: Vec<Node>) -> Node {
    let builder = NodeBuilder::new("iq")
        .attr("id", id.to_owned())
        .attr("type", "result")
        .attr("from", server_jid());
    if children.is_empty() {
        builder.build()
    } else {
        builder.children(children).build()
    }
}

/// `<iq type="error">` with WhatsApp's error code and text.
pub fn iq_error(id: &str, code: u16, text: &str) -> Node {
    NodeBuilder::new("iq")
        .attr("id", id.to_owned())
        .attr("type", "error")
        .attr("from", server_jid())
        .children([NodeBuilder::new("error")
            .attr("code", code.to_string())
            .attr("text", text.to_owned())
            .build()])
        .build()
}

/// A node whose content is raw bytes (never a string: clients read bytes).
pub fn bytes_node(tag: &'static str, bytes: impl Into<Vec<u8>>) -> Node {
    NodeBuilder::new(tag).bytes(bytes).build()
}

/// Parses a JID from a stanza attribute value, or says which one is bad.
pub fn parse_jid(value: &str) -> anyhow::Result<Jid> {
    value
        .parse()
        .map_err(|err| anyhow!("not a JID: {value}: {err:?}"))
}

/// A random stanza id in WhatsApp's style.
pub fn stanza_id() -> String {
    format!("{:016X}", rand::random::<u64>())
}
