//! What an instance actor tells its supervisor. The actor knows its supervisor
//! only as these recipients, so the supervisor depends on the instance actor and
//! never the other way round.

use actix::{Message, Recipient};

use crate::actors::policy::{Decision, RestartKind};

/// A session failed: retry (after which backoff) or give up?
#[derive(Message)]
#[rtype(result = "Decision")]
pub struct DecideRestart {
    pub instance_id: String,
    pub kind: RestartKind,
}

/// Forget past restarts (a reconnect asked for by a person).
#[derive(Message)]
#[rtype(result = "()")]
pub struct ResetRestarts {
    pub instance_id: String,
}

/// Sent by an instance actor's exit notice; `clean` is false when it panicked.
#[derive(Message)]
#[rtype(result = "()")]
pub struct InstanceExited {
    pub instance_id: String,
    pub incarnation: u64,
    pub clean: bool,
}

/// The supervisor, as an instance actor reaches it.
#[derive(Clone)]
pub struct SupervisorLink {
    pub decide: Recipient<DecideRestart>,
    pub reset: Recipient<ResetRestarts>,
    pub exited: Recipient<InstanceExited>,
}
