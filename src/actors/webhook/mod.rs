//! `WebhookActor`: turns instance events into deliveries through a durable
//! outbox (a row before the first attempt), signs them, retries them by the
//! instance's settings, and resumes pending ones after a restart.

mod attempt;
mod controls;
mod handover;
mod queue;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use entity::webhook_deliveries::Model as Delivery;
use sea_orm::DatabaseConnection;
use serde_json::json;

use crate::config::WebhookDeliverySettings;
use crate::db;
use crate::db::instances::WebhookSettings;
use crate::db::recorder::{Recorder, WriteOp};
use crate::domain::time::now_millis;
use crate::events::InstanceEvent;
use crate::metrics::Metrics;
use crate::webhooks::sign;
use attempt::Outcome;
use queue::{Job, Queues};

pub use controls::{GetOutboxDepth, Requeue, SettingsChanged, StopDeliveries};
pub use handover::{ForgetInstances, ResumeInstances};

pub struct WebhookActor {
    db: DatabaseConnection,
    recorder: Recorder,
    settings: WebhookDeliverySettings,
    client: awc::Client,
    queues: Queues,
    /// The settings of instances whose webhooks are on, as of the events in the
    /// mailbox: loaded at start, then changed only by `SettingsChanged`, which
    /// arrives in order with the events (an event is judged by the settings that
    /// held when it happened).
    instances: HashMap<String, WebhookSettings>,
    delivered: Option<Recipient<WebhookDelivered>>,
    /// Outbox rows queued but not yet confirmed written.
    uncommitted: usize,
    metrics: Arc<Metrics>,
    /// In a cluster: deliveries are loaded per instance this node holds.
    clustered: bool,
}

/// Told to the statistics when a delivery reached its receiver (2xx).
#[derive(Debug, Clone, Message)]
#[rtype(result = "()")]
pub struct WebhookDelivered {
    pub instance_id: String,
}

impl WebhookActor {
    pub fn new(
        db: DatabaseConnection,
        recorder: Recorder,
        settings: WebhookDeliverySettings,
        delivered: Option<Recipient<WebhookDelivered>>,
        metrics: Arc<Metrics>,
    ) -> Self {
        let client = awc::Client::builder().disable_redirects().finish();
        Self {
            queues: Queues::new(settings.concurrency),
            db,
            recorder,
            settings,
            client,
            instances: HashMap::new(),
            delivered,
            uncommitted: 0,
            metrics,
            clustered: false,
        }
    }

    /// In a cluster, nothing is loaded at start: instances come with their leases.
    pub fn clustered(mut self) -> Self {
        self.clustered = true;
        self
    }

    fn enqueue(&mut self, delivery: Delivery, persisted: bool, ctx: &mut Context<Self>) {
        self.queues.push(Job {
            delivery,
            persisted,
        });
        self.pump(ctx);
    }

    /// Starts every attempt that is due and has a free slot.
    fn pump(&mut self, ctx: &mut Context<Self>) {
        self.metrics
            .webhook_outbox
            .set(i64::try_from(self.queues.depth()).unwrap_or(i64::MAX));
        for delivery in self.queues.take_startable() {
            let wait = delivery.next_attempt_at - now_millis();
            if wait > 0 {
                // Not due yet (resumed after a restart): give the slot back and come back later.
                self.queues.attempt_ended();
                let instance_id = delivery.instance_id.clone();
                ctx.run_later(
                    Duration::from_millis(wait.unsigned_abs()),
                    move |actor, ctx| {
                        actor.queues.release(&instance_id);
                        actor.pump(ctx);
                    },
                );
                continue;
            }
            let timeout = Duration::from_millis(self.settings.timeout_ms);
            let started = std::time::Instant::now();
            let post = attempt::post(
                self.client.clone(),
                delivery.clone(),
                timeout,
                self.settings.allow_private_targets,
            );
            ctx.spawn(post.into_actor(self).map(move |outcome, actor, ctx| {
                actor
                    .metrics
                    .webhook_seconds
                    .observe(started.elapsed().as_secs_f64());
                actor.queues.attempt_ended();
                actor.finish(delivery, outcome, ctx);
                actor.pump(ctx);
            }));
        }
    }

    fn finish(&mut self, delivery: Delivery, outcome: Outcome, ctx: &mut Context<Self>) {
        let attempts = delivery.attempts + 1;
        let instance_id = delivery.instance_id.clone();
        match outcome {
            Outcome::Delivered { status } => {
                self.metrics
                    .webhook_deliveries
                    .with_label_values(&["delivered"])
                    .inc();
                self.recorder.record(WriteOp::DeliverySucceeded {
                    instance_id: instance_id.clone(),
                    id: delivery.id,
                    attempts,
                    status,
                });
                if let Some(stats) = &self.delivered {
                    stats.do_send(WebhookDelivered {
                        instance_id: instance_id.clone(),
                    });
                }
                self.queues.done(&instance_id);
            }
            Outcome::Failed { error, status } => {
                let gave_up = attempts > delivery.max_retries;
                let outcome = if gave_up { "failed" } else { "retry" };
                self.metrics
                    .webhook_deliveries
                    .with_label_values(&[outcome])
                    .inc();
                let next_attempt_at = now_millis() + delivery.retry_interval_ms;
                tracing::warn!(%instance_id, delivery_id = %delivery.id, attempts, gave_up, %error, "webhook attempt failed");
                self.recorder.record(WriteOp::DeliveryFailed {
                    instance_id: instance_id.clone(),
                    id: delivery.id.clone(),
                    attempts,
                    next_attempt_at,
                    error: error.clone(),
                    status,
                    gave_up,
                });
                if gave_up {
                    self.recorder.record(WriteOp::Activity {
                        instance_id: instance_id.clone(),
                        action: crate::db::activity::ActivityAction::WebhookFailed,
                        details: json!({"deliveryId": delivery.id, "event": delivery.event,
                                        "attempts": attempts, "lastError": error}),
                        at: now_millis(),
                    });
                    self.queues.done(&instance_id);
                } else {
                    self.queues
                        .update_head(&instance_id, attempts, next_attempt_at);
                    let interval = Duration::from_millis(delivery.retry_interval_ms.unsigned_abs());
                    ctx.run_later(interval, move |actor, ctx| {
                        actor.queues.release(&instance_id);
                        actor.pump(ctx);
                    });
                }
            }
        }
    }

    /// Turns an event into a delivery, if the instance wants it.
    fn accept(&mut self, event: &InstanceEvent, ctx: &mut Context<Self>) {
        let Some(settings) = self.instances.get(&event.instance_id) else {
            return;
        };
        let Some(url) = settings.target().map(str::to_owned) else {
            return;
        };
        if !event.event.wanted_by(settings) {
            return;
        }
        let (name, body) = (event.event.name(), event.body());
        let now = now_millis();
        let delivery = Delivery {
            id: uuid::Uuid::now_v7().to_string(),
            instance_id: event.instance_id.clone(),
            event: name.to_owned(),
            signature: settings
                .secret
                .as_deref()
                .and_then(|secret| sign(secret, body.as_bytes())),
            payload: body,
            url,
            state: db::webhooks::DeliveryState::Pending,
            attempts: 0,
            max_retries: settings.max_retries,
            retry_interval_ms: settings.retry_interval_ms,
            next_attempt_at: now,
            last_error: None,
            last_status: None,
            created_at: now,
            updated_at: now,
            delivered_at: None,
        };
        let committed = self
            .recorder
            .commit(WriteOp::Delivery(Box::new(delivery.clone())));
        self.uncommitted += 1;
        let (instance_id, delivery_id) = (delivery.instance_id.clone(), delivery.id.clone());
        self.enqueue(delivery, false, ctx);
        ctx.spawn(committed.into_actor(self).map(move |result, actor, ctx| {
            actor.uncommitted = actor.uncommitted.saturating_sub(1);
            if let Err(err) = result {
                // Not durable, but still worth delivering now.
                tracing::error!(%instance_id, error = %err, "webhook delivery not written to the outbox");
            }
            actor.queues.persisted(&instance_id, &delivery_id);
            actor.pump(ctx);
        }));
    }
}

impl Actor for WebhookActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        // In a cluster, an instance's deliveries are its holder's: they are
        // loaded as this node takes instances over (`handover`).
        if !self.clustered {
            self.load(None, ctx);
        }
    }
}

impl WebhookActor {
    /// Loads the webhook settings and what was pending of every instance (of
    /// `only` these). New events wait until they are in line.
    fn load(&mut self, only: Option<Vec<String>>, ctx: &mut Context<Self>) {
        let db = self.db.clone();
        ctx.wait(
            async move {
                let targets = db::instances::webhook_targets(&db, only.as_deref()).await;
                (targets, db::webhooks::pending(&db, only.as_deref()).await)
            }
            .into_actor(self)
            .map(|(targets, pending), actor, ctx| {
                match targets {
                    Ok(targets) => actor.instances.extend(targets),
                    Err(err) => {
                        tracing::error!(error = %err, "webhook settings not loaded");
                    }
                }
                match pending {
                    Ok(pending) => {
                        if !pending.is_empty() {
                            tracing::info!(
                                count = pending.len(),
                                "resuming pending webhook deliveries"
                            );
                        }
                        for delivery in pending {
                            actor.enqueue(delivery, true, ctx);
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, "pending webhook deliveries not resumed")
                    }
                }
            }),
        );
    }
}

impl Handler<InstanceEvent> for WebhookActor {
    type Result = ();

    fn handle(&mut self, event: InstanceEvent, ctx: &mut Self::Context) {
        self.accept(&event, ctx);
    }
}
