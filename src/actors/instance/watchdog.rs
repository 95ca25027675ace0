//! Zombie sessions: connected, yet nothing arrives. Peer servers' most reported
//! failure. A session from which WhatsApp sent nothing for
//! `supervision.stall_after_ms` is probed with a small request; when that goes
//! unanswered too, the session is restarted (`session_stalled` in the activity
//! log) instead of sitting "connected" while messages pile up elsewhere. An
//! idle but healthy connection answers the probe and is left alone.

use std::time::Duration;

use actix::prelude::*;
use serde_json::json;

use super::InstanceActor;
use crate::db::activity::ActivityAction;
use crate::whatsapp::SessionEnd;

/// The longest a probe may take before the connection counts as stalled
/// (half the stall time when that is shorter).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

impl InstanceActor {
    /// Looks at the connection a few times per `stall_after_ms`, for the
    /// actor's life (a no-op while not connected).
    pub(super) fn watch_for_stalls(&mut self, ctx: &mut Context<Self>) {
        let stall_after = self.deps.settings.stall_after_ms;
        if stall_after == 0 {
            return;
        }
        let every = Duration::from_millis((stall_after / 4).max(250));
        ctx.run_interval(every, |actor, ctx| actor.check_stall(ctx));
    }

    fn check_stall(&mut self, ctx: &mut Context<Self>) {
        let Ok(session) = self.connected_session() else {
            return;
        };
        let Some(age) = session.inbound_age() else {
            return;
        };
        let seconds = i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        self.deps
            .metrics
            .inbound_age
            .with_label_values(&[self.id.as_str()])
            .set(seconds);
        let stall_after = Duration::from_millis(self.deps.settings.stall_after_ms);
        if age < stall_after || self.probing {
            return;
        }
        self.probing = true;
        let generation = self.generation;
        let patience = (stall_after / 2).clamp(Duration::from_secs(1), PROBE_TIMEOUT);
        let probe = tokio::time::timeout(patience, session.probe());
        ctx.spawn(probe.into_actor(self).map(move |answered, actor, ctx| {
            actor.probing = false;
            if actor.generation != generation || matches!(answered, Ok(Ok(()))) {
                return;
            }
            let reason = format!(
                "nothing from WhatsApp for {}s and no answer to a probe: the connection stalled",
                age.as_secs()
            );
            tracing::warn!(instance_id = %actor.id, reason, "restarting a stalled session");
            actor.activity(
                ActivityAction::SessionStalled,
                json!({"reason": reason, "inboundAgeSecs": age.as_secs()}),
            );
            actor.end_session();
            actor.on_session_end(SessionEnd::Disconnected { reason }, ctx);
        }));
    }

    /// The instance's series leaves `/metrics` with it.
    pub(super) fn forget_inbound_age(&self) {
        let _ = self
            .deps
            .metrics
            .inbound_age
            .remove_label_values(&[self.id.as_str()]);
    }
}
