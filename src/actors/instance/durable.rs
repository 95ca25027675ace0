//! Received messages the session acks to WhatsApp only once they are kept:
//! each is stored (and its webhook in the outbox) before the answer, and one
//! already stored — WhatsApp delivering again what a crash left unacked — is
//! recognised and neither stored nor announced twice.

use std::collections::HashSet;

use actix::prelude::*;

use super::InstanceActor;
use crate::db;
use crate::whatsapp::{DurableInbound, KeptNotice, SessionEvent, WaEvent};

/// Sent by the actor to itself after a durable batch's events: it comes after
/// them, and waits in line behind their downloads (`inbound_line`), so the
/// batch is in the recorder's queue when it is confirmed.
#[derive(Message)]
#[rtype(result = "()")]
pub(super) struct ConfirmKept {
    message_ids: Vec<String>,
    kept: KeptNotice,
}

impl InstanceActor {
    pub(super) fn on_durable(
        &mut self,
        generation: u64,
        batch: DurableInbound,
        ctx: &mut Context<Self>,
    ) {
        let DurableInbound {
            events,
            from_offline_queue,
            kept,
        } = batch;
        let message_ids: Vec<String> = events
            .iter()
            .filter_map(|event| match event {
                WaEvent::Message(message) => Some(message.id.clone()),
                _ => None,
            })
            .collect();
        let durable = Durable {
            generation,
            events,
            message_ids,
            kept,
        };
        // Only what comes from WhatsApp's offline queue can be a delivery
        // again: a live message is new, and is handled without a lookup.
        if !from_offline_queue {
            durable.forward(&HashSet::new(), ctx);
            return;
        }
        let (db, id) = (self.deps.db.clone(), self.id.clone());
        let ids = durable.message_ids.clone();
        let lookup = async move { db::messages::stored_ids(&db, &id, &ids).await };
        // The mailbox waits for the lookup, so the batch keeps its place
        // among the session's events.
        ctx.wait(lookup.into_actor(self).map(move |stored, actor, ctx| {
            match stored {
                Ok(stored) => durable.forward(&stored, ctx),
                Err(err) => {
                    tracing::warn!(instance_id = %actor.id, error = %err, "received messages not checked; WhatsApp will deliver them again");
                    durable.kept.answer(false);
                }
            }
        }));
    }
}

/// A batch on its way through the actor.
struct Durable {
    generation: u64,
    events: Vec<WaEvent>,
    message_ids: Vec<String>,
    kept: KeptNotice,
}

impl Durable {
    /// Hands the events the instance has not `stored` yet to the actor as any
    /// session event, then the confirmation behind them.
    fn forward(self, stored: &HashSet<String>, ctx: &mut Context<InstanceActor>) {
        let address = ctx.address();
        for event in self.events {
            if let WaEvent::Message(message) = &event
                && stored.contains(&message.id)
            {
                tracing::debug!(message_id = %message.id, "a message delivered again is already stored");
                continue;
            }
            address.do_send(SessionEvent {
                generation: self.generation,
                event,
            });
        }
        address.do_send(ConfirmKept {
            message_ids: self.message_ids,
            kept: self.kept,
        });
    }
}

impl Handler<ConfirmKept> for InstanceActor {
    type Result = ();

    fn handle(&mut self, confirm: ConfirmKept, ctx: &mut Self::Context) {
        self.confirm_in_line(confirm, ctx);
    }
}

impl InstanceActor {
    /// Answers the session once the batch's rows are in the database and
    /// their webhooks in the outbox.
    pub(super) fn confirm_kept(&mut self, confirm: ConfirmKept, ctx: &mut Context<Self>) {
        let recorder = self.deps.recorder.clone();
        let settled = self.deps.events.settled();
        let (db, id) = (self.deps.db.clone(), self.id.clone());
        let confirmed = async move {
            let ConfirmKept { message_ids, kept } = confirm;
            // Both wait for the same writer's next batch: side by side, one wait.
            let ((), outbox) = futures_util::join!(recorder.flush(), settled);
            // A write the recorder could not make is found missing here.
            let stored = db::messages::stored_ids(&db, &id, &message_ids).await;
            let all_stored =
                stored.is_ok_and(|stored| message_ids.iter().all(|id| stored.contains(id)));
            if !(outbox && all_stored) {
                tracing::warn!(instance_id = %id, "received messages not kept; WhatsApp will deliver them again");
            }
            kept.answer(outbox && all_stored);
        };
        ctx.spawn(confirmed.into_actor(self));
    }
}
