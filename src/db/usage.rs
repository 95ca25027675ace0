//! Usage counters: added to with atomic upserts, so flushes from several
//! processes (or racing ones) neither lose nor double a count.

use std::ops::AddAssign;

use entity::usage_daily::{ActiveModel, Column, Entity as UsageDaily, Model};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, Set,
    TransactionTrait,
};
use serde::Serialize;

/// Rows per statement, well under SQLite's bound-parameter limit.
const CHUNK: usize = 500;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    pub messages_sent: i64,
    pub messages_received: i64,
    pub media_sent: i64,
    pub media_received: i64,
    pub total_media_size: i64,
    pub api_calls: i64,
    pub webhook_sent: i64,
}

impl AddAssign for Counters {
    fn add_assign(&mut self, other: Self) {
        self.messages_sent += other.messages_sent;
        self.messages_received += other.messages_received;
        self.media_sent += other.media_sent;
        self.media_received += other.media_received;
        self.total_media_size += other.total_media_size;
        self.api_calls += other.api_calls;
        self.webhook_sent += other.webhook_sent;
    }
}

impl Counters {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl From<&Model> for Counters {
    fn from(row: &Model) -> Self {
        Self {
            messages_sent: row.messages_sent,
            messages_received: row.messages_received,
            media_sent: row.media_sent,
            media_received: row.media_received,
            total_media_size: row.total_media_size,
            api_calls: row.api_calls,
            webhook_sent: row.webhook_sent,
        }
    }
}

/// Counts for one instance on one UTC day (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayUsage {
    pub instance_id: String,
    pub day: String,
    pub counters: Counters,
}

const COUNTER_COLUMNS: [Column; 7] = [
    Column::MessagesSent,
    Column::MessagesReceived,
    Column::MediaSent,
    Column::MediaReceived,
    Column::TotalMediaSize,
    Column::ApiCalls,
    Column::WebhookSent,
];

/// Adds the counts in one transaction. Rows go in key order so concurrent
/// flushes lock them in the same order (no deadlocks between them).
pub async fn add(db: &DatabaseConnection, mut batch: Vec<DayUsage>) -> Result<(), DbErr> {
    batch.sort_by(|a, b| (&a.instance_id, &a.day).cmp(&(&b.instance_id, &b.day)));
    let txn = db.begin().await?;
    for chunk in batch.chunks(CHUNK) {
        let rows = chunk.iter().map(|usage| {
            let c = usage.counters;
            ActiveModel {
                instance_id: Set(usage.instance_id.clone()),
                day: Set(usage.day.clone()),
                messages_sent: Set(c.messages_sent),
                messages_received: Set(c.messages_received),
                media_sent: Set(c.media_sent),
                media_received: Set(c.media_received),
                total_media_size: Set(c.total_media_size),
                api_calls: Set(c.api_calls),
                webhook_sent: Set(c.webhook_sent),
            }
        });
        let mut upsert = OnConflict::columns([Column::InstanceId, Column::Day]);
        for column in COUNTER_COLUMNS {
            let stored = Expr::col((UsageDaily, column));
            let added = Expr::col((Alias::new("excluded"), column));
            upsert.value(column, stored.add(added));
        }
        UsageDaily::insert_many(rows)
            .on_conflict(upsert.to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await
}

/// Stored counts of the given instances (all with `None`) from `since_day` on.
pub async fn read(
    db: &impl ConnectionTrait,
    instance_ids: Option<&[String]>,
    since_day: Option<&str>,
) -> Result<Vec<DayUsage>, DbErr> {
    let mut query = UsageDaily::find();
    if let Some(ids) = instance_ids {
        query = query.filter(Column::InstanceId.is_in(ids.iter().cloned()));
    }
    if let Some(since) = since_day {
        query = query.filter(Column::Day.gte(since));
    }
    Ok(query
        .all(db)
        .await?
        .iter()
        .map(|row| DayUsage {
            instance_id: row.instance_id.clone(),
            day: row.day.clone(),
            counters: Counters::from(row),
        })
        .collect())
}
