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
