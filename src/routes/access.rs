//! Finding the instance a request is about, as its caller may see it.

use actix::dev::ToEnvelope;
use actix::{Actor, Addr, Handler, MailboxError, Message};
use entity::instances::Model as Instance;

use crate::actors::instance::{InstanceActor, StatusView};
use crate::actors::registry::InstanceRef;
use crate::auth::AuthUser;
use crate::db;
use crate::domain::text::is_uuid;
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;

pub fn instance_not_found() -> ApiError {
    ApiError::new(ErrorCode::InstanceNotFound, "instance not found")
}

/// The instance's row, when it exists and the caller owns it (or is an admin).
/// Another user's instance is a 404, exactly like a missing one.
pub async fn visible_instance(
    state: &AppState,
    user: &AuthUser,
    instance_id: &str,
) -> Result<Instance, ApiError> {
    if !is_uuid(instance_id) {
        return Err(instance_not_found());
    }
    db::instances::find(&state.db, instance_id)
        .await?
        .filter(|instance| user.is_admin() || instance.user_id == user.id)
        .ok_or_else(instance_not_found)
}

/// The live actor of an instance the caller may touch.
pub fn live_instance(
    state: &AppState,
    user: &AuthUser,
    instance_id: &str,
) -> Result<Addr<InstanceActor>, ApiError> {
    live_ref(state, user, instance_id).map(|found| found.addr)
}

/// The connection status a live instance the caller may see has published.
pub fn live_status(
    state: &AppState,
    user: &AuthUser,
    instance_id: &str,
) -> Result<StatusView, ApiError> {
    live_ref(state, user, instance_id).map(|found| found.status.view())
}

fn live_ref(state: &AppState, user: &AuthUser, instance_id: &str) -> Result<InstanceRef, ApiError> {
    if !is_uuid(instance_id) {
        return Err(instance_not_found());
    }
    state
        .registry
        .get(instance_id)
        .filter(|found| user.is_admin() || found.user_id == user.id)
        .ok_or_else(instance_not_found)
}

/// Sends `message` and waits at most `supervision.request_timeout_ms`.
pub async fn ask<A, M>(state: &AppState, addr: &Addr<A>, message: M) -> Result<M::Result, ApiError>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message + Send + 'static,
    M::Result: Send,
{
    addr.send(message)
        .timeout(state.request_timeout())
        .await
        .map_err(|err| match err {
            MailboxError::Timeout => {
                ApiError::unavailable("the instance did not answer in time; try again")
            }
            MailboxError::Closed => ApiError::unavailable("the instance is restarting; try again"),
        })
}

/// Waits until the webhooks of everything that happened so far are in the outbox,
/// so an answered request cannot lose its webhook to a crash.
pub async fn webhooks_durable(state: &AppState) -> Result<(), ApiError> {
    ask(state, &state.webhooks, crate::actors::webhook::FlushOutbox).await
}
