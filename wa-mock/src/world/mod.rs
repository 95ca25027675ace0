//! Everything the server knows, in memory for the life of the process:
//! accounts and devices, who is connected, pairings in progress, groups.
//!
//! One lock over the whole state: every change is a short, synchronous
//! critical section, never held across an await.

pub mod accounts;
mod groups;
pub mod media;
pub mod routing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub use crate::wire::stanza_id;
pub use accounts::{Account, Ban, Device, Naming, SignalKeys, SignedPreKey, sign};
pub use groups::{Group, Member, Role};
pub use routing::{
    Conn, Delivery, ToClient, stream_error_code, stream_error_conflict,
    stream_error_device_removed, stream_restart,
};
use tokio::sync::oneshot;
use whatsapp_rust::wacore_binary::node::Node;
use whatsapp_rust::{Jid, Server};

use crate::noise::ServerIdentity;
use crate::phone::Phones;
use crate::stats::Stats;
use media::MediaStore;

/// The server: its identity, its state, the media it stores and the phones it plays.
pub struct World {
    state: Mutex<State>,
    pub identity: ServerIdentity,
    pub media: MediaStore,
    pub phones: Phones,
    pub stats: Stats,
    /// `host:port` of this server, for the addresses it hands out (media hosts).
    pub address: String,
}

impl World {
    pub fn new(address: String, phones: Phones) -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            identity: ServerIdentity::generate(),
            media: MediaStore::default(),
            phones,
            stats: Stats::default(),
            address,
        })
    }

    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
pub struct State {
    pub accounts: HashMap<String, Account>,
    lids: HashMap<String, String>,
    pub(crate) connections: HashMap<(String, u16), Conn>,
    pub groups: HashMap<String, Group>,
    /// Clients waiting to be linked.
    pub pairing: crate::pairing::pending::Pending,
    /// Answers to the IQs the server asked a client, by stanza id.
    waiters: HashMap<String, oneshot::Sender<Node>>,
    next_number: u64,
}

impl State {
    /// The account a JID names, by phone number or LID.
    pub fn account_of(&self, jid: &Jid) -> Option<&Account> {
        self.phone_of(jid)
            .and_then(|phone| self.accounts.get(&phone))
    }

    pub fn account_of_mut(&mut self, jid: &Jid) -> Option<&mut Account> {
        let phone = self.phone_of(jid)?;
        self.accounts.get_mut(&phone)
    }

    /// The phone number behind a JID (itself for a phone JID, looked up for a LID).
    pub fn phone_of(&self, jid: &Jid) -> Option<String> {
        match jid.server {
            Server::Pn => Some(jid.user.to_string()),
            Server::Lid => self.lids.get(jid.user.as_str()).cloned(),
            _ => None,
        }
    }

    /// A new account; `phone` is taken when given, a fresh number otherwise.
    pub fn create_account(
        &mut self,
        phone: Option<String>,
        push_name: Option<String>,
        identity: whatsapp_rust::wacore::libsignal::protocol::KeyPair,
    ) -> &mut Account {
        self.next_number += 1;
        let phone = phone.unwrap_or_else(|| {
            loop {
                let candidate = format!("1555{:07}", self.next_number);
                if !self.accounts.contains_key(&candidate) {
                    break candidate;
                }
                self.next_number += 1;
            }
        });
        let lid = format!("2{:014}", 7_000_000 + self.next_number);
        let push_name = push_name.unwrap_or_else(|| format!("Phone {phone}"));
        self.lids.insert(lid.clone(), phone.clone());
        self.accounts
            .entry(phone.clone())
            .or_insert_with(|| Account::new(phone, lid, push_name, identity))
    }

    /// Forgets an account whose phone could not be started.
    pub fn remove_account(&mut self, phone: &str) {
        if let Some(account) = self.accounts.remove(phone) {
            self.lids.remove(&account.lid);
        }
    }

    /// Registers an answer waiter for an IQ the server sends.
    pub fn await_answer(&mut self, id: &str) -> oneshot::Receiver<Node> {
        let (tx, rx) = oneshot::channel();
        self.waiters.insert(id.to_owned(), tx);
        rx
    }

    /// Hands a client's answer to whoever asked; false if nobody did.
    pub fn answer(&mut self, node: Node) -> bool {
        let Some(id) = node.attrs.get("id").map(|id| id.as_str().into_owned()) else {
            return false;
        };
        match self.waiters.remove(&id) {
            Some(waiter) => waiter.send(node).is_ok(),
            None => false,
        }
    }

    pub fn forget_waiter(&mut self, id: &str) {
        self.waiters.remove(id);
    }
}
