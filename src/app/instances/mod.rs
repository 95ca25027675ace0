//! Instances: creating, changing and deleting them, and acting on their live
//! actors (status, QR, pairing code, reconnect, logout, activity, live events).

mod patch;
mod removal;
mod views;

pub(super) use entity::instances::Model as Instance;
use serde::Serialize;

use super::Deps;
use super::access::{
    Caller, ask, instance_not_found, live_instance, live_ref, visible_instance, writes_visible,
};
use crate::actors::instance::{
    GetQr, Logout, PairingCodeError, Reconnect, RequestPairingCode, StatusView,
};
use crate::actors::live::{Frames, Watch};
use crate::actors::supervisor::StartInstance;
use crate::actors::webhook::SettingsChanged;
use crate::db;
use crate::db::activity::ActivityFilter;
use crate::db::instances::{InstanceChanges, NewInstance, WebhookSettings};
use crate::db::recorder::WriteOp;
use crate::domain::phone::Jid;
use crate::domain::time::now_millis;
use crate::error::{ApiError, ErrorCode};
use crate::net::guard::{self, TargetError};

pub use crate::actors::instance::StatusView as ConnectionStatus;
pub use crate::db::activity::{ActivityAction, ActivityFilter as ActivityQuery};
pub use crate::db::instances::WebhookSettings as Webhook;
pub use patch::InstancePatch;
pub use views::{ActivityEntry, Created, InstanceList, ListItem, Updated, WebhookSettingsView};

/// An activity entry's details: the instance's name.
#[derive(Serialize)]
struct Named<'a> {
    name: &'a str,
}

/// An activity entry's details: which fields an update changed.
#[derive(Serialize)]
struct ChangedFields<'a> {
    fields: &'a [&'static str],
}

/// An activity entry with nothing more to say: `{}`.
#[derive(Serialize)]
struct NoDetails {}

/// A new instance, validated.
pub struct NewInstanceInput {
    pub name: String,
    pub description: String,
    pub webhook: WebhookSettings,
}

/// Webhooks on need somewhere to go.
pub fn check_enabled_has_url(webhook: &WebhookSettings) -> Result<(), ApiError> {
    if webhook.enabled && webhook.url.is_none() {
        return Err(ApiError::validation(
            "webhookUrl is required when webhookEnabled is true",
        ));
    }
    Ok(())
}

/// An instance and the status its actor publishes (the stored one when it has none).
pub(super) struct InstanceWithStatus {
    pub instance: Instance,
    pub status: StatusView,
    /// In a cluster, the node holding it (for a single instance's answer).
    pub node: Option<String>,
}

pub struct Instances<'a> {
    deps: &'a Deps,
}

impl<'a> Instances<'a> {
    pub(super) fn new(deps: &'a Deps) -> Self {
        Self { deps }
    }

    /// Creates the instance and starts connecting it.
    pub async fn create(
        &self,
        caller: &Caller,
        new: NewInstanceInput,
    ) -> Result<Created, ApiError> {
        let deps = self.deps;
        self.check_webhook_target(new.webhook.url.as_deref())
            .await?;
        let inserted = db::instances::insert(
            &deps.db,
            NewInstance {
                user_id: caller.id.clone(),
                name: new.name,
                description: new.description,
                webhook: new.webhook,
            },
        )
        .await;
        let instance = match inserted {
            Ok(instance) => instance,
            Err(err) => {
                // The caller was deleted while this request was under way: the
                // database refuses an instance without its owner, and so do we.
                if db::users::find_by_id(&deps.db, &caller.id).await?.is_none() {
                    return Err(ApiError::unauthorized("invalid or expired credentials"));
                }
                return Err(err.into());
            }
        };
        self.record_activity(
            &instance.id,
            ActivityAction::InstanceCreated,
            &Named {
                name: &instance.name,
            },
        );
        // Before the instance exists for anyone, so that its first event finds them.
        self.settings_changed(&instance.id, Some(WebhookSettings::of(&instance)))
            .await;
        match super::cluster::ClusterService::new(deps) {
            Some(cluster) => cluster.place(&instance).await?,
            None => {
                let start = StartInstance {
                    instance: instance.clone(),
                    fence: None,
                };
                ask(deps, &deps.supervisor, start).await?;
            }
        }
        tracing::info!(instance_id = %instance.id, user_id = %caller.id, "instance created");
        Ok(Created::new(instance))
    }

    /// The caller's instances (everyone's, for an admin asking for all), oldest first.
    pub async fn list(&self, caller: &Caller, all: bool) -> Result<InstanceList, ApiError> {
        if all && !caller.is_admin() {
            return Err(ApiError::forbidden(
                "only administrators may list all instances",
            ));
        }
        let owner = (!all).then_some(caller.id.as_str());
        let instances = db::instances::list(&self.deps.db, owner).await?;
        let instances = instances
            .into_iter()
            .map(|instance| ListItem::new(self.with_status(caller, instance), false))
            .collect();
        Ok(InstanceList { instances })
    }

    /// One instance, with its webhook settings.
    pub async fn get(&self, caller: &Caller, instance_id: &str) -> Result<ListItem, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        let mut found = self.with_status(caller, instance);
        if let Some(cluster) = super::cluster::ClusterService::new(self.deps) {
            found.node = cluster.node_of(instance_id).await?;
        }
        Ok(ListItem::new(found, true))
    }

    fn with_status(&self, caller: &Caller, instance: Instance) -> InstanceWithStatus {
        let status = live_ref(self.deps, caller, &instance.id)
            .map(|found| found.status.view())
            .unwrap_or_else(|_| StatusView {
                ready: false,
                status: instance.status,
                has_qr: false,
                error: None,
            });
        InstanceWithStatus {
            instance,
            status,
            node: None,
        }
    }

    pub async fn update(
        &self,
        caller: &Caller,
        instance_id: &str,
        patch: InstancePatch,
    ) -> Result<Updated, ApiError> {
        let deps = self.deps;
        let instance = visible_instance(deps, caller, instance_id).await?;
        let (webhook, changed) = patch.apply(WebhookSettings::of(&instance));
        // Whether the result lacks a URL depends on what is stored: a conflict
        // with the instance's state, not a malformed request.
        if webhook.enabled && webhook.url.is_none() {
            return Err(ApiError::new(
                ErrorCode::WebhookUrlRequired,
                "webhooks would be on with no webhookUrl: send a webhookUrl, or webhookEnabled false",
            ));
        }
        self.check_webhook_target(webhook.url.as_deref()).await?;
        let changes = InstanceChanges {
            name: patch.name,
            description: patch.description,
            webhook,
        };
        let instance = db::instances::update(&deps.db, instance, changes).await?;
        self.settings_changed(&instance.id, Some(WebhookSettings::of(&instance)))
            .await;
        self.record_activity(
            &instance.id,
            ActivityAction::InstanceUpdated,
            &ChangedFields { fields: &changed },
        );
        Ok(Updated::new(instance))
    }

    /// Hides the instance at once; its session is closed and wiped in the
    /// background (`removal.rs`). Answers the id of the instance deleted.
    pub async fn delete(&self, caller: &Caller, instance_id: &str) -> Result<String, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        if !self.remove(&instance).await? {
            return Err(instance_not_found());
        }
        Ok(instance.id)
    }

    /// The status the instance's actor publishes, without waiting on its mailbox.
    pub fn status(&self, caller: &Caller, instance_id: &str) -> Result<StatusView, ApiError> {
        live_ref(self.deps, caller, instance_id).map(|found| found.status.view())
    }

    /// The QR string waiting to be scanned.
    pub async fn qr(&self, caller: &Caller, instance_id: &str) -> Result<String, ApiError> {
        let addr = live_instance(self.deps, caller, instance_id)?;
        ask(self.deps, &addr, GetQr).await?.ok_or_else(|| {
            ApiError::new(
                ErrorCode::QrNotAvailable,
                "no QR code is pending: the instance is connected, connecting or resting",
            )
        })
    }

    pub async fn reconnect(&self, caller: &Caller, instance_id: &str) -> Result<(), ApiError> {
        let addr = live_instance(self.deps, caller, instance_id)?;
        ask(self.deps, &addr, Reconnect).await
    }

    pub async fn logout(&self, caller: &Caller, instance_id: &str) -> Result<(), ApiError> {
        let addr = live_instance(self.deps, caller, instance_id)?;
        ask(self.deps, &addr, Logout).await
    }

    /// A code to type on `phone` to link the instance, while it waits for a QR scan.
    pub async fn pairing_code(
        &self,
        caller: &Caller,
        instance_id: &str,
        phone: Jid,
    ) -> Result<String, ApiError> {
        let addr = live_instance(self.deps, caller, instance_id)?;
        ask(self.deps, &addr, RequestPairingCode { phone })
            .await?
            .map_err(|err| {
                let code = match err {
                    PairingCodeError::NotPairable(_) | PairingCodeError::SessionEnded => {
                        ErrorCode::InstanceNotPairable
                    }
                    PairingCodeError::Refused(_) => ErrorCode::PairingRefused,
                };
                ApiError::new(code, err.to_string())
            })
    }

    /// A page of the activity log, newest first, with everything the instance
    /// did before this call in it.
    pub async fn activity(
        &self,
        caller: &Caller,
        instance_id: &str,
        filter: &ActivityFilter,
        limit: u64,
        skip: u64,
    ) -> Result<(Vec<ActivityEntry>, u64), ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        writes_visible(self.deps).await;
        let (logs, total) =
            db::activity::list(&self.deps.db, &instance.id, filter, limit, skip).await?;
        Ok((logs.into_iter().map(ActivityEntry::new).collect(), total))
    }

    /// The instance's events as Server-Sent Events frames; `None` when it has as
    /// many watchers as it may.
    pub async fn watch(
        &self,
        caller: &Caller,
        instance_id: &str,
    ) -> Result<Option<Frames>, ApiError> {
        let instance = visible_instance(self.deps, caller, instance_id).await?;
        ask(
            self.deps,
            &self.deps.live,
            Watch {
                instance_ids: vec![instance.id],
            },
        )
        .await
    }

    /// The events of all the caller's own instances on one stream (those that
    /// exist now); `None` when one of them has as many watchers as it may.
    pub async fn watch_all(&self, caller: &Caller) -> Result<Option<Frames>, ApiError> {
        let instances = db::instances::list(&self.deps.db, Some(caller.id.as_str())).await?;
        let instance_ids = instances.into_iter().map(|instance| instance.id).collect();
        ask(self.deps, &self.deps.live, Watch { instance_ids }).await
    }

    fn record_activity(&self, instance_id: &str, action: ActivityAction, details: &impl Serialize) {
        self.deps.recorder.record(WriteOp::Activity {
            instance_id: instance_id.to_owned(),
            action,
            details: serde_json::to_value(details).unwrap_or_default(),
            at: now_millis(),
        });
    }

    /// Tells the webhook actor the instance's settings (`None`: deleted), in line
    /// with the instance's events.
    async fn settings_changed(&self, instance_id: &str, settings: Option<WebhookSettings>) {
        let changed = SettingsChanged {
            instance_id: instance_id.to_owned(),
            settings,
        };
        if self.deps.webhooks.send(changed).await.is_err() {
            tracing::error!(instance_id, "webhook actor not told about new settings");
        }
    }

    /// Refuses webhook URLs on private, loopback or link-local addresses, unless
    /// allowed. A name that does not resolve now is accepted: deliveries retry,
    /// and check again.
    async fn check_webhook_target(&self, url: Option<&str>) -> Result<(), ApiError> {
        let allow_private = self.deps.settings.webhooks.allow_private_targets;
        let Some(url) = url.filter(|_| !allow_private) else {
            return Ok(());
        };
        let (_, host, port) = guard::http_target(url)
            .map_err(|e| ApiError::validation(format!("webhookUrl: {e}")))?;
        match guard::resolve(&host, port, false).await {
            Err(TargetError::Private) => Err(ApiError::new(
                ErrorCode::WebhookUrlNotAllowed,
                "webhookUrl points at a private, loopback or link-local address",
            )),
            _ => Ok(()),
        }
    }
}
