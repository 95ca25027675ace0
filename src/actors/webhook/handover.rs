//! In a cluster, an instance's deliveries are sent by the node holding it, in
//! order. A node taking instances over resumes what was pending for them (the
//! same rows, so the same `X-Webhook-Id`); a node giving them up forgets them.

use actix::prelude::*;

use super::WebhookActor;

#[derive(Message)]
#[rtype(result = "()")]
pub struct ResumeInstances {
    pub instance_ids: Vec<String>,
}

impl Handler<ResumeInstances> for WebhookActor {
    type Result = ();

    fn handle(&mut self, msg: ResumeInstances, ctx: &mut Self::Context) {
        if msg.instance_ids.is_empty() {
            return;
        }
        // What a previous holding left here is stale: the rows are the truth.
        for id in &msg.instance_ids {
            self.queues.forget(id);
            self.instances.remove(id);
        }
        self.load(Some(msg.instance_ids), ctx);
    }
}

#[derive(Message)]
#[rtype(result = "()")]
pub struct ForgetInstances {
    pub instance_ids: Vec<String>,
}

impl Handler<ForgetInstances> for WebhookActor {
    type Result = ();

    fn handle(&mut self, msg: ForgetInstances, ctx: &mut Self::Context) {
        for id in &msg.instance_ids {
            self.queues.forget(id);
            self.instances.remove(id);
        }
        self.pump(ctx);
    }
}
