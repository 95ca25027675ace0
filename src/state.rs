//! What every handler can reach through `web::Data<AppState>`.

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
use crate::metrics::Metrics;
use crate::security::limits::RateLimits;
use crate::whatsapp::sim::SimNetwork;

pub struct AppState {
    pub db: DatabaseConnection,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub auth_cache: AuthCache,
    /// Verified against when the email is unknown, so both failures cost the same time.
    pub decoy_password_hash: String,
    pub recorder: Recorder,
    pub supervisor: Addr<InstanceSupervisor>,
    /// Live instance actors, as the supervisor keeps them.
    pub registry: Registry,
    pub webhooks: Addr<WebhookActor>,
    pub stats: Addr<StatsActor>,
    /// Authenticated requests, for the stats actor to take.
    pub api_calls: ApiCallTally,
    /// Clients watching instances' events over Server-Sent Events.
    pub live: Addr<LiveEvents>,
    pub limits: RateLimits,
    pub metrics: Arc<Metrics>,
    pub load: crate::metrics::LoadProbe,
    /// The simulated network's control side, when `whatsapp.backend = "sim"`.
    pub sim: Option<SimNetwork>,
}

impl AppState {
    /// How long a handler waits for an actor's answer.
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.settings.supervision.request_timeout_ms)
    }
}
