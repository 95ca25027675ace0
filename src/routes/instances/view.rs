//! The contract's instance shapes.

use entity::instances::Model as Instance;
use serde::Serialize;

use crate::actors::instance::StatusView;
use crate::domain::time::iso_millis;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Created {
    pub id: String,
    pub name: String,
    pub description: String,
    pub user_id: String,
    pub status: &'static str,
    pub webhook_url: Option<String>,
    pub webhook_enabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl Created {
    pub fn new(instance: Instance) -> Self {
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

#[derive(Serialize)]
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
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookSettingsView {
    pub notify_received: bool,
    pub notify_sent: bool,
    pub notify_delivery: bool,
    pub notify_read: bool,
    pub max_retries: i32,
    pub retry_interval: i64,
}

impl ListItem {
    /// `live` is the actor's answer; without one the stored status stands in.
    pub fn new(instance: Instance, live: Option<StatusView>, with_settings: bool) -> Self {
        let stored = crate::domain::instance::InstanceStatus::parse(&instance.status)
            .unwrap_or(crate::domain::instance::InstanceStatus::Disconnected);
        let connection_status = live.unwrap_or(StatusView {
            ready: false,
            status: stored,
            has_qr: false,
        });
        let webhook_settings = with_settings.then_some(WebhookSettingsView {
            notify_received: instance.notify_received,
            notify_sent: instance.notify_sent,
            notify_delivery: instance.notify_delivery,
            notify_read: instance.notify_read,
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
        }
    }
}

#[derive(Serialize)]
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
    pub fn new(instance: Instance) -> Self {
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
