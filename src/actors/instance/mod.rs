//! One actor per instance: owns its WhatsApp session and its status state
//! machine, persists status and activity, and publishes events.

mod authorship;
mod changes;
mod controls;
mod durable;
mod groups;
mod inbound_line;
mod lifecycle;
pub mod messages;
mod messaging;
mod people;
mod published;
mod record;
mod refusals;
mod retry_log;
mod session_moved;
pub mod supervision;
mod watchdog;

use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use sea_orm::DatabaseConnection;

use crate::cluster::Fence;
use crate::config::SupervisionSettings;
use crate::db::activity::ActivityAction;
use crate::db::recorder::{Recorder, WriteOp};
use crate::domain::instance::InstanceStatus;
use crate::domain::time::now_millis;
use crate::events::EventBus;
use crate::whatsapp::{WaBackend, WaSession};
pub use messages::*;
pub use published::PublishedStatus;
use supervision::{InstanceExited, SupervisorLink};

/// What every instance actor shares.
pub struct InstanceDeps {
    pub db: DatabaseConnection,
    pub recorder: Recorder,
    pub backend: Arc<dyn WaBackend>,
    pub supervisor: SupervisorLink,
    pub events: EventBus,
    pub settings: SupervisionSettings,
    /// Received media bytes live here, `<instance_id>/<message row id>`.
    pub media_dir: std::path::PathBuf,
    /// Draw QR codes on the console (`log.qr_terminal`).
    pub qr_terminal: bool,
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// How a new actor begins.
#[derive(Debug, Clone)]
pub enum StartPlan {
    Connect,
    /// Wait, then connect: a restart after a failure.
    ConnectAfter {
        delay: Duration,
        attempt: u32,
        reason: String,
    },
    /// No session until `Reconnect` (logged out, or the supervisor gave up).
    Rest(InstanceStatus),
}

impl StartPlan {
    /// The status the actor starts in, so that readers see it from the moment
    /// the actor exists, before it has run.
    pub fn first_status(&self) -> InstanceStatus {
        match self {
            Self::Connect => InstanceStatus::Connecting,
            Self::ConnectAfter { .. } => InstanceStatus::Disconnected,
            Self::Rest(status) => *status,
        }
    }
}

/// Tells the supervisor when the actor is gone, also when a panic took it; from
/// then on readers of its published status see it disconnected.
struct ExitNotice {
    instance_id: String,
    incarnation: u64,
    supervisor: Recipient<InstanceExited>,
    published: Arc<PublishedStatus>,
    clean: bool,
}

impl Drop for ExitNotice {
    fn drop(&mut self) {
        self.published.publish(InstanceStatus::Disconnected, false);
        self.supervisor.do_send(InstanceExited {
            instance_id: std::mem::take(&mut self.instance_id),
            incarnation: self.incarnation,
            clean: self.clean,
        });
    }
}

pub struct InstanceActor {
    id: String,
    deps: Arc<InstanceDeps>,
    status: InstanceStatus,
    phone: Option<String>,
    qr: Option<String>,
    session: Option<Arc<dyn WaSession>>,
    /// Tags the current session's events; older sessions' events are ignored.
    generation: u64,
    /// QR cycles run out since the last connect or reconnect request.
    qr_cycles: u32,
    /// Until when the last pairing code of this session can still be typed.
    pairing_code_until: Option<std::time::Instant>,
    pending_start: Option<SpawnHandle>,
    known_contacts: std::collections::HashMap<crate::domain::phone::Jid, String>,
    /// Who is who by LID and by number (`people`).
    people: people::LidBook,
    /// Sends WhatsApp refused (`refusals`), by WhatsApp id.
    refused_sends: std::collections::HashSet<String>,
    /// A stall probe is out (`watchdog`).
    probing: bool,
    /// Received messages waiting behind a media download.
    inbound: inbound_line::InboundLine,
    retry_log: retry_log::RetryLog,
    plan: Option<StartPlan>,
    exit: ExitNotice,
    /// In a cluster, the lease this actor runs under: its status writes carry it.
    fence: Option<Fence>,
}

impl InstanceActor {
    pub fn new(
        id: String,
        phone: Option<String>,
        plan: StartPlan,
        incarnation: u64,
        deps: Arc<InstanceDeps>,
        published: Arc<PublishedStatus>,
        fence: Option<Fence>,
    ) -> Self {
        let exit = ExitNotice {
            instance_id: id.clone(),
            incarnation,
            supervisor: deps.supervisor.exited.clone(),
            published,
            clean: false,
        };
        Self {
            id,
            deps,
            status: InstanceStatus::Disconnected,
            phone,
            qr: None,
            session: None,
            generation: 0,
            qr_cycles: 0,
            pairing_code_until: None,
            pending_start: None,
            known_contacts: std::collections::HashMap::new(),
            people: people::LidBook::default(),
            refused_sends: std::collections::HashSet::new(),
            probing: false,
            inbound: inbound_line::InboundLine::default(),
            retry_log: retry_log::RetryLog::default(),
            plan: Some(plan),
            exit,
            fence,
        }
    }

    /// Call last in a change, after its activity entry and events: whoever then
    /// reads the published status (without waiting on this mailbox) also finds
    /// everything the change did. Publishes `hasQr` too.
    fn set_status(&mut self, status: InstanceStatus) {
        if self.status != status {
            self.status = status;
            self.deps.recorder.record(WriteOp::Status {
                instance_id: self.id.clone(),
                status,
                phone: self.phone.clone(),
                fence: self.fence.clone(),
            });
        }
        self.exit.published.publish(self.status, self.qr.is_some());
    }

    fn activity(&self, action: ActivityAction, details: serde_json::Value) {
        self.deps.recorder.record(WriteOp::Activity {
            instance_id: self.id.clone(),
            action,
            details,
            at: now_millis(),
        });
    }
}

impl Actor for InstanceActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.set_mailbox_capacity(self.deps.settings.mailbox_capacity);
        self.watch_for_stalls(ctx);
        match self.plan.take() {
            Some(StartPlan::Connect) | None => self.start_session(ctx),
            Some(StartPlan::ConnectAfter {
                delay,
                attempt,
                reason,
            }) => {
                self.schedule_restart(delay, attempt, &reason, ctx);
            }
            Some(StartPlan::Rest(status)) => self.set_status(status),
        }
    }

    fn stopped(&mut self, _: &mut Self::Context) {
        self.exit.clean = true;
        self.forget_inbound_age();
        if let Some(session) = self.session.take() {
            actix::spawn(session.shutdown());
        }
    }
}

impl Handler<GetQr> for InstanceActor {
    type Result = Option<String>;

    fn handle(&mut self, _: GetQr, _: &mut Self::Context) -> Self::Result {
        self.qr.clone()
    }
}
