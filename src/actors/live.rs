//! `LiveEvents`: the webhook payloads of an instance's events, pushed to the
//! clients watching it over Server-Sent Events (for integrators who cannot
//! expose a webhook).

use std::collections::HashMap;

use actix::prelude::*;
use bytes::Bytes;
use tokio::sync::mpsc;

use super::events::InstanceEvent;
use crate::webhooks::payload;

/// Frames a slow watcher may fall behind by before it is let go.
const BACKLOG: usize = 256;
/// Watchers per instance.
const MAX_WATCHERS: usize = 32;

#[derive(Default)]
pub struct LiveEvents {
    watchers: HashMap<String, Vec<mpsc::Sender<Bytes>>>,
}

impl Actor for LiveEvents {
    type Context = Context<Self>;
}

/// One SSE frame: `event: <type>` and the webhook body as `data:`.
pub fn frame(event: &InstanceEvent) -> Bytes {
    let (name, body) = payload::envelope(event);
    Bytes::from(format!("event: {name}\ndata: {body}\n\n"))
}

impl Handler<InstanceEvent> for LiveEvents {
    type Result = ();

    fn handle(&mut self, event: InstanceEvent, _: &mut Self::Context) {
        let Some(watchers) = self.watchers.get_mut(&event.instance_id) else {
            return;
        };
        let frame = frame(&event);
        // A watcher that left, or fell too far behind, is dropped.
        watchers.retain(|watcher| watcher.try_send(frame.clone()).is_ok());
        if watchers.is_empty() {
            self.watchers.remove(&event.instance_id);
        }
    }
}

/// Starts watching instances, all of them on one stream; `None` when one of them
/// already has too many watchers.
#[derive(Message)]
#[rtype(result = "Option<mpsc::Receiver<Bytes>>")]
pub struct Watch {
    pub instance_ids: Vec<String>,
}

impl Handler<Watch> for LiveEvents {
    type Result = Option<mpsc::Receiver<Bytes>>;

    fn handle(&mut self, msg: Watch, _: &mut Self::Context) -> Self::Result {
        for instance_id in &msg.instance_ids {
            if let Some(watchers) = self.watchers.get_mut(instance_id) {
                watchers.retain(|watcher| !watcher.is_closed());
                if watchers.len() >= MAX_WATCHERS {
                    return None;
                }
            }
        }
        let (sender, receiver) = mpsc::channel(BACKLOG);
        for instance_id in msg.instance_ids {
            self.watchers
                .entry(instance_id)
                .or_default()
                .push(sender.clone());
        }
        Some(receiver)
    }
}
