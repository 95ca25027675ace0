//! Finding the instance a call is about, as its caller may see it, and asking
//! actors with a deadline.

use std::time::Duration;

use actix::dev::ToEnvelope;
use actix::{Actor, Addr, Handler, MailboxError, Message};
use entity::instances::Model as Instance;

use super::Deps;
use crate::actors::instance::{InstanceActor, OnSession, SessionFn};
use crate::actors::registry::InstanceRef;
use crate::db;
use crate::domain::text::is_uuid;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::WaError;

pub use crate::domain::user::AuthUser as Caller;

pub fn instance_not_found() -> ApiError {
    ApiError::new(ErrorCode::InstanceNotFound, "instance not found")
}

/// The instance's row, when it exists and the caller owns it (or is an admin).
/// Another user's instance is a 404, exactly like a missing one.
pub async fn visible_instance(
    deps: &Deps,
    caller: &Caller,
    instance_id: &str,
) -> Result<Instance, ApiError> {
    if !is_uuid(instance_id) {
        return Err(instance_not_found());
    }
    db::instances::find(&deps.db, instance_id)
        .await?
        .filter(|instance| caller.is_admin() || instance.user_id == caller.id)
        .ok_or_else(instance_not_found)
}

/// The live actor of an instance the caller may touch.
pub fn live_instance(
    deps: &Deps,
    caller: &Caller,
    instance_id: &str,
) -> Result<Addr<InstanceActor>, ApiError> {
    live_ref(deps, caller, instance_id).map(|found| found.addr)
}

pub fn live_ref(deps: &Deps, caller: &Caller, instance_id: &str) -> Result<InstanceRef, ApiError> {
    if !is_uuid(instance_id) {
        return Err(instance_not_found());
    }
    deps.registry
        .get(instance_id)
        .filter(|found| caller.is_admin() || found.user_id == caller.id)
        .ok_or_else(instance_not_found)
}

/// Sends `message` and waits at most `supervision.request_timeout_ms`.
pub async fn ask<A, M>(deps: &Deps, addr: &Addr<A>, message: M) -> Result<M::Result, ApiError>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message + Send + 'static,
    M::Result: Send,
{
    addr.send(message)
        .timeout(deps.request_timeout())
        .await
        .map_err(|err| match err {
            MailboxError::Timeout => {
                ApiError::unavailable("the instance did not answer in time; try again")
            }
            MailboxError::Closed => ApiError::unavailable("the instance is restarting; try again"),
        })
}

/// [`ask`], for work that must not be cut short: when the deadline passes
/// while the actor is on it, it is left to finish on its own and `None`
/// answers (a send in flight answers 202, not 503 while it goes out anyway).
pub async fn ask_or_leave_running<A, M>(
    deps: &Deps,
    addr: &Addr<A>,
    message: M,
) -> Result<Option<M::Result>, ApiError>
where
    A: Actor + Handler<M>,
    A::Context: ToEnvelope<A, M>,
    M: Message + Send + 'static,
    M::Result: Send,
{
    let mut request = Box::pin(addr.send(message));
    match tokio::time::timeout(deps.request_timeout(), request.as_mut()).await {
        Ok(answered) => answered
            .map(Some)
            .map_err(|_| ApiError::unavailable("the instance is restarting; try again")),
        Err(_) => {
            // Dropping the request would cancel a message not yet handled;
            // awaited aside, it is handled and its answer dropped.
            actix::spawn(async move {
                let _ = request.await;
            });
            Ok(None)
        }
    }
}

/// Runs `call` on the instance's connected session (`OnSession`: the one way
/// to it for what changes nothing of the instance), waiting at most
/// `deadline`; `late` is the 503's message when it passes.
pub async fn on_session<T: Send + 'static>(
    instance: &Addr<InstanceActor>,
    deadline: Duration,
    late: &'static str,
    call: impl SessionFn<T>,
) -> Result<Result<T, WaError>, ApiError> {
    instance
        .send(OnSession(Box::new(call)))
        .timeout(deadline)
        .await
        .map_err(|err| match err {
            MailboxError::Timeout => ApiError::unavailable(late),
            MailboxError::Closed => ApiError::unavailable("the instance is restarting; try again"),
        })
}

/// Waits until the webhooks of everything that happened so far are in the
/// outbox, so an answered request cannot lose its webhook to a crash.
pub async fn webhooks_durable(deps: &Deps) -> Result<(), ApiError> {
    ask(deps, &deps.webhooks, crate::events::Settle).await
}

/// Waits until every write queued so far is in the database: a read after it
/// sees them.
pub async fn writes_visible(deps: &Deps) {
    deps.recorder.flush().await;
}
