//! Usage statistics: what the stats actor counted, with every count made before
//! the call in it, and the API-call tally it takes them from.

use entity::instances::Model as Instance;

use super::Deps;
use super::access::{Caller, ask, visible_instance, writes_visible};
use crate::actors::stats::{FlushStats, ReadUsage};
use crate::db;
use crate::domain::instance::InstanceStatus;
use crate::domain::period::{Period, today};
use crate::domain::time::now_millis;
use crate::error::ApiError;

pub use crate::db::usage::{Counters, DayUsage};

const ACTIVE_USER_WINDOW_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Server-wide figures.
pub struct SystemFigures {
    pub instances_total: u64,
    /// Connected now.
    pub instances_active: u64,
    pub users_total: u64,
    /// Users who made an authenticated call in the last 30 days.
    pub users_active: u64,
    pub usage: Vec<DayUsage>,
}

pub struct Stats<'a> {
    deps: &'a Deps,
}

impl<'a> Stats<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Counts an authenticated call, for the user and the instance it was about.
    pub fn record_api_call(&self, user_id: &str, instance_id: Option<&str>) {
        self.deps
            .api_calls
            .record(user_id, instance_id, now_millis());
    }

    /// The caller's instances and their usage per day over the period.
    pub async fn of_user(
        &self,
        caller: &Caller,
        period: Period,
    ) -> Result<(Vec<Instance>, Vec<DayUsage>), ApiError> {
        let instances = db::instances::list(&self.deps.db, Some(&caller.id)).await?;
        let ids = instances.iter().map(|i| i.id.clone()).collect();
        let rows = self.usage(Some(ids), period).await?;
        Ok((instances, rows))
    }

    /// One instance's usage per day over the period.
    pub async fn of_instance(
        &self,
        caller: &Caller,
        instance_id: &str,
        period: Period,
    ) -> Result<Vec<DayUsage>, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        self.usage(Some(vec![instance.id]), period).await
    }

    pub async fn system(&self, period: Period) -> Result<SystemFigures, ApiError> {
        let deps = self.deps;
        // Users seen lately and instance statuses are written in batches: land them first.
        ask(deps, &deps.stats, FlushStats).await??;
        writes_visible(deps).await;
        let usage = self.usage(None, period).await?;
        let since = now_millis() - ACTIVE_USER_WINDOW_MS;
        Ok(SystemFigures {
            instances_total: db::instances::count_live(&deps.db).await?,
            instances_active: db::instances::count_with_status(&deps.db, InstanceStatus::Connected)
                .await?,
            users_total: db::users::count(&deps.db).await?,
            users_active: db::users::count_active_since(&deps.db, since).await?,
            usage,
        })
    }

    async fn usage(
        &self,
        instance_ids: Option<Vec<String>>,
        period: Period,
    ) -> Result<Vec<DayUsage>, ApiError> {
        // In a cluster, every node counts its own instances: they write theirs first.
        if let Some(cluster) = super::cluster::ClusterService::new(self.deps) {
            cluster.everyone_visible().await;
        }
        let since_day = period.first_day(today()).map(|day| day.to_string());
        ask(
            self.deps,
            &self.deps.stats,
            ReadUsage {
                instance_ids,
                since_day,
            },
        )
        .await?
        .map_err(ApiError::from)
    }
}
