//! `StatsActor`: counts usage in memory per instance per UTC day and adds it to
//! `usage_daily` in batches. Reads go through it too, so what is counted but
//! not yet written is part of every answer.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use sea_orm::{DatabaseConnection, DbErr};
use tokio::sync::oneshot;

use super::api_calls::{ApiCallTally, day_start};
use super::webhook::WebhookDelivered;
use crate::db;
use crate::db::usage::{Counters, DayUsage};
use crate::domain::period::day_of;
use crate::domain::time::now_millis;
use crate::events::{Event, InstanceEvent};
use crate::metrics::Metrics;

/// A user's activity time is written at most this often.
const USER_ACTIVITY_GRANULARITY_MS: i64 = 60 * 60 * 1000;

pub struct StatsActor {
    db: DatabaseConnection,
    flush_every: Duration,
    /// Counted, not yet written: (instance id, day) -> counts.
    pending: HashMap<(String, String), Counters>,
    /// Users seen since the last flush, and when.
    seen_users: HashMap<String, i64>,
    /// When each user's activity was last written.
    written_users: HashMap<String, i64>,
    metrics: Arc<Metrics>,
    /// Authenticated requests, added by the auth middleware.
    api_calls: ApiCallTally,
}

impl StatsActor {
    pub fn new(
        db: DatabaseConnection,
        flush_every: Duration,
        metrics: Arc<Metrics>,
        api_calls: ApiCallTally,
    ) -> Self {
        Self {
            metrics,
            api_calls,
            db,
            flush_every,
            pending: HashMap::new(),
            seen_users: HashMap::new(),
            written_users: HashMap::new(),
        }
    }

    /// Moves the API calls tallied since the last time into the pending counts.
    fn take_api_calls(&mut self) {
        let taken = self.api_calls.take();
        for (instance_id, days) in taken.instance_calls {
            for (day, calls) in days {
                self.count(&instance_id, day_start(day), |c| {
                    c.api_calls += i64::try_from(calls).unwrap_or(i64::MAX);
                });
            }
        }
        for (user_id, at) in taken.users_seen {
            let written = self
                .written_users
                .get(&user_id)
                .copied()
                .unwrap_or(i64::MIN);
            if at.saturating_sub(written) >= USER_ACTIVITY_GRANULARITY_MS {
                self.seen_users.insert(user_id, at);
            }
        }
    }

    fn count(&mut self, instance_id: &str, at: i64, add: impl FnOnce(&mut Counters)) {
        let key = (instance_id.to_owned(), day_of(at));
        add(self.pending.entry(key).or_default());
    }

    /// Writes what is pending; the mailbox waits, so no read sees half a flush.
    /// A failed write keeps the counts for the next try.
    fn flush(&mut self, ctx: &mut Context<Self>, done: Option<oneshot::Sender<Result<(), DbErr>>>) {
        self.take_api_calls();
        let batch: Vec<DayUsage> = self
            .pending
            .drain()
            .map(|((instance_id, day), counters)| DayUsage {
                instance_id,
                day,
                counters,
            })
            .collect();
        let users: Vec<(String, i64)> = self.seen_users.drain().collect();
        if batch.is_empty() && users.is_empty() {
            if let Some(done) = done {
                let _ = done.send(Ok(()));
            }
            return;
        }
        let db = self.db.clone();
        let retry_batch = batch.clone();
        let write = async move {
            db::usage::add(&db, batch).await?;
            if let Some(latest) = users.iter().map(|(_, at)| *at).max() {
                let ids: Vec<String> = users.iter().map(|(id, _)| id.clone()).collect();
                db::users::mark_active(&db, &ids, latest).await?;
            }
            Ok::<_, DbErr>(users)
        };
        ctx.wait(write.into_actor(self).map(move |written, actor, _| {
            let result = match written {
                Ok(users) => {
                    tracing::debug!(users = users.len(), "usage statistics written");
                    actor.metrics.stats_flushes.with_label_values(&["ok"]).inc();
                    actor.written_users.extend(users);
                    Ok(())
                }
                Err(err) => {
                    actor.metrics.stats_flushes.with_label_values(&["error"]).inc();
                    tracing::error!(error = %err, "usage statistics not written; kept for the next flush");
                    for usage in retry_batch {
                        *actor.pending.entry((usage.instance_id, usage.day)).or_default() += usage.counters;
                    }
                    Err(err)
                }
            };
            if let Some(done) = done {
                let _ = done.send(result);
            }
        }));
    }
}

impl Actor for StatsActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Self::Context) {
        ctx.run_interval(self.flush_every, |actor, ctx| actor.flush(ctx, None));
    }
}

impl Handler<InstanceEvent> for StatsActor {
    type Result = ();

    fn handle(&mut self, event: InstanceEvent, _: &mut Self::Context) {
        match &event.event {
            Event::MessageSent(m) => self.count(&event.instance_id, event.at, |c| {
                c.messages_sent += 1;
                if m.message.has_media {
                    c.media_sent += 1;
                    c.total_media_size += i64::try_from(m.message.media_size).unwrap_or(i64::MAX);
                }
            }),
            Event::MessageReceived(m) => self.count(&event.instance_id, event.at, |c| {
                c.messages_received += 1;
                if m.message.has_media {
                    c.media_received += 1;
                    c.total_media_size += i64::try_from(m.message.media_size).unwrap_or(i64::MAX);
                }
            }),
            _ => {}
        }
    }
}

impl Handler<WebhookDelivered> for StatsActor {
    type Result = ();

    fn handle(&mut self, msg: WebhookDelivered, _: &mut Self::Context) {
        self.count(&msg.instance_id, now_millis(), |c| c.webhook_sent += 1);
    }
}

/// Usage of the given instances (all with `None`) from `since_day` on, written or not.
#[derive(Message)]
#[rtype(result = "Result<Vec<DayUsage>, DbErr>")]
pub struct ReadUsage {
    pub instance_ids: Option<Vec<String>>,
    pub since_day: Option<String>,
}

impl Handler<ReadUsage> for StatsActor {
    type Result = ResponseFuture<Result<Vec<DayUsage>, DbErr>>;

    fn handle(&mut self, msg: ReadUsage, ctx: &mut Self::Context) -> Self::Result {
        self.take_api_calls();
        let (answer, answered) = oneshot::channel();
        let db = self.db.clone();
        let ids = msg.instance_ids.clone();
        let since = msg.since_day.clone();
        let read = async move { db::usage::read(&db, ids.as_deref(), since.as_deref()).await };
        // Waits: a flush cannot move counts from memory to the table mid-read.
        ctx.wait(read.into_actor(self).map(move |stored, actor, _| {
            let merged = stored.map(|mut rows| {
                let wanted = |id: &String, day: &String| {
                    msg.instance_ids.as_ref().is_none_or(|ids| ids.contains(id))
                        && msg.since_day.as_ref().is_none_or(|since| day >= since)
                };
                for ((instance_id, day), counters) in &actor.pending {
                    if wanted(instance_id, day) {
                        rows.push(DayUsage {
                            instance_id: instance_id.clone(),
                            day: day.clone(),
                            counters: *counters,
                        });
                    }
                }
                rows
            });
            let _ = answer.send(merged);
        }));
        Box::pin(async move {
            answered
                .await
                .unwrap_or_else(|_| Err(DbErr::Custom("statistics unavailable".into())))
        })
    }
}

/// Writes what is pending now (shutdown, tests).
#[derive(Message)]
#[rtype(result = "Result<(), DbErr>")]
pub struct FlushStats;

impl Handler<FlushStats> for StatsActor {
    type Result = ResponseFuture<Result<(), DbErr>>;

    fn handle(&mut self, _: FlushStats, ctx: &mut Self::Context) -> Self::Result {
        let (done, flushed) = oneshot::channel();
        self.flush(ctx, Some(done));
        Box::pin(async move {
            flushed
                .await
                .unwrap_or_else(|_| Err(DbErr::Custom("statistics unavailable".into())))
        })
    }
}
