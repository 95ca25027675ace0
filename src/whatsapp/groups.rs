//! Groups at the boundary: what an instance asks of WhatsApp about its groups,
//! and what WhatsApp tells it happened in them. Both backends answer in these
//! terms; the engine through `client.groups()`, the simulated network from the
//! groups it keeps.

use futures_util::future::BoxFuture;

use super::WaError;
pub use crate::domain::group::{GroupRole, MemberAction, invite_code_of};
use crate::domain::phone::Jid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupMember {
    /// The member's phone JID when WhatsApp gives it, else their LID.
    pub jid: Jid,
    /// Their LID, when WhatsApp gives it.
    pub lid: Option<Jid>,
    pub role: GroupRole,
}

/// A group as its members see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub id: Jid,
    pub subject: String,
    pub description: Option<String>,
    /// Who created it, when WhatsApp says.
    pub owner: Option<Jid>,
    /// Unix seconds.
    pub created_at: Option<i64>,
    /// Only admins send.
    pub announce: bool,
    /// Only admins change the subject, description and settings.
    pub locked: bool,
    pub participants: Vec<GroupMember>,
}

/// A group in the instance's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSummary {
    pub id: Jid,
    pub subject: String,
    pub participants_count: usize,
    /// Whether the instance's account is an admin of it.
    pub is_admin: bool,
}

#[derive(Debug, Clone)]
pub struct NewGroup {
    pub subject: String,
    pub participants: Vec<Jid>,
    pub description: Option<String>,
}

/// What a change of a group's settings sets; `None` leaves it as it is. An
/// empty description removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GroupSettings {
    pub subject: Option<String>,
    pub description: Option<String>,
    pub announce: Option<bool>,
    pub locked: Option<bool>,
}

impl GroupSettings {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// One setting each, as WhatsApp announces them.
    pub fn one_by_one(&self) -> Vec<Self> {
        let mut each = Vec::new();
        if let Some(subject) = &self.subject {
            each.push(Self {
                subject: Some(subject.clone()),
                ..Self::default()
            });
        }
        if let Some(description) = &self.description {
            each.push(Self {
                description: Some(description.clone()),
                ..Self::default()
            });
        }
        if let Some(announce) = self.announce {
            each.push(Self {
                announce: Some(announce),
                ..Self::default()
            });
        }
        if let Some(locked) = self.locked {
            each.push(Self {
                locked: Some(locked),
                ..Self::default()
            });
        }
        each
    }
}

/// What became of one person of a member change: `ok`, or WhatsApp's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberResult {
    pub phone: Jid,
    pub status: String,
}

impl MemberResult {
    pub const OK: &'static str = "ok";

    pub fn ok(&self) -> bool {
        self.status == Self::OK
    }
}

/// Something that happened in a group the instance is in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupNotice {
    pub group: Jid,
    /// Who did it, when WhatsApp says.
    pub by: Option<Jid>,
    pub change: GroupChange,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupChange {
    /// Members added (by an admin, at the group's creation, or joining by
    /// invite), removed (or left), promoted or demoted.
    Members {
        action: MemberAction,
        participants: Vec<Jid>,
    },
    /// The subject, description or settings changed.
    Settings(GroupSettings),
}

type Answer<T> = BoxFuture<'static, Result<T, WaError>>;

/// What an instance asks WhatsApp about its groups. Refusals are
/// `WaError::GroupNotFound` (not a group the account is in), `NotGroupAdmin`,
/// or `Rejected` with WhatsApp's reason.
pub trait WaGroups {
    /// Every group the account is in.
    fn groups(&self) -> Answer<Vec<GroupSummary>>;
    fn group(&self, id: &Jid) -> Answer<GroupInfo>;
    /// Creates a group with the account as its owner.
    fn create_group(&self, group: NewGroup) -> Answer<GroupInfo>;
    fn change_group(&self, id: &Jid, settings: GroupSettings) -> Answer<()>;
    /// One result per person, in the order given.
    fn change_members(
        &self,
        id: &Jid,
        action: MemberAction,
        people: Vec<Jid>,
    ) -> Answer<Vec<MemberResult>>;
    /// The group's invite code; `reset` makes a new one and voids the old.
    fn invite_code(&self, id: &Jid, reset: bool) -> Answer<String>;
    /// Joins the group an invite code (or link) names; answers its id.
    fn join_group(&self, code: &str) -> Answer<Jid>;
    fn leave_group(&self, id: &Jid) -> Answer<()>;
}

/// The link that shares an invite code.
pub fn invite_link(code: &str) -> String {
    format!("https://chat.whatsapp.com/{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invite_is_read_from_a_link_or_a_bare_code() {
        assert_eq!(
            invite_code_of("https://chat.whatsapp.com/AbC123xyz"),
            Some("AbC123xyz")
        );
        assert_eq!(invite_code_of(" AbC123xyz "), Some("AbC123xyz"));
        assert_eq!(
            invite_code_of("chat.whatsapp.com/AbC123xyz/"),
            Some("AbC123xyz")
        );
        assert_eq!(invite_code_of("https://example.com/x y"), None);
        assert_eq!(invite_code_of(""), None);
        assert_eq!(invite_link("Q1"), "https://chat.whatsapp.com/Q1");
    }
}
