//! What every group route answers alike, documented once: a disconnected
//! instance, WhatsApp refusing, and for a named group a malformed id, a group
//! the account is not in and, where admins alone may act, a refusal.

use utoipa::Modify;
use utoipa::openapi::path::Operation;

use super::shared::json_error;
use crate::error::ErrorCode;

pub struct GroupRoutes;

const GROUPS: &str = "/api/whatsapp/{instance_id}/groups";

impl Modify for GroupRoutes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, item) in &mut openapi.paths.paths {
            let Some(rest) = path.strip_prefix(GROUPS) else {
                continue;
            };
            let names_a_group = rest.starts_with("/{group_id}");
            let admins_only = |method: &str| {
                matches!(
                    (rest, method),
                    ("/{group_id}", "patch")
                        | ("/{group_id}/participants", _)
                        | ("/{group_id}/invite", _)
                )
            };
            let operations = [
                ("get", item.get.as_mut()),
                ("post", item.post.as_mut()),
                ("patch", item.patch.as_mut()),
                ("delete", item.delete.as_mut()),
            ];
            for (method, operation) in operations {
                if let Some(operation) = operation {
                    add_answers(operation, names_a_group, admins_only(method));
                }
            }
        }
    }
}

/// Adds what the route does not document itself.
fn add_answers(operation: &mut Operation, names_a_group: bool, admins_only: bool) {
    let mut answers = vec![
        (
            "409",
            json_error(
                "The instance is not connected (`instance_not_connected`)",
                ErrorCode::InstanceNotConnected,
                "the instance is not connected to WhatsApp",
            ),
        ),
        (
            "502",
            json_error(
                "WhatsApp refused (`whatsapp_error`)",
                ErrorCode::WhatsappError,
                "WhatsApp refused the group operation: rate-overlimit",
            ),
        ),
    ];
    if names_a_group {
        answers.push((
            "400",
            json_error(
                "`invalid_group`: not a group JID or its digits",
                ErrorCode::InvalidGroup,
                "groupId must be a group JID (120363…@g.us) or its digits",
            ),
        ));
        answers.push((
            "404",
            json_error(
                "Not a group this account is in (`group_not_found`), or no such instance (`instance_not_found`)",
                ErrorCode::GroupNotFound,
                "group not found (or this account is not in it)",
            ),
        ));
    }
    if admins_only {
        answers.push((
            "403",
            json_error(
                "Only the group's admins may (`not_group_admin`)",
                ErrorCode::NotGroupAdmin,
                "only the group's admins can do that",
            ),
        ));
    }
    for (status, answer) in answers {
        operation
            .responses
            .responses
            .entry(status.to_owned())
            .or_insert_with(|| answer.into());
    }
}
