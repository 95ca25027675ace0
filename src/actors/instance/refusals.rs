//! WhatsApp refusing a message this instance sent, after taking it (a nack):
//! the row turns `failed` with WhatsApp's code, `message_failed` is announced,
//! and a 463 — the reach-out timelock that comes before a restriction — also
//! raises `account_restricted` and is written in the activity log, so an
//! integrator stops writing into a ban instead of being told "sent".

use std::time::Duration;

use actix::prelude::*;
use serde_json::json;

use super::InstanceActor;
use crate::db::activity::ActivityAction;
use crate::db::recorder::WriteOp;
use crate::domain::phone::Jid;
use crate::domain::time::iso_millis;
use crate::events::{AccountRestrictedEvent, Event, MessageFailedEvent};

/// The reach-out timelock: new chats are locked for a while.
pub(super) const REACHOUT_TIMELOCK: u16 = 463;
/// How long the restriction waits for WhatsApp to say when the lock ends.
const LOCK_QUESTION_TIMEOUT: Duration = Duration::from_secs(10);
/// Refused sends an actor remembers, so a send answered after its refusal is
/// not announced as sent; a refusal normally follows its send's answer.
const MAX_REMEMBERED: usize = 256;

/// What WhatsApp's code means, for the integrator.
pub(super) fn reason(code: u16) -> &'static str {
    match code {
        REACHOUT_TIMELOCK => {
            "reach-out timelock: WhatsApp does not let this account start new chats for now"
        }
        400 | 479 => "WhatsApp refused the message as malformed",
        404 => "the recipient is not on WhatsApp",
        503 => "WhatsApp was unavailable and did not take the message",
        _ => "WhatsApp refused the message",
    }
}

impl InstanceActor {
    pub(super) fn on_send_refused(
        &mut self,
        message_id: String,
        chat: Option<Jid>,
        code: u16,
        ctx: &mut Context<Self>,
    ) {
        if self.refused_sends.len() >= MAX_REMEMBERED {
            self.refused_sends.clear();
        }
        self.refused_sends.insert(message_id.clone());
        tracing::warn!(instance_id = %self.id, message_id, code, "WhatsApp refused a sent message");
        let reason = reason(code).to_owned();
        self.deps.recorder.record(WriteOp::Refused {
            instance_id: self.id.clone(),
            message_id: message_id.clone(),
            code,
            reason: reason.clone(),
        });
        self.publish(Event::MessageFailed(MessageFailedEvent {
            message_id: message_id.clone(),
            chat,
            code,
            reason,
        }));
        if code == REACHOUT_TIMELOCK {
            self.restricted_by_timelock(message_id, ctx);
        }
    }

    /// Asks WhatsApp when the lock ends (briefly: without an answer the
    /// restriction is announced without its end), then announces it.
    fn restricted_by_timelock(&mut self, message_id: String, ctx: &mut Context<Self>) {
        let asked = self
            .session
            .as_ref()
            .map(|session| session.reachout_lock_ends());
        let ends = async move {
            let asked = asked?;
            match tokio::time::timeout(LOCK_QUESTION_TIMEOUT, asked).await {
                Ok(Ok(ends)) => ends,
                Ok(Err(err)) => {
                    tracing::debug!(error = %err, "the timelock's end not read");
                    None
                }
                Err(_) => None,
            }
        };
        ctx.spawn(ends.into_actor(self).map(move |ends, actor, _| {
            let restriction = "reachout_timelock";
            let until = ends.map(|secs| iso_millis(secs.saturating_mul(1000)));
            actor.activity(
                ActivityAction::AccountRestricted,
                json!({"reason": restriction, "code": REACHOUT_TIMELOCK, "messageId": message_id, "until": until}),
            );
            actor.publish(Event::AccountRestricted(AccountRestrictedEvent {
                reason: restriction.to_owned(),
                code: REACHOUT_TIMELOCK,
                until,
            }));
        }));
    }

    /// Whether WhatsApp refused this send before its answer came back.
    pub(super) fn was_refused(&self, message_id: &str) -> bool {
        self.refused_sends.contains(message_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_says_what_it_means() {
        assert!(reason(463).starts_with("reach-out timelock"));
        assert_eq!(reason(404), "the recipient is not on WhatsApp");
        assert_eq!(reason(0), "WhatsApp refused the message");
    }
}
