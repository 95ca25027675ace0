//! Live instance actors by id. Only the supervisor writes it; handlers read it to
//! find the actor they then message, without a round trip through the supervisor.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use actix::Addr;

use super::instance::{InstanceActor, PublishedStatus};
use crate::domain::instance::InstanceStatus;

/// A handle for handlers: the instance's actor, its owner and the connection
/// status the actor publishes.
#[derive(Clone)]
pub struct InstanceRef {
    pub addr: Addr<InstanceActor>,
    pub user_id: String,
    pub status: Arc<PublishedStatus>,
}

#[derive(Clone, Default)]
pub struct Registry(Arc<RwLock<HashMap<String, InstanceRef>>>);

impl Registry {
    pub fn get(&self, instance_id: &str) -> Option<InstanceRef> {
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(instance_id)
            .cloned()
    }

    /// How many live instances are in each status, as each actor publishes it.
    pub fn status_counts(&self) -> Vec<(InstanceStatus, u64)> {
        let mut counts: Vec<_> = InstanceStatus::ALL
            .iter()
            .map(|&status| (status, 0))
            .collect();
        let live = self
            .0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for found in live.values() {
            let status = found.status.view().status;
            if let Some((_, count)) = counts.iter_mut().find(|(known, _)| *known == status) {
                *count += 1;
            }
        }
        counts
    }

    pub(super) fn insert(&self, instance_id: &str, found: InstanceRef) {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(instance_id.to_owned(), found);
    }

    pub(super) fn remove(&self, instance_id: &str) {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(instance_id);
    }

    pub(super) fn clear(&self) {
        self.0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clear();
    }
}
