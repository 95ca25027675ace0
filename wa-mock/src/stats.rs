//! What the server saw, for tests that check how clients reached it
//! (`GET /admin/stats`, the mock's own route beside the contract's).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

#[derive(Default)]
pub struct Stats {
    /// Handshakes by the pattern the server answered with.
    pub xx: AtomicU64,
    pub ik: AtomicU64,
    pub xx_fallback: AtomicU64,
    /// Handshakes the client dropped after the server's hello (its certificate
    /// check failed, or it went away).
    pub abandoned: AtomicU64,
    pub logins: AtomicU64,
    pub registrations: AtomicU64,
    /// Stanzas handed over from an offline queue at a device's login.
    pub offline_delivered: AtomicU64,
    /// Stanzas clients sent, by kind (`message`, `receipt:read`, `iq:usync`, ...).
    stanzas: Mutex<BTreeMap<String, u64>>,
}

impl Stats {
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub fn stanza(&self, kind: String) {
        let mut stanzas = self
            .stanzas
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *stanzas.entry(kind).or_default() += 1;
    }

    pub fn json(&self) -> Value {
        let stanzas = self
            .stanzas
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        json!({
            "handshakes": {
                "xx": read(&self.xx),
                "ik": read(&self.ik),
                "xxFallback": read(&self.xx_fallback),
                "abandoned": read(&self.abandoned),
            },
            "logins": read(&self.logins),
            "registrations": read(&self.registrations),
            "offlineDelivered": read(&self.offline_delivered),
            "stanzas": stanzas,
        })
    }
}
