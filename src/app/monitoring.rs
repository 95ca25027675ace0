//! What operators read: health and the Prometheus metrics.

use super::Deps;
use super::access::ask;
use crate::actors::webhook::GetOutboxDepth;
use crate::error::ApiError;

pub struct Monitoring<'a> {
    deps: &'a Deps,
}

impl<'a> Monitoring<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// The metrics in Prometheus' text format, with the gauges read now.
    pub async fn metrics(&self) -> Result<String, ApiError> {
        let deps = self.deps;
        let metrics = &deps.metrics;
        // The live instances' own statuses: no database round trip per scrape.
        for (status, count) in deps.registry.status_counts() {
            metrics
                .instances
                .with_label_values(&[status.as_str()])
                .set(i64::try_from(count).unwrap_or(i64::MAX));
        }
        deps.load.observe(metrics);
        let depth = ask(deps, &deps.webhooks, GetOutboxDepth).await?;
        metrics
            .webhook_outbox
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
        Ok(metrics.render())
    }

    /// Whether the database answers.
    pub async fn database_ok(&self) -> bool {
        match self.deps.db.ping().await {
            Ok(()) => true,
            Err(err) => {
                tracing::warn!(error = %err, "health check: database does not answer");
                false
            }
        }
    }
}
