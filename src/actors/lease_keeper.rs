//! `LeaseKeeper`: in a cluster, keeps this node's leases. Every quarter of the
//! lease TTL it renews them (with the node's heartbeat, one statement), takes
//! its fair share of expired ones, and reconciles what runs here with what the
//! database says this node holds. If renewing has failed for three quarters of
//! the TTL it stops every session itself, before any lease can expire: an
//! instance never runs on two nodes at once.

use std::time::{Duration, Instant};

use actix::prelude::*;
use sea_orm::{DatabaseConnection, DbErr};

use super::supervisor::{Adopt, InstanceSupervisor, Relinquish};
use super::webhook::{ForgetInstances, ResumeInstances, WebhookActor};
use crate::cluster::{Cluster, Holdings};
use crate::db;
use crate::db::cluster::Held;
use crate::db::recorder::Recorder;
use crate::db::signals::{Signal, Signals};

/// How often the keeper checks how long ago its leases were last renewed.
const FENCE_CHECK: Duration = Duration::from_millis(100);

pub struct LeaseKeeper {
    db: DatabaseConnection,
    cluster: Cluster,
    signals: Signals,
    supervisor: Addr<InstanceSupervisor>,
    webhooks: Addr<WebhookActor>,
    recorder: Recorder,
    renewing: bool,
    /// Woken while renewing: renew again right after.
    wake_again: bool,
    draining: bool,
}

impl LeaseKeeper {
    pub fn new(
        db: DatabaseConnection,
        cluster: Cluster,
        signals: Signals,
        supervisor: Addr<InstanceSupervisor>,
        webhooks: Addr<WebhookActor>,
        recorder: Recorder,
    ) -> Self {
        Self {
            db,
            cluster,
            signals,
            supervisor,
            webhooks,
            recorder,
            renewing: false,
            wake_again: false,
            draining: false,
        }
    }

    fn holdings(&self) -> &Holdings {
        self.cluster.holdings()
    }

    /// Renews, takes a share of expired leases, then reconciles.
    fn renew(&mut self, ctx: &mut Context<Self>) {
        if self.draining {
            return;
        }
        if self.renewing {
            self.wake_again = true;
            return;
        }
        self.renewing = true;
        let before: Vec<String> = self.holdings().ids();
        let sent_at = Instant::now();
        let (db, cluster) = (self.db.clone(), self.cluster.clone());
        ctx.spawn(
            async move { renew_and_claim(&db, &cluster).await }
                .into_actor(self)
                .map(move |held, keeper, ctx| {
                    keeper.renewing = false;
                    match held {
                        Ok(held) => {
                            keeper.cluster.renewed(sent_at);
                            keeper.reconcile(&before, held);
                        }
                        Err(err) => tracing::warn!(error = %err, "leases not renewed"),
                    }
                    if std::mem::take(&mut keeper.wake_again) {
                        keeper.renew(ctx);
                    }
                }),
        );
    }

    /// Stops what this node no longer holds, starts what it newly holds.
    /// `before` is what was held when the renewal was sent: anything added
    /// since (a new instance placed here) is not judged by this answer.
    fn reconcile(&mut self, before: &[String], held: Vec<Held>) {
        if self.draining {
            return;
        }
        let lost: Vec<String> = before
            .iter()
            .filter(|id| {
                !held.iter().any(|lease| {
                    &lease.instance_id == *id && Some(lease.epoch) == self.holdings().epoch_of(id)
                })
            })
            .cloned()
            .collect();
        self.let_go(lost, "lease lost");
        let new: Vec<Held> = held
            .into_iter()
            .filter(|lease| !self.holdings().holds(&lease.instance_id))
            .collect();
        if new.is_empty() {
            return;
        }
        for lease in &new {
            self.holdings().insert(&lease.instance_id, lease.epoch);
        }
        let ids = new.iter().map(|lease| lease.instance_id.clone()).collect();
        // Deliveries first: the webhook actor then holds new events until they are in line.
        self.webhooks.do_send(ResumeInstances { instance_ids: ids });
        self.supervisor.do_send(Adopt {
            node_id: self.cluster.node_id().to_owned(),
            leases: new,
            spread_over: self.cluster.lease_ttl() / 2,
        });
    }

    fn let_go(&mut self, ids: Vec<String>, why: &'static str) {
        let ids: Vec<String> = ids
            .into_iter()
            .filter(|id| self.holdings().remove(id))
            .collect();
        if ids.is_empty() {
            return;
        }
        tracing::warn!(
            count = ids.len(),
            why,
            "stopping instances this node no longer holds"
        );
        self.webhooks.do_send(ForgetInstances {
            instance_ids: ids.clone(),
        });
        self.supervisor.do_send(Relinquish { instance_ids: ids });
    }

    /// A holder that could not renew stops its sessions three eighths of a
    /// TTL before its leases can expire, and before its store refuses writes.
    fn check_fence(&mut self) {
        if self.cluster.sessions_must_stop() && !self.holdings().is_empty() {
            let all = self.holdings().ids();
            self.let_go(all, "leases not renewed in time");
        }
    }
}

/// One statement renews; a second looks at the share; a third takes expired leases.
async fn renew_and_claim(db: &DatabaseConnection, cluster: &Cluster) -> Result<Vec<Held>, DbErr> {
    let ttl = cluster.lease_ttl_ms();
    let node = cluster.node_id();
    let mut held = db::cluster::renew(db, node, ttl).await?;
    let share = db::cluster::share(db, node, ttl).await?;
    if share.expired > 0 {
        let live = share.live_nodes.max(1);
        let fair = (share.total + live - 1) / live;
        let limit = (fair - share.mine).clamp(1, share.expired);
        held.extend(db::cluster::claim_expired(db, node, ttl, limit).await?);
    }
    Ok(held)
}

impl Actor for LeaseKeeper {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        self.renew(ctx);
        ctx.run_interval(self.cluster.lease_ttl() / 4, |keeper, ctx| {
            keeper.renew(ctx)
        });
        ctx.run_interval(FENCE_CHECK, |keeper, _| keeper.check_fence());
        let mut signals = self.signals.subscribe();
        let me = self.cluster.node_id().to_owned();
        let keeper = ctx.address();
        actix::spawn(async move {
            while let Some(signal) = crate::db::signals::next(&mut signals).await {
                let wake = match signal.as_ref() {
                    Signal::LeaseAssigned { node_id, .. } => *node_id == me,
                    Signal::LeasesReleased { node_id } => *node_id != me,
                    Signal::Resync => true,
                    _ => false,
                };
                if wake && keeper.send(Wake).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// Renew now (a lease was given to this node, or another node released some).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Wake;

impl Handler<Wake> for LeaseKeeper {
    type Result = ();

    fn handle(&mut self, _: Wake, ctx: &mut Self::Context) {
        self.renew(ctx);
    }
}

/// SIGTERM: end every session here, write what is queued, release the leases
/// and tell the other nodes to take them now; then leave the registry.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Drain;

impl Handler<Drain> for LeaseKeeper {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Drain, _: &mut Self::Context) -> Self::Result {
        self.draining = true;
        let ids = self.holdings().take_all();
        let (db, signals, recorder) =
            (self.db.clone(), self.signals.clone(), self.recorder.clone());
        let node_id = self.cluster.node_id().to_owned();
        let supervisor = self.supervisor.clone();
        let webhooks = self.webhooks.clone();
        Box::pin(async move {
            if let Err(err) = db::cluster::set_draining(&db, &node_id).await {
                tracing::warn!(error = %err, "node not marked draining");
            }
            let count = ids.len();
            let _ = webhooks
                .send(ForgetInstances {
                    instance_ids: ids.clone(),
                })
                .await;
            let _ = supervisor.send(Relinquish { instance_ids: ids }).await;
            recorder.flush().await;
            match db::cluster::release(&db, &node_id).await {
                Ok(_) => {
                    let released = Signal::LeasesReleased {
                        node_id: node_id.clone(),
                    };
                    if let Err(err) = signals.send(&released).await {
                        tracing::warn!(error = %err, "release not signalled");
                    }
                    tracing::info!(count, "instances handed over to the other nodes");
                }
                Err(err) => {
                    tracing::error!(error = %err, "leases not released; they expire by themselves")
                }
            }
            if let Err(err) = db::cluster::leave(&db, &node_id).await {
                tracing::warn!(error = %err, "node not removed from the registry");
            }
        })
    }
}
