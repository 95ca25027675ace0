//! WhatsApp's refusals of group requests as the boundary names them.

use whatsapp_rust::features::{GroupError, GroupJoinError};
use whatsapp_rust::{ClientError, ErrorChainExt, IqError};

use crate::whatsapp::WaError;

pub const NOT_FOUND: &str = "group not found";
const NOT_ADMIN: &str = "only the group's admins can do that";

/// A refusal of a group request as the boundary names it.
pub fn group_error(err: GroupError) -> WaError {
    if let Some(rejection) = err.server_rejection() {
        return match rejection.code {
            404 | 406 => WaError::GroupNotFound(NOT_FOUND.into()),
            401 | 403 => WaError::NotGroupAdmin(NOT_ADMIN.into()),
            code if rejection.text.is_empty() => {
                WaError::Rejected(format!("WhatsApp refused the group request ({code})"))
            }
            code => WaError::Rejected(format!(
                "WhatsApp refused the group request: {} ({code})",
                rejection.text
            )),
        };
    }
    let signed_out = matches!(
        &err,
        GroupError::Iq(IqError::ClientState(state)) if matches!(**state, ClientError::NotLoggedIn)
    );
    match err {
        GroupError::InvalidRequest(reason) => WaError::Rejected(reason),
        GroupError::DescriptionConflict => WaError::Rejected(
            "the group's description was changed meanwhile; read it again and retry".into(),
        ),
        err if signed_out || err.is_transport_unavailable() => WaError::NotConnected,
        err if err.is_timeout() => {
            WaError::Session("WhatsApp did not answer the group request in time".into())
        }
        err => WaError::Session(format!("group request failed: {err}")),
    }
}

/// `group_error` for what any member may do (read the group, leave it): a
/// refusal there means the account is not in the group, not that it is no admin.
pub fn member_error(err: GroupError) -> WaError {
    match group_error(err) {
        WaError::NotGroupAdmin(_) => WaError::GroupNotFound(NOT_FOUND.into()),
        other => other,
    }
}

/// A refused join: the codes mean something else here than on a group's own
/// requests (403 is a removal or a ban, not a missing admin right).
pub fn join_error(err: GroupError) -> WaError {
    match err.server_rejection().map(|rejection| rejection.code) {
        Some(404 | 406 | 410) => {
            WaError::GroupNotFound("no group has this invite code (it may have been reset)".into())
        }
        Some(code) => WaError::Rejected(format!(
            "joining the group was refused: {}",
            GroupJoinError::from_code(code)
        )),
        None => group_error(err),
    }
}
