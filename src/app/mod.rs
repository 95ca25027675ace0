//! The service layer: what the API can do, between the HTTP handlers and the
//! actors and the database. A handler parses and validates its request, calls
//! one service and renders the answer; everything else happens here, once:
//! - reads see every write made before them (the recorder is flushed first);
//! - an answered send's webhook is already in the outbox;
//! - `Idempotency-Key`s are claimed, replayed and released;
//! - the authentication cache forgets a user the moment the user changes;
//! - users are created one way, whether by the admin route, the CLI or at boot.

mod access;
pub mod answers;
pub mod changes;
pub mod cluster;
pub mod groups;
mod idempotency;
pub mod instances;
mod media_again;
pub mod messaging;
mod messaging_views;
pub mod monitoring;
mod outgoing;
pub mod people;
#[cfg(feature = "sim")]
pub mod sim;
pub mod stats;
pub mod users;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use actix::Addr;
use sea_orm::DatabaseConnection;

use crate::actors::api_calls::ApiCallTally;
use crate::actors::live::LiveEvents;
use crate::actors::registry::Registry;
use crate::actors::stats::StatsActor;
use crate::actors::supervisor::InstanceSupervisor;
use crate::actors::webhook::WebhookActor;
use crate::auth::cache::AuthCache;
use crate::auth::jwt::JwtKeys;
use crate::config::Settings;
use crate::db::recorder::Recorder;
use crate::metrics::{LoadProbe, Metrics};
use crate::whatsapp::SimControl;

pub use access::Caller;
pub use idempotency::{IdempotencyKey, Idempotent};

/// What the services work with.
pub struct Deps {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub recorder: Recorder,
    pub jwt: JwtKeys,
    /// Shared with the cluster's signal listener, which empties it for other nodes' changes.
    pub auth_cache: Arc<AuthCache>,
    /// Verified against when the email is unknown, so both failures cost the same time.
    pub decoy_password_hash: String,
    pub supervisor: Addr<InstanceSupervisor>,
    /// Live instance actors, as the supervisor keeps them.
    pub registry: Registry,
    pub webhooks: Addr<WebhookActor>,
    pub stats: Addr<StatsActor>,
    /// Authenticated requests, for the stats actor to take.
    pub api_calls: ApiCallTally,
    /// Clients watching instances' events over Server-Sent Events.
    pub live: Addr<LiveEvents>,
    pub metrics: Arc<Metrics>,
    pub load: LoadProbe,
    /// The simulated network's control side, when `whatsapp.backend = "sim"`.
    pub sim: Option<SimControl>,
    /// This node's part in a cluster, when `cluster.enabled`.
    pub cluster: Option<cluster::ClusterDeps>,
}

impl Deps {
    /// How long a service waits for an actor's answer.
    fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.supervision.request_timeout_ms)
    }
}

/// The services, cheap to clone.
#[derive(Clone)]
pub struct App {
    deps: Arc<Deps>,
}

impl App {
    pub fn new(deps: Deps) -> Self {
        Self {
            deps: Arc::new(deps),
        }
    }

    pub fn users(&self) -> users::Users<'_> {
        users::Users::new(&self.deps)
    }

    pub fn instances(&self) -> instances::Instances<'_> {
        instances::Instances::new(&self.deps)
    }

    /// Reactions, votes, edits and deletions of sent messages.
    pub fn changes(&self) -> changes::Changes<'_> {
        changes::Changes::new(&self.deps)
    }

    /// Read marks, typing and presence, numbers, profiles, blocking.
    pub fn people(&self) -> people::People<'_> {
        people::People::new(&self.deps)
    }

    pub fn groups(&self) -> groups::Groups<'_> {
        groups::Groups::new(&self.deps)
    }

    pub fn messaging(&self) -> messaging::Messaging<'_> {
        messaging::Messaging::new(&self.deps)
    }

    pub fn webhooks(&self) -> webhooks::Webhooks<'_> {
        webhooks::Webhooks::new(&self.deps)
    }

    pub fn stats(&self) -> stats::Stats<'_> {
        stats::Stats::new(&self.deps)
    }

    pub fn monitoring(&self) -> monitoring::Monitoring<'_> {
        monitoring::Monitoring::new(&self.deps)
    }

    /// The simulated network's controls, when it is the backend.
    #[cfg(feature = "sim")]
    pub fn sim(&self) -> Option<sim::Sim<'_>> {
        sim::Sim::new(&self.deps)
    }

    /// The cluster, when this node is one of several.
    pub fn cluster(&self) -> Option<cluster::ClusterService<'_>> {
        cluster::ClusterService::new(&self.deps)
    }

    /// Whether the simulated network is the backend.
    pub fn has_sim(&self) -> bool {
        self.deps.sim.is_some()
    }

    pub fn settings(&self) -> &Settings {
        &self.deps.settings
    }
}
