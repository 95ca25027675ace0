//! Joining the cluster at start-up: this node's id, the registry, the signal
//! listener, the lease keeper, and the caches other nodes' changes empty
//! (callers, holders).

use std::sync::Arc;

use actix::{Actor, Addr};
use sea_orm::DatabaseConnection;

use crate::actors::lease_keeper::LeaseKeeper;
use crate::actors::supervisor::InstanceSupervisor;
use crate::actors::webhook::WebhookActor;
use crate::app::cluster::{ClusterDeps, HolderCache};
use crate::auth::cache::AuthCache;
use crate::cluster::{Cluster, identity};
use crate::config::Settings;
use crate::db;
use crate::db::recorder::Recorder;
use crate::db::signals::{self, Signal, Signals};

/// This node in the cluster, before its actors start.
pub fn identify(settings: &Settings) -> anyhow::Result<Option<Cluster>> {
    if !settings.cluster.enabled {
        return Ok(None);
    }
    let node_id = identity::node_id(&settings.cluster.node_id, &settings.server.data_dir)?;
    Ok(Some(Cluster::new(&settings.cluster, node_id)))
}

pub struct Joined {
    pub deps: ClusterDeps,
    pub keeper: Addr<LeaseKeeper>,
}

/// Registers the node, listens for signals and starts keeping leases: the
/// keeper's first renewal takes this node's share of the instances.
pub async fn join(
    cluster: Cluster,
    db: &DatabaseConnection,
    supervisor: Addr<InstanceSupervisor>,
    webhooks: Addr<WebhookActor>,
    recorder: Recorder,
    auth_cache: Arc<AuthCache>,
) -> anyhow::Result<Joined> {
    let signals = Signals::listen(db.clone()).await?;
    db::cluster::register(
        db,
        cluster.node_id(),
        cluster.advertise_url(),
        env!("CARGO_PKG_VERSION"),
    )
    .await?;
    let unleased = db::cluster::lease_unleased(db).await?;
    if unleased > 0 {
        tracing::info!(
            unleased,
            "instances from before the cluster are up for takeover"
        );
    }
    let holders = Arc::new(HolderCache::new(cluster.lease_ttl() / 4));
    forget_on_signals(&signals, auth_cache, holders.clone());
    let keeper = LeaseKeeper::new(
        db.clone(),
        cluster.clone(),
        signals.clone(),
        supervisor,
        webhooks,
        recorder,
    )
    .start();
    tracing::info!(
        node_id = cluster.node_id(),
        advertise_url = cluster.advertise_url(),
        "joined the cluster"
    );
    Ok(Joined {
        deps: ClusterDeps {
            cluster,
            signals,
            replays: Default::default(),
            holders,
        },
        keeper,
    })
}

/// Other nodes' changes make cached callers and holders stale.
fn forget_on_signals(signals: &Signals, auth_cache: Arc<AuthCache>, holders: Arc<HolderCache>) {
    let mut received = signals.subscribe();
    actix::spawn(async move {
        while let Some(signal) = signals::next(&mut received).await {
            match signal.as_ref() {
                Signal::UserChanged { user_id } => auth_cache.forget_user(user_id),
                Signal::LeaseAssigned { .. } | Signal::LeasesReleased { .. } => holders.clear(),
                Signal::Resync => {
                    auth_cache.clear();
                    holders.clear();
                }
                Signal::Sim { .. } | Signal::Status { .. } => {}
            }
        }
    });
}
