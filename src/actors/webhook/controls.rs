//! What the services ask of the webhook sender: an instance's settings
//! changed, a failed delivery requeued, the outbox's depth, a flush before an
//! answer, and a stop at shutdown.

use actix::prelude::*;
use entity::webhook_deliveries::Model as Delivery;

use super::WebhookActor;
use crate::db::instances::WebhookSettings;
use crate::events::Settle;

/// An instance was created, its webhook settings changed, or it was deleted
/// (`None`). Sent before anything the change should apply to can happen.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SettingsChanged {
    pub instance_id: String,
    pub settings: Option<WebhookSettings>,
}

impl Handler<SettingsChanged> for WebhookActor {
    type Result = ();

    fn handle(&mut self, msg: SettingsChanged, _: &mut Self::Context) {
        match msg.settings.filter(|settings| settings.target().is_some()) {
            Some(settings) => {
                self.instances.insert(msg.instance_id, settings);
            }
            None => {
                self.instances.remove(&msg.instance_id);
            }
        }
    }
}

/// A failed delivery was requeued through the API.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Requeue {
    pub delivery: Delivery,
}

impl Handler<Requeue> for WebhookActor {
    type Result = ();

    fn handle(&mut self, msg: Requeue, ctx: &mut Self::Context) {
        self.enqueue(msg.delivery, true, ctx);
    }
}

/// How many deliveries wait in memory (the outbox depth).
#[derive(Message)]
#[rtype(result = "usize")]
pub struct GetOutboxDepth;

impl Handler<GetOutboxDepth> for WebhookActor {
    type Result = usize;

    fn handle(&mut self, _: GetOutboxDepth, _: &mut Self::Context) -> usize {
        self.queues.depth()
    }
}

/// Answered once every event received before it is in the outbox (durable).
impl Handler<Settle> for WebhookActor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Settle, _: &mut Self::Context) -> Self::Result {
        if self.uncommitted == 0 {
            // Everything accepted so far is written (or nothing was wanted).
            return Box::pin(std::future::ready(()));
        }
        Box::pin(self.recorder.flush())
    }
}

/// Server shutdown: stop sending; whatever is not delivered stays pending.
#[derive(Message)]
#[rtype(result = "()")]
pub struct StopDeliveries;

impl Handler<StopDeliveries> for WebhookActor {
    type Result = ();

    fn handle(&mut self, _: StopDeliveries, ctx: &mut Self::Context) {
        ctx.stop();
    }
}
