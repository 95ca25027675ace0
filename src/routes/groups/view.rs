//! What the group routes read and answer.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::fields::{GroupDescription, GroupInvite, GroupSubject, PersonPhone};
use crate::domain::phone::Jid;
use crate::domain::time::iso_millis;
use crate::error::{ApiError, ErrorCode};
use crate::whatsapp::{GroupInfo, GroupRole, GroupSummary, MemberAction, MemberResult};

/// Most people one call adds, removes, promotes or demotes (and a new group starts with).
pub const MAX_PARTICIPANTS: usize = 256;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateGroup {
    /// 1 to 100 characters.
    #[schema(example = "Sales team")]
    pub subject: GroupSubject,
    /// 1 to 256 phone numbers (or JIDs) to add; the instance's account is the owner.
    #[schema(min_items = 1, max_items = 256, example = json!(["79001234567"]))]
    pub participants: Vec<PersonPhone>,
    /// Up to 2048 characters.
    pub description: Option<GroupDescription>,
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct UpdateGroup {
    /// 1 to 100 characters.
    pub subject: Option<GroupSubject>,
    /// Up to 2048 characters; `""` removes it.
    pub description: Option<GroupDescription>,
    /// Only admins send messages.
    pub announce: Option<bool>,
    /// Only admins change the subject, description and settings.
    pub locked: Option<bool>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantsChange {
    #[schema(example = "add")]
    pub action: ParticipantAction,
    /// 1 to 256 phone numbers (or JIDs).
    #[schema(min_items = 1, max_items = 256, example = json!(["79001234567"]))]
    pub participants: Vec<PersonPhone>,
}

/// What is done to the participants.
#[derive(Deserialize, ToSchema, Clone, Copy)]
#[serde(rename_all = "snake_case")]
pub enum ParticipantAction {
    Add,
    Remove,
    Promote,
    Demote,
}

impl From<ParticipantAction> for MemberAction {
    fn from(action: ParticipantAction) -> Self {
        match action {
            ParticipantAction::Add => Self::Add,
            ParticipantAction::Remove => Self::Remove,
            ParticipantAction::Promote => Self::Promote,
            ParticipantAction::Demote => Self::Demote,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JoinGroup {
    /// The invite code, or its `https://chat.whatsapp.com/<code>` link.
    #[schema(example = "https://chat.whatsapp.com/Fk3cQ9pLmN2rT7vXyZ1aB4")]
    pub invite: GroupInvite,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupListItem {
    id: String,
    subject: String,
    participants_count: usize,
    /// Whether this instance's account is an admin of the group.
    is_admin: bool,
}

#[derive(Serialize, ToSchema)]
pub struct GroupList {
    groups: Vec<GroupListItem>,
}

impl GroupList {
    pub fn new(groups: Vec<GroupSummary>) -> Self {
        Self {
            groups: groups
                .into_iter()
                .map(|group| GroupListItem {
                    id: group.id.to_string(),
                    subject: group.subject,
                    participants_count: group.participants_count,
                    is_admin: group.is_admin,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantView {
    /// The member's JID.
    id: String,
    /// Its digits.
    phone: String,
    /// The member's LID, when WhatsApp gives it; null otherwise.
    #[schema(value_type = Option<String>)]
    lid: Option<String>,
    role: GroupRole,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    id: String,
    subject: String,
    /// Null when the group has none.
    description: Option<String>,
    /// The creator's JID, when WhatsApp says.
    owner: Option<String>,
    /// When it was created (ISO 8601), when WhatsApp says.
    created_at: Option<String>,
    /// Only admins send messages.
    announce: bool,
    /// Only admins change the subject, description and settings.
    locked: bool,
    participants: Vec<ParticipantView>,
}

impl From<GroupInfo> for GroupView {
    fn from(group: GroupInfo) -> Self {
        Self {
            id: group.id.to_string(),
            subject: group.subject,
            description: group.description,
            owner: group.owner.map(|owner| owner.to_string()),
            created_at: group
                .created_at
                .map(|seconds| iso_millis(seconds.saturating_mul(1000))),
            announce: group.announce,
            locked: group.locked,
            participants: group
                .participants
                .into_iter()
                .map(|member| ParticipantView {
                    phone: member.jid.user().to_owned(),
                    id: member.jid.to_string(),
                    lid: member.lid.map(|lid| lid.to_string()),
                    role: member.role,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantResult {
    /// The person's digits.
    phone: String,
    /// `ok`, or why not: `already_member`, `not_member`, `not_allowed`, or WhatsApp's reason.
    status: String,
}

#[derive(Serialize, ToSchema)]
pub struct ParticipantResults {
    results: Vec<ParticipantResult>,
}

impl ParticipantResults {
    pub fn new(results: Vec<MemberResult>) -> Self {
        Self {
            results: results
                .into_iter()
                .map(|result| ParticipantResult {
                    phone: result.phone.user().to_owned(),
                    status: result.status,
                })
                .collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct InviteView {
    code: String,
    link: String,
}

impl InviteView {
    pub fn new(code: String) -> Self {
        Self {
            link: crate::whatsapp::invite_link(&code),
            code,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct JoinedGroup {
    /// The group's JID.
    id: String,
}

impl JoinedGroup {
    pub fn new(id: Jid) -> Self {
        Self { id: id.to_string() }
    }
}

/// 1 to 256 people, each a person's number or JID; named by index when not.
pub fn participants(raw: &[PersonPhone]) -> Result<Vec<Jid>, ApiError> {
    if raw.is_empty() || raw.len() > MAX_PARTICIPANTS {
        return Err(ApiError::validation(format!(
            "participants must hold 1-{MAX_PARTICIPANTS} phone numbers"
        )));
    }
    raw.iter()
        .enumerate()
        .map(|(index, person)| {
            person.parse().map_err(|_| {
                ApiError::new(
                    ErrorCode::InvalidPhone,
                    format!("participants[{index}] is not a person's phone number or JID"),
                )
            })
        })
        .collect()
}
