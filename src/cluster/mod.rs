//! Building blocks of several servers on one database: this node's identity,
//! the leases it holds and whether they are still fresh, and how nodes sign
//! requests to each other. The lease keeper (`actors::lease_keeper`), the
//! services (`app::cluster`) and the engine's session store use them; the
//! database side is `db::cluster` and `db::signals`.

pub mod identity;
pub mod signing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};

use crate::config::ClusterSettings;

/// What every part of a clustered node needs to know about the cluster.
#[derive(Clone)]
pub struct Cluster {
    inner: Arc<Inner>,
}

struct Inner {
    node_id: String,
    advertise_url: String,
    secret: SecretString,
    lease_ttl: Duration,
    holdings: Holdings,
    /// When the last successful renewal was sent: every lease it renewed lasts
    /// at least a TTL from then (the database stamped it later).
    renewed_at: Mutex<Instant>,
}

impl Cluster {
    pub fn new(settings: &ClusterSettings, node_id: String) -> Self {
        Self {
            inner: Arc::new(Inner {
                node_id,
                advertise_url: settings
                    .advertise_url
                    .trim()
                    .trim_end_matches('/')
                    .to_owned(),
                secret: settings.secret.clone(),
                lease_ttl: Duration::from_millis(settings.lease_ttl_ms),
                holdings: Holdings::default(),
                renewed_at: Mutex::new(Instant::now()),
            }),
        }
    }

    pub fn node_id(&self) -> &str {
        &self.inner.node_id
    }

    pub fn advertise_url(&self) -> &str {
        &self.inner.advertise_url
    }

    pub fn lease_ttl(&self) -> Duration {
        self.inner.lease_ttl
    }

    pub fn lease_ttl_ms(&self) -> i64 {
        i64::try_from(self.inner.lease_ttl.as_millis()).unwrap_or(i64::MAX)
    }

    pub fn holdings(&self) -> &Holdings {
        &self.inner.holdings
    }

    pub fn renewed(&self, sent_at: Instant) {
        *self
            .inner
            .renewed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = sent_at;
    }

    /// Whether this node's leases may be past their safe part: three quarters
    /// of a TTL since the last renewal. Its sessions must stop (and write nothing).
    pub fn leases_stale(&self) -> bool {
        let renewed_at = *self
            .inner
            .renewed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        renewed_at.elapsed() > self.inner.lease_ttl * 3 / 4
    }

    /// Whether this node's sessions must stop: five eighths of a TTL since the
    /// last renewal, before writes are refused (`leases_stale`), so a session
    /// stops rather than meet refused writes.
    pub fn sessions_must_stop(&self) -> bool {
        let renewed_at = *self
            .inner
            .renewed_at
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        renewed_at.elapsed() > self.inner.lease_ttl * 5 / 8
    }

    /// Whether this node may write the instance's session now: it holds the
    /// lease and the lease is fresh. Checked at every write, so a node that was
    /// frozen past its lease writes nothing even before its keeper wakes up.
    pub fn may_write(&self, instance_id: &str) -> bool {
        self.inner.holdings.holds(instance_id) && !self.leases_stale()
    }

    pub(crate) fn secret(&self) -> &[u8] {
        self.inner.secret.expose_secret().as_bytes()
    }
}

/// The leases this node holds, by instance, with their epochs. The lease
/// keeper is the only writer; the forwarder and the supervisor read it.
#[derive(Clone, Default)]
pub struct Holdings(Arc<RwLock<HashMap<String, i64>>>);

impl Holdings {
    pub fn epoch_of(&self, instance_id: &str) -> Option<i64> {
        self.read().get(instance_id).copied()
    }

    pub fn holds(&self, instance_id: &str) -> bool {
        self.read().contains_key(instance_id)
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    pub fn ids(&self) -> Vec<String> {
        self.read().keys().cloned().collect()
    }

    pub fn insert(&self, instance_id: &str, epoch: i64) {
        self.write().insert(instance_id.to_owned(), epoch);
    }

    pub fn remove(&self, instance_id: &str) -> bool {
        self.write().remove(instance_id).is_some()
    }

    /// Empties the holdings, answering what was held.
    pub fn take_all(&self) -> Vec<String> {
        self.write().drain().map(|(id, _)| id).collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<String, i64>> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, i64>> {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Which node runs an instance's actor, and the epoch its writes carry: a
/// status written under an older epoch (a holder that lost its lease) is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fence {
    pub node_id: String,
    pub epoch: i64,
}
