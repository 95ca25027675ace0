//! The contract's instance shapes: what the instance service answers.

use serde::Serialize;
use utoipa::ToSchema;

use entity::activity_logs::Model as ActivityLog;

use super::{ActivityAction, ConnectionStatus as StatusView, Instance, InstanceWithStatus};
use crate::domain::time::iso_millis;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub id: String,
    pub name: String,
    pub description: String,
    pub user_id: String,
    /// Always `connecting`: a new instance starts connecting at once.
    #[schema(value_type = String)]
    pub status: &'static str,
    pub webhook_url: Option<String>,
    pub webhook_enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Created {
    pub(super) fn new(instance: Instance) -> Self {
        Self {
            id: instance.id,
            name: instance.name,
            description: instance.description,
            user_id: instance.user_id,
            status: "connecting",
            webhook_url: instance.webhook_url,
            webhook_enabled: instance.webhook_enabled,
            created_at: iso_millis(instance.created_at),
            updated_at: iso_millis(instance.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListItem {
    pub id: String,
    pub name: String,
    pub description: String,
    pub status: String,
    pub webhook_url: Option<String>,
    pub webhook_enabled: bool,
    pub created_at: String,
    pub updated_at: String,
    pub connection_status: StatusView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_settings: Option<WebhookSettingsView>,
    /// With the cluster on (one instance's answer): the node holding it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettingsView {
    pub notify_received: bool,
    pub notify_sent: bool,
    pub notify_delivery: bool,
    pub notify_read: bool,
    pub notify_presence: bool,
    pub notify_groups: bool,
    pub max_retries: i32,
    pub retry_interval: i64,
}

impl ListItem {
    pub(super) fn new(found: InstanceWithStatus, with_settings: bool) -> Self {
        let InstanceWithStatus {
            instance,
            status: connection_status,
            node,
        } = found;
        let webhook_settings = with_settings.then_some(WebhookSettingsView {
            notify_received: instance.notify_received,
            notify_sent: instance.notify_sent,
            notify_delivery: instance.notify_delivery,
            notify_read: instance.notify_read,
            notify_presence: instance.notify_presence,
            notify_groups: instance.notify_groups,
            max_retries: instance.max_retries,
            retry_interval: instance.retry_interval_ms,
        });
        Self {
            id: instance.id,
            name: instance.name,
            description: instance.description,
            status: connection_status.status.as_str().to_owned(),
            webhook_url: instance.webhook_url,
            webhook_enabled: instance.webhook_enabled,
            created_at: iso_millis(instance.created_at),
            updated_at: iso_millis(instance.updated_at),
            connection_status,
            webhook_settings,
            node,
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Updated {
    pub id: String,
    pub name: String,
    pub description: String,
    pub webhook_url: Option<String>,
    pub webhook_enabled: bool,
    pub updated_at: String,
}

impl Updated {
    pub(super) fn new(instance: Instance) -> Self {
        Self {
            id: instance.id,
            name: instance.name,
            description: instance.description,
            webhook_url: instance.webhook_url,
            webhook_enabled: instance.webhook_enabled,
            updated_at: iso_millis(instance.updated_at),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InstanceList {
    pub instances: Vec<ListItem>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ActivityEntry {
    pub id: String,
    pub instance_id: String,
    pub action: ActivityAction,
    /// Depends on the action.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: String,
}

impl ActivityEntry {
    pub(super) fn new(log: ActivityLog) -> Self {
        Self {
            // Written by wamux as JSON; an unreadable one shows as no details.
            details: serde_json::from_str(&log.details)
                .unwrap_or_else(|_| serde_json::Value::Object(Default::default())),
            id: log.id,
            instance_id: log.instance_id,
            action: log.action,
            created_at: iso_millis(log.created_at),
        }
    }
}
