//! Removing instances for good: one at a time (`DELETE /api/instances/{id}`),
//! or every instance of a user being deleted. Both go the same way: hidden
//! from the API, their webhook settings dropped, the actor stopped and its
//! session ended and wiped, and in a cluster its lease released.

use futures_util::StreamExt;

use super::{Instance, Instances, NoDetails};
use crate::actors::supervisor::StopInstance;
use crate::actors::webhook::ForgetInstances;
use crate::app::access::writes_visible;
use crate::db;
use crate::db::activity::ActivityAction;
use crate::error::ApiError;

/// How many of a user's instances stop at once: each may take a moment to say
/// goodbye to WhatsApp, and the supervisor stops them concurrently.
const STOPPING_AT_ONCE: usize = 8;

impl Instances<'_> {
    /// Removes the instance; false when it was already deleted. Stopping may
    /// take a moment (a real client says goodbye); the instance is gone for the
    /// API before that starts.
    pub(in crate::app) async fn remove(&self, instance: &Instance) -> Result<bool, ApiError> {
        let deps = self.deps;
        if !db::instances::soft_delete(&deps.db, &instance.id).await? {
            return Ok(false);
        }
        self.settings_changed(&instance.id, None).await;
        self.record_activity(&instance.id, ActivityAction::InstanceDeleted, &NoDetails {});
        let stop = StopInstance {
            instance_id: instance.id.clone(),
            wipe_session: true,
        };
        deps.supervisor
            .send(stop)
            .await
            .map_err(|_| ApiError::unavailable("the supervisor is not running"))?;
        if let Some(cluster) = crate::app::cluster::ClusterService::new(deps) {
            cluster.forget(&instance.id).await;
        }
        tracing::info!(instance_id = %instance.id, "instance deleted");
        Ok(true)
    }

    /// Removes every instance of a user about to be deleted, as `remove` does,
    /// and drops the webhook deliveries still waiting for them: nobody is there
    /// to receive them any more. Answers how many instances were removed.
    pub(in crate::app) async fn remove_all_of(&self, user_id: &str) -> Result<usize, ApiError> {
        let deps = self.deps;
        let instances = db::instances::list(&deps.db, Some(user_id)).await?;
        let removals: Vec<Result<bool, ApiError>> = futures_util::stream::iter(&instances)
            .map(|instance| self.remove(instance))
            .buffer_unordered(STOPPING_AT_ONCE)
            .collect()
            .await;
        let mut removed = 0;
        for outcome in removals {
            removed += usize::from(outcome?);
        }
        let instance_ids: Vec<String> = instances.into_iter().map(|i| i.id).collect();
        if instance_ids.is_empty() {
            return Ok(0);
        }
        // What waits in memory first, then what the recorder still had to
        // write (now written), so no queued delivery survives in either place.
        deps.webhooks
            .send(ForgetInstances {
                instance_ids: instance_ids.clone(),
            })
            .await
            .map_err(|_| ApiError::unavailable("the webhook sender is not running"))?;
        writes_visible(deps).await;
        db::webhooks::drop_pending(&deps.db, &instance_ids).await?;
        Ok(removed)
    }
}
