//! Request bodies of the instance routes, checked into what the database stores.

use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::app::instances::{
    InstancePatch, NewInstanceInput, Webhook as WebhookSettings, check_enabled_has_url,
};
use crate::domain::fields::{
    InstanceDescription, InstanceName, MaxRetries, RetryInterval, WebhookSecret, WebhookUrl,
};
use crate::error::ApiError;

const DEFAULT_MAX_RETRIES: i32 = 3;
const DEFAULT_RETRY_INTERVAL_MS: i64 = 60_000;

/// Tells "absent" (`None`) from "null" (`Some(None)`) for fields that can be cleared.
fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateInstance {
    name: InstanceName,
    description: Option<InstanceDescription>,
    webhook_url: Option<WebhookUrl>,
    webhook_enabled: Option<bool>,
    notify_received: Option<bool>,
    notify_sent: Option<bool>,
    notify_delivery: Option<bool>,
    notify_read: Option<bool>,
    notify_presence: Option<bool>,
    notify_groups: Option<bool>,
    max_retries: Option<MaxRetries>,
    retry_interval: Option<RetryInterval>,
    webhook_secret: Option<WebhookSecret>,
}

impl CreateInstance {
    pub fn validate(self) -> Result<NewInstanceInput, ApiError> {
        let url = self
            .webhook_url
            .map(|url| url.parse())
            .transpose()?
            .flatten();
        let webhook = WebhookSettings {
            enabled: self.webhook_enabled.unwrap_or(url.is_some()),
            url,
            secret: self
                .webhook_secret
                .map(|secret| secret.parse())
                .transpose()?
                .flatten(),
            notify_received: self.notify_received.unwrap_or(true),
            notify_sent: self.notify_sent.unwrap_or(true),
            notify_delivery: self.notify_delivery.unwrap_or(false),
            notify_read: self.notify_read.unwrap_or(false),
            notify_presence: self.notify_presence.unwrap_or(false),
            notify_groups: self.notify_groups.unwrap_or(true),
            max_retries: self
                .max_retries
                .map(MaxRetries::parse)
                .transpose()?
                .unwrap_or(DEFAULT_MAX_RETRIES),
            retry_interval_ms: self
                .retry_interval
                .map(RetryInterval::parse)
                .transpose()?
                .unwrap_or(DEFAULT_RETRY_INTERVAL_MS),
        };
        check_enabled_has_url(&webhook)?;
        Ok(NewInstanceInput {
            name: self.name.parse()?,
            description: self.description.unwrap_or_default().parse()?,
            webhook,
        })
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateInstance {
    name: Option<InstanceName>,
    description: Option<InstanceDescription>,
    #[serde(default, deserialize_with = "nullable")]
    webhook_url: Option<Option<WebhookUrl>>,
    webhook_enabled: Option<bool>,
    webhook_settings: Option<WebhookSettingsPatch>,
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WebhookSettingsPatch {
    notify_received: Option<bool>,
    notify_sent: Option<bool>,
    notify_delivery: Option<bool>,
    notify_read: Option<bool>,
    notify_presence: Option<bool>,
    notify_groups: Option<bool>,
    max_retries: Option<MaxRetries>,
    retry_interval: Option<RetryInterval>,
    #[serde(default, deserialize_with = "nullable")]
    secret: Option<Option<WebhookSecret>>,
}

impl UpdateInstance {
    /// Each field checked on its own; how they combine with the current
    /// settings is the service's (`InstancePatch::apply`). A cleared (null)
    /// or empty URL or secret means none.
    pub fn validate(self) -> Result<InstancePatch, ApiError> {
        let settings = self.webhook_settings.unwrap_or_default();
        // In the order of the fields, so the first wrong one is named.
        let name = self.name.map(|name| name.parse()).transpose()?;
        let description = self.description.map(|d| d.parse()).transpose()?;
        let webhook_url = match self.webhook_url {
            Some(url) => Some(url.map(|url| url.parse()).transpose()?.flatten()),
            None => None,
        };
        let max_retries = settings.max_retries.map(MaxRetries::parse).transpose()?;
        let retry_interval_ms = settings
            .retry_interval
            .map(RetryInterval::parse)
            .transpose()?;
        let secret = match settings.secret {
            Some(secret) => Some(secret.map(|s| s.parse()).transpose()?.flatten()),
            None => None,
        };
        Ok(InstancePatch {
            name,
            description,
            webhook_url,
            webhook_enabled: self.webhook_enabled,
            notify_received: settings.notify_received,
            notify_sent: settings.notify_sent,
            notify_delivery: settings.notify_delivery,
            notify_read: settings.notify_read,
            notify_presence: settings.notify_presence,
            notify_groups: settings.notify_groups,
            max_retries,
            retry_interval_ms,
            secret,
        })
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "\\PC{0,30}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                proptest::collection::hash_map(
                    prop_oneof![
                        Just("name".to_owned()),
                        Just("webhookUrl".to_owned()),
                        Just("maxRetries".to_owned()),
                        Just("retryInterval".to_owned()),
                        Just("webhookSettings".to_owned()),
                        Just("secret".to_owned()),
                        "[a-zA-Z]{1,8}",
                    ],
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn settings() -> WebhookSettings {
        WebhookSettings {
            url: None,
            enabled: false,
            secret: None,
            notify_received: true,
            notify_sent: true,
            notify_delivery: false,
            notify_read: false,
            notify_presence: false,
            notify_groups: true,
            max_retries: 3,
            retry_interval_ms: 60_000,
        }
    }

    proptest! {
        #[test]
        fn any_create_body_is_refused_or_valid(body in any_json()) {
            if let Ok(create) = serde_json::from_value::<CreateInstance>(body)
                && let Ok(valid) = create.validate()
            {
                prop_assert!(!valid.name.is_empty() && valid.name.chars().count() <= 100);
                prop_assert!((0..=20).contains(&valid.webhook.max_retries));
                prop_assert!((1000..=3_600_000).contains(&valid.webhook.retry_interval_ms));
                prop_assert!(!valid.webhook.enabled || valid.webhook.url.is_some());
            }
        }

        #[test]
        fn any_update_body_is_refused_or_keeps_settings_valid(body in any_json(), name in "\\PC{0,120}") {
            let mut body = body;
            if let Some(object) = body.as_object_mut() {
                object.insert("name".into(), json!(name));
            }
            if let Ok(update) = serde_json::from_value::<UpdateInstance>(body)
                && let Ok(patch) = update.validate()
            {
                let (webhook, _) = patch.apply(settings());
                if check_enabled_has_url(&webhook).is_ok() {
                    prop_assert!((0..=20).contains(&webhook.max_retries));
                    prop_assert!(!webhook.enabled || webhook.url.is_some());
                }
                prop_assert!(patch.name.is_none_or(|n| !n.is_empty() && n.chars().count() <= 100));
            }
        }
    }
}
