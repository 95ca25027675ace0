//! What instance actors tell the rest of the server (webhooks, statistics, live
//! streams): one typed event each, fanned out to every subscriber as an actix
//! message. Below the actors: they publish these, the webhook, stats and live
//! actors read them.

mod envelope;
mod payloads;

use actix::{Message, Recipient};

pub use envelope::Envelope;
pub use payloads::*;

#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct InstanceEvent {
    pub instance_id: String,
    /// When it happened, UTC milliseconds.
    pub at: i64,
    pub event: Event,
}

/// Fan-out of instance events to every subscriber.
#[derive(Clone, Default)]
pub struct EventBus {
    subscribers: Vec<Recipient<InstanceEvent>>,
}

impl EventBus {
    pub fn subscribe(&mut self, subscriber: Recipient<InstanceEvent>) {
        self.subscribers.push(subscriber);
    }

    pub fn publish(&self, instance_id: &str, event: Event) {
        let event = InstanceEvent {
            instance_id: instance_id.to_owned(),
            at: crate::domain::time::now_millis(),
            event,
        };
        for subscriber in &self.subscribers {
            subscriber.do_send(event.clone());
        }
    }
}

#[cfg(test)]
mod tests;
