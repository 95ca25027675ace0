//! Per-instance delivery queues: one delivery in flight per instance (so its
//! events arrive in order), and at most `limit` in flight over all instances.

use std::collections::{HashMap, VecDeque};

use entity::webhook_deliveries::Model as Delivery;

pub struct Job {
    pub delivery: Delivery,
    /// Its outbox row is committed; only then may it be attempted.
    pub persisted: bool,
}

#[derive(Default)]
struct InstanceQueue {
    jobs: VecDeque<Job>,
    /// The head is in flight or waiting for its next attempt.
    busy: bool,
    /// Listed in `ready` already.
    listed: bool,
}

pub struct Queues {
    instances: HashMap<String, InstanceQueue>,
    ready: VecDeque<String>,
    in_flight: usize,
    limit: usize,
}

impl Queues {
    pub fn new(limit: usize) -> Self {
        Self {
            instances: HashMap::new(),
            ready: VecDeque::new(),
            in_flight: 0,
            limit,
        }
    }

    pub fn push(&mut self, job: Job) {
        let instance_id = job.delivery.instance_id.clone();
        self.instances
            .entry(instance_id.clone())
            .or_default()
            .jobs
            .push_back(job);
        self.list_if_ready(&instance_id);
    }

    pub fn persisted(&mut self, instance_id: &str, delivery_id: &str) {
        if let Some(queue) = self.instances.get_mut(instance_id)
            && let Some(job) = queue.jobs.iter_mut().find(|j| j.delivery.id == delivery_id)
        {
            job.persisted = true;
        }
        self.list_if_ready(instance_id);
    }

    fn list_if_ready(&mut self, instance_id: &str) {
        let Some(queue) = self.instances.get_mut(instance_id) else {
            return;
        };
        let head_ready = queue.jobs.front().is_some_and(|j| j.persisted);
        if !queue.busy && !queue.listed && head_ready {
            queue.listed = true;
            self.ready.push_back(instance_id.to_owned());
        }
    }

    /// Heads to attempt now, as many as free slots allow; they become busy.
    pub fn take_startable(&mut self) -> Vec<Delivery> {
        let mut started = Vec::new();
        while self.in_flight < self.limit {
            let Some(instance_id) = self.ready.pop_front() else {
                break;
            };
            let Some(queue) = self.instances.get_mut(&instance_id) else {
                continue;
            };
            queue.listed = false;
            match queue.jobs.front() {
                Some(job) if job.persisted && !queue.busy => {
                    queue.busy = true;
                    self.in_flight += 1;
                    started.push(job.delivery.clone());
                }
                _ => {}
            }
        }
        started
    }

    pub fn release(&mut self, instance_id: &str) {
        if let Some(queue) = self.instances.get_mut(instance_id) {
            queue.busy = false;
        }
        self.list_if_ready(instance_id);
    }

    /// An attempt ended; the slot is free. The head stays busy until `done` or `release`.
    pub fn attempt_ended(&mut self) {
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// The head is finished with (delivered or given up); the next one may go.
    pub fn done(&mut self, instance_id: &str) {
        if let Some(queue) = self.instances.get_mut(instance_id) {
            queue.jobs.pop_front();
            queue.busy = false;
            if queue.jobs.is_empty() {
                self.instances.remove(instance_id);
                return;
            }
        }
        self.list_if_ready(instance_id);
    }

    /// Records an attempt on the head: its count and next due time.
    pub fn update_head(&mut self, instance_id: &str, attempts: i32, next_attempt_at: i64) {
        if let Some(job) = self
            .instances
            .get_mut(instance_id)
            .and_then(|q| q.jobs.front_mut())
        {
            job.delivery.attempts = attempts;
            job.delivery.next_attempt_at = next_attempt_at;
        }
    }

    /// Drops an instance's queue (its holder is now another node). An attempt
    /// in flight still ends through `attempt_ended`; its `done` finds nothing.
    pub fn forget(&mut self, instance_id: &str) {
        self.instances.remove(instance_id);
        self.ready.retain(|listed| listed != instance_id);
    }

    pub fn depth(&self) -> usize {
        self.instances.values().map(|q| q.jobs.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(instance: &str, id: &str, persisted: bool) -> Job {
        Job {
            delivery: Delivery {
                id: id.into(),
                instance_id: instance.into(),
                event: "qr_received".into(),
                payload: "{}".into(),
                url: "http://example.com".into(),
                signature: None,
                state: crate::db::webhooks::DeliveryState::Pending,
                attempts: 0,
                max_retries: 3,
                retry_interval_ms: 1000,
                next_attempt_at: 0,
                last_error: None,
                last_status: None,
                created_at: 0,
                updated_at: 0,
                delivered_at: None,
            },
            persisted,
        }
    }

    fn ids(deliveries: Vec<Delivery>) -> Vec<String> {
        deliveries.into_iter().map(|d| d.id).collect()
    }

    #[test]
    fn one_instance_has_one_delivery_in_flight_in_order() {
        let mut queues = Queues::new(10);
        queues.push(job("a", "1", true));
        queues.push(job("a", "2", true));
        assert_eq!(ids(queues.take_startable()), ["1"]);
        assert!(queues.take_startable().is_empty());
        queues.attempt_ended();
        queues.done("a");
        assert_eq!(ids(queues.take_startable()), ["2"]);
    }

    #[test]
    fn unpersisted_heads_wait_for_their_row() {
        let mut queues = Queues::new(10);
        queues.push(job("a", "1", false));
        assert!(queues.take_startable().is_empty());
        queues.persisted("a", "1");
        assert_eq!(ids(queues.take_startable()), ["1"]);
    }

    #[test]
    fn a_held_instance_does_not_block_others_and_slots_are_bounded() {
        let mut queues = Queues::new(2);
        queues.push(job("a", "a1", true));
        queues.push(job("b", "b1", true));
        queues.push(job("c", "c1", true));
        assert_eq!(ids(queues.take_startable()), ["a1", "b1"]);
        queues.attempt_ended();
        // a1 failed and waits for a retry: its slot goes to c.
        assert_eq!(ids(queues.take_startable()), ["c1"]);
        queues.release("a");
        queues.attempt_ended();
        assert_eq!(ids(queues.take_startable()), ["a1"]);
    }
}
