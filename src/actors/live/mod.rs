//! `LiveEvents`: the webhook payloads of an instance's events, pushed to the
//! clients watching it over Server-Sent Events (for integrators who cannot
//! expose a webhook).

mod backlog;

use std::collections::HashMap;

use actix::prelude::*;
use bytes::Bytes;
use prometheus::IntGauge;

use self::backlog::Feed;
pub use self::backlog::{Frames, LOST_FRAMES, MAX_BACKLOG_BYTES};
use crate::db::signals::{self, Signal, Signals};
use crate::events::InstanceEvent;

/// Watchers per instance.
const MAX_WATCHERS: usize = 32;

pub struct LiveEvents {
    watchers: HashMap<String, Vec<Feed>>,
    /// In a cluster: this node's id, and where its connection events are told.
    relay: Option<(String, Signals)>,
    /// Bytes held for slow readers, and streams open, for `/metrics`.
    held: IntGauge,
    open: IntGauge,
}

impl Actor for LiveEvents {
    type Context = Context<Self>;
}

impl LiveEvents {
    pub fn new(held: IntGauge, open: IntGauge) -> Self {
        Self {
            watchers: HashMap::new(),
            relay: None,
            held,
            open,
        }
    }

    fn push(&mut self, instance_id: &str, frame: Bytes) {
        let Some(watchers) = self.watchers.get_mut(instance_id) else {
            return;
        };
        // A watcher that left, or fell too far behind, is dropped.
        watchers.retain(|watcher| watcher.push(&frame));
        if watchers.is_empty() {
            self.watchers.remove(instance_id);
        }
    }
}

/// One SSE frame: `event: <type>` and the webhook body as `data:`.
pub fn frame(event: &InstanceEvent) -> Bytes {
    let (name, body) = (event.event.name(), event.body());
    Bytes::from(format!("event: {name}\ndata: {body}\n\n"))
}

impl Handler<InstanceEvent> for LiveEvents {
    type Result = ();

    fn handle(&mut self, event: InstanceEvent, _: &mut Self::Context) {
        let connection = event.event.is_connection();
        let relayed = self.relay.as_ref().filter(|_| connection);
        if !self.watchers.contains_key(&event.instance_id) && relayed.is_none() {
            return;
        }
        let frame = frame(&event);
        // Only the few connection events cross to the other nodes (a user-wide
        // stream there shows the status of instances held here).
        if let Some((node_id, signals)) = relayed {
            let signal = Signal::Status {
                node_id: node_id.clone(),
                instance_id: event.instance_id.clone(),
                frame: String::from_utf8_lossy(&frame).into_owned(),
            };
            let signals = signals.clone();
            actix::spawn(async move {
                if let Err(err) = signals.send(&signal).await {
                    tracing::warn!(error = %err, "connection event not told to the other nodes");
                }
            });
        }
        self.push(&event.instance_id, frame);
    }
}

/// Joins the cluster: this node's connection events go to the other nodes, and
/// theirs reach the user-wide streams open here.
#[derive(Message)]
#[rtype(result = "()")]
pub struct RelayEvents {
    pub node_id: String,
    pub signals: Signals,
}

impl Handler<RelayEvents> for LiveEvents {
    type Result = ();

    fn handle(&mut self, msg: RelayEvents, ctx: &mut Self::Context) {
        let mut received = msg.signals.subscribe();
        let me = msg.node_id.clone();
        let live = ctx.address();
        actix::spawn(async move {
            while let Some(signal) = signals::next(&mut received).await {
                if let Signal::Status {
                    node_id,
                    instance_id,
                    frame,
                } = signal.as_ref()
                    && *node_id != me
                    && live
                        .send(RemoteFrame {
                            instance_id: instance_id.clone(),
                            frame: Bytes::from(frame.clone()),
                        })
                        .await
                        .is_err()
                {
                    return;
                }
            }
        });
        self.relay = Some((msg.node_id, msg.signals));
    }
}

/// Another node's connection event for an instance it holds.
#[derive(Message)]
#[rtype(result = "()")]
struct RemoteFrame {
    instance_id: String,
    frame: Bytes,
}

impl Handler<RemoteFrame> for LiveEvents {
    type Result = ();

    fn handle(&mut self, msg: RemoteFrame, _: &mut Self::Context) {
        self.push(&msg.instance_id, msg.frame);
    }
}

/// Starts watching instances, all of them on one stream; `None` when one of them
/// already has too many watchers.
#[derive(Message)]
#[rtype(result = "Option<Frames>")]
pub struct Watch {
    pub instance_ids: Vec<String>,
}

impl Handler<Watch> for LiveEvents {
    type Result = Option<Frames>;

    fn handle(&mut self, msg: Watch, _: &mut Self::Context) -> Self::Result {
        for instance_id in &msg.instance_ids {
            if let Some(watchers) = self.watchers.get_mut(instance_id) {
                watchers.retain(Feed::is_open);
                if watchers.len() >= MAX_WATCHERS {
                    return None;
                }
            }
        }
        let (feed, frames) = backlog::stream(self.held.clone(), self.open.clone());
        for instance_id in msg.instance_ids {
            self.watchers
                .entry(instance_id)
                .or_default()
                .push(feed.clone());
        }
        Some(frames)
    }
}
