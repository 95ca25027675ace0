//! `InstanceSupervisor`: the registry of live instance actors. It starts, stops
//! and restores them, decides restarts by the `[supervision]` policy, and
//! replaces an instance actor that died (a panic) without taking others along.
//! In a cluster it runs the instances whose leases this node holds (`handover`).

mod handover;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use entity::instances::Model as Instance;
use futures_util::future::join_all;

use super::instance::supervision::{DecideRestart, InstanceExited, ResetRestarts, SupervisorLink};
use super::instance::{InstanceActor, InstanceDeps, PublishedStatus, Shutdown, StartPlan};
use super::policy::{Decision, RestartHistory, RestartKind, RestartPolicy};
use super::registry::{InstanceRef, Registry};
use crate::cluster::Fence;
use crate::config::SupervisionSettings;
use crate::db;
use crate::db::recorder::Recorder;
use crate::domain::instance::InstanceStatus;
use crate::events::EventBus;
use crate::whatsapp::WaBackend;
pub use handover::{Adopt, Relinquish};

/// How long a stopping instance may take to end its session.
const INSTANCE_STOP_TIMEOUT: Duration = Duration::from_secs(15);

struct Entry {
    addr: Addr<InstanceActor>,
    user_id: String,
    phone: Option<String>,
    incarnation: u64,
    history: RestartHistory,
    fence: Option<Fence>,
}

pub struct InstanceSupervisor {
    parts: Option<SupervisorParts>,
    registry: Registry,
    deps: Option<Arc<InstanceDeps>>,
    policy: RestartPolicy,
    boot_stagger: Duration,
    entries: HashMap<String, Entry>,
    next_incarnation: u64,
    shutting_down: bool,
}

/// What the supervisor hands every instance actor (with its own address added).
pub struct SupervisorParts {
    pub db: sea_orm::DatabaseConnection,
    pub recorder: Recorder,
    pub backend: Arc<dyn WaBackend>,
    pub events: EventBus,
    pub settings: SupervisionSettings,
    pub media_dir: std::path::PathBuf,
    pub qr_terminal: bool,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Kept up to date with the live actors, for handlers to read.
    pub registry: Registry,
}

impl InstanceSupervisor {
    pub fn new(parts: SupervisorParts) -> Self {
        Self {
            registry: parts.registry.clone(),
            policy: RestartPolicy::new(parts.settings.clone()),
            boot_stagger: Duration::from_millis(parts.settings.boot_stagger_ms),
            parts: Some(parts),
            deps: None,
            entries: HashMap::new(),
            next_incarnation: 1,
            shutting_down: false,
        }
    }

    fn spawn_actor(
        &mut self,
        id: &str,
        user_id: String,
        phone: Option<String>,
        plan: StartPlan,
        history: RestartHistory,
        fence: Option<Fence>,
    ) {
        let Some(deps) = self.deps.clone() else {
            tracing::error!("supervisor is not started");
            return;
        };
        let incarnation = self.next_incarnation;
        self.next_incarnation += 1;
        let published = Arc::new(PublishedStatus::new(plan.first_status()));
        let actor = InstanceActor::new(
            id.to_owned(),
            phone.clone(),
            plan,
            incarnation,
            deps,
            published.clone(),
            fence.clone(),
        );
        let addr = actor.start();
        self.registry.insert(
            id,
            InstanceRef {
                addr: addr.clone(),
                user_id: user_id.clone(),
                status: published,
            },
        );
        let entry = Entry {
            addr,
            user_id,
            phone,
            incarnation,
            history,
            fence,
        };
        self.entries.insert(id.to_owned(), entry);
    }

    fn start_instance(&mut self, instance: &Instance, delay: Duration, fence: Option<Fence>) {
        if self.shutting_down || self.entries.contains_key(&instance.id) {
            return;
        }
        let plan = match instance.status {
            InstanceStatus::LoggedOut => StartPlan::Rest(InstanceStatus::LoggedOut),
            // Failed rests until `reconnect`, across restarts too: a session that
            // another client took over, or a banned account, must not be tried
            // again just because the server restarted.
            InstanceStatus::Failed => StartPlan::Rest(InstanceStatus::Failed),
            _ if delay.is_zero() => StartPlan::Connect,
            _ => StartPlan::ConnectAfter {
                delay,
                attempt: 0,
                reason: "restoring after start-up".into(),
            },
        };
        self.spawn_actor(
            &instance.id,
            instance.user_id.clone(),
            instance.phone.clone(),
            plan,
            RestartHistory::default(),
            fence,
        );
    }
}

impl Actor for InstanceSupervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        if let Some(parts) = self.parts.take() {
            self.deps = Some(Arc::new(InstanceDeps {
                db: parts.db,
                recorder: parts.recorder,
                backend: parts.backend,
                supervisor: SupervisorLink {
                    decide: ctx.address().recipient(),
                    reset: ctx.address().recipient(),
                    exited: ctx.address().recipient(),
                },
                events: parts.events,
                settings: parts.settings,
                media_dir: parts.media_dir,
                qr_terminal: parts.qr_terminal,
                metrics: parts.metrics,
            }));
        }
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct StartInstance {
    pub instance: Instance,
    /// In a cluster, the lease it runs under.
    pub fence: Option<Fence>,
}

impl Handler<StartInstance> for InstanceSupervisor {
    type Result = ();

    fn handle(&mut self, msg: StartInstance, _: &mut Self::Context) {
        self.start_instance(&msg.instance, Duration::ZERO, msg.fence);
    }
}

/// Starts an actor for every instance in the database, `boot_stagger_ms` apart.
#[derive(Message)]
#[rtype(result = "Result<usize, sea_orm::DbErr>")]
pub struct RestoreInstances;

impl Handler<RestoreInstances> for InstanceSupervisor {
    type Result = ResponseActFuture<Self, Result<usize, sea_orm::DbErr>>;

    fn handle(&mut self, _: RestoreInstances, _: &mut Self::Context) -> Self::Result {
        let db = self.deps.as_ref().map(|deps| deps.db.clone());
        Box::pin(
            async move {
                match db {
                    Some(db) => db::instances::list(&db, None).await,
                    None => Ok(Vec::new()),
                }
            }
            .into_actor(self)
            .map(|instances, supervisor, _| {
                let instances = instances?;
                let mut delay = Duration::ZERO;
                for instance in &instances {
                    supervisor.start_instance(instance, delay, None);
                    if instance.status != InstanceStatus::LoggedOut {
                        delay += supervisor.boot_stagger;
                    }
                }
                tracing::info!(count = instances.len(), "instances restored");
                Ok(instances.len())
            }),
        )
    }
}

/// Stops an instance for good (delete): ends its session, wipes it when asked.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopInstance {
    pub instance_id: String,
    pub wipe_session: bool,
}

impl Handler<StopInstance> for InstanceSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, msg: StopInstance, _: &mut Self::Context) -> Self::Result {
        let entry = self.entries.remove(&msg.instance_id);
        self.registry.remove(&msg.instance_id);
        Box::pin(async move {
            if let Some(entry) = entry {
                let stopping = entry.addr.send(Shutdown {
                    wipe_session: msg.wipe_session,
                });
                let _ = stopping.timeout(INSTANCE_STOP_TIMEOUT).await;
            }
        })
    }
}

impl Handler<DecideRestart> for InstanceSupervisor {
    type Result = MessageResult<DecideRestart>;

    fn handle(&mut self, msg: DecideRestart, _: &mut Self::Context) -> Self::Result {
        let policy = &self.policy;
        let decision = match self.entries.get_mut(&msg.instance_id) {
            Some(entry) => {
                policy.decide(&mut entry.history, msg.kind, Instant::now(), rand::random())
            }
            None => policy.decide(
                &mut RestartHistory::default(),
                msg.kind,
                Instant::now(),
                rand::random(),
            ),
        };
        MessageResult(decision)
    }
}

impl Handler<ResetRestarts> for InstanceSupervisor {
    type Result = ();

    fn handle(&mut self, msg: ResetRestarts, _: &mut Self::Context) {
        if let Some(entry) = self.entries.get_mut(&msg.instance_id) {
            entry.history.clear();
        }
    }
}

impl Handler<InstanceExited> for InstanceSupervisor {
    type Result = ();

    fn handle(&mut self, msg: InstanceExited, _: &mut Self::Context) {
        let current = self
            .entries
            .get(&msg.instance_id)
            .is_some_and(|entry| entry.incarnation == msg.incarnation);
        if !current || self.shutting_down {
            return;
        }
        let Some(mut entry) = self.entries.remove(&msg.instance_id) else {
            return;
        };
        self.registry.remove(&msg.instance_id);
        let reason = if msg.clean {
            "instance actor stopped unexpectedly"
        } else {
            "instance actor panicked"
        };
        tracing::error!(instance_id = %msg.instance_id, reason, "replacing instance actor");
        let decision = self.policy.decide(
            &mut entry.history,
            RestartKind::Crash,
            Instant::now(),
            rand::random(),
        );
        let plan = match decision {
            Decision::Retry { attempt, backoff } => StartPlan::ConnectAfter {
                delay: backoff,
                attempt,
                reason: reason.into(),
            },
            Decision::GiveUp { .. } => StartPlan::Rest(InstanceStatus::Failed),
        };
        self.spawn_actor(
            &msg.instance_id,
            entry.user_id,
            entry.phone,
            plan,
            entry.history,
            entry.fence,
        );
    }
}

/// Graceful shutdown: every instance ends its session (store kept) and stops.
#[derive(Message)]
#[rtype(result = "()")]
pub struct ShutdownAll;

impl Handler<ShutdownAll> for InstanceSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: ShutdownAll, _: &mut Self::Context) -> Self::Result {
        self.shutting_down = true;
        self.registry.clear();
        Box::pin(stop_keeping_sessions(
            self.entries.drain().map(|(_, entry)| entry).collect(),
        ))
    }
}

/// Ends these instances' sessions, keeping their stores, and waits for them
/// (each at most `INSTANCE_STOP_TIMEOUT`).
fn stop_keeping_sessions(entries: Vec<Entry>) -> impl Future<Output = ()> {
    let stops: Vec<_> = entries
        .into_iter()
        .map(|entry| {
            entry
                .addr
                .send(Shutdown {
                    wipe_session: false,
                })
                .timeout(INSTANCE_STOP_TIMEOUT)
        })
        .collect();
    async move {
        join_all(stops).await;
    }
}
