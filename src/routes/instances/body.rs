//! Request bodies of the instance routes, checked into what the database stores.

use serde::{Deserialize, Deserializer};

use crate::db::instances::WebhookSettings;
use crate::domain::instance::{
    check_max_retries, check_retry_interval, check_secret, parse_description, parse_name,
    parse_webhook_url,
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateInstance {
    name: String,
    description: Option<String>,
    webhook_url: Option<String>,
    webhook_enabled: Option<bool>,
    notify_received: Option<bool>,
    notify_sent: Option<bool>,
    notify_delivery: Option<bool>,
    notify_read: Option<bool>,
    max_retries: Option<i64>,
    retry_interval: Option<i64>,
    webhook_secret: Option<String>,
}

pub struct ValidInstance {
    pub name: String,
    pub description: String,
    pub webhook: WebhookSettings,
}

fn invalid(problem: String) -> ApiError {
    ApiError::validation(problem)
}

/// An empty URL or secret means "none".
fn optional_text(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

impl CreateInstance {
    pub fn validate(self) -> Result<ValidInstance, ApiError> {
        let url = optional_text(self.webhook_url)
            .map(|url| parse_webhook_url(&url))
            .transpose()
            .map_err(invalid)?;
        let webhook = WebhookSettings {
            enabled: self.webhook_enabled.unwrap_or(url.is_some()),
            url,
            secret: optional_text(self.webhook_secret)
                .map(|s| check_secret(&s))
                .transpose()
                .map_err(invalid)?,
            notify_received: self.notify_received.unwrap_or(true),
            notify_sent: self.notify_sent.unwrap_or(true),
            notify_delivery: self.notify_delivery.unwrap_or(false),
            notify_read: self.notify_read.unwrap_or(false),
            max_retries: self
                .max_retries
                .map(check_max_retries)
                .transpose()
                .map_err(invalid)?
                .unwrap_or(DEFAULT_MAX_RETRIES),
            retry_interval_ms: self
                .retry_interval
                .map(check_retry_interval)
                .transpose()
                .map_err(invalid)?
                .unwrap_or(DEFAULT_RETRY_INTERVAL_MS),
        };
        check_enabled_has_url(&webhook)?;
        Ok(ValidInstance {
            name: parse_name(&self.name).map_err(invalid)?,
            description: parse_description(self.description.as_deref().unwrap_or_default())
                .map_err(invalid)?,
            webhook,
        })
    }
}

pub fn check_enabled_has_url(webhook: &WebhookSettings) -> Result<(), ApiError> {
    if webhook.enabled && webhook.url.is_none() {
        return Err(invalid(
            "webhookUrl is required when webhookEnabled is true".into(),
        ));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateInstance {
    name: Option<String>,
    description: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    webhook_url: Option<Option<String>>,
    webhook_enabled: Option<bool>,
    webhook_settings: Option<WebhookSettingsPatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct WebhookSettingsPatch {
    notify_received: Option<bool>,
    notify_sent: Option<bool>,
    notify_delivery: Option<bool>,
    notify_read: Option<bool>,
    max_retries: Option<i64>,
    retry_interval: Option<i64>,
    #[serde(default, deserialize_with = "nullable")]
    secret: Option<Option<String>>,
}

/// The update applied to the current settings; names the fields that changed
/// (never their values: one of them may be the secret).
pub struct AppliedUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub webhook: WebhookSettings,
    pub changed: Vec<&'static str>,
}

impl UpdateInstance {
    pub fn apply(self, mut webhook: WebhookSettings) -> Result<AppliedUpdate, ApiError> {
        let mut changed = Vec::new();
        let name = self
            .name
            .map(|n| parse_name(&n))
            .transpose()
            .map_err(invalid)?;
        if name.is_some() {
            changed.push("name");
        }
        let description = self
            .description
            .map(|d| parse_description(&d))
            .transpose()
            .map_err(invalid)?;
        if description.is_some() {
            changed.push("description");
        }
        if let Some(url) = self.webhook_url {
            webhook.url = optional_text(url)
                .map(|u| parse_webhook_url(&u))
                .transpose()
                .map_err(invalid)?;
            changed.push("webhookUrl");
        }
        if let Some(enabled) = self.webhook_enabled {
            webhook.enabled = enabled;
            changed.push("webhookEnabled");
        }
        if let Some(patch) = self.webhook_settings {
            patch.apply(&mut webhook, &mut changed)?;
        }
        check_enabled_has_url(&webhook)?;
        Ok(AppliedUpdate {
            name,
            description,
            webhook,
            changed,
        })
    }
}

impl WebhookSettingsPatch {
    fn apply(
        self,
        webhook: &mut WebhookSettings,
        changed: &mut Vec<&'static str>,
    ) -> Result<(), ApiError> {
        let flags = [
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
        ];
        for (value, slot, field) in flags {
            if let Some(value) = value {
                *slot = value;
                changed.push(field);
            }
        }
        if let Some(max) = self.max_retries {
            webhook.max_retries = check_max_retries(max).map_err(invalid)?;
            changed.push("maxRetries");
        }
        if let Some(interval) = self.retry_interval {
            webhook.retry_interval_ms = check_retry_interval(interval).map_err(invalid)?;
            changed.push("retryInterval");
        }
        if let Some(secret) = self.secret {
            webhook.secret = optional_text(secret)
                .map(|s| check_secret(&s))
                .transpose()
                .map_err(invalid)?;
            changed.push("secret");
        }
        Ok(())
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::db::instances::WebhookSettings;

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
                && let Ok(applied) = update.apply(settings())
            {
                prop_assert!((0..=20).contains(&applied.webhook.max_retries));
                prop_assert!(!applied.webhook.enabled || applied.webhook.url.is_some());
                prop_assert!(applied.name.is_none_or(|n| !n.is_empty() && n.chars().count() <= 100));
            }
        }
    }
}
