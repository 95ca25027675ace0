//! The cluster as the services see it: where a new instance goes, who holds an
//! instance (for forwarding), the node registry, and telling the other nodes
//! about a changed user or asking them to make their writes visible.

use std::time::Duration;

use super::Deps;
use crate::actors::supervisor::StartInstance;
use crate::cluster::{Cluster, Fence, signing};
use crate::db;
pub use crate::db::cluster::{Holder, Node};
use crate::db::signals::{Signal, Signals};
use crate::error::ApiError;

/// Where a request about an instance is served.
pub enum Route {
    Here,
    Elsewhere(Holder),
    /// Changing holders right now: the caller should try again in a moment.
    Moving,
}

/// What a clustered node's services work with.
pub struct ClusterDeps {
    pub cluster: Cluster,
    pub signals: Signals,
    /// Nonces of node requests seen lately.
    pub replays: signing::ReplayGuard,
    /// Other nodes' holdings, as last looked up.
    pub holders: std::sync::Arc<HolderCache>,
}

/// Where instances held by other nodes were found lately, for a quarter TTL.
pub struct HolderCache {
    ttl: Duration,
    found: std::sync::Mutex<std::collections::HashMap<String, (Holder, std::time::Instant)>>,
}

/// Past this many entries the cache starts over rather than grow.
const MAX_REMEMBERED_HOLDERS: usize = 100_000;

impl HolderCache {
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            found: Default::default(),
        }
    }

    fn map(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<String, (Holder, std::time::Instant)>>
    {
        self.found
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn get(&self, instance_id: &str) -> Option<Holder> {
        self.map()
            .get(instance_id)
            .filter(|(_, at)| at.elapsed() < self.ttl)
            .map(|(holder, _)| holder.clone())
    }

    fn remember(&self, instance_id: &str, holder: &Holder) {
        let mut map = self.map();
        if map.len() >= MAX_REMEMBERED_HOLDERS {
            map.clear();
        }
        map.insert(
            instance_id.to_owned(),
            (holder.clone(), std::time::Instant::now()),
        );
    }

    fn forget(&self, instance_id: &str) {
        self.map().remove(instance_id);
    }

    /// Leases moved: look everything up again.
    pub fn clear(&self) {
        self.map().clear();
    }
}

/// How long a node waits for another to make its writes visible.
const VISIBLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The internal route another node calls to make this node's queued writes
/// (and usage counts) visible in the database.
pub const VISIBLE_PATH: &str = "/internal/cluster/visible";

pub struct ClusterService<'a> {
    deps: &'a Deps,
    cluster: &'a ClusterDeps,
}

impl<'a> ClusterService<'a> {
    pub(super) fn new(deps: &'a Deps) -> Option<Self> {
        deps.cluster.as_ref().map(|cluster| Self { deps, cluster })
    }

    pub fn node_id(&self) -> &str {
        self.cluster.cluster.node_id()
    }

    /// Gives a new instance to the live node with the fewest, and starts it
    /// here when that is this node.
    pub(super) async fn place(&self, instance: &entity::instances::Model) -> Result<(), ApiError> {
        let cluster = &self.cluster.cluster;
        let ttl = cluster.lease_ttl_ms();
        let target = db::cluster::emptiest_node(&self.deps.db, cluster.node_id(), ttl)
            .await?
            .unwrap_or_else(|| cluster.node_id().to_owned());
        let lease = db::cluster::assign(&self.deps.db, &instance.id, &target, ttl).await?;
        if target == cluster.node_id() {
            cluster.holdings().insert(&instance.id, lease.epoch);
            let start = StartInstance {
                instance: instance.clone(),
                fence: Some(Fence {
                    node_id: target,
                    epoch: lease.epoch,
                }),
            };
            super::access::ask(self.deps, &self.deps.supervisor, start).await?;
            return Ok(());
        }
        let assigned = Signal::LeaseAssigned {
            node_id: target.clone(),
            instance_id: instance.id.clone(),
        };
        if let Err(err) = self.cluster.signals.send(&assigned).await {
            // The node finds it at its next renewal anyway.
            tracing::warn!(error = %err, node = %target, "new lease not signalled");
        }
        Ok(())
    }

    /// Where a request about the instance is served. Another node's holding is
    /// remembered briefly: if it moved meanwhile, that node answers `not_holder`
    /// (or does not answer) and the caller asks again with `fresh`.
    pub async fn route(&self, instance_id: &str, fresh: bool) -> Result<Route, ApiError> {
        let cluster = &self.cluster.cluster;
        if cluster.holdings().holds(instance_id) {
            // Taken over a moment ago: its actor is on its way.
            if self.deps.registry.get(instance_id).is_none() {
                return Ok(Route::Moving);
            }
            return Ok(Route::Here);
        }
        if !fresh && let Some(holder) = self.cluster.holders.get(instance_id) {
            return Ok(Route::Elsewhere(holder));
        }
        self.cluster.holders.forget(instance_id);
        match db::cluster::holder(&self.deps.db, instance_id).await? {
            Some(holder) if holder.node_id != cluster.node_id() => {
                self.cluster.holders.remember(instance_id, &holder);
                Ok(Route::Elsewhere(holder))
            }
            // Given to this node a moment ago, not started yet.
            Some(_) => Ok(Route::Moving),
            // Between two holders (one lost, the next not there yet).
            None if db::cluster::has_lease(&self.deps.db, instance_id).await? => Ok(Route::Moving),
            // Deleted, or no such instance: answered here as anywhere.
            None => Ok(Route::Here),
        }
    }

    /// Signs a request to another node.
    pub fn sign(&self, method: &str, path: &str, body: String) -> Option<signing::Signed> {
        let cluster = &self.cluster.cluster;
        signing::sign(cluster.secret(), cluster.node_id(), method, path, body)
    }

    /// Checks a request another node signed (and that it is not a replay).
    pub fn verify(
        &self,
        method: &str,
        path: &str,
        signed: &signing::Signed,
    ) -> Result<(), signing::Refused> {
        self.cluster
            .replays
            .verify(self.cluster.cluster.secret(), method, path, signed)
    }

    /// Another node asks this one to make its queued writes visible.
    pub async fn make_writes_visible(&self) -> Result<(), ApiError> {
        super::access::ask(
            self.deps,
            &self.deps.stats,
            crate::actors::stats::FlushStats,
        )
        .await?
        .map_err(ApiError::from)?;
        super::access::writes_visible(self.deps).await;
        Ok(())
    }

    /// Whether this node runs the instance now.
    pub fn holds(&self, instance_id: &str) -> bool {
        self.cluster.cluster.holdings().holds(instance_id)
    }

    /// Whether the instance's actor is running here (it is not while a
    /// takeover starts it).
    pub fn running(&self, instance_id: &str) -> bool {
        self.deps.registry.get(instance_id).is_some()
    }

    /// The node holding the instance, if any.
    pub async fn node_of(&self, instance_id: &str) -> Result<Option<String>, ApiError> {
        if self.holds(instance_id) {
            return Ok(Some(self.node_id().to_owned()));
        }
        Ok(db::cluster::holder(&self.deps.db, instance_id)
            .await?
            .map(|holder| holder.node_id))
    }

    pub async fn nodes(&self) -> Result<Vec<Node>, ApiError> {
        Ok(db::cluster::nodes(&self.deps.db, self.cluster.cluster.lease_ttl_ms()).await?)
    }

    /// Every node drops what it cached about the user.
    pub(super) async fn user_changed(&self, user_id: &str) {
        let changed = Signal::UserChanged {
            user_id: user_id.to_owned(),
        };
        if let Err(err) = self.cluster.signals.send(&changed).await {
            tracing::error!(error = %err, "user change not signalled to the other nodes");
        }
    }

    /// A deleted instance's lease goes with it.
    pub(super) async fn forget(&self, instance_id: &str) {
        self.cluster.cluster.holdings().remove(instance_id);
        if let Err(err) = db::cluster::drop_lease(&self.deps.db, instance_id).await {
            tracing::warn!(error = %err, instance_id, "lease of a deleted instance not dropped");
        }
    }

    /// Asks every other live node to write what it has queued (statuses,
    /// usage counts), so a read across instances sees the whole cluster.
    pub(super) async fn everyone_visible(&self) {
        let cluster = &self.cluster.cluster;
        let Ok(nodes) = self.nodes().await else {
            return;
        };
        let client = awc::Client::builder().timeout(VISIBLE_TIMEOUT).finish();
        let calls = nodes
            .into_iter()
            .filter(|node| node.live && node.node_id != cluster.node_id())
            .map(|node| {
                let url = format!("{}{VISIBLE_PATH}", node.advertise_url);
                let signed = self.sign("POST", VISIBLE_PATH, signing::body_hash(b""));
                let request = client.post(url);
                async move {
                    let Some(signed) = signed else { return };
                    let sent = signing::with_headers(request, &signed).send().await;
                    if let Err(err) = sent {
                        tracing::warn!(node = %node.node_id, error = %err, "node did not make its writes visible");
                    }
                }
            });
        futures_util::future::join_all(calls).await;
    }
}
