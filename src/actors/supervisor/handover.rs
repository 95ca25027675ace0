//! In a cluster: the lease keeper hands the supervisor the instances whose
//! leases this node took (`Adopt`), and takes back those it lost or gives up
//! (`Relinquish`: their sessions end, their stores stay for the next holder).

use std::time::Duration;

use actix::prelude::*;

use super::{InstanceSupervisor, stop_keeping_sessions};
use crate::cluster::Fence;
use crate::db;
use crate::db::cluster::Held;
use crate::domain::instance::InstanceStatus;

/// Starts the instances of leases this node now holds, spread over at most
/// half a lease TTL (a takeover of many must not wait the boot stagger for each).
#[derive(Message)]
#[rtype(result = "Result<usize, sea_orm::DbErr>")]
pub struct Adopt {
    pub node_id: String,
    pub leases: Vec<Held>,
    pub spread_over: Duration,
}

impl Handler<Adopt> for InstanceSupervisor {
    type Result = ResponseActFuture<Self, Result<usize, sea_orm::DbErr>>;

    fn handle(&mut self, msg: Adopt, _: &mut Self::Context) -> Self::Result {
        let db = self.deps.as_ref().map(|deps| deps.db.clone());
        let ids: Vec<String> = msg.leases.iter().map(|l| l.instance_id.clone()).collect();
        Box::pin(
            async move {
                match db {
                    Some(db) => db::instances::find_many(&db, &ids).await,
                    None => Ok(Vec::new()),
                }
            }
            .into_actor(self)
            .map(move |instances, supervisor, _| {
                let instances = instances?;
                let count = u32::try_from(instances.len().max(1)).unwrap_or(u32::MAX);
                let step = supervisor.boot_stagger.min(msg.spread_over / count);
                let mut delay = Duration::ZERO;
                for instance in &instances {
                    let Some(lease) = msg.leases.iter().find(|l| l.instance_id == instance.id)
                    else {
                        continue;
                    };
                    let fence = Fence {
                        node_id: msg.node_id.clone(),
                        epoch: lease.epoch,
                    };
                    supervisor.start_instance(instance, delay, Some(fence));
                    if instance.status != InstanceStatus::LoggedOut {
                        delay += step;
                    }
                }
                if !instances.is_empty() {
                    tracing::info!(count = instances.len(), "instances taken over");
                }
                Ok(instances.len())
            }),
        )
    }
}

/// Ends the sessions of instances this node no longer holds, without wiping them.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Relinquish {
    pub instance_ids: Vec<String>,
}

impl Handler<Relinquish> for InstanceSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: Relinquish, _: &mut Self::Context) -> Self::Result {
        let entries: Vec<_> = msg
            .instance_ids
            .iter()
            .filter_map(|id| {
                self.registry.remove(id);
                self.entries.remove(id)
            })
            .collect();
        Box::pin(stop_keeping_sessions(entries))
    }
}
