//! What an update asks to change of an instance's name, description and
//! webhook settings.

use crate::db::instances::WebhookSettings;

/// Changes to an instance, each field validated; `None` leaves it as it is and
/// `Some(None)` clears a URL or secret.
#[derive(Default)]
pub struct InstancePatch {
    pub name: Option<String>,
    pub description: Option<String>,
    pub webhook_url: Option<Option<String>>,
    pub webhook_enabled: Option<bool>,
    pub notify_received: Option<bool>,
    pub notify_sent: Option<bool>,
    pub notify_delivery: Option<bool>,
    pub notify_read: Option<bool>,
    pub notify_presence: Option<bool>,
    pub notify_groups: Option<bool>,
    pub max_retries: Option<i32>,
    pub retry_interval_ms: Option<i64>,
    pub secret: Option<Option<String>>,
}

impl InstancePatch {
    /// The settings after the patch, and the names of the fields it changes (never
    /// their values: one of them may be the secret).
    pub fn apply(&self, mut webhook: WebhookSettings) -> (WebhookSettings, Vec<&'static str>) {
        let mut changed = Vec::new();
        if self.name.is_some() {
            changed.push("name");
        }
        if self.description.is_some() {
            changed.push("description");
        }
        if let Some(url) = &self.webhook_url {
            webhook.url.clone_from(url);
            changed.push("webhookUrl");
        }
        let flags = [
            (self.webhook_enabled, &mut webhook.enabled, "webhookEnabled"),
            (
                self.notify_received,
                &mut webhook.notify_received,
                "notifyReceived",
            ),
            (self.notify_sent, &mut webhook.notify_sent, "notifySent"),
            (
                self.notify_delivery,
                &mut webhook.notify_delivery,
                "notifyDelivery",
            ),
            (self.notify_read, &mut webhook.notify_read, "notifyRead"),
            (
                self.notify_presence,
                &mut webhook.notify_presence,
                "notifyPresence",
            ),
            (
                self.notify_groups,
                &mut webhook.notify_groups,
                "notifyGroups",
            ),
        ];
        for (value, slot, field) in flags {
            if let Some(value) = value {
                *slot = value;
                changed.push(field);
            }
        }
        if let Some(max) = self.max_retries {
            webhook.max_retries = max;
            changed.push("maxRetries");
        }
        if let Some(interval) = self.retry_interval_ms {
            webhook.retry_interval_ms = interval;
            changed.push("retryInterval");
        }
        if let Some(secret) = &self.secret {
            webhook.secret.clone_from(secret);
            changed.push("secret");
        }
        (webhook, changed)
    }
}
