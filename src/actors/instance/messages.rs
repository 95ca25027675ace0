//! What handlers and the supervisor ask an instance actor.

use actix::Message;
use serde::Serialize;

use crate::domain::instance::InstanceStatus;

/// The contract's `connectionStatus`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub ready: bool,
    pub status: InstanceStatus,
    pub has_qr: bool,
}

#[derive(Message)]
#[rtype(result = "StatusView")]
pub struct GetStatus;

/// The pending QR string, if any.
#[derive(Message)]
#[rtype(result = "Option<String>")]
pub struct GetQr;

/// Drops the current session and starts afresh (also out of `failed`/`logged_out`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Reconnect;

/// Logs the WhatsApp session out and wipes its store; no reconnect follows.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Logout;

/// Ends the session and stops the actor (server shutdown, or delete with `wipe_session`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown {
    pub wipe_session: bool,
}
