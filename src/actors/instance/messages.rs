//! What handlers and the supervisor ask an instance actor.

use std::sync::Arc;

use actix::Message;
use futures_util::future::BoxFuture;
use serde::Serialize;

use crate::domain::instance::InstanceStatus;
use crate::domain::phone::Jid;
use crate::whatsapp::{Outbound, OwnChange, WaError, WaSession};

/// The contract's `connectionStatus`, as the actor publishes it (`PublishedStatus`).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub ready: bool,
    pub status: InstanceStatus,
    pub has_qr: bool,
    /// While in `qr`: why the last pairing attempt failed (a scan or a code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

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

/// Sends a message; the answer is WhatsApp's message id.
#[derive(Message)]
#[rtype(result = "Result<String, SendMessageError>")]
pub struct SendMessage {
    /// Chosen by the service, so a send that outlives its request is known by it.
    pub message_id: String,
    pub to: Jid,
    pub content: Outbound,
}

/// Reacts to, edits, deletes or votes in a message of `chat`; once WhatsApp
/// took it, the stored message changes and the change is announced.
#[derive(Message)]
#[rtype(result = "Result<(), SendMessageError>")]
pub struct ApplyChange {
    pub chat: Jid,
    pub change: OwnChange,
}

/// A call on the connected session that changes nothing of the instance
/// (marking read, presence, number checks, profiles, blocking, groups): the one
/// way a service reaches the session. It goes through the mailbox, so it sees
/// the instance as connected or not in order with its other messages; the
/// call itself runs beside the actor, never holding its mailbox. What changes
/// the instance's state (sends, changes of messages) has its own message.
pub struct OnSession<T>(pub SessionCall<T>);

pub type SessionCall<T> = Box<dyn SessionFn<T>>;

/// A call on a session: what `OnSession` carries and `access::on_session` takes.
pub trait SessionFn<T>:
    FnOnce(Arc<dyn WaSession>) -> BoxFuture<'static, Result<T, WaError>> + Send + 'static
{
}

impl<T, F> SessionFn<T> for F where
    F: FnOnce(Arc<dyn WaSession>) -> BoxFuture<'static, Result<T, WaError>> + Send + 'static
{
}

impl<T: Send + 'static> Message for OnSession<T> {
    /// `WaError::NotConnected` unless the instance is connected.
    type Result = Result<T, WaError>;
}

#[derive(Debug, thiserror::Error)]
pub enum SendMessageError {
    #[error("the instance is not connected to WhatsApp")]
    NotConnected,
    #[error("WhatsApp refused the message: {0}")]
    Rejected(String),
    /// Sent to a group the account is not in.
    #[error("{0}")]
    GroupNotFound(String),
    /// Only the group's admins send in it (`announce`).
    #[error("{0}")]
    NotGroupAdmin(String),
    #[error("the message could not be sent: {0}")]
    Failed(String),
    #[error("the message could not be recorded: {0}")]
    Storage(String),
}

/// Answered once everything the instance did before it is written down.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Flush;

/// Pairing by phone number: a code to type on that phone instead of scanning.
#[derive(Message)]
#[rtype(result = "Result<String, PairingCodeError>")]
pub struct RequestPairingCode {
    pub phone: Jid,
}

#[derive(Debug, thiserror::Error)]
pub enum PairingCodeError {
    #[error("the instance is {0}: a pairing code needs a session waiting to be linked (status qr)")]
    NotPairable(InstanceStatus),
    /// The session ended (QR codes ran out, the network dropped) between the
    /// request and WhatsApp's answer: the caller's timing, not a server fault.
    #[error(
        "the session waiting to be linked ended before WhatsApp answered: ask again once a new QR code is shown"
    )]
    SessionEnded,
    #[error("{0}")]
    Refused(String),
}

impl From<crate::whatsapp::WaError> for PairingCodeError {
    fn from(err: crate::whatsapp::WaError) -> Self {
        match err {
            crate::whatsapp::WaError::NotConnected => Self::SessionEnded,
            other => Self::Refused(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::PairingCodeError;
    use crate::whatsapp::WaError;

    #[test]
    fn a_session_that_ended_is_not_a_refusal_by_whatsapp() {
        assert!(matches!(
            PairingCodeError::from(WaError::NotConnected),
            PairingCodeError::SessionEnded
        ));
        assert!(matches!(
            PairingCodeError::from(WaError::Rejected("rate limited".into())),
            PairingCodeError::Refused(_)
        ));
    }
}
