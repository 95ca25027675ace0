//! What a member is in a group and what is done to members: the same words in
//! the API, the stored simulated groups and WhatsApp's notices.

/// A member's standing in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    Member,
    Admin,
    /// The creator (or whoever WhatsApp made owner after them).
    Superadmin,
}

impl GroupRole {
    pub fn is_admin(self) -> bool {
        self != Self::Member
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Superadmin => "superadmin",
        }
    }

    pub fn parse(role: &str) -> Self {
        match role {
            "superadmin" => Self::Superadmin,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }
}

/// What is done to members.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MemberAction {
    Add,
    Remove,
    Promote,
    Demote,
}

impl MemberAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Add => "add",
            Self::Remove => "remove",
            Self::Promote => "promote",
            Self::Demote => "demote",
        }
    }
}

/// The code of an invite link (`https://chat.whatsapp.com/<code>`), or the
/// code itself; `None` when it cannot be one.
pub fn invite_code_of(invite: &str) -> Option<&str> {
    let invite = invite.trim();
    let code = invite
        .strip_prefix("https://chat.whatsapp.com/")
        .or_else(|| invite.strip_prefix("http://chat.whatsapp.com/"))
        .or_else(|| invite.strip_prefix("chat.whatsapp.com/"))
        .unwrap_or(invite)
        .trim_end_matches('/');
    (!code.is_empty() && code.len() <= 64 && code.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(code)
}
