//! Who is connected, and getting stanzas to a device: at once when it is
//! online, from its offline queue at its next login otherwise.

use tokio::sync::mpsc::UnboundedSender;
use whatsapp_rust::wacore_binary::builder::NodeBuilder;
use whatsapp_rust::wacore_binary::node::Node;

use super::State;
use crate::wire::NodeExt;

/// What a connection's writer is asked to do.
#[derive(Debug)]
pub enum ToClient {
    Node(Node),
    /// Says these last words, then closes the connection.
    Close(Node),
    /// Drops the connection without a word (a network failure).
    Drop,
    /// From now on nothing goes either way, yet the connection stays open: a
    /// stalled ("zombie") connection.
    Mute,
}

/// A live connection of a logged-in device.
#[derive(Clone)]
pub struct Conn {
    pub id: u64,
    pub tx: UnboundedSender<ToClient>,
}

/// Whether a stanza waits for a device that is offline.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Messages, receipts, notifications: kept until the device logs in.
    Queued,
    /// Presence and typing: only worth anything now.
    IfOnline,
}

impl State {
    /// Registers a device's new connection; an earlier one of the same device is
    /// replaced, as WhatsApp does when a session logs in twice.
    /// What the device never acked goes back to the front of its offline queue.
    pub fn connect(&mut self, phone: &str, device: u16, conn: Conn) {
        if let Some(earlier) = self.connections.insert((phone.to_owned(), device), conn) {
            let _ = earlier.tx.send(ToClient::Close(replaced()));
        }
        if let Some(device) = self.device_mut(phone, device) {
            for node in std::mem::take(&mut device.unacked).into_iter().rev() {
                device.offline.push_front(node);
            }
        }
    }

    /// The device acked messages `ids`: WhatsApp no longer holds them for the device.
    pub fn acked(&mut self, phone: &str, device: u16, ids: &[String]) {
        if let Some(device) = self.device_mut(phone, device) {
            device
                .unacked
                .retain(|node| node.attr("id").is_none_or(|held| !ids.contains(&held)));
        }
    }

    /// Messages handed to devices and not acked yet, over every account.
    pub fn unacked_count(&self) -> usize {
        self.accounts
            .values()
            .flat_map(|account| account.devices.values())
            .map(|device| device.unacked.len())
            .sum()
    }

    fn device_mut(&mut self, phone: &str, device: u16) -> Option<&mut super::accounts::Device> {
        self.accounts
            .get_mut(phone)
            .and_then(|account| account.devices.get_mut(&device))
    }

    /// Remembers `node` as handed to the device and awaiting its ack, when it is a message.
    pub fn handed_over(&mut self, phone: &str, device: u16, node: &Node) {
        if node.tag != "message" {
            return;
        }
        if let Some(device) = self.device_mut(phone, device) {
            device.unacked.push(node.clone());
        }
    }

    /// Forgets a connection that ended, unless a newer one took its place.
    pub fn disconnect(&mut self, phone: &str, device: u16, conn_id: u64) {
        let key = (phone.to_owned(), device);
        if self
            .connections
            .get(&key)
            .is_some_and(|conn| conn.id == conn_id)
        {
            self.connections.remove(&key);
        }
    }

    pub fn connection(&self, phone: &str, device: u16) -> Option<&Conn> {
        self.connections.get(&(phone.to_owned(), device))
    }

    /// Sends `node` to one device, or keeps it for the device's next login.
    pub fn deliver(&mut self, phone: &str, device: u16, node: Node, delivery: Delivery) {
        let node = match self.connection(phone, device) {
            Some(conn) => {
                let held =
                    (delivery == Delivery::Queued && node.tag == "message").then(|| node.clone());
                match conn.tx.send(ToClient::Node(node)) {
                    Ok(()) => {
                        if let Some(held) = held {
                            self.handed_over(phone, device, &held);
                        }
                        return;
                    }
                    Err(unsent) => match unsent.0 {
                        ToClient::Node(node) => node,
                        _ => return,
                    },
                }
            }
            None => node,
        };
        if delivery == Delivery::IfOnline {
            return;
        }
        if let Some(device) = self
            .accounts
            .get_mut(phone)
            .and_then(|account| account.devices.get_mut(&device))
        {
            device.offline.push_back(node);
        }
    }

    /// Sends `node` to every device of the account `phone`, except `skip`.
    pub fn deliver_to_account(
        &mut self,
        phone: &str,
        skip: Option<u16>,
        node: &Node,
        delivery: Delivery,
    ) {
        let devices: Vec<u16> = self
            .accounts
            .get(phone)
            .map(|account| account.devices.keys().copied().collect())
            .unwrap_or_default();
        for device in devices.into_iter().filter(|d| Some(*d) != skip) {
            self.deliver(phone, device, node.clone(), delivery);
        }
    }

    /// What waited for a device while it was offline, marked as such.
    pub fn take_offline(&mut self, phone: &str, device: u16) -> Vec<Node> {
        let Some(device) = self
            .accounts
            .get_mut(phone)
            .and_then(|account| account.devices.get_mut(&device))
        else {
            return Vec::new();
        };
        device
            .offline
            .drain(..)
            .map(|mut node| {
                node.attrs.insert("offline", "1");
                node
            })
            .collect()
    }

    /// Says `last_words` to the account's connected devices that `which`
    /// picks (or drops them without a word), and closes them.
    pub fn close_devices(
        &mut self,
        phone: &str,
        which: impl Fn(u16) -> bool,
        last_words: impl Fn() -> Option<Node>,
    ) -> usize {
        let keys = self.connected_devices(phone, which);
        for key in &keys {
            if let Some(conn) = self.connections.remove(key) {
                let order = match last_words() {
                    Some(node) => ToClient::Close(node),
                    None => ToClient::Drop,
                };
                let _ = conn.tx.send(order);
            }
        }
        keys.len()
    }

    /// The devices' connections stall: open, silent both ways. They are
    /// forgotten here, so what is sent to the devices meanwhile waits offline.
    pub fn mute_devices(&mut self, phone: &str, which: impl Fn(u16) -> bool) {
        for key in self.connected_devices(phone, which) {
            if let Some(conn) = self.connections.remove(&key) {
                let _ = conn.tx.send(ToClient::Mute);
            }
        }
    }

    /// The account's connected devices that `which` picks, by connection key.
    fn connected_devices(&self, phone: &str, which: impl Fn(u16) -> bool) -> Vec<(String, u16)> {
        self.connections
            .keys()
            .filter(|(p, d)| p == phone && which(*d))
            .cloned()
            .collect()
    }
}

/// The stream error a session gets when the same device logs in elsewhere.
pub fn replaced() -> Node {
    stream_error_conflict("replaced")
}

/// A device unlinked by its phone: logged out for good.
pub fn stream_error_device_removed() -> Node {
    NodeBuilder::new("stream:error")
        .attr("code", "401")
        .children([NodeBuilder::new("conflict")
            .attr("type", "device_removed")
            .build()])
        .build()
}

/// "Restart the stream": the client reconnects at once (after linking, or on demand).
pub fn stream_restart() -> Node {
    stream_error_code("515")
}

pub fn stream_error_conflict(kind: &'static str) -> Node {
    NodeBuilder::new("stream:error")
        .children([NodeBuilder::new("conflict").attr("type", kind).build()])
        .build()
}

pub fn stream_error_code(code: &'static str) -> Node {
    NodeBuilder::new("stream:error").attr("code", code).build()
}
