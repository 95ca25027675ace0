//! Building blocks of several servers on one database: this node's identity,
//! the leases it holds, how nodes sign requests to each other, and the
//! signals they send through PostgreSQL `LISTEN/NOTIFY`. The lease keeper
//! (`actors::lease_keeper`) and the services (`app::cluster`) use them.

pub mod identity;
pub mod signals;
pub mod signing;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

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

    pub fn len(&self) -> usize {
        self.read().len()
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
