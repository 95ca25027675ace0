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

/// Answered by a subscriber that keeps events durably (the webhook outbox)
/// once every event it received before this is written.
#[derive(Debug, Clone, Copy, Message)]
#[rtype(result = "()")]
pub struct Settle;

/// Fan-out of instance events to every subscriber.
#[derive(Clone, Default)]
pub struct EventBus {
    subscribers: Vec<Recipient<InstanceEvent>>,
    durable: Vec<Recipient<Settle>>,
}

impl EventBus {
    pub fn subscribe(&mut self, subscriber: Recipient<InstanceEvent>) {
        self.subscribers.push(subscriber);
    }

    /// A subscriber whose writes `settled` waits for.
    pub fn subscribe_durable(
        &mut self,
        subscriber: Recipient<InstanceEvent>,
        settle: Recipient<Settle>,
    ) {
        self.subscribers.push(subscriber);
        self.durable.push(settle);
    }

    /// Resolves once every event published before the call is durable
    /// wherever it is kept; false when a durable subscriber is gone.
    pub fn settled(&self) -> impl std::future::Future<Output = bool> + 'static {
        let asked: Vec<_> = self.durable.iter().map(|d| d.send(Settle)).collect();
        async move {
            let mut all = true;
            for answer in asked {
                all &= answer.await.is_ok();
            }
            all
        }
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
