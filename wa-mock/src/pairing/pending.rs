//! Clients waiting to be linked: what each registered with, its QR refs, and
//! the pairing-code requests in flight. Data only; linking is in `link`.

use std::collections::HashMap;
use std::time::Instant;

use tokio::sync::oneshot;
use whatsapp_rust::wacore_binary::node::Node;

use crate::world::accounts::SignalKeys;
use crate::world::routing::Conn;

/// A client that connected without an account: what it registered with.
pub struct Registration {
    pub conn: Conn,
    pub noise_key: [u8; 32],
    pub keys: SignalKeys,
}

/// Clients waiting to be linked, by connection, and their QR refs.
#[derive(Default)]
pub struct Pending {
    pub(super) registrations: HashMap<u64, Registration>,
    pub(super) refs: HashMap<String, u64>,
    pub(super) codes: HashMap<String, CodeRequest>,
}

impl Pending {
    pub fn forget(&mut self, conn_id: u64) {
        self.registrations.remove(&conn_id);
        self.refs.retain(|_, conn| *conn != conn_id);
        self.codes.retain(|_, request| request.conn_id != conn_id);
    }

    /// The registering client that shows this QR code (its keys must match).
    pub fn showing(
        &self,
        reference: &str,
        noise_key: &[u8; 32],
        identity: &[u8; 32],
    ) -> Option<u64> {
        let conn_id = *self.refs.get(reference)?;
        let registration = self.registrations.get(&conn_id)?;
        (registration.noise_key == *noise_key && registration.keys.identity == identity)
            .then_some(conn_id)
    }

    pub fn is_registering(&self, conn_id: u64) -> bool {
        self.registrations.contains_key(&conn_id)
    }
}

/// A companion's request to be linked to `phone` by code.
pub struct CodeRequest {
    pub conn_id: u64,
    pub(super) phone: String,
    pub(super) wrapped_ephemeral: Vec<u8>,
    pub(super) asked_at: Instant,
    /// Set while the phone waits for the companion's `companion_finish`.
    pub(super) finish: Option<oneshot::Sender<Node>>,
}
